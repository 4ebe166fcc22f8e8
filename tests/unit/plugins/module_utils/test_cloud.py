# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_cloud: AZURE_CLOUD_ENVIRONMENT (AWX's Azure credential) mapped to endpoints; an unknown cloud fails clearly."""

from __future__ import annotations

import sys
import types

import pytest
from ansible.module_utils.basic import AnsibleFallbackNotFound

from ansible_collections.azure_iot.jobs.plugins.module_utils import _auth, _cloud
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError

SP = dict(auth_method="auto", validate_certs=True, tenant_id="t1", client_id="c1", client_secret="s1")


@pytest.fixture(autouse=True)
def identity(monkeypatch):
    """A fake azure.identity whose credentials remember their keyword arguments."""
    module = types.ModuleType("azure.identity")

    def init(self, *args, **kwargs):
        self.kwargs = kwargs
    for name in ("ClientSecretCredential", "ManagedIdentityCredential", "AzureCliCredential",
                 "DefaultAzureCredential"):
        setattr(module, name, type(name, (object,), {"__init__": init}))
    monkeypatch.setitem(sys.modules, "azure.identity", module)
    for name in ("AZURE_CLOUD_ENVIRONMENT", "AZURE_AUTHORITY_HOST", "AZURE_ARM_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)


def test_cloud_names_are_case_insensitive_and_unknown_ones_are_none():
    assert _cloud.cloud_name(" azureusgovernment ") == "AzureUSGovernment"
    assert _cloud.cloud_endpoint("AzureChinaCloud", "arm_endpoint") == "https://management.chinacloudapi.cn"
    assert _cloud.cloud_endpoint("AzureGermanCloud", "arm_endpoint") is None
    assert _cloud.cloud_endpoint(None, "authority_host") is None


def test_the_fallback_prefers_the_option_variable_then_the_cloud(monkeypatch):
    with pytest.raises(AnsibleFallbackNotFound):
        _cloud.authority_host_fallback("AZURE_AUTHORITY_HOST")
    monkeypatch.setenv("AZURE_CLOUD_ENVIRONMENT", "AzureUSGovernment")
    assert _cloud.authority_host_fallback("AZURE_AUTHORITY_HOST") == "login.microsoftonline.us"
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "login.example.test")
    assert _cloud.authority_host_fallback("AZURE_AUTHORITY_HOST") == "login.example.test"


def test_an_unknown_cloud_fails_an_entra_method_before_any_call(monkeypatch):
    monkeypatch.setenv("AZURE_CLOUD_ENVIRONMENT", "AzureGermanCloud")
    with pytest.raises(ValidationError) as caught:
        _auth.iothub_auth(dict(SP, hostname="myhub.azure-devices.net"))
    assert str(caught.value) == (
        "AZURE_CLOUD_ENVIRONMENT is 'AzureGermanCloud', which is none of AzureCloud, AzureUSGovernment, "
        "AzureChinaCloud: set authority_host (and arm_endpoint for Azure Resource Manager) for another cloud, or "
        "unset AZURE_CLOUD_ENVIRONMENT")


def test_an_unknown_cloud_is_no_matter_with_an_authority_or_without_entra(monkeypatch):
    monkeypatch.setenv("AZURE_CLOUD_ENVIRONMENT", "AzureStackHub")
    auth = _auth.arm_auth(dict(SP, authority_host="login.example.test"))
    assert auth.credential.kwargs["authority"] == "login.example.test"
    key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    sas = _auth.iothub_auth(dict(SP, connection_string="HostName=h.azure-devices.net;SharedAccessKeyName=p;"
                                                       "SharedAccessKey=" + key))
    assert isinstance(sas, _auth.SasAuth)
