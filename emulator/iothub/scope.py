"""What one hub's engines see of the emulator: the shared clock, seed and settings, with the hub's own keys, host
names and per-hub setting overrides (PATCH /_emulator/hubs/{name}/config), so that one hub's devices can fail while
the others' do not."""
import base64

from ..config import Config, ConfigError

# The settings that describe a hub or its devices; the others (time_scale, profile, IoT Central) stay global.
HUB_SETTINGS = frozenset(("tier", "method_failure_rate", "twin_failure_rate", "method_latency_ms", "disconnected_rate",
                          "device_ops_per_second", "max_active_jobs", "reject_desired", "unknown_job_status",
                          "scheduled_status", "cancel_read_lag"))


class HubConfig:
    """The global Config with this hub's overrides on top (read by attribute, as Config is)."""

    active_job_limit = Config.active_job_limit
    ops_per_second = Config.ops_per_second

    def __init__(self, base):
        self._base = base
        self.overrides = {}

    def __getattr__(self, key):
        overrides = self.__dict__["overrides"]
        return overrides[key] if key in overrides else getattr(self.__dict__["_base"], key)

    def update(self, changes):
        """Validate all changes first (only hub settings; null removes an override); returns the valid changes."""
        if not isinstance(changes, dict):
            raise ConfigError("the body must be a JSON object of settings")
        foreign = sorted(set(changes) - HUB_SETTINGS)
        if foreign:
            raise ConfigError("not a per-hub setting: %s; per-hub settings: %s" % (
                ", ".join(foreign), ", ".join(sorted(HUB_SETTINGS))))
        valid = Config.validate({key: value for key, value in changes.items() if value is not None})
        for key in changes:
            self.overrides.pop(key, None)
        self.overrides.update(valid)
        return valid

    def reset(self):
        self.overrides = {}


class HubCredentials:
    """The hub's own policy keys; bearer tokens are checked with the emulator's one signing key."""

    def __init__(self, shared, keys):
        self._shared = shared
        self.hub_keys = keys

    @property
    def jwt_key(self):
        return self._shared.jwt_key

    def hub_key(self, policy):
        key = self.hub_keys.get(policy)
        return base64.b64decode(key) if key else None


class HubScope:
    """Stands in for the EmulatorState in one hub's engines: everything not overridden here is the state's."""

    def __init__(self, state, spec):
        self._state = state
        self.spec = spec
        self.config = HubConfig(state.config)
        self.credentials = state.credentials if spec.index == 1 else \
            HubCredentials(state.credentials, spec.policy_keys(state.seed))

    def __getattr__(self, name):
        return getattr(self.__dict__["_state"], name)

    @property
    def port(self):
        return self._state.port_of(self.spec)

    @property
    def hub_hostname(self):
        return self._state.hostname_for(self.port)

    @property
    def hub_hosts(self):
        return self._state.hosts_for(self.port)
