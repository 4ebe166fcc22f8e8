"""Handlers, admission and error rendering of the ARM surface (see the package docstring)."""
import base64
import json
from email.utils import format_datetime
from http import HTTPStatus
from urllib.parse import urlencode

from aiohttp import web

from ..auth import AuthError, verify_bearer
from ..credentials import SUBSCRIPTION_ID
from ..errors import ApiError, request_id
from ..iothub.hub import HUBS
from ..jsonbody import read_json
from ..state import STATE, Surface, route_template
from . import central_apps

API_VERSION = "2023-06-30"
# The defaults of azure-mgmt-iothub: 4.x sends 2023-06-30; the 5.x betas send 2023-06-30-preview (5.0.0b1,
# contract.md 8), 2025-08-01-preview (b2), 2026-03-01-preview (b3), 2026-05-01-preview (b4) and
# 2026-10-01-preview (b5) [SDK azure/mgmt/iothub/_configuration.py of each wheel]. The jobs, hub, stats and keys
# operations have the same shapes in all of them. nextLink URLs keep the api-version of the request.
API_VERSIONS = (API_VERSION, "2023-06-30-preview", "2025-08-01-preview", "2026-03-01-preview", "2026-05-01-preview",
                "2026-10-01-preview")
SKU_TIERS = {"F1": "Free", "S1": "Standard", "S2": "Standard", "S3": "Standard"}
# iothub.json AccessRights of a new hub's policies; the data plane accepts a SAS of any of them for every route
# (rights are not enforced).
POLICY_RIGHTS = {"iothubowner": "RegistryWrite, ServiceConnect, DeviceConnect",
                 "service": "ServiceConnect", "device": "DeviceConnect", "registryRead": "RegistryRead",
                 "registryReadWrite": "RegistryRead, RegistryWrite"}
PAGE_SIZE = 20
SUB_PATH = "/subscriptions/{sub}"
RG_PATH = SUB_PATH + "/resourceGroups/{rg}"
HUB_PATH = RG_PATH + "/providers/Microsoft.Devices/IotHubs/{hub}"
ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")
CODES = {400: "BadRequest", 401: "AuthenticationFailed", 403: "AuthorizationFailed", 404: "NotFound",
         405: "MethodNotAllowed", 409: "Conflict", 429: "TooManyRequests", 500: "InternalServerError",
         503: "ServiceUnavailable", 504: "GatewayTimeout"}


def setup(app, state):
    state.add_surface(Surface("arm", render_error, admit=admit, prefixes=("/subscriptions/",), codes=CODES,
                              fallback_code="InternalServerError"))
    app.router.add_routes([
        web.get(HUB_PATH + "/jobs", list_jobs, name="arm.list-jobs", allow_head=False),
        web.get(HUB_PATH + "/jobs/{jobId}", get_job, name="arm.get-job", allow_head=False),
        web.post(HUB_PATH + "/exportDevices", export_devices, name="arm.exportdevices"),
        web.post(HUB_PATH + "/importDevices", import_devices, name="arm.importdevices"),
        web.get(HUB_PATH, get_hub, name="arm.get-hub", allow_head=False),
        web.get(HUB_PATH + "/IotHubStats", get_stats, name="arm.get-stats", allow_head=False),
        web.post(HUB_PATH + "/listkeys", list_keys, name="arm.listkeys"),
        web.get(SUB_PATH + "/providers/Microsoft.Devices/IotHubs", list_hubs, name="arm.list-hubs",
                allow_head=False),
        web.get(RG_PATH + "/providers/Microsoft.Devices/IotHubs", list_hubs, name="arm.list-hubs-by-group",
                allow_head=False),
        web.get(SUB_PATH + central_apps.PROVIDER, list_iot_apps, name="arm.list-iotapps", allow_head=False),
        web.get(RG_PATH + central_apps.PROVIDER, list_iot_apps, name="arm.list-iotapps-by-group", allow_head=False),
    ])


# --- errors -------------------------------------------------------------------------------------------------------
def front_door_error(status, code, message):
    """An ARM front-door error: rendered in the {"error": {...}} envelope."""
    return ApiError(status, code, message, envelope=True)


def rp_error(status, code, message):
    """An IoT Hub resource-provider error: rendered flat (ErrorDetails)."""
    return ApiError(status, code, message)


def render_error(request, error):
    headers = {"x-ms-correlation-request-id": request_id(request), **error.headers}
    if error.extra.get("envelope") or route_template(request) is None:  # the front door, or no such route
        body = {"error": {"code": error.code, "message": error.message}}
    else:
        try:
            phrase = HTTPStatus(error.status).phrase.replace(" ", "")
        except ValueError:
            phrase = str(error.status)
        body = {"code": error.code, "httpStatusCode": phrase, "message": error.message}
    return web.Response(status=error.status, text=json.dumps(body), content_type="application/json",
                        charset="utf-8", headers=headers)


# --- admission ----------------------------------------------------------------------------------------------------
def audiences(state):
    return {a.lower() for a in ARM_AUDIENCES} | {"https://%s" % host for host in state.hub_hosts}


def admit(request):
    """Bearer token, api-version, then the subscription / resource group / hub of the path (case-insensitive)."""
    state = request.app[STATE]
    header = request.headers.get("Authorization", "")
    if not header:
        raise front_door_error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is "
                               "missing.")
    try:
        claims = verify_bearer(header, state.credentials.jwt_key, None)
    except AuthError as exc:
        raise front_door_error(401, "InvalidAuthenticationToken", "The access token is invalid (%s)." % exc) from None
    if str(claims.get("aud", "")).rstrip("/").lower() not in audiences(state):
        raise front_door_error(401, "InvalidAuthenticationTokenAudience", "The access token has been obtained for "
                               "wrong audience or resource '%s'." % claims.get("aud"))
    versions = request.query.getall("api-version", [])
    if not versions:
        raise front_door_error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) "
                               "is required for all requests.")
    supported = central_apps.API_VERSIONS if _is_central(request) else API_VERSIONS
    if versions[-1] not in supported:
        raise front_door_error(400, "InvalidApiVersionParameter", "The api-version '%s' is invalid. The supported "
                               "versions are '%s'." % (versions[-1], "', '".join(supported)))
    match = request.match_info
    if "sub" not in match:
        return
    if match["sub"].lower() != SUBSCRIPTION_ID:
        raise front_door_error(404, "SubscriptionNotFound", "The subscription '%s' could not be found."
                               % match["sub"])
    groups = {hub.spec.resource_group for hub in request.app[HUBS]}
    if "rg" in match and match["rg"].lower() not in groups:
        raise front_door_error(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % match["rg"])
    if "hub" in match and request.app[HUBS].find(match["hub"], match["rg"]) is None:
        raise front_door_error(404, "ResourceNotFound", "The Resource 'Microsoft.Devices/IotHubs/%s' under resource "
                               "group '%s' was not found. For more details please go to "
                               "https://aka.ms/ARMResourceNotFoundFix" % (match["hub"], match["rg"]))


def _is_central(request):
    resource = getattr(request.match_info.route, "resource", None)
    return resource is not None and (resource.name or "").startswith("arm.list-iotapps")


def arm_hub(request):
    """The hub the path names (admit() has checked that it exists)."""
    return request.app[HUBS].find(request.match_info["hub"], request.match_info["rg"])


# --- bodies -------------------------------------------------------------------------------------------------------
def rfc1123(moment):
    return format_datetime(moment, usegmt=True)


def job_response(job):
    """JobResponse of iothub.json: RFC 1123 times, no progress, no container URIs."""
    body = {"jobId": job.job_id, "startTimeUtc": rfc1123(job.start), "type": job.type, "status": job.status}
    if job.end is not None:
        body["endTimeUtc"] = rfc1123(job.end)
    if job.failure_reason:
        body["failureReason"] = job.failure_reason
    if job.status_message:
        body["statusMessage"] = job.status_message
    return body


def _skip(request):
    token = request.query.get("$skiptoken")
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(offset)
    except (ValueError, KeyError, TypeError):
        raise rp_error(400, "InvalidSkipToken", "The $skiptoken '%s' is not valid." % token) from None
    return offset


def page(request, items, size):
    """One page of `items` from the $skiptoken offset: {"value": [...], "nextLink"} as ARM pages."""
    offset = _skip(request)
    end = offset + size
    body = {"value": items[offset:end]}
    if end < len(items):
        token = base64.urlsafe_b64encode(json.dumps({"offset": end}).encode()).decode()
        body["nextLink"] = "%s://%s%s?%s" % (request.scheme, request.host, request.path,
                                             urlencode({"api-version": request.query.getall("api-version")[-1],
                                                        "$skiptoken": token}))
    return body


async def list_jobs(request):
    jobs = list(arm_hub(request).import_export.jobs.values())
    return web.json_response(page(request, [job_response(job) for job in jobs], PAGE_SIZE))


async def get_job(request):
    job_id = request.match_info["jobId"]
    job = arm_hub(request).import_export.find(job_id)
    if job is None:
        raise rp_error(404, "JobNotFound", "Job not found: %s. If you contact a support representative please "
                       "include this correlation identifier: %s, errorcode: IH404002." % (job_id, request_id(request)))
    return web.json_response(job_response(job))


def _bad_body(message):
    return rp_error(400, "InvalidRequestBody", message)


def _copy(source, target, names):
    for arm_name, hub_name in names:
        if source.get(arm_name) is not None:
            target[hub_name] = source[arm_name]


async def _start(request, body):
    try:
        job = arm_hub(request).import_export.create(body)
    except ApiError as err:  # the data plane's error, in the resource provider's shape and field names
        message = err.message
        if body["type"] == "export":
            message = message.replace("outputBlobContainerUri", "exportBlobContainerUri")
        raise rp_error(err.status, err.code, message) from None
    return web.json_response(job_response(job))


async def export_devices(request):
    body = await read_json(request, _bad_body)
    if not isinstance(body, dict) or "exportBlobContainerUri" not in body or "excludeKeys" not in body:
        raise _bad_body("The request body must be an ExportDevicesRequest with exportBlobContainerUri and excludeKeys.")
    job = {"type": "export"}
    _copy(body, job, [("exportBlobContainerUri", "outputBlobContainerUri"), ("excludeKeys", "excludeKeysInExport"),
                      ("exportBlobName", "outputBlobName"), ("authenticationType", "storageAuthenticationType"),
                      ("identity", "identity"), ("includeConfigurations", "includeConfigurations"),
                      ("configurationsBlobName", "configurationsBlobName")])
    return await _start(request, job)


async def import_devices(request):
    body = await read_json(request, _bad_body)
    if not isinstance(body, dict) or "inputBlobContainerUri" not in body or "outputBlobContainerUri" not in body:
        raise _bad_body("The request body must be an ImportDevicesRequest with inputBlobContainerUri and "
                        "outputBlobContainerUri.")
    job = {"type": "import"}
    _copy(body, job, [("inputBlobContainerUri", "inputBlobContainerUri"),
                      ("outputBlobContainerUri", "outputBlobContainerUri"), ("inputBlobName", "inputBlobName"),
                      ("outputBlobName", "outputBlobName"), ("authenticationType", "storageAuthenticationType"),
                      ("identity", "identity"), ("includeConfigurations", "includeConfigurations"),
                      ("configurationsBlobName", "configurationsBlobName")])
    return await _start(request, job)


# --- the hub resource (what ARM clients read before or beside jobs) ------------------------------------------------
def hub_description(hub):
    """IotHubDescription of one hub: its host name is where its data plane listens."""
    spec, tier = hub.spec, hub.state.config.tier
    return {
        "id": HUB_PATH.format(sub=SUBSCRIPTION_ID, rg=spec.resource_group, hub=spec.name),
        "name": spec.name, "type": "Microsoft.Devices/IotHubs", "location": spec.location, "tags": dict(spec.tags),
        "etag": "AAAAAAFD6M4=",
        "sku": {"name": tier, "tier": SKU_TIERS[tier], "capacity": 1},
        "properties": {"provisioningState": "Succeeded", "state": "Active", "hostName": hub.state.hub_hostname,
                       "locations": [{"location": spec.location, "role": "primary"}],
                       "features": "None", "minTlsVersion": "1.2", "publicNetworkAccess": "Enabled",
                       "disableLocalAuth": False, "enableFileUploadNotifications": False},
    }


async def get_hub(request):
    return web.json_response(hub_description(arm_hub(request)))


async def list_hubs(request):
    """IotHubDescriptionListResult of the subscription or of one resource group, in hub order, paged."""
    state, group = request.app[STATE], request.match_info.get("rg", "").lower()
    hubs = [hub_description(hub) for hub in request.app[HUBS] if group in ("", hub.spec.resource_group)]
    return web.json_response(page(request, hubs, state.config.arm_page_size))


async def list_iot_apps(request):
    return await central_apps.list_apps(request, page)


async def get_stats(request):
    """RegistryStatistics from the registry as it is now."""
    return web.json_response(arm_hub(request).registry.statistics())


async def list_keys(request):
    """SharedAccessSignatureAuthorizationRuleListResult: the policies whose keys sign the data plane's SAS."""
    credentials = arm_hub(request).state.credentials
    rules = [{"keyName": name, "primaryKey": key, "secondaryKey": key, "rights": POLICY_RIGHTS[name]}
             for name, key in credentials.hub_keys.items()]
    return web.json_response({"value": rules})
