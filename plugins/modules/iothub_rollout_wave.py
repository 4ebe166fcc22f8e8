#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iothub_rollout_wave
short_description: Run one wave of an IoT Hub rollout (its jobs, retries, failure threshold and revert) in one task
version_added: 1.0.0
description:
  - Runs one wave of a staged rollout over the devices O(device_ids), in one task, as the
    P(azure_iot.jobs.iothub_rollout#role) role does for each wave.
  - Creates the wave's scheduled jobs (a twin update O(twin_patch) or a direct method O(method)) and waits for each.
    A wave whose devices fit in one C(deviceId IN [...]) condition runs as that one job.
  - IoT Hub refuses a query of more than about 8,200 characters. A larger wave runs as one job over a device id range,
    C(deviceId >= 'first' AND deviceId <= 'last') (its least and greatest id), followed by
    C(AND NOT (deviceId IN [...])) with the devices of that range that are not in the wave (canaries, devices of
    other waves, devices the rollout's query left out), when two checks pass. Before creating it, the module lists the
    range (C(SELECT deviceId FROM devices WHERE <range>), pages of up to 1,000 ids); every device of the wave must be
    listed (so the hub orders ids as the module does) and the exclusions must fit in the query. Otherwise (or when the
    hub refuses the listing with 400) the devices are cut into jobs whose C(deviceId IN [...]) conditions fit (as
    P(azure_iot.jobs.device_id_jobs#filter) cuts them); they run one after the other, each waited for before the next
    is created (Free and S1 hubs run one job at a time), or O(concurrent_jobs) at a time.
  - Reads the devices that failed, runs up to O(retries) retry jobs over the devices still failing, then compares the
    share of failed devices with O(failure_threshold). Above it the wave stops the rollout (RV(stopped_reason)) and,
    when O(revert_patch) is set, a revert job applies it to every device of the wave.
  - Job ids derive from O(job_id) (V(<job_id>), V(<job_id>-part-2), ..., V(<job_id>-retry-<k>),
    V(<job_id>-revert)), so running the task again finds every job and changes nothing; with a higher O(retries) it
    retries the devices that failed. Each job goes through the same create and compare logic as
    M(azure_iot.jobs.iothub_scheduled_job), so it is created exactly once, and a job with the same id and another
    request fails the task.
  - The job V(<job_id>) decides what a rerun does; a range job of the wave's least and greatest id is kept as it is (no
    new listing), any other job means the C(deviceId IN [...]) jobs. Retries (over few devices) are always
    C(deviceId IN [...]) jobs; the revert of a range wave is one job V(<job_id>-revert) over the same condition.
  - Device failures do not fail the task; the wave's record says how many failed and whether the rollout stops.
    The task fails when a job itself fails, is cancelled or does not end within O(wait_timeout).
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  name:
    description: The wave's name in its record and in the stop reason, for example V(canary) or V(wave-2).
    type: str
    required: true
  job_id:
    description:
      - The id of the wave's first job; the others derive from it. Lower-case US-ASCII letters, digits and V(-),
        short enough that V(<job_id>-retry-<retries>-part-<n>) has at most 64 characters.
    type: str
    required: true
  device_ids:
    description:
      - The devices of the wave, each once.
      - When their C(deviceId IN [...]) condition is too long for one query, the wave's job selects them by the range
        from the least to the greatest id, less the other devices the hub lists in that range (see the description).
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - azure_iot.jobs.iothub_rollout_jobs
  - azure_iot.jobs.connection
  - azure_iot.jobs.iothub_auth
  - azure_iot.jobs.arm_auth
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.action_group_iothub
attributes:
  check_mode:
    support: full
    details:
      - Writes nothing and never waits. Predicts the wave's jobs (lists the device id range as a real run does, so it
        plans the same range or C(deviceId IN [...]) jobs), counts the devices each new job's query targets
        (C(SELECT COUNT())) and returns the planned record (RV(wave.status=planned)); no retry or revert is planned.
  diff_mode:
    support: full
    details:
      - Lists the wave's jobs with their queries and the wave's devices.
notes:
  - The requests of one wave of new jobs are, per job, a GET, a PUT and the polls until it ends; the failed devices are
    read (a devices.jobs query) only from jobs whose statistics count some. Unlike
    M(azure_iot.jobs.iothub_scheduled_job), a real run does not count the devices of a job's query before creating
    it, since the module builds the C(deviceId IN [...]) conditions itself.
  - A wave too large for one C(deviceId IN [...]) condition first reads its first job (the same GET serves the job's
    lookup) and, when it does not exist yet, lists its device id range; a range job then costs one PUT and its polls.
  - A range job accepts a race, a device registered inside the range between the listing and the job's start is
    included in the wave's job, and in its revert. Register devices outside the id ranges of a
    running rollout when that matters.
seealso:
  - module: azure_iot.jobs.iothub_scheduled_job
"""

EXAMPLES = r"""
- name: Roll a firmware version out to one wave of devices
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      connection_string: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"
  tasks:
    - name: Update the desired firmware of the canary devices, retry failures once, revert above 5 % failed
      azure_iot.jobs.iothub_rollout_wave:
        name: canary
        job_id: fw-1-2-0-canary
        device_ids: [thermostat-001, thermostat-002, thermostat-003]
        twin_patch:
          desired:
            firmware:
              version: 1.2.0
        revert_patch:
          desired:
            firmware:
              version: 1.1.0
        retries: 1
        failure_threshold: 5
        wait_sleep: 2
      register: canary

    - name: Stop when the canary failed too often
      ansible.builtin.fail:
        msg: "{{ canary.stopped_reason }}"
      when: canary.stopped_reason | length > 0
"""

RETURN = r"""
wave:
  description:
    - The wave's record, the same keys as an item of the role's C(iothub_rollout_result.waves).
  returned: success
  type: dict
  contains:
    name:
      description: The wave's name.
      type: str
      sample: canary
    job_id:
      description: The id of the wave's first job.
      type: str
      sample: fw-1-2-0-canary
    job_ids:
      description: The ids of the wave's jobs (without retries and revert); one for a wave that runs as a range job.
      type: list
      elements: str
      sample: [fw-1-2-0-canary]
    targeted:
      description: The wave's devices.
      type: int
      sample: 3
    succeeded:
      description: The devices that did not fail (0 in check mode).
      type: int
      sample: 3
    failed:
      description: The devices still failing after the retries.
      type: int
      sample: 0
    failure_rate:
      description: The share of failed devices, in percent, one decimal.
      type: float
      sample: 0.0
    retries:
      description: How many retry jobs ran.
      type: int
      sample: 0
    failed_devices:
      description: The ids of the devices still failing.
      type: list
      elements: str
      sample: []
    reverted:
      description: Whether the revert patch was applied (the wave stopped the rollout and O(revert_patch) is set).
      type: bool
      sample: false
    status:
      description: V(completed), V(stopped), or V(planned) in check mode.
      type: str
      sample: completed
    targeted_devices:
      description: In check mode, the devices the jobs' queries target now (counted by the hub).
      type: int
      returned: check mode
      sample: 3
stopped_reason:
  description: Why the wave stops the rollout; empty when it does not.
  returned: success
  type: str
  sample: "canary: 2 of 3 devices failed (66.7%), more than the threshold of 5%"
planned:
  description: Whether the wave was only planned (check mode).
  returned: success
  type: bool
  sample: false
in_progress:
  description: With O(progress_interval), true when the module returned while a job still ran; the wave is not done.
  returned: when a job still runs at the end of O(progress_interval)
  type: bool
  sample: true
job:
  description: The job that still runs, as M(azure_iot.jobs.iothub_scheduled_job) returns it.
  returned: when RV(in_progress) is true
  type: dict
  sample: {"job_id": "fw-1-2-0-wave-1", "status": "running"}
waited:
  description: Seconds this task has waited for each job so far (job id to seconds), for the next run.
  returned: when RV(in_progress) is true
  type: dict
  sample: {"fw-1-2-0-wave-1": 15.0}
jobs:
  description: Every job of the wave that this task created, found or predicted, in the order they ran.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: The job's id.
      type: str
      sample: fw-1-2-0-canary
    step:
      description: V(wave), V(retry) or V(revert).
      type: str
      sample: wave
    changed:
      description: Whether this task created the job.
      type: bool
      sample: true
    status:
      description: The job's status (V(queued) for a predicted job).
      type: str
      sample: completed
    statistics:
      description: The job's device counts as IoT Hub reports them (C(device_count), C(succeeded), C(failed),
        C(pending), C(running)); null when the hub gave none.
      type: dict
      sample: {"device_count": 3, "succeeded": 3, "failed": 0, "pending": 0, "running": 0}
    device_count:
      description: The devices the job targets (in check mode, as counted for a new job).
      type: int
      sample: 3
    elapsed:
      description: Seconds the task waited for the job to end; null in check mode.
      type: float
      sample: 12.4
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import ROLLOUT_MODULE_KWARGS, rollout_argument_spec
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iothub_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub_wave import WavePlan, WaveRun


def argument_spec():
    return rollout_argument_spec(
        name=dict(type="str", required=True),
        job_id=dict(type="str", required=True),
        device_ids=dict(type="list", elements="str", required=True),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), **ROLLOUT_MODULE_KWARGS)
    try:
        # Every job the wave may create is built, and so checked, before the client exists.
        plan = WavePlan(module.params, check_mode=module.check_mode)
        result = WaveRun(iothub_client(module), plan, check_mode=module.check_mode, diff=module._diff,
                         warn=module.warn).run()
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
