# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The deviceId range condition of a wave: its text, and how a condition read back from the hub is recognised."""

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout import (
    device_id_range,
    is_range_of,
    range_condition,
)

WAVE = ["d-07", "d-02", "o'hara", "d-10"]  # unsorted on purpose, one id with a quote


def test_the_range_runs_from_the_least_to_the_greatest_id_quoted():
    assert device_id_range(WAVE) == "deviceId >= 'd-02' AND deviceId <= 'o''hara'"


def test_exclusions_follow_in_a_not_in_list():
    assert range_condition(WAVE, ["d-05", "d-08"]) == \
        "deviceId >= 'd-02' AND deviceId <= 'o''hara' AND NOT (deviceId IN ['d-05', 'd-08'])"
    assert range_condition(WAVE) == device_id_range(WAVE)


@pytest.mark.parametrize("condition, expected", [
    ("deviceId >= 'd-02' AND deviceId <= 'o''hara'", True),
    ("deviceId >= 'd-02' AND deviceId <= 'o''hara' AND NOT (deviceId IN ['d-05'])", True),
    ("deviceId >= 'd-02' AND deviceId <= 'd-10'", False),  # another wave's bounds
    ("deviceId >= 'd-02' AND deviceId <= 'o''hara' AND tags.ring = 'x'", False),
    ("deviceId IN ['d-02', 'd-07', 'd-10', 'o''hara']", False),
])
def test_a_condition_is_this_waves_range_only_with_its_bounds(condition, expected):
    assert is_range_of(condition, WAVE) is expected
