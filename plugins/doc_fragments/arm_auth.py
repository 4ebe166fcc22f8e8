# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # How to reach an IoT hub through Azure Resource Manager. Must match ARM_ARGSPEC in plugins/module_utils/_args.py.
    DOCUMENTATION = r'''
options:
  subscription_id:
    description:
      - The ID of the Azure subscription of the hub.
      - Can also be set with the E(AZURE_SUBSCRIPTION_ID) environment variable (also the name the Microsoft Azure
        Resource Manager credential of AWX and Ansible Automation Platform injects).
      - Required, with O(resource_group) and O(hub_name), to reach the hub through Azure Resource Manager.
      - The data-plane modules use these three to find the hub when neither O(connection_string) nor O(hostname) is
        set; with O(connection_string) or O(hostname) they ignore them, so one C(group/azure_iot.jobs.iothub) default
        serves all.
    type: str
  resource_group:
    description:
      - The name of the resource group of the hub.
      - Can also be set with the E(AZURE_RESOURCE_GROUP) environment variable.
    type: str
  hub_name:
    description:
      - The name of the IoT hub resource.
      - Can also be set with the E(AZURE_IOTHUB_NAME) environment variable.
    type: str
  arm_endpoint:
    description:
      - The Azure Resource Manager endpoint, for sovereign clouds and Azure Stack, for example
        V(https://management.usgovcloudapi.net).
      - The token scope is this endpoint followed by C(/.default).
      - Azure Resource Manager takes Microsoft Entra ID authentication only (see O(auth_method)).
      - Can also be set with the E(AZURE_ARM_ENDPOINT) environment variable.
      - When neither is set, the E(AZURE_CLOUD_ENVIRONMENT) environment variable (set by the Microsoft Azure Resource
        Manager credential of AWX and Ansible Automation Platform) chooses the endpoint of that cloud,
        V(AzureCloud) C(https://management.azure.com), V(AzureUSGovernment) C(https://management.usgovcloudapi.net),
        V(AzureChinaCloud) C(https://management.chinacloudapi.cn).
    type: str
    default: https://management.azure.com
'''
