# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Polls that follow the job: when to read a job next, from what the reads so far said.

The rule (documented with wait_sleep in the azure_iot.jobs.wait doc fragment and in docs/user_guide.md):

1. The event to catch: a job that waits for a start time in the future -> that start; a job whose device counts
   rose since the previous read -> its estimated end, now + devices left / (devices done since the previous read /
   seconds since it); anything else (no counts, a stall, the first read) -> none. A job that has not begun (the
   answer of its create, or a read while it is queued) counts as 0 devices done at that read, so the first poll
   that shows progress already gives a rate: one poll fewer before the plan follows the job.
2. With no event the pause is wait_sleep (the fixed interval of before). An event more than 2 x wait_sleep away is
   checked half-way, and at the latest 4 x wait_sleep later (a job that speeds up, or is cancelled, is seen at most
   4 x wait_sleep late, and the progress shown while waiting stays fresh); a nearer one is polled a tenth after it
   (pause = 1.1 x the time left), so the read lands just after the job ends.
3. Never less than wait_sleep: polls stay at least wait_sleep apart, so a wait never makes more polls than the
   fixed interval would for the same job. The caller caps each pause at its deadline (`_wait.Deadline.pause`).

Plain arithmetic on the caller's monotonic clock: the same reads give the same pauses.
"""

from __future__ import annotations

from collections import namedtuple

# An event more than HALVE_BEYOND x wait_sleep away is checked half-way first, at most LONGEST x wait_sleep later.
HALVE_BEYOND = 2.0
LONGEST = 4.0
# A near event is polled this much after its estimate (as a fraction of the time left): counts and the final
# status are not updated in the same instant.
LAND_AFTER = 1.1

# pause: seconds until the next poll; expects_end: that poll is planned to find the job ended.
NextPoll = namedtuple("NextPoll", ("pause", "expects_end"))


class Reading(namedtuple("Reading", ("done", "total", "starts_in", "not_started"))):
    """What one read of a job says about its progress: devices done (succeeded or failed) of the total, or seconds
    until a scheduled start; None where the answer does not say. not_started: the job has not begun (no device
    done yet, whatever the counts say)."""

    __slots__ = ()

    def __new__(cls, done=None, total=None, starts_in=None, not_started=False):
        return super(Reading, cls).__new__(cls, done, total, starts_in, not_started)

    @property
    def counted(self):
        return self.total is not None and self.total > 0 and self.done is not None


NO_READING = Reading()


class PollPlan(object):
    """The pauses between polls of one job, following its progress; `sleep` is the user's wait_sleep."""

    def __init__(self, sleep):
        self.sleep = float(sleep)
        self._event = None  # monotonic time of the next event, None when none is known
        self._event_is_end = False
        self._previous = None  # (time, done) of the last read that had counts

    def observe(self, now, reading):
        """Take one read of the job at monotonic time `now`."""
        self._event, self._event_is_end = None, False
        if reading.starts_in is not None and reading.starts_in > 0:
            self._event = now + reading.starts_in
        elif reading.not_started:
            self._previous = (now, 0)  # its devices are counted from here: the next read with progress gives a rate
        elif reading.counted:
            previous, self._previous = self._previous, (now, reading.done)
            if previous is not None and now > previous[0] and reading.done > previous[1]:
                rate = (reading.done - previous[1]) / (now - previous[0])
                self._event = now + max(reading.total - reading.done, 0) / rate
                self._event_is_end = True

    def next_poll(self, now):
        """The pause before the next poll, and whether that poll is planned to find the job ended."""
        if self._event is None:
            return NextPoll(self.sleep, False)
        left = self._event - now
        if left > HALVE_BEYOND * self.sleep:
            return NextPoll(min(left / 2, LONGEST * self.sleep), False)
        return NextPoll(max(self.sleep, LAND_AFTER * left), self._event_is_end)
