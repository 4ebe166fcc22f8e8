# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from itertools import islice

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import (
    WAIT_ARGSPEC,
    Deadline,
    WaitOptions,
    backoff_delays,
    wait_for,
)


def test_argspec_names_and_defaults():
    assert WAIT_ARGSPEC == {
        "wait": {"type": "bool", "default": False},
        "wait_timeout": {"type": "int", "default": 600},
        "wait_sleep": {"type": "int", "default": 5},
    }


@pytest.mark.parametrize("params, msg", [
    (dict(wait=True, wait_timeout=0, wait_sleep=5), "wait_timeout must be a number of seconds greater than 0, got 0"),
    (dict(wait=True, wait_timeout=10, wait_sleep=0), "wait_sleep must be a number of seconds greater than 0, got 0"),
    (dict(wait=True, wait_timeout=10, wait_sleep=-1), "wait_sleep must be a number of seconds greater than 0, got -1"),
    (dict(wait=True, wait_timeout=10, wait_sleep=11), "wait_sleep (11) must not be greater than wait_timeout (10)"),
])
def test_options_are_checked(params, msg):
    with pytest.raises(ValidationError) as info:
        WaitOptions.from_params(params)
    assert info.value.msg == msg


def test_options_from_params():
    options = WaitOptions.from_params(dict(wait=True, wait_timeout=30, wait_sleep=2))
    assert (options.wait, options.timeout, options.sleep) == (True, 30, 2)


def test_deadline_records_only_changes_and_caps_the_last_pause(fake_time):
    deadline = Deadline(12, clock=fake_time.clock, sleep=fake_time.sleep)
    deadline.record("queued")
    assert deadline.pause(5) is True
    deadline.record("queued")
    assert deadline.pause(5) is True
    deadline.record("running")
    assert deadline.pause(5) is True
    assert deadline.expired() and deadline.pause(5) is False
    assert fake_time.sleeps == [5, 5, 2]
    assert deadline.history == [{"status": "queued", "elapsed": 0.0}, {"status": "running", "elapsed": 10.0}]
    assert deadline.elapsed() == 12.0


def test_wait_for_returns_at_once_when_the_first_value_is_done(fake_time):
    polls = []
    outcome = wait_for(lambda: polls.append(1), lambda v: v, lambda v: v == "completed",
                       Deadline(60, fake_time.clock, fake_time.sleep), 5, first="completed")
    assert (outcome.done, outcome.timed_out, outcome.last, outcome.elapsed) == (True, False, "completed", 0.0)
    assert polls == [] and fake_time.sleeps == []


def test_wait_for_polls_until_done(fake_time):
    answers = iter(["queued", "running", "running", "completed"])
    outcome = wait_for(lambda: next(answers), lambda v: v, lambda v: v == "completed",
                       Deadline(60, fake_time.clock, fake_time.sleep), 3)
    assert outcome.done and outcome.last == "completed" and outcome.elapsed == 9.0
    assert [h["status"] for h in outcome.history] == ["queued", "running", "completed"]
    assert fake_time.sleeps == [3, 3, 3]


def test_wait_for_times_out_after_a_last_poll_at_the_deadline(fake_time):
    polls = []

    def poll():
        polls.append(fake_time.clock())
        return "running"

    outcome = wait_for(poll, lambda v: v, lambda v: False, Deadline(10, fake_time.clock, fake_time.sleep), 4)
    assert outcome.timed_out and outcome.last == "running" and outcome.elapsed == 10.0
    assert [p - 1000.0 for p in polls] == [0.0, 4.0, 8.0, 10.0]


def test_backoff_doubles_up_to_the_cap():
    assert list(islice(backoff_delays(5), 6)) == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]
    assert list(islice(backoff_delays(1, cap=3), 4)) == [1.0, 2.0, 3.0, 3.0]
