"""HTTP handlers of the import/export jobs API (v1): POST /jobs/create, GET /jobs, GET|DELETE /jobs/{id}; and the
blob containers' stand-in for reading what a job wrote: GET /_emulator/blobs/{container}/{blob} (Get Blob, SAS)."""
import os
from urllib.parse import parse_qs

from aiohttp import web

from ..errors import hub_error
from ..jsonbody import read_json
from .hub import hub_of


def routes():
    # /jobs/create before /jobs/{id}; the /jobs/v2/... routes are registered before these.
    return [
        web.post("/jobs/create", create_job, name="iothub.create-bulk-job"),
        web.get("/jobs", list_jobs, name="iothub.list-bulk-jobs", allow_head=False),
        web.get("/jobs/{id}", get_job, name="iothub.get-bulk-job", allow_head=False),
        web.delete("/jobs/{id}", cancel_job, name="iothub.cancel-bulk-job"),
        web.get("/_emulator/blobs/{container}/{blob}", get_blob, name="storage.get-blob", allow_head=False),
    ]


def format_error(message):
    return hub_error("IotHubFormatError", message)


async def create_job(request):
    body = await read_json(request, format_error)
    job = hub_of(request).import_export.create(body)
    return web.json_response(job.to_wire(include_input=True))


async def list_jobs(request):
    return web.json_response([job.to_wire() for job in hub_of(request).import_export.jobs.values()])


async def get_job(request):
    return web.json_response(hub_of(request).import_export.get(request.match_info["id"]).to_wire())


async def cancel_job(request):
    return web.json_response(hub_of(request).import_export.cancel(request.match_info["id"]).to_wire())


async def get_blob(request):
    """Azure Blob Storage's Get Blob, as far as clients read what an import/export job wrote: a SAS (sig=) is needed,
    the blob's bytes are answered, 404 when there is none. Never logged or faulted (under /_emulator/)."""
    if "sig" not in parse_qs(request.query_string):
        return web.Response(status=403, text="AuthenticationFailed: no shared access signature")
    container, blob = request.match_info["container"], request.match_info["blob"]
    if blob in (".", "..") or container in (".", ".."):
        return web.Response(status=400, text="InvalidResourceName")
    path = os.path.join(hub_of(request).import_export.blob_root(), container, blob)
    if not os.path.isfile(path):
        return web.Response(status=404, text="BlobNotFound")
    with open(path, "rb") as handle:
        return web.Response(body=handle.read(), content_type="application/octet-stream")
