"""HTTP handlers of the scheduled-jobs API: /jobs/v2/{id}, /jobs/v2/{id}/cancel, /jobs/v2/query."""
import time
from aiohttp import web

from ..errors import hub_error
from ..jsonbody import read_json
from .hub import hub_of
from .job_request import check_job_id, parse_job_request
from .paging import paginate


def routes():
    # /jobs/v2/query before /jobs/v2/{id}: the router tries resources in the order they were added.
    return [
        web.get("/jobs/v2/query", query_jobs, name="iothub.query-jobs", allow_head=False),
        web.put("/jobs/v2/{id}", create_job, name="iothub.create-job"),
        web.get("/jobs/v2/{id}", get_job, name="iothub.get-job", allow_head=False),
        web.post("/jobs/v2/{id}/cancel", cancel_job, name="iothub.cancel-job"),
    ]


def format_error(message):
    return hub_error("IotHubFormatError", message)


async def create_job(request):
    hub = hub_of(request)
    state = hub.state  # the hub's view: its own setting overrides
    body = await read_json(request, format_error)
    spec = parse_job_request(request.match_info["id"], body, state.clock.now(), state.config.lowercase_job_ids)
    return web.json_response(hub.jobs.create(spec).to_wire())


async def get_job(request):
    hub = hub_of(request)
    state = hub.state  # the hub's view: its own setting overrides
    job_id = request.match_info["id"]
    job = hub.jobs.jobs.get(job_id)
    if job is not None:
        body = job.to_wire()
        if job.status == "cancelled" and time.monotonic() < getattr(job, "stale_until", 0):
            body = dict(body, status=job.stale_status)
            body.pop("endTime", None)
        return web.json_response(body)
    if state.config.unknown_job_status == 404:
        raise hub_error("JobNotFound", "Job with id '%s' was not found." % job_id)
    # What a real hub answers (contract.md 7): clients treat this body as "no such job".
    return web.json_response({"jobId": job_id, "type": "unknown", "status": "unknown"})


async def cancel_job(request):
    job_id = request.match_info["id"]
    check_job_id(job_id)
    return web.json_response(hub_of(request).jobs.cancel(job_id).to_wire())


def _matches(value, wanted):
    # CS1 sends .NET enum names (ScheduleUpdateTwin, Completed): compare case-insensitively.
    return not wanted or (value or "").lower() == wanted.lower()


async def query_jobs(request):
    hub = hub_of(request)
    state = hub.state  # the hub's view: its own setting overrides
    job_type, job_status = request.query.get("jobType"), request.query.get("jobStatus")
    bodies = [job.to_wire() for job in hub.jobs.jobs.values()
              if _matches(job.spec.type, job_type) and _matches(job.status, job_status)]
    page, token = paginate(request, bodies)
    headers = {"x-ms-item-type": "JobResponse"}
    if token:
        headers["x-ms-continuation"] = token
    if state.config.jobs_query_format == "object":
        # The swagger's QueryResult, the only form azure-iot-hub's query_scheduled_jobs can parse (contract.md 2.5).
        body = {"type": "jobResponse", "items": page}
        if token:
            body["continuationToken"] = token
        return web.json_response(body, headers=headers)
    return web.json_response(page, headers=headers)
