# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""IoT Central scheduled jobs (api-version 2022-07-31): paths, the schedule rules, the projection shared by
iotcentral_scheduled_job and iotcentral_scheduled_job_info, and get -> compare -> create / update / delete.

Facts from the REST contract (contract.md sections 4.2 and 4.5) and the swagger:
- GET|PUT|PATCH|DELETE /scheduledJobs/{id}, GET /scheduledJobs (paged), GET /scheduledJobs/{id}/jobs (the job
  instances a schedule started, each with scheduledJobId). PUT creates or replaces and answers 200; PATCH takes
  application/merge-patch+json only and answers 200; DELETE answers 204.
- ScheduledJob = the Job request fields (group and data required) + schedule (required) + enabled; id, completed
  read-only; etag. schedule = {start (date-time, required), recurrence: daily | weekly | monthly (absent: run once),
  end: {"type": "date", "date": "YYYY-MM-DD"} | {"type": "occurrences", "occurrences": 1..999}}.
- "update is not allowed if there are any active running job instances" (the scheduledjobs_update example).

A scheduled job is a definition, not a submitted job: everything the request sets can change, so an existing
scheduled job is updated with one PATCH holding only what differs, each option whole (the schedule without nulls), as
the CLI sends it (contract.md 8), never replaced. A GET that leaves out schedule.end (the docs' example does) cannot
be compared on it, and does not count as a difference.
"""

from __future__ import annotations

import time

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, CollectionError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import (
    LIST_PAGE,
    REQUEST_OPTIONS,
    check_job_request,
    job_to_ansible,
    request_body,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import Descriptor
from ansible_collections.azure_iot.jobs.plugins.module_utils._time import (
    format_iso,
    is_date_only,
    parse_date,
    parse_iso,
    to_millisecond,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import CENTRAL_ID, check_id

SCHEDULED_JOBS_PATH = "/scheduledJobs"
SCHEDULED_JOB_PATH = "/scheduledJobs/{job_id}"
SCHEDULED_RUNS_PATH = "/scheduledJobs/{job_id}/jobs"
# The update is sent as az iot central scheduled-job update sends it, whose live test passes against the service:
# application/json, each changed top-level option whole, no nulls inside the schedule (contract.md 8). (The spec
# lists merge-patch only; a merge patch would need nulls to drop schedule.end.)
WHOLE_OBJECTS_PATCH = {"Content-Type": "application/json"}

RECURRENCES = ("daily", "weekly", "monthly")
MAX_OCCURRENCES = 999
# The options a task manages: the job request of iotcentral_job, the schedule and enabled.
MANAGED = REQUEST_OPTIONS + ("schedule", "enabled")


# -- projection --------------------------------------------------------------------------------------------------

def schedule_to_ansible(schedule):
    """A JobSchedule -> {start, recurrence, end: {type, date, occurrences} or None}; every key always present."""
    schedule = schedule if isinstance(schedule, dict) else {}
    end = schedule.get("end")
    if isinstance(end, dict):
        end = {"type": end.get("type"), "date": end.get("date"), "occurrences": end.get("occurrences")}
    else:
        end = None
    return {"start": schedule.get("start"), "recurrence": schedule.get("recurrence"), "end": end}


def scheduled_job_to_ansible(body):
    """A ScheduledJob -> the scheduled_job dict of the modules (every key always present)."""
    body = body or {}
    job = job_to_ansible(body)
    out = {"job_id": body.get("id")}
    out.update((key, job[key]) for key in REQUEST_OPTIONS)
    out.update(schedule=schedule_to_ansible(body.get("schedule")), enabled=body.get("enabled"),
               completed=body.get("completed"), etag=body.get("etag"))
    return out


# -- reads -------------------------------------------------------------------------------------------------------

def get_scheduled_job(client, job_id):
    """The ScheduledJob body, or None when the application has no such scheduled job."""
    return client.get_or_none(SCHEDULED_JOB_PATH, path_params={"job_id": job_id})


def scheduled_job_runs(client, job_id):
    """The jobs a scheduled job started (newest first, as the application lists them), all pages, projected."""
    return [job_to_ansible(item) for item in client.iter_next_link(SCHEDULED_RUNS_PATH,
                                                                   path_params={"job_id": job_id},
                                                                   page_size=LIST_PAGE)]


def find_scheduled_jobs(client, job_id=None, include_runs=False):
    """One scheduled job by id or all of them, projected, always a list; with include_runs each gets `runs`."""
    if job_id is not None:
        body = get_scheduled_job(client, job_id)
        bodies = [body] if body is not None else []
    else:
        bodies = list(client.iter_next_link(SCHEDULED_JOBS_PATH, page_size=LIST_PAGE))
    found = []
    for body in bodies:
        item = scheduled_job_to_ansible(body)
        if include_runs:
            item["runs"] = scheduled_job_runs(client, item["job_id"])
        found.append(item)
    return found


# -- the schedule ------------------------------------------------------------------------------------------------

def _check_start(value):
    moment = parse_iso(value) if not is_date_only(str(value)) else None
    if moment is None:
        raise ValidationError("schedule.start must be an ISO 8601 date and time such as 2030-01-31T08:00:00Z (no "
                              "zone means UTC), got %r" % (value,))
    return to_millisecond(moment)


def _check_end(end, recurrence, start):
    if end is None:
        return None
    if recurrence is None:
        raise ValidationError("schedule.end needs schedule.recurrence: a schedule without recurrence runs once, at "
                              "schedule.start, and has nothing to end")
    kind, end_date, occurrences = end.get("type"), end.get("date"), end.get("occurrences")
    if kind == "date":
        if occurrences is not None:
            raise ValidationError("schedule.end.occurrences is only for end.type=occurrences, not with "
                                  "end.type=date")
        if not end_date:
            raise ValidationError("schedule.end.date is required with end.type=date (the last day the schedule "
                                  "may run, YYYY-MM-DD)")
        last = parse_date(end_date)
        if last is None:
            raise ValidationError("schedule.end.date must be a date as YYYY-MM-DD, got %r" % (end_date,))
        if last < start.date():
            raise ValidationError("schedule.end.date %s is before the day of schedule.start (%s): the schedule "
                                  "would never run" % (last.isoformat(), start.date().isoformat()))
        return {"type": "date", "date": last.isoformat(), "occurrences": None}
    if end_date is not None:
        raise ValidationError("schedule.end.date is only for end.type=date, not with end.type=occurrences")
    if occurrences is None:
        raise ValidationError("schedule.end.occurrences is required with end.type=occurrences (how many times the "
                              "job runs, 1 to %d)" % MAX_OCCURRENCES)
    if not 1 <= occurrences <= MAX_OCCURRENCES:
        raise ValidationError("schedule.end.occurrences must be from 1 to %d, got %d" % (MAX_OCCURRENCES, occurrences))
    return {"type": "occurrences", "date": None, "occurrences": occurrences}


def check_schedule(schedule):
    """The schedule option -> (normalised schedule in the projection's shape, parsed start); None when not given.

    The start is sent in UTC, to the second (or the millisecond when it has a fraction).
    """
    if schedule is None:
        return None, None
    start = _check_start(schedule.get("start"))
    recurrence = schedule.get("recurrence")
    end = _check_end(schedule.get("end"), recurrence, start)
    text = format_iso(start, precise=bool(start.microsecond))
    return {"start": text, "recurrence": recurrence, "end": end}, start


def schedule_to_api(schedule):
    """A normalised schedule -> JobSchedule (absent keys left out)."""
    body = {"start": schedule["start"]}
    if schedule.get("recurrence") is not None:
        body["recurrence"] = schedule["recurrence"]
    end = schedule.get("end")
    if end is not None:
        body["end"] = {key: value for key, value in end.items() if value is not None}
    return body


# -- iotcentral_scheduled_job: the descriptor -------------------------------------------------------------------

class ScheduledCentralJob(Descriptor):
    """One IoT Central scheduled job: a definition that can change, so a difference is a PATCH, not a conflict.

    `from_params()` checks every option before any call.
    """

    noun = "IoT Central scheduled job"
    result_key = "scheduled_job"
    mutable = True
    waits_after_remove = False

    def __init__(self, job_id, request, start=None, now=time.time):
        super(ScheduledCentralJob, self).__init__(job_id)
        self.request = request  # option name (MANAGED) -> normalised value; None = not managed
        self.start = start  # the parsed schedule.start, or None
        self._now = now
        # Whether the last answer read showed schedule.end: the docs' GET and list leave it out (contract.md 8).
        self._end_reported = True

    @classmethod
    def from_params(cls, params, now=time.time):
        job_id = check_id(params["job_id"], CENTRAL_ID)
        request = check_job_request(params)
        schedule, start = check_schedule(params.get("schedule"))
        request.update(schedule=schedule, enabled=params.get("enabled"))
        return cls(job_id, request, start, now)

    # -- comparing ---------------------------------------------------------------------------------------------

    def compare(self, job):
        """The managed options of the existing scheduled job and the request laid over them. A start naming the
        same instant keeps the service's spelling."""
        before = dict((key, job.get(key)) for key in MANAGED)
        after = dict((key, before[key] if self.request.get(key) is None else self.request[key]) for key in MANAGED)
        schedule = self.request.get("schedule")
        if schedule is not None and before["schedule"]:
            existing_start = parse_iso(before["schedule"].get("start"))
            if existing_start is not None and to_millisecond(existing_start) == self.start:
                after["schedule"] = dict(schedule, start=before["schedule"]["start"])
            if not self._end_reported:
                # The answer does not report the end, so it cannot be compared: not a difference (no flapping).
                after["schedule"] = dict(after["schedule"], end=before["schedule"].get("end"))
        return before, after

    # -- bodies ------------------------------------------------------------------------------------------------

    def create_body(self):
        body = request_body(self.request)
        body["schedule"] = schedule_to_api(self.request["schedule"])
        # Sent explicitly: the service's default is not documented (contract.md 4.5).
        body["enabled"] = True if self.request.get("enabled") is None else self.request["enabled"]
        return body

    def patch_body(self, after, differences):
        """The update of the differing options only, each whole (the schedule with no nulls inside)."""
        changed = [key for key in REQUEST_OPTIONS if key in differences]
        patch = request_body(dict((key, after[key] if key in changed else None) for key in REQUEST_OPTIONS))
        # request_body() always writes group and data.
        if "group" not in changed:
            del patch["group"]
        if "data" not in changed:
            del patch["data"]
        if "schedule" in differences:
            patch["schedule"] = schedule_to_api(after["schedule"])
        if "enabled" in differences:
            patch["enabled"] = after["enabled"]
        return patch

    # -- lifecycle hooks ---------------------------------------------------------------------------------------

    def get(self, client):
        body = get_scheduled_job(client, self.job_id)
        if body is None:
            return None
        self._end_reported = "end" in (body.get("schedule") or {})
        return scheduled_job_to_ansible(body)

    def before_create(self, client, warn):
        missing = [key for key in ("group", "data", "schedule") if not self.request.get(key)]
        if missing:
            raise ValidationError("scheduled job %r does not exist; to create it, give group, data and schedule "
                                  "(missing: %s)" % (self.job_id, ", ".join(missing)))
        schedule = self.request["schedule"]
        if schedule["recurrence"] is None and self.start.timestamp() < self._now():
            warn("scheduled job %r: schedule.start %s is in the past and the schedule has no recurrence, so it "
                 "will not run" % (self.job_id, schedule["start"]))
        return {}

    def predict(self, client):
        return scheduled_job_to_ansible(dict(self.create_body(), id=self.job_id, completed=False)), {}

    def _answer(self, client, response, fallback):
        """The ScheduledJob a PUT/PATCH answered, else a GET's, else `fallback` (what was sent)."""
        if isinstance(response.body, dict) and response.body.get("id"):
            return response.body
        return get_scheduled_job(client, self.job_id) or fallback

    def create(self, client):
        body = self.create_body()
        response = client.put(SCHEDULED_JOB_PATH, path_params={"job_id": self.job_id}, json=body)
        return scheduled_job_to_ansible(self._answer(client, response, dict(body, id=self.job_id)))

    def update(self, client, job, before, after, differences):
        patch = self.patch_body(after, differences)
        try:
            response = client.request("PATCH", SCHEDULED_JOB_PATH, path_params={"job_id": self.job_id}, json=patch,
                                      headers=WHOLE_OBJECTS_PATCH, idempotent=True)
        except ApiError as err:
            if err.status == 409:
                raise CollectionError(
                    "cannot update scheduled job %r: IoT Central does not update a scheduled job while a job it "
                    "started is pending or running; wait for that job to end (iotcentral_scheduled_job_info with "
                    "include_runs lists them) and run the task again; the application answered: %s"
                    % (self.job_id, err.msg), **err.details()) from err
            raise
        updated = self._answer(client, response, None)
        if updated:
            return scheduled_job_to_ansible(updated)
        return dict(job, **dict((key, after[key]) for key in differences))

    def predict_removed(self, job):
        return {}

    def remove(self, client, job):
        # None when someone else deleted it since the GET: no change.
        return {} if client.delete_if_exists(SCHEDULED_JOB_PATH, path_params={"job_id": self.job_id}) else None
