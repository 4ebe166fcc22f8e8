# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # How to reach an IoT Central application. Must match IOTCENTRAL_ARGSPEC in plugins/module_utils/_args.py.
    DOCUMENTATION = r'''
options:
  app_url:
    description:
      - The URL of the IoT Central application, for example V(https://myapp.azureiotcentral.com).
      - One of O(app_url) or O(subdomain) is required; when both are set they must name the same application.
      - Can also be set with the E(AZURE_IOTCENTRAL_APP_URL) environment variable.
    type: str
  subdomain:
    description:
      - The subdomain of the IoT Central application, for example V(myapp) for C(https://myapp.azureiotcentral.com).
      - Can also be set with the E(AZURE_IOTCENTRAL_SUBDOMAIN) environment variable.
    type: str
  dns_suffix:
    description:
      - The DNS suffix of IoT Central applications, used with O(subdomain).
    type: str
    default: azureiotcentral.com
  api_token:
    description:
      - An IoT Central API token, the value that starts with C(SharedAccessSignature sr=) returned when the token was
        created (not its ID).
      - The role of the token decides what the module may do.
      - Can also be set with the E(AZURE_IOTCENTRAL_API_TOKEN) environment variable.
    type: str
'''
