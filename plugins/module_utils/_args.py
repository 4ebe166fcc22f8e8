# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Shared connection options, spliced into each module's literal argument spec with plain dict updates:

    argument_spec = dict(job_id=dict(type="str", required=True), ...)
    argument_spec.update(IOTHUB_ARGSPEC)
    argument_spec.update(COMMON_ARGSPEC)

Every option is flat (so module_defaults and action groups work); those in design.md's table fall back to an
environment variable (several, first set wins: the names AWX / Automation Platform's Azure credential injects come
second), and the Entra ID authority and the ARM endpoint fall back to the cloud named by AZURE_CLOUD_ENVIRONMENT
(_cloud). The doc fragments azure_iot.jobs.connection, .iothub_auth, .arm_auth and .iotcentral_auth
document exactly these.
Combinations (which options a method needs) are checked at run time in _auth, with messages naming the options.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.azure_iot.jobs.plugins.module_utils._cloud import (
    arm_endpoint_fallback,
    authority_host_fallback,
)

AUTH_METHODS = ["auto", "sas", "api_token", "client_secret", "managed_identity", "azure_cli", "default"]

COMMON_ARGSPEC = dict(
    auth_method=dict(type="str", default="auto", choices=AUTH_METHODS,
                     fallback=(env_fallback, ["AZURE_IOT_AUTH_METHOD"])),
    tenant_id=dict(type="str", fallback=(env_fallback, ["AZURE_TENANT_ID", "AZURE_TENANT"])),
    client_id=dict(type="str", no_log=False, fallback=(env_fallback, ["AZURE_CLIENT_ID"])),
    client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["AZURE_CLIENT_SECRET", "AZURE_SECRET"])),
    authority_host=dict(type="str", fallback=(authority_host_fallback, ["AZURE_AUTHORITY_HOST"])),
    validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["AZURE_IOT_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["REQUESTS_CA_BUNDLE"])),
    timeout=dict(type="float", default=30),
    max_retries=dict(type="int", default=5),
    retry_budget=dict(type="float", default=300),
)

IOTHUB_ARGSPEC = dict(
    connection_string=dict(type="str", no_log=True, fallback=(env_fallback, ["AZURE_IOTHUB_CONNECTION_STRING"])),
    hostname=dict(type="str", fallback=(env_fallback, ["AZURE_IOTHUB_HOSTNAME"])),
    # The policy whose key auth_method=sas reads through ARM listkeys when there is no connection_string. Default:
    # "your service needs the registry read and registry write permissions. By default, every IoT hub is created
    # with a shared access policy named registryReadWrite that grants these permissions" (MicrosoftDocs/azure-docs
    # includes/iot-hub-include-find-registryrw-connection-string.md, the schedule-jobs articles).
    shared_access_policy=dict(type="str", default="registryReadWrite",
                              fallback=(env_fallback, ["AZURE_IOTHUB_SHARED_ACCESS_POLICY"])),
)

ARM_ARGSPEC = dict(
    subscription_id=dict(type="str", fallback=(env_fallback, ["AZURE_SUBSCRIPTION_ID"])),
    resource_group=dict(type="str", fallback=(env_fallback, ["AZURE_RESOURCE_GROUP"])),
    hub_name=dict(type="str", fallback=(env_fallback, ["AZURE_IOTHUB_NAME"])),
    arm_endpoint=dict(type="str", default="https://management.azure.com",
                      fallback=(arm_endpoint_fallback, ["AZURE_ARM_ENDPOINT"])),
)

IOTCENTRAL_ARGSPEC = dict(
    app_url=dict(type="str", fallback=(env_fallback, ["AZURE_IOTCENTRAL_APP_URL"])),
    subdomain=dict(type="str", fallback=(env_fallback, ["AZURE_IOTCENTRAL_SUBDOMAIN"])),
    # No environment variable in the design's table: the suffix differs only in sovereign clouds, next to app_url.
    dns_suffix=dict(type="str", default="azureiotcentral.com"),
    api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["AZURE_IOTCENTRAL_API_TOKEN"])),
)


# What an IoT Hub scheduled job does, a twin update or a direct method (iothub_scheduled_job, iothub_rollout_wave).
TWIN_PATCH_SPEC = dict(type="dict", options=dict(tags=dict(type="dict"), desired=dict(type="dict")))
METHOD_SPEC = dict(type="dict", options=dict(
    name=dict(type="str", required=True),
    payload=dict(type="raw"),
    connect_timeout=dict(type="int"),
    response_timeout=dict(type="int"),
))

# The jobs of a rollout's waves (iothub_rollout_wave, iothub_rollout_waves); documented by the
# azure_iot.jobs.iothub_rollout_jobs doc fragment. progress_interval and waited are set by the action plugins.
ROLLOUT_JOBS_ARGSPEC = dict(
    twin_patch=TWIN_PATCH_SPEC,
    method=METHOD_SPEC,
    revert_patch=TWIN_PATCH_SPEC,
    retries=dict(type="int", default=0),
    failure_threshold=dict(type="float", default=10),
    concurrent_jobs=dict(type="int", default=1),
    max_execution_time=dict(type="int"),
    wait_timeout=dict(type="int", default=1800),
    wait_sleep=dict(type="int", default=5),
    progress_interval=dict(type="int", default=0),
    waited=dict(type="dict", default={}),
)
# The AnsibleModule arguments of both rollout modules besides their argument_spec.
ROLLOUT_MODULE_KWARGS = dict(mutually_exclusive=[("twin_patch", "method")], required_one_of=[("twin_patch", "method")],
                             supports_check_mode=True)


def rollout_argument_spec(**own):
    """A rollout module's argument_spec: its own options, the jobs' options and every hub connection option (ARM's
    too, so that one group/azure_iot.jobs.iothub default serves every hub module)."""
    spec = dict(own)
    for shared in (ROLLOUT_JOBS_ARGSPEC, COMMON_ARGSPEC, IOTHUB_ARGSPEC, ARM_ARGSPEC):
        spec.update(shared)
    return spec


# What an IoT Central job does (iotcentral_job, and the runs of iotcentral_scheduled_job); documented by the
# azure_iot.jobs.iotcentral_job_request doc fragment.
IOTCENTRAL_JOB_REQUEST_ARGSPEC = dict(
    display_name=dict(type="str"),
    description=dict(type="str"),
    group=dict(type="str"),
    data=dict(type="list", elements="dict", options=dict(
        type=dict(type="str", required=True,
                  choices=["property", "command", "cloud_property", "device_template_migration"]),
        target=dict(type="str"),
        path=dict(type="str"),
        value=dict(type="raw"),
        template=dict(type="str"),
    )),
    batch=dict(type="dict", options=dict(
        type=dict(type="str", required=True, choices=["number", "percentage"]),
        value=dict(type="float", required=True),
    )),
    cancellation_threshold=dict(type="dict", options=dict(
        type=dict(type="str", required=True, choices=["number", "percentage"]),
        value=dict(type="float", required=True),
        batch=dict(type="bool", default=False),
    )),
    organizations=dict(type="list", elements="str"),
)
