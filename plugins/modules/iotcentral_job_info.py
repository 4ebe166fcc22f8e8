#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iotcentral_job_info
short_description: Get or list Azure IoT Central jobs, with their per-device statuses
version_added: 1.0.0
description:
  - Returns one IoT Central job by O(job_id), or lists every job of the application (all pages).
  - The result is always a list, RV(jobs), empty when nothing matched.
  - With O(include_devices=true), each job also carries the status of each of its devices, optionally only the
    devices in the statuses given by O(device_status).
  - Uses the IoT Central REST API, api-version 2022-07-31.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  job_id:
    description:
      - The id of the job to return. RV(jobs) is empty when the application has no such job.
      - Letters, digits, V(-) and V(_), at most 255 characters.
    type: str
  include_devices:
    description:
      - Add the per-device statuses of each job under C(devices). One paged request per job.
      - With O(device_results_dest) they go to that file instead (keys C(job_id), C(device_id), C(status)).
    type: bool
    default: false
  device_status:
    description:
      - With O(include_devices=true), only the devices in these statuses.
    type: list
    elements: str
    choices: [pending, completed, failed]
extends_documentation_fragment:
  - azure_iot.jobs.device_results_file
  - azure_iot.jobs.connection
  - azure_iot.jobs.iotcentral_auth
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.info_module
  - azure_iot.jobs.attributes.action_group_iotcentral
seealso:
  - name: IoT Central REST API, jobs
    description: The REST operations this module calls.
    link: https://learn.microsoft.com/rest/api/iotcentral/2022-07-31dataplane/jobs
  - name: Manage devices in bulk in IoT Central
    description: Jobs, batches, cancellation thresholds and statuses.
    link: https://learn.microsoft.com/azure/iot-central/core/howto-manage-devices-in-bulk
"""

EXAMPLES = r"""
- name: Inspect IoT Central jobs
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iotcentral:
      app_url: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_APP_URL') }}"
      api_token: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_API_TOKEN') }}"
  tasks:
    - name: Get one job with its failed devices
      azure_iot.jobs.iotcentral_job_info:
        job_id: fw-rollout
        include_devices: true
        device_status: [failed]
      register: rollout

    - name: Show the failed devices
      ansible.builtin.debug:
        msg: "{{ rollout.jobs[0].devices | map(attribute='device_id') | list }}"
      when: rollout.jobs | length > 0

    - name: Write the device statuses of a large job to a file instead of the result
      azure_iot.jobs.iotcentral_job_info:
        job_id: fw-rollout
        include_devices: true
        device_results_dest: /var/tmp/fw-rollout-devices.jsonl
      register: rollout_file

    - name: Show the counts per device status
      ansible.builtin.debug:
        msg: "{{ rollout_file.device_results_file.by_status }}"

    - name: List every job of the application
      azure_iot.jobs.iotcentral_job_info:
      register: all_jobs

    - name: Fail when a job is still running
      ansible.builtin.assert:
        that: all_jobs.jobs | selectattr('status', 'in', ['pending', 'running']) | list | length == 0
"""

RETURN = r"""
jobs:
  description:
    - The jobs found, in the order the application lists them; empty when none matched.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: The job's id.
      type: str
      sample: fw-rollout
    display_name:
      description: The job's display name.
      type: str
      sample: Firmware rollout
    description:
      description: The job's description.
      type: str
      sample: null
    group:
      description: The id of the device group the job runs on.
      type: str
      sample: thermostat-devices
    status:
      description:
        - V(pending), V(running), V(stopped), V(complete), V(failed) or V(cancelled) (the cancellation threshold
          was passed).
      type: str
      sample: complete
    batch:
      description: The batching, C(type) (V(number) or V(percentage)) and C(value); null when the job is one batch.
      type: dict
      sample: {"type": "percentage", "value": 20}
    cancellation_threshold:
      description: The cancellation threshold, C(type), C(value) and C(batch) (per batch or for the whole job).
      type: dict
      sample: {"type": "percentage", "value": 10, "batch": true}
    data:
      description:
        - What the job does, one item per device template; C(type) is V(property), V(command), V(cloud_property) or
          V(device_template_migration), with C(target) (template id), C(path), C(value), or C(template) for a
          migration.
      type: list
      elements: dict
      sample: [{"type": "property", "target": "dtmi:contoso:thermostat;1", "path": "fwVersion", "value": "2.0.0",
                "template": null}]
    organizations:
      description: The organization of the job.
      type: list
      elements: str
      sample: null
    scheduled_job_id:
      description: The id of the scheduled job that created this job.
      type: str
      sample: null
    start_time:
      description: When the job started running (ISO 8601, UTC).
      type: str
      sample: "2025-06-01T12:00:00.000Z"
    end_time:
      description: When the job ended.
      type: str
      sample: "2025-06-01T12:00:41.118Z"
    progress:
      description: Device counts C(total), C(pending), C(completed), C(failed).
      type: dict
      sample: {"total": 500, "pending": 0, "completed": 490, "failed": 10}
    devices:
      description: The per-device statuses (C(device_id), C(status) V(pending), V(completed) or V(failed)).
      type: list
      elements: dict
      returned: when O(include_devices=true)
      sample: [{"device_id": "thermostat-0042", "status": "failed"}]
    device_result_counts:
      description:
        - How many device statuses of this job O(device_results_dest) received, C(rows) in all and C(by_status).
      type: dict
      returned: when O(device_results_dest) is set
      sample: {"rows": 500, "by_status": {"completed": 490, "failed": 10}}
device_results_file:
  description:
    - The O(device_results_dest) file, C(path), C(rows), C(by_status) (of every job) and C(written) (false in check
      mode).
  returned: when O(device_results_dest) is set
  type: dict
  sample: {"path": "/var/tmp/fw-rollout-devices.jsonl", "rows": 500, "by_status": {"completed": 490, "failed": 10},
           "written": true}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import COMMON_ARGSPEC, IOTCENTRAL_ARGSPEC
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iotcentral_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import find_jobs
from ansible_collections.azure_iot.jobs.plugins.module_utils._results_file import check_options, read_into_file
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import CENTRAL_ID, check_id


def argument_spec():
    spec = dict(
        job_id=dict(type="str"),
        include_devices=dict(type="bool", default=False),
        device_status=dict(type="list", elements="str", choices=["pending", "completed", "failed"]),
        device_results_dest=dict(type="path"),
        device_results_mode=dict(type="raw"),
    )
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTCENTRAL_ARGSPEC)
    return spec


def check(params):
    """Everything that can be known before a call; the (path, mode) of device_results_dest or None."""
    if params["job_id"] is not None:
        check_id(params["job_id"], CENTRAL_ID)
    if params["device_status"] and not params["include_devices"]:
        raise ValidationError("device_status filters the device statuses: set include_devices: true")
    return check_options(params, "include_devices")


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    try:
        dest = check(params)
        client = iotcentral_client(module)
        jobs, results_file = read_into_file(dest, module.check_mode, lambda results: find_jobs(
            client, job_id=params["job_id"], include_devices=params["include_devices"],
            device_status=params["device_status"], results_file=results))
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    result = dict(changed=False, jobs=jobs)
    if results_file is not None:
        result["device_results_file"] = results_file
    module.exit_json(**result)


if __name__ == "__main__":
    main()
