# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""IoT Central data plane (https://<app>/api, api-version 2022-07-31): job paths, id rule, projections (API
camelCase -> Ansible snake_case) and the get/list calls.

Facts from the REST contract (contract.md section 4):
- GET /jobs lists jobs as {"value": [Job], "nextLink"}; GET /jobs/{id} answers one Job (an unknown id: 404 with
  {"error": {"code", "message", "requestId", "time"}}); GET /jobs/{id}/devices lists {"id", "status"} per device,
  paged the same way.
- Job status: pending, running, stopped, complete (not "completed"), failed, cancelled; device status: pending,
  completed, failed.
- JobData "type" is property, command, cloudProperty or deviceTemplateMigration.
"""

from __future__ import annotations

import math
import re

from ansible_collections.azure_iot.jobs.plugins.module_utils._client import PageSize
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import (
    ApiError,
    TransportError,
    ValidationError,
    after_own_attempt,
    is_ambiguous,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import Descriptor, Lifecycle
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import CENTRAL_ID, check_id

API_VERSION = "2022-07-31"

JOBS_PATH = "/jobs"
JOB_PATH = "/jobs/{job_id}"
JOB_DEVICES_PATH = "/jobs/{job_id}/devices"
JOB_STOP_PATH = "/jobs/{job_id}/stop"
JOB_RESUME_PATH = "/jobs/{job_id}/resume"
JOB_RERUN_PATH = "/jobs/{job_id}/rerun/{rerun_id}"
GROUP_DEVICES_PATH = "/deviceGroups/{group_id}/devices"

# Lists ask for 100 items a page (query parameter maxpagesize): "minimum": 1, "maximum": 100 in the MaxPageSize
# parameter of the IoT Central data-plane spec 2022-10-31-preview (Azure/azure-rest-api-specs specification/
# iotcentral/data-plane/Microsoft.IoTCentral/preview/2022-10-31-preview/iotcentral.json, vendored in
# tests/fixtures/specs), on Jobs_List, ScheduledJobs_List, ScheduledJobs_ListJobs, DeviceGroups_GetDevices and
# Devices_List; api-version 2022-07-31, which these modules call, documents no page size on any list, nor does any
# version on Jobs_GetDevices. Sent everywhere, it costs nothing where the service ignores it; a 400 naming it makes
# the client drop it (the service's own page) for the rest of the run.
LIST_PAGE = PageSize("maxpagesize", 100)

JOB_STATUSES = ("pending", "running", "stopped", "complete", "failed", "cancelled")
TERMINAL = frozenset(("complete", "failed", "cancelled"))
DEVICE_STATUSES = ("pending", "completed", "failed")

DATA_TYPE_TO_API = {"property": "property", "command": "command", "cloud_property": "cloudProperty",
                    "device_template_migration": "deviceTemplateMigration"}
DATA_TYPE_FROM_API = dict((v, k) for k, v in DATA_TYPE_TO_API.items())
# Answers may name the types in their long form, as the spec's model names do (contract.md 8).
DATA_TYPE_FROM_API.update({"PropertyJobData": "property", "CommandJobData": "command",
                           "CloudPropertyJobData": "cloud_property",
                           "DeviceTemplateMigrationJobData": "device_template_migration"})
# IoT Central runs at most this many jobs at the same time (contract.md 4).
MAX_RUNNING_JOBS = 5


def _limit_to_ansible(limit, with_batch=False):
    if not isinstance(limit, dict):
        return None
    out = {"type": limit.get("type"), "value": limit.get("value")}
    if with_batch:
        out["batch"] = bool(limit.get("batch", False))
    return out


def data_to_ansible(item):
    """One JobData -> {type (snake_case), target, path, value, template}; every key always present."""
    item = item or {}
    return {
        "type": DATA_TYPE_FROM_API.get(item.get("type"), item.get("type")),
        "target": item.get("target"),
        "path": item.get("path"),
        "value": item.get("value"),
        "template": item.get("template"),
    }


def job_to_ansible(body):
    """A Job -> the job dict of the iotcentral modules (every key always present)."""
    body = body or {}
    progress = body.get("progress") if isinstance(body.get("progress"), dict) else {}
    return {
        "job_id": body.get("id"),
        "display_name": body.get("displayName"),
        "description": body.get("description"),
        "group": body.get("group"),
        "status": body.get("status"),
        "batch": _limit_to_ansible(body.get("batch")),
        "cancellation_threshold": _limit_to_ansible(body.get("cancellationThreshold"), with_batch=True),
        "data": [data_to_ansible(item) for item in body.get("data") or []],
        "organizations": body.get("organizations"),
        "scheduled_job_id": body.get("scheduledJobId"),
        "start_time": body.get("start"),
        "end_time": body.get("end"),
        "progress": {key: progress.get(key) for key in ("total", "pending", "completed", "failed")},
    }


def device_status_to_ansible(item):
    item = item or {}
    return {"device_id": item.get("id"), "status": item.get("status")}


def get_job(client, job_id):
    """The Job body, or None when the application has no such job."""
    return client.get_or_none(JOB_PATH, path_params={"job_id": job_id})


def list_jobs(client):
    """Every Job of the application, all pages (nextLink)."""
    return list(client.iter_next_link(JOBS_PATH, page_size=LIST_PAGE))


def iter_job_devices(client, job_id, statuses=None):
    """The per-device statuses of a job, page by page, optionally only those in `statuses`, projected."""
    wanted = set(statuses or ())
    for item in client.iter_next_link(JOB_DEVICES_PATH, path_params={"job_id": job_id}, page_size=LIST_PAGE):
        if not wanted or item.get("status") in wanted:
            yield device_status_to_ansible(item)


def job_devices(client, job_id, statuses=None):
    """The per-device statuses of a job as a list (see iter_job_devices)."""
    return list(iter_job_devices(client, job_id, statuses))


def _file_rows(job_id, devices):
    """The lines of device_results_dest carry the job id: one file may hold the devices of every job listed."""
    for device in devices:
        yield dict(job_id=job_id, **device)


def find_jobs(client, job_id=None, include_devices=False, device_status=None, results_file=None):
    """One job by id or all jobs, projected, always a list; with include_devices each job gets `devices`, or, given
    a `results_file` (_results_file.JsonLinesFile), they are written there and the job gets `device_result_counts`."""
    if job_id is not None:
        body = get_job(client, job_id)
        bodies = [body] if body is not None else []
    else:
        bodies = list_jobs(client)
    jobs = []
    for body in bodies:
        job = job_to_ansible(body)
        if include_devices:
            devices = iter_job_devices(client, job["job_id"], device_status)
            if results_file is None:
                job["devices"] = list(devices)
            else:
                job["device_result_counts"] = results_file.write(_file_rows(job["job_id"], devices))
        jobs.append(job)
    return jobs


# -- iotcentral_job: the descriptor and the lifecycle with stop, resume and rerun --------------------------------

STOPPABLE = frozenset(("pending", "running"))
BUSY_CODES = frozenset(("TooManyRunningJobs",))
REFUSED_CODES = frozenset(("InvalidJobState", "NoFailedDevices"))
REQUEST_OPTIONS = ("display_name", "description", "group", "data", "batch", "cancellation_threshold",
                   "organizations")
_ORGANIZATION = re.compile(r"^(?!-)[a-z0-9-]{1,48}[a-z0-9]$")


def _number(value):
    """20.0 -> 20 (the service echoes what it got; integers read better and compare the same)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _check_limit(option, limit, with_batch=False):
    """A batch size or a cancellation threshold: a number of devices is whole and at least 1; a percentage is in
    (0, 100]."""
    if limit is None:
        return None
    value = limit.get("value")
    if value is None or not math.isfinite(value) or value <= 0:
        raise ValidationError("%s.value must be greater than 0, got %s" % (option, value))
    if limit.get("type") == "percentage" and value > 100:
        raise ValidationError("%s.value is a percentage and must be at most 100, got %s" % (option, _number(value)))
    if limit.get("type") == "number" and not float(value).is_integer():
        raise ValidationError("%s.value is a number of devices and must be a whole number, got %s" % (option, value))
    out = {"type": limit.get("type"), "value": _number(value)}
    if with_batch:
        out["batch"] = bool(limit.get("batch"))
    return out


def _check_data(items):
    if not items:
        raise ValidationError("data must hold at least one item (what the job does on each device)")
    out = []
    for index, item in enumerate(items):
        name = "data[%d]" % index
        kind = item.get("type")
        if kind == "device_template_migration":
            extra = [key for key in ("target", "path", "value") if item.get(key) is not None]
            if extra:
                raise ValidationError("%s: a device_template_migration item takes only template, not %s"
                                      % (name, ", ".join(extra)))
            if not item.get("template"):
                raise ValidationError("%s.template is required for a device_template_migration item (the id of the "
                                      "device template to migrate the devices to)" % name)
        else:
            if item.get("template") is not None:
                raise ValidationError("%s.template is only for a device_template_migration item; a %s item takes "
                                      "target, path and value" % (name, kind))
            for key, what in (("target", "the device template id"), ("path", "name or component.name")):
                if not item.get(key):
                    raise ValidationError("%s.%s is required for a %s item (%s)" % (name, key, kind, what))
            if kind != "command" and item.get("value") is None:
                raise ValidationError("%s.value is required for a %s item" % (name, kind))
        out.append({"type": kind, "target": item.get("target"), "path": item.get("path"),
                    "value": item.get("value"), "template": item.get("template")})
    kinds = sorted(set(item["type"] for item in out))
    if len(kinds) > 1:
        raise ValidationError("all data items must have the same type, got %s" % " and ".join(kinds))
    return out


def _data_to_api(item):
    if item["type"] == "device_template_migration":
        return {"type": DATA_TYPE_TO_API[item["type"]], "template": item["template"]}
    body = {"type": DATA_TYPE_TO_API[item["type"]], "target": item["target"], "path": item["path"]}
    if item["value"] is not None:
        body["value"] = item["value"]
    return body


def check_job_request(params):
    """The job request options in params (group, data, batch, cancellation_threshold, organizations, ...) checked
    and normalised, none of them required (None = not given). Shared with the scheduled-job modules."""
    request = {key: params.get(key) for key in REQUEST_OPTIONS}
    if request["group"] is not None:
        check_id(request["group"], CENTRAL_ID, "group")
    if request["data"] is not None:
        request["data"] = _check_data(request["data"])
    request["batch"] = _check_limit("batch", request["batch"])
    request["cancellation_threshold"] = _check_limit("cancellation_threshold", request["cancellation_threshold"],
                                                     with_batch=True)
    organizations = request["organizations"]
    if organizations is not None:
        if len(organizations) != 1:
            raise ValidationError("organizations takes exactly one organization id, got %d" % len(organizations))
        if not _ORGANIZATION.match(organizations[0]):
            raise ValidationError("organizations[0] %r is not an organization id: 2 to 50 lower-case letters, digits "
                                  "and '-', not starting with '-' nor ending with '-'" % organizations[0])
    return request


def request_body(request):
    """A normalised job request -> the Job body of PUT /jobs/{id} (group and data always written)."""
    body = {"group": request["group"], "data": [_data_to_api(item) for item in request["data"] or []]}
    for option, key in (("display_name", "displayName"), ("description", "description"), ("batch", "batch"),
                        ("cancellation_threshold", "cancellationThreshold"), ("organizations", "organizations")):
        if request.get(option) is not None:
            body[key] = request[option]
    return body


def count_group_devices(client, group_id):
    """How many devices a device group holds now (GET /deviceGroups/{id}/devices, every page)."""
    try:
        devices = client.iter_next_link(GROUP_DEVICES_PATH, path_params={"group_id": group_id}, page_size=LIST_PAGE)
        return sum(1 for _device in devices)
    except ApiError as err:
        if err.status != 404:
            raise
        raise ValidationError("group %r: the application has no such device group" % group_id,
                              **err.details()) from err


def _answered_job(client, response, job_id, fallback):
    """The Job a PUT answered, else a GET's, else `fallback` (the service may answer with no body)."""
    if isinstance(response.body, dict) and response.body.get("id"):
        return response.body
    return get_job(client, job_id) or fallback


def count_device_statuses(client, job_id):
    """{"total", "pending", "completed", "failed"} of a job, from its device list (for answers without progress)."""
    progress = {"total": 0, "pending": 0, "completed": 0, "failed": 0}
    for item in client.iter_next_link(JOB_DEVICES_PATH, path_params={"job_id": job_id}, page_size=LIST_PAGE):
        progress["total"] += 1
        if item.get("status") in progress:
            progress[item["status"]] += 1
    return progress


def application_is_busy(client):
    """Whether the application runs as many jobs as it may (pending or running), read from its job list."""
    return sum(1 for body in list_jobs(client) if body.get("status") in STOPPABLE) >= MAX_RUNNING_JOBS


class CentralJob(Descriptor):
    """One IoT Central job; `from_params()` validates every option before any call."""

    noun = "IoT Central job"
    terminal = TERMINAL
    paused = frozenset(("stopped",))
    busy_when_conflict_leaves_no_job = True

    def __init__(self, job_id, request=None, rerun_id=None):
        super(CentralJob, self).__init__(job_id)
        self.request = request or {}  # option name -> normalised value; None = not given
        self.rerun_id = rerun_id

    @property
    def has_request(self):
        return any(self.request.get(key) is not None for key in REQUEST_OPTIONS)

    @classmethod
    def from_params(cls, params):
        job_id = check_id(params["job_id"], CENTRAL_ID)
        state = params.get("state") or "present"
        rerun = params.get("rerun")
        if rerun is not None:
            check_id(rerun, CENTRAL_ID, "rerun")
            if rerun == job_id:
                raise ValidationError("rerun must differ from job_id: the rerun is a new job, %r reruns the failed "
                                      "devices of job %r" % (rerun, job_id))
            if state != "present":
                raise ValidationError("rerun works with state=present only, got state=%s" % state)
            given = [key for key in REQUEST_OPTIONS if params.get(key) is not None]
            if given:
                raise ValidationError("rerun reruns the failed devices of the existing job %r with its own request: "
                                      "leave out %s" % (job_id, ", ".join(given)))
            return cls(job_id, rerun_id=rerun)
        if state == "present":
            missing = [key for key in ("group", "data") if not params.get(key)]
            if missing:
                raise ValidationError("state=present needs %s to create the job: group is the id of the device "
                                      "group the job targets, data what it does on each device"
                                      % " and ".join(missing))
        return cls(job_id, check_job_request(params))

    # -- the request -----------------------------------------------------------------------------------------

    def compare(self, job):
        before = {key: job.get(key) for key in REQUEST_OPTIONS}
        after = dict((key, before[key] if self.request.get(key) is None else self.request[key])
                     for key in REQUEST_OPTIONS)
        return before, after

    def get(self, client):
        body = get_job(client, self.job_id)
        return job_to_ansible(body) if body is not None else None

    def create(self, client):
        body = request_body(self.request)
        response = client.put(JOB_PATH, path_params={"job_id": self.job_id}, json=body)
        return job_to_ansible(_answered_job(client, response, self.job_id,
                                            dict(body, id=self.job_id, status="pending")))

    def predict(self, client):
        targeted = count_group_devices(client, self.request["group"])
        job = job_to_ansible(dict(request_body(self.request), id=self.job_id, status="pending",
                                  progress={"total": targeted, "pending": targeted, "completed": 0, "failed": 0}))
        return job, {"targeted_devices": targeted}

    @staticmethod
    def is_duplicate(err):
        return isinstance(err, ApiError) and err.status == 409 and err.code not in BUSY_CODES | REFUSED_CODES

    @staticmethod
    def is_busy(err):
        return isinstance(err, ApiError) and err.code in BUSY_CODES

    def busy_message(self, err):
        return ("job %r: the application already runs as many jobs as it may at once (IoT Central runs at most 5 "
                "at the same time); wait for a job to end or stop one, then run the task again (%s)"
                % (self.job_id, err.msg))

    def missing_message(self, action):
        return ("cannot %s job %r: the application has no such job (create it with state=present)"
                % (action, self.job_id))

    # -- reading a job ---------------------------------------------------------------------------------------

    @staticmethod
    def counts(job):
        """(failed, completed, total) devices from the job's progress."""
        progress = job.get("progress") or {}
        return progress.get("failed"), progress.get("completed"), progress.get("total")

    def failed_devices(self, client, job):
        if self.counts(job)[0] == 0:
            return []
        return job_devices(client, self.job_id, ["failed"])

    def settle(self, client, job):
        if (job.get("progress") or {}).get("total") is not None:
            return job
        return dict(job, progress=count_device_statuses(client, self.job_id))

    def failed_count(self, client, job):
        """How many devices failed: from progress, or from the device list when the answer carries none."""
        failed = self.counts(job)[0]
        if failed is None:
            failed = count_device_statuses(client, self.job_id)["failed"]
        return failed

    def cancelled_message(self, job):
        failed, completed, total = self.counts(job)
        threshold = job.get("cancellation_threshold") or {}
        if threshold:
            limit = "%s%s%s" % (threshold.get("value"), "%" if threshold.get("type") == "percentage" else " devices",
                                " per batch" if threshold.get("batch") else " of the job")
            return ("job %r was cancelled: its cancellation threshold (%s) stopped it after %s of %s devices failed "
                    "(%s completed, %s still pending); see device_results"
                    % (self.job_id, limit, failed, total, completed, (job.get("progress") or {}).get("pending")))
        return "job %r was cancelled before it completed (%s of %s devices failed)" % (self.job_id, failed, total)


class CentralLifecycle(Lifecycle):
    """IoT Central jobs can also be stopped, resumed and rerun for their failed devices."""

    def _existing(self, action):
        job = self._required(action)
        if self.job.has_request:
            self._check_same(job)
        return job

    def _refused(self, job, action, err=None):
        if action == "stop":
            msg = ("cannot stop job %r: it is %s; IoT Central stops only a pending or running job"
                   % (self.job.job_id, job.get("status")))
        elif action == "resume":
            msg = ("cannot resume job %r: it is %s; IoT Central resumes only a stopped job (a finished job can be "
                   "rerun for its failed devices with rerun)" % (self.job.job_id, job.get("status")))
        else:
            msg = ("cannot rerun job %r: it is %s; IoT Central reruns only a complete, failed or cancelled job"
                   % (self.job.job_id, job.get("status")))
        if err is not None:
            msg += "; the application answered: %s" % err.msg
        return self._failure(msg, job=job, err=err)

    def _settleable(self, err, job):
        """Whether a failed stop, resume or rerun was refused (400, 409); a lost answer is settled by the job's state
        as well. A busy application, and any other error, is raised here."""
        if isinstance(err, ApiError) and self.job.is_busy(err):
            raise self._failure(self.job.busy_message(err), job=job, err=err) from err
        refused = isinstance(err, ApiError) and err.status in (400, 409)
        if not refused and not is_ambiguous(err):
            raise err
        return refused

    @staticmethod
    def _at(job, state):
        """Whether the job is where a stop (stopped) or a resume (pending, running or already ended) leaves it."""
        status = job.get("status")
        return status == "stopped" if state == "stopped" else status in STOPPABLE | TERMINAL

    def transition(self, state):
        """state "stopped" (stop a pending or running job) or "running" (resume a stopped job)."""
        action = "stop" if state == "stopped" else "resume"
        job = self._existing(action)
        status = job.get("status")
        finished = status in TERMINAL
        if finished:
            # "Stop it if it runs" / "resume it if stopped": a job that has ended satisfies both; the service would
            # refuse the call anyway.
            self.warn("job %r has already ended (it is %s): nothing to %s, and IoT Central would refuse to %s it"
                      % (self.job.job_id, status, action, action))
        if finished or self._at(job, state):
            result = self._result(False, job)
            if state == "running" and self.wait.wait and not self.check_mode:
                self.wait_done(result, job, self._deadline())
            return result
        if status not in (STOPPABLE if state == "stopped" else ("stopped",)):
            raise self._refused(job, action)
        if self.check_mode:
            return self._result(True, dict(job, status=state), before=job)
        deadline = self._deadline()
        changed = True
        try:
            # Stopping a stopped job (or resuming a running one) changes nothing, so the client may retry the call.
            self.client.post(JOB_STOP_PATH if state == "stopped" else JOB_RESUME_PATH,
                             path_params={"job_id": self.job.job_id}, ok=(200, 202, 204), idempotent=True)
        except (ApiError, TransportError) as err:
            refused = self._settleable(err, job)
            # A refusal after a retry (the first call's answer was lost) or a lost answer: the job's state decides,
            # and for a resume that did not happen, whether the application runs as many jobs as it may.
            current = self.job.get(self.client)
            if current is None or not self._at(current, state):
                if state == "running" and refused and application_is_busy(self.client):
                    raise self._failure(self.job.busy_message(err), job=current or job, err=err) from err
                raise self._refused(current or job, action, err) from err
            changed = is_ambiguous(err) or after_own_attempt(err)
        after = self.job.get(self.client) or dict(job, status=state)
        result = self._result(changed, after, before=job)
        if state == "running" and self.wait.wait:
            self.wait_done(result, after, deadline)
        return result

    def rerun(self):
        """Rerun the failed devices of a finished job as a new job (the rerun id); an existing rerun is no change."""
        target = CentralLifecycle(self.client, CentralJob(self.job.rerun_id), check_mode=self.check_mode,
                                  diff=self.diff, wait=self.wait, fail_on_device_failures=self.fail_on_device_failures,
                                  warn=self.warn, clock=self._clock, sleep=self._sleep)
        existing = target.job.get(self.client)
        if existing is not None:
            result = self._result(False, existing)
            if self.wait.wait and not self.check_mode:
                target.wait_done(result, existing, self._deadline())
            return result
        job = self._existing("rerun")
        if job.get("status") not in TERMINAL:
            raise self._refused(job, "rerun")
        failed = self.job.failed_count(self.client, job)
        if not failed:
            self.warn("job %r has no failed devices: nothing to rerun" % self.job.job_id)
            return self._result(False, job)
        if self.check_mode:
            predicted = dict(job, job_id=self.job.rerun_id, status="pending", start_time=None, end_time=None,
                             scheduled_job_id=None,
                             progress={"total": failed, "pending": failed, "completed": 0, "failed": 0})
            return self._result(True, predicted, targeted_devices=failed)
        deadline = self._deadline()
        created, changed = self._start_rerun(target, job)
        if created is None:
            return self._result(False, job)
        result = self._result(changed, created)
        if self.wait.wait:
            target.wait_done(result, created, deadline)
        return result

    def _start_rerun(self, target, job):
        """(the rerun job as created or as found after a lost answer, changed); (None, False) when the service has
        nothing to rerun."""
        rerun_id = self.job.rerun_id
        try:
            response = self.client.put(JOB_RERUN_PATH, path_params={"job_id": self.job.job_id, "rerun_id": rerun_id})
        except (ApiError, TransportError) as err:
            refused = self._settleable(err, job)
            # Made by this task's earlier attempt (its answer was lost) or by another run?
            created = target.job.get(self.client)
            if created is not None:
                return created, is_ambiguous(err) or after_own_attempt(err)
            if not refused:
                raise
            # IoT Central names none of the other refusals with a documented code (contract.md 8): the state says
            # which it was, in the order the service checks them.
            current = self.job.get(self.client) or job
            if current.get("status") not in TERMINAL:
                raise self._refused(current, "rerun", err) from err
            if not self.job.failed_count(self.client, current):
                self.warn("job %r has no failed devices: nothing to rerun" % self.job.job_id)
                return None, False
            if application_is_busy(self.client):
                raise self._failure(self.job.busy_message(err), job=job, err=err) from err
            raise self._refused(current, "rerun", err) from err
        answered = _answered_job(self.client, response, rerun_id, {"id": rerun_id, "status": "pending"})
        return job_to_ansible(answered), True
