"""HTTP handlers of IoT Central scheduled jobs under /api/scheduledJobs (contract.md sections 4.2 and 4.5)."""
from aiohttp import web

from ..jsonbody import read_json
from .errors import central_error
from .routes import PREFIX, paged
from .scheduled import ScheduledJobs

SCHEDULED = web.AppKey("iotcentral-scheduled", ScheduledJobs)
MERGE_PATCH = "application/merge-patch+json"
# The spec lists merge-patch only; az iot central scheduled-job update sends application/json (contract.md 8), and
# its body is read as the same merge patch.
PATCH_TYPES = (MERGE_PATCH, "application/json")


def routes():
    p = PREFIX + "/scheduledJobs"
    return [
        web.get(p, list_scheduled, name="iotcentral.list-scheduled", allow_head=False),
        web.get(p + "/{id}", get_scheduled, name="iotcentral.get-scheduled", allow_head=False),
        web.put(p + "/{id}", put_scheduled, name="iotcentral.put-scheduled"),
        web.patch(p + "/{id}", patch_scheduled, name="iotcentral.patch-scheduled"),
        web.delete(p + "/{id}", delete_scheduled, name="iotcentral.delete-scheduled"),
        web.get(p + "/{id}/jobs", scheduled_runs, name="iotcentral.scheduled-runs", allow_head=False),
    ]


def _bad_body(message):
    return central_error(400, "InvalidBody", message)


async def list_scheduled(request):
    return paged(request, [item.to_wire() for item in request.app[SCHEDULED].items.values()])


async def get_scheduled(request):
    return web.json_response(request.app[SCHEDULED].get(request.match_info["id"]).to_wire())


async def put_scheduled(request):
    body = await read_json(request, _bad_body)
    item = request.app[SCHEDULED].put(request.match_info["id"], body, request.headers.get("If-Match"))
    return web.json_response(item.to_wire())


async def patch_scheduled(request):
    if request.content_type not in PATCH_TYPES:
        raise central_error(415, "UnsupportedMediaType", "PATCH /scheduledJobs/{id} takes %s, got '%s'."
                            % (" or ".join(PATCH_TYPES), request.content_type))
    body = await read_json(request, _bad_body)
    item = request.app[SCHEDULED].patch(request.match_info["id"], body, request.headers.get("If-Match"))
    return web.json_response(item.to_wire())


async def delete_scheduled(request):
    request.app[SCHEDULED].delete(request.match_info["id"])
    return web.Response(status=204)


async def scheduled_runs(request):
    return paged(request, [job.to_wire() for job in request.app[SCHEDULED].runs(request.match_info["id"])])
