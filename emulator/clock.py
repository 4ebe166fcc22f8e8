"""Emulated time: durations run `time_scale` times faster than real time, dates stay wall-clock dates.

Wall-clock dates (`now()`) are what clients compare with: SAS expiry, "startTime within 168 hours", createdTime. Only
durations are scaled: waiting for a job's startTime, the device-operation rate, device latency, maxExecutionTime. A
job therefore keeps its own timeline (see `Timeline`) so its timestamps stay ordered even when it ran faster.
"""
import asyncio
import time
from datetime import timedelta

from .timefmt import utcnow

MAX_REAL_NAP = 0.5  # seconds: long waits are cut into naps so a changed time scale takes effect quickly


async def cancel_tasks(owners):
    """Cancel the running `task` of each owner (a job, a scheduled job) and wait until every one has stopped."""
    tasks = [owner.task for owner in owners if owner.task and not owner.task.done()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class Clock:
    """A monotonic emulated clock: `elapsed()` advances `scale` emulated seconds per real second."""

    def __init__(self, scale=1.0):
        self._scale = float(scale)
        self._real_origin = time.monotonic()
        self._emulated_origin = 0.0

    @property
    def scale(self):
        return self._scale

    def set_scale(self, scale):
        # Re-anchor so that elapsed() stays continuous across the change.
        self._emulated_origin = self.elapsed()
        self._real_origin = time.monotonic()
        self._scale = float(scale)

    def elapsed(self):
        """Emulated seconds since the clock was created."""
        return self._emulated_origin + (time.monotonic() - self._real_origin) * self._scale

    @staticmethod
    def now():
        return utcnow()

    async def sleep(self, seconds):
        """Sleep `seconds` of emulated time."""
        await self.sleep_until(self.elapsed() + seconds)

    async def sleep_until(self, target):
        """Sleep until elapsed() reaches `target`."""
        while True:
            remaining = target - self.elapsed()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining / self._scale, MAX_REAL_NAP))


class Timeline:
    """Dates on one job's emulated timeline: `anchor` (a wall-clock date) plus emulated seconds since `origin`."""

    def __init__(self, clock, anchor):
        self._clock = clock
        self._anchor = anchor
        self._origin = clock.elapsed()

    def offset(self):
        return self._clock.elapsed() - self._origin

    def elapsed_at(self, offset):
        """The clock's elapsed() at this offset of the timeline (what timelines of other jobs can compare)."""
        return self._origin + offset

    def offset_at(self, elapsed):
        return elapsed - self._origin

    def at(self, offset):
        return self._anchor + timedelta(seconds=offset)

    def now(self):
        return self.at(self.offset())
