# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, across the modules: one table, each row a clear failure naming the option, before any HTTP call.

Each module's main() runs in this process with its real client factories; only the HTTP session is replaced by one
that fails the test on any request (and azure.identity by one that fails on any token request). So a row passes only
when the module fails through fail_json, with the expected message, without a traceback or an 'exception' key, and
without a single request. Secrets given in a row never appear in its result.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import types

import pytest
from ansible.module_utils import basic

from ansible_collections.azure_iot.jobs.plugins.module_utils import _client
from ansible_collections.azure_iot.jobs.tests.unit.compat import patch_module_args

PACKAGE = "ansible_collections.azure_iot.jobs.plugins.modules."
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
CONNECTION_STRING = "HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=" + KEY
API_TOKEN = "SharedAccessSignature sr=app&sig=c2lnbmF0dXJlLTE%3D&skn=operator&se=4102444800000"
EXPIRED_TOKEN = "SharedAccessSignature sr=app&sig=c2lnbmF0dXJlLTI%3D&skn=operator&se=1647950487889"
CLIENT_SECRET = "s3cr3t-client-value"
BLOB_SIG = "YmxvYi1zYXMtc2lnbmF0dXJl"
BLOB = "https://acct.blob.core.windows.net/backup?sv=2022-11-02&sr=c&sp=rwdl&sig=" + BLOB_SIG
SECRETS = (KEY, API_TOKEN, "c2lnbmF0dXJlLTE", EXPIRED_TOKEN, "c2lnbmF0dXJlLTI", CLIENT_SECRET, BLOB_SIG)

HUB = dict(connection_string=CONNECTION_STRING)
CENTRAL = dict(app_url="https://myapp.azureiotcentral.com", api_token=API_TOKEN)
SP = dict(tenant_id="tenant", client_id="client", client_secret=CLIENT_SECRET)
SUBSCRIPTION = "6f1c2a4e-0b7d-4c2a-9e5f-1a2b3c4d5e6f"
ARM = dict(subscription_id=SUBSCRIPTION, resource_group="rg", hub_name="hub", **SP)
TWIN = dict(twin_patch={"tags": {"ring": "canary"}})
DATA = [{"type": "property", "target": "dtmi:t;1", "path": "fwVersion", "value": "2"}]
CENTRAL_JOB = dict(CENTRAL, group="all-devices", data=DATA)


def _with(base, args):
    merged = dict(base)
    merged.update(args)
    return merged


def hub_job(**args):
    return _with(dict(HUB, job_id="j1", **TWIN), args)


def wave(**args):
    return {key: value for key, value in _with(dict(HUB, name="canary", job_id="fw-canary", device_ids=["d1", "d2"],
                                                    **TWIN), args).items() if value is not None}


def rollout(**args):
    return {key: value for key, value in _with(dict(HUB, name="fw-1", **TWIN), args).items() if value is not None}


def hub_rows(**args):
    return _with(dict(HUB, job_id="j1", include_device_results=True), args)


def central_rows(**args):
    return _with(dict(CENTRAL, job_id="j1", include_devices=True), args)


def central_job(**args):
    return _with(dict(CENTRAL_JOB, job_id="j1"), args)


def export(**args):
    return _with(dict(HUB, type="export", output_container_uri=BLOB), args)


def core_wording(message):
    """ansible-core's own wording as 2.19 and later write it: before 2.19 a type error reads "is of type
    <class 'str'>" where later versions write "is of type str"."""
    return re.sub(r"<class '(\w+)'>", r"\1", message)


# A file that exists and holds no certificate: the collection's licence.
NOT_PEM = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "COPYING")


def scheduled(**args):
    return _with(dict(CENTRAL_JOB, job_id="nightly", schedule={"start": "2030-01-01T00:00:00Z"}), args)


ANY_HUB_ID = "job_id may only contain US-ASCII letters, digits and '-', found %r in %r"
NEW_HUB_ID = ("job_id may only contain lower-case US-ASCII letters, digits and '-' (IoT Hub refuses upper case, '_' "
              "and '.' in the id of a new job), found %r in %r")
CENTRAL_RULE = "%s may only contain US-ASCII letters, digits, '-' and '_', found %r in %r"
EXPORT_ID = "job_id may only contain US-ASCII letters, digits and '-' (the service's job id, a GUID), found %r in %r"
GUID_RULE = "subscription_id must be a subscription id, a GUID such as 00000000-0000-0000-0000-000000000000, got %s"
HOST_NAME_RULE = ("connection_string is malformed: HostName must be a host name such as myhub.azure-devices.net (an "
                  "optional port aside), without a scheme, a path, user information or a query")
HOST_RULE = "%s must be a host name (letters, digits, '-' and '.') or an IP address with an optional port, got %r"


# 500 device ids of the emulator's seeded form in one deviceId IN [...] condition: 8012 characters.
LONG_QUERY = "deviceId IN [%s]" % ", ".join("'device-%05d'" % number for number in range(1, 501))


def too_long(length):
    return ("query is %d characters long; at most 7947 are allowed: IoT Hub refuses a query of more than about 8200 "
            "characters (412 PreconditionFailed), and the longest statement this collection sends a query in, "
            "'SELECT COUNT() AS numberOfDevices FROM devices WHERE <query>', must stay within 8000. Select the "
            "devices by a tag, or split them over several jobs" % length)


def exact(text):
    return re.compile(re.escape(text))


def starts(text):
    return re.compile(re.escape(text) + ".*")


# (module, args, the whole msg as a regular expression: exact() for fixed text)
ROWS = [
    # --- ids
    ("iothub_scheduled_job", hub_job(job_id=""), exact("job_id must not be empty")),
    ("iothub_scheduled_job", hub_job(job_id="j" * 65), exact("job_id must be at most 64 characters, got 65")),
    ("iothub_scheduled_job", hub_job(job_id="job_1"),
     exact("job_id may only contain lower-case US-ASCII letters, digits and '-' (IoT Hub refuses upper case, '_' and "
           "'.' in the id of a new job), found '_' in 'job_1'")),
    ("iothub_scheduled_job", dict(HUB, **TWIN), exact("missing required arguments: job_id")),
    ("iothub_rollout_wave", wave(device_ids=[]),
     exact("device_ids must list at least one device: a wave without devices runs no job")),
    ("iothub_rollout_wave", wave(device_ids=["d1", "d2", "d1"]),
     exact("device_ids lists a device more than once; each device belongs to the wave once")),
    ("iothub_rollout_wave", wave(retries=10), exact("retries must be from 0 to 9, got 10")),
    ("iothub_rollout_wave", wave(concurrent_jobs=0), exact("concurrent_jobs must be from 1 to 10, got 0")),
    ("iothub_rollout_wave", wave(concurrent_jobs=11), exact("concurrent_jobs must be from 1 to 10, got 11")),
    ("iothub_rollout_wave", wave(failure_threshold=-1), exact("failure_threshold must be from 0 to 100, got -1.0")),
    ("iothub_rollout_wave", wave(twin_patch=None, method={"name": "reboot"}, revert_patch={"desired": {"fw": "1"}}),
     exact("revert_patch undoes a twin update, so it needs twin_patch")),
    ("iothub_rollout_wave", wave(job_id="Wave-1"), exact(NEW_HUB_ID % ("W", "Wave-1"))),
    ("iothub_rollout_wave", wave(job_id="w" * 60), exact("job_id must be at most 64 characters, got 68")),
    ("iothub_rollout_wave", wave(twin_patch={"tags": {}}), exact("twin_patch needs tags or desired (or both)")),
    ("iothub_rollout_wave", wave(wait_sleep=30, wait_timeout=10),
     exact("wait_sleep (30) must not be greater than wait_timeout (10)")),
    ("iothub_rollout_wave", wave(connection_string="HostName=x;SharedAccessKey=" + KEY), starts("connection_string")),
    ("iothub_rollout_waves", rollout(name="Fw-1"),
     exact("name must be 1 to 40 lower-case US-ASCII letters, digits and '-' (job ids derive from it, and IoT Hub "
           "refuses upper case in a new job's id), got 'Fw-1'")),
    ("iothub_rollout_waves", rollout(name="f" * 41),
     exact("name must be 1 to 40 lower-case US-ASCII letters, digits and '-' (job ids derive from it, and IoT Hub "
           "refuses upper case in a new job's id), got '%s'" % ("f" * 41))),
    ("iothub_rollout_waves", rollout(waves=[50, 40, 100]),
     exact("waves must be cumulative percentages that grow from above 0 up to 100, such as [10, 50, 100]; got "
           "[50.0, 40.0, 100.0]")),
    ("iothub_rollout_waves", rollout(waves=[50]),
     exact("the last of waves must be 100 so that every device is reached; got [50.0]")),
    ("iothub_rollout_waves", rollout(waves=list(range(1, 101))),
     exact("waves holds 100 percentages; a rollout has at most 99 waves")),
    ("iothub_rollout_waves", rollout(canary_percentage=150),
     exact("wave_size and canary_count must be 0 or more, canary_percentage between 0 and 100")),
    ("iothub_rollout_waves", rollout(wave_size=-1),
     exact("wave_size and canary_count must be 0 or more, canary_percentage between 0 and 100")),
    ("iothub_rollout_waves", rollout(target_query="   "),
     exact("target_query must not be empty: omit it or use '*' to target all devices")),
    ("iothub_rollout_waves", rollout(canary_query="SELECT * FROM devices"),
     exact("canary_query must be the condition only (such as tags.ring = 'canary'), not a SELECT statement: IoT Hub "
           "runs SELECT * FROM devices WHERE <query>")),
    ("iothub_rollout_waves", rollout(resume={"waves": "all"}),
     exact("resume is set by the module's action plugin between its progress slices and must hold the waves, "
           "devices_in_scope and the ended waves' records it returned; leave it unset")),
    ("iothub_rollout_waves", rollout(retries=10), exact("retries must be from 0 to 9, got 10")),
    ("iothub_rollout_waves", rollout(concurrent_jobs=11), exact("concurrent_jobs must be from 1 to 10, got 11")),
    ("iothub_rollout_waves", rollout(twin_patch={"tags": {}}), exact("twin_patch needs tags or desired (or both)")),
    ("iothub_rollout_waves", rollout(twin_patch=None, method={"name": "reboot"}, revert_patch={"desired": {"fw": "1"}}),
     exact("revert_patch undoes a twin update, so it needs twin_patch")),
    ("iothub_rollout_waves", rollout(wait_sleep=30, wait_timeout=10),
     exact("wait_sleep (30) must not be greater than wait_timeout (10)")),
    ("iothub_rollout_waves", rollout(connection_string="HostName=x;SharedAccessKey=" + KEY),
     starts("connection_string")),
    ("iothub_scheduled_job_info", dict(HUB, job_id="bad id"),
     exact("job_id may only contain US-ASCII letters, digits and '-', found ' ' in 'bad id'")),
    ("iothub_job_info", dict(ARM, job_id="  "), exact("job_id must not be empty")),
    ("iotcentral_job", central_job(job_id="job.1"),
     exact("job_id may only contain US-ASCII letters, digits, '-' and '_', found '.' in 'job.1'")),
    ("iotcentral_job", central_job(group="all devices"),
     exact("group may only contain US-ASCII letters, digits, '-' and '_', found ' ' in 'all devices'")),
    ("iotcentral_job", dict(CENTRAL, job_id="j1", rerun="j1"),
     exact("rerun must differ from job_id: the rerun is a new job, 'j1' reruns the failed devices of job 'j1'")),
    ("iotcentral_job_info", dict(CENTRAL, job_id="j" * 256), exact("job_id must be at most 255 characters, got 256")),
    # --- queries
    ("iothub_scheduled_job", hub_job(query=""),
     exact("query must not be empty: omit it or use '*' to target all devices")),
    ("iothub_scheduled_job", hub_job(query="WHERE "),
     exact("query has nothing after WHERE: give a condition such as tags.ring = 'canary'")),
    ("iothub_scheduled_job", hub_job(query="SELECT * FROM devices WHERE tags.ring = 'canary'"),
     starts("query must be the condition only (such as tags.ring = 'canary'), not a SELECT")),
    ("iothub_scheduled_job", hub_job(query="tags.ring = 'canary"),
     exact("query has an unterminated string literal: tags.ring = 'canary")),
    ("iothub_scheduled_job", hub_job(query="(tags.floor = 1"),
     exact("query has unbalanced parentheses or brackets: (tags.floor = 1")),
    # --- patches, methods, job data
    ("iothub_scheduled_job", hub_job(twin_patch={}), exact("twin_patch needs tags or desired (or both)")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1"),
     exact("state=present needs twin_patch or method: twin_patch for a twin update job (type update_twin), method "
           "for a direct method job (type device_method)")),
    ("iothub_scheduled_job", hub_job(method={"name": "reboot"}),
     exact("parameters are mutually exclusive: twin_patch|method")),
    ("iothub_scheduled_job", hub_job(type="device_method"),
     exact("type is device_method but twin_patch was given: type device_method needs method")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"name": ""}), exact("method.name must not be empty")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"payload": {}}),
     exact("missing required arguments: name found in method")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"name": "m", "payload": "x" * 131072}),
     exact("method.payload is 131074 bytes as JSON; IoT Hub accepts at most 131072 (128 KB)")),
    ("iotcentral_job", central_job(data=[]), starts("state=present needs data to create the job: ")),
    ("iotcentral_job", central_job(data=[{"type": "property", "target": "dtmi:t;1", "value": 1}]),
     exact("data[0].path is required for a property item (name or component.name)")),
    ("iotcentral_job", central_job(data=DATA + [{"type": "command", "target": "dtmi:t;1", "path": "reboot"}]),
     exact("all data items must have the same type, got command and property")),
    ("iotcentral_job", central_job(data=[{"type": "device_template_migration"}]),
     starts("data[0].template is required for a device_template_migration item")),
    ("iotcentral_job", central_job(data=[{"type": "twin", "target": "t", "path": "p", "value": 1}]),
     starts("value of type must be one of: ")),
    ("iotcentral_job", dict(CENTRAL, job_id="j1"),
     starts("state=present needs group and data to create the job")),
    ("iotcentral_job", central_job(organizations=["a", "b"]),
     exact("organizations takes exactly one organization id, got 2")),
    # --- times
    ("iothub_scheduled_job", hub_job(start_time="tomorrow"),
     exact("start_time must be 'now' or an ISO 8601 date and time such as 2030-01-31T12:00:00Z, got 'tomorrow'")),
    ("iothub_scheduled_job", hub_job(start_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 691200))),
     re.compile(r"start_time \S+Z is more than 168 hours after now \(\S+Z\): IoT Hub schedules jobs at most 7 days "
                r"ahead")),
    ("iothub_scheduled_job", hub_job(start_time="2030-02-30T00:00:00Z"), starts("start_time must be 'now' or an ISO")),
    # --- ranges
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"name": "m", "response_timeout": 0}),
     exact("method.response_timeout must be between 5 and 300 seconds, got 0")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"name": "m", "connect_timeout": 301}),
     exact("method.connect_timeout must be between 0 and 300 seconds, got 301")),
    ("iothub_scheduled_job", hub_job(max_execution_time=0),
     exact("max_execution_time must be a number of seconds greater than 0, got 0")),
    ("iothub_scheduled_job", hub_job(wait_timeout=0), exact("wait_timeout must be a number of seconds greater than 0, "
                                                            "got 0")),
    ("iothub_scheduled_job", hub_job(wait_sleep=30, wait_timeout=10),
     exact("wait_sleep (30) must not be greater than wait_timeout (10)")),
    ("iothub_scheduled_job", hub_job(timeout="soon"), starts("argument 'timeout' is of type str and we were unable to "
                                                             "convert to float")),
    ("iothub_scheduled_job", hub_job(state="gone"), exact("value of state must be one of: present, absent, got: gone")),
    ("iothub_scheduled_job_info", dict(HUB, limit=0), exact("limit must be greater than 0, got 0")),
    ("iothub_scheduled_job_info", dict(HUB, device_status=["failed"]),
     exact("device_status filters the device results: set include_device_results: true")),
    ("iothub_scheduled_job_info", dict(HUB, job_id="j1", limit=5),
     exact("parameters are mutually exclusive: job_id|limit")),
    ("iotcentral_job", central_job(batch={"type": "percentage", "value": 150}),
     exact("batch.value is a percentage and must be at most 100, got 150")),
    ("iotcentral_job", central_job(cancellation_threshold={"type": "number", "value": 0}),
     exact("cancellation_threshold.value must be greater than 0, got 0.0")),
    ("iotcentral_job_info", dict(CENTRAL, device_status=["done"]), starts("value of device_status must be one or more "
                                                                          "of: pending, completed, failed")),
    # --- import/export requests and blob SAS URIs
    ("iothub_import_export_job", dict(HUB, output_container_uri=BLOB),
     exact("type (export or import) is required to start a job (or give job_id to follow one)")),
    ("iothub_import_export_job", dict(HUB, type="export"),
     exact("output_container_uri is required: the container the export is written to")),
    ("iothub_import_export_job", export(type="import"), exact("input_container_uri is required for type=import")),
    ("iothub_import_export_job", export(input_container_uri=BLOB),
     exact("input_container_uri and input_blob_name are for type=import only")),
    ("iothub_import_export_job", export(output_container_uri=BLOB.replace("https://", "http://")),
     exact("output_container_uri must be an https:// blob container URI")),
    ("iothub_import_export_job", export(output_container_uri=BLOB.split("&sig=", maxsplit=1)[0]),
     exact("output_container_uri needs a shared access signature (sig=...) with storage_auth=key_based")),
    ("iothub_import_export_job", dict(HUB, state="absent"), exact("state=absent cancels a job: job_id is required")),
    ("iothub_import_export_job_info", dict(HUB, job_id=" "), exact("job_id must not be empty")),
    ("iothub_import_export_job_info", dict(HUB, job_id="j1", type="export"),
     exact("parameters are mutually exclusive: job_id|type")),
    ("iothub_import_export_job_info", dict(HUB, status=["done"]),
     starts("value of status must be one or more of: enqueued, running, completed, failed, cancelled")),
    ("iothub_import_export_job_info", dict(type="export"),
     exact("one of connection_string, hostname, or subscription_id with resource_group and hub_name is "
           "required to reach the IoT Hub data plane")),
    # --- auth combinations
    ("iothub_scheduled_job", dict(job_id="j1", **TWIN),
     exact("one of connection_string, hostname, or subscription_id with resource_group and hub_name is "
           "required to reach the IoT Hub data plane")),
    ("iothub_scheduled_job", dict(job_id="j1", hostname="myhub.azure-devices.net", auth_method="sas", **TWIN),
     exact("auth_method=sas requires connection_string, or subscription_id, resource_group and hub_name to read the "
           "key of shared_access_policy through Azure Resource Manager (missing: connection_string, subscription_id, "
           "resource_group, hub_name)")),
    # --- a data-plane module reaching the hub from its ARM coordinates alone (no connection_string, no hostname)
    ("iothub_scheduled_job", dict(job_id="j1", auth_method="sas", subscription_id=SUBSCRIPTION, **SP, **TWIN),
     exact("auth_method=sas requires connection_string, or subscription_id, resource_group and hub_name to read the "
           "key of shared_access_policy through Azure Resource Manager (missing: connection_string, resource_group, "
           "hub_name)")),
    ("iothub_scheduled_job", dict(job_id="j1", auth_method="sas", shared_access_policy=" ", **ARM, **TWIN),
     exact("shared_access_policy must not be empty: name a shared access policy of the hub, such as "
           "registryReadWrite")),
    ("iothub_device_info", dict(ARM, resource_group=None),
     exact("Azure Resource Manager needs subscription_id, resource_group and hub_name (missing: resource_group)")),
    ("iothub_scheduled_job_info", dict(ARM, subscription_id="sub-1"), exact(GUID_RULE % "'sub-1'")),
    ("iothub_import_export_job_info", dict(ARM, auth_method="sas", arm_endpoint="http://management.example"),
     exact("arm_endpoint must be an https:// URL, got http://management.example")),
    ("iothub_scheduled_job", dict(job_id="j1", auth_method="sas", hostname="https://hub/x", **ARM, **TWIN),
     exact("hostname must be the hub's host name, such as myhub.azure-devices.net (https is implied)")),
    ("iothub_scheduled_job", hub_job(auth_method="api_token"), starts("auth_method=api_token is for IoT Central; ")),
    ("iothub_scheduled_job", dict(job_id="j1", hostname="myhub.azure-devices.net", auth_method="client_secret",
                                  tenant_id="t", client_id="c", **TWIN),
     exact("auth_method=client_secret requires tenant_id, client_id and client_secret (missing: client_secret)")),
    ("iothub_scheduled_job", hub_job(auth_method="password"), starts("value of auth_method must be one of: auto, ")),
    ("iothub_scheduled_job", hub_job(hostname="otherhub.azure-devices.net"),
     exact("connection_string (HostName=myhub.azure-devices.net) and hostname (otherhub.azure-devices.net) name "
           "different hubs; set only one")),
    ("iothub_scheduled_job_info", dict(hostname="https://myhub.azure-devices.net/jobs", **SP),
     exact("hostname must be the hub's host name, such as myhub.azure-devices.net (https is implied)")),
    ("iothub_job_info", dict(ARM, hub_name=None), exact("Azure Resource Manager needs subscription_id, resource_group "
                                                        "and hub_name (missing: hub_name)")),
    ("iothub_job_info", dict(ARM, auth_method="sas", **HUB), starts("auth_method=sas cannot be used with Azure "
                                                                    "Resource Manager")),
    ("iothub_job_info", dict(ARM, arm_endpoint="http://management.example"),
     exact("arm_endpoint must be an https:// URL, got http://management.example")),
    ("iothub_import_export_job", export(connection_string=None, api="arm", auth_method="api_token",
                                        subscription_id=SUBSCRIPTION, resource_group="r", hub_name="hub"),
     starts("auth_method=api_token cannot be used with Azure Resource Manager")),
    ("iotcentral_job", dict(central_job(), app_url=None), exact("one of app_url or subdomain is required to reach the "
                                                                "IoT Central application")),
    ("iotcentral_job", central_job(app_url="http://myapp.azureiotcentral.com"),
     exact("app_url must be an https:// URL, got http://myapp.azureiotcentral.com")),
    ("iotcentral_job", central_job(subdomain="otherapp"),
     starts("app_url (https://myapp.azureiotcentral.com) and subdomain/dns_suffix "
            "(https://otherapp.azureiotcentral.com) name different applications")),
    ("iotcentral_job", central_job(auth_method="sas"), starts("auth_method=sas is for the IoT Hub data plane")),
    ("iotcentral_job_info", dict(CENTRAL, api_token="operator"),
     starts("api_token must be an IoT Central API token, a string that starts with 'SharedAccessSignature sr='")),
    # --- malformed connection strings
    ("iothub_scheduled_job", hub_job(connection_string="HostName=myhub.azure-devices.net;SharedAccessKey=" + KEY),
     exact("connection_string is malformed: it must contain HostName, SharedAccessKeyName and SharedAccessKey "
           "separated by ';' (missing SharedAccessKeyName)")),
    ("iothub_scheduled_job", hub_job(connection_string=CONNECTION_STRING + ";DeviceId=d1"),
     starts("connection_string has DeviceId: it is a device or module connection string")),
    ("iothub_scheduled_job", hub_job(connection_string=CONNECTION_STRING.replace(KEY, "not base64!")),
     exact("connection_string is malformed: SharedAccessKey is not valid base64")),
    ("iothub_scheduled_job_info", dict(connection_string=CONNECTION_STRING.replace("HostName=", "HostName=https://")),
     starts("connection_string is malformed: HostName must be a host name")),
    ("iothub_import_export_job", export(connection_string=KEY),
     exact("connection_string is malformed: it must contain HostName, SharedAccessKeyName and SharedAccessKey "
           "separated by ';' (part 1 is none of them)")),
    # --- expired tokens
    ("iotcentral_job", central_job(api_token=EXPIRED_TOKEN),
     exact("api_token expired at 2022-03-22T12:01:27Z (its se field): create a new token and use its value")),
    ("iotcentral_job_info", dict(CENTRAL, api_token=EXPIRED_TOKEN), starts("api_token expired at 2022-03-22T")),
] + [
    # --- issue 15: every value that lands in a URL path ---------------------------------------------------------
    ("iothub_scheduled_job", hub_job(job_id="..", state="absent"), exact(ANY_HUB_ID % (".", ".."))),
    ("iothub_scheduled_job", hub_job(job_id="fw/1"), exact(NEW_HUB_ID % ("/", "fw/1"))),
    ("iothub_scheduled_job", hub_job(job_id="FW-1"), exact(NEW_HUB_ID % ("F", "FW-1"))),
    ("iothub_scheduled_job", hub_job(job_id="fw.1"), exact(NEW_HUB_ID % (".", "fw.1"))),
    ("iothub_scheduled_job", hub_job(job_id="fw-1\n", state="absent"), exact(ANY_HUB_ID % ("\n", "fw-1\n"))),
    ("iothub_scheduled_job", hub_job(job_id="fw-1%2f", state="absent"), exact(ANY_HUB_ID % ("%", "fw-1%2f"))),
    ("iothub_scheduled_job_info", dict(HUB, job_id="a?b"), exact(ANY_HUB_ID % ("?", "a?b"))),
    ("iothub_scheduled_job_info", dict(HUB, job_id="a#b"), exact(ANY_HUB_ID % ("#", "a#b"))),
    ("iotcentral_job", central_job(job_id=".."), exact(CENTRAL_RULE % ("job_id", ".", ".."))),
    ("iotcentral_job", central_job(job_id="a#b"), exact(CENTRAL_RULE % ("job_id", "#", "a#b"))),
    ("iotcentral_job", dict(CENTRAL, job_id="j1", rerun="r/1"), exact(CENTRAL_RULE % ("rerun", "/", "r/1"))),
    ("iotcentral_job", dict(CENTRAL, job_id="j1", rerun=".."), exact(CENTRAL_RULE % ("rerun", ".", ".."))),
    ("iotcentral_job", central_job(group="g?x"), exact(CENTRAL_RULE % ("group", "?", "g?x"))),
    ("iotcentral_job", central_job(group="%2e%2e"), exact(CENTRAL_RULE % ("group", "%", "%2e%2e"))),
    ("iotcentral_job_info", dict(CENTRAL, job_id="a\tb"), exact(CENTRAL_RULE % ("job_id", "\t", "a\tb"))),
    ("iotcentral_scheduled_job", scheduled(job_id=".."), exact(CENTRAL_RULE % ("job_id", ".", ".."))),
    ("iotcentral_scheduled_job", scheduled(job_id=""), exact("job_id must not be empty")),
    ("iotcentral_scheduled_job", scheduled(group="a/b"), exact(CENTRAL_RULE % ("group", "/", "a/b"))),
    ("iotcentral_scheduled_job_info", dict(CENTRAL, job_id="x%y"), exact(CENTRAL_RULE % ("job_id", "%", "x%y"))),
    ("iotcentral_scheduled_job_info", dict(CENTRAL, job_id="x" * 256),
     exact("job_id must be at most 255 characters, got 256")),
    ("iothub_import_export_job", dict(HUB, state="absent", job_id="../x"), exact(EXPORT_ID % (".", "../x"))),
    ("iothub_import_export_job", dict(HUB, job_id="a b"), exact(EXPORT_ID % (" ", "a b"))),
    ("iothub_import_export_job", export(output_blob_name="a/b"),
     exact("output_blob_name must not contain '/' (it becomes part of a URL path), found in 'a/b'")),
    ("iothub_import_export_job", export(output_blob_name="x" * 1025),
     exact("output_blob_name must be at most 1024 characters, got 1025")),
    ("iothub_import_export_job", export(type="import", input_container_uri=BLOB, input_blob_name=".."),
     exact("input_blob_name must not be '..': it would name another resource in the URL")),
    ("iothub_import_export_job", export(include_configurations=True, configurations_blob_name="c f.txt"),
     exact("configurations_blob_name must not contain ' ' (it becomes part of a URL path), found in 'c f.txt'")),
    ("iothub_import_export_job_info", dict(HUB, job_id="a/b"), exact(EXPORT_ID % ("/", "a/b"))),
    ("iothub_import_export_job_info", dict(HUB, job_id=".."), exact(EXPORT_ID % (".", ".."))),
    ("iothub_job_info", dict(ARM, job_id="../../x"), exact(EXPORT_ID % (".", "../../x"))),
    ("iothub_job_info", dict(ARM, subscription_id=".."), exact(GUID_RULE % "'..'")),
    ("iothub_job_info", dict(ARM, subscription_id="sub-1"), exact(GUID_RULE % "'sub-1'")),
    ("iothub_job_info", dict(ARM, resource_group=".."),
     exact("resource_group must not be '..': it would name another resource in the URL")),
    ("iothub_job_info", dict(ARM, resource_group="rg/x"),
     exact("resource_group may only contain letters, digits, '_', '(', ')', '-' and '.', not ending in '.', found "
           "'/' in 'rg/x'")),
    ("iothub_job_info", dict(ARM, resource_group="rg."), exact("resource_group must not end in '.', got 'rg.'")),
    ("iothub_job_info", dict(ARM, resource_group="r" * 91), exact("resource_group must be at most 90 characters, "
                                                                  "got 91")),
    ("iothub_job_info", dict(ARM, hub_name="h"), exact("hub_name must be at least 3 characters, got 1")),
    ("iothub_job_info", dict(ARM, hub_name="hub-"), exact("hub_name must not end in '-', got 'hub-'")),
    ("iothub_job_info", dict(ARM, hub_name="hub.x"),
     exact("hub_name may only contain US-ASCII letters, digits and '-', not ending in '-', found '.' in 'hub.x'")),
    ("iothub_import_export_job", export(connection_string=None, api="arm", subscription_id="x", resource_group="r",
                                        hub_name="hub", **SP), exact(GUID_RULE % "'x'")),
    # --- issue 15: every host -------------------------------------------------------------------------------------
    ("iothub_scheduled_job", hub_job(connection_string=CONNECTION_STRING.replace(
        "myhub.azure-devices.net", "myhub.azure-devices.net@evil.example")), exact(HOST_NAME_RULE)),
    ("iothub_scheduled_job", hub_job(connection_string=CONNECTION_STRING.replace(
        "myhub.azure-devices.net", "myhub.azure-devices.net/x")), exact(HOST_NAME_RULE)),
    ("iothub_scheduled_job", hub_job(connection_string=CONNECTION_STRING.replace(
        "myhub.azure-devices.net", "myhub.azure-devices.net:70000")), exact(HOST_NAME_RULE)),
    ("iothub_scheduled_job", hub_job(connection_string=CONNECTION_STRING.replace(
        "myhub.azure-devices.net", "myhub.azure-devices.net?x=1")), exact(HOST_NAME_RULE)),
    ("iothub_scheduled_job_info", dict(SP, hostname="hub@evil.example", auth_method="client_secret"),
     exact(HOST_RULE % ("hostname", "hub@evil.example"))),
    ("iothub_scheduled_job_info", dict(SP, hostname="hub.example?x", auth_method="client_secret"),
     exact(HOST_RULE % ("hostname", "hub.example?x"))),
    ("iothub_device_info", dict(SP, hostname="-hub.example", auth_method="client_secret"),
     exact(HOST_RULE % ("hostname", "-hub.example"))),
    ("iotcentral_job", central_job(app_url="https://user@myapp.azureiotcentral.com"),
     exact("app_url must not have user information (user@host): credentials are only ever sent in headers, got "
           "https://user@myapp.azureiotcentral.com")),
    ("iotcentral_job", central_job(app_url="https://myapp.azureiotcentral.com/other"),
     exact("app_url must be https://<host> or https://<host>/api, without another path, got "
           "https://myapp.azureiotcentral.com/other")),
    ("iotcentral_job", central_job(app_url="https://myapp.azureiotcentral.com#x"),
     exact("app_url must not have a query string or a fragment")),
    ("iotcentral_job_info", dict(CENTRAL, app_url=None, subdomain="a.b"),
     exact("subdomain must be the application's subdomain, one DNS label (letters, digits and '-'), got 'a.b'")),
    ("iotcentral_job_info", dict(CENTRAL, app_url=None, subdomain="my app"),
     exact("subdomain must be the application's subdomain, one DNS label (letters, digits and '-'), got 'my app'")),
    ("iotcentral_scheduled_job_info", dict(CENTRAL, app_url=None, subdomain="app", dns_suffix="evil.example/x"),
     exact("dns_suffix must be a DNS name such as azureiotcentral.com, got 'evil.example/x'")),
    ("iotcentral_scheduled_job_info", dict(CENTRAL, app_url=None, subdomain="app", dns_suffix="x@evil.example"),
     exact("dns_suffix must be a DNS name such as azureiotcentral.com, got 'x@evil.example'")),
    ("iothub_job_info", dict(ARM, arm_endpoint="https://management.azure.com/x"),
     exact("arm_endpoint must be https://<host>, without another path, got https://management.azure.com/x")),
    ("iothub_job_info", dict(ARM, arm_endpoint="https://u:p@management.azure.com"),
     exact("arm_endpoint must not have user information (user@host): credentials are only ever sent in headers, "
           "got https://u:p@management.azure.com")),
    ("iothub_scheduled_job_info", dict(SP, hostname="hub.example", auth_method="client_secret",
                                       authority_host="login.microsoftonline.com/x"),
     exact(HOST_RULE % ("authority_host", "login.microsoftonline.com/x"))),
    ("iotcentral_job_info", dict(SP, app_url="https://myapp.azureiotcentral.com", auth_method="client_secret",
                                 authority_host="https://a@login.microsoftonline.com"),
     exact("authority_host must not have user information (user@host): credentials are only ever sent in headers, "
           "got https://a@login.microsoftonline.com")),
    # --- issue 15: numbers that are finite and in range ---------------------------------------------------------
    ("iothub_scheduled_job", hub_job(timeout=0), exact("timeout must be a number of seconds greater than 0, got 0.0")),
    ("iothub_scheduled_job", hub_job(timeout="nan"), exact("timeout must be a finite number, got nan")),
    ("iotcentral_job", central_job(timeout=-1), exact("timeout must be a number of seconds greater than 0, got -1.0")),
    ("iothub_job_info", dict(ARM, max_retries=-1), exact("max_retries must be between 0 and 100, got -1")),
    ("iotcentral_job_info", dict(CENTRAL, max_retries=1000), exact("max_retries must be between 0 and 100, got 1000")),
    ("iothub_device_info", dict(HUB, retry_budget=0),
     exact("retry_budget must be a number of seconds greater than 0, got 0.0")),
    ("iothub_import_export_job_info", dict(HUB, retry_budget="inf"), exact("retry_budget must be a finite number, "
                                                                           "got inf")),
    ("iotcentral_job", central_job(batch={"type": "number", "value": 1.5}),
     exact("batch.value is a number of devices and must be a whole number, got 1.5")),
    ("iotcentral_job", central_job(batch={"type": "number", "value": "nan"}),
     exact("batch.value must be greater than 0, got nan")),
    ("iotcentral_job", central_job(batch={"type": "percentage", "value": 0}),
     exact("batch.value must be greater than 0, got 0.0")),
    ("iotcentral_job", central_job(cancellation_threshold={"type": "number", "value": 2.5}),
     exact("cancellation_threshold.value is a number of devices and must be a whole number, got 2.5")),
    ("iotcentral_job", central_job(cancellation_threshold={"type": "percentage", "value": 150}),
     exact("cancellation_threshold.value is a percentage and must be at most 100, got 150")),
    ("iotcentral_scheduled_job", scheduled(batch={"type": "number", "value": 0.5}),
     exact("batch.value is a number of devices and must be a whole number, got 0.5")),
    ("iotcentral_scheduled_job", scheduled(cancellation_threshold={"type": "percentage", "value": "-inf"}),
     exact("cancellation_threshold.value must be greater than 0, got -inf")),
    ("iothub_import_export_job", export(wait=True, wait_timeout=5, wait_sleep=10),
     exact("wait_sleep (10) must not be greater than wait_timeout (5)")),
    ("iotcentral_job", central_job(wait=True, wait_timeout=0),
     exact("wait_timeout must be a number of seconds greater than 0, got 0")),
    ("iothub_device_info", dict(HUB, page_size=0), exact("page_size must be between 1 and 1000, got 0")),
    ("iothub_device_info", dict(HUB, page_size=5000), exact("page_size must be between 1 and 1000, got 5000")),
    ("iothub_device_info", dict(HUB, query=""), exact("query must not be empty: omit it or use '*' to target all "
                                                      "devices")),
    # --- issue 15: ca_path exists and holds PEM certificates ----------------------------------------------------
    ("iothub_scheduled_job", hub_job(ca_path="/nonexistent/ca.pem"),
     exact("ca_path /nonexistent/ca.pem does not exist (a PEM file of CA certificates, or a directory of them)")),
    ("iotcentral_job", central_job(ca_path=NOT_PEM),
     exact("ca_path %s holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)" % NOT_PEM)),
    ("iothub_job_info", dict(ARM, ca_path="/nonexistent"),
     exact("ca_path /nonexistent does not exist (a PEM file of CA certificates, or a directory of them)")),
    # --- scheduled jobs: the schedule ---------------------------------------------------------------------------
    ("iotcentral_scheduled_job", scheduled(schedule={"start": "tomorrow"}),
     exact("schedule.start must be an ISO 8601 date and time such as 2030-01-31T08:00:00Z (no zone means UTC), got "
           "'tomorrow'")),
    ("iotcentral_scheduled_job", scheduled(schedule={"start": "2030-01-01T00:00:00Z", "recurrence": "daily",
                                                     "end": {"type": "occurrences", "occurrences": 0}}),
     exact("schedule.end.occurrences must be from 1 to 999, got 0")),
    ("iotcentral_scheduled_job", scheduled(schedule={"start": "2030-01-01T00:00:00Z",
                                                     "end": {"type": "date", "date": "2030-02-01"}}),
     exact("schedule.end needs schedule.recurrence: a schedule without recurrence runs once, at schedule.start, and "
           "has nothing to end")),
    # --- issue 16: a query longer than IoT Hub takes (about 8,200 characters: 412 PreconditionFailed) -------------
    ("iothub_scheduled_job", hub_job(query=LONG_QUERY), exact(too_long(8012))),
    ("iothub_scheduled_job", hub_job(query="WHERE  " + LONG_QUERY.replace(", ", ",\n ")), exact(too_long(8012))),
    ("iothub_scheduled_job", hub_job(query=LONG_QUERY, _ansible_check_mode=True), exact(too_long(8012))),
    ("iothub_scheduled_job", hub_job(query="tags.note = '%s'" % ("x" * 7934)), exact(too_long(7948))),
    ("iothub_device_info", dict(HUB, query=LONG_QUERY), exact(too_long(8012))),
    ("iothub_device_info", dict(HUB, query=LONG_QUERY, count_only=True), exact(too_long(8012))),
    ("iothub_device_info", dict(HUB, query=LONG_QUERY, include_twins=True), exact(too_long(8012))),
    # --- issue 19: device results written to a file on the managed host ----------------------------------------
    ("iothub_scheduled_job_info", hub_rows(device_results_dest="/nonexistent/dir/rows.jsonl"),
     exact("device_results_dest '/nonexistent/dir/rows.jsonl': the directory '/nonexistent/dir' does not exist")),
    ("iothub_scheduled_job_info", hub_rows(device_results_dest="/"),
     exact("device_results_dest '/' is a directory: give the path of a file")),
    ("iothub_scheduled_job_info", hub_rows(device_results_dest="rows.jsonl"),
     exact("device_results_dest must be an absolute path on the managed host, got 'rows.jsonl'")),
    ("iothub_scheduled_job_info", hub_rows(include_device_results=False, device_results_dest="/tmp/rows.jsonl"),
     exact("device_results_dest writes the device results: set include_device_results: true")),
    ("iothub_scheduled_job_info", hub_rows(device_results_dest="/tmp/rows.jsonl", device_results_mode="rw-r-----"),
     exact("device_results_mode must be an octal file mode such as '0640', got 'rw-r-----'")),
    ("iothub_scheduled_job_info", hub_rows(device_results_dest="/tmp/rows.jsonl", device_results_mode="0100000"),
     exact("device_results_mode must be an octal file mode such as '0640', got '0100000'")),
    ("iothub_scheduled_job_info", hub_rows(device_results_mode="0640"),
     exact("device_results_mode applies to the file of device_results_dest: set device_results_dest")),
    ("iotcentral_job_info", central_rows(device_results_dest="/nonexistent/dir/rows.jsonl"),
     exact("device_results_dest '/nonexistent/dir/rows.jsonl': the directory '/nonexistent/dir' does not exist")),
    ("iotcentral_job_info", central_rows(device_results_dest="/"),
     exact("device_results_dest '/' is a directory: give the path of a file")),
    ("iotcentral_job_info", central_rows(include_devices=False, device_results_dest="/tmp/rows.jsonl"),
     exact("device_results_dest writes the device results: set include_devices: true")),
    ("iotcentral_job_info", central_rows(device_results_dest="/tmp/rows.jsonl", device_results_mode=True),
     exact("device_results_mode must be an octal file mode such as '0640', got True")),
]


class NoHttp(object):
    """A requests.Session that fails the test on any request."""

    def request(self, method, url, **kwargs):
        raise AssertionError("bad input reached HTTP: %s %s" % (method, url))


def _fake_identity():
    """azure.identity whose credentials never get a token (getting one is an HTTP call)."""

    class Credential(object):
        def __init__(self, *args, **kwargs):
            pass

        def get_token(self, *scopes, **kwargs):
            raise AssertionError("bad input reached the Entra token endpoint")

    module = types.ModuleType("azure.identity")
    for name in ("ClientSecretCredential", "ManagedIdentityCredential", "AzureCliCredential",
                 "DefaultAzureCredential"):
        setattr(module, name, type(name, (Credential,), {}))
    return module


class Done(Exception):
    def __init__(self, failed, result):
        super().__init__(failed, result)
        self.failed = failed
        self.result = result


@pytest.fixture
def run_main(monkeypatch):
    """run_main(module name, args) -> (failed, result) of main() with the real clients and no network."""
    for name in [name for name in os.environ if name.startswith("AZURE_")] + ["REQUESTS_CA_BUNDLE"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(_client.requests, "Session", NoHttp)
    monkeypatch.setitem(sys.modules, "azure.identity", _fake_identity())

    def finish(failed):
        def method(self, **kwargs):
            raise Done(failed, kwargs)
        return method

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", finish(False))
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", finish(True))

    def runner(module, args):
        main = importlib.import_module(PACKAGE + module).main
        with patch_module_args({key: value for key, value in args.items() if value is not None}):
            try:
                main()
            except Done as done:
                return done.failed, done.result
        raise AssertionError("main() returned without exit_json or fail_json")

    return runner


def test_the_table_covers_every_module_and_role_with_at_least_170_rows():
    assert len(ROWS) + len(ROLE_ROWS) >= 170
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(os.path.dirname(ROLES_DIR), "plugins", "modules"))
                     if name.endswith(".py") and not name.startswith("_"))
    assert sorted(set(row[0] for row in ROWS)) == modules
    assert sorted(set(row[0] for row in ROLE_ROWS)) == sorted(os.listdir(ROLES_DIR))


@pytest.mark.parametrize("module, args, expected", ROWS, ids=["%s-%d" % (row[0], n) for n, row in enumerate(ROWS)])
def test_bad_input_fails_clearly_before_any_http_call(run_main, module, args, expected):
    failed, result = run_main(module, args)
    assert failed, result
    assert expected.fullmatch(core_wording(result["msg"])), result["msg"]
    assert "exception" not in result and "Traceback" not in str(result)
    text = str(result)
    leaked = [index for index, secret in enumerate(SECRETS) if secret in text]
    assert not leaked, "secrets %s appear in the result" % leaked


# ------------------------------------------------------------------------------------------------ roles

ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")
TWIN_ROLLOUT = dict(iothub_rollout_name="fw-1", iothub_rollout_twin_patch={"desired": {"fw": "1"}})
BACKUP = dict(iothub_registry_backup_name="nightly", iothub_registry_backup_container_uri=BLOB)
CENTRAL_ROLLOUT = dict(iotcentral_rollout_name="fw-1", iotcentral_rollout_group="all-devices",
                       iotcentral_rollout_data=DATA)

# (role, vars, what the failure message must contain: the option and its rule)
ROLE_ROWS = [
    ("iothub_rollout", {}, "missing required arguments: iothub_rollout_name"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_retries="many"),
     "argument 'iothub_rollout_retries' is of type str and we were unable to convert to int"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_waves=["half"]),
     "Elements value for option 'iothub_rollout_waves' is of type str and we were unable to convert to float"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_fail_on_abort="perhaps"),
     "argument 'iothub_rollout_fail_on_abort' is of type str and we were unable to convert to bool"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_name="fw 1!"),
     "iothub_rollout_name must be 1 to 40 "),
    ("iotcentral_rollout", {},
     "missing required arguments: iotcentral_rollout_data, iotcentral_rollout_group, iotcentral_rollout_name"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_data=[dict(DATA[0], type="twin")]),
     "value of type must be one of: property, command, cloud_property, device_template_migration, got: twin found "
     "in iotcentral_rollout_data"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_batch={"type": "all", "value": 10}),
     "value of type must be one of: number, percentage, got: all found in iotcentral_rollout_batch"),
    ("iothub_registry_backup", {},
     "missing required arguments: iothub_registry_backup_container_uri, iothub_registry_backup_name"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_method={"name": "reboot"}),
     "set exactly one of iothub_rollout_twin_patch (a twin update) and iothub_rollout_method (a direct method)"),
    # Issue 15: the whole message, naming the first wrong variable only (rows with two wrong variables show it).
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_name="Fw-1"),
     "iothub_rollout: iothub_rollout_name must be 1 to 40 lower-case US-ASCII letters, digits and '-' (the job ids "
     "derive from it, and IoT Hub refuses upper case in a new job's id), got 'Fw-1'"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_name="x" * 41, iothub_rollout_retries=12),
     "iothub_rollout: iothub_rollout_name must be 1 to 40 lower-case US-ASCII letters, digits and '-' (the job ids "
     "derive from it, and IoT Hub refuses upper case in a new job's id), got '%s'" % ("x" * 41)),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_revert_patch={"desired": {"fw": "0"}},
                            iothub_rollout_twin_patch={}, iothub_rollout_method={"name": "reboot"}),
     "iothub_rollout: iothub_rollout_revert_patch undoes a twin update, so it needs iothub_rollout_twin_patch"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_target_query=" "),
     "iothub_rollout: iothub_rollout_target_query must not be empty: use '*' for every device"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_canary_count=-1, iothub_rollout_retries=12),
     "iothub_rollout: iothub_rollout_canary_count must be 0 or more, got -1"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_canary_percentage=101),
     "iothub_rollout: iothub_rollout_canary_percentage is a percentage from 0 to 100, got 101"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_wave_size=-5),
     "iothub_rollout: iothub_rollout_wave_size must be 0 (use iothub_rollout_waves) or more, got -5"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_failure_threshold=-1, iothub_rollout_wait_timeout=0),
     "iothub_rollout: iothub_rollout_failure_threshold is a percentage from 0 to 100, got -1"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_retries=12, iothub_rollout_wait_timeout=0),
     "iothub_rollout: iothub_rollout_retries must be from 0 to 9, got 12"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_concurrent_jobs=11, iothub_rollout_wait_timeout=0),
     "iothub_rollout: iothub_rollout_concurrent_jobs must be from 1 to 10, got 11"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_wait_timeout=0),
     "iothub_rollout: iothub_rollout_wait_timeout must be more than 0 seconds, got 0"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_wait_timeout=10, iothub_rollout_wait_sleep=30),
     "iothub_rollout: iothub_rollout_wait_sleep must be more than 0 seconds and at most iothub_rollout_wait_timeout, "
     "got 30"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_max_execution_time=0),
     "iothub_rollout: iothub_rollout_max_execution_time must be more than 0 seconds, got 0"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_waves=[50, 40, 100]),
     "waves must be cumulative percentages that grow from above 0 up to 100"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_name="a b", iotcentral_rollout_max_reruns=100),
     "iotcentral_rollout: iotcentral_rollout_name must be 1 to 240 letters, digits, '-' and '_' (the job ids derive "
     "from it), got 'a b'"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_group="../x", iotcentral_rollout_data=[]),
     "iotcentral_rollout: iotcentral_rollout_group must name a device group: 1 to 255 letters, digits, '-' and '_', "
     "got '../x'"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_data=[], iotcentral_rollout_max_reruns=100),
     "iotcentral_rollout: iotcentral_rollout_data must list at least one job data item"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_max_reruns=100),
     "iotcentral_rollout: iotcentral_rollout_max_reruns must be from 0 to 99, got 100"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_wait_timeout=0),
     "iotcentral_rollout: iotcentral_rollout_wait_timeout must be more than 0 seconds, got 0"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_wait_sleep=0),
     "iotcentral_rollout: iotcentral_rollout_wait_sleep must be more than 0 seconds and at most "
     "iotcentral_rollout_wait_timeout, got 0"),
    ("iothub_registry_backup", dict(BACKUP, iothub_registry_backup_name="..", iothub_registry_backup_wait_sleep=0),
     "iothub_registry_backup: iothub_registry_backup_name must be 1 to 200 letters, digits, '.', '-' and '_' (not "
     "'.' or '..'), got '..'"),
    ("iothub_registry_backup", dict(BACKUP, iothub_registry_backup_blob_name="a/b.txt"),
     "iothub_registry_backup: iothub_registry_backup_blob_name must not contain '/' (it becomes part of a URL path), "
     "found in 'a/b.txt'"),
    ("iothub_registry_backup", dict(BACKUP, iothub_registry_backup_blob_name="a b.txt"),
     "iothub_registry_backup: iothub_registry_backup_blob_name must not contain ' ' (it becomes part of a URL path), "
     "found in 'a b.txt'"),
    ("iothub_registry_backup", dict(BACKUP, iothub_registry_backup_blob_name=".."),
     "iothub_registry_backup: iothub_registry_backup_blob_name must not be '..': it would name another resource in "
     "the URL"),
    ("iothub_registry_backup", dict(BACKUP, iothub_registry_backup_container_uri="https://u@acct.example/c?sig=x"),
     "iothub_registry_backup: iothub_registry_backup_container_uri must be an https:// blob container URI (no user "
     "information)"),
    ("iothub_registry_backup", dict(BACKUP, iothub_registry_backup_container_uri="http://acct.example/c?sig=x"),
     "iothub_registry_backup: iothub_registry_backup_container_uri must be an https:// blob container URI (no user "
     "information)"),
    ("iothub_registry_backup", dict(BACKUP, iothub_registry_backup_wait_timeout=0),
     "iothub_registry_backup: iothub_registry_backup_wait_timeout must be more than 0 seconds, got 0"),
    ("iothub_registry_backup", dict(BACKUP, iothub_registry_backup_wait_sleep=0),
     "iothub_registry_backup: iothub_registry_backup_wait_sleep must be more than 0 seconds and at most "
     "iothub_registry_backup_wait_timeout, got 0"),
]


class ConnectionCounter(object):
    """A TCP port that counts the connections made to it (and closes them): where every task's API calls would go."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.count += 1
            connection.close()

    def close(self):
        self.sock.close()


def _role_playbook(rows, port, out):
    """One play, one block a row: include the role with the row's vars, record the failure message."""
    blocks = []
    for number, (role, role_vars, _expected) in enumerate(rows):
        blocks.append({
            "name": "Row %d" % number,
            "block": [{"ansible.builtin.include_role": {"name": "azure_iot.jobs." + role}, "vars": role_vars}],
            "rescue": [{"ansible.builtin.set_fact": {"bad_input_failures": "{{ bad_input_failures | combine({'%d': "
                                                     "ansible_failed_result}) }}" % number}}],
        })
    blocks.append({"ansible.builtin.copy": {"content": "{{ bad_input_failures | to_json }}", "dest": out}})
    hub = "HostName=127.0.0.1:%d;SharedAccessKeyName=iothubowner;SharedAccessKey=%s" % (port, KEY)
    return [{"hosts": "localhost", "connection": "local", "gather_facts": False, "vars": {"bad_input_failures": {}},
             "module_defaults": {
                 "group/azure_iot.jobs.iothub": {"connection_string": hub, "max_retries": 0},
                 "group/azure_iot.jobs.iotcentral": {"app_url": "https://127.0.0.1:%d" % port, "api_token": API_TOKEN,
                                                     "max_retries": 0}},
             "tasks": blocks}]


def test_roles_fail_on_bad_variables_before_any_call(tmp_path):
    rows = ROLE_ROWS
    root = tmp_path / "collections" / "ansible_collections" / "azure_iot"
    root.mkdir(parents=True)
    (root / "jobs").symlink_to(os.path.dirname(ROLES_DIR), target_is_directory=True)
    counter = ConnectionCounter()
    out = tmp_path / "failures.json"
    (tmp_path / "playbook.yml").write_text(json.dumps(_role_playbook(rows, counter.port, str(out))))
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AZURE_", "ANSIBLE_"))}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1")
    try:
        done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                               "playbook.yml"], capture_output=True, text=True, env=env, cwd=str(tmp_path),
                              timeout=300, check=False)
    finally:
        counter.close()
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stdout + done.stderr
    failures = json.loads(out.read_text())
    problems = []
    for number, (role, role_vars, expected) in enumerate(rows):
        failure = failures.get(str(number))
        if failure is None:
            problems.append("row %d (%s %r) did not fail" % (number, role, role_vars))
            continue
        # A looped check fails with "One or more items failed": its messages are those of the failed items.
        messages = [failure.get("msg", "")] + [item.get("msg", "") for item in failure.get("results", [])
                                               if item.get("failed")]
        messages = [core_wording(message) for message in messages]
        # ansible-core 2.19 sets exception to "(traceback unavailable)" on every action failure: only a real one counts.
        # A row whose text starts with the role's name is the whole message: it names one variable, the first wrong.
        whole = expected.startswith(role + ": ")
        if whole and failure.get("msg") != expected:
            problems.append("row %d (%s): %r is not %r" % (number, role, failure.get("msg"), expected))
        elif not any(expected in message for message in messages) or "Traceback" in json.dumps(failure):
            problems.append("row %d (%s): %r" % (number, role, messages))
    assert not problems, "\n".join(problems)
    assert counter.count == 0, "bad role variables reached the network"
