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

from urllib.parse import urlsplit

from ansible_collections.azure_iot.jobs.plugins.module_utils import _arm, _auth, _iotcentral, _iothub
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError


def _build(module, base_url, auth, api_version):
    params = module.params
    # The sink catches tokens minted later (renewals, the first bearer token); update() catches those known now.
    auth.secret_sink = module.no_log_values
    module.no_log_values.update(value for value in auth.secrets() if value)
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


def _https_base(value, option):
    """An https:// URL without a trailing slash; credentials are never sent in the clear."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        raise ValidationError("%s must be an https:// URL, got %s" % (option, value))
    if parts.query or parts.fragment:
        raise ValidationError("%s must not have a query string or a fragment" % option)
    return value


def iothub_client(module, api_version=_iothub.API_VERSION):
    """A Client for the IoT Hub data plane (https://<hub host>)."""
    params = module.params
    host = _auth.iothub_host(params)
    auth = _auth.iothub_auth(params)
    return _build(module, "https://%s" % host, auth, api_version)


def iotcentral_base_url(params):
    """https://<app>/api from app_url, or from subdomain and dns_suffix (both set must agree)."""
    app_url, subdomain = params.get("app_url"), params.get("subdomain")
    from_subdomain = None
    if subdomain:
        suffix = (params.get("dns_suffix") or "azureiotcentral.com").strip().strip(".")
        from_subdomain = "https://%s.%s" % (subdomain.strip(), suffix)
    if app_url:
        base = _https_base(app_url, "app_url")
        if base.lower().endswith("/api"):
            base = base[:-len("/api")]
        if from_subdomain and urlsplit(base).netloc.lower() != urlsplit(from_subdomain).netloc.lower():
            raise ValidationError("app_url (%s) and subdomain/dns_suffix (%s) name different applications; set "
                                  "only one" % (base, from_subdomain))
    elif from_subdomain:
        base = _https_base(from_subdomain, "subdomain")
    else:
        raise ValidationError("one of app_url or subdomain is required to reach the IoT Central application")
    return base + "/api"


def iotcentral_client(module, api_version=_iotcentral.API_VERSION):
    """A Client for an IoT Central application (https://<subdomain>.<dns_suffix>/api)."""
    params = module.params
    base_url = iotcentral_base_url(params)
    auth = _auth.iotcentral_auth(params)
    return _build(module, base_url, auth, api_version)


def arm_client(module, api_version=_arm.API_VERSION):
    """A Client for Azure Resource Manager (the hub's coordinates are an _arm.ArmHub, built from the same params)."""
    params = module.params
    base_url = _https_base(params.get("arm_endpoint") or _auth.DEFAULT_ARM_ENDPOINT, "arm_endpoint")
    return _build(module, base_url, _auth.arm_auth(params), api_version)
