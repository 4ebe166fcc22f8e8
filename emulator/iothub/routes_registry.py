"""HTTP handlers of the registry, twins and the query endpoint: /devices/{id}, /twins/{id}, /devices/query."""
from aiohttp import web

from ..errors import hub_error
from ..jsonbody import read_json
from ..query import QuerySyntaxError, parse_query
from ..state import STATE
from .hub import HUB
from .paging import paginate
from .twin import check_properties

DEVICE_STATUSES = ("enabled", "disabled")


def routes():
    # /devices/query before /devices/{id}, for the same reason as in routes_jobs.
    return [
        web.post("/devices/query", query_devices, name="iothub.query"),
        web.get("/devices/{id}", get_device, name="iothub.get-device", allow_head=False),
        web.put("/devices/{id}", put_device, name="iothub.put-device"),
        web.delete("/devices/{id}", delete_device, name="iothub.delete-device"),
        web.get("/twins/{id}", get_twin, name="iothub.get-twin", allow_head=False),
        web.patch("/twins/{id}", patch_twin, name="iothub.patch-twin"),
    ]


def format_error(message):
    return hub_error("IotHubFormatError", message)


async def query_devices(request):
    hub = request.app[HUB]
    body = await read_json(request, format_error)
    text = body.get("query") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise hub_error("ArgumentNull", "The query is required: {\"query\": \"SELECT * FROM devices\"}.")
    try:
        query = parse_query(text)
    except QuerySyntaxError as exc:
        raise hub_error("BadRequest", str(exc), status=400) from None
    if query.source == "devices.jobs":
        rows, item_type = query.execute(hub.jobs.device_rows()), "DeviceJob"
    else:
        rows, item_type = query.execute(hub.registry.twins()), "Twin"
    if query.is_count or query.projection is not None:
        item_type = "Raw"
    page, token = paginate(request, rows)
    headers = {"x-ms-item-type": item_type}
    if token:
        headers["x-ms-continuation"] = token
    # Serialised here, before any await: the rows are the live documents.
    return web.json_response(page, headers=headers)


async def get_device(request):
    return web.json_response(request.app[HUB].registry.require(request.match_info["id"]).identity())


def _device_fields(body, did):
    if not isinstance(body, dict):
        raise hub_error("ArgumentNull", "The request body must be a Device object.")
    if body.get("deviceId") not in (None, did):
        raise hub_error("ArgumentInvalid", "The deviceId in the body does not match the deviceId in the path.")
    status = body.get("status") or "enabled"
    if status not in DEVICE_STATUSES:
        raise hub_error("ArgumentInvalid", "status must be enabled or disabled, got '%s'." % status)
    keys = ((body.get("authentication") or {}).get("symmetricKey")) or {}
    return status, {k: v for k, v in keys.items() if k in ("primaryKey", "secondaryKey") and v}


async def put_device(request):
    """Create a device; updating an existing one needs If-Match (the SDK sends "*")."""
    state, hub = request.app[STATE], request.app[HUB]
    did = request.match_info["id"]
    status, keys = _device_fields(await read_json(request, format_error), did)
    if_match = request.headers.get("If-Match")
    if hub.registry.get(did) is not None and if_match:
        device = hub.registry.update_identity(did, if_match, status, keys)
    else:
        device = hub.registry.create(did, status, keys, state.seed)
    return web.json_response(device.identity())


async def delete_device(request):
    request.app[HUB].registry.delete(request.match_info["id"], request.headers.get("If-Match"))
    return web.Response(status=204)


async def get_twin(request):
    return web.json_response(request.app[HUB].registry.require(request.match_info["id"]).twin)


async def patch_twin(request):
    hub = request.app[HUB]
    patch = await read_json(request, format_error)
    if not isinstance(patch, dict):
        raise hub_error("ArgumentNull", "The request body must be a Twin object.")
    properties = patch.get("properties") or {}
    if not isinstance(properties, dict) or set(properties) - {"desired"}:
        raise hub_error("ArgumentInvalid", "Only tags and desired properties can be updated by the service.")
    if patch.get("tags") is not None:
        check_properties(patch["tags"], "tags")
    if properties.get("desired") is not None:
        check_properties(properties["desired"], "properties.desired")
    twin = hub.registry.patch_twin(request.match_info["id"], patch, request.headers.get("If-Match"))
    return web.json_response(twin)
