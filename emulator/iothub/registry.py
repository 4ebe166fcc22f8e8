"""The device identity registry and device twins, seeded deterministically from --devices and --seed."""
import base64
import copy
import hashlib
import random

from ..errors import hub_error
from ..timefmt import EPOCH_ZERO, iso7
from . import twin as twins

FIRMWARE = "1.0.0"
BUILDINGS = 5
FLOORS = 10
CANARY_SHARE, EARLY_SHARE = 0.02, 0.18


def device_id(number):
    return "device-%05d" % number


def _key(*parts):
    return base64.b64encode(hashlib.sha256(":".join(map(str, parts)).encode()).digest()).decode()


def draw(seed, *parts):
    """A uniform number in [0, 1) fixed by the seed and the parts: the same device fails in every rerun."""
    digest = hashlib.sha256("|".join(map(str, (seed,) + parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0 ** 64


class Device:
    """An identity and its twin (the twin dict is the exact document queries run over)."""

    __slots__ = ("generation_id", "device_etag", "keys", "twin", "connection_updated")

    def __init__(self, twin, generation_id, keys, when):
        self.twin = twin
        self.generation_id = generation_id
        self.device_etag = base64.b64encode(generation_id.encode()).decode()[:12]
        self.keys = keys
        self.connection_updated = iso7(when)

    def identity(self):
        """The Device shape of GET /devices/{id}."""
        twin = self.twin
        return {
            "deviceId": twin["deviceId"], "generationId": self.generation_id, "etag": self.device_etag,
            "connectionState": twin["connectionState"], "status": twin["status"],
            "connectionStateUpdatedTime": self.connection_updated, "statusUpdatedTime": twin["statusUpdateTime"],
            "lastActivityTime": twin["lastActivityTime"], "cloudToDeviceMessageCount": 0,
            "authentication": {"symmetricKey": dict(self.keys), "x509Thumbprint": {}, "type": "sas"},
            "capabilities": {"iotEdge": False},
        }


def new_twin(device_id_, when, tags=None, reported=None, connected=True, status="enabled"):
    stamp = {"$lastUpdated": iso7(when)}
    return {
        "deviceId": device_id_, "etag": twins.version_etag(1), "deviceEtag": "", "version": 1,
        "status": status, "statusUpdateTime": EPOCH_ZERO,
        "connectionState": "Connected" if connected else "Disconnected",
        "lastActivityTime": iso7(when) if connected else EPOCH_ZERO,
        "cloudToDeviceMessageCount": 0, "authenticationType": "sas", "x509Thumbprint": {},
        "modelId": "", "tags": tags or {},
        "properties": {
            "desired": {"$metadata": dict(stamp), "$version": 1},
            "reported": dict(reported or {}, **{"$metadata": dict(stamp), "$version": 1}),
        },
        "capabilities": {"iotEdge": False},
    }


class Registry:
    def __init__(self, clock):
        self._clock = clock
        self._devices = {}
        self.desired_listeners = []  # fn(device) after its desired properties changed

    # --- seeding ----------------------------------------------------------------------------------------------
    def seed(self, count, seed, disconnected_rate=0.0):
        """device-00001..N with building/ring/floor tags and firmware 1.0.0, the same for the same seed."""
        rng = random.Random("devices:%s" % seed)
        ids = [device_id(n) for n in range(1, count + 1)]
        order = ids[:]
        rng.shuffle(order)
        canary = max(1, round(count * CANARY_SHARE)) if count else 0
        early = round(count * EARLY_SHARE)
        rings = {d: "canary" if i < canary else "early" if i < canary + early else "broad" for i, d in
                 enumerate(order)}
        now = self._clock.now()
        self._devices = {}
        for did in ids:
            tags = {"building": "b%d" % rng.randint(1, BUILDINGS), "ring": rings[did], "floor": rng.randint(1, FLOORS)}
            reported = {"fwVersion": FIRMWARE, "firmware": {"version": FIRMWARE}}
            self._add(did, new_twin(did, now, tags, reported), seed, now)
        self.apply_disconnected_rate(seed, disconnected_rate)

    def apply_disconnected_rate(self, seed, rate):
        """Disconnect the seeded share of devices (a fixed set per seed; a higher rate adds devices)."""
        for did, device in self._devices.items():
            self._set_connection(device, draw(seed, "disconnected", did) >= rate)

    def _add(self, did, twin, seed, when=None):
        generation = "63%016d" % int(draw(seed, "generation", did) * 1e16)
        device = Device(twin, generation, {"primaryKey": _key(seed, did, 1), "secondaryKey": _key(seed, did, 2)},
                        when or self._clock.now())
        twin["deviceEtag"] = device.device_etag
        self._devices[did] = device
        return device

    # --- reads ------------------------------------------------------------------------------------------------
    def __len__(self):
        return len(self._devices)

    def get(self, did):
        return self._devices.get(did)

    def require(self, did):
        device = self._devices.get(did)
        if device is None:
            raise hub_error("DeviceNotFound", "Device %s not registered." % did)
        return device

    def twins(self):
        return [device.twin for device in self._devices.values()]

    def devices(self):
        return list(self._devices.values())

    def statistics(self):
        """RegistryStatistics (GET /statistics/devices and ARM IotHubStats)."""
        enabled = sum(1 for device in self._devices.values() if device.twin["status"] == "enabled")
        return {"totalDeviceCount": len(self._devices), "enabledDeviceCount": enabled,
                "disabledDeviceCount": len(self._devices) - enabled}

    # --- identity writes --------------------------------------------------------------------------------------
    def create(self, did, status="enabled", keys=None, seed=0):
        if did in self._devices:
            raise hub_error("DeviceAlreadyExists", "A device with ID '%s' is already registered." % did)
        device = self._add(did, new_twin(did, self._clock.now(), connected=True, status=status), seed)
        if keys:
            device.keys.update(keys)
        return device

    def update_identity(self, did, if_match, status=None, keys=None):
        device = self.require(did)
        self._check_etag(if_match, device.device_etag)
        if status and status != device.twin["status"]:
            device.twin["status"] = status
            device.twin["statusUpdateTime"] = iso7(self._clock.now())
        if keys:
            device.keys.update(keys)
        return device

    def delete(self, did, if_match=None):
        device = self.require(did)
        self._check_etag(if_match, device.device_etag)
        del self._devices[did]

    def set_connection(self, did, connected):
        self._set_connection(self.require(did), connected)

    def _set_connection(self, device, connected):
        state = "Connected" if connected else "Disconnected"
        if device.twin["connectionState"] != state:
            device.twin["connectionState"] = state
            device.connection_updated = iso7(self._clock.now())
            if connected:
                device.twin["lastActivityTime"] = device.connection_updated

    @staticmethod
    def _check_etag(if_match, etag):
        wanted = twins.strip_etag_quotes(if_match)
        if wanted and wanted != "*" and wanted != etag:
            raise hub_error("PreconditionFailed", "Precondition failed: the etag %s does not match %s."
                            % (wanted, etag))

    # --- twin writes ------------------------------------------------------------------------------------------
    def patch_twin(self, did, patch, if_match=None):
        """Merge tags and desired properties (null removes); bumps version and etag when something changed."""
        device = self.require(did)
        twin = device.twin
        self._check_etag(if_match, twin["etag"])
        tags, desired = patch.get("tags"), (patch.get("properties") or {}).get("desired")
        changed = bool(tags) and twins.merge_patch(twin["tags"], tags)
        if desired:
            section = twin["properties"]["desired"]
            if twins.merge_patch(section, desired):
                twins.stamp_section(section, self._clock.now())
                changed = True
                for listener in self.desired_listeners:
                    listener(device)
        if changed:
            twins.bump(twin)
        return twin

    def patch_reported(self, did, reported):
        """What a device reports (simulated devices, and the control API). Per the swagger the twin version and
        etag cover tags and desired properties only, so only reported.$version moves."""
        device = self.require(did)
        section = device.twin["properties"]["reported"]
        if twins.merge_patch(section, reported):
            twins.stamp_section(section, self._clock.now())
        return device.twin

    def snapshot(self, did):
        device = self.get(did)
        return copy.deepcopy(device.twin) if device else None
