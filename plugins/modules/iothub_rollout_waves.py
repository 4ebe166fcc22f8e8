#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iothub_rollout_waves
short_description: Roll a twin update or a direct method out across an IoT Hub in waves, in one task
version_added: 1.0.0
description:
  - Lists the devices O(target_query) selects, splits them into a canary wave and the following waves (as
    P(azure_iot.jobs.rollout_waves#filter) splits them), and runs the waves one after the other, each as
    M(azure_iot.jobs.iothub_rollout_wave) runs one (its jobs, retries, failure threshold and revert), until a wave
    fails more than O(failure_threshold) allows. The P(azure_iot.jobs.iothub_rollout#role) role runs its rollout
    with this module.
  - One task for the whole rollout, so a wave costs its jobs and their requests, not a task and a module start of its
    own. While it waits, the module's action plugin shows the job that runs and each wave that ends on the
    controller.
  - The waves are the devices of the first listing; a rollout that is waited for in several runs of the module
    (the action plugin's progress slices) does not list again.
  - Every job id derives from O(name) (V(<name>-canary), V(<name>-wave-<n>), with the suffixes of
    M(azure_iot.jobs.iothub_rollout_wave)), so running the task again changes nothing after a success and, after a
    stop, goes on at the wave that stopped it (with a higher O(retries), retrying its failed devices).
  - The task fails when a job itself fails, is cancelled or does not end within O(wait_timeout); device failures do
    not fail it. Whether the rollout stopped is in RV(rollout.stopped).
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  name:
    description:
      - The rollout's name, 1 to 40 US-ASCII letters, digits and V(-); job ids are derived from it (IoT Hub refuses
        upper case in a new job's id, so use lower case).
    type: str
    required: true
  target_query:
    description: The job query condition of the devices the rollout targets; V(*) for every device.
    type: str
    default: "*"
  canary_query:
    description: The canary devices, a job query condition within the target. Takes precedence over O(canary_count)
      and O(canary_percentage).
    type: str
  canary_count:
    description: The canary wave takes this many devices (the first by id) when O(canary_query) is not set.
    type: int
    default: 0
  canary_percentage:
    description: The canary wave takes this share of the target, in percent (at least one device), when neither
      O(canary_query) nor O(canary_count) is set. V(0) means no canary.
    type: float
    default: 0
  waves:
    description: The waves after the canary, as cumulative percentages of the remaining devices growing up to
      V(100), at most 99 of them.
    type: list
    elements: float
    default: [100]
  wave_size:
    description: Devices per wave instead of O(waves); V(0) uses the percentages.
    type: int
    default: 0
  resume:
    description:
      - Set by the module's action plugin between its progress slices; not for playbooks. The waves the first run
        listed and the records of the waves that ended.
    type: dict
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
      - Lists the devices (read only), writes nothing and never waits. Every wave is predicted as
        M(azure_iot.jobs.iothub_rollout_wave) predicts one (its record in RV(rollout.waves) has C(status=planned)).
  diff_mode:
    support: full
    details:
      - Shows the devices of each wave.
notes:
  - The requests are the listing (a paged C(SELECT deviceId FROM devices) query, and one for O(canary_query)), then
    each wave's, as M(azure_iot.jobs.iothub_rollout_wave) documents them.
seealso:
  - module: azure_iot.jobs.iothub_rollout_wave
  - module: azure_iot.jobs.iothub_scheduled_job
"""

EXAMPLES = r"""
- name: Roll a firmware version out to the thermostats
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      connection_string: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"
  tasks:
    - name: A canary of 5 %, then a quarter, half and the rest; stop and revert above 5 % failed devices
      azure_iot.jobs.iothub_rollout_waves:
        name: fw-1-2-0
        target_query: "tags.kind = 'thermostat'"
        canary_percentage: 5
        waves: [25, 50, 100]
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
      register: rollout

    - name: Show how far it went
      ansible.builtin.debug:
        msg: "{{ rollout.rollout.devices_succeeded }} of {{ rollout.rollout.devices_in_scope }} devices updated"
"""

RETURN = r"""
rollout:
  description:
    - The rollout's summary, as the P(azure_iot.jobs.iothub_rollout#role) role sets C(iothub_rollout_result).
  returned: success
  type: dict
  contains:
    name:
      description: O(name).
      type: str
      sample: fw-1-2-0
    waves:
      description: The record of each wave that ran (or, in check mode, was planned), as
        M(azure_iot.jobs.iothub_rollout_wave) returns RV(azure_iot.jobs.iothub_rollout_wave#module:wave).
      type: list
      elements: dict
    waves_planned:
      description: How many waves the devices make.
      type: int
      sample: 4
    devices_in_scope:
      description: The devices O(target_query) selected.
      type: int
      sample: 1000
    devices_targeted:
      description: The devices of the waves that ran.
      type: int
      sample: 1000
    devices_succeeded:
      description: The devices of the waves that ran whose last job succeeded.
      type: int
      sample: 998
    devices_failed:
      description: The devices of the waves that ran that still failed after the retries.
      type: int
      sample: 2
    stopped:
      description: Whether a wave failed more than O(failure_threshold) allows and stopped the rollout.
      type: bool
      sample: false
    stopped_reason:
      description: Why the rollout stopped; null when it did not.
      type: str
      sample: null
    completed:
      description: Whether every wave ran and none stopped the rollout (false in check mode).
      type: bool
      sample: true
    planned:
      description: Whether this was check mode (the waves are predictions).
      type: bool
      sample: false
  sample: {"name": "fw-1-2-0", "waves_planned": 4, "devices_in_scope": 1000, "devices_targeted": 1000,
           "devices_succeeded": 998, "devices_failed": 2, "stopped": false, "stopped_reason": null,
           "completed": true, "planned": false, "waves": []}
jobs:
  description: Every job of the rollout that this task created, found or predicted, in the order they ran, as
    M(azure_iot.jobs.iothub_rollout_wave) returns RV(azure_iot.jobs.iothub_rollout_wave#module:jobs).
  returned: always
  type: list
  elements: dict
  sample: [{"job_id": "fw-1-2-0-canary", "step": "wave", "changed": true, "status": "completed",
            "device_count": 50, "elapsed": 12.4, "statistics": null}]
in_progress:
  description: The progress slice (O(progress_interval)) ended while a job still ran; the task runs the module again.
  returned: when the progress slice ended first
  type: bool
  sample: true
job:
  description: The job that still runs, as M(azure_iot.jobs.iothub_scheduled_job) returns it.
  returned: when RV(in_progress) is true
  type: dict
  sample: {"job_id": "fw-1-2-0-wave-1", "status": "running"}
wave:
  description: The name of the wave whose job still runs.
  returned: when RV(in_progress) is true
  type: str
  sample: wave-1
waited:
  description: Seconds this task has waited for each job so far (job id to seconds), for the next run.
  returned: when RV(in_progress) is true
  type: dict
  sample: {"fw-1-2-0-wave-1": 15.0}
resume:
  description: What the next run needs (O(resume)).
  returned: when RV(in_progress) is true
  type: dict
  sample: {"waves": [], "devices_in_scope": 1000, "done": []}
waves:
  description: The records of the waves that ended before the task failed.
  returned: failure
  type: list
  elements: dict
  sample: []
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import ROLLOUT_MODULE_KWARGS, rollout_argument_spec
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iothub_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub_rollout_waves import RolloutPlan, RolloutRun


def argument_spec():
    return rollout_argument_spec(
        name=dict(type="str", required=True),
        target_query=dict(type="str", default="*"),
        canary_query=dict(type="str"),
        canary_count=dict(type="int", default=0),
        canary_percentage=dict(type="float", default=0),
        waves=dict(type="list", elements="float", default=[100]),
        wave_size=dict(type="int", default=0),
        resume=dict(type="dict"),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), **ROLLOUT_MODULE_KWARGS)
    try:
        # Every option, and every job a wave may create, is checked before the client exists.
        plan = RolloutPlan(module.params, check_mode=module.check_mode)
        result = RolloutRun(iothub_client(module), plan, check_mode=module.check_mode, diff=module._diff,
                            warn=module.warn).run()
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    module.exit_json(**result)


if __name__ == "__main__":
    main()
