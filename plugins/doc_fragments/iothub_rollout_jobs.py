# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The options of a rollout's jobs that iothub_rollout_wave and iothub_rollout_waves share (_iothub_wave.WavePlan).
    DOCUMENTATION = r"""
options:
  twin_patch:
    description:
      - The twin update of each job, as O(azure_iot.jobs.iothub_scheduled_job#module:twin_patch). Set this or
        O(method).
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
      - The direct method each job calls, as O(azure_iot.jobs.iothub_scheduled_job#module:method). Set this or
        O(twin_patch).
    type: dict
    suboptions:
      name:
        description: Name of the direct method.
        type: str
        required: true
      payload:
        description: JSON payload of the call.
        type: raw
      connect_timeout:
        description: Seconds to wait for a disconnected device to connect, from 0 to 300.
        type: int
      response_timeout:
        description: Seconds to wait for the device's answer, from 5 to 300.
        type: int
  revert_patch:
    description:
      - A twin update applied to every device of the wave when the wave stops the rollout, for example the previous
        firmware version. Needs O(twin_patch). Not set, no revert.
    type: dict
    suboptions:
      tags:
        description: Tags to merge into each twin.
        type: dict
      desired:
        description: Desired properties to merge into each twin.
        type: dict
  retries:
    description: Retry jobs over the devices still failing, from 0 to 9, before the threshold is checked.
    type: int
    default: 0
  failure_threshold:
    description: The wave stops the rollout when its failed devices, after retries, are more than this share of it,
      in percent (0 to 100).
    type: float
    default: 10
  concurrent_jobs:
    description:
      - How many of the wave's jobs (and of its retry and revert jobs) run at once, from 1 to 10. The module creates
        up to this many, waits for them in order, then creates the next ones.
      - IoT Hub runs at most 1 job at a time on the Free and S1 tiers, 5 on S2 and 10 on S3, counting jobs other
        tasks started. When the hub refuses a create because of that limit while jobs of the wave still run, the
        module waits for them and creates the job again; when none of the wave's jobs runs, the task fails as with
        V(1).
      - The jobs share the hub's device-operation rate (per hub, not per job), so running them at once does not
        make them faster; it saves the wait between one job's end and the next one's creation.
    type: int
    default: 1
  max_execution_time:
    description: Seconds each job may run on the hub. A new job gets 3600 when not set.
    type: int
  wait_timeout:
    description: Seconds each job may take to end, from its creation; the task fails after that.
    type: int
    default: 1800
  wait_sleep:
    description: Seconds between two polls of a job.
    type: int
    default: 5
  progress_interval:
    description:
      - Set by the module's action plugin, which shows the progress of the job being waited for on the controller.
      - When more than 0, the module returns after waiting about this many seconds for a job that has not ended, with
        RV(in_progress=true), that job and RV(waited); the same task run again goes on where it stopped (every job is
        found by its id). V(0) waits for the whole wave.
    type: int
    default: 0
  waited:
    description:
      - Set by the module's action plugin. Seconds earlier runs of the task waited for each job (job id to seconds),
        so that O(wait_timeout) counts from the first run.
    type: dict
    default: {}
"""
