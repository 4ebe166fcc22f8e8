"""Validation of PUT /jobs/v2/{id} bodies (JobRequest), before any state changes (contract.md 2.1 and 7)."""
import copy
import json
import re
from datetime import timedelta

from ..errors import hub_error
from ..timefmt import parse_iso
from .twin import check_properties

JOB_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
LOWERCASE_JOB_ID = re.compile(r"[a-z0-9-]{1,64}")
JOB_TYPES = ("scheduleUpdateTwin", "scheduleDeviceMethod")
MAX_SCHEDULE_AHEAD = timedelta(hours=168)
MAX_PAYLOAD_BYTES = 128 * 1024
DEFAULT_MAX_EXECUTION = 3600
TIMEOUTS = {"responseTimeoutInSeconds": (30, 5, 300), "connectTimeoutInSeconds": (0, 0, 300)}  # default, min, max


class JobSpec:
    """A validated job request."""

    __slots__ = ("job_id", "type", "query_condition", "update_twin", "method", "start_time", "max_execution")

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))


def invalid(message):
    return hub_error("ArgumentInvalid", message)


def check_job_id(job_id, lowercase_only=False):
    pattern = LOWERCASE_JOB_ID if lowercase_only else JOB_ID
    if not pattern.fullmatch(job_id):
        letters = "lower-case US-ASCII letters" if lowercase_only else "US-ASCII letters"
        raise invalid("JobId '%s' is invalid: a job id must be 64 characters or less and can only contain %s, "
                      "numbers, and the dash ('-') character." % (job_id, letters))


def _integer(body, name, default, low, high):
    value = body.get(name, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= (high or value):
        bounds = "between %d and %d" % (low, high) if high else "at least %d" % low
        raise invalid("%s must be an integer %s, got %s." % (name, bounds, json.dumps(value)))
    return value


def _update_twin(body):
    patch = body.get("updateTwin")
    if not isinstance(patch, dict):
        raise hub_error("ArgumentNull", "A scheduleUpdateTwin job requires the updateTwin property.")
    if patch.get("etag") != "*":
        raise invalid("The updateTwin property requires a valid etag match; a scheduleUpdateTwin job is a force "
                      "update and only accepts etag='*'.")
    properties = patch.get("properties") or {}
    if not isinstance(properties, dict) or set(properties) - {"desired"}:
        raise invalid("updateTwin.properties can only contain desired properties.")
    if patch.get("tags") is not None:
        check_properties(patch["tags"], "updateTwin.tags")
    if properties.get("desired") is not None:
        check_properties(properties["desired"], "updateTwin.properties.desired")
    if not patch.get("tags") and not properties.get("desired"):
        raise invalid("updateTwin must set tags or desired properties.")
    return copy.deepcopy(patch)


def method_request(body):
    method = body.get("cloudToDeviceMethod")
    if not isinstance(method, dict):
        raise hub_error("ArgumentNull", "A scheduleDeviceMethod job requires the cloudToDeviceMethod property.")
    name = method.get("methodName")
    if not isinstance(name, str) or not name.strip():
        raise hub_error("ArgumentNull", "cloudToDeviceMethod.methodName is required.")
    result = {"methodName": name}
    if "payload" in method:
        if len(json.dumps(method["payload"]).encode()) > MAX_PAYLOAD_BYTES:
            raise hub_error("MessageTooLarge", "The direct method payload exceeds 128 KB.")
        result["payload"] = copy.deepcopy(method["payload"])
    for field, (default, low, high) in TIMEOUTS.items():
        result[field] = _integer(method, field, default, low, high)
    return result


def _start_time(body, now):
    """Absent: the job runs as soon as possible (contract.md 8: az iot hub job create without --start-time); sent as
    null: ArgumentNull, as azure-iot-sdk-node#847 observed."""
    if "startTime" not in body:
        return now
    text = body["startTime"]
    if text is None:
        raise hub_error("ArgumentNull", "startTime must not be null: leave it out to run the job now.")
    start = parse_iso(text)
    if start is None:
        raise invalid("startTime '%s' is not an ISO 8601 date and time." % (text,))
    if start - now > MAX_SCHEDULE_AHEAD:
        raise invalid("startTime '%s' is more than 168 hours in the future." % text)
    return start


def parse_job_request(path_id, body, now, lowercase_ids=False):
    """A JobSpec from the path id and the body, or raise the 400 the hub answers."""
    check_job_id(path_id, lowercase_ids)
    if not isinstance(body, dict):
        raise hub_error("ArgumentNull", "The request body must be a JobRequest object.")
    if body.get("jobId") is not None and body["jobId"] != path_id:
        raise invalid("The jobId '%s' in the body does not match the jobId '%s' in the path."
                      % (body["jobId"], path_id))
    job_type = body.get("type")
    if job_type is None:
        raise hub_error("ArgumentNull", "The job type is required: scheduleUpdateTwin or scheduleDeviceMethod.")
    if job_type not in JOB_TYPES:
        raise invalid("Job type '%s' is not supported on /jobs/v2: use scheduleUpdateTwin or scheduleDeviceMethod."
                      % (job_type,))
    query = body.get("queryCondition")
    if not isinstance(query, str) or not query.strip():
        raise hub_error("ArgumentNull", "queryCondition is required (use '*' for all devices).")
    return JobSpec(
        job_id=path_id, type=job_type, query_condition=query,
        update_twin=_update_twin(body) if job_type == "scheduleUpdateTwin" else None,
        method=method_request(body) if job_type == "scheduleDeviceMethod" else None,
        start_time=_start_time(body, now),
        max_execution=_integer(body, "maxExecutionTimeInSeconds", DEFAULT_MAX_EXECUTION, 1, None),
    )
