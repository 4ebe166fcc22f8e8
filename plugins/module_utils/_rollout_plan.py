# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""The waves of an IoT Hub rollout: a fleet of device ids split into a canary wave and the following waves, shared by
the rollout_waves filter and the iothub_rollout_waves module. Pure functions; a bad argument raises ValueError with a
message the caller prefixes with its own name.
"""

from __future__ import annotations

import math
import re

from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout import (
    JOB_ID_MAX,
    device_id_condition,
    device_id_jobs,
    part_id,
)

# The longest suffix a rollout adds is "-wave-99-retry-9-part-99" (24): with up to 99 waves of up to 99 jobs each,
# every id derived from a name of 40 characters fits; past that, plan_waves checks the ids it makes.
NAME_MAX = 40
# The longest suffix a wave's id gets: its last retry (a rollout retries at most 9 times).
LAST_RETRY = "-retry-9"
_NAME = re.compile(r"^[A-Za-z0-9-]+$")


def check_name(name):
    if not isinstance(name, str) or not name or len(name) > NAME_MAX or not _NAME.match(name):
        raise ValueError("name must be 1 to %d US-ASCII letters, digits and '-' (job ids are derived from it), got %r"
                         % (NAME_MAX, name))


def check_percentages(waves):
    if not waves:
        raise ValueError("waves must hold at least one cumulative percentage, such as [100]")
    previous = 0
    for value in waves:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not previous < value <= 100:
            raise ValueError("waves must be cumulative percentages that grow from above 0 up to 100, such as "
                             "[10, 50, 100]; got %r" % (list(waves),))
        previous = value
    if previous != 100:
        raise ValueError("the last of waves must be 100 so that every device is reached; got %r" % (list(waves),))


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


def _check_derived_ids(wave_name, jobs):
    """Every id a rollout derives from a wave fits: its jobs', and its last retry's over as many jobs."""
    longest = part_id(jobs[0]["job_id"] + LAST_RETRY, len(jobs))
    if len(longest) > JOB_ID_MAX:
        raise ValueError("%s needs %d jobs, and the id of its last retry's last job, %r, would have %d characters; "
                         "IoT Hub takes at most %d: use a shorter name, or fewer waves"
                         % (wave_name, len(jobs), longest, len(longest), JOB_ID_MAX))


def check_plan_options(name, canary_count=0, canary_percentage=0, waves=None, wave_size=0):
    """The checks of plan_waves that need no device: run before any call."""
    check_name(name)
    if not wave_size:
        check_percentages([100] if waves is None else waves)
    if wave_size < 0 or canary_count < 0 or not 0 <= canary_percentage <= 100:
        raise ValueError("wave_size and canary_count must be 0 or more, canary_percentage between 0 and 100")


def plan_waves(device_ids, name, canary_ids=None, canary_count=0, canary_percentage=0, waves=None, wave_size=0):
    """Split the sorted device ids into a canary wave and the following waves.

    Each wave is {"name", "job_id", "device_ids", "query", "jobs"}; empty waves are left out. "query" selects all the
    wave's devices; "jobs" (device_id_jobs) are the jobs the wave runs, each with a query IoT Hub takes: one job (with
    the wave's job_id and query) unless the wave's devices do not fit in one condition. The split depends only on the
    ids, so the same fleet gives the same waves, the same job ids and the same queries on every run.
    """
    waves = [100] if waves is None else waves
    check_plan_options(name, canary_count, canary_percentage, waves, wave_size)
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
                         "query": device_id_condition(devices), "jobs": jobs})
    return plan
