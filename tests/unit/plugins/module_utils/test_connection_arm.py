# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_connection.iothub_client from a hub's ARM coordinates alone: the exact request sequence (GET hub when the host
name is unknown, POST listkeys with auth_method=sas, then the data plane), the key read once per client, every key
masked, and the failures that name the hub and the request."""

from __future__ import annotations

import urllib.parse

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils import _client, _connection
from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import sas_token
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, AuthError
from ansible_collections.azure_iot.jobs.tests.unit.plugins.module_utils.test_connection import (
    SUBSCRIPTION,
    FakeModule,
    forms,
)

ARM = "https://management.azure.com/subscriptions/%s/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/hub" % (
    SUBSCRIPTION)
HUB_GET = ARM + "?api-version=2023-06-30"
LIST_KEYS = ARM + "/listkeys?api-version=2023-06-30"
JOB = "https://hub.azure-devices.net/jobs/v2/j1?api-version=2021-04-12"
OWNER_KEY = "b3duZXIta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU="
OWNER_KEY2 = "b3duZXIta2V5LXNlY29uZGFyeS0wMTIzNDU2Nzg5YWI="
RW_KEY = "cmVnaXN0cnktcmVhZC13cml0ZS1rZXktMDEyMzQ1Njc="
RW_KEY2 = "cmVnaXN0cnktcmVhZC13cml0ZS1zZWNvbmRhcnktMDE="
POLICIES = [
    {"keyName": "iothubowner", "primaryKey": OWNER_KEY, "secondaryKey": OWNER_KEY2,
     "rights": "RegistryWrite, ServiceConnect, DeviceConnect"},
    {"keyName": "registryReadWrite", "primaryKey": RW_KEY, "secondaryKey": RW_KEY2, "rights": "RegistryWrite"},
]
ALL_KEYS = (OWNER_KEY, OWNER_KEY2, RW_KEY, RW_KEY2)
HUB_BODY = {"name": "hub", "properties": {"hostName": "hub.azure-devices.net", "state": "Active"}}
SP = dict(tenant_id="t", client_id="c", client_secret="sec")
COORDINATES = dict(subscription_id=SUBSCRIPTION, resource_group="rg", hub_name="hub")


@pytest.fixture
def http(scripted_http, monkeypatch, identity):
    """Every Client the factories build (ARM and data plane) sends through the one scripted session; .identity
    records the credentials made and the token scopes asked for."""
    monkeypatch.setattr(_client.requests, "Session", lambda: scripted_http)
    scripted_http.identity = identity
    return scripted_http


def module(**params):
    options = dict(SP, shared_access_policy="registryReadWrite", **COORDINATES)
    options.update(params)
    return FakeModule(**options)


def sent(http):
    return [(call["method"], call["url"], call["headers"]["Authorization"].split(" ")[0]) for call in http.calls]


def test_entra_id_reads_the_host_name_from_the_hub_then_calls_the_data_plane(http):
    http.expect("GET", HUB_GET, json=None, body=HUB_BODY).expect("GET", JOB, json=None, body={})
    client = _connection.iothub_client(module())
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert sent(http) == [("GET", HUB_GET, "Bearer"), ("GET", JOB, "Bearer")]
    # One credential per audience: ARM's token, then the data plane's.
    scopes = [args[0] for name, args, _kwargs in http.identity if name == "get_token"]
    assert scopes == ["https://management.azure.com/.default", "https://iothubs.azure.net/.default"]


def test_sas_reads_the_host_name_then_the_policy_key_once(http):
    http.expect("GET", HUB_GET, body=HUB_BODY).expect("POST", LIST_KEYS, json=None, body={"value": POLICIES})
    http.expect("GET", JOB, body={}).expect("GET", JOB, body={})
    mod = module(auth_method="sas")
    client = _connection.iothub_client(mod)
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert sent(http) == [("GET", HUB_GET, "Bearer"), ("POST", LIST_KEYS, "Bearer"),
                          ("GET", JOB, "SharedAccessSignature"), ("GET", JOB, "SharedAccessSignature")]
    token = http.calls[2]["headers"]["Authorization"]
    expiry = int(token.rsplit("&se=", 1)[1].split("&")[0])
    assert token == sas_token("hub.azure-devices.net", RW_KEY, "registryReadWrite", expiry)
    # Every key of every policy is masked, also those of the policies not used.
    assert forms(*ALL_KEYS) <= mod.no_log_values


def test_sas_with_hostname_skips_the_hub_read(http):
    http.expect("POST", LIST_KEYS, body={"value": POLICIES}).expect("GET", JOB, body={})
    client = _connection.iothub_client(module(auth_method="sas", hostname="hub.azure-devices.net",
                                              shared_access_policy="IOTHUBOWNER"))
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert [call["method"] for call in http.calls] == ["POST", "GET"]
    # The policy is matched without regard to case; skn is its name as ARM writes it.
    assert http.calls[1]["headers"]["Authorization"].endswith("&skn=iothubowner")


@pytest.mark.parametrize("params", [dict(hostname="hub.azure-devices.net"),
                                    dict(connection_string="HostName=hub.azure-devices.net;SharedAccessKeyName=p;"
                                                           "SharedAccessKey=" + RW_KEY)])
def test_a_hostname_or_a_connection_string_wins_over_the_coordinates(http, params):
    http.expect("GET", JOB, body={})
    client = _connection.iothub_client(module(**params))
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert [call["url"] for call in http.calls] == [JOB]


def test_listkeys_pages_are_followed(http):
    next_link = LIST_KEYS + "&$skiptoken=abc"
    http.expect("GET", HUB_GET, body=HUB_BODY)
    http.expect("POST", LIST_KEYS, body={"value": POLICIES[:1], "nextLink": next_link})
    http.expect("GET", next_link, body={"value": POLICIES[1:]})
    client = _connection.iothub_client(module(auth_method="sas"))
    assert client.auth.connection.policy_name == "registryReadWrite"


def test_an_unknown_policy_names_the_hub_and_the_policies(http):
    http.expect("GET", HUB_GET, body=HUB_BODY).expect("POST", LIST_KEYS, body={"value": POLICIES})
    mod = module(auth_method="sas", shared_access_policy="jobs")
    with pytest.raises(AuthError) as caught:
        _connection.iothub_client(mod)
    assert caught.value.msg == ("IoT hub 'hub' of resource group 'rg' has no shared access policy named 'jobs' "
                                "(shared_access_policy); its policies: iothubowner, registryReadWrite")
    assert forms(*ALL_KEYS) <= mod.no_log_values


def test_a_refused_listkeys_names_the_request(http):
    http.expect("GET", HUB_GET, body=HUB_BODY)
    http.expect("POST", LIST_KEYS, status=403, response_headers={"x-ms-request-id": "rid-9"},
                body={"error": {"code": "AuthorizationFailed", "message": "The client 'c' does not have "
                                "authorization to perform action 'Microsoft.Devices/IotHubs/listkeys/Action'."}})
    with pytest.raises(ApiError) as caught:
        _connection.iothub_client(module(auth_method="sas"))
    error = caught.value
    assert (error.status, error.code, error.request_id, error.method) == (403, "AuthorizationFailed", "rid-9", "POST")
    assert error.path == urllib.parse.urlsplit(LIST_KEYS).path
    assert "listkeys/Action" in error.msg and "HTTP 403" in error.msg


def test_an_unknown_hub_is_named(http):
    http.expect("GET", HUB_GET, status=404, body={"error": {"code": "ResourceNotFound", "message": "not found"}})
    with pytest.raises(ApiError) as caught:
        _connection.iothub_client(module())
    assert caught.value.msg.startswith("IoT hub 'hub' was not found in resource group 'rg' of subscription '%s' ("
                                       % SUBSCRIPTION)


def test_a_hub_without_a_host_name(http):
    http.expect("GET", HUB_GET, body={"name": "hub", "properties": {}})
    with pytest.raises(AuthError) as caught:
        _connection.iothub_client(module())
    assert caught.value.msg == ("Azure Resource Manager described IoT hub 'hub' of resource group 'rg' without a "
                                "host name (properties.hostName); set hostname")


def test_the_emulators_host_and_port_are_kept(http):
    http.expect("GET", HUB_GET, body={"properties": {"hostName": "127.0.0.1:8443"}})
    client = _connection.iothub_client(module())
    assert client.base_url == "https://127.0.0.1:8443"
    assert urllib.parse.urlsplit(client.base_url).port == 8443
