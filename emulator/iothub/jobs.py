"""Scheduled jobs (twin updates and direct methods): the state machine, driven by one asyncio task per job.

    PUT -> queued --(accepted: startTime ahead and scheduled_status on)--> scheduled --(startTime)--> running
        -> completed (every device processed, or maxExecutionTimeInSeconds elapsed)
        -> failed (the queryCondition does not parse: found when the job is accepted, see contract.md 7)
    queued / scheduled --cancel--> cancelled

A job answers "queued" at creation (as the documented raw exchange shows) and is accepted ACCEPT_DELAY emulated
seconds later; it then shows "scheduled" while its startTime is ahead (the design's queued -> scheduled -> running;
config scheduled_status=false keeps "queued" as some observers saw). The device set is fixed when it starts running.
Devices are processed at the tier's device-operation rate, a quota of the hub shared by its running jobs (contract.md
1.6 lists it with the hub's other throttles: jobs running at once share it, each device operation takes the hub's next
free slot), each device row moving pending -> running -> completed | failed; devices left when
maxExecutionTimeInSeconds ends fail with JobRunPreconditionFailed.
"""
import asyncio
import time
import heapq
import logging

from ..clock import Timeline, cancel_tasks
from ..errors import hub_error
from ..query import QuerySyntaxError, parse_condition
from ..timefmt import iso7

LOG = logging.getLogger("emulator.iothub.jobs")

ACCEPT_DELAY = 2.0  # emulated seconds between creation and acceptance
ACTIVE = frozenset(("queued", "scheduled", "enqueued", "running"))  # these hold a concurrent-job slot
CANCELLABLE = frozenset(("queued", "scheduled", "enqueued"))
NOT_RUN = ("JobRunPreconditionFailed", "The job did not start within specified period: either device did not "
           "come online or invalid endTime specified.")
STAT_FOR_STATUS = {"pending": "pendingCount", "running": "runningCount", "completed": "succeededCount",
                   "failed": "failedCount"}


class ScheduledJob:
    def __init__(self, spec, created):
        self.spec = spec
        self.created = created
        self.status = "queued"
        self.end_time = None
        self.failure_reason = None
        self.stats = {"deviceCount": 0, "failedCount": 0, "succeededCount": 0, "runningCount": 0, "pendingCount": 0}
        self.rows = {}  # device id -> its devices.jobs row (the wire dict queries run over)
        self.row_list = []  # the same rows in order, for queries that page from a position
        self.task = None

    @property
    def job_id(self):
        return self.spec.job_id

    def to_wire(self):
        """The JobResponse (service.json) of this job."""
        spec = self.spec
        body = {"jobId": spec.job_id, "queryCondition": spec.query_condition, "createdTime": iso7(self.created),
                "startTime": iso7(spec.start_time), "maxExecutionTimeInSeconds": spec.max_execution,
                "type": spec.type, "status": self.status, "deviceJobStatistics": dict(self.stats)}
        if spec.update_twin is not None:
            body["updateTwin"] = spec.update_twin
        if spec.method is not None:
            body["cloudToDeviceMethod"] = spec.method
        if self.end_time is not None:
            body["endTime"] = iso7(self.end_time)
        if self.failure_reason:
            body["failureReason"] = self.failure_reason
        return body

    def set_row(self, did, status, when, **fields):
        """Move one device row to `status` and keep the statistics in step."""
        row = self.rows[did]
        self.stats[STAT_FOR_STATUS[row["status"]]] -= 1
        self.stats[STAT_FOR_STATUS[status]] += 1
        row.update(fields, status=status, lastUpdatedDateTimeUtc=iso7(when))
        if status == "running":
            row["startTimeUtc"] = iso7(when)
        elif status in ("completed", "failed"):
            row["endTimeUtc"] = iso7(when)


class DeviceOpSlots:
    """The hub's device-operation rate, shared by its running jobs: when (clock.elapsed()) the next may start."""

    def __init__(self, state):
        self._state = state
        self._last = None  # clock.elapsed() of the hub's latest device operation

    def next_free(self):
        # From the rate configured now: a rate raised while a job runs applies at once.
        return float("-inf") if self._last is None else self._last + 1.0 / self._state.config.ops_per_second

    def take(self, elapsed):
        self._last = elapsed if self._last is None else max(self._last, elapsed)


class JobEngine:
    def __init__(self, state, registry, simulator):
        self._state = state
        self._registry = registry
        self._sim = simulator
        self.jobs = {}  # id -> ScheduledJob, in creation order
        self.slots = DeviceOpSlots(state)

    # --- API operations ---------------------------------------------------------------------------------------
    def create(self, spec):
        if spec.job_id in self.jobs:
            raise hub_error("JobAlreadyExists", "A job with id '%s' already exists." % spec.job_id)
        limit = self._state.config.active_job_limit
        active = sum(1 for job in self.jobs.values() if job.status in ACTIVE)
        if active >= limit:
            # The real 429 has no Retry-After; its text asks for a 10-second wait (contract.md 7).
            raise hub_error("ThrottlingMaxActiveJobCountExceeded", "The IoT hub has %d active or scheduled job(s), "
                            "the maximum for its tier (%s). Wait 10 seconds and try again."
                            % (active, self._state.config.tier))
        job = ScheduledJob(spec, self._state.clock.now())
        self.jobs[spec.job_id] = job
        job.task = asyncio.get_running_loop().create_task(self._run(job), name="job " + spec.job_id)
        return job

    def cancel(self, job_id):
        job = self.jobs.get(job_id)
        if job is None:
            raise hub_error("JobNotFound", "Job with id '%s' was not found." % job_id)
        if job.status not in CANCELLABLE:
            raise hub_error("OperationNotAllowedInCurrentState", "Job cannot be cancelled in '%s' status."
                            % job.status.capitalize())
        job.task.cancel()
        # A real hub may still show the old status on GET for a moment (contract.md 7); cancel_read_lag plays that.
        job.stale_status = job.status
        job.stale_until = time.monotonic() + (self._state.config.cancel_read_lag or 0.0)
        job.status = "cancelled"
        job.end_time = self._state.clock.now()
        return job

    def device_rows(self):
        """Every devices.jobs row, job by job in creation order (a view: nothing is copied per query page)."""
        return _RowsView([job.row_list for job in self.jobs.values()])

    async def close(self):
        await cancel_tasks(self.jobs.values())
        self.jobs.clear()

    # --- the state machine ------------------------------------------------------------------------------------
    async def _run(self, job):
        clock = self._state.clock
        try:
            await clock.sleep(ACCEPT_DELAY)
            condition = self._accept(job)
            if condition is None:
                return
            ahead = (job.spec.start_time - clock.now()).total_seconds()
            if ahead > 0:
                if self._state.config.scheduled_status:
                    job.status = "scheduled"
                await clock.sleep(ahead)
            await self._execute(job, condition)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not leave the job running forever
            LOG.exception("job %s crashed", job.job_id)
            self._finish(job, "failed", clock.now(), "Internal error in the emulator.")

    def _accept(self, job):
        """The compiled queryCondition, or None after failing the job for a condition that does not parse."""
        try:
            return parse_condition(job.spec.query_condition)
        except QuerySyntaxError as exc:
            self._finish(job, "failed", self._state.clock.now(),
                         "The queryCondition '%s' is not valid: %s" % (job.spec.query_condition, exc))
            return None

    def _finish(self, job, status, when, reason=None):
        job.status = status
        job.end_time = when
        job.failure_reason = reason

    async def _execute(self, job, condition):
        clock = self._state.clock
        timeline = Timeline(clock, max(job.spec.start_time, clock.now()))
        targets = sorted(twin["deviceId"] for twin in self._registry.twins() if condition.matches(twin))
        job.status = "running"
        # The devices' operations are placed from offset 0 of the timeline; reading now() after the condition ran
        # over the registry would date the rows later than the first devices' ends.
        started = iso7(timeline.at(0.0))
        for did in targets:
            job.rows[did] = {"deviceId": did, "jobId": job.job_id, "jobType": job.spec.type, "status": "pending",
                             "startTimeUtc": started, "createdDateTimeUtc": started,
                             "lastUpdatedDateTimeUtc": started, "outcome": None}
        job.row_list = list(job.rows.values())
        job.stats.update(deviceCount=len(targets), pendingCount=len(targets))
        run = _DeviceRun(self._state, self.begin_device, job, timeline, targets, self.slots)
        await run.until_done()
        self._finish(job, "completed", timeline.now())

    # --- one device -------------------------------------------------------------------------------------------
    def begin_device(self, job, did):
        """Start the device operation; returns the Outcome (what happens after outcome.seconds)."""
        if job.spec.method is not None:
            return self._sim.call_method(did, job.job_id, job.spec.method)
        return self._sim.update_twin(did, job.job_id, job.spec.update_twin)


class _RowsView:
    """The devices.jobs rows of several jobs as one sequence: iteration, and iteration from a position."""

    def __init__(self, row_lists):
        self._row_lists = row_lists

    def __iter__(self):
        for rows in self._row_lists:
            yield from rows

    def iter_from(self, start):
        """(index, row) from index `start` on; whole jobs before it are skipped by their length."""
        base = 0
        for rows in self._row_lists:
            for position in range(max(0, start - base), len(rows)):
                yield base + position, rows[position]
            base += len(rows)


class _DeviceRun:
    """Processes a running job's devices at the device-operation rate until all are done or time is up.

    Every event happens at its scheduled emulated offset (device k starts at k / rate, finishes after its latency),
    whenever the task actually wakes up: outcomes and timestamps do not depend on how late the event loop ran.
    """

    def __init__(self, state, begin_device, job, timeline, targets, slots):
        self.state = state
        self.slots = slots
        self.begin_device = begin_device
        self.job = job
        self.timeline = timeline
        self.waiting = list(reversed(targets))  # pop() takes the next device in id order
        self.in_flight = []  # heap of (finish offset, device id, outcome)
        self.next_start = 0.0  # offset at which the next waiting device starts

    async def until_done(self):
        clock = self.state.clock
        deadline = float(self.job.spec.max_execution)
        while self.waiting or self.in_flight:
            now = self.timeline.offset()
            if now >= deadline:
                self._advance(deadline, before=True)
                self._time_up(deadline)
                return
            self._advance(now)
            if self.waiting or self.in_flight:
                await clock.sleep(min(self._next_event(), deadline) - now)

    def _next_event(self):
        return min(self.next_start if self.waiting else float("inf"),
                   self.in_flight[0][0] if self.in_flight else float("inf"))

    def _advance(self, horizon, before=False):
        """Run every event due at or before `horizon` (strictly before it when `before`), in time order."""
        while True:
            due = self._next_event()
            if due > horizon or (before and due == horizon):
                return
            if self.in_flight and self.in_flight[0][0] == due:
                finish, did, outcome = heapq.heappop(self.in_flight)
                self._settle(did, outcome, finish)
            else:
                free = self.timeline.offset_at(self.slots.next_free())
                if due < free - 1e-9:  # another job of the hub took this slot
                    self.next_start = free
                    continue
                self._start(self.waiting.pop(), due)
                self.slots.take(self.timeline.elapsed_at(due))
                self.next_start = due + 1.0 / self.state.config.ops_per_second

    def _start(self, did, offset):
        outcome = self.begin_device(self.job, did)
        if outcome.seconds <= 0:
            self._settle(did, outcome, offset)
        else:
            self.job.set_row(did, "running", self.timeline.at(offset))
            heapq.heappush(self.in_flight, (offset + outcome.seconds, did, outcome))

    def _settle(self, did, outcome, offset):
        fields = {}
        if outcome.response is not None:
            fields["outcome"] = {"deviceMethodResponse": outcome.response}
        if outcome.error is not None:
            fields["error"] = outcome.error
        self.job.set_row(did, outcome.status, self.timeline.at(offset), **fields)

    def _time_up(self, deadline):
        when = self.timeline.at(deadline)
        code, description = NOT_RUN
        for did in list(reversed(self.waiting)) + [entry[1] for entry in self.in_flight]:
            self.job.set_row(did, "failed", when, error={"code": code, "description": description})
        self.waiting, self.in_flight = [], []
