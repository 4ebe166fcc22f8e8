"""HTTP handlers of the IoT Central application under /api (contract.md section 4)."""
from urllib.parse import urlencode

from aiohttp import web

from ..jsonbody import read_json
from ..state import STATE
from .application import CENTRAL
from .errors import central_error
from .jobs import check_job_id

PREFIX = "/api"
MAX_PAGE_SIZE = 100


def routes():
    p = PREFIX
    return [
        web.get(p + "/deviceTemplates", list_templates, name="iotcentral.list-templates", allow_head=False),
        web.get(p + "/deviceTemplates/{id}", get_template, name="iotcentral.get-template", allow_head=False),
        web.put(p + "/deviceTemplates/{id}", put_template, name="iotcentral.put-template"),
        web.get(p + "/devices", list_devices, name="iotcentral.list-devices", allow_head=False),
        web.get(p + "/devices/{id}", get_device, name="iotcentral.get-device", allow_head=False),
        web.get(p + "/deviceGroups", list_groups, name="iotcentral.list-groups", allow_head=False),
        web.get(p + "/deviceGroups/{id}", get_group, name="iotcentral.get-group", allow_head=False),
        web.put(p + "/deviceGroups/{id}", put_group, name="iotcentral.put-group"),
        web.patch(p + "/deviceGroups/{id}", patch_group, name="iotcentral.patch-group"),
        web.delete(p + "/deviceGroups/{id}", delete_group, name="iotcentral.delete-group"),
        web.get(p + "/deviceGroups/{id}/devices", group_devices, name="iotcentral.group-devices", allow_head=False),
        web.get(p + "/jobs", list_jobs, name="iotcentral.list-jobs", allow_head=False),
        web.get(p + "/jobs/{id}", get_job, name="iotcentral.get-job", allow_head=False),
        web.put(p + "/jobs/{id}", create_job, name="iotcentral.create-job"),
        web.get(p + "/jobs/{id}/devices", job_devices, name="iotcentral.job-devices", allow_head=False),
        web.post(p + "/jobs/{id}/stop", stop_job, name="iotcentral.stop-job"),
        web.post(p + "/jobs/{id}/resume", resume_job, name="iotcentral.resume-job"),
        web.put(p + "/jobs/{id}/rerun/{rerun_id}", rerun_job, name="iotcentral.rerun-job"),
    ]


def _bad_body(message):
    return central_error(400, "InvalidBody", message)


def _int_param(request, name, low, high):
    text = request.query.get(name)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise central_error(400, "InvalidParameter", "%s must be an integer from %d to %d, got '%s'."
                            % (name, low, high, text))
    return value


def paged(request, items):
    """{"value": this page, "nextLink": absolute URL of the next page} (nextLink only when there is one).

    The page size is `maxpagesize` (2022-10-31-preview) or `$top`, else the `central_page_size` setting; the
    position travels in `$skiptoken`. The nextLink keeps the other query parameters, api-version included.
    """
    size = _int_param(request, "maxpagesize", 1, MAX_PAGE_SIZE) or _int_param(request, "$top", 1, MAX_PAGE_SIZE) \
        or request.app[STATE].config.central_page_size
    offset = _int_param(request, "$skiptoken", 0, 2 ** 31) or 0
    end = offset + size
    body = {"value": items[offset:end]}
    if end < len(items):
        query = [(k, v) for k, v in request.query.items() if k != "$skiptoken"] + [("$skiptoken", str(end))]
        body["nextLink"] = "https://%s%s?%s" % (request.host, request.path, urlencode(query, safe="$"))
    return web.json_response(body)


# --- device templates and devices ---------------------------------------------------------------------------------

async def list_templates(request):
    return paged(request, list(request.app[CENTRAL].templates.values()))


async def get_template(request):
    return web.json_response(request.app[CENTRAL].get_template(request.match_info["id"]))


async def put_template(request):
    body = await read_json(request, _bad_body)
    return web.json_response(request.app[CENTRAL].put_template(request.match_info["id"], body))


async def list_devices(request):
    central = request.app[CENTRAL]
    return paged(request, [device.wire for _did, device in sorted(central.devices.items())])


async def get_device(request):
    return web.json_response(request.app[CENTRAL].get_device(request.match_info["id"]).wire)


# --- device groups -------------------------------------------------------------------------------------------------

def _group_id(request):
    gid = request.match_info["id"]
    check_job_id(gid, "device group id")
    return gid


async def list_groups(request):
    return paged(request, list(request.app[CENTRAL].groups.values()))


async def get_group(request):
    return web.json_response(request.app[CENTRAL].get_group(request.match_info["id"]))


async def put_group(request):
    body = await read_json(request, _bad_body)
    return web.json_response(request.app[CENTRAL].put_group(_group_id(request), body))


async def patch_group(request):
    body = await read_json(request, _bad_body)
    return web.json_response(request.app[CENTRAL].patch_group(request.match_info["id"], body))


async def delete_group(request):
    request.app[CENTRAL].delete_group(request.match_info["id"])
    return web.Response(status=204)


async def group_devices(request):
    central = request.app[CENTRAL]
    return paged(request, [device.wire for device in central.group_members(request.match_info["id"])])


# --- jobs ----------------------------------------------------------------------------------------------------------

async def list_jobs(request):
    return paged(request, [job.to_wire() for job in request.app[CENTRAL].jobs.jobs.values()])


async def get_job(request):
    return web.json_response(request.app[CENTRAL].jobs.get(request.match_info["id"]).to_wire())


async def create_job(request):
    body = await read_json(request, _bad_body)
    return web.json_response(request.app[CENTRAL].jobs.create(request.match_info["id"], body).to_wire())


async def job_devices(request):
    job = request.app[CENTRAL].jobs.get(request.match_info["id"])
    return paged(request, [{"id": did, "status": job.device_status[did]} for did in job.order])


async def stop_job(request):
    request.app[CENTRAL].jobs.stop(request.match_info["id"])
    return web.Response(status=204)


async def resume_job(request):
    request.app[CENTRAL].jobs.resume(request.match_info["id"])
    return web.Response(status=204)


async def rerun_job(request):
    job = request.app[CENTRAL].jobs.rerun(request.match_info["id"], request.match_info["rerun_id"])
    return web.json_response(job.to_wire())
