# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # Options shared by every module: how to authenticate with Microsoft Entra ID, TLS, timeouts and retries.
    # Must match COMMON_ARGSPEC in plugins/module_utils/_args.py.
    DOCUMENTATION = r'''
options:
  auth_method:
    description:
      - How the module authenticates.
      - V(auto) uses a shared access signature when C(connection_string) is set (IoT Hub data plane), the API token
        when C(api_token) is set (IoT Central), V(client_secret) when O(tenant_id), O(client_id) and
        O(client_secret) are all set, and V(default) otherwise.
      - V(sas) signs requests with the key of C(connection_string), or without it with the key of the policy
        C(shared_access_policy) read through Azure Resource Manager (IoT Hub data plane only).
      - V(api_token) sends C(api_token) (IoT Central only).
      - V(client_secret) gets a Microsoft Entra ID token for the service principal O(client_id) in O(tenant_id)
        with O(client_secret).
      - V(managed_identity) uses the managed identity of the machine that runs the module; set O(client_id) for a
        user-assigned identity.
      - V(azure_cli) uses the account signed in with C(az login).
      - V(default) tries the azure-identity C(DefaultAzureCredential) chain (environment, workload identity, managed
        identity, Azure CLI, and more).
      - Every Microsoft Entra ID method needs the C(azure-identity) Python library on the host that runs the module.
      - Can also be set with the E(AZURE_IOT_AUTH_METHOD) environment variable.
    type: str
    default: auto
    choices: [auto, sas, api_token, client_secret, managed_identity, azure_cli, default]
  tenant_id:
    description:
      - The Microsoft Entra ID tenant (directory) ID, for O(auth_method=client_secret) and O(auth_method=azure_cli).
      - Can also be set with the E(AZURE_TENANT_ID) environment variable, or else E(AZURE_TENANT) (the name the
        Microsoft Azure Resource Manager credential of AWX and Ansible Automation Platform injects).
    type: str
  client_id:
    description:
      - The application (client) ID of the service principal for O(auth_method=client_secret), or the client ID of a
        user-assigned managed identity for O(auth_method=managed_identity) and O(auth_method=default).
      - Can also be set with the E(AZURE_CLIENT_ID) environment variable (also the name the Microsoft Azure Resource
        Manager credential of AWX and Ansible Automation Platform injects).
    type: str
  client_secret:
    description:
      - The client secret of the service principal, for O(auth_method=client_secret).
      - Can also be set with the E(AZURE_CLIENT_SECRET) environment variable, or else E(AZURE_SECRET) (the name the
        Microsoft Azure Resource Manager credential of AWX and Ansible Automation Platform injects).
    type: str
  authority_host:
    description:
      - The Microsoft Entra ID authority host, for example V(login.microsoftonline.us) for Azure Government.
      - The public cloud authority V(login.microsoftonline.com) is used when not set.
      - Authorities that are not public Azure clouds (Azure Stack, a local test endpoint) are used without instance
        discovery.
      - Can also be set with the E(AZURE_AUTHORITY_HOST) environment variable.
      - When neither is set, the E(AZURE_CLOUD_ENVIRONMENT) environment variable (set by the Microsoft Azure Resource
        Manager credential of AWX and Ansible Automation Platform) chooses the authority of that cloud,
        V(AzureCloud) C(login.microsoftonline.com), V(AzureUSGovernment) C(login.microsoftonline.us),
        V(AzureChinaCloud) C(login.chinacloudapi.cn). Any other name fails the module (before any request) unless
        O(authority_host) is set.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the services and of the Microsoft Entra ID endpoint.
      - Set to V(false) only on test systems; the module then warns that verification is off.
      - Can also be set with the E(AZURE_IOT_VALIDATE_CERTS) environment variable.
    type: bool
    default: true
  ca_path:
    description:
      - A file (or directory) of PEM CA certificates to trust instead of the system's, for private or test
        certificate authorities.
      - Can also be set with the E(REQUESTS_CA_BUNDLE) environment variable.
    type: path
  timeout:
    description:
      - How many seconds to wait for a connection and for each response of a request.
    type: float
    default: 30
  max_retries:
    description:
      - How many times a request is retried after throttling (HTTP 429), a connection failure, and, for requests that
        may safely run twice (reads, C(PUT) and C(DELETE) of a named job, cancel, stop, resume), also HTTP 500, 502,
        503 and 504 and a read timeout.
      - A request that would start a second job if repeated (an import or export) is never repeated after its answer
        was lost; the module reads the hub's jobs and adopts the one that request started instead. See the
        collection's reliability guide (C(docs/reliability.md)).
      - Retries wait with jittered exponential back-off, or as long as the service asks in C(Retry-After), or, after
        an HTTP 429 whose message says "Wait N seconds", from N seconds up; each retry is reported as a warning.
      - V(0) disables retries.
    type: int
    default: 5
  retry_budget:
    description:
      - The most seconds one request may spend on retries (waits included). A retry that would end after it is not
        made, and the last error is reported with how many attempts were made.
      - Raise it for hubs that stay throttled for long (IoT Hub asks to wait 10 s per 429).
    type: float
    default: 300
'''
