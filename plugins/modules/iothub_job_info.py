#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iothub_job_info
short_description: Get or list the jobs of an Azure IoT hub through Azure Resource Manager
version_added: 1.0.0
description:
  - Returns one job of an IoT hub by O(job_id), or lists all the hub's jobs, through Azure Resource Manager
    (C(Microsoft.Devices/IotHubs), api-version 2023-06-30). This is the view of pipelines that have management-plane
    rights only.
  - Azure Resource Manager lists the hub's import and export jobs (device identity registry), not its scheduled jobs;
    use M(azure_iot.jobs.iothub_scheduled_job_info) for those.
  - The result is always a list, RV(jobs), in the order the service lists the jobs. Every page is read.
  - Authenticates with Microsoft Entra ID only; the token scope is O(arm_endpoint) followed by C(/.default).
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  job_id:
    description:
      - The id of the job to return. RV(jobs) is empty when the hub has no such job (not a failure).
      - All the hub's jobs when not set.
    type: str
notes:
  - A hub, resource group or subscription that does not exist makes the module fail with a message naming the hub.
extends_documentation_fragment:
  - azure_iot.jobs.connection
  - azure_iot.jobs.iothub_auth
  - azure_iot.jobs.arm_auth
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.info_module
  - azure_iot.jobs.attributes.action_group_iothub
seealso:
  - module: azure_iot.jobs.iothub_scheduled_job_info
  - name: IoT Hub resource REST API, list jobs
    description: The Azure Resource Manager operation this module calls to list jobs.
    link: https://learn.microsoft.com/rest/api/iothub/iot-hub-resource/list-jobs
  - name: IoT Hub resource REST API, get job
    description: The Azure Resource Manager operation this module calls to get one job.
    link: https://learn.microsoft.com/rest/api/iothub/iot-hub-resource/get-job
"""

EXAMPLES = r"""
- name: Inspect IoT hub jobs through Azure Resource Manager
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      auth_method: client_secret
      subscription_id: "{{ lookup('ansible.builtin.env', 'AZURE_SUBSCRIPTION_ID') }}"
      resource_group: rg-iot
      hub_name: contoso-hub
  tasks:
    - name: List every job of the hub
      azure_iot.jobs.iothub_job_info:
      register: all_jobs

    - name: Show the running ones
      ansible.builtin.debug:
        msg: "{{ all_jobs.jobs | selectattr('status', 'equalto', 'running') | map(attribute='job_id') | list }}"

    - name: Get one job
      azure_iot.jobs.iothub_job_info:
        job_id: 4d1b6c8e-2a9e-4f57-9c0b-8f0f3c8e9e21
      register: one

    - name: Fail when it failed
      ansible.builtin.assert:
        that: one.jobs | length == 0 or one.jobs[0].status != 'failed'
        fail_msg: "{{ one.jobs[0].failure_reason | default('') }}"
"""

RETURN = r"""
job_id:
  description: The O(job_id) that was asked for.
  returned: when O(job_id) is set
  type: str
  sample: 4d1b6c8e-2a9e-4f57-9c0b-8f0f3c8e9e21
jobs:
  description:
    - The jobs found, in the order the service lists them; empty when the hub has no jobs or no job O(job_id).
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: The job's id.
      type: str
      sample: 4d1b6c8e-2a9e-4f57-9c0b-8f0f3c8e9e21
    type:
      description: The job type as the service names it, for example V(export) or V(import).
      type: str
      sample: export
    status:
      description: V(unknown), V(enqueued), V(running), V(completed), V(failed) or V(cancelled).
      type: str
      sample: completed
    start_time:
      description: When the job started, ISO 8601 UTC (converted from RV(jobs[].start_time_utc)).
      type: str
      sample: "2017-06-15T19:20:58Z"
    end_time:
      description: When the job stopped processing, ISO 8601 UTC; null while it runs.
      type: str
      sample: "2017-06-15T19:21:40Z"
    start_time_utc:
      description: The service's own RFC 1123 start time.
      type: str
      sample: "Thu, 15 Jun 2017 19:20:58 GMT"
    end_time_utc:
      description: The service's own RFC 1123 end time.
      type: str
      sample: "Thu, 15 Jun 2017 19:21:40 GMT"
    failure_reason:
      description: Why the job failed, when it failed.
      type: str
      sample: null
    status_message:
      description: The service's status message for the job.
      type: str
      sample: null
    parent_job_id:
      description: The id of the parent job, if any.
      type: str
      sample: null
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import ARM_ARGSPEC, COMMON_ARGSPEC, IOTHUB_ARGSPEC
from ansible_collections.azure_iot.jobs.plugins.module_utils._arm import ArmHub, get_job, list_jobs
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import arm_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import IMPORT_EXPORT_JOB_ID, check_id


def argument_spec():
    spec = dict(
        job_id=dict(type="str"),
    )
    spec.update(COMMON_ARGSPEC)
    spec.update(ARM_ARGSPEC)
    spec.update(IOTHUB_ARGSPEC)  # accepted so one group/azure_iot.jobs.iothub default serves every hub module
    return spec


def check(params):
    """Everything that can be known before a call; the hub's ARM coordinates."""
    if params["job_id"] is not None:
        check_id(params["job_id"], IMPORT_EXPORT_JOB_ID)
    return ArmHub.from_params(params)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    result = dict(changed=False)
    try:
        hub = check(params)
        client = arm_client(module)
        if params["job_id"] is not None:
            result["job_id"] = params["job_id"]
            job = get_job(client, hub, params["job_id"])
            result["jobs"] = [job] if job is not None else []
        else:
            result["jobs"] = list_jobs(client, hub)
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
