"""Tunable behaviour of the emulator: GET/PATCH /_emulator/config, reset to the command-line values."""
import copy

# contract.md section 1.6: concurrent scheduled jobs and job device operations per second, by tier.
TIERS = {
    "F1": {"max_active_jobs": 1, "device_ops_per_second": 10},
    "S1": {"max_active_jobs": 1, "device_ops_per_second": 10},
    "S2": {"max_active_jobs": 5, "device_ops_per_second": 10},
    "S3": {"max_active_jobs": 10, "device_ops_per_second": 50},
}

DEFAULTS = {
    "tier": "S1",
    "time_scale": 1.0,
    "method_failure_rate": 0.0,  # share of devices answering a direct method with status 500
    "twin_failure_rate": 0.0,  # share of devices whose twin update fails in a twin job
    "method_latency_ms": 200,  # emulated device latency (each device draws 0.5x to 1.5x of it)
    "disconnected_rate": 0.0,  # share of seeded devices that are Disconnected
    "device_ops_per_second": None,  # None: the tier's rate
    "max_active_jobs": None,  # None: the tier's concurrent-job limit
    "unknown_job_status": 200,  # GET /jobs/v2/{unknown}: 200 {"type":"unknown"} (observed) or 404 JobNotFound
    "jobs_query_format": "array",  # GET /jobs/v2/query body: "array" (real) or "object" (what azure-iot-hub parses)
    "scheduled_status": True,  # a job accepted for a future startTime shows "scheduled" (False: stays "queued")
    "reject_desired": {},  # {"firmware.version": ["2.0.0-bad"]}: devices fail twin jobs setting these values
    "lowercase_job_ids": True,  # upper-case job ids are refused, as the real hub was observed to (contract.md 7)
    "profile": "full",  # "sparse": answers carry only what the official examples and recorded traffic carry
    "cancel_read_lag": 0.0,  # real seconds a cancelled job still reads as before on GET (contract.md 7: "a moment")
    "central_failure_rate": 0.0,  # IoT Central: share of devices failing a job
    "central_device_ops_per_second": 20,  # IoT Central: devices a job processes per (emulated) second
    "central_max_running_jobs": 5,  # IoT Central: jobs pending or running at the same time
    "central_page_size": 100,  # IoT Central: items per page of a collection (maxpagesize / $top override it)
    "arm_page_size": 20,  # ARM: hubs per page of the IotHubs lists (50 hubs take 3 pages)
}


class ConfigError(ValueError):
    """A PATCH /_emulator/config value that is not acceptable; the message names the key."""


def _rate(key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError("%s must be a number between 0 and 1, got %r" % (key, value))
    return float(value)


def _positive(key, value, optional=False, integer=False):
    if value is None and optional:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value <= 0:
        what = "a positive integer" if integer else "a positive number"
        raise ConfigError("%s must be %s%s, got %r" % (key, what, " or null" if optional else "", value))
    return value


def _seconds(key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError("%s must be a number of seconds >= 0, got %r" % (key, value))
    return float(value)


def _non_negative_int(key, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError("%s must be an integer >= 0, got %r" % (key, value))
    return value


def _choice(key, value, choices):
    if value not in choices:
        raise ConfigError("%s must be one of %s, got %r" % (key, ", ".join(map(str, choices)), value))
    return value


def _bool(key, value):
    if not isinstance(value, bool):
        raise ConfigError("%s must be true or false, got %r" % (key, value))
    return value


def _reject_desired(key, value):
    ok = isinstance(value, dict) and all(isinstance(k, str) and k and isinstance(v, list) for k, v in value.items())
    if not ok:
        raise ConfigError('%s must map dotted desired-property paths to lists of values, for example '
                          '{"firmware.version": ["2.0.0-bad"]}, got %r' % (key, value))
    return copy.deepcopy(value)


VALIDATORS = {
    "tier": lambda k, v: _choice(k, v, sorted(TIERS)),
    "time_scale": lambda k, v: float(_positive(k, v)),
    "method_failure_rate": _rate,
    "twin_failure_rate": _rate,
    "method_latency_ms": _non_negative_int,
    "disconnected_rate": _rate,
    "device_ops_per_second": lambda k, v: _positive(k, v, optional=True),
    "max_active_jobs": lambda k, v: _positive(k, v, optional=True, integer=True),
    "unknown_job_status": lambda k, v: _choice(k, v, (200, 404)),
    "jobs_query_format": lambda k, v: _choice(k, v, ("array", "object")),
    "scheduled_status": _bool,
    "reject_desired": _reject_desired,
    "lowercase_job_ids": _bool,
    "cancel_read_lag": _seconds,
    "profile": lambda k, v: _choice(k, v, ("full", "sparse")),
    "central_failure_rate": _rate,
    "central_device_ops_per_second": _positive,
    "central_max_running_jobs": lambda k, v: _positive(k, v, integer=True),
    "central_page_size": lambda k, v: _positive(k, v, integer=True),
    "arm_page_size": lambda k, v: _positive(k, v, integer=True),
}


class Config:
    """The current settings; read attributes by key name (config.tier, config.method_failure_rate...)."""

    def __init__(self, **initial):
        self._initial = self.validate(dict(DEFAULTS, **initial))
        self._values = copy.deepcopy(self._initial)

    @staticmethod
    def validate(changes):
        if not isinstance(changes, dict):
            raise ConfigError("the body must be a JSON object of settings")
        unknown = sorted(set(changes) - set(VALIDATORS))
        if unknown:
            raise ConfigError("unknown setting(s) %s; known: %s" % (", ".join(unknown), ", ".join(sorted(VALIDATORS))))
        return {key: VALIDATORS[key](key, value) for key, value in changes.items()}

    def update(self, changes):
        """Validate all changes first, then apply them together; returns the validated changes."""
        valid = self.validate(changes)
        self._values.update(valid)
        return valid

    def reset(self):
        self._values = copy.deepcopy(self._initial)

    def as_dict(self):
        return copy.deepcopy(self._values)

    def __getattr__(self, key):
        try:
            return self.__dict__["_values"][key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def active_job_limit(self):
        return self.max_active_jobs or TIERS[self.tier]["max_active_jobs"]

    @property
    def ops_per_second(self):
        return self.device_ops_per_second or TIERS[self.tier]["device_ops_per_second"]
