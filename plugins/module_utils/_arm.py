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
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from datetime import timezone

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError

JOBS_PATH = "/jobs"
JOB_PATH = "/jobs/{job_id}"
EXPORT_PATH = "/exportDevices"
IMPORT_PATH = "/importDevices"

JOB_NOT_FOUND_CODES = ("JobNotFound", "404002")
PARENT_NOT_FOUND_CODES = ("ResourceNotFound", "ResourceGroupNotFound", "SubscriptionNotFound", "ParentResourceNotFound")


def parse_rfc1123(value):
    """An RFC 1123 date ("Thu, 15 Jun 2017 19:20:58 GMT") -> aware UTC datetime, or None when unparsable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def rfc1123_to_iso(value):
    """ISO 8601 UTC to the second ("2017-06-15T19:20:58Z"); None for a missing or unparsable value."""
    moment = parse_rfc1123(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


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


def hub_not_found(err, params):
    """An ApiError for an unknown subscription / resource group / hub, with a message that names the hub."""
    if isinstance(err, ApiError) and err.status == 404 and err.code in PARENT_NOT_FOUND_CODES:
        err.msg = ("IoT hub '%s' was not found in resource group '%s' of subscription '%s' (%s)"
                   % (params.get("hub_name"), params.get("resource_group"), params.get("subscription_id"), err.msg))
        err.args = (err.msg,)
    return err


def list_jobs_raw(client, params):
    """Every JobResponse of the hub, all pages (nextLink)."""
    try:
        return list(client.iter_next_link(client.hub_path + JOBS_PATH))
    except ApiError as err:
        raise hub_not_found(err, params) from None


def get_job_raw(client, params, job_id):
    """One JobResponse, or None when the hub has no such job (404 JobNotFound)."""
    try:
        response = client.get(client.hub_path + JOB_PATH, path_params={"job_id": job_id})
    except ApiError as err:
        if err.status == 404 and err.code in JOB_NOT_FOUND_CODES:
            return None
        raise hub_not_found(err, params) from None
    return response.body


def list_jobs(client, params):
    """Every job of the hub, all pages (nextLink), projected."""
    return [job_to_ansible(item) for item in list_jobs_raw(client, params)]


def get_job(client, params, job_id):
    """One job projected, or None when the hub has no such job."""
    body = get_job_raw(client, params, job_id)
    return job_to_ansible(body) if body is not None else None
