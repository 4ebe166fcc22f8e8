# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # How to reach the IoT Hub data plane. Must match IOTHUB_ARGSPEC in plugins/module_utils/_args.py.
    DOCUMENTATION = r'''
options:
  connection_string:
    description:
      - The connection string of a shared access policy of the hub, for example the V(iothubowner) policy, in the form
        C(HostName=<hub>.azure-devices.net;SharedAccessKeyName=<policy>;SharedAccessKey=<key>).
      - Requests are signed with a shared access signature made from it, valid for one hour and renewed as needed.
      - Can also be set with the E(AZURE_IOTHUB_CONNECTION_STRING) environment variable.
      - The modules that use the data plane need one of O(connection_string), O(hostname), or the hub's Azure
        Resource Manager coordinates O(subscription_id), O(resource_group) and O(hub_name); modules that only use Azure
        Resource Manager accept and ignore it, so one C(group/azure_iot.jobs.iothub) default serves all.
    type: str
  hostname:
    description:
      - The host name of the hub, for example V(myhub.azure-devices.net), for Microsoft Entra ID authentication
        (see O(auth_method)).
      - Not needed with O(connection_string), which holds the host name; when both are set they must agree.
      - Not needed with O(subscription_id), O(resource_group) and O(hub_name) either; the module then reads the host
        name from Azure Resource Manager (C(GET) of the hub, one request more).
      - Can also be set with the E(AZURE_IOTHUB_HOSTNAME) environment variable.
    type: str
  shared_access_policy:
    description:
      - With O(auth_method=sas) and no O(connection_string), the module reads the primary key of this shared access
        policy of the hub through Azure Resource Manager (C(POST .../listkeys)) with the hub's O(subscription_id),
        O(resource_group) and O(hub_name) and a Microsoft Entra ID credential (V(client_secret) when O(tenant_id),
        O(client_id) and O(client_secret) are set, else the default chain), once per module run. The key is never
        returned or logged.
      - The default, V(registryReadWrite), is the least privileged of the policies every hub is created with that
        runs jobs; Microsoft documents RegistryRead and RegistryWrite as what a back end needs to schedule jobs
        (twin updates and direct methods), and import and export jobs and device queries need no more.
        V(iothubowner) also grants ServiceConnect and DeviceConnect.
      - The Entra ID identity needs the C(Microsoft.Devices/IotHubs/listkeys/Action) permission on the hub (for
        example the Contributor role); without it use O(connection_string) or an Entra ID O(auth_method).
      - Can also be set with the E(AZURE_IOTHUB_SHARED_ACCESS_POLICY) environment variable.
    type: str
    default: registryReadWrite
'''
