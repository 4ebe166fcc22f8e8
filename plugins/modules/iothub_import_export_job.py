#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iothub_import_export_job
short_description: Export or import the device identities of an Azure IoT hub, wait for the job, or cancel it
version_added: 1.0.0
description:
  - Starts an export of the hub's device identity registry (and twins) to a blob container, or an import of device
    identities from one, waits for the job with O(wait=true), and cancels a job with O(state=absent).
  - Uses the IoT Hub data plane (C(POST /jobs/create), api-version 2021-04-12) when O(connection_string) or
    O(hostname) is given or O(auth_method=sas), else Azure Resource Manager (C(exportDevices) / C(importDevices),
    api-version 2023-06-30) with O(subscription_id), O(resource_group) and O(hub_name). O(api) chooses explicitly;
    O(api=data_plane) with only O(subscription_id), O(resource_group) and O(hub_name) reaches the hub's data plane
    from those (see O(shared_access_policy)).
  - B(Idempotency.) These jobs are actions and IoT Hub chooses their ids. Without O(job_id) the module looks at the
    hub's active (enqueued or running) import/export jobs first. An active job of the same type with the same
    parameters is this task's job; it is not started twice, and C(changed) is false. Otherwise a new job starts
    (C(changed) true), also when an identical job completed before, since a new export takes a new snapshot.
    Azure Resource Manager does not show a job's parameters, so through it any active job makes the module fail
    rather than guess; pass that job's O(job_id) to follow it.
  - IoT Hub allows one active import/export job per hub; the module fails, naming the active job, when another one
    runs.
  - With O(job_id) (the RV(job_id) of an earlier run) the module starts nothing; it returns that job, and waits for
    it with O(wait=true).
  - Blob container URIs carry shared access signatures. They are secrets, never returned, logged or put in a
    message.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  state:
    description:
      - V(present) starts the job (see the idempotency rule above) or follows O(job_id).
      - V(absent) cancels the job O(job_id) when it is enqueued or running; an unknown or ended job is left as it is
        (not changed). Cancelling needs the data plane (Azure Resource Manager has no cancel operation).
    type: str
    choices: [present, absent]
    default: present
  job_id:
    description:
      - The id of an existing import/export job (a GUID chosen by IoT Hub, RV(job_id) of the run that started it).
      - Required with O(state=absent).
    type: str
  type:
    description:
      - V(export) writes every device identity to O(output_container_uri); V(import) reads identities from
        O(input_container_uri) (one JSON object a line, each with an C(importMode) such as C(create), C(update),
        C(createOrUpdate) or C(delete)) and writes its error log to O(output_container_uri).
      - Required to start a job.
    type: str
    choices: [export, import]
  output_container_uri:
    description:
      - The blob container URI the export writes to, or the import writes its error log to. With
        O(storage_auth=key_based) it must carry a shared access signature with write rights.
    type: str
  input_container_uri:
    description:
      - The blob container URI an import reads from (O(type=import) only).
    type: str
  input_blob_name:
    description: The blob an import reads; IoT Hub's default is C(devices.txt).
    type: str
  output_blob_name:
    description: The blob an export writes (default C(devices.txt)), or the import's error log (C(importErrors.log)).
    type: str
  exclude_keys:
    description: Leave the devices' authentication keys out of an export (they are null in the blob).
    type: bool
    default: false
  include_configurations:
    description: Also export or import the hub's configurations.
    type: bool
    default: false
  configurations_blob_name:
    description: The blob of the configurations (IoT Hub's default is C(configurations.txt)).
    type: str
  storage_auth:
    description:
      - V(key_based) uses the shared access signatures of the container URIs; V(identity_based) makes the hub use its
        managed identity (O(identity) for a user-assigned one) and needs no signature.
    type: str
    choices: [key_based, identity_based]
    default: key_based
  identity:
    description: The resource id of the user-assigned managed identity for O(storage_auth=identity_based).
    type: str
  fail_on_import_errors:
    description:
      - An import job reports V(completed) even when some of its lines could not be applied; the service writes them
        to C(importErrors.log) (or O(output_blob_name)) in the output container. When the module waited for an
        import that completed, it reads that blob through O(output_container_uri) and returns the lines in
        RV(import_errors).
      - V(true) fails the task when there are any; V(false) only returns them.
      - Not read with O(storage_auth=identity_based) (this machine holds no SAS for the container).
    type: bool
    default: true
  api:
    description:
      - V(auto) uses the data plane when O(connection_string) or O(hostname) is set, else Azure Resource Manager.
    type: str
    choices: [auto, data_plane, arm]
    default: auto
extends_documentation_fragment:
  - azure_iot.jobs.connection
  - azure_iot.jobs.iothub_auth
  - azure_iot.jobs.arm_auth
  - azure_iot.jobs.wait
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.action_group_iothub
attributes:
  check_mode:
    support: full
    details:
      - Starts and cancels nothing; reads the hub's jobs and reports C(changed) as a real run would. Never waits.
  diff_mode:
    support: none
seealso:
  - module: azure_iot.jobs.iothub_job_info
  - name: Import and export IoT Hub device identities in bulk
    description: The service's documentation of these jobs and of the blob format.
    link: https://learn.microsoft.com/azure/iot-hub/iot-hub-bulk-identity-mgmt
"""

EXAMPLES = r"""
- name: Back up and restore the device registry
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      connection_string: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"
  tasks:
    - name: Export every device identity, without keys, and wait for it
      azure_iot.jobs.iothub_import_export_job:
        type: export
        output_container_uri: "{{ backup_container_sas_uri }}"
        output_blob_name: devices-{{ ansible_date_time.date | default('backup') }}.txt
        exclude_keys: true
        wait: true
        wait_timeout: 1800
      register: backup

    - name: Show the job id (for iothub_job_info or a later follow-up)
      ansible.builtin.debug:
        var: backup.job_id

    - name: Import identities into another hub, through Azure Resource Manager
      azure_iot.jobs.iothub_import_export_job:
        api: arm
        auth_method: client_secret
        subscription_id: "{{ subscription_id }}"
        resource_group: rg-iot
        hub_name: contoso-hub-2
        type: import
        input_container_uri: "{{ backup_container_sas_uri }}"
        output_container_uri: "{{ backup_container_sas_uri }}"
        input_blob_name: devices-2026-01-01.txt

    - name: Cancel a job
      azure_iot.jobs.iothub_import_export_job:
        state: absent
        job_id: "{{ backup.job_id }}"
"""

RETURN = r"""
job_id:
  description: The id of the job started, followed or cancelled (null when there is none).
  returned: always
  type: str
  sample: 2c1d8b0e-6a3f-4b5e-9d0c-3f2a1b4c5d6e
job:
  description:
    - The job, without any container URI. Keys the API in use does not report are null (Azure Resource Manager
      reports no progress and no parameters).
    - Empty when there is no job (an unknown O(job_id) with O(state=absent)).
  returned: always
  type: dict
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
      description: Percent done (data plane only).
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
      description: Whether an export leaves keys out.
      type: bool
      sample: true
    input_blob_name:
      description: The blob an import reads.
      type: str
      sample: null
    output_blob_name:
      description: The blob an export writes, or an import's error log.
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
active_job_id:
  description: The id of the other active import/export job that kept this one from starting.
  returned: when the module fails because another job is active
  type: str
  sample: 7e0c4a2b-1d3f-4e5a-8b6c-9d0e1f2a3b4c
elapsed:
  description: Seconds spent waiting.
  returned: when the module waited
  type: float
  sample: 12.4
status_history:
  description: Each job status seen while waiting, with the second it was first seen.
  returned: when the module waited
  type: list
  elements: dict
  sample: [{"status": "enqueued", "elapsed": 0.0}, {"status": "running", "elapsed": 2.0},
           {"status": "completed", "elapsed": 12.4}]
import_errors:
  description:
    - The lines an import could not apply, from C(importErrors.log) in the output container (C(line), C(device_id),
      C(error_code), C(error_status); null where the service does not say).
  returned: when the module waited for an import that completed, with key-based storage authentication
  type: list
  elements: dict
  sample: [{"line": 7, "device_id": null, "error_code": "DeviceAlreadyExists",
            "error_status": "A device with id 'd7' already exists."}]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import ARM_ARGSPEC, COMMON_ARGSPEC, IOTHUB_ARGSPEC
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import arm_client, iothub_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._arm import ArmHub
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._import_export import (
    Arm,
    DataPlane,
    ImportExportJob,
    Request,
    uri_secrets,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import Lifecycle
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import WAIT_ARGSPEC, WaitOptions


def argument_spec():
    spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        job_id=dict(type="str"),
        type=dict(type="str", choices=["export", "import"]),
        output_container_uri=dict(type="str", no_log=True),
        input_container_uri=dict(type="str", no_log=True),
        input_blob_name=dict(type="str"),
        output_blob_name=dict(type="str"),
        exclude_keys=dict(type="bool", default=False),
        include_configurations=dict(type="bool", default=False),
        configurations_blob_name=dict(type="str"),
        storage_auth=dict(type="str", default="key_based", choices=["key_based", "identity_based"]),
        identity=dict(type="str"),
        api=dict(type="str", default="auto", choices=["auto", "data_plane", "arm"]),
        fail_on_import_errors=dict(type="bool", default=True),
    )
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTHUB_ARGSPEC)
    spec.update(ARM_ARGSPEC)
    spec.update(WAIT_ARGSPEC)
    return spec


def use_data_plane(params):
    if params["api"] != "auto":
        return params["api"] == "data_plane"
    # auth_method=sas without a connection string reads the policy key through ARM, for the data plane.
    return bool(params.get("connection_string") or params.get("hostname") or params.get("auth_method") == "sas")


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    for option in ("output_container_uri", "input_container_uri"):
        module.no_log_values.update(uri_secrets(params.get(option)))
    try:
        request = Request.from_params(params)
        wait = WaitOptions.from_params(params)
        if use_data_plane(params):
            api = DataPlane(iothub_client(module))
        else:
            hub = ArmHub.from_params(params)
            if params["state"] == "absent":
                Arm.check_can_cancel()
            api = Arm(arm_client(module), hub)
        job = ImportExportJob(api, request)
        lifecycle = Lifecycle(api.client, job, check_mode=module.check_mode, wait=wait, warn=module.warn)
        result = lifecycle.present() if params["state"] == "present" else lifecycle.absent()
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
