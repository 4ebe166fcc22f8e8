# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.filter.failure_rate import FilterModule, failure_rate


@pytest.mark.parametrize("failed, targeted, expected", [
    (3, 10, 30.0),
    (1, 3, 33.3),
    (2, 3, 66.7),
    (0, 10, 0.0),
    (10, 10, 100.0),
    (0, 0, 0.0),  # a job over an empty group
    (1, 7, 14.3),
])
def test_percent_with_one_decimal(failed, targeted, expected):
    assert failure_rate(failed, targeted) == expected
    assert isinstance(failure_rate(failed, targeted), float)


def test_strings_of_digits_and_lists_are_converted():
    # Before ansible-core 2.19, a templated "{{ x | int }}" in a dict of vars stays a string.
    assert failure_rate("1", "3") == 33.3
    assert failure_rate(["d1", "d2"], ["d1", "d2", "d3", "d4"]) == 50.0
    assert failure_rate("2.0", 8) == 25.0


@pytest.mark.parametrize("failed, targeted, message", [
    ("two", 3, "failure_rate: failed must be a whole number, got 'two'"),
    (1, None, "failure_rate: targeted must be a whole number, got None"),
    (1, "2.5", "failure_rate: targeted must be a whole number, got '2.5'"),
])
def test_bad_counts_are_named(failed, targeted, message):
    with pytest.raises(AnsibleFilterError) as caught:
        failure_rate(failed, targeted)
    assert str(caught.value) == message


def test_registered_under_its_name():
    assert FilterModule().filters() == {"failure_rate": failure_rate}
