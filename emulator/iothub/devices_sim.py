"""Simulated devices: how each device answers a job's twin update or direct method, and how connected devices
mirror desired properties into reported ones. Every random choice is a seeded draw per (device, job), so a rerun
with the same seed fails the same devices."""
import asyncio
import copy

from .registry import draw
from .twin import plain

# A failed device-job row carries {"code", "description"} (contract.md 2.7).
NOT_ONLINE = ("DeviceNotOnline", "Timed out waiting for device to connect.")
TIMED_OUT = ("GatewayTimeout", "Timed out waiting for the response from device.")
NOT_FOUND = ("DeviceNotFound", "Device {device} was deleted before the job reached it.")
METHOD_FAILED = ("DeviceMethodFailed", "Device {device} answered method '{method}' with status {status}.")
TWIN_FAILED = ("ServerError", "The twin update of device {device} failed (emulator twin_failure_rate).")
REJECTED = ("DeviceRejectedDesiredProperties", "Device {device} rejected desired {path} = {value!r}.")


class Outcome:
    """What happens to one device in a job: after `seconds` (emulated), `status` completed or failed."""

    __slots__ = ("seconds", "status", "response", "error")

    def __init__(self, seconds, status, response=None, error=None):
        self.seconds = seconds
        self.status = status
        self.response = response  # deviceMethodResponse {"status", "payload"} for direct methods
        self.error = error  # {"code", "description"} when failed


def _failed(seconds, template, response=None, **values):
    code, text = template
    return Outcome(seconds, "failed", response, {"code": code, "description": text.format(**values)})


def _get_path(obj, path):
    for key in path.split("."):
        if not isinstance(obj, dict) or key not in obj:
            return None, False
        obj = obj[key]
    return obj, True


class Simulator:
    def __init__(self, state, registry):
        self._state = state
        self._registry = registry
        self._pending = {}  # device id -> timer handle of its next reported-property mirror
        registry.desired_listeners.append(self.on_desired_change)

    @property
    def _config(self):
        return self._state.config

    def latency(self, did, job_id):
        """Seconds (emulated) the device takes to answer: 0.5x to 1.5x of method_latency_ms."""
        return self._config.method_latency_ms / 1000.0 * (0.5 + draw(self._state.seed, "latency", job_id, did))

    # --- direct methods ---------------------------------------------------------------------------------------
    def call_method(self, did, job_id, method):
        """The outcome of invoking `method` (a validated cloudToDeviceMethod) on one device."""
        device = self._registry.get(did)
        if device is None:
            return _failed(0, NOT_FOUND, device=did)
        if device.twin["connectionState"] != "Connected":
            return _failed(method["connectTimeoutInSeconds"], NOT_ONLINE)
        seconds = self.latency(did, job_id)
        if seconds > method["responseTimeoutInSeconds"]:
            return _failed(method["responseTimeoutInSeconds"], TIMED_OUT)
        name = method["methodName"]
        if draw(self._state.seed, "method", job_id, did) < self._config.method_failure_rate:
            response = {"status": 500, "payload": {"error": "simulated failure of method '%s'" % name}}
            return _failed(seconds, METHOD_FAILED, response, device=did, method=name, status=500)
        return Outcome(seconds, "completed", {"status": 200, "payload": {"result": "ok", "method": name}})

    # --- twin updates -----------------------------------------------------------------------------------------
    def update_twin(self, did, job_id, patch):
        """Apply a job's twin patch to one device (the hub writes it; the device need not be online)."""
        if self._registry.get(did) is None:
            return _failed(0, NOT_FOUND, device=did)
        if draw(self._state.seed, "twin", job_id, did) < self._config.twin_failure_rate:
            return _failed(0, TWIN_FAILED, device=did)
        self._registry.patch_twin(did, patch)
        rejected = self.rejected((patch.get("properties") or {}).get("desired") or {})
        if rejected:
            # The hub wrote the desired value; the device refuses it and the job reports the device as failed.
            path, value = rejected
            return _failed(0, REJECTED, device=did, path=path, value=value)
        return Outcome(0, "completed")

    def rejected(self, desired):
        """(path, value) of the first desired value listed in reject_desired, or None."""
        for path, values in self._config.reject_desired.items():
            value, present = _get_path(desired, path)
            if present and value in values:
                return path, value
        return None

    # --- reported properties ----------------------------------------------------------------------------------
    def on_desired_change(self, device):
        """A connected device mirrors, after its latency, the desired properties it also reports."""
        if device.twin["connectionState"] != "Connected":
            return
        did = device.twin["deviceId"]
        delay = self.latency(did, "mirror") / self._state.clock.scale
        previous = self._pending.pop(did, None)
        if previous is not None:
            previous.cancel()  # the newer desired state is mirrored instead
        self._pending[did] = asyncio.get_running_loop().call_later(delay, self._mirror, did)

    def _mirror(self, did):
        self._pending.pop(did, None)
        device = self._registry.get(did)
        if device is None:
            return
        properties = device.twin["properties"]
        desired, reported = plain(properties["desired"]), plain(properties["reported"])
        known = {k: copy.deepcopy(v) for k, v in desired.items() if k in reported}
        if not known or self.rejected(known):
            return
        self._registry.patch_reported(did, known)

    def cancel_all(self):
        for handle in self._pending.values():
            handle.cancel()
        self._pending.clear()
