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
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError, secret_variants
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
    """A Client for the IoT Hub data plane (https://<hub host>)."""
    params = module.params
    check_common(params)
    host = _auth.iothub_host(params)
    auth = _auth.iothub_auth(params)
    return _build(module, "https://%s" % host, auth, api_version)


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


def arm_client(module, api_version=_arm.API_VERSION):
    """A Client for Azure Resource Manager (the hub's coordinates are an _arm.ArmHub, built from the same params)."""
    params = module.params
    check_common(params)
    base_url = check_https_url(params.get("arm_endpoint") or _auth.DEFAULT_ARM_ENDPOINT, "arm_endpoint")
    return _build(module, base_url, _auth.arm_auth(params), api_version)
