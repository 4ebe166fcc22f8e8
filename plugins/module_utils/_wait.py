# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""One wait loop for every module: a monotonic deadline, the pause between polls (fixed, or planned from the job's
progress by `_poll_plan.PollPlan`), a history of status changes.

The clock and the sleep function are injected so unit tests run without sleeping.
"""

from __future__ import annotations

import time

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError

# Spliced into each waiting module's literal argument spec; documented by the azure_iot.jobs.wait doc fragment.
WAIT_ARGSPEC = dict(
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=600),
    wait_sleep=dict(type="int", default=5),
)

# Back-off between attempts to get a free job slot: from wait_sleep, doubling, capped here.
SLOT_BACKOFF_CAP = 60.0


class WaitOptions(object):
    """The wait options of a module, checked."""

    def __init__(self, wait=False, timeout=600, sleep=5):
        self.wait = bool(wait)
        self.timeout = timeout
        self.sleep = sleep

    @classmethod
    def from_params(cls, params):
        timeout, sleep = params.get("wait_timeout"), params.get("wait_sleep")
        if timeout is None or timeout <= 0:
            raise ValidationError("wait_timeout must be a number of seconds greater than 0, got %s" % timeout)
        if sleep is None or sleep <= 0:
            raise ValidationError("wait_sleep must be a number of seconds greater than 0, got %s" % sleep)
        if sleep > timeout:
            raise ValidationError("wait_sleep (%s) must not be greater than wait_timeout (%s)" % (sleep, timeout))
        return cls(params.get("wait"), timeout, sleep)


class Deadline(object):
    """A monotonic deadline with an elapsed-time view and a history of observed statuses."""

    def __init__(self, timeout, clock=time.monotonic, sleep=time.sleep):
        self._clock = clock
        self._sleep = sleep
        self.timeout = timeout
        self.start = clock()
        self.history = []

    def elapsed(self):
        return round(self._clock() - self.start, 3)

    def remaining(self):
        return self.timeout - (self._clock() - self.start)

    def expired(self):
        return self.remaining() <= 0

    def record(self, status):
        """Append (status, elapsed) when the status differs from the last one seen."""
        if not self.history or self.history[-1]["status"] != status:
            self.history.append({"status": status, "elapsed": self.elapsed()})

    def pause(self, seconds):
        """Sleep `seconds`, or until the deadline if that comes first; False when no time was left."""
        left = self.remaining()
        if left <= 0:
            return False
        self._sleep(min(seconds, left))
        return True


class WaitOutcome(object):
    """What a wait ended with: the last polled value, whether it was final, and the timings."""

    def __init__(self, last, done, elapsed, history):
        self.last = last
        self.done = done
        self.elapsed = elapsed
        self.history = history

    @property
    def timed_out(self):
        return not self.done


def wait_for(poll, status_of, is_done, deadline, interval, first=None):
    """Poll until `is_done(value)` or the deadline passes.

    `poll()` returns the current value; `status_of(value)` the status recorded in the history. `interval` is the
    pause in seconds, or a function of the value just read that returns it (`follow()`). `first` is a value already
    in hand (the answer of a create), checked before the first pause so a finished job costs no extra call.
    """
    pause_after = interval if callable(interval) else (lambda value: interval)
    value = first if first is not None else poll()
    while True:
        deadline.record(status_of(value))
        if is_done(value):
            return WaitOutcome(value, True, deadline.elapsed(), deadline.history)
        if not deadline.pause(pause_after(value)):
            return WaitOutcome(value, False, deadline.elapsed(), deadline.history)
        value = poll()


def follow(plan, reading_of, clock):
    """An `interval` for wait_for() that follows the job: each value read is given to `plan` (a PollPlan) as
    `reading_of(value)`, and the plan says how long to pause."""
    def pause_after(value):
        now = clock()
        plan.observe(now, reading_of(value))
        return plan.next_poll(now).pause
    return pause_after


def backoff_delays(start, cap=SLOT_BACKOFF_CAP):
    """start, 2*start, 4*start, ... capped at `cap` seconds: the pauses between attempts to get a job slot."""
    delay = float(start)
    while True:
        yield min(delay, cap)
        delay *= 2
