# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""IoT Central data plane (https://<app>/api, api-version 2022-07-31): job paths, id rule, projections (API
camelCase -> Ansible snake_case) and the get/list calls.

Facts from the REST contract (contract.md section 4):
- GET /jobs lists jobs as {"value": [Job], "nextLink"}; GET /jobs/{id} answers one Job (an unknown id: 404 with
  {"error": {"code", "message", "requestId", "time"}}); GET /jobs/{id}/devices lists {"id", "status"} per device,
  paged the same way.
- Job status: pending, running, stopped, complete (not "completed"), failed, cancelled; device status: pending,
  completed, failed.
- JobData "type" is property, command, cloudProperty or deviceTemplateMigration.
"""

from __future__ import annotations

import re

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError

API_VERSION = "2022-07-31"

JOBS_PATH = "/jobs"
JOB_PATH = "/jobs/{job_id}"
JOB_DEVICES_PATH = "/jobs/{job_id}/devices"

JOB_STATUSES = ("pending", "running", "stopped", "complete", "failed", "cancelled")
TERMINAL = frozenset(("complete", "failed", "cancelled"))
DEVICE_STATUSES = ("pending", "completed", "failed")

DATA_TYPE_TO_API = {"property": "property", "command": "command", "cloud_property": "cloudProperty",
                    "device_template_migration": "deviceTemplateMigration"}
DATA_TYPE_FROM_API = dict((v, k) for k, v in DATA_TYPE_TO_API.items())

JOB_ID_MAX = 255
_JOB_ID_BAD = re.compile(r"[^A-Za-z0-9_-]")


def validate_job_id(job_id, option="job_id"):
    """The IoT Central rule for job ids (path parameter pattern ^[a-zA-Z0-9_-]*$, at most 255), before any call."""
    if not job_id:
        raise ValidationError("%s must not be empty" % option)
    if len(job_id) > JOB_ID_MAX:
        raise ValidationError("%s must be at most %d characters, got %d" % (option, JOB_ID_MAX, len(job_id)))
    bad = _JOB_ID_BAD.search(job_id)
    if bad:
        raise ValidationError("%s may only contain US-ASCII letters, digits, '-' and '_', found %r in %r"
                              % (option, bad.group(0), job_id))
    return job_id


def _limit_to_ansible(limit, with_batch=False):
    if not isinstance(limit, dict):
        return None
    out = {"type": limit.get("type"), "value": limit.get("value")}
    if with_batch:
        out["batch"] = bool(limit.get("batch", False))
    return out


def data_to_ansible(item):
    """One JobData -> {type (snake_case), target, path, value, template}; every key always present."""
    item = item or {}
    return {
        "type": DATA_TYPE_FROM_API.get(item.get("type"), item.get("type")),
        "target": item.get("target"),
        "path": item.get("path"),
        "value": item.get("value"),
        "template": item.get("template"),
    }


def job_to_ansible(body):
    """A Job -> the job dict of the iotcentral modules (every key always present)."""
    body = body or {}
    progress = body.get("progress") if isinstance(body.get("progress"), dict) else {}
    return {
        "job_id": body.get("id"),
        "display_name": body.get("displayName"),
        "description": body.get("description"),
        "group": body.get("group"),
        "status": body.get("status"),
        "batch": _limit_to_ansible(body.get("batch")),
        "cancellation_threshold": _limit_to_ansible(body.get("cancellationThreshold"), with_batch=True),
        "data": [data_to_ansible(item) for item in body.get("data") or []],
        "organizations": body.get("organizations"),
        "scheduled_job_id": body.get("scheduledJobId"),
        "start_time": body.get("start"),
        "end_time": body.get("end"),
        "progress": {key: progress.get(key) for key in ("total", "pending", "completed", "failed")},
    }


def device_status_to_ansible(item):
    item = item or {}
    return {"device_id": item.get("id"), "status": item.get("status")}


def get_job(client, job_id):
    """The Job body, or None when the application has no such job."""
    response = client.get(JOB_PATH, path_params={"job_id": job_id}, not_found_ok=True)
    if response is None or response.status == 404:
        return None
    return response.body


def list_jobs(client):
    """Every Job of the application, all pages (nextLink)."""
    return list(client.iter_next_link(JOBS_PATH))


def job_devices(client, job_id, statuses=None):
    """The per-device statuses of a job, all pages, optionally only those in `statuses`, projected."""
    wanted = set(statuses or ())
    return [device_status_to_ansible(item) for item in client.iter_next_link(JOB_DEVICES_PATH,
                                                                             path_params={"job_id": job_id})
            if not wanted or item.get("status") in wanted]


def find_jobs(client, job_id=None, include_devices=False, device_status=None):
    """One job by id or all jobs, projected, always a list; with include_devices each job gets `devices`."""
    if job_id is not None:
        body = get_job(client, job_id)
        bodies = [body] if body is not None else []
    else:
        bodies = list_jobs(client)
    jobs = []
    for body in bodies:
        job = job_to_ansible(body)
        if include_devices:
            job["devices"] = job_devices(client, job["job_id"], device_status)
        jobs.append(job)
    return jobs
