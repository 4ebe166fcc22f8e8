"""HTTP handlers of the import/export jobs API (v1): POST /jobs/create, GET /jobs, GET|DELETE /jobs/{id}."""
from aiohttp import web

from ..errors import hub_error
from ..jsonbody import read_json
from .hub import HUB


def routes():
    # /jobs/create before /jobs/{id}; the /jobs/v2/... routes are registered before these.
    return [
        web.post("/jobs/create", create_job, name="iothub.create-bulk-job"),
        web.get("/jobs", list_jobs, name="iothub.list-bulk-jobs", allow_head=False),
        web.get("/jobs/{id}", get_job, name="iothub.get-bulk-job", allow_head=False),
        web.delete("/jobs/{id}", cancel_job, name="iothub.cancel-bulk-job"),
    ]


def format_error(message):
    return hub_error("IotHubFormatError", message)


async def create_job(request):
    body = await read_json(request, format_error)
    job = request.app[HUB].import_export.create(body)
    return web.json_response(job.to_wire(include_input=True))


async def list_jobs(request):
    return web.json_response([job.to_wire() for job in request.app[HUB].import_export.jobs.values()])


async def get_job(request):
    return web.json_response(request.app[HUB].import_export.get(request.match_info["id"]).to_wire())


async def cancel_job(request):
    return web.json_response(request.app[HUB].import_export.cancel(request.match_info["id"]).to_wire())
