#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iotcentral_job
short_description: Create, stop, resume, rerun and wait for Azure IoT Central jobs
version_added: 1.0.0
description:
  - Makes sure an IoT Central job with a given O(job_id) exists with the given request (O(state=present)), is
    stopped (O(state=stopped)) or runs again after a stop (O(state=running)); or reruns the failed devices of a
    finished job as a new job (O(rerun)).
  - A job sets a property or a cloud property, runs a command, or migrates the devices to another device template,
    on every device of a device group (O(group)), optionally batch by batch (O(batch)) and stopping by itself when
    too many devices fail (O(cancellation_threshold)).
  - An IoT Central job cannot be changed once submitted. Running the same task again finds the job by its id and
    reports no change, with a single GET. When a job with the same id exists with a B(different) request the module
    fails and shows both requests (RV(existing), RV(requested)); give the new request a new O(job_id).
  - With O(wait=true) the module waits until the job has ended and fails when the job failed, was cancelled (by its
    cancellation threshold), was stopped, did not end within O(wait_timeout), or (unless
    O(fail_on_device_failures=false)) when any device failed; the failed devices are listed in RV(device_results).
  - Uses the IoT Central REST API, api-version 2022-07-31.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  job_id:
    description:
      - The job's id, chosen by you. It identifies the job on later runs.
      - At most 255 characters, only US-ASCII letters, digits, V(-) and V(_). Checked before any call.
      - With O(rerun), the id of the finished job whose failed devices are rerun.
    type: str
    required: true
  state:
    description:
      - V(present) creates the job unless a job with this id and the same request exists. The job starts at once.
      - V(stopped) stops the job when it is pending or running; a stopped job is left as it is (not changed).
      - V(running) resumes a stopped job; a pending or running job is left as it is (not changed). IoT Central
        refuses to resume any job while the application already runs 5 jobs; the module then fails and says why.
      - IoT Central refuses to stop or resume a job that has ended (complete, failed or cancelled). Such a job
        already is as stopped or as run as it can be, so the module reports no change, with a warning, and makes no
        stop or resume call (use O(rerun) for the failed devices of a finished job). With O(state=running) and
        O(wait=true) it reports how the job ended.
      - With V(stopped) and V(running) the request options are optional; when given they are compared with the
        existing job like with V(present). The job must exist.
    type: str
    choices: [present, stopped, running]
    default: present
  rerun:
    description:
      - The id of a new job that reruns the devices that failed in job O(job_id). Same rules as O(job_id).
      - When a job with this id already exists nothing is changed (and with O(wait=true) the module waits for it).
      - IoT Central reruns only a job that has ended (complete, failed or cancelled); for a pending, running or
        stopped job the module fails. A job without failed devices is not rerun (not changed, with a warning).
      - Only with O(state=present), and without the request options (the rerun repeats the request of O(job_id)).
    type: str
  display_name:
    description:
      - The job's name in the IoT Central UI.
      - An existing job's value is accepted when not set.
    type: str
  description:
    description:
      - The job's description. An existing job's value is accepted when not set.
    type: str
  group:
    description:
      - The id of the device group the job targets (letters, digits, V(-) and V(_)). Required with O(state=present).
      - The job runs on the group's members as of its creation. Check mode counts them (RV(targeted_devices)).
    type: str
  fail_on_device_failures:
    description:
      - With O(wait=true), fail when any device failed even though the job completed. The failed devices are in
        RV(device_results) either way.
    type: bool
    default: true
extends_documentation_fragment:
  - azure_iot.jobs.iotcentral_job_request
  - azure_iot.jobs.connection
  - azure_iot.jobs.iotcentral_auth
  - azure_iot.jobs.wait
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.action_group_iotcentral
attributes:
  check_mode:
    support: full
    details:
      - Writes nothing. Predicts the job, counts the devices of its group (or the failed devices a rerun would
        target) in RV(targeted_devices) and reports C(changed) as a real run would; never waits.
  diff_mode:
    support: full
    details:
      - Shows the job before and after; for a conflicting request, the existing and the requested job.
notes:
  - IoT Central runs at most 5 jobs at the same time and keeps them for 30 days.
  - A stopped job does not end by itself; O(wait=true) on a stopped job fails at once.
seealso:
  - module: azure_iot.jobs.iotcentral_job_info
  - name: Manage devices in bulk in IoT Central
    description: Jobs, batches, cancellation thresholds, stop, resume and rerun.
    link: https://learn.microsoft.com/azure/iot-central/core/howto-manage-devices-in-bulk
  - name: IoT Central REST API, jobs
    description: The REST operations this module calls.
    link: https://learn.microsoft.com/rest/api/iotcentral/2022-07-31dataplane/jobs
"""

EXAMPLES = r"""
- name: Roll out a firmware version with IoT Central jobs
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iotcentral:
      app_url: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_APP_URL') }}"
      api_token: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_API_TOKEN') }}"
  tasks:
    - name: Predict the job and count the devices of the group (writes nothing)
      azure_iot.jobs.iotcentral_job:
        job_id: fw-1-2-0
        group: thermostats
        data:
          - type: property
            target: "dtmi:contoso:thermostat;1"
            path: fwVersion
            value: 1.2.0
      check_mode: true
      register: prediction

    - name: Set the firmware version in batches of 20%, cancel when more than 10% fail, and wait
      azure_iot.jobs.iotcentral_job:
        job_id: fw-1-2-0
        display_name: Firmware 1.2.0
        group: thermostats
        data:
          - type: property
            target: "dtmi:contoso:thermostat;1"
            path: fwVersion
            value: 1.2.0
        batch:
          type: percentage
          value: 20
        cancellation_threshold:
          type: percentage
          value: 10
        wait: true
        wait_timeout: 1800
        fail_on_device_failures: false
      register: rollout

    - name: Rerun the devices that failed
      azure_iot.jobs.iotcentral_job:
        job_id: fw-1-2-0
        rerun: fw-1-2-0-rerun-1
        wait: true

    - name: Stop a running job
      azure_iot.jobs.iotcentral_job:
        job_id: reboot-all
        state: stopped

    - name: Resume it
      azure_iot.jobs.iotcentral_job:
        job_id: reboot-all
        state: running
"""

RETURN = r"""
job:
  description:
    - The job as IoT Central reports it (in check mode, the predicted job). With O(rerun), the rerun job.
    - When the module waited, the job as of the last poll.
  returned: always
  type: dict
  contains:
    job_id:
      description: The job's id.
      type: str
      sample: fw-1-2-0
    display_name:
      description: The job's name.
      type: str
      sample: Firmware 1.2.0
    description:
      description: The job's description.
      type: str
      sample: null
    group:
      description: The device group id.
      type: str
      sample: thermostats
    status:
      description: V(pending), V(running), V(stopped), V(complete), V(failed) or V(cancelled).
      type: str
      sample: complete
    batch:
      description: The batch size (C(type), C(value)) or null.
      type: dict
      sample: {"type": "percentage", "value": 20}
    cancellation_threshold:
      description: The cancellation threshold (C(type), C(value), C(batch)) or null.
      type: dict
      sample: {"type": "percentage", "value": 10, "batch": false}
    data:
      description: The job data items (C(type), C(target), C(path), C(value), C(template)).
      type: list
      elements: dict
      sample: [{"type": "property", "target": "dtmi:contoso:thermostat;1", "path": "fwVersion", "value": "1.2.0",
                "template": null}]
    organizations:
      description: The organization of the job, or null.
      type: list
      elements: str
      sample: null
    scheduled_job_id:
      description: The scheduled job that created this job, or null.
      type: str
      sample: null
    start_time:
      description: When the job started; null until then.
      type: str
      sample: "2025-06-01T12:00:00.0000000Z"
    end_time:
      description: When the job ended; null until then.
      type: str
      sample: "2025-06-01T12:00:41.1180000Z"
    progress:
      description: Device counts C(total), C(pending), C(completed), C(failed).
      type: dict
      sample: {"total": 100, "pending": 0, "completed": 97, "failed": 3}
targeted_devices:
  description: How many devices the job would run on (the group's size, or the failed devices for a rerun).
  returned: in check mode, when the job would be created
  type: int
  sample: 100
device_results:
  description: The devices of the job that failed (C(device_id), C(status)), all pages.
  returned: when the module waited for the job
  type: list
  elements: dict
  sample: [{"device_id": "device-00042", "status": "failed"}]
elapsed:
  description: Seconds spent waiting.
  returned: when the module waited
  type: float
  sample: 41.3
status_history:
  description: Each job status seen while waiting, with the second it was first seen.
  returned: when the module waited
  type: list
  elements: dict
  sample: [{"status": "pending", "elapsed": 0.0}, {"status": "running", "elapsed": 1.0},
           {"status": "complete", "elapsed": 40.1}]
existing:
  description: On a conflicting request, the request of the existing job (same keys as RV(requested)).
  returned: when a job with this id exists with a different request (the module fails)
  type: dict
  sample: {"group": "thermostats", "display_name": null, "description": null, "batch": null,
           "cancellation_threshold": null, "organizations": null,
           "data": [{"type": "property", "target": "dtmi:x;1", "path": "fwVersion", "value": "1.1.0",
                     "template": null}]}
requested:
  description: On a conflicting request, the request of the task (unset options take the existing job's value).
  returned: when a job with this id exists with a different request (the module fails)
  type: dict
  sample: {"group": "thermostats", "display_name": null, "description": null, "batch": null,
           "cancellation_threshold": null, "organizations": null,
           "data": [{"type": "property", "target": "dtmi:x;1", "path": "fwVersion", "value": "1.2.0",
                     "template": null}]}
differences:
  description: The keys of RV(requested) that differ from RV(existing).
  returned: when a job with this id exists with a different request (the module fails)
  type: list
  elements: str
  sample: [data]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import (
    COMMON_ARGSPEC, IOTCENTRAL_ARGSPEC, IOTCENTRAL_JOB_REQUEST_ARGSPEC)
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iotcentral_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import CentralJob, CentralLifecycle
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import WAIT_ARGSPEC, WaitOptions


def argument_spec():
    spec = dict(
        job_id=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "stopped", "running"]),
        rerun=dict(type="str"),
        fail_on_device_failures=dict(type="bool", default=True),
    )
    spec.update(IOTCENTRAL_JOB_REQUEST_ARGSPEC)
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTCENTRAL_ARGSPEC)
    spec.update(WAIT_ARGSPEC)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    try:
        # Everything that can be checked without a call is checked before the client exists.
        job = CentralJob.from_params(params)
        wait = WaitOptions.from_params(params)
        lifecycle = CentralLifecycle(iotcentral_client(module), job, check_mode=module.check_mode, diff=module._diff,
                                     wait=wait, fail_on_device_failures=params["fail_on_device_failures"],
                                     warn=module.warn)
        if params["rerun"] is not None:
            result = lifecycle.rerun()
        elif params["state"] == "present":
            result = lifecycle.present()
        else:
            result = lifecycle.transition(params["state"])
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
