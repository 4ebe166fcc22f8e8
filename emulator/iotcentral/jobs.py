"""IoT Central jobs: validation of the Job body and the state machine, driven by one asyncio task per job.

    PUT -> pending --(START_DELAY)--> running --(every device done)--> complete (failed: every device failed)
    running --(failures pass the cancellation threshold)--> cancelled
    pending / running --stop--> stopped --resume--> running
    complete / failed / cancelled --rerun--> a new job (id = rerunId) over the failed devices

The device set is the group's members when the job is created. Devices are processed one after another at
`central_device_ops_per_second` (emulated time), batch after batch; each device completes or fails (a seeded draw
against `central_failure_rate` per (job, device), or its template matches no data item). The threshold is checked
after every device: with `batch: true` against the failures of the current batch (a percentage of the batch size),
otherwise against all failures of the job (a percentage of all its devices); the job is cancelled once the failures
are more than the threshold.
"""
import asyncio
import copy
import logging
import math
import re

from ..clock import Timeline, cancel_tasks
from ..iothub.registry import draw
from ..timefmt import iso7
from .errors import central_error
from .templates import capabilities

LOG = logging.getLogger("emulator.iotcentral.jobs")

START_DELAY = 1.0  # emulated seconds a job stays pending
ACTIVE = frozenset(("pending", "running"))  # these count against the running-jobs limit
TERMINAL = frozenset(("complete", "failed", "cancelled"))
JOB_ID = re.compile(r"^[a-zA-Z0-9_-]{1,255}$")
CAPABILITY_TYPES = ("property", "command", "cloudProperty")
DATA_TYPES = CAPABILITY_TYPES + ("deviceTemplateMigration",)
LONG_TYPES = {"PropertyJobData": "property", "CommandJobData": "command", "CloudPropertyJobData": "cloudProperty",
              "DeviceTemplateMigrationJobData": "deviceTemplateMigration"}


def _invalid(message):
    return central_error(400, "InvalidJob", message)


def check_job_id(job_id, what="job id"):
    if not JOB_ID.match(job_id):
        raise central_error(400, "InvalidId", "The %s '%s' is not valid: use 1 to 255 letters, digits, '-' or '_'."
                            % (what, job_id))


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_limit(body, name, with_batch=False):
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in ("number", "percentage") \
            or not _is_number(value.get("value")) or value["value"] <= 0:
        raise _invalid("%s must be {\"type\": \"number\" | \"percentage\", \"value\": a positive number}" % name)
    if value["type"] == "percentage" and value["value"] > 100:
        raise _invalid("%s: a percentage must be at most 100, got %s" % (name, value["value"]))
    parsed = {"type": value["type"], "value": value["value"]}
    if with_batch:
        if not isinstance(value.get("batch", False), bool):
            raise _invalid("%s.batch must be true or false" % name)
        parsed["batch"] = value.get("batch", False)
    return parsed


def _parse_data(items, app):
    if not isinstance(items, list) or not items:
        raise _invalid("data must be a list of at least one job data item")
    parsed = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _invalid("data[%d] must be an object" % index)
        kind = LONG_TYPES.get(item.get("type"), item.get("type"))
        if kind not in DATA_TYPES:
            raise _invalid("data[%d].type must be one of %s, got %r" % (index, ", ".join(DATA_TYPES), item.get("type")))
        if kind == "deviceTemplateMigration":
            template = item.get("template")
            if not isinstance(template, str) or template not in app.templates:
                raise _invalid("data[%d].template: no device template '%s'" % (index, template))
            parsed.append({"type": kind, "template": template})
            continue
        target, path = item.get("target"), item.get("path")
        if not isinstance(target, str) or target not in app.templates:
            raise _invalid("data[%d].target: no device template '%s'" % (index, target))
        known = capabilities_of(app, target)[kind]
        if path not in known:
            raise _invalid("data[%d].path: template '%s' has no %s '%s' (it has: %s)"
                           % (index, target, kind, path, ", ".join(sorted(known)) or "none"))
        if kind != "command" and item.get("value") is None:
            raise _invalid("data[%d].value is required for a %s job" % (index, kind))
        entry = {"type": kind, "target": target, "path": path}
        if "value" in item:
            entry["value"] = copy.deepcopy(item["value"])
        parsed.append(entry)
    if len({entry["type"] for entry in parsed}) > 1:
        raise _invalid("all data items must be of the same type")
    return parsed


def capabilities_of(app, tid):
    return capabilities(app.templates[tid])


def parse_job(body, app):
    """The stored definition of a Job body (read-only fields ignored), or a 400."""
    if not isinstance(body, dict):
        raise _invalid("The request body must be a Job object.")
    group = body.get("group")
    if not isinstance(group, str) or not group:
        raise _invalid("group (a device group id) is required")
    if group not in app.groups:
        raise _invalid("group: no device group '%s'" % group)
    spec = {"group": group, "data": _parse_data(body.get("data"), app)}
    for key in ("displayName", "description"):
        if body.get(key) is not None:
            if not isinstance(body[key], str):
                raise _invalid("%s must be a string" % key)
            spec[key] = body[key]
    batch = _parse_limit(body, "batch")
    if batch:
        spec["batch"] = batch
    threshold = _parse_limit(body, "cancellationThreshold", with_batch=True)
    if threshold:
        spec["cancellationThreshold"] = threshold
    organizations = body.get("organizations")
    if organizations is not None:
        if not isinstance(organizations, list) or len(organizations) != 1 or not isinstance(organizations[0], str):
            raise _invalid("organizations must be a list of exactly one organization id")
        spec["organizations"] = list(organizations)
    return spec


class CentralJob:
    def __init__(self, job_id, spec, device_ids):
        self.job_id = job_id
        self.spec = spec
        self.order = list(device_ids)
        self.device_status = {did: "pending" for did in self.order}
        self.position = {did: index for index, did in enumerate(self.order)}
        self.status = "pending"
        self.start = None
        self.end = None
        self.task = None
        total = len(self.order)
        batch = spec.get("batch")
        if batch is None or total == 0:
            self.batch_size = max(total, 1)
        elif batch["type"] == "number":
            self.batch_size = max(int(math.ceil(batch["value"])), 1)
        else:
            self.batch_size = max(int(math.ceil(total * batch["value"] / 100.0)), 1)
        self.batch_failed = {}

    def counts(self):
        counts = {"pending": 0, "completed": 0, "failed": 0}
        for status in self.device_status.values():
            counts[status] += 1
        return counts

    def to_wire(self):
        body = {"id": self.job_id}
        body.update(copy.deepcopy(self.spec))
        if self.start is not None:
            body["start"] = iso7(self.start)
        if self.end is not None:
            body["end"] = iso7(self.end)
        body["progress"] = dict(self.counts(), total=len(self.order))
        body["status"] = self.status
        return body

    def batch_of(self, did):
        return self.position[did] // self.batch_size

    def threshold_passed(self, did):
        threshold = self.spec.get("cancellationThreshold")
        if threshold is None:
            return False
        if threshold["batch"]:
            index = self.batch_of(did)
            failed = self.batch_failed.get(index, 0)
            size = min(self.batch_size, len(self.order) - index * self.batch_size)
        else:
            failed = sum(self.batch_failed.values())
            size = len(self.order)
        limit = threshold["value"] if threshold["type"] == "number" else threshold["value"] * size / 100.0
        return failed > limit


class JobEngine:
    def __init__(self, state, app):
        self._state = state
        self._app = app
        self.jobs = {}  # id -> CentralJob, in creation order

    # --- API operations ---------------------------------------------------------------------------------------
    def get(self, job_id):
        job = self.jobs.get(job_id)
        if job is None:
            raise central_error(404, "NotFound", "Job '%s' was not found." % job_id)
        return job

    def _check_limit(self):
        limit = self._state.config.central_max_running_jobs
        running = sum(1 for job in self.jobs.values() if job.status in ACTIVE)
        if running >= limit:
            raise central_error(409, "TooManyRunningJobs", "The application already runs %d jobs, the maximum is "
                                "%d. Wait for a job to finish or stop one." % (running, limit))

    def create(self, job_id, body):
        check_job_id(job_id)
        if job_id in self.jobs:
            raise central_error(409, "Conflict", "A job with id '%s' already exists." % job_id)
        spec = parse_job(body, self._app)
        self._check_limit()
        members = [device.wire["id"] for device in self._app.group_members(spec["group"])]
        return self._start(CentralJob(job_id, spec, members))

    def _start(self, job, delay=START_DELAY):
        self.jobs[job.job_id] = job
        job.task = asyncio.get_running_loop().create_task(self._run(job, delay), name="central job " + job.job_id)
        return job

    def stop(self, job_id):
        job = self.get(job_id)
        if job.status not in ACTIVE:
            raise central_error(409, "InvalidJobState", "Job '%s' is %s: only a pending or running job can be "
                                "stopped." % (job_id, job.status))
        job.task.cancel()
        job.status = "stopped"

    def resume(self, job_id):
        job = self.get(job_id)
        if job.status != "stopped":
            raise central_error(409, "InvalidJobState", "Job '%s' is %s: only a stopped job can be resumed."
                                % (job_id, job.status))
        self._check_limit()
        job.status = "running"
        job.task = asyncio.get_running_loop().create_task(self._run(job, 0), name="central job " + job.job_id)

    def rerun(self, job_id, rerun_id):
        job = self.get(job_id)
        check_job_id(rerun_id, "rerun id")
        if rerun_id in self.jobs:
            raise central_error(409, "Conflict", "A job with id '%s' already exists." % rerun_id)
        if job.status not in TERMINAL:
            raise central_error(409, "InvalidJobState", "Job '%s' is %s: only a complete, failed or cancelled job "
                                "can be rerun." % (job_id, job.status))
        failed = [did for did in job.order if job.device_status[did] == "failed"]
        if not failed:
            raise central_error(409, "NoFailedDevices", "Job '%s' has no failed devices to rerun." % job_id)
        self._check_limit()
        return self._start(CentralJob(rerun_id, copy.deepcopy(job.spec), failed))

    async def close(self):
        await cancel_tasks(self.jobs.values())
        self.jobs.clear()

    # --- the state machine ------------------------------------------------------------------------------------
    async def _run(self, job, delay):
        clock = self._state.clock
        try:
            if delay:
                await clock.sleep(delay)
            job.status = "running"
            timeline = Timeline(clock, clock.now())
            if job.start is None:
                job.start = timeline.now()
            waiting = [did for did in job.order if job.device_status[did] == "pending"]
            done = 0
            while done < len(waiting):
                rate = self._state.config.central_device_ops_per_second
                due = min(len(waiting), int(timeline.offset() * rate))
                while done < due:
                    did = waiting[done]
                    done += 1
                    if self._settle(job, did):
                        job.status = "cancelled"
                        job.end = timeline.now()
                        return
                if done < len(waiting):
                    await clock.sleep(max((done + 1) / rate - timeline.offset(), 0.0))
            counts = job.counts()
            job.status = "failed" if job.order and counts["failed"] == len(job.order) else "complete"
            job.end = timeline.now()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not leave the job running forever
            LOG.exception("central job %s crashed", job.job_id)
            job.status = "failed"
            job.end = clock.now()

    def _settle(self, job, did):
        """Process one device; True when the failures now pass the cancellation threshold."""
        device = self._app.devices.get(did)
        ok = device is not None and draw(self._state.seed, "central-job", job.job_id, did) \
            >= self._state.config.central_failure_rate
        if ok:
            ok = self._apply(job, device)
        job.device_status[did] = "completed" if ok else "failed"
        if ok:
            return False
        index = job.batch_of(did)
        job.batch_failed[index] = job.batch_failed.get(index, 0) + 1
        return job.threshold_passed(did)

    @staticmethod
    def _apply(job, device):
        """Apply the data items that target the device's template; False when none does."""
        applied = False
        for item in job.spec["data"]:
            if item["type"] == "deviceTemplateMigration":
                device.wire["template"] = item["template"]
                applied = True
            elif item["target"] == device.wire["template"]:
                applied = True
                if item["type"] == "property":
                    device.properties[item["path"]] = copy.deepcopy(item["value"])
                elif item["type"] == "cloudProperty":
                    device.cloud_properties[item["path"]] = copy.deepcopy(item["value"])
                else:
                    device.commands.append((item["path"], copy.deepcopy(item.get("value"))))
        return applied
