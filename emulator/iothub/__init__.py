"""The IoT Hub data plane: device registry and twins, the twin query, scheduled jobs (v2).

Import/export jobs (POST /jobs/create, GET /jobs, GET /jobs/{id}, DELETE /jobs/{id}) live in routes_import_export.py
with their state machine in import_export.py.
"""
from ..errors import IOTHUB_CODE_FOR_STATUS, iothub_error_response
from ..state import Surface
from . import control_routes, routes_import_export, routes_jobs, routes_registry
from .hub import HUB, HUBS, HubSet, admit


def setup(app, state):
    hubs = HubSet(state)
    app[HUBS] = hubs
    app[HUB] = hubs.hubs[0]
    state.add_surface(Surface("iothub", iothub_error_response, admit=admit, codes=IOTHUB_CODE_FOR_STATUS),
                      default=True)
    for hub in hubs:
        state.on_reset(hub.reset)
        state.on_config_change(hub.on_config_change)
    app.router.add_routes(routes_jobs.routes() + routes_import_export.routes() + routes_registry.routes()
                          + control_routes.routes())

    async def close(_app):
        for hub in hubs:
            await hub.close()

    app.on_cleanup.append(close)
