# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_args: the shared argument specs agree with their doc fragments, and env fallbacks work through Ansible."""

from __future__ import annotations

import importlib
import re

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.azure_iot.jobs.plugins.module_utils import _args, _cloud

FRAGMENTS = [
    ("connection", _args.COMMON_ARGSPEC),
    ("iothub_auth", _args.IOTHUB_ARGSPEC),
    ("arm_auth", _args.ARM_ARGSPEC),
    ("iotcentral_auth", _args.IOTCENTRAL_ARGSPEC),
]
SECRETS = {"connection_string", "client_secret", "api_token"}
# Names that validate-modules thinks look secret (or that Ansible users mistake for secrets): explicitly not.
NOT_SECRET = {"client_id"}


def fragment_options(name):
    module = importlib.import_module("ansible_collections.azure_iot.jobs.plugins.doc_fragments.%s" % name)
    return yaml.safe_load(module.ModuleDocFragment.DOCUMENTATION)["options"]


@pytest.mark.parametrize("name, spec", FRAGMENTS)
def test_fragment_documents_exactly_the_spec(name, spec):
    options = fragment_options(name)
    assert sorted(options) == sorted(spec)
    for option, doc in options.items():
        arg = spec[option]
        assert doc.get("type", "str") == arg.get("type", "str"), option
        assert doc.get("default") == arg.get("default"), option
        assert doc.get("choices") == arg.get("choices"), option
        assert "no_log" not in doc and "required" not in doc, option


@pytest.mark.parametrize("name, spec", FRAGMENTS)
def test_fragment_names_the_environment_variable_of_each_fallback(name, spec):
    # One item "Can also be set with the E(A) environment variable[, or else E(B) (...)]." names every variable in
    # the order they are tried.
    for option, doc in fragment_options(name).items():
        items = [item for item in doc["description"] if item.startswith("Can also be set with the E(")]
        documented = re.findall(r"E\((\w+)\)", items[0]) if items else []
        assert len(items) <= 1, option
        fallback = spec[option].get("fallback")
        assert documented == (list(fallback[1]) if fallback else []), option


@pytest.mark.parametrize("name, spec", FRAGMENTS)
def test_fragment_documents_the_cloud_of_each_cloud_fallback(name, spec):
    for option, doc in fragment_options(name).items():
        fallback = spec[option].get("fallback")
        text = " ".join(doc["description"])
        endpoint = getattr(fallback[0], "endpoint", None) if fallback else None
        if endpoint:
            assert endpoint == option
            assert "E(AZURE_CLOUD_ENVIRONMENT)" in text, option
            for cloud, endpoints in _cloud.CLOUDS.items():
                assert "V(%s) C(%s)" % (cloud, endpoints[endpoint]) in text, option
        else:
            assert "AZURE_CLOUD_ENVIRONMENT" not in text, option


@pytest.mark.parametrize("name, spec", FRAGMENTS)
def test_secrets_are_no_log_and_lookalikes_are_not(name, spec):
    for option, arg in spec.items():
        if option in SECRETS:
            assert arg.get("no_log") is True, option
        elif option in NOT_SECRET or re.search(r"pass(?!ive)|secret|token|key", option):
            assert arg.get("no_log") is False, option
        else:
            assert "no_log" not in arg, option


def test_environment_fallbacks_through_ansible(monkeypatch):
    monkeypatch.setenv("AZURE_IOTHUB_CONNECTION_STRING", "HostName=h;SharedAccessKeyName=p;SharedAccessKey=a2V5")
    monkeypatch.setenv("AZURE_IOT_VALIDATE_CERTS", "false")
    monkeypatch.setenv("AZURE_IOT_AUTH_METHOD", "sas")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ca.pem")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "sp-secret")
    monkeypatch.delenv("AZURE_IOTHUB_HOSTNAME", raising=False)
    spec = dict(_args.IOTHUB_ARGSPEC)
    spec.update(_args.COMMON_ARGSPEC)
    result = ArgumentSpecValidator(spec).validate({"timeout": "12"})
    assert result.error_messages == []
    params = result.validated_parameters
    assert params["connection_string"] == "HostName=h;SharedAccessKeyName=p;SharedAccessKey=a2V5"
    assert (params["validate_certs"], params["auth_method"], params["ca_path"]) == (False, "sas", "/etc/ca.pem")
    assert (params["timeout"], params["max_retries"], params["hostname"]) == (12.0, 5, None)
    assert {"HostName=h;SharedAccessKeyName=p;SharedAccessKey=a2V5", "sp-secret"} <= result._no_log_values


def test_defaults_without_environment(monkeypatch):
    for name in ("AZURE_ARM_ENDPOINT", "AZURE_IOT_AUTH_METHOD", "AZURE_IOT_VALIDATE_CERTS"):
        monkeypatch.delenv(name, raising=False)
    spec = dict(_args.ARM_ARGSPEC, **_args.IOTCENTRAL_ARGSPEC)
    spec.update(_args.COMMON_ARGSPEC)
    params = ArgumentSpecValidator(spec).validate({}).validated_parameters
    assert (params["arm_endpoint"], params["dns_suffix"], params["auth_method"], params["validate_certs"]) == (
        "https://management.azure.com", "azureiotcentral.com", "auto", True)


AWX_AZURE_RM = {  # what AWX's "Microsoft Azure Resource Manager" credential injects (awx injectors.azure_rm)
    "AZURE_SUBSCRIPTION_ID": "sub-1",
    "AZURE_CLIENT_ID": "app-1",
    "AZURE_TENANT": "tenant-1",
    "AZURE_SECRET": "awx-secret",
}
OWN_NAMES = ("AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST", "AZURE_ARM_ENDPOINT",
             "AZURE_CLOUD_ENVIRONMENT", "AZURE_IOT_AUTH_METHOD")


def _validate(monkeypatch, env, task=None):
    for name in OWN_NAMES + tuple(AWX_AZURE_RM):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = dict(_args.ARM_ARGSPEC)
    spec.update(_args.COMMON_ARGSPEC)
    result = ArgumentSpecValidator(spec).validate(dict(task or {}))
    assert result.error_messages == []
    return result


def test_the_awx_azure_credential_variables_are_read(monkeypatch):
    result = _validate(monkeypatch, AWX_AZURE_RM)
    params = result.validated_parameters
    assert (params["subscription_id"], params["client_id"], params["tenant_id"], params["client_secret"]) == (
        "sub-1", "app-1", "tenant-1", "awx-secret")
    assert "awx-secret" in result._no_log_values
    # No cloud named: the public cloud's ARM endpoint (the default) and azure-identity's own authority.
    assert (params["arm_endpoint"], params["authority_host"]) == ("https://management.azure.com", None)


def test_the_collection_variable_names_win_over_the_awx_names(monkeypatch):
    params = _validate(monkeypatch, dict(AWX_AZURE_RM, AZURE_TENANT_ID="tenant-own",
                                         AZURE_CLIENT_SECRET="own-secret")).validated_parameters
    assert (params["tenant_id"], params["client_secret"]) == ("tenant-own", "own-secret")


@pytest.mark.parametrize("cloud, arm_endpoint, authority_host", [
    ("AzureCloud", "https://management.azure.com", "login.microsoftonline.com"),
    ("AzureUSGovernment", "https://management.usgovcloudapi.net", "login.microsoftonline.us"),
    ("azurechinacloud", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
])
def test_the_cloud_environment_gives_the_endpoints(monkeypatch, cloud, arm_endpoint, authority_host):
    params = _validate(monkeypatch, dict(AWX_AZURE_RM, AZURE_CLOUD_ENVIRONMENT=cloud)).validated_parameters
    assert (params["arm_endpoint"], params["authority_host"]) == (arm_endpoint, authority_host)


def test_task_options_and_their_variables_win_over_the_cloud_environment(monkeypatch):
    env = dict(AZURE_CLOUD_ENVIRONMENT="AzureUSGovernment", AZURE_AUTHORITY_HOST="login.example.test")
    params = _validate(monkeypatch, env, dict(arm_endpoint="https://arm.example.test")).validated_parameters
    assert (params["arm_endpoint"], params["authority_host"]) == ("https://arm.example.test", "login.example.test")
    env = dict(AZURE_CLOUD_ENVIRONMENT="AzureUSGovernment", AZURE_ARM_ENDPOINT="https://127.0.0.1:8443")
    params = _validate(monkeypatch, env, dict(authority_host="127.0.0.1:8443")).validated_parameters
    assert (params["arm_endpoint"], params["authority_host"]) == ("https://127.0.0.1:8443", "127.0.0.1:8443")


def test_an_unknown_cloud_environment_leaves_the_defaults(monkeypatch):
    params = _validate(monkeypatch, dict(AZURE_CLOUD_ENVIRONMENT="AzureGermanCloud")).validated_parameters
    assert (params["arm_endpoint"], params["authority_host"]) == ("https://management.azure.com", None)
