# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iot_hubs inventory with fake ARM answers: the exact list requests (paging, every subscription), filters,
groups, keyed_groups and compose, the inventory cache (a hit sends nothing), errors naming the subscription and the
request, and no key or token anywhere in the inventory or its cache."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.azure_iot.jobs.plugins.inventory import iot_hubs
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._arm_inventory import APPS_PATH, HUBS_PATH
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, pages

NAME = "azure_iot.jobs.iot_hubs"
SUB1 = "6f1c2a4e-0b7d-4c2a-9e5f-1a2b3c4d5e6f"
SUB2 = "11111111-2222-4333-8444-555555555555"
SECRET = "client-secret-value"
ARM = "https://management.example"


def hub(name, rg="rg-a", location="westus2", tags=None, sub=SUB1, sku="S1"):
    return {"id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Devices/IotHubs/%s" % (sub, rg, name),
            "name": name, "type": "Microsoft.Devices/IotHubs", "location": location, "tags": tags or {},
            "sku": {"name": sku, "tier": "Standard", "capacity": 1},
            "properties": {"hostName": "%s.azure-devices.net" % name, "state": "Active",
                           "authorizationPolicies": [{"keyName": "iothubowner", "primaryKey": "S0VZLW5ldmVy"}]}}


def app(name, subdomain, rg="rg-a", sub=SUB1):
    return {"id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.IoTCentral/iotApps/%s" % (sub, rg, name),
            "name": name, "location": "westeurope", "tags": {"env": "prod"}, "sku": {"name": "ST2"},
            "properties": {"applicationId": "app-id-" + name, "displayName": name.title(), "subdomain": subdomain,
                           "state": "created"}}


@pytest.fixture
def run(tmp_path, identity, monkeypatch):
    """run(config, hubs=FakeClient, apps=FakeClient) -> (InventoryData, plugin); the config is written to a
    *.iot_hubs.yml file and read as ansible-inventory reads it."""
    for name in ("AZURE_SUBSCRIPTION_ID", "AZURE_ARM_ENDPOINT", "AZURE_CLOUD_ENVIRONMENT", "AZURE_IOT_AUTH_METHOD"):
        monkeypatch.delenv(name, raising=False)
    inventory_loader._load_config_defs(NAME, iot_hubs, iot_hubs.__file__)

    def runner(config, hubs=None, apps=None, cache=True):
        path = tmp_path / "fleet.iot_hubs.yml"
        base = {"plugin": NAME, "arm_endpoint": ARM, "tenant_id": "t", "client_id": "c", "client_secret": SECRET}
        path.write_text(json.dumps(dict(base, **config)))
        plugin = iot_hubs.InventoryModule()
        plugin._load_name = plugin.ansible_name = NAME
        plugin._original_path = iot_hubs.__file__
        clients = {"2023-06-30": hubs or FakeClient(), "2021-06-01": apps or FakeClient()}
        plugin.client_factory = lambda params, auth, api_version: clients[api_version]
        assert plugin.verify_file(str(path))
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        if getattr(plugin, "_cache", None) is not None:  # as InventoryManager does after parse()
            plugin.update_cache_if_changed()
        for client in clients.values():
            client.assert_done()
        return inventory, plugin

    return runner


def hostvars(inventory, name):
    return dict(inventory.get_host(name).vars)


def members(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def test_hubs_of_two_subscriptions_with_paging(run):
    hubs = FakeClient([
        pages("GET", HUBS_PATH, [[hub("hub-1")], [hub("hub-2", rg="rg-b")]], path_params={"subscription_id": SUB1}),
        pages("GET", HUBS_PATH, [[hub("hub-3", sub=SUB2)]], path_params={"subscription_id": SUB2}),
    ])
    inventory, _plugin = run({"subscriptions": [SUB1, SUB2]}, hubs=hubs)
    assert hubs.calls == [("GET", HUBS_PATH)] * 3  # two pages, then the second subscription
    assert members(inventory, "iot_hubs") == ["hub-1", "hub-2", "hub-3"]
    assert members(inventory, "iotcentral_apps") == []
    assert hostvars(inventory, "hub-2")["azure_resource_group"] == "rg-b"
    assert hostvars(inventory, "hub-3")["azure_subscription_id"] == SUB2


def test_host_variables_are_exactly_these(run):
    hubs = FakeClient([pages("GET", HUBS_PATH, [[hub("hub-1", tags={"env": "prod"})]])])
    inventory, _plugin = run({"subscriptions": [SUB1]}, hubs=hubs)
    variables = {k: v for k, v in hostvars(inventory, "hub-1").items() if not k.startswith("inventory_")}
    assert variables == {
        "azure_resource_type": "iothub", "azure_resource_id": hub("hub-1")["id"], "azure_subscription_id": SUB1,
        "azure_resource_group": "rg-a", "azure_location": "westus2", "azure_tags": {"env": "prod"},
        "azure_sku": {"name": "S1", "tier": "Standard", "capacity": 1}, "azure_arm_endpoint": ARM,
        "azure_iothub_name": "hub-1", "azure_iothub_hostname": "hub-1.azure-devices.net",
        "azure_iothub_state": "Active",
    }


@pytest.mark.parametrize("filters, expected", [
    ({"tags": {"env": "prod"}}, ["hub-1", "hub-3"]),
    ({"tags": {"owner": None}}, ["hub-3"]),
    ({"locations": ["North Europe"]}, ["hub-2", "hub-3"]),
    ({"resource_groups": ["RG-B"]}, ["hub-2"]),
    ({"tags": {"env": "prod"}, "locations": ["northeurope"]}, ["hub-3"]),
])
def test_filters(run, filters, expected):
    hubs = FakeClient([pages("GET", HUBS_PATH, [[
        hub("hub-1", tags={"env": "prod"}),
        hub("hub-2", rg="rg-b", location="northeurope", tags={"env": "staging"}),
        hub("hub-3", location="northeurope", tags={"env": "prod", "owner": "team-b"}),
    ]])])
    inventory, _plugin = run(dict(filters, subscriptions=[SUB1]), hubs=hubs)
    assert members(inventory, "iot_hubs") == expected


def test_keyed_groups_groups_and_compose(run):
    hubs = FakeClient([pages("GET", HUBS_PATH, [[
        hub("hub-1", tags={"owner": "team-a"}), hub("hub-2", location="northeurope", sku="S3"),
    ]])])
    inventory, _plugin = run({
        "subscriptions": [SUB1],
        "keyed_groups": [{"key": "azure_location", "prefix": "region"},
                         {"key": "azure_tags.owner | default('none')", "prefix": "owner"}],
        "groups": {"big_hubs": "azure_sku.name in ['S2', 'S3']"},
        "compose": {"ansible_connection": "'local'", "hub_url": "'https://' ~ azure_iothub_hostname"},
    }, hubs=hubs)
    assert members(inventory, "region_westus2") == ["hub-1"]
    assert members(inventory, "region_northeurope") == ["hub-2"]
    assert members(inventory, "owner_team_a") == ["hub-1"] and members(inventory, "owner_none") == ["hub-2"]
    assert members(inventory, "big_hubs") == ["hub-2"]
    assert hostvars(inventory, "hub-1")["ansible_connection"] == "local"
    assert hostvars(inventory, "hub-1")["hub_url"] == "https://hub-1.azure-devices.net"


def test_iotcentral_apps_and_a_name_collision(run):
    hubs = FakeClient([pages("GET", HUBS_PATH, [[hub("contoso")]])])
    apps = FakeClient([pages("GET", APPS_PATH, [[app("contoso", "contoso-fleet"), app("plant", "plant-7")]],
                             path_params={"subscription_id": SUB1})])
    inventory, _plugin = run({"subscriptions": [SUB1], "include_iotcentral_apps": True,
                              "dns_suffix": "azureiotcentral.us"}, hubs=hubs, apps=apps)
    renamed = "contoso_rg-a_%s" % SUB1[:8]
    assert members(inventory, "iot_hubs") == ["contoso"]
    assert members(inventory, "iotcentral_apps") == [renamed, "plant"]
    variables = {k: v for k, v in hostvars(inventory, "plant").items() if not k.startswith("inventory_")}
    assert variables == {
        "azure_resource_type": "iotcentral", "azure_resource_id": app("plant", "plant-7")["id"],
        "azure_subscription_id": SUB1, "azure_resource_group": "rg-a", "azure_location": "westeurope",
        "azure_tags": {"env": "prod"}, "azure_sku": {"name": "ST2"}, "azure_arm_endpoint": ARM,
        "azure_iotcentral_app_name": "plant", "azure_iotcentral_application_id": "app-id-plant",
        "azure_iotcentral_subdomain": "plant-7", "azure_iotcentral_app_url": "https://plant-7.azureiotcentral.us",
        "azure_iotcentral_display_name": "Plant", "azure_iotcentral_state": "created",
    }


def test_apps_only(run):
    apps = FakeClient([pages("GET", APPS_PATH, [[app("plant", "plant-7")]])])
    inventory, _plugin = run({"subscriptions": [SUB1], "include_iot_hubs": False, "include_iotcentral_apps": True},
                             apps=apps)
    assert members(inventory, "iotcentral_apps") == ["plant"] and members(inventory, "iot_hubs") == []


def test_a_subscription_given_twice_lists_each_hub_once(run):
    hubs = FakeClient([pages("GET", HUBS_PATH, [[hub("hub-1")]]), pages("GET", HUBS_PATH, [[hub("hub-1")]])])
    inventory, _plugin = run({"subscriptions": [SUB1, SUB1]}, hubs=hubs)
    assert members(inventory, "iot_hubs") == ["hub-1"]


def test_the_cache_answers_without_a_request(run, tmp_path):
    cache = {"cache": True, "cache_plugin": "jsonfile", "cache_connection": str(tmp_path / "cache"),
             "subscriptions": [SUB1]}
    first, _plugin = run(cache, hubs=FakeClient([pages("GET", HUBS_PATH, [[hub("hub-1")]])]))
    # An empty script: any request fails the test.
    second, _plugin = run(cache, hubs=FakeClient())
    assert members(second, "iot_hubs") == members(first, "iot_hubs") == ["hub-1"]
    assert hostvars(second, "hub-1")["azure_iothub_hostname"] == "hub-1.azure-devices.net"
    # cache=False (ansible-inventory --flush-cache, meta: refresh_inventory) asks again and refreshes the cache.
    third, _plugin = run(cache, hubs=FakeClient([pages("GET", HUBS_PATH, [[hub("hub-9")]])]), cache=False)
    assert members(third, "iot_hubs") == ["hub-9"]
    cached = "".join(path.read_text() for path in (tmp_path / "cache").iterdir())
    assert "hub-9" in cached and SECRET not in cached and "bearer-token" not in cached


def test_no_key_or_token_in_the_inventory(run):
    hubs = FakeClient([pages("GET", HUBS_PATH, [[hub("hub-1")]])])
    inventory, _plugin = run({"subscriptions": [SUB1]}, hubs=hubs)
    text = json.dumps({name: hostvars(inventory, name) for name in inventory.hosts}, default=str)
    for secret in (SECRET, "bearer-token-1", "S0VZLW5ldmVy", "primaryKey", "authorizationPolicies"):
        assert secret not in text


def test_an_arm_error_names_the_subscription_and_the_request(run):
    error = api_error(403, "AuthorizationFailed", "The client 'c' has no authorization", path=HUBS_PATH,
                      request_id="rid-42")
    hubs = FakeClient([pages("GET", HUBS_PATH, [error])])
    with pytest.raises(AnsibleError) as caught:
        run({"subscriptions": [SUB1]}, hubs=hubs)
    assert str(caught.value.message) == (
        "azure_iot.jobs.iot_hubs: listing the IoT hubs of subscription %s failed: GET /subscriptions/"
        "{subscription_id}/providers/Microsoft.Devices/IotHubs failed: HTTP 403 AuthorizationFailed: The client 'c' "
        "has no authorization (request id rid-42)" % SUB1)


@pytest.mark.parametrize("config, message", [
    ({}, "subscriptions is required: list the subscription IDs to read the hubs of, or set AZURE_SUBSCRIPTION_ID"),
    ({"subscriptions": ["prod"]},
     "subscription_id must be a subscription id, a GUID such as 00000000-0000-0000-0000-000000000000, got 'prod'"),
    ({"subscriptions": [SUB1], "arm_endpoint": "http://management.example"},
     "arm_endpoint must be an https:// URL, got http://management.example"),
    ({"subscriptions": [SUB1], "timeout": 0}, "timeout must be a number of seconds greater than 0, got 0.0"),
])
def test_bad_options_fail_before_any_request(run, config, message):
    with pytest.raises(AnsibleError) as caught:
        run(config)
    assert str(caught.value.message) == "azure_iot.jobs.iot_hubs: " + message
    assert SECRET not in str(caught.value)


def test_the_cloud_environment_chooses_the_arm_endpoint(run, monkeypatch):
    # What AWX's Azure credential injects for Azure Government; no arm_endpoint option.
    monkeypatch.setenv("AZURE_CLOUD_ENVIRONMENT", "AzureUSGovernment")
    hubs = FakeClient([pages("GET", HUBS_PATH, [[hub("hub-1")]])])
    inventory, _plugin = run({"subscriptions": [SUB1], "arm_endpoint": None}, hubs=hubs)
    assert hostvars(inventory, "hub-1")["azure_arm_endpoint"] == "https://management.usgovcloudapi.net"


def test_verify_file_wants_the_plugins_suffix(tmp_path):
    plugin = iot_hubs.InventoryModule()
    for name, wanted in (("prod.iot_hubs.yml", True), ("iot_hubs.yaml", True), ("hosts.yml", False)):
        path = tmp_path / name
        path.write_text("plugin: azure_iot.jobs.iot_hubs\n")
        assert plugin.verify_file(str(path)) is wanted, name
