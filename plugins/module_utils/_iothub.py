# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""IoT Hub data plane: paths, api-version, projections (API camelCase <-> Ansible snake_case) and the descriptor of
a scheduled job for the generic job engine (_job.py).

Facts from the REST contract (api-version 2021-04-12):
- PUT /jobs/v2/{id} creates; the answer may be a full JobResponse or only {"jobId", "type", "status"}; a second PUT
  of the same id answers 409 JobAlreadyExists.
- GET /jobs/v2/{id} of an unknown id answers 404 JobNotFound or 200 {"type": "unknown", "status": "unknown"}.
- POST /jobs/v2/{id}/cancel cancels a queued/scheduled job; a running or finished job answers
  405 OperationNotAllowedInCurrentState.
- GET /jobs/v2/query lists jobs (filters jobType, jobStatus), POST /devices/query runs twin and devices.jobs
  queries; both page with the x-ms-continuation header.
"""

from __future__ import annotations

import json
import re
from itertools import islice
from datetime import timedelta

from ansible_collections.azure_iot.jobs.plugins.module_utils._client import PageSize
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import Descriptor
from ansible_collections.azure_iot.jobs.plugins.module_utils._poll_plan import Reading
from ansible_collections.azure_iot.jobs.plugins.module_utils._time import format_iso, iso_to_second, parse_iso, utcnow
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import (
    HUB_JOB_ID,
    NEW_HUB_JOB_ID,
    check_id,
    check_positive,
    check_range,
)

API_VERSION = "2021-04-12"

JOB_PATH = "/jobs/v2/{job_id}"
JOB_CANCEL_PATH = "/jobs/v2/{job_id}/cancel"
JOBS_QUERY_PATH = "/jobs/v2/query"
DEVICES_QUERY_PATH = "/devices/query"

# Queries (POST /devices/query, GET /jobs/v2/query) ask for 1,000 rows a page (x-ms-max-item-count). The REST
# reference documents no number ("The maximum number of items returned per page. The service may use a different
# value if the value specified is not acceptable.": service.json Query_GetTwins, learn.microsoft.com/rest/api/iothub/
# service/query/get-twins); 1,000 is the largest page any official source asks for or states: the Azure CLI lists
# twins and module twins with `top=1000` sent as x-ms-max-item-count and pages on "In case requested count is >
# service max page size" (Azure/azure-iot-cli-extension azext_iot/operations/hub.py and generic.py, commit
# a42f57ae26b9ec7fc46446fae778c6de35cb94e2), and GET /devices reads a `top` outside 1-1000 as 1000 (service.json
# Devices_GetDevices; "Maximum number of device identities returned in a single call: 1,000", IoT Hub limits). A 400
# naming the header makes the client fall back to 100, the page the azure-iot-hub SDK asks for (contract.md 2.7).
QUERY_PAGE = PageSize("x-ms-max-item-count", 1000, 100)

TYPE_TO_API = {"update_twin": "scheduleUpdateTwin", "device_method": "scheduleDeviceMethod"}
TYPE_FROM_API = dict((v, k) for k, v in TYPE_TO_API.items())

# Job status on the wire (double-L "cancelled"); device status in devices.jobs rows uses single-L "canceled".
JOB_STATUSES = ("queued", "scheduled", "enqueued", "running", "completed", "failed", "cancelled", "unknown")
TERMINAL = frozenset(("completed", "failed", "cancelled"))
NOT_STARTED = frozenset(("queued", "scheduled", "enqueued"))
DEVICE_STATUSES = ("pending", "scheduled", "running", "completed", "failed", "canceled")

MAX_SCHEDULE_AHEAD = timedelta(hours=168)
# A start_time this far in the past is still taken for "now" (the clocks of this machine and the hub differ a little).
CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_MAX_EXECUTION_TIME = 3600
CONNECT_TIMEOUT_RANGE = (0, 300)
RESPONSE_TIMEOUT_RANGE = (5, 300)
DEFAULT_CONNECT_TIMEOUT = 0
DEFAULT_RESPONSE_TIMEOUT = 30
MAX_METHOD_PAYLOAD = 128 * 1024
COUNT_ALIAS = "numberOfDevices"
# IoT Hub refuses a query of more than about 8,200 characters with 412 PreconditionFailed ("a query limit for Azure IoT
# hub, which is around 8200 Bytes, i.e. 8200 characters", Azure/azure-iot-sdk-csharp#1680, 2021-01-18; contract.md 1.4
# and 1.5). The figure is approximate, so every statement this collection sends stays within MAX_QUERY_LENGTH, 200
# under it. The longest one a query option goes into is the device count (check mode, and before a create), so the
# condition itself may have at most MAX_QUERY_LENGTH - len(QUERY_WRAPPER) = 7947 characters (as a job's queryCondition
# it is sent bare, shorter still).
MAX_QUERY_LENGTH = 8000
QUERY_WRAPPER = "SELECT COUNT() AS %s FROM devices WHERE " % COUNT_ALIAS
MAX_CONDITION_LENGTH = MAX_QUERY_LENGTH - len(QUERY_WRAPPER)

# Error codes by name (iothub-errorcode header, "ErrorCode:Name;..." messages) and by number (JSON-in-string bodies).
EXISTS_CODES = ("JobAlreadyExists", "409104")
NOT_ALLOWED_CODES = ("OperationNotAllowedInCurrentState", "405102")
BUSY_CODES = ("ThrottlingMaxActiveJobCountExceeded", "429004", "JobQuotaExceeded", "403003")


# --- validation and normalisation -----------------------------------------------------------------------------

def _scan_query(text):
    """Collapse whitespace outside string literals; return (text, unterminated)."""
    out, i, n, quote = [], 0, len(text), None
    while i < n:
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif ch == quote:
                if i + 1 < n and text[i + 1] == quote:  # a doubled quote stays inside the literal
                    out.append(quote)
                    i += 1
                else:
                    quote = None
        elif ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            if ch in "'\"":
                quote = ch
            out.append(ch)
        i += 1
    return "".join(out).strip(), quote is not None


_WHERE = re.compile(r"^where\b\s*", re.IGNORECASE)
_SELECT_PREFIX = re.compile(r"^select\s+\*\s+from\s+devices\s+where\s+", re.IGNORECASE)


def normalize_query(query, strict=True, option="query"):
    """A job's queryCondition: "*" for all devices, else the WHERE condition with whitespace normalised.

    With strict=False (a condition read back from the hub) nothing is rejected; a message names `option`.
    """
    if query is None:
        return "*"
    text, unterminated = _scan_query(query)
    if not strict:
        text = _SELECT_PREFIX.sub("", text)
    text = _WHERE.sub("", text)
    if text == "*" or (not strict and not text):
        return "*"
    if not strict:
        return text
    if not query.strip():
        raise ValidationError(option + " must not be empty: omit it or use '*' to target all devices")
    if not text:
        raise ValidationError(option + " has nothing after WHERE: give a condition such as tags.ring = 'canary'")
    if re.match(r"select\b", text, re.IGNORECASE):
        raise ValidationError(option + " must be the condition only (such as tags.ring = 'canary'), not a SELECT "
                              "statement: IoT Hub runs SELECT * FROM devices WHERE <query>")
    if unterminated:
        raise ValidationError(option + " has an unterminated string literal: %s" % text)
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        raise ValidationError(option + " has unbalanced parentheses or brackets: %s" % text)
    if len(text) > MAX_CONDITION_LENGTH:
        raise ValidationError(
            option + " is %d characters long; at most %d are allowed: IoT Hub refuses a query of more than about 8200 "
            "characters (412 PreconditionFailed), and the longest statement this collection sends a query in, "
            "'%s<query>', must stay within %d. Select the devices by a tag, or split them over several jobs"
            % (len(text), MAX_CONDITION_LENGTH, QUERY_WRAPPER, MAX_QUERY_LENGTH))
    return text


def parse_start_time(value, now):
    """start_time option -> None for "now" (when created), else an aware datetime at most 168 h ahead."""
    if value is None or value.strip().lower() == "now":
        return None
    moment = parse_iso(value)
    if moment is None:
        raise ValidationError("start_time must be 'now' or an ISO 8601 date and time such as "
                              "2030-01-31T12:00:00Z, got %r" % value)
    if moment - now > MAX_SCHEDULE_AHEAD:
        raise ValidationError("start_time %s is more than 168 hours after now (%s): IoT Hub schedules jobs at "
                              "most 7 days ahead" % (format_iso(moment, False), format_iso(now, False)))
    return moment


# --- projections ----------------------------------------------------------------------------------------------

def _empty_to_none(value):
    return None if value in (None, {}) else value


def _twin_patch_to_ansible(twin):
    twin = twin or {}
    desired = dict((k, v) for k, v in ((twin.get("properties") or {}).get("desired") or {}).items()
                   if not k.startswith("$"))
    return {"tags": _empty_to_none(twin.get("tags")), "desired": _empty_to_none(desired)}


def _method_to_ansible(method):
    method = method or {}
    return {
        "name": method.get("methodName"),
        "payload": method.get("payload"),
        "connect_timeout": method.get("connectTimeoutInSeconds"),
        "response_timeout": method.get("responseTimeoutInSeconds"),
    }


def _statistics_to_ansible(stats):
    if stats is None:
        return None
    return {
        "device_count": stats.get("deviceCount"),
        "succeeded": stats.get("succeededCount"),
        "failed": stats.get("failedCount"),
        "pending": stats.get("pendingCount"),
        "running": stats.get("runningCount"),
    }


def job_to_ansible(body):
    """A JobResponse -> the `job` the modules return ({} for no job)."""
    if not body:
        return {}
    wire_type = body.get("type")
    job = {
        "job_id": body.get("jobId"),
        "type": TYPE_FROM_API.get(wire_type, wire_type),
        "status": body.get("status"),
        "query": body.get("queryCondition"),
        "start_time": body.get("startTime"),
        "end_time": body.get("endTime"),
        "created_time": body.get("createdTime"),
        "max_execution_time": body.get("maxExecutionTimeInSeconds"),
        "failure_reason": body.get("failureReason"),
        "status_message": body.get("statusMessage"),
        "statistics": _statistics_to_ansible(body.get("deviceJobStatistics")),
    }
    if wire_type == "scheduleUpdateTwin" or body.get("updateTwin"):
        job["twin_patch"] = _twin_patch_to_ansible(body.get("updateTwin"))
    if wire_type == "scheduleDeviceMethod" or body.get("cloudToDeviceMethod"):
        job["method"] = _method_to_ansible(body.get("cloudToDeviceMethod"))
    return job


def device_job_to_ansible(row):
    """A devices.jobs row -> one entry of `device_results`."""
    error = row.get("error")
    outcome = row.get("outcome")
    response = (outcome or {}).get("deviceMethodResponse")
    wire_type = row.get("jobType")
    return {
        "device_id": row.get("deviceId"),
        "job_id": row.get("jobId"),
        "type": TYPE_FROM_API.get(wire_type, wire_type),
        "status": row.get("status"),
        "start_time": row.get("startTimeUtc"),
        "end_time": row.get("endTimeUtc"),
        "created_time": row.get("createdDateTimeUtc"),
        "last_updated_time": row.get("lastUpdatedDateTimeUtc"),
        "error": {"code": error.get("code"), "description": error.get("description")} if error else None,
        "outcome": {"device_method_response": {"status": response.get("status"), "payload": response.get("payload")}
                    if response else None} if outcome else None,
    }


# --- data-plane calls -----------------------------------------------------------------------------------------

def is_unknown_job(body):
    """GET /jobs/v2/{unknown id} may answer 200 {"type": "unknown", "status": "unknown"}: no such job."""
    return not body or (body.get("status") in (None, "unknown") and body.get("type") in (None, "unknown"))


def api_error_code(err):
    return getattr(err, "code", None) if isinstance(err, ApiError) else None


def get_job(client, job_id):
    """The JobResponse of a scheduled job, or None when the hub has no such job."""
    body = client.get_or_none(JOB_PATH, path_params={"job_id": job_id})
    return None if is_unknown_job(body) else body


def create_job(client, job_id, body):
    return client.put(JOB_PATH, path_params={"job_id": job_id}, json=body).body


def cancel_job(client, job_id):
    # Cancelling twice is harmless, so a 500 may be retried.
    return client.post(JOB_CANCEL_PATH, path_params={"job_id": job_id}, idempotent=True).body


def count_devices(client, query):
    """How many devices a queryCondition targets right now."""
    sql = "SELECT COUNT() AS %s FROM devices" % COUNT_ALIAS
    if query != "*":
        sql += " WHERE " + query
    for row in client.iter_continuation("POST", DEVICES_QUERY_PATH, json={"query": sql}):
        return int(row.get(COUNT_ALIAS) or 0)
    return 0


def _twin_to_ansible(row):
    properties = row.get("properties") or {}
    desired = dict((k, v) for k, v in (properties.get("desired") or {}).items() if not k.startswith("$"))
    reported = dict((k, v) for k, v in (properties.get("reported") or {}).items() if not k.startswith("$"))
    return {"device_id": row.get("deviceId"), "status": row.get("status"),
            "connection_state": row.get("connectionState"), "tags": row.get("tags") or {},
            "desired": desired, "reported": reported}


def _device_rows(client, query, twins, page_size):
    sql = "SELECT %s FROM devices" % ("*" if twins else "deviceId")
    if query != "*":
        sql += " WHERE " + query
    return client.iter_continuation("POST", DEVICES_QUERY_PATH, json={"query": sql}, page_size=page_size)


def iter_device_ids(client, query, page_size=QUERY_PAGE):
    """The ids of the devices a queryCondition selects now, in the hub's order, page by page: callers may stop early."""
    return (row["deviceId"] for row in _device_rows(client, query, False, page_size))


def query_devices(client, query, twins=False, page_size=QUERY_PAGE):
    """The devices a queryCondition selects now, sorted by id: ids only, or twins projected to snake_case."""
    if twins:
        return sorted((_twin_to_ansible(row) for row in _device_rows(client, query, True, page_size)),
                      key=lambda device: device["device_id"])
    return sorted(iter_device_ids(client, query, page_size))


def device_jobs_query(job_id, statuses=None):
    """SQL for the devices.jobs rows of one job, optionally only some device statuses."""
    sql = "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '%s'" % job_id.replace("'", "''")
    if statuses:
        if len(statuses) == 1:
            sql += " AND devices.jobs.status = '%s'" % statuses[0]
        else:
            sql += " AND devices.jobs.status IN [%s]" % ", ".join("'%s'" % s for s in statuses)
    return sql


def iter_device_results(client, job_id, statuses=None, page_size=QUERY_PAGE):
    """Projected devices.jobs rows of one job, paged to the end one page at a time."""
    rows = client.iter_continuation("POST", DEVICES_QUERY_PATH, json={"query": device_jobs_query(job_id, statuses)},
                                    page_size=page_size)
    for row in rows:
        yield device_job_to_ansible(row)


def iter_jobs(client, job_type=None, status=None, page_size=QUERY_PAGE):
    """JobResponses from GET /jobs/v2/query, filtered by Ansible type and wire status."""
    params = {}
    if job_type:
        params["jobType"] = TYPE_TO_API.get(job_type, job_type)
    if status:
        params["jobStatus"] = status
    return client.iter_continuation("GET", JOBS_QUERY_PATH, params=params or None, page_size=page_size)


def find_jobs(client, job_id=None, job_type=None, status=None, limit=None, device_results=False,
              device_status=None, warn=None, results_file=None):
    """Projected jobs: the one with `job_id` (none when absent), else the jobs listed by type and status (all pages,
    or the first `limit`); with `device_results`, each job's devices.jobs rows under `device_results`, or, given a
    `results_file` (_results_file.JsonLinesFile), written there with only their counts under `device_result_counts`.

    A generator: the listing is consumed one page at a time, interleaved with the device queries.
    """
    if job_id:
        body = get_job(client, job_id)
        bodies = [body] if body is not None else []
    else:
        bodies = islice(iter_jobs(client, job_type, status, page_size=QUERY_PAGE.at_most(limit)), limit)
    skipped = 0
    for body in bodies:
        if is_unknown_job(body):
            # /jobs/v2/query can list entries of type and status "unknown" (contract.md 8): they are no job.
            skipped += 1
            continue
        job = job_to_ansible(body)
        if device_results:
            rows = iter_device_results(client, job["job_id"], device_status)
            if results_file is None:
                job["device_results"] = list(rows)
            else:
                job["device_result_counts"] = results_file.write(rows)
        yield job
    if skipped and warn is not None:
        warn("the hub listed %d entr%s of type and status 'unknown' (no job); %s skipped"
             % (skipped, "y" if skipped == 1 else "ies", "it was" if skipped == 1 else "they were"))


# --- the scheduled job descriptor for the engine -------------------------------------------------------------

class ScheduledJob(Descriptor):
    """What the generic engine needs to know about one IoT Hub scheduled job (twin update or direct method).

    Built from module params by `from_params()`, which validates everything that can be known before a call.
    """

    noun = "IoT Hub scheduled job"
    terminal = TERMINAL

    def __init__(self, job_id, job_type=None, query="*", twin_patch=None, method=None, start_time=None,
                 max_execution_time=None, now=None):
        super(ScheduledJob, self).__init__(job_id)
        self.type = job_type
        self.query = query
        self.twin_patch = twin_patch
        self.method = method
        self.start_time = start_time  # None = "now" (when created)
        self.max_execution_time = max_execution_time
        self._now = now or utcnow
        self._targeted = None  # how many devices the query selects, counted once before a create

    @classmethod
    def from_params(cls, params, now=None):
        """Validate module params (the job_id and, for state=present, the request); `now` returns the UTC time."""
        now = now or utcnow
        # A new job's id follows the hub's stricter observed rule; an existing one is read or cancelled by any name.
        creating = params.get("state", "present") == "present"
        job_id = check_id(params["job_id"], NEW_HUB_JOB_ID if creating else HUB_JOB_ID)
        if params.get("state", "present") == "absent":
            return cls(job_id, now=now)
        twin_patch, method, job_type = params.get("twin_patch"), params.get("method"), params.get("type")
        if twin_patch is not None and method is not None:
            raise ValidationError("twin_patch and method are mutually exclusive: a job either updates twins "
                                  "(type update_twin) or calls a direct method (type device_method)")
        inferred = "update_twin" if twin_patch is not None else ("device_method" if method is not None else None)
        if inferred is None:
            needed = {"update_twin": "twin_patch", "device_method": "method"}.get(job_type, "twin_patch or method")
            raise ValidationError("state=present needs %s: twin_patch for a twin update job (type update_twin), "
                                  "method for a direct method job (type device_method)" % needed)
        if job_type and job_type != inferred:
            raise ValidationError("type is %s but %s was given: type %s needs %s" % (
                job_type, "twin_patch" if twin_patch is not None else "method", job_type,
                "twin_patch" if job_type == "update_twin" else "method"))
        if twin_patch is not None:
            twin_patch = {"tags": _empty_to_none(twin_patch.get("tags")),
                          "desired": _empty_to_none(twin_patch.get("desired"))}
            if twin_patch["tags"] is None and twin_patch["desired"] is None:
                raise ValidationError("twin_patch needs tags or desired (or both)")
        if method is not None:
            method = dict((k, method.get(k)) for k in ("name", "payload", "connect_timeout", "response_timeout"))
            if not method["name"]:
                raise ValidationError("method.name must not be empty")
            check_range(method["connect_timeout"], "method.connect_timeout", *CONNECT_TIMEOUT_RANGE)
            check_range(method["response_timeout"], "method.response_timeout", *RESPONSE_TIMEOUT_RANGE)
            size = len(json.dumps(method["payload"], separators=(",", ":")).encode("utf-8"))
            if size > MAX_METHOD_PAYLOAD:
                raise ValidationError("method.payload is %d bytes as JSON; IoT Hub accepts at most %d (128 KB)"
                                      % (size, MAX_METHOD_PAYLOAD))
        max_execution_time = check_positive(params.get("max_execution_time"), "max_execution_time")
        return cls(job_id, inferred, normalize_query(params.get("query")), twin_patch, method,
                   parse_start_time(params.get("start_time"), now()), max_execution_time, now=now)

    # -- the request -----------------------------------------------------------------------------------------

    def request_body(self):
        """The JobRequest for PUT /jobs/v2/{id}; "now" is stamped when this is called."""
        body = {
            "jobId": self.job_id,
            "type": TYPE_TO_API[self.type],
            "queryCondition": self.query,
            "startTime": format_iso(self.start_time or self._now()),
            "maxExecutionTimeInSeconds": self.max_execution_time or DEFAULT_MAX_EXECUTION_TIME,
        }
        if self.type == "update_twin":
            twin = {"etag": "*"}
            if self.twin_patch["tags"] is not None:
                twin["tags"] = self.twin_patch["tags"]
            if self.twin_patch["desired"] is not None:
                twin["properties"] = {"desired": self.twin_patch["desired"]}
            body["updateTwin"] = twin
        else:
            method = {
                "methodName": self.method["name"],
                "responseTimeoutInSeconds": _default(self.method["response_timeout"], DEFAULT_RESPONSE_TIMEOUT),
                "connectTimeoutInSeconds": _default(self.method["connect_timeout"], DEFAULT_CONNECT_TIMEOUT),
            }
            if self.method["payload"] is not None:
                method["payload"] = self.method["payload"]
            body["cloudToDeviceMethod"] = method
        return body

    def _view(self, job):
        """The request-relevant fields of a projected job, in the module's option names."""
        view = {
            "type": job.get("type"),
            "query": normalize_query(job.get("query"), strict=False),
            "start_time": iso_to_second(job.get("start_time")) if job.get("start_time") else None,
            "max_execution_time": job.get("max_execution_time"),
        }
        if "twin_patch" in job:
            view["twin_patch"] = job["twin_patch"]
        if "method" in job:
            view["method"] = job["method"]
        return view

    def compare(self, job):
        """(existing, requested): request views of an existing job and of this request laid over it.

        Fields the user left unset (None) take the existing value; start_time "now" is never compared, and neither
        is a start time the hub does not report.
        """
        before = self._view(job)
        after = {
            "type": self.type,
            "query": self.query,
            "start_time": format_iso(self.start_time, False) if self.start_time else None,
            "max_execution_time": _default(self.max_execution_time, before["max_execution_time"]),
        }
        if after["start_time"] is None or before["start_time"] is None:
            after["start_time"] = before["start_time"]
        if self.type == "update_twin":
            after["twin_patch"] = dict(self.twin_patch)
        else:
            have = before.get("method") or {}
            after["method"] = dict((k, _default(v, have.get(k)) if k.endswith("timeout") else v)
                                   for k, v in self.method.items())
        return before, after

    # -- engine hooks ----------------------------------------------------------------------------------------

    def get(self, client):
        return job_to_ansible(get_job(client, self.job_id)) or None

    def create(self, client):
        """PUT the job; return it as the hub says (GET once when the PUT answer is the sparse real one)."""
        body = self.request_body()
        answer = create_job(client, self.job_id, body) or {}
        if "queryCondition" in answer:
            return job_to_ansible(answer)
        fetched = get_job(client, self.job_id)
        if fetched is None:  # not visible yet: the request with the hub's answer laid over it
            fetched = dict(body, **answer)
        return job_to_ansible(fetched)

    def before_create(self, client, warn):
        """The job does not exist: refuse a start time in the past, and a query the hub cannot evaluate (the hub
        accepts such a job and fails it later, contract.md section 7) by running the COUNT query check mode runs."""
        now = self._now()
        if self.start_time is not None and self.start_time < now - CLOCK_SKEW:
            raise ValidationError("start_time %s is in the past (now %s): a new job cannot start before it is "
                                  "created; use 'now' or a later time (an existing job with this id is compared "
                                  "as it is)" % (format_iso(self.start_time, False), format_iso(now, False)))
        try:
            self._targeted = count_devices(client, self.query)
        except ApiError as err:
            if err.status != 400:
                raise
            raise ValidationError("query %r is not a condition IoT Hub can evaluate: %s" % (self.query, err.msg),
                                  **err.details()) from err
        return {"targeted_devices": self._targeted}

    def predict(self, client):
        """The job a real run would create (status queued); before_create counted the devices its query targets."""
        return job_to_ansible(dict(self.request_body(), status="queued")), {}

    def removal_refusal(self, job):
        return self.refusal(job) if self.status(job) == "running" else None

    def remove(self, client, job):
        """POST cancel; the job as the hub answers, or None when the hub no longer knows it."""
        try:
            answer = cancel_job(client, self.job_id) or {}
        except ApiError as err:
            if err.status == 404:
                return None
            raise
        if "queryCondition" in answer:
            return job_to_ansible(answer)
        return dict(job, status=answer.get("status") or "cancelled")

    @staticmethod
    def is_refused(err):
        """The hub's answer to cancelling a job that is running or finished."""
        return api_error_code(err) in NOT_ALLOWED_CODES or (isinstance(err, ApiError) and err.status == 405)

    def refusal(self, job, err=None):
        """Why the job cannot be cancelled (it is running)."""
        limit = job.get("max_execution_time") or DEFAULT_MAX_EXECUTION_TIME
        msg = ("cannot cancel job %r: it is %s, and IoT Hub cannot cancel a running job "
               "(OperationNotAllowedInCurrentState); it ends by itself once every targeted device is processed, "
               "at the latest max_execution_time (%s s) after it started" % (self.job_id, job.get("status"), limit))
        if err is not None:
            msg += "; the hub answered: %s" % err.msg
        return msg

    @staticmethod
    def is_duplicate(err):
        return api_error_code(err) in EXISTS_CODES or (isinstance(err, ApiError) and err.status == 409)

    @staticmethod
    def is_busy(err):
        return api_error_code(err) in BUSY_CODES

    def busy_message(self, err):
        return ("cannot create job %r: the hub's concurrent-job limit is reached (%s); set queue_when_busy: true to "
                "wait for a free job slot within wait_timeout, or run the job later" % (self.job_id, err.msg))

    @staticmethod
    def counts(job):
        """(failed, succeeded, total) devices from the job's statistics; None values when it has none."""
        stats = job.get("statistics") or {}
        return stats.get("failed"), stats.get("succeeded"), stats.get("device_count")

    def now(self):
        return self._now()

    @classmethod
    def reading(cls, job, now=None):
        """Devices done of the job's device count; for a job that has not started, the seconds until its
        start_time when that is ahead of `now` (UTC; polls before it would find nothing new), else that it has not
        begun (none of its devices done: the create's answer, or a read while it is queued)."""
        if job.get("status") not in NOT_STARTED:
            return super(ScheduledJob, cls).reading(job, now)
        start = parse_iso(job.get("start_time"))
        ahead = (start - (now or utcnow())).total_seconds() if start is not None else 0
        return Reading(starts_in=ahead) if ahead > 0 else Reading(not_started=True)

    def failed_devices(self, client, job):
        """devices.jobs rows of the failed devices (none queried when the statistics say there are none)."""
        if self.counts(job)[0] == 0:
            return []
        return list(iter_device_results(client, self.job_id, ["failed"]))


def _default(value, default):
    return default if value is None else value
