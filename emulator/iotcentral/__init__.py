"""The IoT Central data plane under /api (api-version 2022-07-31 and 2022-10-31-preview): device templates,
devices, device groups and jobs, admitted by API token or Entra bearer token, errors in the {"error": {...}} shape."""
from ..state import Surface
from . import routes
from .application import CENTRAL, CentralApp
from .errors import CODE_FOR_STATUS, central_error_response


def setup(app, state):
    central = CentralApp(state)
    app[CENTRAL] = central
    state.add_surface(Surface("iotcentral", central_error_response, admit=central.admit,
                              prefixes=(routes.PREFIX + "/",), codes=CODE_FOR_STATUS,
                              fallback_code="InternalServerError"))
    state.on_reset(central.reset)
    app.router.add_routes(routes.routes())

    async def close(_app):
        await central.close()

    app.on_cleanup.append(close)
