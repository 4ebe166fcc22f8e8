"""HTTP handlers of the registry, twins and the query endpoint: /devices/{id}, /twins/{id}, /devices/query; the
device list, registry and service statistics and direct method invocation that azure-iot-hub's
IoTHubRegistryManager calls in job workflows (get_devices, get_device_registry_statistics, get_service_statistics,
invoke_device_method)."""

from aiohttp import web

from ..errors import hub_error
from ..jsonbody import read_json
from ..query import QuerySyntaxError, parse_query, too_long
from .hub import hub_of
from .job_request import method_request
from .paging import paginate, scan
from .twin import check_properties

DEVICE_STATUSES = ("enabled", "disabled")


def routes():
    # /devices/query before /devices/{id}, for the same reason as in routes_jobs.
    return [
        web.post("/devices/query", query_devices, name="iothub.query"),
        web.get("/devices", list_devices, name="iothub.list-devices", allow_head=False),
        # The Node.js azure-iothub Registry.list() asks for /devices/ (devicePath('')).
        web.get("/devices/", list_devices, name="iothub.list-devices-slash", allow_head=False),
        web.get("/statistics/devices", device_statistics, name="iothub.device-statistics", allow_head=False),
        web.get("/statistics/service", service_statistics, name="iothub.service-statistics", allow_head=False),
        web.post("/twins/{id}/methods", invoke_method, name="iothub.invoke-method"),
        web.get("/devices/{id}", get_device, name="iothub.get-device", allow_head=False),
        web.put("/devices/{id}", put_device, name="iothub.put-device"),
        web.delete("/devices/{id}", delete_device, name="iothub.delete-device"),
        web.get("/twins/{id}", get_twin, name="iothub.get-twin", allow_head=False),
        web.patch("/twins/{id}", patch_twin, name="iothub.patch-twin"),
    ]


def format_error(message):
    return hub_error("IotHubFormatError", message)


async def query_devices(request):
    hub = hub_of(request)
    body = await read_json(request, format_error)
    text = body.get("query") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise hub_error("ArgumentNull", "The query is required: {\"query\": \"SELECT * FROM devices\"}.")
    refusal = too_long(text)
    if refusal:
        raise hub_error("PreconditionFailed", refusal)
    try:
        query = parse_query(text)
    except QuerySyntaxError as exc:
        raise hub_error("BadRequest", str(exc), status=400) from None
    if query.source == "devices.jobs":
        docs, item_type = hub.jobs.device_rows(), "DeviceJob"
    else:
        docs, item_type = hub.registry.twins(), "Twin"
    if query.is_count or query.projection is not None:
        item_type = "Raw"
    page, token = paginate(request, query.execute(docs)) if query.is_count else scan(request, query, docs)
    headers = {"x-ms-item-type": item_type}
    if token:
        headers["x-ms-continuation"] = token
    # Serialised here, before any await: the rows are the live documents.
    return web.json_response(page, headers=headers)


def _top(request):
    """GET /devices?top=N: values outside 1-1000 are read as 1000 (service.json Devices_GetDevices)."""
    try:
        top = int(request.query.get("top", "1000"))
    except ValueError:
        raise hub_error("ArgumentInvalid", "top must be an integer, got '%s'." % request.query["top"]) from None
    return top if 1 <= top <= 1000 else 1000


async def list_devices(request):
    devices = hub_of(request).registry.devices()
    return web.json_response([device.identity() for device in devices[:_top(request)]])


async def device_statistics(request):
    return web.json_response(hub_of(request).registry.statistics())


async def service_statistics(request):
    twins = hub_of(request).registry.twins()
    connected = sum(1 for twin in twins if twin["connectionState"] == "Connected")
    return web.json_response({"connectedDeviceCount": connected})


async def invoke_method(request):
    """Devices_InvokeMethod: the simulated device answers after its latency (scaled by time_scale), as in a method
    job; an offline device is 404 DeviceNotOnline, a device slower than responseTimeoutInSeconds 504."""
    hub = hub_of(request)
    state = hub.state  # the hub's view: its own setting overrides
    did = request.match_info["id"]
    body = await read_json(request, format_error)
    if not isinstance(body, dict):
        raise hub_error("ArgumentNull", "The request body must be a CloudToDeviceMethod object.")
    hub.registry.require(did)
    method = method_request({"cloudToDeviceMethod": body})
    outcome = hub.simulator.call_method(did, "direct-" + method["methodName"], method)
    await state.clock.sleep(outcome.seconds)
    if outcome.response is None:
        code, description = outcome.error["code"], outcome.error["description"]
        if code == "DeviceNotFound":
            raise hub_error(code, description)
        raise hub_error("DeviceNotOnline" if code == "DeviceNotOnline" else "GatewayTimeout", description)
    return web.json_response(outcome.response)


async def get_device(request):
    return web.json_response(hub_of(request).registry.require(request.match_info["id"]).identity())


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
    hub = hub_of(request)
    state = hub.state  # the hub's view: its own setting overrides
    did = request.match_info["id"]
    status, keys = _device_fields(await read_json(request, format_error), did)
    if_match = request.headers.get("If-Match")
    if hub.registry.get(did) is not None and if_match:
        device = hub.registry.update_identity(did, if_match, status, keys)
    else:
        device = hub.registry.create(did, status, keys, state.seed)
    return web.json_response(device.identity())


async def delete_device(request):
    hub_of(request).registry.delete(request.match_info["id"], request.headers.get("If-Match"))
    return web.Response(status=204)


async def get_twin(request):
    return web.json_response(hub_of(request).registry.require(request.match_info["id"]).twin)


async def patch_twin(request):
    hub = hub_of(request)
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
