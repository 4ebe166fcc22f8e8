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
      - One of O(connection_string) or O(hostname) is required by the modules that use the data plane; modules that
        only use Azure Resource Manager accept and ignore it, so one C(group/azure_iot.jobs.iothub) default serves all.
    type: str
  hostname:
    description:
      - The host name of the hub, for example V(myhub.azure-devices.net), for Microsoft Entra ID authentication
        (see O(auth_method)).
      - Not needed with O(connection_string), which holds the host name; when both are set they must agree.
      - Can also be set with the E(AZURE_IOTHUB_HOSTNAME) environment variable.
    type: str
'''
