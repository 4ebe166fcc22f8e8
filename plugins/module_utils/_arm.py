# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Azure Resource Manager view of an IoT hub's jobs (Microsoft.Devices/IotHubs, api-version 2023-06-30): paths,
projections (API camelCase -> Ansible snake_case, RFC 1123 -> ISO 8601) and the list/get calls.

Facts from the REST contract:
- GET {hub}/jobs lists the hub's import/export jobs as {"value": [JobResponse], "nextLink"}; GET {hub}/jobs/{id}
  answers one JobResponse. startTimeUtc and endTimeUtc are RFC 1123 ("Thu, 15 Jun 2017 19:20:58 GMT").
- The resource provider's errors are flat {code, httpStatusCode, message} (an unknown job: 404 JobNotFound); the ARM
  front door answers an unknown subscription, resource group or hub with {"error": {"code": "...NotFound"}}.
- GET {hub} answers the IotHubDescription (properties.hostName is the data plane's host); POST {hub}/listkeys answers
  {"value": [SharedAccessSignatureAuthorizationRule {keyName, primaryKey, secondaryKey, rights}], "nextLink"}
  (iothub.json IotHubResource_Get, IotHubResource_ListKeys).
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._time import rfc1123_to_iso
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import (
    check_hub_name,
    check_resource_group,
    check_subscription_id,
)

API_VERSION = "2023-06-30"

HUB_PATH = ("/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
            "/providers/Microsoft.Devices/IotHubs/{hub_name}")
JOBS_PATH = "/jobs"
JOB_PATH = "/jobs/{job_id}"
EXPORT_PATH = "/exportDevices"
IMPORT_PATH = "/importDevices"
LIST_KEYS_PATH = "/listkeys"

JOB_NOT_FOUND_CODES = ("JobNotFound", "404002")
PARENT_NOT_FOUND_CODES = ("ResourceNotFound", "ResourceGroupNotFound", "SubscriptionNotFound", "ParentResourceNotFound")


class ArmHub(object):
    """An IoT hub's coordinates in Azure Resource Manager: its resource path, and how its errors name it."""

    OPTIONS = ("subscription_id", "resource_group", "hub_name")

    def __init__(self, subscription_id, resource_group, hub_name):
        self.subscription_id = subscription_id
        self.resource_group = resource_group
        self.hub_name = hub_name

    @classmethod
    def from_params(cls, params):
        missing = [name for name in cls.OPTIONS if not params.get(name)]
        if missing:
            raise ValidationError("Azure Resource Manager needs subscription_id, resource_group and hub_name "
                                  "(missing: %s)" % ", ".join(missing))
        hub = cls(*(str(params[name]) for name in cls.OPTIONS))
        check_subscription_id(hub.subscription_id)
        check_resource_group(hub.resource_group)
        check_hub_name(hub.hub_name)
        return hub

    @property
    def path(self):
        """The hub's resource path; the ids are URL-quoted."""
        return HUB_PATH.format(**{name: quote(getattr(self, name), safe="") for name in self.OPTIONS})

    def not_found(self, err):
        """An ApiError for an unknown subscription / resource group / hub, with a message that names the hub."""
        if isinstance(err, ApiError) and err.status == 404 and err.code in PARENT_NOT_FOUND_CODES:
            err.msg = ("IoT hub '%s' was not found in resource group '%s' of subscription '%s' (%s)"
                       % (self.hub_name, self.resource_group, self.subscription_id, err.msg))
            err.args = (err.msg,)
        return err


def job_to_ansible(body):
    """An ARM JobResponse -> the job dict of iothub_job_info (every key always present)."""
    body = body or {}
    return {
        "job_id": body.get("jobId"),
        "type": body.get("type"),
        "status": body.get("status"),
        "start_time": rfc1123_to_iso(body.get("startTimeUtc")),
        "end_time": rfc1123_to_iso(body.get("endTimeUtc")),
        "start_time_utc": body.get("startTimeUtc"),
        "end_time_utc": body.get("endTimeUtc"),
        "failure_reason": body.get("failureReason"),
        "status_message": body.get("statusMessage"),
        "parent_job_id": body.get("parentJobId"),
    }


def list_jobs_raw(client, hub):
    """Every JobResponse of the hub, all pages (nextLink)."""
    try:
        return list(client.iter_next_link(hub.path + JOBS_PATH))
    except ApiError as err:
        raise hub.not_found(err) from None


def get_job_raw(client, hub, job_id):
    """One JobResponse, or None when the hub has no such job (404 JobNotFound)."""
    try:
        response = client.get(hub.path + JOB_PATH, path_params={"job_id": job_id})
    except ApiError as err:
        if err.status == 404 and err.code in JOB_NOT_FOUND_CODES:
            return None
        raise hub.not_found(err) from None
    return response.body


def start_job(client, hub, kind, body):
    """POST exportDevices or importDevices; the JobResponse. Never retried blind: a second POST is a second job."""
    path = hub.path + (EXPORT_PATH if kind == "export" else IMPORT_PATH)
    try:
        return client.post(path, json=body, idempotent=False).body
    except ApiError as err:
        raise hub.not_found(err) from None


def list_jobs(client, hub):
    """Every job of the hub, all pages (nextLink), projected."""
    return [job_to_ansible(item) for item in list_jobs_raw(client, hub)]


def get_job(client, hub, job_id):
    """One job projected, or None when the hub has no such job."""
    body = get_job_raw(client, hub, job_id)
    return job_to_ansible(body) if body is not None else None


def get_hub(client, hub):
    """The hub's IotHubDescription (GET {hub})."""
    try:
        return client.get(hub.path).body or {}
    except ApiError as err:
        raise hub.not_found(err) from None


def list_policies(client, hub):
    """Every shared access policy of the hub with its keys (POST {hub}/listkeys, then nextLink pages).

    A read despite the POST, so it is retried like one; the answer holds secrets: the caller must mask them all.
    """
    try:
        return list(client.iter_next_link(hub.path + LIST_KEYS_PATH, method="POST"))
    except ApiError as err:
        raise hub.not_found(err) from None
