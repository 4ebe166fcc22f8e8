# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""What the iot_hubs inventory reads from Azure Resource Manager, and the hosts it makes of it.

- IoT hubs: GET /subscriptions/{id}/providers/Microsoft.Devices/IotHubs (iothub.json
  IotHubResource_ListBySubscription, api-version 2023-06-30 as the modules use, nextLink paging).
- IoT Central applications: GET /subscriptions/{id}/providers/Microsoft.IoTCentral/iotApps (iotcentral.json
  Apps_ListBySubscription, api-version 2021-06-01, nextLink paging); an app's URL is https://{subdomain}.{dns_suffix}.

A host is a plain dict {"name", "id", "kind", "vars"}: the inventory caches these, so they hold no key and no token
(the list answers carry none: keys come only from listkeys, which the inventory never calls).
"""

from __future__ import annotations

from ansible_collections.azure_iot.jobs.plugins.module_utils import _arm
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, CollectionError

HUBS_PATH = "/subscriptions/{subscription_id}/providers/Microsoft.Devices/IotHubs"
APPS_PATH = "/subscriptions/{subscription_id}/providers/Microsoft.IoTCentral/iotApps"
HUBS_API_VERSION = _arm.API_VERSION
APPS_API_VERSION = "2021-06-01"

HUB_GROUP = "iot_hubs"
APP_GROUP = "iotcentral_apps"


def resource_group_of(resource_id):
    """The resource group named in an ARM resource id (/subscriptions/s/resourceGroups/rg/providers/...)."""
    parts = (resource_id or "").split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[index + 1]
    return None


def normalise_location(value):
    """ARM writes locations as 'westus2' and users as 'West US 2': compare them without case and spaces."""
    return "".join(str(value or "").split()).lower()


class Filters(object):
    """The resource_groups, locations and tags filters; a resource passes when it matches each one given."""

    def __init__(self, resource_groups=None, locations=None, tags=None):
        self.resource_groups = set(name.lower() for name in resource_groups or ())
        self.locations = set(normalise_location(name) for name in locations or ())
        self.tags = dict(tags or {})

    def match(self, raw):
        if self.resource_groups and (resource_group_of(raw.get("id")) or "").lower() not in self.resource_groups:
            return False
        if self.locations and normalise_location(raw.get("location")) not in self.locations:
            return False
        tags = raw.get("tags") or {}
        for name, wanted in self.tags.items():
            # A null value asks only for the tag; values compare as text (ARM tag values are strings).
            if name not in tags or (wanted is not None and str(tags[name]) != str(wanted)):
                return False
        return True


def _common_vars(raw, subscription_id, arm_endpoint, kind):
    return {
        "azure_resource_type": kind,
        "azure_resource_id": raw.get("id"),
        "azure_subscription_id": subscription_id,
        "azure_resource_group": resource_group_of(raw.get("id")),
        "azure_location": raw.get("location"),
        "azure_tags": dict(raw.get("tags") or {}),
        "azure_sku": dict(raw.get("sku") or {}),
        "azure_arm_endpoint": arm_endpoint,
    }


def hub_host(raw, subscription_id, arm_endpoint):
    """An IotHubDescription -> a host named after the hub."""
    properties = raw.get("properties") or {}
    variables = _common_vars(raw, subscription_id, arm_endpoint, "iothub")
    variables.update({
        "azure_iothub_name": raw.get("name"),
        "azure_iothub_hostname": properties.get("hostName"),
        "azure_iothub_state": properties.get("state"),
    })
    return {"name": raw.get("name"), "id": raw.get("id"), "kind": HUB_GROUP, "vars": variables}


def app_host(raw, subscription_id, arm_endpoint, dns_suffix):
    """An IoT Central App resource -> a host named after the application resource."""
    properties = raw.get("properties") or {}
    subdomain = properties.get("subdomain")
    variables = _common_vars(raw, subscription_id, arm_endpoint, "iotcentral")
    variables.update({
        "azure_iotcentral_app_name": raw.get("name"),
        "azure_iotcentral_application_id": properties.get("applicationId"),
        "azure_iotcentral_subdomain": subdomain,
        "azure_iotcentral_app_url": "https://%s.%s" % (subdomain, dns_suffix) if subdomain else None,
        "azure_iotcentral_display_name": properties.get("displayName"),
        "azure_iotcentral_state": properties.get("state"),
    })
    return {"name": raw.get("name"), "id": raw.get("id"), "kind": APP_GROUP, "vars": variables}


def _list(client, path, subscription_id, what):
    try:
        return list(client.iter_next_link(path, path_params={"subscription_id": subscription_id}))
    except ApiError as err:
        raise CollectionError("listing the %s of subscription %s failed: %s"
                              % (what, subscription_id, err.msg)) from None


def list_hosts(clients, subscriptions, filters, arm_endpoint, include_hubs=True, include_apps=False,
               dns_suffix="azureiotcentral.com"):
    """The hosts of every subscription, in the order given (hubs first), each resource once (by resource id)."""
    hosts, seen = [], set()
    for subscription_id in subscriptions:
        found = []
        if include_hubs:
            found += [hub_host(raw, subscription_id, arm_endpoint)
                      for raw in _list(clients["hubs"], HUBS_PATH, subscription_id, "IoT hubs") if filters.match(raw)]
        if include_apps:
            found += [app_host(raw, subscription_id, arm_endpoint, dns_suffix)
                      for raw in _list(clients["apps"], APPS_PATH, subscription_id, "IoT Central applications")
                      if filters.match(raw)]
        for host in found:
            key = (host["id"] or "%s/%s" % (subscription_id, host["name"])).lower()
            if key not in seen:  # a subscription given twice lists its resources once
                seen.add(key)
                hosts.append(host)
    return hosts


def unique_names(hosts):
    """[(inventory name, host)]: the resource's name, or name_resourcegroup_subscription8 for a later resource of a
    name already taken, and the list of (name, new name) renamed.

    Hub names are unique within a cloud (they are DNS labels of azure-devices.net), so only an IoT Central
    application can share its name with a hub or with an application of another resource group.
    """
    taken, named, renamed = set(), [], []
    for host in hosts:
        name = host["name"]
        if name.lower() in taken:
            variables = host["vars"]
            name = "%s_%s_%s" % (host["name"], variables.get("azure_resource_group"),
                                 str(variables.get("azure_subscription_id"))[:8])
            renamed.append((host["name"], name))
        taken.add(name.lower())
        named.append((name, host))
    return named, renamed
