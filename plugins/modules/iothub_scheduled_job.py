#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iothub_scheduled_job
short_description: Create, wait for and cancel Azure IoT Hub scheduled jobs (twin updates and direct methods)
version_added: 1.0.0
description:
  - Makes sure an IoT Hub scheduled job with a given O(job_id) exists with the given request (O(state=present)),
    or will not run (O(state=absent), which cancels a job that has not started).
  - A job updates the twins (tags, desired properties) of every device that matches O(query), or calls a direct
    method on each of them, once, starting at O(start_time).
  - An IoT Hub job cannot be changed once submitted. Running the same task again finds the job by its id and reports
    no change, with a single GET. When a job with the same id exists with a B(different) request the module fails
    and shows both requests (RV(existing), RV(requested)); give the new request a new O(job_id).
  - With O(wait=true) the module waits until the job has ended and fails when the job failed, was cancelled, did not
    end within O(wait_timeout), or (unless O(fail_on_device_failures=false)) when any device failed; the failed devices
    are listed in RV(device_results).
  - Uses the IoT Hub data-plane REST API, api-version 2021-04-12.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  job_id:
    description:
      - The job's id, chosen by you. It identifies the job on later runs.
      - At most 64 characters, only US-ASCII letters, digits and V(-). Checked before any call.
      - Use a new id for each new request, for example with a version or a date in it.
    type: str
    required: true
  state:
    description:
      - V(present) creates the job unless a job with this id and the same request exists.
      - V(absent) cancels the job when it is queued or scheduled. A job that is unknown, completed, failed or
        cancelled is left as it is (not changed).
      - IoT Hub cannot cancel a running job; with V(absent) the module then fails without calling the cancel API and
        explains that the job ends by itself, at the latest O(max_execution_time) seconds after it started.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - The kind of job. Inferred from O(twin_patch) (V(update_twin)) or O(method) (V(device_method)) when not set;
        when set, it must agree with the one given.
    type: str
    choices: [update_twin, device_method]
  query:
    description:
      - The devices the job targets, as the condition of an IoT Hub query (the part after C(WHERE)), for example
        V(tags.ring = 'canary') or V(deviceId IN ['d1', 'd2']). A leading C(WHERE) is accepted.
      - V(*) or no value targets every device of the hub.
      - Whitespace outside quoted strings is normalised before the request is compared with an existing job.
      - IoT Hub accepts a condition it cannot evaluate and fails the job later; check mode counts the targeted
        devices and so reports such errors before anything is created.
    type: str
  twin_patch:
    description:
      - The twin update of an V(update_twin) job. The module sets the twin ETag to V(*) (a forced update, which IoT
        Hub requires for jobs).
      - A V(null) value in O(twin_patch.tags) or O(twin_patch.desired) removes that key from the twins.
      - Mutually exclusive with O(method).
    type: dict
    suboptions:
      tags:
        description: Tags to merge into each twin.
        type: dict
      desired:
        description: Desired properties to merge into each twin.
        type: dict
  method:
    description:
      - The direct method a V(device_method) job calls on each device. Mutually exclusive with O(twin_patch).
    type: dict
    suboptions:
      name:
        description: Name of the direct method.
        type: str
        required: true
      payload:
        description: JSON payload of the call (any JSON value, at most 128 KB).
        type: raw
      connect_timeout:
        description:
          - Seconds to wait for a disconnected device to connect, from 0 to 300.
          - IoT Hub uses 0 when not set; an existing job's value is accepted when not set.
        type: int
      response_timeout:
        description:
          - Seconds to wait for the device's answer, from 5 to 300.
          - IoT Hub uses 30 when not set; an existing job's value is accepted when not set.
        type: int
  start_time:
    description:
      - When the job starts, as an ISO 8601 date and time (without a zone it means UTC), at most 168 hours (7 days)
        ahead, or V(now).
      - V(now) means "when created" and is not compared with an existing job; an explicit time is compared to the
        second.
    type: str
    default: now
  max_execution_time:
    description:
      - Seconds the job may run from its start; devices not reached by then fail. Greater than 0.
      - A new job gets 3600 when not set; an existing job's value is accepted when not set.
    type: int
  fail_on_device_failures:
    description:
      - With O(wait=true), fail when any device failed even though the job completed. The failed devices are in
        RV(device_results) either way.
    type: bool
    default: true
  queue_when_busy:
    description:
      - When the hub refuses the job because its limit of concurrent jobs is reached
        (C(ThrottlingMaxActiveJobCountExceeded); 1 on Free and S1, 5 on S2, 10 on S3, and a scheduled job holds a
        slot until it runs), try again with back-off until a slot is free, within O(wait_timeout).
      - When V(false) the module fails at once with a message saying the limit is reached.
    type: bool
    default: false
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
      - Writes nothing. Predicts the job, counts the devices its query targets (RV(targeted_devices)) and reports
        C(changed) as a real run would; never waits.
  diff_mode:
    support: full
    details:
      - Shows the job before and after; for a conflicting request, the existing and the requested job.
notes:
  - IoT Hub keeps jobs for 30 days; after that the same O(job_id) would create a new job.
  - A real hub may still report a just-cancelled job as scheduled for a moment; use O(wait=true) with O(state=absent)
    to return only when the hub reports it cancelled.
seealso:
  - module: azure_iot.jobs.iothub_scheduled_job_info
  - name: Schedule jobs on multiple devices
    description: IoT Hub jobs, their states and limits.
    link: https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-jobs
  - name: IoT Hub service REST API, jobs
    description: The REST operations this module calls.
    link: https://learn.microsoft.com/rest/api/iothub/service/jobs
"""

EXAMPLES = r"""
- name: Roll out firmware settings to the canary ring
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      connection_string: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"
  tasks:
    - name: Predict the job and count the devices it targets (writes nothing)
      azure_iot.jobs.iothub_scheduled_job:
        job_id: fw-1-2-0-canary
        query: "tags.ring = 'canary'"
        twin_patch:
          desired:
            firmware:
              version: 1.2.0
      check_mode: true
      register: prediction

    - name: Update the desired firmware of the canary ring and wait until every device is done
      azure_iot.jobs.iothub_scheduled_job:
        job_id: fw-1-2-0-canary
        query: "tags.ring = 'canary'"
        twin_patch:
          desired:
            firmware:
              version: 1.2.0
        wait: true
        wait_timeout: 900
      register: canary

    - name: Reboot the early ring tonight, queueing the job while the hub runs others
      azure_iot.jobs.iothub_scheduled_job:
        job_id: reboot-early-2025-06-01
        type: device_method
        query: "tags.ring = 'early' AND properties.reported.firmware.version = '1.2.0'"
        method:
          name: reboot
          payload:
            delay: 5
          response_timeout: 60
        start_time: "2025-06-01T23:00:00Z"
        max_execution_time: 7200
        queue_when_busy: true
        wait_timeout: 1800

    - name: Call a method on every device, wait, and report the devices that failed without failing the task
      azure_iot.jobs.iothub_scheduled_job:
        job_id: "ping-{{ lookup('ansible.builtin.pipe', 'date +%s') }}"
        query: "*"
        method:
          name: ping
        wait: true
        fail_on_device_failures: false
      register: ping

    - name: Show the failed devices
      ansible.builtin.debug:
        msg: "{{ ping.device_results | map(attribute='device_id') | list }}"

    - name: Cancel the reboot job before it starts
      azure_iot.jobs.iothub_scheduled_job:
        job_id: reboot-early-2025-06-01
        state: absent
        wait: true
"""

RETURN = r"""
job:
  description:
    - The job as IoT Hub reports it (in check mode, the predicted job); V({}) when there is no such job.
    - When the module waited, the job as of the last poll.
  returned: always
  type: dict
  contains:
    job_id:
      description: The job's id.
      type: str
      sample: fw-1-2-0-canary
    type:
      description: V(update_twin) or V(device_method) (other IoT Hub job types as the service names them).
      type: str
      sample: update_twin
    status:
      description: V(queued), V(scheduled), V(enqueued), V(running), V(completed), V(failed) or V(cancelled).
      type: str
      sample: completed
    query:
      description: The query condition of the job, V(*) for all devices.
      type: str
      sample: tags.ring = 'canary'
    start_time:
      description: When the job starts or started (ISO 8601, UTC); may be null until it starts.
      type: str
      sample: "2025-06-01T12:00:00.000Z"
    end_time:
      description: When the job ended (ISO 8601, UTC); null until then.
      type: str
      sample: "2025-06-01T12:00:41.118Z"
    created_time:
      description: When the job was created (ISO 8601, UTC); null in a check mode prediction.
      type: str
      sample: "2025-06-01T12:00:00.312Z"
    max_execution_time:
      description: Seconds the job may run.
      type: int
      sample: 3600
    twin_patch:
      description: The twin update (returned for V(update_twin) jobs).
      type: dict
      returned: when type is update_twin
      sample: {"tags": null, "desired": {"firmware": {"version": "1.2.0"}}}
      contains:
        tags:
          description: Tags merged into each twin.
          type: dict
        desired:
          description: Desired properties merged into each twin.
          type: dict
    method:
      description: The direct method call (returned for V(device_method) jobs).
      type: dict
      returned: when type is device_method
      sample: {"name": "reboot", "payload": {"delay": 5}, "connect_timeout": 0, "response_timeout": 30}
      contains:
        name:
          description: Method name.
          type: str
        payload:
          description: Method payload.
          type: raw
        connect_timeout:
          description: Seconds to wait for a device to connect.
          type: int
        response_timeout:
          description: Seconds to wait for a device's answer.
          type: int
    failure_reason:
      description: Why the job failed, as IoT Hub says.
      type: str
      sample: null
    status_message:
      description: IoT Hub's status message.
      type: str
      sample: null
    statistics:
      description: Device counts; null in a check mode prediction or when IoT Hub reports none.
      type: dict
      contains:
        device_count:
          description: Devices the job targets.
          type: int
          sample: 100
        succeeded:
          description: Devices done.
          type: int
          sample: 97
        failed:
          description: Devices that failed.
          type: int
          sample: 3
        pending:
          description: Devices not started yet.
          type: int
          sample: 0
        running:
          description: Devices in progress.
          type: int
          sample: 0
targeted_devices:
  description: How many devices the query targets now (a C(COUNT) query).
  returned: in check mode, when the job would be created
  type: int
  sample: 100
device_results:
  description:
    - The devices of the job that failed (IoT Hub C(devices.jobs) rows), all of them (paged to the end).
  returned: when O(wait=true) and the module waited for the job
  type: list
  elements: dict
  contains:
    device_id:
      description: Device id.
      type: str
      sample: sim-0042
    job_id:
      description: The job's id.
      type: str
      sample: ping-1717243200
    type:
      description: Job type.
      type: str
      sample: device_method
    status:
      description: Device status in the job (V(failed) here).
      type: str
      sample: failed
    start_time:
      description: When the device's part started.
      type: str
      sample: "2025-06-01T12:00:01.5000000Z"
    end_time:
      description: When the device's part ended.
      type: str
      sample: "2025-06-01T12:00:02.5000000Z"
    created_time:
      description: When the device's row was created.
      type: str
      sample: "2025-06-01T12:00:00.9000000Z"
    last_updated_time:
      description: When the device's row last changed.
      type: str
      sample: "2025-06-01T12:00:02.5000000Z"
    error:
      description: The error of the device (C(code), C(description)), or null.
      type: dict
      sample: {"code": "JobRunPreconditionFailed", "description": "The job did not start within specified period"}
    outcome:
      description:
        - The device's answer to a direct method (C(device_method_response) with C(status) and C(payload)), or null.
      type: dict
      sample: {"device_method_response": {"status": 500, "payload": {"error": "busy"}}}
elapsed:
  description: Seconds spent waiting (for a job slot and for the job).
  returned: when the module waited
  type: float
  sample: 41.3
status_history:
  description: Each job status seen while waiting, with the second it was first seen.
  returned: when the module waited
  type: list
  elements: dict
  sample: [{"status": "queued", "elapsed": 0.0}, {"status": "running", "elapsed": 5.0},
           {"status": "completed", "elapsed": 40.1}]
existing:
  description: On a conflicting request, the request of the existing job (same keys as RV(requested)).
  returned: when a job with this id exists with a different request (the module fails)
  type: dict
  sample: {"type": "update_twin", "query": "tags.ring = 'canary'", "start_time": null, "max_execution_time": 3600,
           "twin_patch": {"tags": null, "desired": {"firmware": {"version": "1.1.0"}}}}
requested:
  description: On a conflicting request, the request of the task (unset options take the existing job's value).
  returned: when a job with this id exists with a different request (the module fails)
  type: dict
  sample: {"type": "update_twin", "query": "tags.ring = 'canary'", "start_time": null, "max_execution_time": 3600,
           "twin_patch": {"tags": null, "desired": {"firmware": {"version": "1.2.0"}}}}
differences:
  description: The keys of RV(requested) that differ from RV(existing).
  returned: when a job with this id exists with a different request (the module fails)
  type: list
  elements: str
  sample: [twin_patch]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import (
    ARM_ARGSPEC,
    COMMON_ARGSPEC,
    IOTHUB_ARGSPEC,
    METHOD_SPEC,
    TWIN_PATCH_SPEC,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iothub_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import ScheduledJob
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import Lifecycle
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import WAIT_ARGSPEC, WaitOptions


def argument_spec():
    spec = dict(
        job_id=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        type=dict(type="str", choices=["update_twin", "device_method"]),
        query=dict(type="str"),
        twin_patch=TWIN_PATCH_SPEC,
        method=METHOD_SPEC,
        start_time=dict(type="str", default="now"),
        max_execution_time=dict(type="int"),
        fail_on_device_failures=dict(type="bool", default=True),
        queue_when_busy=dict(type="bool", default=False),
    )
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTHUB_ARGSPEC)
    spec.update(ARM_ARGSPEC)  # accepted so one group/azure_iot.jobs.iothub default serves every hub module
    spec.update(WAIT_ARGSPEC)
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), mutually_exclusive=[("twin_patch", "method")],
                           supports_check_mode=True)
    params = module.params
    try:
        # Everything that can be checked without a call is checked before the client exists.
        job = ScheduledJob.from_params(params)
        wait = WaitOptions.from_params(params)
        lifecycle = Lifecycle(iothub_client(module), job, check_mode=module.check_mode, diff=module._diff, wait=wait,
                              fail_on_device_failures=params["fail_on_device_failures"],
                              queue_when_busy=params["queue_when_busy"], warn=module.warn)
        result = lifecycle.present() if params["state"] == "present" else lifecycle.absent()
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
