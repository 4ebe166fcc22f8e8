"""The aiohttp Application: middleware (request log, fault injection, per-surface admission and errors) and the
packages that add routes. Each API package exposes setup(app, state); IoT Central and ARM plug in the same way."""
import asyncio
import logging

from aiohttp import web

from . import arm, control, entra, iotcentral, iothub
from .profile import sparse_answers
from .errors import ApiError, request_id
from .state import CONTROL_PREFIX, STATE, route_template

LOG = logging.getLogger("emulator")

# Order matters: the first registered surface wins for unmatched paths with an overlapping prefix.
PACKAGES = (control, entra, iothub, arm, iotcentral)


def build_app(state):
    app = web.Application(middlewares=[record_requests, inject_faults, sparse_answers, admit_and_render])
    app[STATE] = state
    app.on_response_prepare.append(_common_headers)
    for package in PACKAGES:
        package.setup(app, state)
    return app


async def _common_headers(request, response):
    # Every IoT Hub answer carries these (contract.md 1.2); harmless on the other surfaces.
    response.headers["x-ms-request-id"] = request_id(request)
    response.headers["Server"] = "Microsoft-HTTPAPI/2.0"
    response.headers["Vary"] = "Origin"


@web.middleware
async def record_requests(request, handler):
    if request.path.startswith(CONTROL_PREFIX):
        return await handler(request)
    status = None
    try:
        response = await handler(request)
        status = None if request.get("dropped") else response.status  # None: no answer was sent
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        request.app[STATE].requests.record(request.method, route_template(request), request.path, status)


def _drop(request):
    """Close the connection without an answer, as a load balancer reset would. aiohttp then skips writing the
    returned placeholder response to the closed transport."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    request["dropped"] = True
    return web.Response(status=499)


@web.middleware
async def inject_faults(request, handler):
    template = route_template(request)
    state = request.app[STATE]
    rule = None if template is None or request.path.startswith(CONTROL_PREFIX) else \
        state.faults.take(request.method, template)
    if rule is None:
        return await handler(request)
    response = None
    if rule["when"] == "after":
        response = await handler(request)  # the operation happens, only its answer is late, lost or replaced
    if rule["latency"]:
        await asyncio.sleep(rule["latency"])  # real seconds: network latency is not scaled
    if rule["drop"]:
        return _drop(request)
    if rule["status"] is None:
        return response if response is not None else await handler(request)
    surface = state.surface_for(request)
    code = rule["error_code"] or surface.code_for(rule["status"])
    headers = {"Retry-After": "%g" % rule["retry_after"]} if rule["retry_after"] is not None else None
    error = ApiError(rule["status"], code, rule["message"] or "Injected fault: %s." % code, headers)
    return surface.render(request, error)


@web.middleware
async def admit_and_render(request, handler):
    surface = request.app[STATE].surface_for(request)
    try:
        if surface.admit is not None:
            surface.admit(request)
        return await handler(request)
    except ApiError as error:
        return surface.render(request, error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        # The router's own 404/405: answer in this API's error shape.
        return surface.render(request, ApiError(exc.status, surface.code_for(exc.status), "%s %s: %s." % (
            request.method, request.path, exc.reason)))
    except asyncio.CancelledError:
        raise
    except Exception:  # a bug: still answer in the API's shape, and say so in the log
        LOG.exception("unhandled error in %s %s", request.method, request.path)
        return surface.render(request, ApiError(500, surface.code_for(500), "Internal error in the emulator."))
