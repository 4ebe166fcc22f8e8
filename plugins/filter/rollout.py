# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the iothub_rollout role: split a fleet into waves, and turn device ids into job queries that fit."""

from __future__ import annotations

import json
import math
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.module_utils import _rollout
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import MAX_CONDITION_LENGTH
from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout import JOB_ID_MAX, device_id_condition, part_id
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._filter_args import to_float, to_int, to_list

# The longest suffix the role adds is "-wave-99-retry-9-part-99" (24): with up to 99 waves of up to 99 jobs each,
# every id derived from a name of 40 characters fits; past that, rollout_waves and device_id_jobs check the ids they
# make.
NAME_MAX = 40
# The longest suffix a wave's id gets in the role: its last retry (iothub_rollout_retries is at most 9).
LAST_RETRY = "-retry-9"
_NAME = re.compile(r"^[A-Za-z0-9-]+$")


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


def _check_name(name):
    if not isinstance(name, str) or not name or len(name) > NAME_MAX or not _NAME.match(name):
        raise AnsibleFilterError("rollout_waves: name must be 1 to %d US-ASCII letters, digits and '-' (job ids "
                                 "are derived from it), got %r" % (NAME_MAX, name))


def _check_percentages(waves):
    if not waves:
        raise AnsibleFilterError("rollout_waves: waves must hold at least one cumulative percentage, such as [100]")
    previous = 0
    for value in waves:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not previous < value <= 100:
            raise AnsibleFilterError("rollout_waves: waves must be cumulative percentages that grow from above 0 up "
                                     "to 100, such as [10, 50, 100]; got %r" % (list(waves),))
        previous = value
    if previous != 100:
        raise AnsibleFilterError("rollout_waves: the last of waves must be 100 so that every device is reached; got "
                                 "%r" % (list(waves),))


def _number(option, value, kind):
    """An argument as int or float, whatever the templating gave: before ansible-core 2.19 a templated
    "{{ x | int }}" inside a vars dict reaches the filter as the string "5", so a filter converts its own arguments."""
    if isinstance(value, bool):
        raise AnsibleFilterError("rollout_waves: %s must be a number, got %r" % (option, value))
    if value is None or (isinstance(value, str) and not value.strip()):
        return kind(0)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError("rollout_waves: %s must be a number, got %r" % (option, value)) from None
    if kind is int:
        if number != int(number):
            raise AnsibleFilterError("rollout_waves: %s must be a whole number, got %r" % (option, value))
        return int(number)
    return int(number) if number == int(number) else number


def _percentages(waves):
    """waves as a list of numbers: a list of numbers or numeric strings, or a string holding a JSON list."""
    if waves is None:
        return [100]
    if isinstance(waves, str):
        try:
            waves = json.loads(waves)
        except ValueError:
            raise AnsibleFilterError("rollout_waves: waves must be a list of cumulative percentages, such as "
                                     "[10, 50, 100]; got %r" % (waves,)) from None
    if isinstance(waves, (str, dict)) or not hasattr(waves, "__iter__"):
        raise AnsibleFilterError("rollout_waves: waves must be a list of cumulative percentages, such as "
                                 "[10, 50, 100]; got %r" % (waves,))
    converted = []
    for value in waves:
        try:
            converted.append(_number("waves", value, float))
        except AnsibleFilterError:
            raise AnsibleFilterError("rollout_waves: waves must be cumulative percentages that grow from above 0 "
                                     "up to 100, such as [10, 50, 100]; got %r" % (list(waves),)) from None
    return converted


def _share(count, percentage):
    return int(math.ceil(count * percentage / 100.0 - 1e-9))


def _canary(fleet, canary_ids, canary_count, canary_percentage):
    if canary_ids:
        chosen = set(canary_ids)
        return [device for device in fleet if device in chosen]
    if canary_count:
        return fleet[:canary_count]
    if canary_percentage:
        return fleet[:max(1, _share(len(fleet), canary_percentage))] if fleet else []
    return []


def _chunks(devices, waves, wave_size):
    if wave_size:
        return [devices[start:start + wave_size] for start in range(0, len(devices), wave_size)]
    bounds = [0] + [_share(len(devices), percentage) for percentage in waves]
    return [devices[bounds[index]:bounds[index + 1]] for index in range(len(waves))]


def _number(value):
    """A percentage as given, a string converted (templated values may stay strings before ansible-core 2.19)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _check_derived_ids(wave_name, jobs):
    """Every id the role derives from a wave fits: its jobs', and its last retry's over as many jobs."""
    longest = part_id(jobs[0]["job_id"] + LAST_RETRY, len(jobs))
    if len(longest) > JOB_ID_MAX:
        raise AnsibleFilterError("rollout_waves: %s needs %d jobs, and the id of its last retry's last job, %r, would "
                                 "have %d characters; IoT Hub takes at most %d: use a shorter name, or fewer waves"
                                 % (wave_name, len(jobs), longest, len(longest), JOB_ID_MAX))


def rollout_waves(device_ids, name, canary_ids=None, canary_count=0, canary_percentage=0, waves=None, wave_size=0):
    """Split the sorted device ids into a canary wave and the following waves.

    Each wave is {"name", "job_id", "device_ids", "query", "jobs"}; empty waves are left out. "query" selects all the
    wave's devices; "jobs" (device_id_jobs) are the jobs the wave runs, one after the other, each with a query IoT Hub
    takes: one job (with the wave's job_id and query) unless the wave's devices do not fit in one condition. The split
    depends only on the ids, so the same fleet gives the same waves, the same job ids and the same queries on every
    run.
    """
    _check_name(name)
    device_ids = to_list(device_ids, "rollout_waves", "the device ids")
    canary_ids = to_list(canary_ids, "rollout_waves", "canary_ids")
    canary_count = to_int(canary_count, "rollout_waves", "canary_count")
    canary_percentage = to_float(canary_percentage, "rollout_waves", "canary_percentage")
    wave_size = to_int(wave_size, "rollout_waves", "wave_size")
    waves = [100] if waves is None else [_number(value) for value in to_list(waves, "rollout_waves", "waves")]
    if not wave_size:
        _check_percentages(waves)
    if wave_size < 0 or canary_count < 0 or not 0 <= canary_percentage <= 100:
        raise AnsibleFilterError("rollout_waves: wave_size and canary_count must be 0 or more, canary_percentage "
                                 "between 0 and 100")
    fleet = sorted(set(device_ids or ()))
    canary = _canary(fleet, canary_ids, canary_count, canary_percentage)
    in_canary = set(canary)
    rest = [device for device in fleet if device not in in_canary]
    planned = [("canary", "%s-canary" % name, canary)]
    planned += [("wave-%d" % number, "%s-wave-%d" % (name, number), chunk)
                for number, chunk in enumerate(_chunks(rest, waves, wave_size), start=1)]
    plan = []
    for wave_name, job_id, devices in planned:
        if devices:
            jobs = device_id_jobs(devices, job_id)
            _check_derived_ids(wave_name, jobs)
            plan.append({"name": wave_name, "job_id": job_id, "device_ids": devices,
                         "query": device_id_query(devices), "jobs": jobs})
    return plan


class FilterModule(object):
    def filters(self):
        return {"rollout_waves": rollout_waves, "device_id_query": device_id_query, "device_id_jobs": device_id_jobs}
