# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""The arithmetic of an IoT Hub rollout wave, shared by the role's filters and the iothub_rollout_wave module: device
ids cut into job queries that fit, the failure rate, the stop reason and the wave's record. Pure functions; a bad
argument raises ValueError with a message the caller prefixes with its own name.
"""

from __future__ import annotations

from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import MAX_CONDITION_LENGTH

# An IoT Hub job id has at most 64 characters.
JOB_ID_MAX = 64
_EMPTY_IN = "deviceId IN []"


def quoted(device_id):
    return "'%s'" % str(device_id).replace("'", "''")


def device_id_condition(device_ids):
    """deviceId IN ['a', 'b']: the condition that selects exactly these devices."""
    return "deviceId IN [%s]" % ", ".join(quoted(device_id) for device_id in device_ids)


def device_id_range(device_ids):
    """deviceId >= 'lo' AND deviceId <= 'hi': every device whose id sorts between the least and the greatest of these.
    IoT Hub queries compare strings with < > <= >= (contract.md 2.7: devices.jobs.createdTimeUtc > '2016-09-01'; the
    emulator too, emulator/query/evaluate.py); whether its order is ours is checked by listing the range."""
    return "deviceId >= %s AND deviceId <= %s" % (quoted(min(device_ids)), quoted(max(device_ids)))


def range_condition(device_ids, excluded=()):
    """The range of these ids, less the devices `excluded` (ids the range holds that are not among them)."""
    condition = device_id_range(device_ids)
    if excluded:
        condition += " AND NOT (%s)" % device_id_condition(excluded)
    return condition


def is_range_of(condition, device_ids):
    """Whether a condition (as normalize_query reads it back) is a range_condition of these ids, any exclusions."""
    base = device_id_range(device_ids)
    return condition == base or (condition.startswith(base + " AND NOT (deviceId IN [") and condition.endswith("])"))


def part_id(job_id, number):
    """The first part keeps the job id itself (what one job over the devices always had), the others add -part-<n>."""
    return job_id if number == 1 else "%s-part-%d" % (job_id, number)


def _split(device_ids, max_length):
    """The ids in order, cut into consecutive runs whose deviceId IN [...] conditions have at most max_length
    characters each."""
    runs, current, length = [], [], len(_EMPTY_IN)
    for device_id in device_ids:
        size = len(quoted(device_id))
        if current and length + 2 + size > max_length:
            runs.append(current)
            current, length = [], len(_EMPTY_IN)
        if length + size > max_length:
            raise ValueError("the device id %r alone makes a condition of %d characters, more than max_length (%d)"
                             % (device_id, len(_EMPTY_IN) + size, max_length))
        length += size + (2 if current else 0)
        current.append(device_id)
    if current:
        runs.append(current)
    return runs


def device_id_jobs(device_ids, job_id, max_length=MAX_CONDITION_LENGTH):
    """[{"job_id", "device_ids", "query"}, ...]: the jobs that together select exactly these devices, each query at
    most max_length characters; job_id, then job_id-part-2, ... The same ids give the same jobs on every run."""
    if not device_ids:
        raise ValueError("the list of device ids is empty; a job needs at least one device")
    if not isinstance(job_id, str) or not job_id:
        raise ValueError("job_id must be a non-empty string, got %r" % (job_id,))
    if not len(_EMPTY_IN) < max_length <= MAX_CONDITION_LENGTH:
        raise ValueError("max_length must be from %d to %d characters (the longest condition the modules accept), "
                         "got %d" % (len(_EMPTY_IN) + 1, MAX_CONDITION_LENGTH, max_length))
    runs = _split(device_ids, max_length)
    last = part_id(job_id, len(runs))
    if len(last) > JOB_ID_MAX:
        raise ValueError("%d devices need %d jobs, and the id of the last, %r, has %d characters; IoT Hub takes at "
                         "most %d: use a shorter job id" % (len(device_ids), len(runs), last, len(last), JOB_ID_MAX))
    return [{"job_id": part_id(job_id, number), "device_ids": run, "query": device_id_condition(run)}
            for number, run in enumerate(runs, start=1)]


def failure_percent(failed, targeted):
    """failed * 100 / targeted, unrounded; 0.0 when nothing was targeted (a job over an empty group)."""
    return failed * 100.0 / max(targeted, 1)


def failure_rate(failed, targeted):
    """The share of the targeted devices that failed, in percent, rounded to one decimal."""
    return round(failure_percent(failed, targeted), 1)


def stop_reason(name, targeted, failed, threshold, threshold_text=None):
    """'' when failed devices are at most threshold percent of the targeted ones, else why the rollout stops
    (the threshold shown as threshold_text, as the user wrote it)."""
    percent = failure_percent(failed, targeted)
    if percent <= threshold:
        return ""
    return ("%s: %d of %d devices failed (%.1f%%), more than the threshold of %s%%"
            % (name, failed, targeted, percent, threshold if threshold_text is None else threshold_text))


def wave_record(name, job_id, targeted, failed_ids, retries=0, stop_reason_text="", revert_patch=None):
    """A wave after its jobs and retries, as iothub_rollout_result shows it."""
    return {
        "name": name,
        "job_id": job_id,
        "targeted": targeted,
        "succeeded": targeted - len(failed_ids),
        "failed": len(failed_ids),
        "failure_rate": failure_rate(len(failed_ids), targeted),
        "retries": retries,
        "failed_devices": list(failed_ids),
        # The revert patch is applied to the wave that stopped the rollout, when there is one.
        "reverted": bool(stop_reason_text) and bool(revert_patch),
        "status": "stopped" if stop_reason_text else "completed",
    }
