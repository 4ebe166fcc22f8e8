"""Hub-specific control API: PATCH /_emulator/devices/{id} sets what only a device could change (on the hub whose
port it reaches); GET /_emulator/hubs lists the hubs, PATCH /_emulator/hubs/{name}/config overrides one hub's
settings."""
from aiohttp import web

from ..config import ConfigError
from ..control import bad_request
from ..envfile import hub_list
from ..errors import ApiError
from ..jsonbody import read_json
from ..state import CONTROL_PREFIX, STATE
from .hub import HUBS, hub_of


def routes():
    return [web.patch(CONTROL_PREFIX + "devices/{id}", patch_device, name="control.patch-device"),
            web.get(CONTROL_PREFIX + "hubs", list_hubs, name="control.list-hubs", allow_head=False),
            web.patch(CONTROL_PREFIX + "hubs/{name}/config", patch_hub_config, name="control.patch-hub-config")]


def _hub_states(request):
    hubs = hub_list(request.app[STATE])
    for entry, hub in zip(hubs, request.app[HUBS]):
        entry["config"] = hub.state.config.overrides
    return hubs


async def list_hubs(request):
    """Every hub: name, resource_group, location, tags, hostname (as env.json's EMULATOR_HUBS) and its overrides."""
    return web.json_response(_hub_states(request))


async def patch_hub_config(request):
    """Override settings of one hub ({"twin_failure_rate": 1.0}; null drops an override); answers the hub list."""
    hub = request.app[HUBS].find(request.match_info["name"])
    if hub is None:
        raise ApiError(404, "NotFound", "no hub %s" % request.match_info["name"])
    changes = await read_json(request, bad_request, default={})
    try:
        hub.state.config.update(changes)
    except ConfigError as exc:
        raise bad_request(str(exc)) from None
    hub.on_config_change(changes)  # an override dropped (null) also re-applies the effective value
    return web.json_response(_hub_states(request))


async def patch_device(request):
    """Body {"connectionState": "Connected"|"Disconnected", "reported": {...merge patch...}}; answers the twin."""
    registry = hub_of(request).registry
    did = request.match_info["id"]
    body = await read_json(request, bad_request, default={})
    if not isinstance(body, dict) or set(body) - {"connectionState", "reported"}:
        raise bad_request('the body must be {"connectionState": "Connected"|"Disconnected", "reported": {...}}')
    if registry.get(did) is None:
        raise bad_request("no device %s" % did)
    state = body.get("connectionState")
    if state is not None:
        if state not in ("Connected", "Disconnected"):
            raise bad_request("connectionState must be Connected or Disconnected, got %r" % (state,))
        registry.set_connection(did, state == "Connected")
    if body.get("reported") is not None:
        if not isinstance(body["reported"], dict):
            raise bad_request("reported must be a JSON object")
        registry.patch_reported(did, body["reported"])
    return web.json_response(registry.get(did).twin)
