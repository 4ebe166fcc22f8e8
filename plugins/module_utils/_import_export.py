# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Import/export jobs of the device identity registry, through the IoT Hub data plane or Azure Resource Manager.

Facts from the REST contract:
- Data plane (api-version 2021-04-12): POST /jobs/create with JobProperties answers 200 with the job (a server GUID
  id, status enqueued); GET /jobs lists them (a bare array); GET /jobs/{id} gets one; DELETE /jobs/{id} cancels
  (200 or 204). GET answers omit inputBlobContainerUri but carry outputBlobContainerUri.
- ARM (api-version 2023-06-30): POST {hub}/exportDevices | importDevices answers 200 JobResponse; GET {hub}/jobs and
  {hub}/jobs/{id}; JobResponse has no request parameters and RFC 1123 times; there is no cancel operation.
- One active (enqueued or running) import/export job per hub: another create answers 403 JobQuotaExceeded.

Idempotency, since these jobs are actions with server-chosen ids: a task finds the hub's active job of the same type
and the same parameters (comparable on the data plane only) and does not start a second one; otherwise it starts a
new job (a completed export is not a reason to skip a new one). With job_id the task works on that job only.

Blob container URIs carry SAS tokens: they are module secrets, never part of a result or a message.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from ansible_collections.azure_iot.jobs.plugins.module_utils import _arm, _blob
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, ValidationError, secret_variants
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import Descriptor, JobFailure
from ansible_collections.azure_iot.jobs.plugins.module_utils._poll_plan import NO_READING, Reading
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import (
    IMPORT_EXPORT_JOB_ID,
    check_blob_name,
    check_id,
)

CREATE_PATH = "/jobs/create"
# Where an import job writes the lines it could not apply (contract.md sections 2.7 and 7).
DEFAULT_IMPORT_ERRORS_BLOB = "importErrors.log"
LIST_PATH = "/jobs"
JOB_PATH = "/jobs/{job_id}"

ACTIVE = frozenset(("enqueued", "running", "queued", "scheduled"))
TERMINAL = frozenset(("completed", "failed", "cancelled"))
AUTH_TO_API = {"key_based": "keyBased", "identity_based": "identityBased"}
AUTH_FROM_API = dict((v, k) for k, v in AUTH_TO_API.items())
BUSY_CODES = ("JobQuotaExceeded", "403003")
NOT_FOUND_CODES = ("JobNotFound", "404002")

# The request keys compared with an active job (data plane names; input URI and blob are not echoed by the service).
COMPARED = ("type", "outputBlobContainerUri", "outputBlobName", "excludeKeysInExport", "storageAuthenticationType",
            "includeConfigurations", "configurationsBlobName", "inputBlobName")


def uri_secrets(uri):
    """The SAS parts of a blob container URI to hide as well as the whole URI (a service may echo pieces), each in
    every encoding a service or a log may use."""
    if not uri:
        return []
    values = [uri]
    query = urlsplit(uri).query
    if query:
        values.append(query)
        values.extend(v for v in parse_qs(query).get("sig", []) if v)  # decoded, and as sent:
        values.extend(part[4:] for part in query.split("&") if part.startswith("sig=") and len(part) > 4)
    return sorted(set(form for value in values for form in secret_variants(value)), key=len, reverse=True)


def _empty_none(value):
    return None if value in ("", None) else value


def job_to_ansible(body):
    """A data-plane JobProperties -> the module's job (every key present; container URIs are never returned)."""
    body = body or {}
    return {
        "job_id": body.get("jobId"),
        "type": body.get("type"),
        "status": body.get("status"),
        "progress": body.get("progress"),
        "start_time": body.get("startTimeUtc"),
        "end_time": body.get("endTimeUtc"),
        "failure_reason": _empty_none(body.get("failureReason")),
        "status_message": _empty_none(body.get("statusMessage")),
        "exclude_keys": body.get("excludeKeysInExport"),
        "input_blob_name": body.get("inputBlobName"),
        "output_blob_name": body.get("outputBlobName"),
        "storage_auth": AUTH_FROM_API.get(body.get("storageAuthenticationType"), body.get("storageAuthenticationType")),
        "include_configurations": body.get("includeConfigurations"),
        "configurations_blob_name": body.get("configurationsBlobName"),
    }


def arm_job_to_ansible(body):
    """An ARM JobResponse -> the module's job (the same keys; what ARM does not report is None)."""
    view = _arm.job_to_ansible(body)
    job = dict((key, None) for key in job_to_ansible({}))
    job.update((key, view[key]) for key in ("job_id", "type", "status", "failure_reason", "status_message"))
    job.update(start_time=view["start_time"], end_time=view["end_time"])
    return job


def _check_uris(params):
    """https:// container URIs, with a SAS for key-based storage auth; the messages never show the values."""
    for option in ("input_container_uri", "output_container_uri"):
        value = params.get(option)
        if not value:
            continue
        if urlsplit(value).scheme != "https":
            raise ValidationError("%s must be an https:// blob container URI" % option)
        if (params.get("storage_auth") or "key_based") == "key_based" and "sig" not in parse_qs(urlsplit(value).query):
            raise ValidationError("%s needs a shared access signature (sig=...) with storage_auth=key_based" % option)


class Request(object):
    """The job a task asks for, checked before any call."""

    def __init__(self, params):
        self.type = params.get("type")
        self.job_id = params.get("job_id")
        self.params = params

    @classmethod
    def from_params(cls, params):
        request = cls(params)
        state = params.get("state") or "present"
        if params.get("job_id") is not None:
            check_id(params["job_id"], IMPORT_EXPORT_JOB_ID)
        for option in ("input_blob_name", "output_blob_name", "configurations_blob_name"):
            if params.get(option) is not None:
                check_blob_name(params[option], option)
        if state == "absent":
            if not params.get("job_id"):
                raise ValidationError("state=absent cancels a job: job_id is required")
            return request
        if params.get("job_id"):
            return request  # attach to that job; the parameters are not needed
        if not request.type:
            raise ValidationError("type (export or import) is required to start a job (or give job_id to follow one)")
        if not params.get("output_container_uri"):
            raise ValidationError("output_container_uri is required: the container %s"
                                  % ("the export is written to" if request.type == "export"
                                     else "the import writes its error log to"))
        if request.type == "import" and not params.get("input_container_uri"):
            raise ValidationError("input_container_uri is required for type=import")
        if request.type == "export" and (params.get("input_container_uri") or params.get("input_blob_name")):
            raise ValidationError("input_container_uri and input_blob_name are for type=import only")
        if request.type == "import" and params.get("exclude_keys"):
            raise ValidationError("exclude_keys is for type=export only")
        _check_uris(params)
        return request

    def data_plane_body(self):
        p = self.params
        body = {"type": self.type, "outputBlobContainerUri": p["output_container_uri"],
                "storageAuthenticationType": AUTH_TO_API[p.get("storage_auth") or "key_based"]}
        if self.type == "export":
            body["excludeKeysInExport"] = bool(p.get("exclude_keys"))
        else:
            body["inputBlobContainerUri"] = p["input_container_uri"]
        for option, key in (("input_blob_name", "inputBlobName"), ("output_blob_name", "outputBlobName"),
                            ("configurations_blob_name", "configurationsBlobName")):
            if p.get(option):
                body[key] = p[option]
        if p.get("include_configurations"):
            body["includeConfigurations"] = True
        if p.get("identity"):
            body["identity"] = {"userAssignedIdentity": p["identity"]}
        return body

    def arm_body(self):
        p = self.params
        if self.type == "export":
            body = {"exportBlobContainerUri": p["output_container_uri"], "excludeKeys": bool(p.get("exclude_keys"))}
            names = (("output_blob_name", "exportBlobName"), ("configurations_blob_name", "configurationsBlobName"))
        else:
            body = {"inputBlobContainerUri": p["input_container_uri"],
                    "outputBlobContainerUri": p["output_container_uri"]}
            names = (("input_blob_name", "inputBlobName"), ("output_blob_name", "outputBlobName"),
                     ("configurations_blob_name", "configurationsBlobName"))
        body["authenticationType"] = AUTH_TO_API[p.get("storage_auth") or "key_based"]
        for option, key in names:
            if p.get(option):
                body[key] = p[option]
        if p.get("include_configurations"):
            body["includeConfigurations"] = True
        if p.get("identity"):
            body["identity"] = {"userAssignedIdentity": p["identity"]}
        return body

    def matches(self, raw):
        """Whether a data-plane job (raw JobProperties) is this request, on the keys the service echoes: a key the
        answer leaves out cannot be compared (a real hub does not echo every option, contract.md 2.7 and 8)."""
        wanted = self.data_plane_body()
        defaults = {"outputBlobName": None, "inputBlobName": None, "configurationsBlobName": None,
                    "includeConfigurations": False, "excludeKeysInExport": False if self.type == "export" else None}
        for key in COMPARED:
            if key not in raw:
                continue
            have = raw[key]
            want = wanted.get(key, defaults.get(key))
            if key in ("includeConfigurations", "excludeKeysInExport"):
                have, want = bool(have), bool(want)
            if have != want:
                return False
        return True


def list_jobs_raw(client):
    """Every import/export job the hub lists (GET /jobs, a bare JSON array of JobProperties)."""
    listed = client.get(LIST_PATH).body or []
    if not isinstance(listed, list) or not all(isinstance(raw, dict) for raw in listed):
        raise ApiError(200, "UnexpectedResponse", "the answer is not a JSON array of jobs", None, "GET", LIST_PATH)
    return listed


class DataPlane(object):
    """The IoT Hub data plane's import/export jobs API."""

    name = "data plane"
    can_compare = True
    can_cancel = True

    def __init__(self, client):
        self.client = client

    def get(self, job_id):
        body = self.client.get_or_none(JOB_PATH, path_params={"job_id": job_id})
        return job_to_ansible(body) if body is not None else None

    def list_jobs(self):
        """(job, raw JobProperties) of every import/export job the hub lists."""
        return [(job_to_ansible(raw), raw) for raw in list_jobs_raw(self.client)]

    def create(self, request):
        return job_to_ansible(self.client.post(CREATE_PATH, json=request.data_plane_body()).body)

    def cancel(self, job):
        """DELETE the job; None when the hub no longer knows it."""
        response = self.client.delete_if_exists(JOB_PATH, path_params={"job_id": job["job_id"]})
        if response is None:
            return None
        return job_to_ansible(response.body) if response.body else dict(job, status="cancelled")


class Arm(object):
    """Azure Resource Manager's view: start and read jobs; no parameters to compare, no cancel."""

    name = "Azure Resource Manager"
    can_compare = False
    can_cancel = False

    def __init__(self, client, hub):
        self.client = client
        self.hub = hub

    def get(self, job_id):
        body = _arm.get_job_raw(self.client, self.hub, job_id)
        return arm_job_to_ansible(body) if body is not None else None

    def list_jobs(self):
        """(job, raw JobResponse) of every job ARM lists for the hub."""
        return [(arm_job_to_ansible(raw), raw) for raw in _arm.list_jobs_raw(self.client, self.hub)]

    def create(self, request):
        body = request.arm_body()
        return arm_job_to_ansible(_arm.start_job(self.client, self.hub, request.type, body))

    @staticmethod
    def check_can_cancel():
        raise ValidationError("Azure Resource Manager has no operation to cancel an import/export job; use the IoT "
                              "Hub data plane (connection_string or hostname) for state=absent")


def _busy(err):
    return isinstance(err, ApiError) and (err.code in BUSY_CODES or err.status == 403 and "quota" in
                                          (err.message or "").lower())


class ImportExportJob(Descriptor):
    """An import or export job. Its id is the service's: without job_id, the task's job is the hub's active job of
    the same type and parameters (when the API shows them), or a new one."""

    noun = "import/export job"
    terminal = TERMINAL
    timeout_hint = "the job keeps running: follow it with job_id"
    # POST /jobs/create (and ARM exportDevices / importDevices) starts a new job each time it is sent.
    create_is_idempotent = False

    def __init__(self, api, request):
        super(ImportExportJob, self).__init__(request.job_id)
        self.api = api
        self.request = request
        self.can_create = not request.job_id
        self._others = []  # the hub's other active jobs, seen by the last search
        self._known = set()  # the ids of every job the hub listed before this task created one

    @property
    def label(self):
        return "import/export job %s" % self.job_id

    def status_text(self, job):
        return "status %s, progress %s" % (job.get("status"), job.get("progress"))

    def extra_result(self, job):
        return {"job_id": job.get("job_id")}

    @classmethod
    def reading(cls, job, now=None):
        """The data plane's progress (percent done); the ARM view has none, and its polls keep wait_sleep."""
        progress = job.get("progress")
        if isinstance(progress, bool) or not isinstance(progress, (int, float)):
            return NO_READING
        return Reading(progress, 100)

    def missing_message(self, action):
        return "the hub has no import/export job %s" % self.job_id

    def conflict_message(self, before, after, differences):
        return "job %s is an %s job, not %s" % (self.job_id, before["type"], after["type"])

    # -- lifecycle hooks ---------------------------------------------------------------------------------------

    def get(self, client):
        if self.job_id:
            return self.api.get(self.job_id)
        listed = self.api.list_jobs()
        self._known = set(job["job_id"] for job, _raw in listed)
        active = [(job, raw) for job, raw in listed if job["status"] in ACTIVE]
        same = [job for job, raw in active if self._is_requested(job, raw) and self.api.can_compare]
        self._others = [job for job, _raw in active]
        if same:
            self.job_id = same[0]["job_id"]
            return same[0]
        return None

    def _is_requested(self, job, raw):
        """The type of this request and, where the API shows them, its parameters."""
        return job["type"] == self.request.type and (not self.api.can_compare or self.request.matches(raw))

    def find_created(self, client):
        """After a create whose answer was lost: the job that request started, the one job of this request that the
        hub lists now and did not list before (ids are the service's, so a new id is a job started since)."""
        new = [job for job, raw in self.api.list_jobs() if job["job_id"] not in self._known
               and self._is_requested(job, raw)]
        if not new:
            return None
        self.job_id = new[0]["job_id"]
        return new[0]

    def compare(self, job):
        return {"type": job["type"]}, {"type": self.request.type or job["type"]}

    def before_create(self, client, warn):
        if not self._others:
            return {}
        if self._others:
            other = self._others[0]
            why = ("with different parameters" if self.api.can_compare else
                   "(%s does not show a job's parameters, so it cannot be compared with this request; pass its "
                   "job_id to follow it)" % self.api.name)
            raise JobFailure("the hub already runs %s job %s (status %s) %s, and IoT Hub allows one active "
                             "import/export job at a time: wait for it to end, or cancel it with state=absent"
                             % (other["type"], other["job_id"], other["status"], why),
                             {"changed": False, "job": {}, "job_id": None, "active_job_id": other["job_id"]})

    def predict(self, client):
        return job_to_ansible({"type": self.request.type, "status": "enqueued", "progress": 0}), {}

    def create(self, client):
        job = self.api.create(self.request)
        self.job_id = job["job_id"]
        return job

    @staticmethod
    def is_busy(err):
        return _busy(err)

    def busy_message(self, err):
        return "the hub already runs an import/export job (only one may be active at a time): %s" % err.msg

    def remove(self, client, job):
        return self.api.cancel(job)

    def after_wait(self, client, job, result):
        """An import that completed may still have failed lines: the service says success, and the errors are only
        in importErrors.log in the output container (contract.md section 7). Read it through the container URI the
        task holds; fail unless fail_on_import_errors is false."""
        params = self.request.params
        uri = params.get("output_container_uri")
        if job.get("type") != "import" or job.get("status") != "completed" or not uri:
            return
        if (params.get("storage_auth") or "key_based") != "key_based":
            return  # identity-based: this machine holds no SAS to read the container with
        blob = params.get("output_blob_name") or DEFAULT_IMPORT_ERRORS_BLOB
        errors = _blob.import_errors(_blob.read_blob(self.api.client, uri, blob))
        result["import_errors"] = errors
        if errors and params.get("fail_on_import_errors", True):
            raise JobFailure("%s completed, but %d of its lines were not imported (%s in the output container); see "
                             "import_errors, or set fail_on_import_errors: false to accept them"
                             % (self.label, len(errors), blob), result)
