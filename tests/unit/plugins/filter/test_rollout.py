# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.filter.rollout import device_id_query, rollout_waves

FLEET = ["d%02d" % number for number in range(20, 0, -1)]  # unsorted on purpose


def summary(waves):
    return [(wave["name"], wave["job_id"], len(wave["device_ids"])) for wave in waves]


def test_canary_percentage_then_cumulative_percentages():
    waves = rollout_waves(FLEET, "fw-2", canary_percentage=10, waves=[25, 50, 100])
    assert summary(waves) == [("canary", "fw-2-canary", 2), ("wave-1", "fw-2-wave-1", 5),
                              ("wave-2", "fw-2-wave-2", 4), ("wave-3", "fw-2-wave-3", 9)]
    assert waves[0]["device_ids"] == ["d01", "d02"]
    assert waves[0]["query"] == "deviceId IN ['d01', 'd02']"
    every = [device for wave in waves for device in wave["device_ids"]]
    assert sorted(every) == sorted(FLEET) and len(every) == len(set(every))


def test_the_same_fleet_gives_the_same_plan_in_any_order():
    assert rollout_waves(FLEET, "r", canary_count=3) == rollout_waves(sorted(FLEET), "r", canary_count=3)


def test_canary_by_ids_and_fixed_size_waves():
    waves = rollout_waves(FLEET, "r", canary_ids=["d05", "d99"], wave_size=8)
    assert summary(waves) == [("canary", "r-canary", 1), ("wave-1", "r-wave-1", 8), ("wave-2", "r-wave-2", 8),
                              ("wave-3", "r-wave-3", 3)]
    assert waves[0]["device_ids"] == ["d05"] and "d05" not in waves[1]["device_ids"]


def test_small_fleet_leaves_empty_waves_out():
    assert summary(rollout_waves(["a", "b"], "r", canary_percentage=5, waves=[10, 100])) == [
        ("canary", "r-canary", 1), ("wave-1", "r-wave-1", 1)]
    assert rollout_waves([], "r", canary_percentage=5) == []


def test_quotes_in_device_ids_are_doubled():
    assert device_id_query(["it's"]) == "deviceId IN ['it''s']"


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="Fw_2"), "rollout_waves: name must be 1 to 40 US-ASCII letters, digits and '-' (job ids are derived "
                        "from it), got 'Fw_2'"),
    (dict(name="x" * 41), "rollout_waves: name must be 1 to 40"),
    (dict(waves=[50, 40, 100]), "rollout_waves: waves must be cumulative percentages that grow from above 0 up to "
                                "100, such as [10, 50, 100]; got [50, 40, 100]"),
    (dict(waves=[10, 50]), "rollout_waves: the last of waves must be 100 so that every device is reached; got "
                           "[10, 50]"),
    (dict(waves=[]), "rollout_waves: waves must hold at least one cumulative percentage"),
    (dict(canary_percentage=150), "rollout_waves: wave_size and canary_count must be 0 or more"),
])
def test_bad_plans_are_refused_with_the_rule(kwargs, message):
    arguments = dict(dict(name="r"), **kwargs)
    with pytest.raises(AnsibleFilterError) as error:
        rollout_waves(FLEET, **arguments)
    assert str(error.value).startswith(message)


def test_empty_id_list_has_no_query():
    with pytest.raises(AnsibleFilterError, match="the list of device ids is empty"):
        device_id_query([])


def test_arguments_templated_to_strings_are_converted():
    # Before ansible-core 2.19 "{{ x | int }}" inside a vars dict reaches the filter as a string.
    as_numbers = rollout_waves(FLEET, "r", canary_count=3, canary_percentage=0, waves=[25, 50, 100], wave_size=0)
    as_strings = rollout_waves(FLEET, "r", canary_count="3", canary_percentage="0.0", waves=["25", "50", "100"],
                               wave_size="0")
    assert as_strings == as_numbers
    assert rollout_waves(FLEET, "r", waves="[25, 50, 100]") == rollout_waves(FLEET, "r", waves=[25, 50, 100])
    expected = [("wave-1", "r-wave-1", 8), ("wave-2", "r-wave-2", 8), ("wave-3", "r-wave-3", 4)]
    assert summary(rollout_waves(FLEET, "r", wave_size="8")) == expected


@pytest.mark.parametrize("kwargs, message", [
    (dict(canary_count="three"), "rollout_waves: canary_count must be a number, got 'three'"),
    (dict(wave_size="2.5"), "rollout_waves: wave_size must be a whole number, got '2.5'"),
    (dict(canary_count=True), "rollout_waves: canary_count must be a number, got True"),
    (dict(waves=["ten", "100"]), "rollout_waves: waves must be cumulative percentages that grow from above 0 up to "
                                 "100, such as [10, 50, 100]; got ['ten', '100']"),
    (dict(waves="10, 100"), "rollout_waves: waves must be a list of cumulative percentages"),
])
def test_arguments_that_are_not_numbers_are_refused(kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        rollout_waves(FLEET, "r", **kwargs)
    assert str(error.value).startswith(message)
