"""The sparse profile (`--profile sparse`, or `PATCH /_emulator/config {"profile": "sparse"}`): answers carry only what
the official examples and recorded traffic carry, not every field the emulator knows. Each rule names its source
(contract.md sections 2.1, 7 and 8, and the 2022-07-31 examples of the IoT Central spec); emulator/README.md lists
them with the tests that cover them.

One middleware reshapes the JSON of a finished answer, route by route, so the services stay written once.
"""
import json

from aiohttp import web

from .state import STATE

PROFILES = ("full", "sparse")

# Fields an import/export job answer does not echo (contract.md 2.7: GET omits inputBlobContainerUri; the requests'
# authentication type, configuration options and identity are not in the recorded answers).
IMPORT_EXPORT_UNECHOED = ("inputBlobContainerUri", "storageAuthenticationType", "includeConfigurations",
                          "configurationsBlobName", "identity")
# IoT Central error codes the official sources never name (contract.md 8): the sparse answer has the generic one.
CENTRAL_GENERIC_CODES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
                         412: "PreconditionFailed", 415: "UnsupportedMediaType", 429: "TooManyRequests",
                         500: "InternalServerError", 503: "ServiceUnavailable"}
NOT_STARTED = ("queued", "scheduled", "enqueued")


def _hub_job_not_started(job):
    # A hub job before it starts has no times or statistics yet (contract.md 2.1, the service.json example).
    if isinstance(job, dict) and job.get("status") in NOT_STARTED:
        for key in ("startTime", "endTime", "deviceJobStatistics"):
            job.pop(key, None)
    return job


def _hub_create(body):
    # PUT /jobs/v2/{id} answers {"jobId", "type", "status"} (contract.md 2.1, recorded traffic).
    return {key: body[key] for key in ("jobId", "type", "status") if key in body}


def _hub_query(body):
    # /jobs/v2/query may list entries of type and status "unknown" (contract.md 8: azure-iot-sdk-java#144,
    # azure-iot-sdk-csharp#3352): one such entry on every page.
    if isinstance(body, list):
        return [_hub_job_not_started(job) for job in body] + [{"jobId": "", "type": "unknown", "status": "unknown"}]
    return body


def _import_export(job):
    if isinstance(job, dict):
        for key in IMPORT_EXPORT_UNECHOED:
            job.pop(key, None)
    return job


def _central_job(job):
    # The 2022-07-31 examples of jobs_get, jobs_list, jobs_create and jobs_rerun carry no progress, start or end; a
    # job whose every device failed reads "complete" (scheduledjobs_list_jobs) (contract.md 8).
    if isinstance(job, dict):
        progress = job.pop("progress", None) or {}
        if job.get("status") == "failed" and progress.get("total") and progress.get("failed") == progress["total"]:
            job["status"] = "complete"
        job.pop("start", None)
        job.pop("end", None)
    return job


def _central_device(row):
    # jobs_devices rows carry only id and status (contract.md 8).
    return {key: row[key] for key in ("id", "status") if key in row} if isinstance(row, dict) else row


def _scheduled_job(job):
    # The docs' GET and list of a scheduled job do not show schedule.end (contract.md 8).
    if isinstance(job, dict) and isinstance(job.get("schedule"), dict):
        job["schedule"].pop("end", None)
    return job


def _each(shape):
    """A shape for one item, applied to a {"value": [...]} page."""
    def page(body):
        if isinstance(body, dict) and isinstance(body.get("value"), list):
            body["value"] = [shape(item) for item in body["value"]]
        return body
    return page


SHAPES = {
    "iothub.create-job": _hub_create,
    "iothub.get-job": _hub_job_not_started,
    "iothub.query-jobs": _hub_query,
    "iothub.create-bulk-job": _import_export,
    "iothub.get-bulk-job": _import_export,
    "iothub.list-bulk-jobs": lambda body: [_import_export(job) for job in body] if isinstance(body, list) else body,
    "iotcentral.get-job": _central_job,
    "iotcentral.create-job": _central_job,
    "iotcentral.rerun-job": _central_job,
    "iotcentral.list-jobs": _each(_central_job),
    "iotcentral.job-devices": _each(_central_device),
    "iotcentral.get-scheduled": _scheduled_job,
    "iotcentral.list-scheduled": _each(_scheduled_job),
}


def _route_name(request):
    route = getattr(request.match_info, "route", None)
    return getattr(route, "name", None) or ""


@web.middleware
async def sparse_answers(request, handler):
    response = await handler(request)
    if request.app[STATE].config.profile != "sparse" or not isinstance(response, web.Response) \
            or response.content_type != "application/json" or not response.body:
        return response
    name = _route_name(request)
    shape = SHAPES.get(name) if response.status < 400 else None
    generic = name.startswith("iotcentral.") and response.status >= 400
    if shape is None and not generic:
        return response
    body = json.loads(response.body)
    if shape is not None:
        body = shape(body)
    elif isinstance(body, dict) and isinstance(body.get("error"), dict):
        body["error"]["code"] = CENTRAL_GENERIC_CODES.get(response.status, "Error")
    headers = {key: value for key, value in response.headers.items()
               if key.lower() not in ("content-length", "content-type")}
    return web.json_response(body, status=response.status, headers=headers)
