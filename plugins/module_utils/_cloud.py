# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Azure clouds by name, as AWX / Automation Platform name them in AZURE_CLOUD_ENVIRONMENT.

The "Microsoft Azure Resource Manager" credential of AWX injects AZURE_CLOUD_ENVIRONMENT (AzureCloud,
AzureUSGovernment, AzureChinaCloud) when its cloud environment field is set. arm_endpoint_fallback() and
authority_host_fallback() are argument-spec fallback strategies (like env_fallback): they give an option its own
environment variables first and then the endpoint of that cloud, so the order is task option > option's variable >
AZURE_CLOUD_ENVIRONMENT > the option's default.
"""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleFallbackNotFound, env_fallback

CLOUD_ENVIRONMENT_VAR = "AZURE_CLOUD_ENVIRONMENT"

# The names are those of msrestazure / the Azure CLI (az cloud list), which AWX's credential uses.
CLOUDS = {
    "AzureCloud": dict(arm_endpoint="https://management.azure.com",
                       authority_host="login.microsoftonline.com"),
    "AzureUSGovernment": dict(arm_endpoint="https://management.usgovcloudapi.net",
                              authority_host="login.microsoftonline.us"),
    "AzureChinaCloud": dict(arm_endpoint="https://management.chinacloudapi.cn",
                            authority_host="login.chinacloudapi.cn"),
}


def cloud_name(value):
    """The canonical name of a cloud (case-insensitive), or None when it is not one of CLOUDS."""
    wanted = (value or "").strip().lower()
    for name in CLOUDS:
        if name.lower() == wanted:
            return name
    return None


def cloud_endpoint(cloud, endpoint):
    """The endpoint (arm_endpoint or authority_host) of a cloud by name, or None for an unknown cloud."""
    name = cloud_name(cloud)
    return CLOUDS[name][endpoint] if name else None


def _cloud_fallback(endpoint, names):
    """The first of the environment variables names, else the endpoint of the cloud AZURE_CLOUD_ENVIRONMENT names."""
    try:
        return env_fallback(*names)
    except AnsibleFallbackNotFound:
        pass
    value = cloud_endpoint(os.environ.get(CLOUD_ENVIRONMENT_VAR), endpoint)
    if value is None:
        raise AnsibleFallbackNotFound
    return value


# Argument-spec fallback strategies, one per endpoint (validate-modules allows a list of arguments, no keywords):
#   fallback=(arm_endpoint_fallback, ["AZURE_ARM_ENDPOINT"])
def arm_endpoint_fallback(*names):
    return _cloud_fallback("arm_endpoint", names)


def authority_host_fallback(*names):
    return _cloud_fallback("authority_host", names)


arm_endpoint_fallback.endpoint = "arm_endpoint"
authority_host_fallback.endpoint = "authority_host"


def unknown_cloud_environment():
    """A message when AZURE_CLOUD_ENVIRONMENT names no cloud of CLOUDS, else None."""
    value = os.environ.get(CLOUD_ENVIRONMENT_VAR)
    if not value or cloud_name(value):
        return None
    return ("%s is %r, which is none of %s: set authority_host (and arm_endpoint for Azure Resource Manager) for "
            "another cloud, or unset %s" % (CLOUD_ENVIRONMENT_VAR, value, ", ".join(CLOUDS), CLOUD_ENVIRONMENT_VAR))
