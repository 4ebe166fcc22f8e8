#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iotcentral_scheduled_job
short_description: Create, update, enable, disable and delete Azure IoT Central scheduled jobs
version_added: 1.0.0
description:
  - Makes sure an IoT Central scheduled job with a given O(job_id) exists with the given schedule and job request
    (O(state=present)), or does not exist (O(state=absent)).
  - A scheduled job starts an IoT Central job, the same kind of job M(azure_iot.jobs.iotcentral_job) creates (set a
    property or a cloud property, run a command, or migrate devices to another device template on every device of a
    device group), once at O(schedule.start) or every day, week or month from then on (O(schedule.recurrence)),
    until a date or a number of runs (O(schedule.end)).
  - Unlike a job, a scheduled job can be changed. When it exists, the module compares the options you set with it and
    sends one C(PATCH) (a JSON merge patch) with only what differs, for example O(enabled=false) to pause it.
    Options you leave out are not managed. Running the same task again reports no change, with a single GET.
  - IoT Central does not update a scheduled job while a job it started is pending or running; the module then fails
    and says so.
  - Uses the IoT Central REST API, api-version 2022-07-31.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  job_id:
    description:
      - The scheduled job's id, chosen by you. It identifies the scheduled job on later runs.
      - At most 255 characters, only US-ASCII letters, digits, V(-) and V(_). Checked before any call.
      - The jobs it starts get ids chosen by IoT Central; M(azure_iot.jobs.iotcentral_scheduled_job_info) with
        O(azure_iot.jobs.iotcentral_scheduled_job_info#module:include_runs=true) lists them.
    type: str
    required: true
  state:
    description:
      - V(present) creates the scheduled job, or updates what differs from the options you set.
      - V(absent) deletes the scheduled job; nothing changes when it does not exist. Jobs it already started are not
        stopped (use M(azure_iot.jobs.iotcentral_job) with O(azure_iot.jobs.iotcentral_job#module:state=stopped)).
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether the schedule starts jobs. V(false) pauses it; occurrences missed while it is disabled do not run
        later.
      - A new scheduled job is created enabled unless this is V(false). An existing one's value is kept when not set.
    type: bool
  schedule:
    description:
      - When the job runs. Required to create the scheduled job; when set, the whole schedule is managed (leaving
        out O(schedule.recurrence) or O(schedule.end) removes them). An existing one's schedule is kept when not set.
    type: dict
    suboptions:
      start:
        description:
          - The first run, an ISO 8601 date and time such as V(2030-01-31T08:00:00Z); no zone means UTC.
          - A start naming the same instant as the existing one in another spelling is no change.
          - Without O(schedule.recurrence) this is the only run; a start in the past then never runs (the module
            warns when it creates such a scheduled job).
        type: str
        required: true
      recurrence:
        description:
          - Run again every day, every week, or every month (on the same day of the month, or its last day) after
            O(schedule.start). Leave out to run once.
        type: str
        choices: [daily, weekly, monthly]
      end:
        description:
          - When a recurring schedule stops; leave out to run until the scheduled job is disabled or deleted.
          - Only with O(schedule.recurrence).
        type: dict
        suboptions:
          type:
            description:
              - V(date) stops after the day O(schedule.end.date); V(occurrences) after O(schedule.end.occurrences)
                runs.
            type: str
            required: true
            choices: [date, occurrences]
          date:
            description:
              - The last day the schedule may run, as V(YYYY-MM-DD), not before the day of O(schedule.start).
              - Only and required with O(schedule.end.type=date).
            type: str
          occurrences:
            description:
              - How many times the job runs, from 1 to 999.
              - Only and required with O(schedule.end.type=occurrences).
            type: int
  display_name:
    description:
      - The scheduled job's name in the IoT Central UI. The jobs it starts are named after it, with the run's
        number.
      - An existing scheduled job's value is kept when not set.
    type: str
  description:
    description:
      - The scheduled job's description. An existing scheduled job's value is kept when not set.
    type: str
  group:
    description:
      - The id of the device group each run targets (letters, digits, V(-) and V(_)). Required to create the
        scheduled job.
      - Each run targets the group's members at the time it starts.
    type: str
extends_documentation_fragment:
  - azure_iot.jobs.iotcentral_job_request
  - azure_iot.jobs.connection
  - azure_iot.jobs.iotcentral_auth
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.action_group_iotcentral
attributes:
  check_mode:
    support: full
    details:
      - Writes nothing; reads the scheduled job once and predicts it as a real run would leave it, with C(changed)
        as a real run would report it.
  diff_mode:
    support: full
    details:
      - Shows the scheduled job before and after (an empty dict for one that does not exist).
notes:
  - The module does not wait for runs; the jobs a scheduled job starts are ordinary IoT Central jobs that
    M(azure_iot.jobs.iotcentral_job_info) and M(azure_iot.jobs.iotcentral_scheduled_job_info) read.
  - O(batch), O(cancellation_threshold) and O(organizations) cannot be removed from an existing scheduled job by
    leaving them out (that keeps them); delete and recreate the scheduled job instead.
seealso:
  - module: azure_iot.jobs.iotcentral_scheduled_job_info
  - module: azure_iot.jobs.iotcentral_job
  - name: Manage devices in bulk in IoT Central
    description: Jobs and scheduled jobs in the IoT Central UI.
    link: https://learn.microsoft.com/azure/iot-central/core/howto-manage-devices-in-bulk
  - name: IoT Central REST API, scheduled jobs
    description: The REST operations this module calls.
    link: https://learn.microsoft.com/rest/api/iotcentral/2022-07-31dataplane/scheduled-jobs
"""

EXAMPLES = r"""
- name: Schedule IoT Central jobs
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iotcentral:
      app_url: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_APP_URL') }}"
      api_token: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_API_TOKEN') }}"
  tasks:
    - name: Reboot the thermostats every night at 02:00 UTC, 30 times
      azure_iot.jobs.iotcentral_scheduled_job:
        job_id: nightly-reboot
        display_name: Nightly reboot
        group: thermostats
        data:
          - type: command
            target: "dtmi:contoso:thermostat;1"
            path: reboot
        schedule:
          start: "2030-01-01T02:00:00Z"
          recurrence: daily
          end:
            type: occurrences
            occurrences: 30
        batch:
          type: percentage
          value: 25
      register: nightly

    - name: Set the firmware version once, next Sunday
      azure_iot.jobs.iotcentral_scheduled_job:
        job_id: fw-1-3-0-sunday
        group: thermostats
        data:
          - type: property
            target: "dtmi:contoso:thermostat;1"
            path: fwVersion
            value: 1.3.0
        schedule:
          start: "2030-01-06T03:00:00+01:00"

    - name: Pause the nightly reboots (only the enabled flag is managed)
      azure_iot.jobs.iotcentral_scheduled_job:
        job_id: nightly-reboot
        enabled: false

    - name: Move the reboots to Sundays until the end of the year, and enable them again (show the diff)
      azure_iot.jobs.iotcentral_scheduled_job:
        job_id: nightly-reboot
        enabled: true
        schedule:
          start: "2030-01-06T02:00:00Z"
          recurrence: weekly
          end:
            type: date
            date: "2030-12-31"
      diff: true

    - name: Delete the scheduled job
      azure_iot.jobs.iotcentral_scheduled_job:
        job_id: nightly-reboot
        state: absent
"""

RETURN = r"""
scheduled_job:
  description:
    - The scheduled job as IoT Central reports it after the task (in check mode, the prediction); an empty dict when
      it does not exist (O(state=absent)).
  returned: always
  type: dict
  contains:
    job_id:
      description: The scheduled job's id.
      type: str
      sample: nightly-reboot
    display_name:
      description: The scheduled job's name.
      type: str
      sample: Nightly reboot
    description:
      description: The scheduled job's description.
      type: str
      sample: null
    group:
      description: The device group id each run targets.
      type: str
      sample: thermostats
    data:
      description: What each run does (C(type), C(target), C(path), C(value), C(template)).
      type: list
      elements: dict
      sample: [{"type": "command", "target": "dtmi:contoso:thermostat;1", "path": "reboot", "value": null,
                "template": null}]
    batch:
      description: The batch size (C(type), C(value)) or null.
      type: dict
      sample: {"type": "percentage", "value": 25}
    cancellation_threshold:
      description: The cancellation threshold (C(type), C(value), C(batch)) or null.
      type: dict
      sample: null
    organizations:
      description: The organization of the scheduled job, or null.
      type: list
      elements: str
      sample: null
    schedule:
      description:
        - C(start), C(recurrence) (V(daily), V(weekly), V(monthly) or null for once) and C(end) (null, or C(type)
          V(date) with C(date), or V(occurrences) with C(occurrences)).
      type: dict
      sample: {"start": "2030-01-01T02:00:00Z", "recurrence": "daily",
               "end": {"type": "occurrences", "date": null, "occurrences": 30}}
    enabled:
      description: Whether the schedule starts jobs.
      type: bool
      sample: true
    completed:
      description: Whether the schedule has run its last occurrence.
      type: bool
      sample: false
    etag:
      description: The scheduled job's version, as IoT Central reports it.
      type: str
      sample: '"970070b9-0000-0800-0000-628d554b0000"'
differences:
  description: The options of an existing scheduled job that the task changed (or would change, in check mode).
  returned: when an existing scheduled job was updated
  type: list
  elements: str
  sample: [enabled, schedule]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import (
    COMMON_ARGSPEC, IOTCENTRAL_ARGSPEC, IOTCENTRAL_JOB_REQUEST_ARGSPEC)
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iotcentral_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral_scheduled import ScheduledCentralJob
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import Lifecycle


def argument_spec():
    spec = dict(
        job_id=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        enabled=dict(type="bool"),
        schedule=dict(type="dict", options=dict(
            start=dict(type="str", required=True),
            recurrence=dict(type="str", choices=["daily", "weekly", "monthly"]),
            end=dict(type="dict", options=dict(
                type=dict(type="str", required=True, choices=["date", "occurrences"]),
                date=dict(type="str"),
                occurrences=dict(type="int"),
            )),
        )),
    )
    spec.update(IOTCENTRAL_JOB_REQUEST_ARGSPEC)
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTCENTRAL_ARGSPEC)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        # Everything that can be checked without a call is checked before the client exists.
        job = ScheduledCentralJob.from_params(module.params)
        lifecycle = Lifecycle(iotcentral_client(module), job, check_mode=module.check_mode, diff=module._diff,
                              warn=module.warn)
        result = lifecycle.present() if module.params["state"] == "present" else lifecycle.absent()
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
