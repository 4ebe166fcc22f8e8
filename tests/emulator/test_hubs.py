"""Several hubs in one emulator (--hubs): the ARM lists (IotHubResource_ListBySubscription / _ListByResourceGroup,
nextLink paging, iothub.json schemas), each hub's own data plane, keys and setting overrides, and the official
clients (azure-mgmt-iothub listing the hubs, azure-iot-hub on hub 2)."""
import json
import time

import pytest
import requests

from emulator.auth import make_hub_sas as make_sas
from emulator.harness import running_emulator
import test_arm
from test_arm import API_VERSION, FRONT_DOOR_ERROR

spec, validate = test_arm.spec, test_arm.validate  # the iothub.json schema fixtures

HUBS = 4
EXPECTED = [  # fleet.py: resource group by parity, location by pairs, tags on hubs 2..N
    ("emulator-hub", "emulator-rg", "westus2", {}),
    ("emulator-hub-2", "emulator-rg-2", "westus2", {"env": "prod", "owner": "team-a"}),
    ("emulator-hub-3", "emulator-rg", "northeurope", {"env": "staging", "owner": "team-b"}),
    ("emulator-hub-4", "emulator-rg-2", "northeurope", {"env": "prod", "owner": "team-a"}),
]


def parse_connection_string(text):
    return dict(part.split("=", 1) for part in text.split(";"))


def twin_job(job_id):
    return {"jobId": job_id, "type": "scheduleUpdateTwin", "queryCondition": "*",
            "updateTwin": {"etag": "*", "properties": {"desired": {"fwVersion": "2.0.0"}}},
            "startTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), "maxExecutionTimeInSeconds": 3600}


class Fleet:
    """The --hubs emulator: its control API, ARM calls with a bearer token, data-plane calls to one hub."""

    def __init__(self, env):
        self.env = env
        self.url = env["EMULATOR_URL"]
        self.ca = env["REQUESTS_CA_BUNDLE"]
        parts = parse_connection_string(env["AZURE_IOTHUB_CONNECTION_STRING"])
        self.host, self.key = parts["HostName"], parts["SharedAccessKey"]
        self.sub = "/subscriptions/" + env["AZURE_SUBSCRIPTION_ID"]
        self.hubs = {hub["name"]: hub for hub in json.loads(env["EMULATOR_HUBS"])}
        self._token = None
        self._keys = {}

    def control(self, method, path, body=None):
        response = requests.request(method, self.url + "/_emulator/" + path, json=body, verify=self.ca)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def reset(self):
        return self.control("POST", "reset")

    def configure(self, **changes):
        return self.control("PATCH", "config", body=changes)

    def token(self):
        if self._token is None:
            env = self.env
            response = requests.post("%s/%s/oauth2/v2.0/token" % (env["AZURE_AUTHORITY_HOST"], env["AZURE_TENANT_ID"]),
                                     data={"grant_type": "client_credentials", "client_id": env["AZURE_CLIENT_ID"],
                                           "client_secret": env["AZURE_CLIENT_SECRET"],
                                           "scope": "https://management.azure.com/.default"}, verify=self.ca)
            self._token = response.json()["access_token"]
        return self._token

    def arm(self, method, path, full_url=None, **kwargs):
        params = None if full_url else {"api-version": API_VERSION}
        return requests.request(method, full_url or self.url + path, params=params, verify=self.ca,
                                headers={"Authorization": "Bearer " + self.token()}, **kwargs)

    def hub_path(self, name):
        return "%s/resourceGroups/%s/providers/Microsoft.Devices/IotHubs/%s" % (
            self.sub, self.hubs[name]["resource_group"], name)

    def owner_key(self, name):
        if name not in self._keys:
            keys = self.arm("POST", self.hub_path(name) + "/listkeys").json()["value"]
            self._keys[name] = next(rule["primaryKey"] for rule in keys if rule["keyName"] == "iothubowner")
        return self._keys[name]

    def on(self, name, method, path, key_of=None, **kwargs):
        """A data-plane call to hub `name`, signed with the owner key of hub `key_of` (default: the same hub)."""
        host = self.hubs[name]["hostname"]
        sas = make_sas(host, "iothubowner", self.owner_key(key_of or name))
        return requests.request(method, "https://%s%s" % (host, path), params={"api-version": "2021-04-12"},
                                headers={"Authorization": sas}, verify=self.ca, **kwargs)


@pytest.fixture(scope="module")
def fleet_session(tmp_path_factory):
    with running_emulator(tmp_path_factory.mktemp("fleet"), devices=20, seed=3, tier="S1", time_scale=50,
                          hubs=HUBS) as env:
        yield Fleet(env)


@pytest.fixture
def fleet(fleet_session):
    fleet_session.reset()
    return fleet_session


def test_hub_1_keeps_the_single_hub_variables(fleet):
    first = fleet.hubs["emulator-hub"]
    assert first["hostname"] == fleet.env["AZURE_IOTHUB_HOSTNAME"] == fleet.host
    assert first["name"] == fleet.env["AZURE_IOTHUB_NAME"]
    assert first["resource_group"] == fleet.env["AZURE_RESOURCE_GROUP"]
    assert fleet.owner_key("emulator-hub") == fleet.key
    assert "Key" not in fleet.env["EMULATOR_HUBS"]


def test_list_by_subscription_pages_and_matches_the_schema(fleet, validate):
    fleet.configure(arm_page_size=3)
    first = validate(fleet.arm("GET", fleet.sub + "/providers/Microsoft.Devices/IotHubs").json(),
                     "IotHubDescriptionListResult")
    assert first["nextLink"].startswith(fleet.url + fleet.sub + "/providers/Microsoft.Devices/IotHubs?")
    second = validate(fleet.arm("GET", None, full_url=first["nextLink"]).json(), "IotHubDescriptionListResult")
    assert "nextLink" not in second
    hubs = first["value"] + second["value"]
    assert [(h["name"], h["id"].split("/")[4], h["location"], h["tags"]) for h in hubs] == EXPECTED
    assert [h["properties"]["hostName"] for h in hubs] == [fleet.hubs[h["name"]]["hostname"] for h in hubs]
    assert len(set(h["properties"]["hostName"] for h in hubs)) == HUBS


def test_list_by_resource_group(fleet, validate):
    body = fleet.arm("GET", fleet.sub + "/resourceGroups/EMULATOR-RG-2/providers/Microsoft.Devices/IotHubs").json()
    assert [hub["name"] for hub in validate(body, "IotHubDescriptionListResult")["value"]] == [
        "emulator-hub-2", "emulator-hub-4"]


def test_each_hub_resource_is_under_its_own_group(fleet, validate):
    hub = validate(fleet.arm("GET", fleet.hub_path("emulator-hub-3")).json(), "IotHubDescription")
    assert hub["properties"]["hostName"] == fleet.hubs["emulator-hub-3"]["hostname"]
    wrong_group = fleet.hub_path("emulator-hub-3").replace("/emulator-rg/", "/emulator-rg-2/")
    response = fleet.arm("GET", wrong_group)
    assert response.status_code == 404
    assert validate(response.json(), FRONT_DOOR_ERROR)["error"]["code"] == "ResourceNotFound"
    response = fleet.arm("GET", fleet.sub + "/resourceGroups/nope/providers/Microsoft.Devices/IotHubs")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "ResourceGroupNotFound")


def test_keys_are_per_hub_and_sign_only_their_hub(fleet, validate):
    keys = {name: fleet.owner_key(name) for name in fleet.hubs}
    assert len(set(keys.values())) == HUBS
    rules = validate(fleet.arm("POST", fleet.hub_path("emulator-hub-4") + "/listkeys").json(),
                     "SharedAccessSignatureAuthorizationRuleListResult")["value"]
    assert [(rule["keyName"], rule["rights"]) for rule in rules] == [
        ("iothubowner", "RegistryWrite, ServiceConnect, DeviceConnect"), ("service", "ServiceConnect"),
        ("device", "DeviceConnect"), ("registryRead", "RegistryRead"),
        ("registryReadWrite", "RegistryRead, RegistryWrite")]
    read_write = make_sas(fleet.hubs["emulator-hub-4"]["hostname"], "registryReadWrite", rules[-1]["primaryKey"])
    response = requests.get("https://%s/statistics/devices" % fleet.hubs["emulator-hub-4"]["hostname"],
                            params={"api-version": "2021-04-12"}, headers={"Authorization": read_write},
                            verify=fleet.ca)
    assert response.status_code == 200, response.text
    assert fleet.on("emulator-hub-2", "GET", "/statistics/devices").json()["totalDeviceCount"] == 20
    refused = fleet.on("emulator-hub-2", "GET", "/statistics/devices", key_of="emulator-hub")
    assert refused.status_code == 401


def test_a_job_on_hub_2_is_not_on_hub_1(fleet):
    job = twin_job("only-on-2")
    assert fleet.on("emulator-hub-2", "PUT", "/jobs/v2/only-on-2", json=job).status_code == 200
    # S1 allows one active job per hub: hub 3 still takes one while hub 2's runs.
    assert fleet.on("emulator-hub-3", "PUT", "/jobs/v2/only-on-3", json=dict(job, jobId="only-on-3")).status_code == 200
    listed = {name: [j["jobId"] for j in fleet.on(name, "GET", "/jobs/v2/query").json()] for name in fleet.hubs}
    assert listed == {"emulator-hub": [], "emulator-hub-2": ["only-on-2"], "emulator-hub-3": ["only-on-3"],
                      "emulator-hub-4": []}


def _run_twin_job(fleet, name, job_id):
    job = twin_job(job_id)
    assert fleet.on(name, "PUT", "/jobs/v2/" + job_id, json=job).status_code == 200
    for _attempt in range(500):
        body = fleet.on(name, "GET", "/jobs/v2/" + job_id).json()
        if body["status"] in ("completed", "failed", "cancelled"):
            return body["deviceJobStatistics"]
        time.sleep(0.02)
    raise AssertionError("job %s did not end" % job_id)


def test_a_setting_overridden_on_one_hub_fails_only_its_devices(fleet):
    hubs = fleet.control("PATCH", "hubs/emulator-hub-2/config", body={"twin_failure_rate": 1.0})
    assert [hub["config"] for hub in hubs] == [{}, {"twin_failure_rate": 1.0}, {}, {}]
    assert _run_twin_job(fleet, "emulator-hub-2", "fails")["failedCount"] == 20
    assert _run_twin_job(fleet, "emulator-hub-3", "passes")["succeededCount"] == 20
    fleet.reset()
    assert [hub["config"] for hub in fleet.control("GET", "hubs")] == [{}] * HUBS


@pytest.mark.parametrize("body, message", [
    ({"time_scale": 2}, "not a per-hub setting: time_scale; per-hub settings: "),
    ({"twin_failure_rate": 2}, "twin_failure_rate must be a number between 0 and 1, got 2"),
])
def test_hub_overrides_are_validated(fleet, body, message):
    response = requests.patch(fleet.url + "/_emulator/hubs/emulator-hub-2/config", json=body, verify=fleet.ca)
    assert response.status_code == 400 and message in response.text
    unknown = requests.patch(fleet.url + "/_emulator/hubs/nope/config", json={}, verify=fleet.ca)
    assert unknown.status_code == 404


def test_azure_mgmt_iothub_lists_the_hubs(fleet):
    from azure.identity import ClientSecretCredential
    from azure.mgmt.iothub import IotHubClient

    env = fleet.env
    fleet.configure(arm_page_size=2)
    credential = ClientSecretCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"],
                                        authority=env["AZURE_AUTHORITY_HOST"], disable_instance_discovery=True,
                                        connection_verify=fleet.ca)
    client = IotHubClient(credential, env["AZURE_SUBSCRIPTION_ID"], base_url=env["AZURE_ARM_ENDPOINT"],
                          connection_verify=fleet.ca)
    hubs = list(client.iot_hub_resource.list_by_subscription())
    assert [(hub.name, hub.location, hub.properties.host_name) for hub in hubs] == [
        (name, location, fleet.hubs[name]["hostname"]) for name, _rg, location, _tags in EXPECTED]
    assert [hub.name for hub in client.iot_hub_resource.list_by_resource_group("emulator-rg")] == [
        "emulator-hub", "emulator-hub-3"]


def test_azure_iot_hub_connects_to_hub_2(fleet, monkeypatch):
    from azure.iot.hub import IoTHubRegistryManager

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", fleet.ca)
    host = fleet.hubs["emulator-hub-2"]["hostname"]
    registry = IoTHubRegistryManager.from_connection_string(
        "HostName=%s;SharedAccessKeyName=iothubowner;SharedAccessKey=%s" % (host, fleet.owner_key("emulator-hub-2")))
    registry.protocol.config.connection.verify = fleet.ca
    assert registry.get_device_registry_statistics().total_device_count == 20
    assert parse_connection_string(fleet.env["AZURE_IOTHUB_CONNECTION_STRING"])["HostName"] != host


def test_iot_central_apps_are_listed(fleet):
    # AppListResult of iotcentral.json 2021-06-01 (resource-manager): the emulator's one application, in emulator-rg.
    listed = requests.get(fleet.url + fleet.sub + "/providers/Microsoft.IoTCentral/iotApps",
                          params={"api-version": "2021-06-01"}, verify=fleet.ca,
                          headers={"Authorization": "Bearer " + fleet.token()})
    assert listed.status_code == 200, listed.text
    [app] = listed.json()["value"]
    assert "nextLink" not in listed.json()
    assert (app["name"], app["type"], app["sku"], app["id"].split("/")[4]) == (
        "emulator-central", "Microsoft.IoTCentral/iotApps", {"name": "ST2"}, "emulator-rg")
    assert set(app["properties"]) == {"applicationId", "displayName", "subdomain", "template", "state"}
    assert app["properties"]["applicationId"] in fleet.env["AZURE_IOTCENTRAL_API_TOKEN"]
    other_group = requests.get(fleet.url + fleet.sub + "/resourceGroups/emulator-rg-2/providers/Microsoft.IoTCentral/"
                               "iotApps", params={"api-version": "2021-06-01"}, verify=fleet.ca,
                               headers={"Authorization": "Bearer " + fleet.token()})
    assert other_group.json() == {"value": []}
    hub_version = fleet.arm("GET", fleet.sub + "/providers/Microsoft.IoTCentral/iotApps")
    assert (hub_version.status_code, hub_version.json()["error"]["code"]) == (400, "InvalidApiVersionParameter")
