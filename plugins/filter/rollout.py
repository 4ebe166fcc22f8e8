# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the iothub_rollout role: split a fleet into waves, and turn device ids into a job query."""

from __future__ import annotations

import json
import math
import re

from ansible.errors import AnsibleFilterError

# An IoT Hub job id has at most 64 characters; the longest suffix the role adds is "-wave-99-retry-9" (16).
NAME_MAX = 40
_NAME = re.compile(r"^[A-Za-z0-9-]+$")


def device_id_query(device_ids):
    """The job query condition that selects exactly these devices: deviceId IN ['a', 'b']."""
    if not device_ids:
        raise AnsibleFilterError("device_id_query: the list of device ids is empty; a job needs at least one device")
    return "deviceId IN [%s]" % ", ".join("'%s'" % str(device_id).replace("'", "''") for device_id in device_ids)


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


def rollout_waves(device_ids, name, canary_ids=None, canary_count=0, canary_percentage=0, waves=None, wave_size=0):
    """Split the sorted device ids into a canary wave and the following waves.

    Each wave is {"name", "job_id", "device_ids", "query"}; empty waves are left out. The split depends only on the
    ids, so the same fleet gives the same waves, the same job ids and the same queries on every run.
    """
    _check_name(name)
    waves = _percentages(waves)
    canary_count = _number("canary_count", canary_count, int)
    canary_percentage = _number("canary_percentage", canary_percentage, float)
    wave_size = _number("wave_size", wave_size, int)
    canary_ids = [str(device) for device in canary_ids] if canary_ids else []
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
    return [{"name": wave_name, "job_id": job_id, "device_ids": devices, "query": device_id_query(devices)}
            for wave_name, job_id, devices in planned if devices]


class FilterModule(object):
    def filters(self):
        return {"rollout_waves": rollout_waves, "device_id_query": device_id_query}
