"""One emulated IoT Central application: device templates, devices, device groups and the jobs engine, plus how
its requests are admitted (API token or Entra bearer, api-version)."""
import copy
import uuid

from aiohttp import web

from .. import credentials as creds
from ..auth import AuthError, verify_bearer, verify_central_token
from ..iothub.registry import draw
from .errors import central_error
from .filters import FilterError, compile_filter
from .jobs import JobEngine
from .templates import DEVICES_PER_TEMPLATE, seed_template, template_id

AUDIENCE = "https://apps.azureiotcentral.com"
# contract.md 8: the CLI's device-template calls send 2022-06-30-preview, where jobs and scheduled jobs exist too.
API_VERSIONS = frozenset(("2022-07-31", "2022-10-31-preview", "2022-06-30-preview"))
UNPROVISIONED_SHARE = 0.05


class CentralDevice:
    __slots__ = ("wire", "properties", "cloud_properties", "commands")

    def __init__(self, wire):
        self.wire = wire  # the Device body (filters run over it)
        self.properties = {}
        self.cloud_properties = {}
        self.commands = []  # (path, payload) of the commands run on it


class CentralApp:
    def __init__(self, state):
        self.state = state
        self.templates = {}
        self.devices = {}
        self.groups = {}
        self.jobs = JobEngine(state, self)
        self.seed()

    # --- seeding ----------------------------------------------------------------------------------------------
    def seed(self):
        seed = self.state.seed
        self.templates = {template_id(name): seed_template(name) for name, _share in DEVICES_PER_TEMPLATE}
        for template in self.templates.values():
            template["etag"] = self._etag()
        self.devices = {}
        for number in range(1, self.state.devices + 1):
            did = "device-%05d" % number
            roll, share_sum, name = draw(seed, "central-template", did), 0.0, DEVICES_PER_TEMPLATE[-1][0]
            for candidate, share in DEVICES_PER_TEMPLATE:
                share_sum += share
                if roll < share_sum:
                    name = candidate
                    break
            self.devices[did] = CentralDevice({
                "id": did, "etag": self._etag(), "displayName": "Device %05d" % number,
                "template": template_id(name), "enabled": True,
                "provisioned": draw(seed, "central-provisioned", did) >= UNPROVISIONED_SHARE,
                "simulated": True})
        self.groups = {}
        self.put_group("all-devices", {"displayName": "All devices", "filter": "SELECT * FROM devices",
                                       "description": "Every device of the application."})
        for name, _share in DEVICES_PER_TEMPLATE:
            self.put_group(name + "-devices", {
                "displayName": "%s devices" % name.capitalize(),
                "filter": 'SELECT * FROM devices WHERE $template = "%s"' % template_id(name),
                "description": "The devices of the %s template." % name})

    async def reset(self, _state):
        await self.jobs.close()
        self.seed()

    async def close(self):
        await self.jobs.close()

    @staticmethod
    def _etag():
        return '"%s"' % uuid.uuid4()

    # --- templates --------------------------------------------------------------------------------------------
    def get_template(self, tid):
        template = self.templates.get(tid)
        if template is None:
            raise central_error(404, "NotFound", "Device template '%s' was not found." % tid)
        return template

    def put_template(self, tid, body):
        if not isinstance(body, dict) or not isinstance(body.get("capabilityModel"), dict) \
                or not isinstance(body.get("@type"), list):
            raise central_error(400, "InvalidBody", "A device template needs '@type' (a list) and "
                                "'capabilityModel' (an object).")
        template = dict(copy.deepcopy(body), **{"@id": tid, "etag": self._etag()})
        self.templates[tid] = template
        return template

    # --- devices ----------------------------------------------------------------------------------------------
    def get_device(self, did):
        device = self.devices.get(did)
        if device is None:
            raise central_error(404, "NotFound", "Device '%s' was not found." % did)
        return device

    # --- device groups ----------------------------------------------------------------------------------------
    def get_group(self, gid):
        group = self.groups.get(gid)
        if group is None:
            raise central_error(404, "NotFound", "Device group '%s' was not found." % gid)
        return group

    def put_group(self, gid, body):
        if not isinstance(body, dict):
            raise central_error(400, "InvalidBody", "The request body must be a DeviceGroup object.")
        missing = [key for key in ("displayName", "filter") if not isinstance(body.get(key), str)]
        if missing:
            raise central_error(400, "InvalidBody", "The device group needs %s (string)." % " and ".join(missing))
        self._check_filter(body["filter"])
        group = {"id": gid, "displayName": body["displayName"], "filter": body["filter"], "etag": self._etag()}
        for key in ("description", "organizations"):
            if body.get(key) is not None:
                group[key] = copy.deepcopy(body[key])
        self.groups[gid] = group
        return group

    def patch_group(self, gid, body):
        group = self.get_group(gid)
        if not isinstance(body, dict):
            raise central_error(400, "InvalidBody", "The request body must be a DeviceGroup object.")
        merged = dict(group)
        for key in ("displayName", "filter", "description", "organizations"):
            if key in body:
                if body[key] is None:
                    merged.pop(key, None)
                else:
                    merged[key] = body[key]
        return self.put_group(gid, merged)

    def delete_group(self, gid):
        self.get_group(gid)
        del self.groups[gid]

    @staticmethod
    def _check_filter(text):
        try:
            compile_filter(text)
        except FilterError as exc:
            raise central_error(400, "InvalidFilter", "Invalid device group filter: %s" % exc) from None

    def group_members(self, gid):
        """The devices of a group, in id order."""
        matches = compile_filter(self.get_group(gid)["filter"])
        return [device for did, device in sorted(self.devices.items()) if matches(device.wire)]

    # --- admission --------------------------------------------------------------------------------------------
    def admit(self, request):
        """Authentication first, then the api-version (one value, possibly repeated identically)."""
        header = request.headers.get("Authorization", "")
        credentials = self.state.credentials
        try:
            if header.startswith("Bearer "):
                verify_bearer(header, credentials.jwt_key, AUDIENCE)
            elif header.startswith("SharedAccessSignature "):
                verify_central_token(header, creds.CENTRAL_APP_ID, creds.CENTRAL_TOKEN_ID, credentials.central_key)
            else:
                raise AuthError("The request has no API token or bearer token in its Authorization header")
        except AuthError as exc:
            raise central_error(401, "Unauthorized", "Unauthorized: %s." % str(exc).rstrip(".")) from None
        versions = set(request.query.getall("api-version", []))
        if not versions:
            raise central_error(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
        if len(versions) > 1 or not versions <= API_VERSIONS:
            raise central_error(400, "InvalidApiVersionParameter", "Unsupported api-version '%s'. Supported: %s."
                                % (",".join(sorted(versions)), ", ".join(sorted(API_VERSIONS))))


CENTRAL = web.AppKey("iotcentral", CentralApp)
