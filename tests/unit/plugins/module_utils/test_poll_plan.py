# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Polls that follow the job: simulated jobs on a fake clock, each waited for with the plan and with the fixed
interval of before. Exact poll times; never more polls than the fixed interval, never two polls closer than
wait_sleep, never past the deadline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import CentralJob
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import ScheduledJob
from ansible_collections.azure_iot.jobs.plugins.module_utils._import_export import ImportExportJob
from ansible_collections.azure_iot.jobs.plugins.module_utils._poll_plan import NO_READING, NextPoll, PollPlan, Reading
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import Deadline, follow, wait_for

EPOCH = datetime(2026, 11, 23, 8, 0, 0, tzinfo=timezone.utc)  # the wall-clock time of the fake clock's start


class SimulatedHubJob(object):
    """An IoT Hub job on the fake clock: queued until `start` seconds, then `done(t)` devices of `total` done."""

    def __init__(self, clock, done, total=1000, start=0.0, scheduled_at=None):
        self.clock, self.origin = clock, clock()
        self.done, self.total, self.start = done, total, start
        self.scheduled_at = scheduled_at  # seconds after the origin of a start_time in the future
        self.polls = []

    def now(self):
        return EPOCH + timedelta(seconds=self.clock() - self.origin)

    def answer(self):
        t = self.clock() - self.origin
        start_time = (EPOCH + timedelta(seconds=self.scheduled_at or 0)).isoformat()
        if t < self.start:
            return {"status": "scheduled" if self.scheduled_at else "queued", "start_time": start_time,
                    "statistics": None}
        done = min(self.total, int(self.done(t - self.start)))
        return {"status": "completed" if done == self.total else "running", "start_time": start_time,
                "statistics": {"device_count": self.total, "succeeded": done, "failed": 0}}

    def poll(self):
        self.polls.append(round(self.clock() - self.origin, 4))
        return self.answer()


def wait(fake_time, job, sleep=5, timeout=600, following=True):
    deadline = Deadline(timeout, fake_time.clock, fake_time.sleep)
    interval = sleep
    if following:
        interval = follow(PollPlan(sleep), lambda value: ScheduledJob.reading(value, job.now()), fake_time.clock)
    return wait_for(job.poll, lambda value: value["status"], lambda value: value["status"] == "completed",
                    deadline, interval, first=job.answer())


def compare(fake_time, make_job, sleep=5, timeout=600):
    """Poll times of one job waited for following it, then of the same job at the fixed interval (on the same fake
    clock, one after the other: a job's times count from its creation)."""
    followed = make_job(fake_time.clock)
    outcome = wait(fake_time, followed, sleep, timeout)
    fixed = make_job(fake_time.clock)
    fixed_outcome = wait(fake_time, fixed, sleep, timeout, following=False)
    gaps = [b - a for a, b in zip([0.0] + followed.polls, followed.polls)]
    assert all(gap >= sleep - 1e-9 for gap in gaps[:-1])  # the last gap may be cut by the deadline
    assert len(followed.polls) <= len(fixed.polls)
    assert max(followed.polls) <= timeout and outcome.elapsed <= timeout
    assert outcome.done == fixed_outcome.done
    return followed.polls, fixed.polls


def steady(per_second):
    return lambda t: per_second * t


def test_a_steady_job_is_polled_half_way_then_just_after_its_estimated_end(fake_time):
    # 1,000 devices at 20 a second once it leaves the queue at 2 s: it ends at 52 s. The first pause is wait_sleep
    # (the create answer has no counts, but says the job has not begun: 0 done at 0 s), so the first poll gives a
    # rate (12 a second, the queue's 2 s included: the end looks far), then 4 x wait_sleep at most, half-way twice,
    # and 1.1 x the time left: 0.675 s after the end, where the fixed interval is 3 s after it. Before the create
    # answer counted, the second pause was wait_sleep too (no rate yet) and the job took 6 polls.
    followed, fixed = compare(fake_time, lambda clock: SimulatedHubJob(clock, steady(20), start=2.0))
    assert followed == [5.0, 25.0, 38.5, 45.25, 52.675]
    assert fixed == [5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0]


def test_a_job_that_stalls_is_polled_every_wait_sleep_until_it_moves_again(fake_time):
    # 20 a second for 20 s, nothing from 20 s to 60 s, then 20 a second again: it ends at 90 s.
    def done(t):
        return 20 * min(t, 20) + 20 * max(0.0, t - 60)

    followed, fixed = compare(fake_time, lambda clock: SimulatedHubJob(clock, done))
    assert followed == [5.0, 25.0, 45.0, 50.0, 55.0, 60.0, 65.0, 77.5, 83.75, 90.625]
    assert fixed == [5.0 * n for n in range(1, 19)]


def test_a_job_that_speeds_up_is_seen_within_four_wait_sleeps(fake_time):
    # 5 a second for 40 s (200 devices), then 100 a second: it ends at 48 s, not at the 200 s the start suggests.
    def done(t):
        return 5 * min(t, 40) + 100 * max(0.0, t - 40)

    followed, fixed = compare(fake_time, lambda clock: SimulatedHubJob(clock, done))
    assert followed == [5.0, 25.0, 45.0, 50.2174]
    assert fixed == [5.0 * n for n in range(1, 11)]


def test_a_job_whose_answers_carry_no_progress_is_polled_every_wait_sleep(fake_time):
    class Sparse(SimulatedHubJob):
        def answer(self):
            return dict(super(Sparse, self).answer(), statistics=None)

    followed, fixed = compare(fake_time, lambda clock: Sparse(clock, steady(20)))
    assert followed == fixed == [5.0 * n for n in range(1, 11)]


def test_a_job_scheduled_for_later_is_followed_towards_its_start_time(fake_time):
    # start_time 300 s ahead, then 1,000 devices at 20 a second: it ends at 350 s. Every 4 x wait_sleep while the
    # start is far, a tenth after it, then the end as for any job.
    followed, fixed = compare(fake_time,
                              lambda clock: SimulatedHubJob(clock, steady(20), start=300.0, scheduled_at=300.0))
    assert followed == [20.0 * n for n in range(1, 15)] + [290.0, 301.0, 306.0, 326.0, 338.0, 344.0, 350.6]
    assert len(fixed) == 70 and fixed[-1] == 350.0


def test_the_deadline_is_never_overshot(fake_time):
    # A job that needs 100 s, a wait_timeout of 60 s: the last poll is at the deadline, as with the fixed interval.
    followed, fixed = compare(fake_time, lambda clock: SimulatedHubJob(clock, steady(10)), timeout=60)
    assert followed == [5.0, 25.0, 45.0, 60.0]
    assert fixed == [5.0 * n for n in range(1, 13)]


@pytest.mark.parametrize("reading, pause", [
    (NO_READING, NextPoll(5.0, False)),
    (Reading(100, 0), NextPoll(5.0, False)),  # a hub job before it counts its devices
    (Reading(None, 1000), NextPoll(5.0, False)),
    (Reading(starts_in=8.0), NextPoll(8.8, False)),  # near: a tenth after it
    (Reading(starts_in=30.0), NextPoll(15.0, False)),  # far: half-way
    (Reading(starts_in=300.0), NextPoll(20.0, False)),  # at most 4 x wait_sleep
    (Reading(starts_in=2.0), NextPoll(5.0, False)),  # never sooner than wait_sleep
])
def test_one_reading_gives_no_rate(reading, pause):
    plan = PollPlan(5)
    plan.observe(0.0, reading)
    assert plan.next_poll(0.0) == pause


def test_the_rate_is_the_one_since_the_previous_reading():
    plan = PollPlan(5)
    plan.observe(0.0, Reading(100, 1000))
    plan.observe(10.0, Reading(300, 1000))  # 20 a second, 700 left: 35 s
    assert plan.next_poll(10.0) == NextPoll(17.5, False)
    plan.observe(27.5, Reading(650, 1000))  # 20 a second, 350 left: 17.5 s
    assert plan.next_poll(27.5) == NextPoll(pytest.approx(8.75), False)
    plan.observe(36.25, Reading(825, 1000))  # 175 left: 8.75 s, near
    assert plan.next_poll(36.25) == NextPoll(pytest.approx(9.625), True)
    plan.observe(40.0, Reading(825, 1000))  # a stall: no estimate
    assert plan.next_poll(40.0) == NextPoll(5.0, False)


def test_what_each_kind_of_job_reads():
    now = EPOCH
    assert ScheduledJob.reading({"status": "running", "statistics": {"device_count": 10, "succeeded": 3,
                                                                     "failed": 1}}, now) == Reading(4, 10)
    assert ScheduledJob.reading({"status": "queued", "start_time": "2026-11-23T08:01:00Z"}, now) == \
        Reading(starts_in=60.0)
    # A job that has not begun (its start is not ahead): none of its devices done yet, whatever its counts say.
    assert ScheduledJob.reading({"status": "queued", "start_time": "2026-11-23T07:59:00Z"}, now) == \
        Reading(not_started=True)
    assert ScheduledJob.reading({"status": "scheduled", "start_time": None}, now) == Reading(not_started=True)
    assert ScheduledJob.reading({"status": "enqueued", "statistics": {"device_count": 0, "succeeded": 0}}, now) == \
        Reading(not_started=True)
    assert CentralJob.reading({"progress": {"total": 10, "completed": 5, "failed": 2}}) == Reading(7, 10)
    assert CentralJob.reading({"progress": {"total": None, "completed": None, "failed": None}}) == NO_READING
    assert ImportExportJob.reading({"progress": 40}) == Reading(40, 100)
    assert ImportExportJob.reading({"progress": None}) == NO_READING
