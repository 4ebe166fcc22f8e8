"""One emulated IoT hub: registry, simulated devices and scheduled jobs, plus how its requests are admitted."""
from aiohttp import web

from ..auth import authenticate_hub
from ..errors import hub_error
from .devices_sim import Simulator
from .import_export import ImportExportEngine
from .jobs import JobEngine
from .registry import Registry

# contract.md 1.1: what SDKs and the CLI send; anything else is InvalidProtocolVersion.
API_VERSIONS = frozenset(("2021-04-12", "2024-03-31", "2020-05-31-preview", "2020-03-13"))


class IotHub:
    def __init__(self, state):
        self.state = state
        self.registry = Registry(state.clock)
        self.simulator = Simulator(state, self.registry)
        self.jobs = JobEngine(state, self.registry, self.simulator)
        self.import_export = ImportExportEngine(state, self.registry)
        self.seed()

    def seed(self):
        self.registry.seed(self.state.devices, self.state.seed, self.state.config.disconnected_rate)

    async def reset(self, _state):
        await self.close()
        self.seed()

    def on_config_change(self, changes):
        if "disconnected_rate" in changes:
            self.registry.apply_disconnected_rate(self.state.seed, changes["disconnected_rate"])

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


HUB = web.AppKey("iothub", IotHub)
