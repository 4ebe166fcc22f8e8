"""The IoT Central data plane under /api (api-version 2022-07-31 and 2022-10-31-preview): device templates,
devices, device groups, jobs and scheduled jobs, admitted by API token or Entra bearer token, errors in the
{"error": {...}} shape."""
from ..state import Surface
from . import routes, scheduled_routes
from .application import CENTRAL, CentralApp
from .errors import CODE_FOR_STATUS, central_error_response
from .scheduled import ScheduledJobs


def setup(app, state):
    central = CentralApp(state)
    app[CENTRAL] = central
    state.add_surface(Surface("iotcentral", central_error_response, admit=central.admit,
                              prefixes=(routes.PREFIX + "/",), codes=CODE_FOR_STATUS,
                              fallback_code="InternalServerError"))
    scheduled = ScheduledJobs(state, central)
    app[scheduled_routes.SCHEDULED] = scheduled
    state.on_reset(lambda _state: scheduled.close())  # no run may start while the application is re-seeded
    state.on_reset(central.reset)
    app.router.add_routes(routes.routes() + scheduled_routes.routes())

    async def close(_app):
        await scheduled.close()
        await central.close()

    app.on_cleanup.append(close)
