"""Hub-specific control API: PATCH /_emulator/devices/{id} sets what only a device could change."""
from aiohttp import web

from ..control import bad_request
from ..jsonbody import read_json
from ..state import CONTROL_PREFIX
from .hub import HUB


def routes():
    return [web.patch(CONTROL_PREFIX + "devices/{id}", patch_device, name="control.patch-device")]


async def patch_device(request):
    """Body {"connectionState": "Connected"|"Disconnected", "reported": {...merge patch...}}; answers the twin."""
    registry = request.app[HUB].registry
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
