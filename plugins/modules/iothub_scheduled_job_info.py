#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iothub_scheduled_job_info
short_description: Get or list Azure IoT Hub scheduled jobs, with their per-device results
version_added: 1.0.0
description:
  - Returns one IoT Hub scheduled job by O(job_id), or lists the hub's jobs filtered by O(type) and O(status).
  - The result is always a list, RV(jobs), empty when nothing matched; each job has the same keys as the C(job) of
    M(azure_iot.jobs.iothub_scheduled_job).
  - With O(include_device_results=true), each job also carries its per-device rows (IoT Hub C(devices.jobs)),
    optionally only those with a given O(device_status), paged to the end.
  - Uses the IoT Hub data-plane REST API, api-version 2021-04-12.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  job_id:
    description:
      - The id of the job to return. RV(jobs) is empty when the hub has no such job.
      - Mutually exclusive with O(type), O(status) and O(limit).
    type: str
  type:
    description: List only jobs of this type.
    type: str
    choices: [update_twin, device_method]
  status:
    description: List only jobs with this status.
    type: str
    choices: [queued, scheduled, enqueued, running, completed, failed, cancelled]
  limit:
    description:
      - Return at most this many jobs (the first pages only). All jobs, every page, when not set.
    type: int
  include_device_results:
    description:
      - Add the per-device rows of each job under C(device_results). One query per job, paged to the end, 1,000
        rows a page.
      - With O(device_results_dest) the rows go to that file instead (keys C(device_id), C(job_id), C(type),
        C(status), C(start_time), C(end_time), C(created_time), C(last_updated_time), C(error), C(outcome)).
    type: bool
    default: false
  device_status:
    description:
      - With O(include_device_results=true), only the devices in these statuses (note the single-L V(canceled) of
        device rows).
    type: list
    elements: str
    choices: [pending, scheduled, running, completed, failed, canceled]
extends_documentation_fragment:
  - azure_iot.jobs.device_results_file
  - azure_iot.jobs.connection
  - azure_iot.jobs.iothub_auth
  - azure_iot.jobs.arm_auth
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.info_module
  - azure_iot.jobs.attributes.action_group_iothub
seealso:
  - module: azure_iot.jobs.iothub_scheduled_job
  - name: IoT Hub service REST API, query scheduled jobs
    description: The REST operation this module calls to list jobs.
    link: https://learn.microsoft.com/rest/api/iothub/service/jobs/query-scheduled-jobs
  - name: IoT Hub query language, device jobs
    description: How per-device job rows are queried.
    link: https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-query-language
"""

EXAMPLES = r"""
- name: Inspect IoT Hub jobs
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      connection_string: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"
  tasks:
    - name: Get one job with its failed devices
      azure_iot.jobs.iothub_scheduled_job_info:
        job_id: fw-1-2-0-canary
        include_device_results: true
        device_status: [failed]
      register: canary

    - name: Show why devices failed
      ansible.builtin.debug:
        msg: "{{ item.device_id }}: {{ item.error.description | default('no error') }}"
      loop: "{{ canary.jobs[0].device_results | default([]) }}"

    - name: Write the rows of a million-device job to a file instead of the result
      azure_iot.jobs.iothub_scheduled_job_info:
        job_id: fw-1-2-0-fleet
        include_device_results: true
        device_results_dest: /var/tmp/fw-1-2-0-fleet.jsonl
      register: fleet

    - name: Show the counts per device status
      ansible.builtin.debug:
        msg: "{{ fleet.device_results_file.by_status }}"

    - name: List the running direct-method jobs
      azure_iot.jobs.iothub_scheduled_job_info:
        type: device_method
        status: running
      register: running

    - name: Fail when the hub is still busy with jobs
      ansible.builtin.assert:
        that: running.jobs | length == 0
"""

RETURN = r"""
jobs:
  description:
    - The jobs found, in the order the hub lists them; empty when none matched.
    - Each job has the keys of RV(azure_iot.jobs.iothub_scheduled_job#module:job).
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: The job's id.
      type: str
      sample: fw-1-2-0-canary
    type:
      description: V(update_twin) or V(device_method) (other IoT Hub job types as the service names them).
      type: str
      sample: device_method
    status:
      description: Job status.
      type: str
      sample: completed
    query:
      description: The query condition, V(*) for all devices.
      type: str
      sample: "*"
    start_time:
      description: When the job starts or started (ISO 8601, UTC).
      type: str
      sample: "2025-06-01T12:00:00.000Z"
    end_time:
      description: When the job ended.
      type: str
      sample: "2025-06-01T12:00:41.118Z"
    created_time:
      description: When the job was created.
      type: str
      sample: "2025-06-01T12:00:00.312Z"
    max_execution_time:
      description: Seconds the job may run.
      type: int
      sample: 3600
    twin_patch:
      description: The twin update (C(tags), C(desired)) of an V(update_twin) job.
      type: dict
      returned: when type is update_twin
      sample: {"tags": null, "desired": {"firmware": {"version": "1.2.0"}}}
    method:
      description: The direct method (C(name), C(payload), C(connect_timeout), C(response_timeout)).
      type: dict
      returned: when type is device_method
      sample: {"name": "reboot", "payload": null, "connect_timeout": 0, "response_timeout": 30}
    failure_reason:
      description: Why the job failed.
      type: str
      sample: null
    status_message:
      description: IoT Hub's status message.
      type: str
      sample: null
    statistics:
      description: Device counts C(device_count), C(succeeded), C(failed), C(pending), C(running).
      type: dict
      sample: {"device_count": 100, "succeeded": 90, "failed": 10, "pending": 0, "running": 0}
    device_results:
      description:
        - The job's device rows (keys C(device_id), C(job_id), C(type), C(status), C(start_time), C(end_time),
          C(created_time), C(last_updated_time), C(error), C(outcome)).
      type: list
      elements: dict
      returned: when O(include_device_results=true)
      sample: [{"device_id": "sim-0042", "job_id": "ping-1", "type": "device_method", "status": "failed",
                "start_time": "2025-06-01T12:00:01.5000000Z", "end_time": "2025-06-01T12:00:02.5000000Z",
                "created_time": "2025-06-01T12:00:00.9000000Z",
                "last_updated_time": "2025-06-01T12:00:02.5000000Z",
                "error": {"code": "GatewayTimeout", "description": "Timed out waiting for the response from device."},
                "outcome": null}]
    device_result_counts:
      description:
        - How many device rows of this job O(device_results_dest) received, C(rows) in all and C(by_status).
      type: dict
      returned: when O(device_results_dest) is set
      sample: {"rows": 100000, "by_status": {"completed": 99990, "failed": 10}}
device_results_file:
  description:
    - The O(device_results_dest) file, C(path), C(rows), C(by_status) (of every job) and C(written) (false in check
      mode).
  returned: when O(device_results_dest) is set
  type: dict
  sample: {"path": "/var/tmp/fw-1-2-0-fleet.jsonl", "rows": 100000, "by_status": {"completed": 99990, "failed": 10},
           "written": true}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import ARM_ARGSPEC, COMMON_ARGSPEC, IOTHUB_ARGSPEC
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iothub_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import find_jobs
from ansible_collections.azure_iot.jobs.plugins.module_utils._results_file import check_options, read_into_file
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import HUB_JOB_ID, check_id, check_positive


def argument_spec():
    spec = dict(
        job_id=dict(type="str"),
        type=dict(type="str", choices=["update_twin", "device_method"]),
        status=dict(type="str", choices=["queued", "scheduled", "enqueued", "running", "completed", "failed",
                                         "cancelled"]),
        limit=dict(type="int"),
        include_device_results=dict(type="bool", default=False),
        device_status=dict(type="list", elements="str",
                           choices=["pending", "scheduled", "running", "completed", "failed", "canceled"]),
        device_results_dest=dict(type="path"),
        device_results_mode=dict(type="raw"),
    )
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTHUB_ARGSPEC)
    spec.update(ARM_ARGSPEC)  # accepted so one group/azure_iot.jobs.iothub default serves every hub module
    return spec


def check(params):
    """Everything that can be known before a call; the (path, mode) of device_results_dest or None."""
    if params["job_id"] is not None:
        check_id(params["job_id"], HUB_JOB_ID)
    check_positive(params["limit"], "limit", unit=None)
    if params["device_status"] and not params["include_device_results"]:
        raise ValidationError("device_status filters the device results: set include_device_results: true")
    return check_options(params, "include_device_results")


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[("job_id", "type"), ("job_id", "status"), ("job_id", "limit")])
    params = module.params
    try:
        dest = check(params)
        client = iothub_client(module)
        jobs, results_file = read_into_file(dest, module.check_mode, lambda results: list(find_jobs(
            client, job_id=params["job_id"], job_type=params["type"], status=params["status"], limit=params["limit"],
            device_results=params["include_device_results"], device_status=params["device_status"],
            warn=module.warn, results_file=results)))
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    result = dict(changed=False, jobs=jobs)
    if results_file is not None:
        result["device_results_file"] = results_file
    module.exit_json(**result)


if __name__ == "__main__":
    main()
