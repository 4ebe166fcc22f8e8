"""IoT Central scheduled jobs (contract.md section 4.5): validation of the ScheduledJob body, merge-patch, etags and
one asyncio scheduler task per enabled, not completed scheduled job.

Occurrence k of a schedule is `start` (k = 0) plus k days, weeks or calendar months (a month end is clamped:
Jan 31 -> Feb 28); without `recurrence` there is only occurrence 0. The scheduler waits for each occurrence on the
emulated clock (so `time_scale` shortens the wait, as for IoT Hub's startTime) and then creates a job instance
through the jobs engine: a new uuid id, the job body of the definition, `scheduledJobId` set and the displayName
"<displayName or id> - <run number>".

- Occurrences earlier than the moment the scheduler (re)starts (creation, PUT, PATCH, enabling) are skipped, not
  caught up; so are those not later than the last run.
- The end: `{"type": "date", "date": D}` stops before the first occurrence whose UTC date is after D;
  `{"type": "occurrences", "occurrences": N}` stops after N runs since the schedule was last set. Then, or after
  the single occurrence of a one-off schedule, `completed` becomes true.
- `enabled: false` stops the scheduler (missed occurrences are skipped when it is enabled again).
- A run that cannot start (running-jobs limit, deleted group) is skipped and logged; it still counts as a run.
- Changing `schedule` restarts the occurrence count and clears `completed`.
- An update (PATCH, or PUT over an existing id) while a job instance of the schedule is pending or running is refused
  with 409 `JobInstanceRunning` ("update is not allowed if there are any active running job instances", the
  description of the scheduledjobs_update example); deleting is allowed.
"""
import asyncio
import calendar
import copy
import logging
import uuid
from datetime import date, timedelta, timezone

from ..clock import cancel_tasks
from ..errors import ApiError
from ..timefmt import parse_iso
from .errors import central_error
from .jobs import ACTIVE, CentralJob, check_job_id, parse_job

LOG = logging.getLogger("emulator.iotcentral.scheduled")

RECURRENCES = {"daily": 1, "weekly": 7}  # days; "monthly" is calendar months
READ_ONLY = ("id", "etag", "completed")
MAX_OCCURRENCES = 999


def _invalid(message):
    return central_error(400, "InvalidScheduledJob", message)


def merge_patch(target, patch):
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def parse_schedule(schedule):
    """The stored schedule (as sent, validated) and its parsed start, or a 400."""
    if not isinstance(schedule, dict):
        raise _invalid("schedule (an object with start, recurrence and end) is required")
    start = parse_iso(schedule.get("start"))
    if start is None:
        raise _invalid("schedule.start must be an ISO 8601 date-time, got %r" % (schedule.get("start"),))
    stored = {"start": schedule["start"]}
    recurrence = schedule.get("recurrence")
    if recurrence is not None:
        if recurrence not in ("daily", "weekly", "monthly"):
            raise _invalid("schedule.recurrence must be daily, weekly or monthly, got %r" % (recurrence,))
        stored["recurrence"] = recurrence
    end = schedule.get("end")
    if end is not None:
        if not isinstance(end, dict) or end.get("type") not in ("date", "occurrences"):
            raise _invalid("schedule.end must be {\"type\": \"date\", \"date\": ...} or "
                           "{\"type\": \"occurrences\", \"occurrences\": ...}")
        if end["type"] == "date":
            try:
                date.fromisoformat(end.get("date") if isinstance(end.get("date"), str) else "")
            except ValueError:
                raise _invalid("schedule.end.date must be a date (YYYY-MM-DD), got %r" % (end.get("date"),)) from None
            if len(end["date"]) != 10:
                raise _invalid("schedule.end.date must be a date (YYYY-MM-DD), got %r" % (end["date"],))
            stored["end"] = {"type": "date", "date": end["date"]}
        else:
            count = end.get("occurrences")
            if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_OCCURRENCES:
                raise _invalid("schedule.end.occurrences must be an integer from 1 to %d, got %r"
                               % (MAX_OCCURRENCES, count))
            stored["end"] = {"type": "occurrences", "occurrences": count}
    return stored, start


def _add_months(moment, months):
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def occurrence(schedule, start, index):
    """The date-time of occurrence `index`, or None when the schedule has no such occurrence."""
    recurrence = schedule.get("recurrence")
    if recurrence is None:
        return start if index == 0 else None
    if recurrence == "monthly":
        return _add_months(start, index)
    return start + timedelta(days=RECURRENCES[recurrence] * index)


class ScheduledJob:
    def __init__(self, sid):
        self.sid = sid
        self.body = {}  # the definition: job fields, schedule, enabled (no read-only fields)
        self.start = None  # parsed schedule.start
        self.etag = None
        self.completed = False
        self.runs = []  # job ids of the instances, oldest first
        self.since_schedule = 0  # runs since the schedule was last set
        self.last_fired = None
        self.task = None

    def to_wire(self):
        wire = {"id": self.sid}
        wire.update(copy.deepcopy(self.body))
        wire["completed"] = self.completed
        wire["etag"] = self.etag
        return wire


class ScheduledJobs:
    def __init__(self, state, app):
        self._state = state
        self._app = app
        self.items = {}  # id -> ScheduledJob, in creation order

    # --- API operations ---------------------------------------------------------------------------------------
    def get(self, sid):
        item = self.items.get(sid)
        if item is None:
            raise central_error(404, "NotFound", "Scheduled job '%s' was not found." % sid)
        return item

    def _parse(self, body):
        if not isinstance(body, dict):
            raise _invalid("The request body must be a ScheduledJob object.")
        spec = parse_job(body, self._app)
        schedule, start = parse_schedule(body.get("schedule"))
        spec["schedule"] = schedule
        enabled = body.get("enabled", True)
        if enabled is None:
            enabled = True
        if not isinstance(enabled, bool):
            raise _invalid("enabled must be true or false")
        spec["enabled"] = enabled
        return spec, start

    @staticmethod
    def _check_etag(item, if_match):
        if if_match is not None and if_match != "*" and item is not None and if_match != item.etag:
            raise central_error(412, "PreconditionFailed", "The etag %s does not match the scheduled job's "
                                "current etag %s." % (if_match, item.etag))
        if if_match is not None and if_match != "*" and item is None:
            raise central_error(412, "PreconditionFailed", "If-Match was given but the scheduled job does not exist.")

    def _check_idle(self, item):
        jobs = self._app.jobs.jobs
        active = [jid for jid in item.runs if jid in jobs and jobs[jid].status in ACTIVE]
        if active:
            raise central_error(409, "JobInstanceRunning", "Scheduled job '%s' cannot be updated while its job "
                                "instance '%s' is %s." % (item.sid, active[-1], jobs[active[-1]].status))

    def put(self, sid, body, if_match=None):
        check_job_id(sid, "scheduled job id")
        item = self.items.get(sid)
        self._check_etag(item, if_match)
        spec, start = self._parse(body)
        if item is None:
            item = ScheduledJob(sid)
            self.items[sid] = item
        else:
            self._check_idle(item)
        self._apply(item, spec, start)
        return item

    def patch(self, sid, body, if_match=None, whole_objects=False):
        """A merge patch (RFC 7396); with whole_objects (the CLI's application/json body, contract.md 8), each
        top-level key the body names replaces the stored one whole, as the CLI's update expects of the service."""
        item = self.get(sid)
        self._check_etag(item, if_match)
        if not isinstance(body, dict):
            raise _invalid("The request body must be a JSON merge patch object.")
        body = {key: value for key, value in body.items() if key not in READ_ONLY}
        if whole_objects:
            merged = {key: value for key, value in dict(item.body, **body).items() if value is not None}
        else:
            merged = merge_patch(item.body, body)
        spec, start = self._parse(merged)
        self._check_idle(item)
        self._apply(item, spec, start)
        return item

    def delete(self, sid):
        item = self.get(sid)
        self._stop(item)
        del self.items[sid]

    def runs(self, sid):
        """The job instances of a scheduled job, newest first."""
        item = self.get(sid)
        jobs = self._app.jobs.jobs
        return [jobs[jid] for jid in reversed(item.runs) if jid in jobs]

    async def close(self):
        await cancel_tasks(self.items.values())
        self.items.clear()

    # --- the scheduler ----------------------------------------------------------------------------------------
    def _apply(self, item, spec, start):
        if spec["schedule"] != item.body.get("schedule"):
            item.since_schedule = 0
            item.completed = False
        item.body = spec
        item.start = start
        item.etag = '"%s"' % uuid.uuid4()
        self._stop(item)
        if spec["enabled"] and not item.completed:
            item.task = asyncio.get_running_loop().create_task(self._run(item), name="central schedule " + item.sid)

    @staticmethod
    def _stop(item):
        if item.task is not None and not item.task.done():
            item.task.cancel()
        item.task = None

    async def _run(self, item):
        clock = self._state.clock
        anchor = self._state.clock.now()
        if item.last_fired is not None and item.last_fired > anchor:
            anchor = item.last_fired  # emulated time ran ahead of the wall clock: never go back
        origin = clock.elapsed()
        schedule = item.body["schedule"]
        end = schedule.get("end") or {}
        end_date = date.fromisoformat(end["date"]) if end.get("type") == "date" else None
        index = 0
        try:
            while True:
                if end.get("type") == "occurrences" and item.since_schedule >= end["occurrences"]:
                    break
                moment = occurrence(schedule, item.start, index)
                if moment is None or (end_date is not None and moment.astimezone(timezone.utc).date() > end_date):
                    break
                index += 1
                if moment < anchor or (item.last_fired is not None and moment <= item.last_fired):
                    continue
                await clock.sleep_until(origin + (moment - anchor).total_seconds())
                self._fire(item, moment)
            item.completed = True
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not leave a half-run schedule behind silently
            LOG.exception("central scheduled job %s crashed", item.sid)

    def _fire(self, item, moment):
        item.last_fired = moment
        item.since_schedule += 1
        number = len(item.runs) + 1
        spec = {key: copy.deepcopy(value) for key, value in item.body.items() if key not in ("schedule", "enabled")}
        spec["displayName"] = "%s - %d" % (item.body.get("displayName") or item.sid, number)
        spec["scheduledJobId"] = item.sid
        jobs = self._app.jobs
        try:
            jobs._check_limit()
            members = [device.wire["id"] for device in self._app.group_members(spec["group"])]
        except ApiError as exc:
            LOG.warning("scheduled job %s: run %d skipped: %s", item.sid, number, exc.message)
            item.runs.append(None)
            return
        job = CentralJob(str(uuid.uuid4()), spec, members)
        jobs._start(job)
        item.runs.append(job.job_id)
