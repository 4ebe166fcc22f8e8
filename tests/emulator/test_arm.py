"""ARM Microsoft.Devices/IotHubs jobs (contract.md section 3): the spec's x-ms-examples replayed, the schemas of
iothub.json, the error shapes, the official azure-mgmt-iothub SDK, and consistency with the data plane's jobs."""
import json
import re
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "iothub-arm" / "2023-06-30"
BASE_URI = "https://emulator.invalid/iothub.json"
API_VERSION = "2023-06-30"
RFC1123 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{4} \d\d:\d\d:\d\d GMT$")
FRONT_DOOR_ERROR = {"type": "object", "required": ["error"], "additionalProperties": False,
                    "properties": {"error": {"type": "object", "required": ["code", "message"],
                                             "properties": {"code": {"type": "string"},
                                                            "message": {"type": "string"}}}}}


@pytest.fixture(scope="module")
def spec():
    if not (SPEC_DIR / "iothub.json").is_file():
        pytest.fail("the official ARM spec is missing: %s" % SPEC_DIR)
    return json.loads((SPEC_DIR / "iothub.json").read_text(encoding="utf-8"))


def example(name):
    return json.loads((SPEC_DIR / "examples" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validate(spec):
    registry = Registry().with_resource(BASE_URI, Resource.from_contents(spec, default_specification=DRAFT4))
    checker = FormatChecker(formats=())

    @checker.checks("date-time-rfc1123")
    def rfc1123(value):
        return not isinstance(value, str) or bool(RFC1123.match(value))

    def check(instance, schema):
        if isinstance(schema, str):
            schema = {"$ref": BASE_URI + "#/definitions/" + schema}
        errors = sorted(Draft4Validator(schema, registry=registry, format_checker=checker).iter_errors(instance),
                        key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join("%s: %s" % (list(e.absolute_path), e.message) for e in errors)
        return instance

    return check


class Arm:
    def __init__(self, emulator):
        self.emulator = emulator
        env = emulator.env
        self.base = env["AZURE_ARM_ENDPOINT"]
        self.hub_path = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Devices/IotHubs/%s" % (
            env["AZURE_SUBSCRIPTION_ID"], env["AZURE_RESOURCE_GROUP"], env["AZURE_IOTHUB_NAME"])
        self._token = None

    def token(self, scope=None):
        env = self.emulator.env
        response = requests.post("%s/%s/oauth2/v2.0/token" % (env["AZURE_AUTHORITY_HOST"], env["AZURE_TENANT_ID"]),
                                 data={"grant_type": "client_credentials", "client_id": env["AZURE_CLIENT_ID"],
                                       "client_secret": env["AZURE_CLIENT_SECRET"],
                                       "scope": scope or self.base + "/.default"},
                                 verify=self.emulator.ca)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def call(self, method, path, api_version=API_VERSION, token=None, full_url=None, **kwargs):
        if token is None:
            token = self._token = self._token or self.token()
        params = {"api-version": api_version} if api_version and not full_url else None
        headers = {"Authorization": "Bearer " + token} if token else {}
        return requests.request(method, full_url or self.base + self.hub_path + path, params=params, headers=headers,
                                verify=self.emulator.ca, **kwargs)

    def container(self, name):
        return self.emulator.url + "/_emulator/blobs/%s?sv=2021-08-06&sig=c2ln" % name

    def export(self, name="armexp", **extra):
        response = self.call("POST", "/exportDevices", json=dict({"exportBlobContainerUri": self.container(name),
                                                                  "excludeKeys": True}, **extra))
        assert response.status_code == 200, response.text
        return response.json()

    def wait(self, job_id, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            job = self.call("GET", "/jobs/" + job_id).json()
            if job["status"] in ("completed", "failed", "cancelled"):
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.02)


@pytest.fixture
def arm(emulator):
    return Arm(emulator)


def test_the_validator_rejects_wrong_bodies(validate):
    with pytest.raises(AssertionError):
        validate({"jobId": "x", "startTimeUtc": "2017-06-15T19:20:58Z"}, "JobResponse")
    with pytest.raises(AssertionError):
        validate({"status": "queued"}, "JobResponse")
    for name in ("iothub_getjob.json", "iothub_exportdevices.json", "iothub_importdevices.json"):
        validate(example(name)["responses"]["200"]["body"], "JobResponse")
    validate(example("iothub_listjobs.json")["responses"]["200"]["body"], "JobResponseListResult")


def _same_shape(actual, documented):
    """The documented keys are all there, with values of the same JSON type; times are RFC 1123."""
    for key, value in documented.items():
        assert key in actual, "%s missing from %r" % (key, actual)
        assert type(actual[key]) is type(value), key
        if key.endswith("TimeUtc"):
            assert RFC1123.match(actual[key]) and parsedate_to_datetime(actual[key]).tzinfo is not None


def test_examples_replayed(arm, validate):
    """Each x-ms-example, sent with the emulator's hub names (and a container it can write), answers 200 with a body
    of the documented shape."""
    export = example("iothub_exportdevices.json")
    body = dict(export["parameters"]["exportDevicesParameters"], exportBlobContainerUri=arm.container("example"))
    response = arm.call("POST", "/exportDevices", json=body)
    assert response.status_code == 200, response.text
    started = validate(response.json(), "JobResponse")
    assert started["type"] == "export" and started["status"] == "enqueued"
    arm.wait(started["jobId"])

    get = example("iothub_getjob.json")
    response = arm.call("GET", "/jobs/" + started["jobId"], api_version=get["parameters"]["api-version"])
    assert response.status_code == 200
    _same_shape(validate(response.json(), "JobResponse"), get["responses"]["200"]["body"])

    listed = example("iothub_listjobs.json")
    response = arm.call("GET", "/jobs", api_version=listed["parameters"]["api-version"])
    assert response.status_code == 200
    page = validate(response.json(), "JobResponseListResult")
    assert len(page["value"]) == 1
    _same_shape(page["value"][0], listed["responses"]["200"]["body"]["value"][0])

    imported = example("iothub_importdevices.json")
    body = dict(imported["parameters"]["importDevicesParameters"], inputBlobContainerUri=arm.container("example"),
                outputBlobContainerUri=arm.container("example"))
    response = arm.call("POST", "/importDevices", json=body)
    assert response.status_code == 200, response.text
    job = validate(response.json(), "JobResponse")
    assert job["type"] == "import"
    done = arm.wait(job["jobId"])
    _same_shape(done, imported["responses"]["200"]["body"])
    assert done["status"] == "completed"


def test_data_plane_export_appears_in_the_arm_list(arm):
    emulator = arm.emulator
    response = emulator.hub("POST", "/jobs/create", json={"type": "export",
                                                          "outputBlobContainerUri": arm.container("dataplane")})
    job_id = response.json()["jobId"]
    listed = arm.call("GET", "/jobs").json()["value"]
    assert [j["jobId"] for j in listed] == [job_id]
    assert arm.wait(job_id)["status"] == "completed"
    arm_job = arm.export()
    data_plane = emulator.hub("GET", "/jobs/" + arm_job["jobId"]).json()
    assert data_plane["type"] == "export" and data_plane["excludeKeysInExport"] is True


def test_list_pages_through_next_link(arm):
    ids = [arm.wait(arm.export()["jobId"])["jobId"] for _number in range(23)]
    first = arm.call("GET", "/jobs").json()
    assert len(first["value"]) == 20 and first["nextLink"].startswith(arm.base + arm.hub_path + "/jobs?")
    second = arm.call("GET", None, full_url=first["nextLink"]).json()
    assert "nextLink" not in second
    assert [j["jobId"] for j in first["value"] + second["value"]] == ids


def test_rp_errors_are_flat(arm, validate):
    response = arm.call("GET", "/jobs/no-such-job")
    assert response.status_code == 404
    body = validate(response.json(), "ErrorDetails")
    assert body["code"] == "JobNotFound" and body["httpStatusCode"] == "NotFound"
    response = arm.call("POST", "/exportDevices", json={"exportBlobContainerUri": "testBlob", "excludeKeys": True})
    assert response.status_code == 400 and response.json()["code"] == "BlobContainerValidationError"
    response = arm.call("POST", "/exportDevices", json={"excludeKeys": True})
    assert response.status_code == 400 and validate(response.json(), "ErrorDetails")["code"] == "InvalidRequestBody"


def test_a_second_active_job_is_refused(arm, validate):
    arm.emulator.configure(time_scale=1)
    arm.export()
    response = arm.call("POST", "/exportDevices", json={"exportBlobContainerUri": arm.container("second"),
                                                        "excludeKeys": False})
    assert response.status_code == 403 and validate(response.json(), "ErrorDetails")["code"] == "JobQuotaExceeded"


@pytest.mark.parametrize("part, code", [("subscriptions/00000000-0000-0000-0000-000000000000", "SubscriptionNotFound"),
                                        ("resourceGroups/other-rg", "ResourceGroupNotFound"),
                                        ("IotHubs/other-hub", "ResourceNotFound")])
def test_unknown_parent_resources_use_the_arm_envelope(arm, validate, part, code):
    name, value = part.split("/")
    path = re.sub(r"(?<=/%s/)[^/]+" % name, value, arm.hub_path)
    response = requests.get(arm.base + path + "/jobs", params={"api-version": API_VERSION},
                            headers={"Authorization": "Bearer " + arm.token()}, verify=arm.emulator.ca)
    assert response.status_code == 404
    assert validate(response.json(), FRONT_DOOR_ERROR)["error"]["code"] == code
    assert value in response.json()["error"]["message"]


def test_names_are_case_insensitive(arm):
    env = arm.emulator.env
    path = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Devices/IotHubs/%s/jobs?api-version=%s" % (
        env["AZURE_SUBSCRIPTION_ID"].upper(), env["AZURE_RESOURCE_GROUP"].upper(), env["AZURE_IOTHUB_NAME"].upper(),
        API_VERSION)
    response = arm.call("GET", None, full_url=arm.base + path)
    assert response.status_code == 200, response.text


def test_unknown_arm_path_uses_the_envelope(arm, validate):
    response = arm.call("GET", "/nothing-here")
    assert response.status_code == 404 and validate(response.json(), FRONT_DOOR_ERROR)


@pytest.mark.parametrize("case", ["no token", "bad token", "wrong audience", "no api-version", "old api-version"])
def test_front_door_refusals(arm, validate, case):
    kwargs = {"no token": dict(token=""), "bad token": dict(token="a.b.c"),
              "wrong audience": dict(token=arm.token("https://iothubs.azure.net/.default")),
              "no api-version": dict(api_version=None), "old api-version": dict(api_version="2016-02-03")}[case]
    response = arm.call("GET", "/jobs", **kwargs)
    assert response.status_code == (400 if "api-version" in case else 401)
    validate(response.json(), FRONT_DOOR_ERROR)


# --- the official SDK ---------------------------------------------------------------------------------------------
@pytest.fixture
def mgmt(arm):
    from azure.identity import ClientSecretCredential
    from azure.mgmt.iothub import IotHubClient

    env, ca = arm.emulator.env, arm.emulator.ca
    credential = ClientSecretCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"],
                                        authority=env["AZURE_AUTHORITY_HOST"], disable_instance_discovery=True,
                                        connection_verify=ca)
    client = IotHubClient(credential, env["AZURE_SUBSCRIPTION_ID"], api_version=API_VERSION,
                          base_url=env["AZURE_ARM_ENDPOINT"], connection_verify=ca,
                          credential_scopes=[env["AZURE_ARM_ENDPOINT"] + "/.default"])
    return client, env["AZURE_RESOURCE_GROUP"], env["AZURE_IOTHUB_NAME"]


def test_sdk_list_and_get_jobs(arm, mgmt):
    from azure.core.exceptions import ResourceNotFoundError
    from azure.mgmt.iothub.models import ExportDevicesRequest

    client, rg, hub = mgmt
    started = client.iot_hub_resource.export_devices(rg, hub, ExportDevicesRequest(
        export_blob_container_uri=arm.container("sdk"), exclude_keys=True))
    assert started.status == "enqueued" and started.type == "export"
    arm.wait(started.job_id)
    for _number in range(21):
        arm.wait(arm.export()["jobId"])
    jobs = list(client.iot_hub_resource.list_jobs(rg, hub))
    assert len(jobs) == 22 and jobs[0].job_id == started.job_id  # two pages, through nextLink
    raw = arm.call("GET", "/jobs/" + started.job_id).json()
    job = client.iot_hub_resource.get_job(rg, hub, started.job_id)
    assert job.status == "completed" and job.start_time_utc == parsedate_to_datetime(raw["startTimeUtc"])
    assert job.end_time_utc == parsedate_to_datetime(raw["endTimeUtc"])
    with pytest.raises(ResourceNotFoundError) as err:
        client.iot_hub_resource.get_job(rg, hub, "missing")
    assert "JobNotFound" in str(err.value)
    with pytest.raises(ResourceNotFoundError) as err:
        list(client.iot_hub_resource.list_jobs(rg, "other-hub"))
    assert "ResourceNotFound" in str(err.value)


def test_sdk_and_the_collection_return_the_same_jobs(arm, mgmt):
    """What iothub_job_info returns (its _arm functions over the collection's Client and Entra auth) is what the
    official SDK reads, job for job, with the same times."""
    from ansible_collections.azure_iot.jobs.plugins.module_utils import _arm
    from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import EntraAuth, arm_scope
    from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Client

    env = arm.emulator.env
    params = {"subscription_id": env["AZURE_SUBSCRIPTION_ID"], "resource_group": env["AZURE_RESOURCE_GROUP"],
              "hub_name": env["AZURE_IOTHUB_NAME"]}
    auth = EntraAuth("client_secret", arm_scope(env["AZURE_ARM_ENDPOINT"]), tenant_id=env["AZURE_TENANT_ID"],
                     client_id=env["AZURE_CLIENT_ID"], client_secret=env["AZURE_CLIENT_SECRET"],
                     authority_host=env["AZURE_AUTHORITY_HOST"], ca_path=arm.emulator.ca)
    client = Client(env["AZURE_ARM_ENDPOINT"], auth, api_version=API_VERSION, ca_path=arm.emulator.ca)
    arm_hub = _arm.ArmHub.from_params(params)
    for _number in range(22):
        arm.wait(arm.export()["jobId"])
    collection = _arm.list_jobs(client, arm_hub)
    sdk_client, rg, hub = mgmt
    sdk = list(sdk_client.iot_hub_resource.list_jobs(rg, hub))
    assert len(collection) == len(sdk) == 22
    for mine, theirs in zip(collection, sdk):
        assert (mine["job_id"], mine["type"], mine["status"]) == (theirs.job_id, theirs.type, theirs.status)
        assert mine["start_time"] == theirs.start_time_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert mine["end_time"] == theirs.end_time_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert mine == _arm.get_job(client, arm_hub, theirs.job_id)
    assert _arm.get_job(client, arm_hub, "no-such-job") is None


# --- what ARM clients read beside jobs (issue 18): the 5.x SDK's api-version, the hub, its stats and keys -----------

@pytest.mark.parametrize("version", ["2023-06-30-preview", "2025-08-01-preview", "2026-03-01-preview",
                                     "2026-05-01-preview", "2026-10-01-preview"])
def test_the_api_versions_of_azure_mgmt_iothub_5_are_accepted(arm, version):
    response = arm.call("GET", "/jobs", api_version=version)
    assert response.status_code == 200, response.text


def test_next_link_keeps_the_api_version_of_the_request(arm):
    for _number in range(21):
        arm.wait(arm.export()["jobId"])
    first = arm.call("GET", "/jobs", api_version="2023-06-30-preview").json()
    assert "api-version=2023-06-30-preview" in first["nextLink"]


def test_hub_get_stats_and_keys(arm, validate):
    hub = validate(arm.call("GET", "").json(), "IotHubDescription")
    env = arm.emulator.env
    assert hub["name"] == env["AZURE_IOTHUB_NAME"] and hub["id"].lower() == arm.hub_path.lower()
    assert hub["properties"]["hostName"] == env["AZURE_IOTHUB_HOSTNAME"]
    stats = validate(arm.call("GET", "/IotHubStats").json(), "RegistryStatistics")
    assert stats["totalDeviceCount"] == arm.emulator.hub("GET", "/statistics/devices").json()["totalDeviceCount"]
    keys = validate(arm.call("POST", "/listkeys").json(), "SharedAccessSignatureAuthorizationRuleListResult")
    owner = next(rule for rule in keys["value"] if rule["keyName"] == "iothubowner")
    assert "SharedAccessKey=%s" % owner["primaryKey"] in env["AZURE_IOTHUB_CONNECTION_STRING"]
