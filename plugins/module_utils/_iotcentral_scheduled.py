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
scheduled job is updated with one PATCH holding only what differs (a JSON merge patch, RFC 7396; the schedule is
sent whole, with null for what it no longer has), never replaced.
"""

from __future__ import annotations

import re
import time
from datetime import date

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, CollectionError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import (
    REQUEST_OPTIONS,
    CentralJob,
    check_job_request,
    get_resource,
    job_to_ansible,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import format_time, parse_time

SCHEDULED_JOBS_PATH = "/scheduledJobs"
SCHEDULED_JOB_PATH = "/scheduledJobs/{job_id}"
SCHEDULED_RUNS_PATH = "/scheduledJobs/{job_id}/jobs"
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}

RECURRENCES = ("daily", "weekly", "monthly")
MAX_OCCURRENCES = 999
# The options a task manages: the job request of iotcentral_job, the schedule and enabled.
MANAGED = REQUEST_OPTIONS + ("schedule", "enabled")
_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


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
    return get_resource(client, SCHEDULED_JOB_PATH, job_id)


def scheduled_job_runs(client, job_id):
    """The jobs a scheduled job started (newest first, as the application lists them), all pages, projected."""
    return [job_to_ansible(item) for item in client.iter_next_link(SCHEDULED_RUNS_PATH,
                                                                   path_params={"job_id": job_id})]


def find_scheduled_jobs(client, job_id=None, include_runs=False):
    """One scheduled job by id or all of them, projected, always a list; with include_runs each gets `runs`."""
    if job_id is not None:
        body = get_scheduled_job(client, job_id)
        bodies = [body] if body is not None else []
    else:
        bodies = list(client.iter_next_link(SCHEDULED_JOBS_PATH))
    found = []
    for body in bodies:
        item = scheduled_job_to_ansible(body)
        if include_runs:
            item["runs"] = scheduled_job_runs(client, item["job_id"])
        found.append(item)
    return found


# -- the schedule ------------------------------------------------------------------------------------------------

def _to_millisecond(moment):
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _check_start(value):
    moment = parse_time(value) if not _DATE_ONLY.match(str(value)) else None
    if moment is None:
        raise ValidationError("schedule.start must be an ISO 8601 date and time such as 2030-01-31T08:00:00Z (no "
                              "zone means UTC), got %r" % (value,))
    return _to_millisecond(moment)


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
        match = _DATE.match(str(end_date).strip())
        try:
            last = date(*(int(part) for part in match.groups())) if match else None
        except ValueError:
            last = None
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
    text = format_time(start, precise=bool(start.microsecond))
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


def replacement_patch(old, new):
    """A JSON merge patch that turns the object `old` into `new`: `new` in full, null for each key it dropped."""
    patch = dict(new)
    for key, value in (old or {}).items():
        if key not in new:
            patch[key] = None
        elif isinstance(value, dict) and isinstance(new[key], dict):
            patch[key] = replacement_patch(value, new[key])
    return patch


# -- iotcentral_scheduled_job ------------------------------------------------------------------------------------

class ScheduledJobTask(object):
    """What one iotcentral_scheduled_job task asks for; `from_params()` checks every option before any call."""

    def __init__(self, job_id, request, start=None, now=time.time):
        self.job_id = job_id
        self.request = request  # option name (MANAGED) -> normalised value; None = not managed
        self.start = start  # the parsed schedule.start, or None
        self._now = now

    @classmethod
    def from_params(cls, params, now=time.time):
        request = check_job_request(params["job_id"], params)
        schedule, start = check_schedule(params.get("schedule"))
        request.update(schedule=schedule, enabled=params.get("enabled"))
        return cls(params["job_id"], request, start, now)

    # -- comparing ---------------------------------------------------------------------------------------------

    def compare(self, existing):
        """(before, after, differences): the managed options of the existing scheduled job, the request laid over
        them, and the options that differ. A start naming the same instant keeps the service's spelling."""
        before = dict((key, existing.get(key)) for key in MANAGED)
        after = dict((key, before[key] if self.request.get(key) is None else self.request[key]) for key in MANAGED)
        schedule = self.request.get("schedule")
        if schedule is not None and before["schedule"]:
            existing_start = parse_time(before["schedule"].get("start"))
            if existing_start is not None and _to_millisecond(existing_start) == self.start:
                after["schedule"] = dict(schedule, start=before["schedule"]["start"])
        return before, after, [key for key in MANAGED if before[key] != after[key]]

    # -- bodies ------------------------------------------------------------------------------------------------

    def missing_for_create(self):
        return [key for key in ("group", "data", "schedule") if not self.request.get(key)]

    def create_body(self):
        body = CentralJob(self.job_id, self.request).request_body()
        body["schedule"] = schedule_to_api(self.request["schedule"])
        # Sent explicitly: the service's default is not documented (contract.md 4.5).
        body["enabled"] = True if self.request.get("enabled") is None else self.request["enabled"]
        return body

    def patch_body(self, existing_body, after, differences):
        """The merge patch of the differing options only."""
        changed = [key for key in REQUEST_OPTIONS if key in differences]
        partial = dict((key, after[key] if key in changed else None) for key in REQUEST_OPTIONS)
        # CentralJob.request_body() maps the job options to their API names; it always writes group and data.
        partial["data"] = partial["data"] or []
        patch = CentralJob(self.job_id, partial).request_body()
        if "group" not in changed:
            del patch["group"]
        if "data" not in changed:
            del patch["data"]
        if "schedule" in differences:
            patch["schedule"] = replacement_patch((existing_body or {}).get("schedule"),
                                                  schedule_to_api(after["schedule"]))
        if "enabled" in differences:
            patch["enabled"] = after["enabled"]
        return patch

    def past_start_warning(self):
        schedule = self.request.get("schedule")
        if schedule and schedule["recurrence"] is None and self.start.timestamp() < self._now():
            return ("scheduled job %r: schedule.start %s is in the past and the schedule has no recurrence, so it "
                    "will not run" % (self.job_id, schedule["start"]))
        return None


def predicted_after(existing, after, differences):
    """The scheduled job once the differing options are applied (check mode)."""
    return dict(existing, **dict((key, after[key]) for key in differences))


def _update_refused(err, job_id):
    details = err.to_fail_json()
    details.pop("msg", None)
    return CollectionError("cannot update scheduled job %r: IoT Central does not update a scheduled job while a job "
                           "it started is pending or running; wait for that job to end (iotcentral_scheduled_job_info "
                           "with include_runs lists them) and run the task again; the application answered: %s"
                           % (job_id, err.msg), **details)


class ScheduledJobState(object):
    """state=present / state=absent of one scheduled job, with check mode and diff. Returns the module result."""

    def __init__(self, client, task, check_mode=False, diff=False, warn=None):
        self.client = client
        self.task = task
        self.check_mode = check_mode
        self.diff = diff
        self.warn = warn or (lambda msg: None)

    def _result(self, changed, scheduled_job, before=None, **extra):
        result = dict(changed=changed, scheduled_job=scheduled_job or {}, **extra)
        if self.diff and changed:
            result["diff"] = {"before": before or {}, "after": scheduled_job or {}}
        return result

    def _answer(self, response, fallback):
        """The ScheduledJob a PUT/PATCH answered, else a GET's, else `fallback` (what was sent)."""
        if isinstance(response.body, dict) and response.body.get("id"):
            return response.body
        return get_scheduled_job(self.client, self.task.job_id) or fallback

    def present(self):
        task = self.task
        body = get_scheduled_job(self.client, task.job_id)
        if body is None:
            return self._create()
        existing = scheduled_job_to_ansible(body)
        before, after, differences = task.compare(existing)
        if not differences:
            return self._result(False, existing)
        patch = task.patch_body(body, after, differences)
        if self.check_mode:
            return self._result(True, predicted_after(existing, after, differences), before=existing,
                                differences=differences)
        try:
            response = self.client.request("PATCH", SCHEDULED_JOB_PATH, path_params={"job_id": task.job_id},
                                           json=patch, headers=MERGE_PATCH, idempotent=True)
        except ApiError as err:
            if err.status == 409:
                raise _update_refused(err, task.job_id) from err
            raise
        updated = self._answer(response, None)
        projected = scheduled_job_to_ansible(updated) if updated else predicted_after(existing, after, differences)
        return self._result(True, projected, before=existing, differences=differences)

    def _create(self):
        task = self.task
        missing = task.missing_for_create()
        if missing:
            raise ValidationError("scheduled job %r does not exist; to create it, give group, data and schedule "
                                  "(missing: %s)" % (task.job_id, ", ".join(missing)))
        warning = task.past_start_warning()
        if warning:
            self.warn(warning)
        body = task.create_body()
        if self.check_mode:
            return self._result(True, scheduled_job_to_ansible(dict(body, id=task.job_id, completed=False)))
        response = self.client.put(SCHEDULED_JOB_PATH, path_params={"job_id": task.job_id}, json=body)
        return self._result(True, scheduled_job_to_ansible(self._answer(response, dict(body, id=task.job_id))))

    def absent(self):
        job_id = self.task.job_id
        body = get_scheduled_job(self.client, job_id)
        if body is None:
            return self._result(False, {})
        existing = scheduled_job_to_ansible(body)
        if not self.check_mode:
            response = self.client.delete(SCHEDULED_JOB_PATH, path_params={"job_id": job_id}, ok=(200, 204),
                                          not_found_ok=True)
            if response.status == 404:  # deleted by someone else since the GET
                return self._result(False, {})
        return self._result(True, {}, before=existing)
