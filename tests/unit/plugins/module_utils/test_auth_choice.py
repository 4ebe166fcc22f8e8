# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_auth.*_auth(params): which auth class auth_method picks per API, and the messages for missing options."""

from __future__ import annotations

import sys
import types

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils import _auth
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
CONNECTION_STRING = "HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=" + KEY
API_TOKEN = "SharedAccessSignature sr=app&sig=abc&skn=t1&se=4102444800000"
SP = dict(tenant_id="t1", client_id="c1", client_secret="s1")


@pytest.fixture(autouse=True)
def identity(monkeypatch):
    """A fake azure.identity whose credentials remember their class name."""
    module = types.ModuleType("azure.identity")
    for name in ("ClientSecretCredential", "ManagedIdentityCredential", "AzureCliCredential",
                 "DefaultAzureCredential"):
        setattr(module, name, type(name, (object,), {"__init__": lambda self, *a, **k: None}))
    monkeypatch.setitem(sys.modules, "azure.identity", module)


def params(**kwargs):
    base = dict(auth_method="auto", validate_certs=True)
    base.update(kwargs)
    return base


def describe(auth):
    if isinstance(auth, _auth.EntraAuth):
        return "entra:%s:%s:%s" % (auth.method, type(auth.credential).__name__, auth.scope)
    return type(auth).__name__


@pytest.mark.parametrize("options, expected", [
    (dict(connection_string=CONNECTION_STRING), "SasAuth"),
    (dict(connection_string=CONNECTION_STRING, **SP), "SasAuth"),
    (dict(hostname="myhub.azure-devices.net", **SP),
     "entra:client_secret:ClientSecretCredential:https://iothubs.azure.net/.default"),
    (dict(hostname="myhub.azure-devices.net", tenant_id="t1", client_id="c1"),
     "entra:default:DefaultAzureCredential:https://iothubs.azure.net/.default"),
    (dict(hostname="h", auth_method="managed_identity"),
     "entra:managed_identity:ManagedIdentityCredential:https://iothubs.azure.net/.default"),
    (dict(hostname="h", auth_method="azure_cli"), "entra:azure_cli:AzureCliCredential:https://iothubs.azure.net/.default"),
    (dict(connection_string=CONNECTION_STRING, auth_method="default"),
     "entra:default:DefaultAzureCredential:https://iothubs.azure.net/.default"),
])
def test_iothub_auth_choice(options, expected):
    assert describe(_auth.iothub_auth(params(**options))) == expected


@pytest.mark.parametrize("options, expected", [
    (dict(api_token=API_TOKEN), "ApiTokenAuth"),
    (dict(api_token=API_TOKEN, **SP), "ApiTokenAuth"),
    (dict(SP), "entra:client_secret:ClientSecretCredential:https://apps.azureiotcentral.com/.default"),
    (dict(), "entra:default:DefaultAzureCredential:https://apps.azureiotcentral.com/.default"),
])
def test_iotcentral_auth_choice(options, expected):
    assert describe(_auth.iotcentral_auth(params(**options))) == expected


@pytest.mark.parametrize("options, expected", [
    (dict(SP), "entra:client_secret:ClientSecretCredential:https://management.azure.com/.default"),
    (dict(arm_endpoint="https://127.0.0.1:8443/"),
     "entra:default:DefaultAzureCredential:https://127.0.0.1:8443/.default"),
    (dict(arm_endpoint="https://management.usgovcloudapi.net", connection_string=CONNECTION_STRING),
     "entra:default:DefaultAzureCredential:https://management.usgovcloudapi.net/.default"),
])
def test_arm_auth_choice(options, expected):
    assert describe(_auth.arm_auth(params(**options))) == expected


@pytest.mark.parametrize("choose, options, msg", [
    (_auth.iothub_auth, dict(auth_method="client_secret", tenant_id="t1", client_id="c1"),
     "auth_method=client_secret requires tenant_id, client_id and client_secret (missing: client_secret)"),
    (_auth.iotcentral_auth, dict(auth_method="client_secret"),
     "auth_method=client_secret requires tenant_id, client_id and client_secret (missing: tenant_id, client_id, "
     "client_secret)"),
    (_auth.iothub_auth, dict(auth_method="sas"),
     "auth_method=sas requires connection_string (the connection string of a shared access policy of the hub)"),
    (_auth.iothub_auth, dict(auth_method="api_token", api_token=API_TOKEN),
     "auth_method=api_token is for IoT Central; the IoT Hub data plane takes sas (connection_string) or an Entra ID "
     "method (client_secret, managed_identity, azure_cli, default)"),
    (_auth.iotcentral_auth, dict(auth_method="api_token"), "auth_method=api_token requires api_token"),
    (_auth.iotcentral_auth, dict(auth_method="sas", connection_string=CONNECTION_STRING),
     "auth_method=sas is for the IoT Hub data plane (connection_string); IoT Central takes api_token or an Entra ID "
     "method (client_secret, managed_identity, azure_cli, default)"),
    (_auth.arm_auth, dict(auth_method="sas", connection_string=CONNECTION_STRING),
     "auth_method=sas cannot be used with Azure Resource Manager (subscription_id, resource_group, hub_name); use an "
     "Entra ID method (client_secret, managed_identity, azure_cli, default)"),
])
def test_missing_combinations_name_the_options(choose, options, msg):
    with pytest.raises(ValidationError) as caught:
        choose(params(**options))
    assert caught.value.msg == msg


@pytest.mark.parametrize("options, expected", [
    (dict(connection_string=CONNECTION_STRING), "myhub.azure-devices.net"),
    (dict(hostname="myhub.azure-devices.net"), "myhub.azure-devices.net"),
    (dict(hostname="https://myhub.azure-devices.net/"), "myhub.azure-devices.net"),
    (dict(hostname="127.0.0.1:8443"), "127.0.0.1:8443"),
    (dict(hostname="MyHub.azure-devices.net", connection_string=CONNECTION_STRING), "myhub.azure-devices.net"),
])
def test_iothub_host(options, expected):
    assert _auth.iothub_host(params(**options)) == expected


@pytest.mark.parametrize("options, msg", [
    (dict(), "one of connection_string or hostname is required to reach the IoT Hub data plane"),
    (dict(hostname="other.azure-devices.net", connection_string=CONNECTION_STRING),
     "connection_string (HostName=myhub.azure-devices.net) and hostname (other.azure-devices.net) name different "
     "hubs; set only one"),
    (dict(hostname="http://myhub.azure-devices.net"),
     "hostname must be the hub's host name, such as myhub.azure-devices.net (https is implied)"),
    (dict(hostname="myhub.azure-devices.net/jobs"),
     "hostname must be the hub's host name, such as myhub.azure-devices.net (https is implied)"),
])
def test_iothub_host_errors(options, msg):
    with pytest.raises(ValidationError) as caught:
        _auth.iothub_host(params(**options))
    assert caught.value.msg == msg
