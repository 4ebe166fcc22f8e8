"""Import/export jobs of the device registry (contract.md 2.6): one asyncio task per job.

    POST /jobs/create -> enqueued --(ENQUEUE_DELAY)--> running (progress 0..100) -> completed | failed
    enqueued / running --DELETE /jobs/{id}--> cancelled

Only one import/export job may be active at a time (403 JobQuotaExceeded). A blob container URI stands for a local
folder: https://<any host>/_emulator/blobs/<container>[?<SAS>] is <state dir>/blobs/<container>/. Export writes the
registry there as JSON lines (one device per line, the service's export format); import reads such a file, line by
line, with each line's importMode (create, update, createOrUpdate (the default), delete, ...), and writes the lines it
could not apply to importErrors.log in the output container.
"""
import asyncio
import copy
import json
import logging
import os
import re
import tempfile
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

from ..clock import cancel_tasks
from ..errors import hub_error
from ..timefmt import iso7

LOG = logging.getLogger("emulator.iothub.import_export")

ENQUEUE_DELAY = 1.0  # emulated seconds a job stays enqueued
BATCH = 100  # devices per step
STEP = 0.5  # emulated seconds per step
ACTIVE = frozenset(("enqueued", "running"))
BLOB_PREFIX = "/_emulator/blobs/"
_CONTAINER = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?$")
DEFAULT_EXPORT_BLOB = "devices.txt"
DEFAULT_IMPORT_BLOB = "devices.txt"
DEFAULT_ERROR_BLOB = "importErrors.log"
DEFAULT_CONFIGURATIONS_BLOB = "configurations.txt"
IMPORT_MODES = ("create", "update", "createorupdate", "updateifmatchetag", "createorupdateifmatchetag", "delete",
                "deleteifmatchetag", "updatetwin", "updatetwinifmatchetag")


def blob_error(message):
    return hub_error("BlobContainerValidationError", message, status=400)


def _blob_name(value, default, field):
    if value is None or value == "":
        return default
    if not isinstance(value, str) or "/" in value or "\\" in value or value in (".", ".."):
        raise hub_error("ArgumentInvalid", "%s must be a plain blob name, got %r." % (field, value))
    return value


class ImportExportJob:
    def __init__(self, body, created):
        self.job_id = str(uuid.uuid4())
        self.type = body["type"]
        self.request = body  # the validated JobProperties the client sent (with defaults filled in)
        self.start = created
        self.end = None
        self.status = "enqueued"
        self.progress = 0
        self.failure_reason = None
        self.status_message = None
        self.task = None

    def to_wire(self, include_input=False):
        """JobProperties (service.json); like the real service, GET omits inputBlobContainerUri."""
        body = {"jobId": self.job_id, "startTimeUtc": iso7(self.start), "type": self.type, "status": self.status,
                "progress": self.progress}
        if self.end is not None:
            body["endTimeUtc"] = iso7(self.end)
        for key in ("inputBlobName", "outputBlobContainerUri", "outputBlobName", "excludeKeysInExport",
                    "storageAuthenticationType", "identity", "includeConfigurations", "configurationsBlobName"):
            if key in self.request:
                body[key] = self.request[key]
        if include_input and "inputBlobContainerUri" in self.request:
            body["inputBlobContainerUri"] = self.request["inputBlobContainerUri"]
        if self.failure_reason:
            body["failureReason"] = self.failure_reason
        body["useSecondaryStorageAsSource"] = False
        return body


class ImportExportEngine:
    def __init__(self, state, registry):
        self._state = state
        self._registry = registry
        self._temp_root = None
        self.jobs = {}  # id -> ImportExportJob, in creation order

    # --- blob containers --------------------------------------------------------------------------------------
    def blob_root(self):
        root = getattr(self._state, "state_dir", None)
        if root is None:
            if self._temp_root is None:
                self._temp_root = tempfile.mkdtemp(prefix="emulator-blobs-")
            root = self._temp_root
        return os.path.join(root, "blobs")

    def container_dir(self, uri, field, auth_type="keyBased"):
        """The local folder of a blob container URI, or 400 BlobContainerValidationError."""
        if not isinstance(uri, str) or not uri.strip():
            raise blob_error("%s is required." % field)
        parts = urlsplit(uri.strip())
        path = unquote(parts.path).rstrip("/")
        if parts.scheme != "https" or not parts.netloc or not path.startswith(BLOB_PREFIX):
            raise blob_error("%s is not a valid blob container URI: expected https://<host>%s<container>[?<SAS>]."
                             % (field, BLOB_PREFIX))
        container = path[len(BLOB_PREFIX):]
        if not _CONTAINER.match(container):
            raise blob_error("%s names the container '%s', which is not a valid container name." % (field, container))
        if auth_type == "keyBased" and "sig" not in parse_qs(parts.query):
            raise blob_error("%s has no shared access signature (sig=) for key-based storage authentication."
                             % field)
        return os.path.join(self.blob_root(), container)

    # --- API operations ---------------------------------------------------------------------------------------
    def validate(self, body):
        if not isinstance(body, dict):
            raise hub_error("IotHubFormatError", "The request body must be a JSON object (JobProperties).")
        job_type = body.get("type")
        if job_type not in ("export", "import"):
            raise hub_error("ArgumentInvalid", "type must be 'export' or 'import', got %r." % (job_type,))
        auth = body.get("storageAuthenticationType") or "keyBased"
        if auth not in ("keyBased", "identityBased"):
            raise hub_error("ArgumentInvalid", "storageAuthenticationType must be keyBased or identityBased, got %r."
                            % (auth,))
        for key in ("excludeKeysInExport", "includeConfigurations"):
            if key in body and not isinstance(body[key], bool):
                raise hub_error("ArgumentInvalid", "%s must be true or false." % key)
        system = ("jobId", "status", "progress", "startTimeUtc", "endTimeUtc", "failureReason")
        clean = {k: v for k, v in body.items() if k not in system}
        clean["storageAuthenticationType"] = auth
        self.container_dir(body.get("outputBlobContainerUri"), "outputBlobContainerUri", auth)
        if job_type == "import":
            self.container_dir(body.get("inputBlobContainerUri"), "inputBlobContainerUri", auth)
            _blob_name(body.get("inputBlobName"), DEFAULT_IMPORT_BLOB, "inputBlobName")
        else:
            clean.setdefault("excludeKeysInExport", False)
        _blob_name(body.get("outputBlobName"), None, "outputBlobName")
        _blob_name(body.get("configurationsBlobName"), None, "configurationsBlobName")
        return clean

    def create(self, body):
        clean = self.validate(body)
        active = [job for job in self.jobs.values() if job.status in ACTIVE]
        if active:
            raise hub_error("JobQuotaExceeded", "Only one active import or export job is allowed; job %s is %s."
                            % (active[0].job_id, active[0].status))
        job = ImportExportJob(clean, self._state.clock.now())
        self.jobs[job.job_id] = job
        job.task = asyncio.get_running_loop().create_task(self._run(job), name="import/export " + job.job_id)
        return job

    def get(self, job_id):
        job = self.find(job_id)
        if job is None:
            raise hub_error("JobNotFound", "Job with id '%s' was not found." % job_id)
        return job

    def find(self, job_id):
        job = self.jobs.get(job_id)
        if job is None:  # ids are GUIDs: compare case-insensitively
            job = next((j for j in self.jobs.values() if j.job_id.lower() == job_id.lower()), None)
        return job

    def cancel(self, job_id):
        job = self.get(job_id)
        if job.status in ACTIVE:
            job.task.cancel()
            job.status = "cancelled"
            job.end = self._state.clock.now()
        return job

    async def close(self):
        await cancel_tasks(self.jobs.values())
        self.jobs.clear()

    # --- the state machine ------------------------------------------------------------------------------------
    async def _run(self, job):
        clock = self._state.clock
        try:
            await clock.sleep(ENQUEUE_DELAY)
            job.status = "running"
            if job.type == "export":
                await self._export(job)
            else:
                await self._import(job)
            job.progress = 100
            job.status = "completed"
            job.end = clock.now()
        except asyncio.CancelledError:
            raise
        except ImportFailure as exc:
            job.status, job.failure_reason, job.end = "failed", str(exc), clock.now()
        except Exception:  # a bug must not leave the job running forever
            LOG.exception("import/export job %s crashed", job.job_id)
            job.status, job.failure_reason, job.end = "failed", "Internal error in the emulator.", clock.now()

    async def _steps(self, job, items, handle):
        total = len(items)
        for start in range(0, total, BATCH):
            for item in items[start:start + BATCH]:
                handle(item)
            job.progress = min(99, (start + BATCH) * 100 // total) if total else 0
            await self._state.clock.sleep(STEP)

    async def _export(self, job):
        request = job.request
        folder = self.container_dir(request["outputBlobContainerUri"], "outputBlobContainerUri",
                                    request["storageAuthenticationType"])
        lines = []
        dids = sorted(twin["deviceId"] for twin in self._registry.twins())
        exclude = request.get("excludeKeysInExport", False)

        def export_one(did):
            device = self._registry.get(did)
            if device is not None:
                lines.append(json.dumps(export_line(device, exclude), separators=(",", ":")))

        await self._steps(job, dids, export_one)
        _write(folder, _blob_name(request.get("outputBlobName"), DEFAULT_EXPORT_BLOB, "outputBlobName"), lines)
        if request.get("includeConfigurations"):
            _write(folder, _blob_name(request.get("configurationsBlobName"), DEFAULT_CONFIGURATIONS_BLOB,
                                      "configurationsBlobName"), [])

    async def _import(self, job):
        request = job.request
        auth = request["storageAuthenticationType"]
        source = os.path.join(self.container_dir(request["inputBlobContainerUri"], "inputBlobContainerUri", auth),
                              _blob_name(request.get("inputBlobName"), DEFAULT_IMPORT_BLOB, "inputBlobName"))
        output = self.container_dir(request["outputBlobContainerUri"], "outputBlobContainerUri", auth)
        try:
            with open(source, encoding="utf-8") as handle:
                lines = [(number, line) for number, line in enumerate(handle, 1) if line.strip()]
        except OSError:
            raise ImportFailure("The input blob '%s' was not found in the input container."
                                % os.path.basename(source)) from None
        errors = []

        def import_one(item):
            number, line = item
            try:
                self._apply(json.loads(line))
            except (ValueError, TypeError, AttributeError) as exc:
                errors.append(json.dumps({"line": number, "errorCode": "ImportDevicesFailed", "errorStatus": str(exc)}))
            except Exception as exc:  # an ApiError of the registry (DeviceAlreadyExists, DeviceNotFound...)
                errors.append(json.dumps({"line": number, "errorCode": getattr(exc, "code", "ImportDevicesFailed"),
                                          "errorStatus": str(exc)}))

        await self._steps(job, lines, import_one)
        _write(output, _blob_name(request.get("outputBlobName"), DEFAULT_ERROR_BLOB, "outputBlobName"), errors)
        if errors:
            job.status_message = "%d of %d lines could not be imported; see %s." % (
                len(errors), len(lines), DEFAULT_ERROR_BLOB)

    def _apply(self, line):
        """One import line: {"id", "importMode", "status", "authentication", "tags", "properties": {"desired"}}."""
        did = line.get("id")
        if not isinstance(did, str) or not did:
            raise ValueError("the line has no device id")
        mode = str(line.get("importMode") or "createOrUpdate").lower()
        if mode not in IMPORT_MODES:
            raise ValueError("unknown importMode %r" % line.get("importMode"))
        registry = self._registry
        existing = registry.get(did)
        if mode.startswith("delete"):
            if mode == "deleteifmatchetag":
                registry.delete(did, line.get("eTag"))
            else:
                registry.delete(did)
            return
        if mode == "create" and existing is not None:
            raise hub_error("DeviceAlreadyExists", "A device with ID '%s' is already registered." % did)
        if mode.startswith("update") and existing is None:
            raise hub_error("DeviceNotFound", "Device %s not registered." % did)
        keys = ((line.get("authentication") or {}).get("symmetricKey") or {})
        keys = {k: v for k, v in keys.items() if k in ("primaryKey", "secondaryKey") and v}
        status = line.get("status") if line.get("status") in ("enabled", "disabled") else None
        if existing is None:
            registry.create(did, status=status or "enabled", keys=keys or None, seed=self._state.seed)
        elif not mode.startswith("updatetwin"):
            etag = line.get("eTag") if mode.endswith("ifmatchetag") else None
            registry.update_identity(did, etag, status=status, keys=keys or None)
        patch = {}
        if isinstance(line.get("tags"), dict):
            patch["tags"] = line["tags"]
        desired = ((line.get("properties") or {}).get("desired"))
        if isinstance(desired, dict):
            patch["properties"] = {"desired": _strip_meta(desired)}
        if patch:
            registry.patch_twin(did, patch)


class ImportFailure(Exception):
    """The job fails with this failureReason."""


def _strip_meta(section):
    return {k: (_strip_meta(v) if isinstance(v, dict) else v) for k, v in section.items() if not k.startswith("$")}


def export_line(device, exclude_keys=False):
    """One line of an export blob, in the service's ExportImportDevice shape."""
    twin = device.twin
    keys = {"primaryKey": None, "secondaryKey": None} if exclude_keys else dict(device.keys)
    return {
        "id": twin["deviceId"], "eTag": device.device_etag, "status": twin["status"], "statusReason": None,
        "authentication": {"symmetricKey": keys,
                           "x509Thumbprint": {"primaryThumbprint": None, "secondaryThumbprint": None},
                           "type": "sas"},
        "twinETag": twin["etag"], "tags": copy.deepcopy(twin["tags"]),
        "properties": {"desired": copy.deepcopy(twin["properties"]["desired"]),
                       "reported": copy.deepcopy(twin["properties"]["reported"])},
        "capabilities": copy.deepcopy(twin.get("capabilities") or {"iotEdge": False}),
    }


def _write(folder, name, lines):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    temp = path + ".tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))
    os.replace(temp, path)
