# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_args: the shared argument specs agree with their doc fragments, and env fallbacks work through Ansible."""

from __future__ import annotations

import importlib
import re

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.azure_iot.jobs.plugins.module_utils import _args

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
    for option, doc in fragment_options(name).items():
        text = " ".join(doc["description"])
        documented = re.findall(r"Can also be set with the E\((\w+)\) environment variable\.", text)
        fallback = spec[option].get("fallback")
        assert documented == (list(fallback[1]) if fallback else []), option


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
