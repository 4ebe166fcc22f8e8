# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Build the Client a module needs from its parameters (the shared option names of _args).

Every secret, given or derived (the key inside a connection string, SAS tokens and signatures, bearer tokens), goes
into module.no_log_values, now and whenever an auth object mints a new one. Errors are CollectionError subclasses;
only the module calls fail_json.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from ansible_collections.azure_iot.jobs.plugins.module_utils import _arm, _auth, _iotcentral, _iothub
from ansible_collections.azure_iot.jobs.plugins.module_utils._arm import ArmHub
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import AuthError, ValidationError, secret_variants
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import (
    check_ca_path,
    check_connection_numbers,
    check_host,
    check_https_url,
    is_dns_name,
)


def _build(module, base_url, auth, api_version):
    params = module.params
    # The sink catches tokens minted later (renewals, the first bearer token); update() catches those known now.
    auth.secret_sink = module.no_log_values
    module.no_log_values.update(form for value in auth.secrets() for form in secret_variants(value))
    return Client(
        base_url,
        auth,
        api_version=api_version,
        timeout=params.get("timeout"),
        max_retries=params.get("max_retries"),
        retry_budget=params.get("retry_budget") or 300.0,
        validate_certs=params.get("validate_certs", True),
        ca_path=params.get("ca_path"),
        warn=module.warn,
    )


def check_common(params):
    """The options every client shares, checked before any auth or client exists."""
    check_connection_numbers(params)
    check_ca_path(params.get("ca_path"))
    authority = params.get("authority_host")
    if authority:
        # azure-identity takes a host name or an https:// URL.
        if "://" in authority:
            check_https_url(authority, "authority_host")
        else:
            check_host(authority, "authority_host")


def iothub_client(module, api_version=_iothub.API_VERSION):
    """A Client for the IoT Hub data plane (https://<hub host>).

    The hub is reached from connection_string, from hostname with Entra ID, or from its ARM coordinates alone
    (_hub_from_arm). Every combination is checked before the first request.
    """
    params = module.params
    check_common(params)
    method = _auth.iothub_method(params)
    if params.get("connection_string") or (method != "sas" and params.get("hostname")):
        host = _auth.iothub_host(params)
        return _build(module, "https://%s" % host, _auth.iothub_auth(params), api_version)
    return _hub_from_arm(module, method, api_version)


def _hub_from_arm(module, method, api_version):
    """The data plane of the hub named by subscription_id, resource_group and hub_name.

    Its host is hostname, or properties.hostName of GET {hub}. With auth_method=sas the key of shared_access_policy
    is read through POST {hub}/listkeys, once per module run and never kept: Azure Resource Manager then takes an Entra
    ID method (client_secret when tenant_id, client_id and client_secret are set, else the default chain).
    """
    params = module.params
    hub = _arm_coordinates(params, method)
    policy = check_policy_name(params.get("shared_access_policy")) if method == "sas" else None
    host = _auth.iothub_host(params) if params.get("hostname") else None
    data_auth = None if method == "sas" else _auth.iothub_auth(params)
    arm_method = _auth.auto_entra_method(params) if method == "sas" else method
    arm = _build(module, arm_base_url(params), _auth.arm_auth(params, arm_method), _arm.API_VERSION)
    if host is None:
        host = hub_host_name(_arm.get_hub(arm, hub), hub)
    if method == "sas":
        data_auth = _auth.SasAuth(policy_key(module, _arm.list_policies(arm, hub), hub, policy, host))
    return _build(module, "https://%s" % host, data_auth, api_version)


def _arm_coordinates(params, method):
    given = [name for name in ArmHub.OPTIONS if params.get(name)]
    if method == "sas" and len(given) < len(ArmHub.OPTIONS):
        raise ValidationError("auth_method=sas requires connection_string, or subscription_id, resource_group and "
                              "hub_name to read the key of shared_access_policy through Azure Resource Manager "
                              "(missing: connection_string, %s)"
                              % ", ".join(name for name in ArmHub.OPTIONS if name not in given))
    if not given:
        raise ValidationError("one of connection_string, hostname, or subscription_id with resource_group and "
                              "hub_name is required to reach the IoT Hub data plane")
    return ArmHub.from_params(params)


def check_policy_name(value):
    name = (value or "").strip()
    if not name:
        raise ValidationError("shared_access_policy must not be empty: name a shared access policy of the hub, such "
                              "as registryReadWrite")
    return name


def hub_host_name(description, hub):
    """properties.hostName of an IotHubDescription, checked like hostname."""
    host = (description.get("properties") or {}).get("hostName")
    if not host:
        raise AuthError("Azure Resource Manager described IoT hub '%s' of resource group '%s' without a host name "
                        "(properties.hostName); set hostname" % (hub.hub_name, hub.resource_group))
    return check_host(host, "properties.hostName of IoT hub '%s'" % hub.hub_name)


def policy_key(module, policies, hub, policy, host):
    """The ConnectionString of the policy named policy; every key of every policy is masked first."""
    keys = [rule.get(name) for rule in policies for name in ("primaryKey", "secondaryKey")]
    module.no_log_values.update(form for key in keys if key for form in secret_variants(key))
    for rule in policies:
        if str(rule.get("keyName") or "").lower() == policy.lower() and rule.get("primaryKey"):
            key = rule["primaryKey"]
            try:
                base64.b64decode(key, validate=True)
            except (binascii.Error, ValueError):
                raise AuthError("the primary key of shared access policy '%s' of IoT hub '%s' is not valid base64"
                                % (rule["keyName"], hub.hub_name)) from None
            return _auth.ConnectionString(host, rule["keyName"], key)
    names = ", ".join(sorted(str(rule.get("keyName")) for rule in policies)) or "none"
    raise AuthError("IoT hub '%s' of resource group '%s' has no shared access policy named '%s' "
                    "(shared_access_policy); its policies: %s" % (hub.hub_name, hub.resource_group, policy, names))


def iotcentral_base_url(params):
    """https://<app>/api from app_url, or from subdomain and dns_suffix (both set must agree)."""
    app_url, subdomain = params.get("app_url"), params.get("subdomain")
    from_subdomain = None
    if subdomain:
        suffix = (params.get("dns_suffix") or "azureiotcentral.com").strip().strip(".")
        if not is_dns_name(suffix):
            raise ValidationError("dns_suffix must be a DNS name such as azureiotcentral.com, got %r"
                                  % params.get("dns_suffix"))
        if "." in subdomain.strip() or not is_dns_name(subdomain.strip()):
            raise ValidationError("subdomain must be the application's subdomain, one DNS label (letters, digits "
                                  "and '-'), got %r" % subdomain)
        from_subdomain = "https://%s.%s" % (subdomain.strip(), suffix)
    if app_url:
        base = check_https_url(app_url, "app_url", paths=("", "/api"))
        if base.lower().endswith("/api"):
            base = base[:-len("/api")]
        if from_subdomain and urlsplit(base).netloc.lower() != urlsplit(from_subdomain).netloc.lower():
            raise ValidationError("app_url (%s) and subdomain/dns_suffix (%s) name different applications; set "
                                  "only one" % (base, from_subdomain))
    elif from_subdomain:
        base = from_subdomain
    else:
        raise ValidationError("one of app_url or subdomain is required to reach the IoT Central application")
    return base + "/api"


def iotcentral_client(module, api_version=_iotcentral.API_VERSION):
    """A Client for an IoT Central application (https://<subdomain>.<dns_suffix>/api)."""
    params = module.params
    check_common(params)
    base_url = iotcentral_base_url(params)
    auth = _auth.iotcentral_auth(params)
    return _build(module, base_url, auth, api_version)


def arm_base_url(params):
    return check_https_url(params.get("arm_endpoint") or _auth.DEFAULT_ARM_ENDPOINT, "arm_endpoint")


def arm_client(module, api_version=_arm.API_VERSION):
    """A Client for Azure Resource Manager (the hub's coordinates are an _arm.ArmHub, built from the same params)."""
    params = module.params
    check_common(params)
    return _build(module, arm_base_url(params), _auth.arm_auth(params), api_version)
