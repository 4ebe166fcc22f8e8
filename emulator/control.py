"""The control API under /_emulator/ (no auth, JSON): health, config, faults, reset, request counts and log."""
import os
import time

from aiohttp import web

from .config import ConfigError
from .errors import ApiError, control_error_response
from .faults import FaultError, normalise
from .jsonbody import read_json
from .state import CONTROL_PREFIX, STATE, Surface, served_routes


STARTED = web.AppKey("emulator_started", float)


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def setup(app, state):
    state.add_surface(Surface("control", control_error_response, prefixes=(CONTROL_PREFIX,),
                              codes={400: "BadRequest", 404: "NotFound", 405: "MethodNotAllowed"}))
    app[STARTED] = time.monotonic()
    p = CONTROL_PREFIX
    app.router.add_routes([
        web.get(p + "health", health, name="control.health", allow_head=False),
        web.get(p + "config", get_config, name="control.get-config", allow_head=False),
        web.patch(p + "config", patch_config, name="control.patch-config"),
        web.get(p + "faults", list_faults, name="control.list-faults", allow_head=False),
        web.post(p + "faults", add_faults, name="control.add-faults"),
        web.delete(p + "faults", clear_faults, name="control.clear-faults"),
        web.post(p + "reset", reset, name="control.reset"),
        web.get(p + "requests", request_counts, name="control.request-counts", allow_head=False),
        web.get(p + "requests/log", request_log, name="control.request-log", allow_head=False),
        web.delete(p + "requests", clear_requests, name="control.clear-requests"),
        web.get(p + "tokens", issued_tokens, name="control.issued-tokens", allow_head=False),
    ])


async def health(request):
    state = request.app[STATE]
    return web.json_response({"status": "ok", "url": state.base_url, "pid": os.getpid(),
                              "uptime_seconds": round(time.monotonic() - request.app[STARTED], 3)})


async def get_config(request):
    return web.json_response(request.app[STATE].config.as_dict())


async def patch_config(request):
    state = request.app[STATE]
    changes = await read_json(request, bad_request, default={})
    try:
        state.update_config(changes)
    except ConfigError as exc:
        raise bad_request(str(exc)) from None
    return web.json_response(state.config.as_dict())


async def list_faults(request):
    return web.json_response(request.app[STATE].faults.list())


async def add_faults(request):
    """One rule or a list of rules; answers the stored rules (with their ids)."""
    state = request.app[STATE]
    body = await read_json(request, bad_request)
    rules = body if isinstance(body, list) else [body]
    try:
        valid = [normalise(rule, served_routes(request.app)) for rule in rules]
    except FaultError as exc:
        raise bad_request(str(exc)) from None
    added = [state.faults.add(rule) for rule in valid]
    return web.json_response(added if isinstance(body, list) else added[0], status=201)


async def clear_faults(request):
    request.app[STATE].faults.clear()
    return web.json_response([])


def _optional_int(body, name, minimum):
    value = body.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
        raise bad_request("%s must be an integer >= %d, got %r" % (name, minimum, value))
    return value


async def reset(request):
    """Back to a fresh emulator: faults, request log, config, jobs and registry (re-seeded)."""
    state = request.app[STATE]
    body = await read_json(request, bad_request, default={})
    if not isinstance(body, dict) or set(body) - {"devices", "seed"}:
        raise bad_request('the body must be empty or {"devices": N, "seed": S}')
    await state.reset(devices=_optional_int(body, "devices", 0), seed=_optional_int(body, "seed", 0))
    return web.json_response({"status": "reset", "devices": state.devices, "seed": state.seed})


async def request_counts(request):
    return web.json_response(dict(request.app[STATE].requests.counts))


async def request_log(request):
    return web.json_response(list(request.app[STATE].requests.entries))


async def clear_requests(request):
    request.app[STATE].requests.clear()
    return web.json_response({})


async def issued_tokens(request):
    """The bearer tokens the Entra endpoint issued, oldest first: tests grep playbook output for them."""
    return web.json_response({"access_tokens": list(request.app[STATE].credentials.issued_tokens)})
