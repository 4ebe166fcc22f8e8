#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iotcentral_scheduled_job_info
short_description: Get or list Azure IoT Central scheduled jobs, with the jobs they started
version_added: 1.0.0
description:
  - Returns one IoT Central scheduled job by O(job_id), or lists every scheduled job of the application (all pages).
  - The result is always a list, RV(scheduled_jobs), empty when nothing matched; its items have the keys of the
    RV(azure_iot.jobs.iotcentral_scheduled_job#module:scheduled_job) that M(azure_iot.jobs.iotcentral_scheduled_job)
    returns.
  - With O(include_runs=true), each scheduled job also lists the jobs it started, newest first, as
    M(azure_iot.jobs.iotcentral_job_info) returns jobs.
  - Uses the IoT Central REST API, api-version 2022-07-31.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  job_id:
    description:
      - The id of the scheduled job to return. RV(scheduled_jobs) is empty when the application has no such
        scheduled job.
      - Letters, digits, V(-) and V(_), at most 255 characters.
    type: str
  include_runs:
    description:
      - Add the jobs each scheduled job started under C(runs). One paged request per scheduled job.
    type: bool
    default: false
extends_documentation_fragment:
  - azure_iot.jobs.connection
  - azure_iot.jobs.iotcentral_auth
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.info_module
  - azure_iot.jobs.attributes.action_group_iotcentral
seealso:
  - module: azure_iot.jobs.iotcentral_scheduled_job
  - module: azure_iot.jobs.iotcentral_job_info
  - name: IoT Central REST API, scheduled jobs
    description: The REST operations this module calls.
    link: https://learn.microsoft.com/rest/api/iotcentral/2022-07-31dataplane/scheduled-jobs
"""

EXAMPLES = r"""
- name: Inspect IoT Central scheduled jobs
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iotcentral:
      app_url: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_APP_URL') }}"
      api_token: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_API_TOKEN') }}"
  tasks:
    - name: Get one scheduled job with the jobs it started
      azure_iot.jobs.iotcentral_scheduled_job_info:
        job_id: nightly-reboot
        include_runs: true
      register: nightly

    - name: Show the status of its latest run
      ansible.builtin.debug:
        msg: "{{ nightly.scheduled_jobs[0].runs[0].status }}"
      when: nightly.scheduled_jobs | length > 0 and nightly.scheduled_jobs[0].runs | length > 0

    - name: List every scheduled job of the application
      azure_iot.jobs.iotcentral_scheduled_job_info:
      register: all_scheduled

    - name: Fail when a scheduled job is disabled
      ansible.builtin.assert:
        that: all_scheduled.scheduled_jobs | rejectattr('enabled') | list | length == 0
"""

RETURN = r"""
scheduled_jobs:
  description:
    - The scheduled jobs found, in the order the application lists them; empty when none matched.
  returned: always
  type: list
  elements: dict
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
      description:
        - What each run does, one item per device template; C(type) is V(property), V(command), V(cloud_property)
          or V(device_template_migration), with C(target) (template id), C(path), C(value), or C(template) for a
          migration.
      type: list
      elements: dict
      sample: [{"type": "command", "target": "dtmi:contoso:thermostat;1", "path": "reboot", "value": null,
                "template": null}]
    batch:
      description: The batching, C(type) (V(number) or V(percentage)) and C(value); null when a run is one batch.
      type: dict
      sample: {"type": "percentage", "value": 25}
    cancellation_threshold:
      description: The cancellation threshold, C(type), C(value) and C(batch), or null.
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
    runs:
      description:
        - The jobs the scheduled job started, newest first, with the keys of
          RV(azure_iot.jobs.iotcentral_job_info#module:jobs) (C(job_id), C(display_name), C(status), C(progress),
          C(scheduled_job_id), C(start_time), C(end_time), ...).
      type: list
      elements: dict
      returned: when O(include_runs=true)
      sample: [{"job_id": "9324166a-641c-4c9c-82a6-928c54cd8683", "display_name": "Nightly reboot - 2",
                "status": "complete", "scheduled_job_id": "nightly-reboot",
                "progress": {"total": 40, "pending": 0, "completed": 40, "failed": 0}}]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import COMMON_ARGSPEC, IOTCENTRAL_ARGSPEC
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iotcentral_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import CENTRAL_ID, check_id
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral_scheduled import find_scheduled_jobs


def argument_spec():
    spec = dict(
        job_id=dict(type="str"),
        include_runs=dict(type="bool", default=False),
    )
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTCENTRAL_ARGSPEC)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    try:
        if params["job_id"] is not None:
            check_id(params["job_id"], CENTRAL_ID)
        scheduled_jobs = find_scheduled_jobs(iotcentral_client(module), job_id=params["job_id"],
                                             include_runs=params["include_runs"])
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    module.exit_json(changed=False, scheduled_jobs=scheduled_jobs)


if __name__ == "__main__":
    main()
