"""The emulated IoT hubs (one per --hubs): registry, simulated devices and scheduled jobs of each, how a request
finds its hub (the local port it arrived on) and how its requests are admitted."""
from aiohttp import web

from ..auth import authenticate_hub
from ..errors import hub_error
from .devices_sim import Simulator
from .import_export import ImportExportEngine
from .jobs import JobEngine
from .registry import Registry
from .scope import HubScope

# contract.md 1.1: what SDKs and the CLI send; anything else is InvalidProtocolVersion.
API_VERSIONS = frozenset(("2021-04-12", "2024-03-31", "2020-05-31-preview", "2020-03-13"))


class IotHub:
    def __init__(self, state, spec):
        self.spec = spec
        self.state = state = HubScope(state, spec)
        self.registry = Registry(state.clock)
        self.simulator = Simulator(state, self.registry)
        self.jobs = JobEngine(state, self.registry, self.simulator)
        self.import_export = ImportExportEngine(state, self.registry)
        self.seed()

    def seed(self):
        self.registry.seed(self.state.devices, self.state.seed, self.state.config.disconnected_rate)

    async def reset(self, _state):
        await self.close()
        self.state.config.reset()
        self.seed()

    def on_config_change(self, changes):
        if "disconnected_rate" in changes:
            self.registry.apply_disconnected_rate(self.state.seed, self.state.config.disconnected_rate)

    async def close(self):
        self.simulator.cancel_all()
        await self.jobs.close()
        await self.import_export.close()

    def admit(self, request):
        """Authentication first (nothing is revealed to an unauthenticated caller), then the api-version."""
        authenticate_hub(request, self.state.credentials, self.state.hub_hosts)
        versions = set(request.query.getall("api-version", []))
        if not versions:
            raise hub_error("InvalidProtocolVersion", "The api-version query parameter is required.",
                            status=400)
        if len(versions) > 1 or not versions <= API_VERSIONS:
            raise hub_error("InvalidProtocolVersion", "Unsupported api-version '%s'. Supported: %s." % (
                ",".join(sorted(versions)), ", ".join(sorted(API_VERSIONS))))


class HubSet:
    """Every hub, found by the local port of a data-plane request or by its ARM resource group and name."""

    def __init__(self, state):
        self.state = state
        self.hubs = [IotHub(state, spec) for spec in state.hubs]

    def __iter__(self):
        return iter(self.hubs)

    def by_port(self, port):
        for hub in self.hubs[1:]:
            if hub.spec.port == port:
                return hub
        return self.hubs[0]

    def find(self, name, resource_group=None):
        """The hub of that name (and resource group), compared case-insensitively as ARM does; None if none."""
        for hub in self.hubs:
            if hub.spec.name == name.lower() and (resource_group is None
                                                  or hub.spec.resource_group == resource_group.lower()):
                return hub
        return None


HUB = web.AppKey("iothub", IotHub)  # hub 1
HUBS = web.AppKey("iothubs", HubSet)


def local_port(request):
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    return sockname[1] if sockname else None


def hub_of(request):
    """The hub whose data plane this request reached (hub 1 on the main port)."""
    hub = request.get("iothub")
    if hub is None:
        hub = request["iothub"] = request.app[HUBS].by_port(local_port(request))
    return hub


def admit(request):
    hub_of(request).admit(request)
