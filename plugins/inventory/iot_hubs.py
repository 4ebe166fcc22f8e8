# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: iot_hubs
short_description: Azure IoT hubs and IoT Central applications as inventory hosts
version_added: 1.0.0
description:
  - Lists the IoT hubs (and, with O(include_iotcentral_apps), the IoT Central applications) of one or more Azure
    subscriptions from Azure Resource Manager and makes each one an inventory host, so one play runs on many hubs in
    parallel (C(forks), C(serial), C(throttle)), and AWX or Ansible Automation Platform spread them over execution
    nodes.
  - A hub's host name is the hub's name (unique within an Azure cloud). An application's host name is its resource
    name; a later resource whose name is taken (an application named like a hub, or like an application of another
    resource group) is named C(<name>_<resource group>_<first 8 characters of the subscription id>), with a warning.
  - Every hub is in the group C(iot_hubs), every application in the group C(iotcentral_apps); O(keyed_groups),
    O(groups) and O(compose) add more.
  - The host variables hold what the modules need to connect (see the examples), never a key or a token. With
    O(azure_iot.jobs.iothub_scheduled_job#module:auth_method=sas) and no connection string the modules read the
    key of a shared access policy through Azure Resource Manager at run time.
  - The configuration file's name must end with C(iot_hubs.yml) or C(iot_hubs.yaml).
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
requirements:
  - requests
  - azure-identity
extends_documentation_fragment:
  - constructed
  - inventory_cache
notes:
  - "Host variables of a hub: C(azure_resource_type) (V(iothub)), C(azure_resource_id), C(azure_subscription_id),
    C(azure_resource_group), C(azure_location), C(azure_tags), C(azure_sku) (C(name), C(tier), C(capacity)),
    C(azure_arm_endpoint), C(azure_iothub_name), C(azure_iothub_hostname), C(azure_iothub_state)."
  - "Host variables of an application: C(azure_resource_type) (V(iotcentral)), C(azure_resource_id),
    C(azure_subscription_id), C(azure_resource_group), C(azure_location), C(azure_tags), C(azure_sku),
    C(azure_arm_endpoint), C(azure_iotcentral_app_name), C(azure_iotcentral_application_id),
    C(azure_iotcentral_subdomain), C(azure_iotcentral_app_url), C(azure_iotcentral_display_name),
    C(azure_iotcentral_state)."
  - The hubs are read with C(GET /subscriptions/{id}/providers/Microsoft.Devices/IotHubs) (api-version 2023-06-30)
    and the applications with C(GET /subscriptions/{id}/providers/Microsoft.IoTCentral/iotApps) (api-version
    2021-06-01), following C(nextLink). The identity needs C(Microsoft.Devices/IotHubs/read) (and
    C(Microsoft.IoTCentral/IoTApps/read)), for example the Reader role.
options:
  plugin:
    description: The name of this plugin; it must always be V(azure_iot.jobs.iot_hubs).
    type: str
    required: true
    choices: [azure_iot.jobs.iot_hubs]
  subscriptions:
    description:
      - The IDs of the subscriptions to list, in this order.
      - Defaults to the E(AZURE_SUBSCRIPTION_ID) environment variable (also the name the Microsoft Azure Resource
        Manager credential of AWX and Ansible Automation Platform injects); several IDs there are separated by commas.
    type: list
    elements: str
    env:
      - name: AZURE_SUBSCRIPTION_ID
  resource_groups:
    description: Only the resources of these resource groups (names compare without regard to case).
    type: list
    elements: str
    default: []
  locations:
    description: Only the resources in these Azure regions, such as V(westus2) or V(West US 2) (case and spaces
      are ignored).
    type: list
    elements: str
    default: []
  tags:
    description:
      - Only the resources that have every one of these tags with this value (values compare as text); a null value
        asks only for the tag.
    type: dict
    default: {}
  include_iot_hubs:
    description: List the IoT hubs (C(Microsoft.Devices/IotHubs)).
    type: bool
    default: true
  include_iotcentral_apps:
    description: List the IoT Central applications (C(Microsoft.IoTCentral/iotApps)) too.
    type: bool
    default: false
  dns_suffix:
    description: The DNS suffix of the IoT Central applications' URLs (C(azure_iotcentral_app_url)).
    type: str
    default: azureiotcentral.com
  auth_method:
    description:
      - How the plugin gets its Microsoft Entra ID token for Azure Resource Manager, as the modules' option of this
        name; V(auto) is V(client_secret) when O(tenant_id), O(client_id) and O(client_secret) are set, else
        V(default).
    type: str
    default: auto
    choices: [auto, client_secret, managed_identity, azure_cli, default]
    env:
      - name: AZURE_IOT_AUTH_METHOD
    ini:
      - section: azure_iot_jobs
        key: auth_method
  tenant_id:
    description: The Microsoft Entra ID tenant (directory) ID.
    type: str
    env:
      - name: AZURE_TENANT_ID
      - name: AZURE_TENANT
    ini:
      - section: azure_iot_jobs
        key: tenant_id
  client_id:
    description: The application (client) ID of the service principal, or of a user-assigned managed identity.
    type: str
    env:
      - name: AZURE_CLIENT_ID
    ini:
      - section: azure_iot_jobs
        key: client_id
  client_secret:
    description: The client secret of the service principal. Never written to the inventory or its cache.
    type: str
    env:
      - name: AZURE_CLIENT_SECRET
      - name: AZURE_SECRET
  authority_host:
    description:
      - The Microsoft Entra ID authority host, for example V(login.microsoftonline.us).
      - When not set, the cloud named by E(AZURE_CLOUD_ENVIRONMENT) chooses it, else V(login.microsoftonline.com).
    type: str
    env:
      - name: AZURE_AUTHORITY_HOST
    ini:
      - section: azure_iot_jobs
        key: authority_host
  arm_endpoint:
    description:
      - The Azure Resource Manager endpoint; the token scope is this endpoint followed by C(/.default).
      - When not set, the cloud named by E(AZURE_CLOUD_ENVIRONMENT) chooses it, else
        V(https://management.azure.com). It is the C(azure_arm_endpoint) host variable.
    type: str
    env:
      - name: AZURE_ARM_ENDPOINT
    ini:
      - section: azure_iot_jobs
        key: arm_endpoint
  validate_certs:
    description: Verify the TLS certificates of Azure Resource Manager.
    type: bool
    default: true
    env:
      - name: AZURE_IOT_VALIDATE_CERTS
    ini:
      - section: azure_iot_jobs
        key: validate_certs
  ca_path:
    description: A PEM file of the certificate authorities to trust.
    type: path
    env:
      - name: REQUESTS_CA_BUNDLE
    ini:
      - section: azure_iot_jobs
        key: ca_path
  timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 30
  max_retries:
    description: Attempts of a request answered 429, 503 or 504, with back-off.
    type: int
    default: 5
"""

EXAMPLES = r"""
# inventory/prod.iot_hubs.yml: the production hubs of two subscriptions, grouped by region and by tag
plugin: azure_iot.jobs.iot_hubs
subscriptions:
  - 00000000-0000-0000-0000-000000000001
  - 00000000-0000-0000-0000-000000000002
tags:
  env: prod
keyed_groups:
  - key: azure_location
    prefix: region
  - key: azure_tags.owner | default('none')
    prefix: owner
groups:
  big_hubs: azure_sku.name in ['S2', 'S3']
compose:
  # Hubs have no SSH: run the modules on the controller (or the execution node).
  ansible_connection: "'local'"

# inventory/all.iot_hubs.yml: hubs and IoT Central applications, cached for an hour
plugin: azure_iot.jobs.iot_hubs
include_iotcentral_apps: true
resource_groups: [iot-fleet]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/azure_iot_inventory
cache_timeout: 3600

# A play over every hub: each module connects from the host variables, with a token, never a stored key.
# - hosts: iot_hubs
#   gather_facts: false
#   module_defaults:
#     group/azure_iot.jobs.iothub:
#       hostname: "{{ azure_iothub_hostname }}"
#       subscription_id: "{{ azure_subscription_id }}"
#       resource_group: "{{ azure_resource_group }}"
#       hub_name: "{{ azure_iothub_name }}"
#       arm_endpoint: "{{ azure_arm_endpoint }}"
#   tasks:
#     - azure_iot.jobs.iothub_scheduled_job:
#         job_id: firmware-2-4
#         query: "tags.ring = 'canary'"
#         twin_patch: {desired: {firmware: "2.4"}}
"""

import os

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

from ansible_collections.azure_iot.jobs.plugins.module_utils import _auth, _cloud
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Client
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import check_common
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import check_https_url, check_subscription_id
from ansible_collections.azure_iot.jobs.plugins.plugin_utils import _arm_inventory

display = Display()

AUTH_OPTIONS = ("auth_method", "tenant_id", "client_id", "client_secret", "authority_host", "validate_certs",
                "ca_path", "timeout", "max_retries")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "azure_iot.jobs.iot_hubs"

    # Injected by unit tests: builds the Client of one api-version.
    client_factory = None

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(("iot_hubs.yml", "iot_hubs.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        hosts = None
        if use_cache:
            try:
                hosts = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if hosts is None:
            hosts = self._fetch()
        if update_cache:
            self._cache[cache_key] = hosts
        self._populate(hosts)

    def _settings(self):
        """The options as the modules' parameters, checked before any request."""
        params = dict((name, self.get_option(name)) for name in AUTH_OPTIONS)
        if not params["authority_host"]:
            params["authority_host"] = _cloud.cloud_endpoint(os.environ.get(_cloud.CLOUD_ENVIRONMENT_VAR),
                                                             "authority_host")
        arm_endpoint = (self.get_option("arm_endpoint")
                        or _cloud.cloud_endpoint(os.environ.get(_cloud.CLOUD_ENVIRONMENT_VAR), "arm_endpoint")
                        or _auth.DEFAULT_ARM_ENDPOINT)
        params["arm_endpoint"] = check_https_url(arm_endpoint, "arm_endpoint")
        subscriptions = [str(value).strip() for value in self.get_option("subscriptions") or () if str(value).strip()]
        if not subscriptions:
            raise CollectionError("subscriptions is required: list the subscription IDs to read the hubs of, or set "
                                  "AZURE_SUBSCRIPTION_ID")
        for subscription_id in subscriptions:
            check_subscription_id(subscription_id)
        check_common(params)
        return params, subscriptions

    def _client(self, params, auth, api_version):
        if self.client_factory is not None:
            return self.client_factory(params, auth, api_version)
        return Client(params["arm_endpoint"], auth, api_version=api_version, timeout=params["timeout"],
                      max_retries=params["max_retries"], validate_certs=params["validate_certs"],
                      ca_path=params["ca_path"], warn=display.warning)

    def _fetch(self):
        try:
            params, subscriptions = self._settings()
            auth = _auth.arm_auth(params)
            clients = {"hubs": self._client(params, auth, _arm_inventory.HUBS_API_VERSION),
                       "apps": self._client(params, auth, _arm_inventory.APPS_API_VERSION)}
            filters = _arm_inventory.Filters(self.get_option("resource_groups"), self.get_option("locations"),
                                             self.get_option("tags"))
            return _arm_inventory.list_hosts(clients, subscriptions, filters, params["arm_endpoint"],
                                             include_hubs=self.get_option("include_iot_hubs"),
                                             include_apps=self.get_option("include_iotcentral_apps"),
                                             dns_suffix=self.get_option("dns_suffix").strip().strip("."))
        except CollectionError as err:
            raise AnsibleError("azure_iot.jobs.iot_hubs: %s" % err.msg) from None

    def _populate(self, hosts):
        strict = self.get_option("strict")
        for group in (_arm_inventory.HUB_GROUP, _arm_inventory.APP_GROUP):
            self.inventory.add_group(group)
        named, renamed = _arm_inventory.unique_names(hosts)
        for name, new_name in renamed:
            display.warning("azure_iot.jobs.iot_hubs: the name %s is taken by another resource; this one is the host "
                            "%s" % (name, new_name))
        for name, host in named:
            self.inventory.add_host(name, group=host["kind"])
            for key, value in host["vars"].items():
                self.inventory.set_variable(name, key, value)
            variables = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
