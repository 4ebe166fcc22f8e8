# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the iothub_rollout role: split a fleet into waves, and turn device ids into job queries that fit."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.module_utils import _rollout
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import MAX_CONDITION_LENGTH
from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout import device_id_condition
from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout_plan import plan_waves
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._filter_args import to_float, to_int, to_list


def device_id_query(device_ids):
    """The job query condition that selects exactly these devices: deviceId IN ['a', 'b']."""
    device_ids = to_list(device_ids, "device_id_query", "the device ids")
    if not device_ids:
        raise AnsibleFilterError("device_id_query: the list of device ids is empty; a job needs at least one device")
    return device_id_condition(device_ids)


def device_id_jobs(device_ids, job_id, max_length=MAX_CONDITION_LENGTH):
    """The jobs that together select exactly these devices, each with a condition IoT Hub takes.

    [{"job_id", "device_ids", "query"}, ...]: consecutive runs of the ids in the order given, each query at most
    max_length characters (by default the most the collection's modules accept, under the hub's limit of about 8,200
    characters). The first job's id is job_id, the next ones job_id-part-2, job_id-part-3, ...; the same ids give the
    same jobs on every run.
    """
    device_ids = to_list(device_ids, "device_id_jobs", "the device ids")
    max_length = to_int(max_length, "device_id_jobs", "max_length")
    try:
        return _rollout.device_id_jobs(device_ids, job_id, max_length)
    except ValueError as err:
        raise AnsibleFilterError("device_id_jobs: %s" % err) from None


def _number(value):
    """A percentage as given, a string converted (templated values may stay strings before ansible-core 2.19)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def rollout_waves(device_ids, name, canary_ids=None, canary_count=0, canary_percentage=0, waves=None, wave_size=0):
    """Split the sorted device ids into a canary wave and the following waves.

    Each wave is {"name", "job_id", "device_ids", "query", "jobs"}; empty waves are left out. "query" selects all the
    wave's devices; "jobs" (device_id_jobs) are the jobs the wave runs, one after the other, each with a query IoT Hub
    takes: one job (with the wave's job_id and query) unless the wave's devices do not fit in one condition. The split
    depends only on the ids, so the same fleet gives the same waves, the same job ids and the same queries on every
    run.
    """
    device_ids = to_list(device_ids, "rollout_waves", "the device ids")
    canary_ids = to_list(canary_ids, "rollout_waves", "canary_ids")
    canary_count = to_int(canary_count, "rollout_waves", "canary_count")
    canary_percentage = to_float(canary_percentage, "rollout_waves", "canary_percentage")
    wave_size = to_int(wave_size, "rollout_waves", "wave_size")
    waves = None if waves is None else [_number(value) for value in to_list(waves, "rollout_waves", "waves")]
    try:
        return plan_waves(device_ids, name, canary_ids, canary_count, canary_percentage, waves, wave_size)
    except ValueError as err:
        raise AnsibleFilterError("rollout_waves: %s" % err) from None


class FilterModule(object):
    def filters(self):
        return {"rollout_waves": rollout_waves, "device_id_query": device_id_query, "device_id_jobs": device_id_jobs}
