"""The one state object of a running emulator (no module-level mutable state): settings, tunables, clock,
credentials, faults, request log, and the surfaces (emulated APIs) that packages register in their setup()."""
import inspect

from aiohttp import web

from .clock import Clock
from .config import Config
from .credentials import Credentials
from .faults import FaultSet
from .fleet import layout
from .requestlog import RequestLog

CONTROL_PREFIX = "/_emulator/"


class Surface:
    """One emulated API: how its requests are admitted (auth, api-version) and how its errors look.

    `name` prefixes the names of its routes ("iothub.get-job"), which is how a matched request finds its surface;
    `prefixes` claim unmatched paths (404s) for it; `admit(request)` raises an ApiError to refuse a request;
    `render(request, error)` builds the error response; `codes` maps an HTTP status to this API's usual error code
    (for router 404/405s and for injected faults that give no error_code).
    """

    def __init__(self, name, render, admit=None, prefixes=(), codes=None, fallback_code="ServerError"):
        self.name = name
        self.render = render
        self.admit = admit
        self.prefixes = tuple(prefixes)
        self.codes = dict(codes or {})
        self.fallback_code = fallback_code

    def code_for(self, status):
        return self.codes.get(status, self.fallback_code)


class EmulatorState:
    def __init__(self, devices=100, seed=1, tier="S1", time_scale=1.0, host="127.0.0.1", state_dir=None,
                 profile="full", hubs=1):
        self.devices = devices
        self.seed = seed
        self.host = host
        self.port = None  # known once the listening socket is bound
        self.hubs = layout(hubs)  # fleet.HubSpec of each hub; hub 1 is served on `port`, hub i on hubs[i-1].port
        self.state_dir = state_dir  # blob containers live in <state_dir>/blobs/<container>/
        self.config = Config(tier=tier, time_scale=time_scale, profile=profile)
        self.clock = Clock(self.config.time_scale)
        self.credentials = Credentials(seed)
        self.faults = FaultSet()
        self.requests = RequestLog()
        self._surfaces = {}
        self._default_surface = None
        self._reset_hooks = []
        self._config_hooks = [self._apply_time_scale]

    # --- where we listen --------------------------------------------------------------------------------------
    @property
    def hub_hostname(self):
        """host:port, or the bare host on 443 as a real hub's host name is (clients that cannot take a port in the
        host name, such as the Node.js azure-iothub SDK, need --port 443)."""
        return self.hostname_for(self.port)

    def port_of(self, spec):
        """The port of a hub's data plane (fleet.HubSpec): hub 1 is the main port."""
        return self.port if spec.index == 1 else spec.port

    def hostname_for(self, port):
        return self.host if port == 443 else "%s:%s" % (self.host, port)

    @property
    def base_url(self):
        return "https://%s" % self.hub_hostname

    @property
    def hub_hosts(self):
        return self.hosts_for(self.port)

    def hosts_for(self, port):
        """The names a SAS token's sr may give for the hub on `port` (compared in lower case): with the port, or
        without it as a real hub's sr always is (contract.md 8, clients such as the Node.js azure-iothub SDK sign
        the bare host)."""
        names = {name.lower() for name in (self.host, "127.0.0.1", "localhost")}
        return names | {"%s:%s" % (name, port) for name in names}

    # --- surfaces ---------------------------------------------------------------------------------------------
    def add_surface(self, surface, default=False):
        self._surfaces[surface.name] = surface
        if default:
            self._default_surface = surface

    def surface_for(self, request):
        resource = getattr(request.match_info.route, "resource", None)
        if resource is not None and resource.name:
            surface = self._surfaces.get(resource.name.partition(".")[0])
            if surface is not None:
                return surface
        for surface in self._surfaces.values():
            if request.path.startswith(surface.prefixes):
                return surface
        return self._default_surface

    # --- hooks ------------------------------------------------------------------------------------------------
    def on_reset(self, hook):
        """hook(state) runs (awaited if a coroutine function) on POST /_emulator/reset after devices/seed change."""
        self._reset_hooks.append(hook)

    def on_config_change(self, hook):
        """hook(changes) runs after PATCH /_emulator/config with the validated changes."""
        self._config_hooks.append(hook)

    async def reset(self, devices=None, seed=None):
        if devices is not None:
            self.devices = devices
        if seed is not None:
            self.seed = seed
        self.faults.clear()
        self.requests.clear()
        self.config.reset()
        self.clock.set_scale(self.config.time_scale)
        for hook in self._reset_hooks:
            result = hook(self)
            if inspect.isawaitable(result):
                await result

    def update_config(self, changes):
        valid = self.config.update(changes)
        for hook in self._config_hooks:
            hook(valid)
        return valid

    def _apply_time_scale(self, changes):
        if "time_scale" in changes:
            self.clock.set_scale(changes["time_scale"])


STATE = web.AppKey("emulator_state", EmulatorState)


def route_template(request):
    """The matched route's template ("/jobs/v2/{id}"), or None for a path no route matches."""
    resource = getattr(request.match_info.route, "resource", None)
    return resource.canonical if resource is not None else None


def served_routes(app):
    """"METHOD /template" of every emulated-API route (what faults and request counts are keyed by)."""
    return {"%s %s" % (route.method, route.resource.canonical) for route in app.router.routes()
            if route.method != "HEAD" and not route.resource.canonical.startswith(CONTROL_PREFIX)}
