#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iothub_import_export_job_info
short_description: Get or list the import and export jobs of an Azure IoT hub through its data plane
version_added: 1.0.0
description:
  - Returns one import/export job (device identity registry) of an IoT hub by O(job_id), or lists the hub's
    import/export jobs filtered by O(type) and O(status).
  - Uses the IoT Hub data plane (C(GET /jobs) and C(GET /jobs/{id}), api-version 2021-04-12), so a connection string
    alone is enough (or O(hostname) with Microsoft Entra ID); one request lists every job the hub keeps (30 days).
  - Unlike the Azure Resource Manager view of M(azure_iot.jobs.iothub_job_info), each job carries its parameters,
    such as the blob it wrote (RV(jobs[].output_blob_name)) and whether an export left the keys out.
  - The result is always a list, RV(jobs), in the order the hub lists the jobs, empty when nothing matched; each job
    has the keys of the RV(azure_iot.jobs.iothub_import_export_job#module:job) of
    M(azure_iot.jobs.iothub_import_export_job).
  - Blob container URIs carry shared access signatures. They are never returned, and are hidden from the output
    should the service repeat them anywhere.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  job_id:
    description:
      - The id of the job to return (a GUID chosen by IoT Hub). RV(jobs) is empty when the hub has no such job (not a
        failure).
      - Mutually exclusive with O(type) and O(status).
    type: str
  type:
    description: List only the jobs of this type.
    type: str
    choices: [export, import]
  status:
    description:
      - List only the jobs in one of these statuses. Import and export jobs go from V(enqueued) to V(running) to
        V(completed), V(failed) or V(cancelled).
    type: list
    elements: str
    choices: [enqueued, running, completed, failed, cancelled, queued, scheduled, unknown]
extends_documentation_fragment:
  - azure_iot.jobs.connection
  - azure_iot.jobs.iothub_auth
  - azure_iot.jobs.arm_auth
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.info_module
  - azure_iot.jobs.attributes.action_group_iothub
notes:
  - The Azure Resource Manager options (O(subscription_id), O(resource_group), O(hub_name), O(arm_endpoint)) are
    accepted so that one C(group/azure_iot.jobs.iothub) default serves every IoT Hub module; this module does not
    use them.
seealso:
  - module: azure_iot.jobs.iothub_import_export_job
  - module: azure_iot.jobs.iothub_job_info
  - name: IoT Hub service REST API, get import export jobs
    description: The data-plane operation this module calls to list the jobs.
    link: https://learn.microsoft.com/rest/api/iothub/service/jobs/get-import-export-jobs
  - name: IoT Hub service REST API, get import export job
    description: The data-plane operation this module calls to get one job.
    link: https://learn.microsoft.com/rest/api/iothub/service/jobs/get-import-export-job
"""

EXAMPLES = r"""
- name: Inspect the import and export jobs of a hub with its connection string
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      connection_string: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"
  tasks:
    - name: List the completed exports
      azure_iot.jobs.iothub_import_export_job_info:
        type: export
        status: completed
      register: exports

    - name: Show the newest export of devices.txt
      ansible.builtin.debug:
        msg: >-
          {{ exports.jobs | selectattr('output_blob_name', 'eq', 'devices.txt') | sort(attribute='end_time')
             | map(attribute='job_id') | last | default('none') }}

    - name: Fail when an import or export still runs
      azure_iot.jobs.iothub_import_export_job_info:
        status: [enqueued, running]
      register: active
      failed_when: active.jobs | length > 0

    - name: Get one job
      azure_iot.jobs.iothub_import_export_job_info:
        job_id: 2c1d8b0e-6a3f-4b5e-9d0c-3f2a1b4c5d6e
      register: one

- name: The same through Microsoft Entra ID
  hosts: localhost
  gather_facts: false
  tasks:
    - name: List every import and export job
      azure_iot.jobs.iothub_import_export_job_info:
        hostname: contoso-hub.azure-devices.net
        auth_method: client_secret
        tenant_id: "{{ tenant_id }}"
        client_id: "{{ client_id }}"
        client_secret: "{{ vault_client_secret }}"
      register: all_jobs
"""

RETURN = r"""
job_id:
  description: The O(job_id) that was asked for.
  returned: when O(job_id) is set
  type: str
  sample: 2c1d8b0e-6a3f-4b5e-9d0c-3f2a1b4c5d6e
jobs:
  description:
    - The jobs found, in the order the hub lists them, without any container URI; empty when none matched.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: The job's id (a GUID chosen by IoT Hub).
      type: str
      sample: 2c1d8b0e-6a3f-4b5e-9d0c-3f2a1b4c5d6e
    type:
      description: V(export) or V(import).
      type: str
      sample: export
    status:
      description: V(enqueued), V(running), V(completed), V(failed) or V(cancelled).
      type: str
      sample: completed
    progress:
      description: Percent done.
      type: int
      sample: 100
    start_time:
      description: When the job started, ISO 8601 UTC.
      type: str
      sample: "2026-01-01T10:00:00.1234567Z"
    end_time:
      description: When the job ended, ISO 8601 UTC; null while it runs.
      type: str
      sample: "2026-01-01T10:00:41.7654321Z"
    failure_reason:
      description: Why the job failed.
      type: str
      sample: null
    status_message:
      description: The service's status message.
      type: str
      sample: null
    exclude_keys:
      description: Whether an export leaves the keys out.
      type: bool
      sample: true
    input_blob_name:
      description: The blob an import reads.
      type: str
      sample: null
    output_blob_name:
      description: The blob an export writes, or an import's error log; null when the job uses the service's default.
      type: str
      sample: devices.txt
    storage_auth:
      description: V(key_based) or V(identity_based).
      type: str
      sample: key_based
    include_configurations:
      description: Whether configurations are included.
      type: bool
      sample: false
    configurations_blob_name:
      description: The blob of the configurations.
      type: str
      sample: null
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import ARM_ARGSPEC, COMMON_ARGSPEC, IOTHUB_ARGSPEC
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iothub_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import IMPORT_EXPORT_JOB_ID, check_id
from ansible_collections.azure_iot.jobs.plugins.module_utils._import_export import (
    JOB_PATH,
    LIST_PATH,
    job_to_ansible,
    uri_secrets,
)

URI_KEYS = ("inputBlobContainerUri", "outputBlobContainerUri")


def argument_spec():
    spec = dict(
        job_id=dict(type="str"),
        type=dict(type="str", choices=["export", "import"]),
        status=dict(type="list", elements="str", choices=["enqueued", "running", "completed", "failed", "cancelled",
                                                          "queued", "scheduled", "unknown"]),
    )
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTHUB_ARGSPEC)
    spec.update(ARM_ARGSPEC)  # accepted so one group/azure_iot.jobs.iothub default serves every hub module
    return spec


def check(params):
    """Everything that can be known before a call."""
    if params["job_id"] is not None:
        check_id(params["job_id"], IMPORT_EXPORT_JOB_ID)


def read_jobs(client, job_id=None):
    """The hub's raw JobProperties: one GET /jobs, or one GET /jobs/{id} (none when the hub has no such job)."""
    if job_id is not None:
        body = client.get_or_none(JOB_PATH, path_params={"job_id": job_id})
        return [] if body is None else [body]
    return client.get(LIST_PATH).body or []


def select(raws, job_type=None, statuses=None):
    """The jobs of the type and statuses asked for, projected (container URIs left out)."""
    return [job_to_ansible(raw) for raw in raws
            if (job_type is None or raw.get("type") == job_type) and (not statuses or raw.get("status") in statuses)]


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[("job_id", "type"), ("job_id", "status")])
    params = module.params
    result = dict(changed=False)
    try:
        check(params)
        raws = read_jobs(iothub_client(module), params["job_id"])
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    # The projection leaves the container URIs out; their signatures are hidden too, should the service repeat them.
    for raw in raws:
        for key in URI_KEYS:
            module.no_log_values.update(uri_secrets(raw.get(key)))
    if params["job_id"] is not None:
        result["job_id"] = params["job_id"]
    result["jobs"] = select(raws, params["type"], params["status"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
