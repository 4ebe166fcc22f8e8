# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""One wave of an IoT Hub rollout in one module run: the wave's jobs, the retries of its failed devices, the failure
threshold and the revert, each job through the same Lifecycle as azure_iot.jobs.iothub_scheduled_job (exactly once,
idempotent: a rerun finds every job by its id and changes nothing).

A wave whose devices do not fit in one deviceId IN [...] condition runs as one job over a deviceId range when the hub
lists every device of the wave in that range and the devices of the range outside the wave fit in its condition
(choose_wave_jobs); otherwise as several jobs, its devices cut into queries IoT Hub takes (_rollout.device_id_jobs).
A wave's jobs are judged together. They run in
batches of concurrent_jobs: the batch's jobs are created, then waited for in order (the first wait follows its job; the
later ones have usually ended by then and cost one poll). Free and S1 hubs run one job at a time, so the default, 1,
creates each job once the one before it has ended. A create the hub refuses with its concurrent-job limit while jobs of
the batch still run waits for them and is sent again: the batch shrinks to what the hub runs.
Job ids: <job_id>[-part-<m>], <job_id>-retry-<k>[-part-<m>], <job_id>-revert[-part-<m>], as the role always named them.
A range wave is the one job <job_id>, and its revert the one job <job_id>-revert over the same condition; retries
(few devices) are always IN-list jobs.
"""

from __future__ import annotations

import math
import time

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, CollectionError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import (
    MAX_CONDITION_LENGTH,
    ScheduledJob,
    iter_device_ids,
    normalize_query,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import JobFailure, Lifecycle
from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout import (
    device_id_jobs,
    device_id_range,
    is_range_of,
    part_id,
    quoted,
    range_condition,
    stop_reason,
    wave_record,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import WaitOptions

MAX_RETRIES = 9
MAX_CONCURRENT_JOBS = 10  # the most any tier runs at once (S3, contract.md section 1.6)


_UNREAD = object()


class WaveJob(ScheduledJob):
    """A job of the wave. Its condition (a deviceId IN [...] list or range) is built from ids the hub listed, so a real
    run does not count its devices before the create (iothub_scheduled_job's check of a user's query, one request a
    job); the job's statistics count them. Check mode still counts them: that is the plan's prediction."""

    counts_before_create = True

    def __init__(self, *args, **kwargs):
        super(WaveJob, self).__init__(*args, **kwargs)
        self.prefetched = _UNREAD  # the job as choose_wave_jobs read it: the Lifecycle's lookup, without a second GET

    def get(self, client):
        job, self.prefetched = self.prefetched, _UNREAD
        return super(WaveJob, self).get(client) if job is _UNREAD else job

    def before_create(self, client, warn):
        if not self.counts_before_create:
            return {}
        return super(WaveJob, self).before_create(client, warn)


def _check_range(value, name, low, high):
    if value is None or not low <= value <= high:
        raise ValidationError("%s must be from %s to %s, got %s" % (name, low, high, value))
    return value


class WaveLifecycle(Lifecycle):
    """A job's Lifecycle whose wait may end early, at the end of a progress slice: a timeout names the job's whole
    wait_timeout (job_timeout), not what was left of it in this run."""

    job_timeout = None

    def create_again(self):
        """Create a job whose create the hub refused as busy: the lookup already found no job."""
        return self._create_missing()

    def _failure(self, msg, job=None, err=None, **extra):
        failure = super(WaveLifecycle, self)._failure(msg, job=job, err=err, **extra)
        failure.busy = isinstance(err, ApiError) and self.job.is_busy(err)
        return failure

    def _timed_out(self, job):
        sliced = self.wait
        self.wait = WaitOptions(sliced.wait, self.job_timeout, sliced.sleep)
        try:
            return super(WaveLifecycle, self)._timed_out(job)
        finally:
            self.wait = sliced


class _Started(object):
    """One job of a step on its way: its Lifecycle once tried, the create (or lookup) result and when it was read."""

    def __init__(self, descriptor):
        self.descriptor = descriptor
        self.lifecycle = None
        self.result = None
        self.read_at = None
        self.busy = False  # the last create was refused with the hub's concurrent-job limit
        self.stale = False  # another job was waited for since this one was read


class InProgress(Exception):
    """The progress slice ended while a job still ran: the module returns and is run again."""

    def __init__(self, job_id, job, waited):
        super(InProgress, self).__init__(job_id)
        self.job_id = job_id
        self.job = job
        self.waited = waited


class WavePlan(object):
    """The wave's request, validated before any call: every job it may create is built (and so checked) here."""

    def __init__(self, params, check_mode=False):
        self.check_mode = check_mode
        self.name = params["name"]
        self.job_id = params["job_id"]
        self.device_ids = list(params["device_ids"] or [])
        if not self.name:
            raise ValidationError("name must not be empty: it names the wave in the record and the stop reason")
        if not self.device_ids:
            raise ValidationError("device_ids must list at least one device: a wave without devices runs no job")
        if len(set(self.device_ids)) != len(self.device_ids):
            raise ValidationError("device_ids lists a device more than once; each device belongs to the wave once")
        self.retries = _check_range(params["retries"], "retries", 0, MAX_RETRIES)
        self.threshold = _check_range(params["failure_threshold"], "failure_threshold", 0, 100)
        self.concurrent_jobs = _check_range(params.get("concurrent_jobs", 1), "concurrent_jobs", 1,
                                            MAX_CONCURRENT_JOBS)
        self.revert_patch = params.get("revert_patch")
        if self.revert_patch and params.get("twin_patch") is None:
            raise ValidationError("revert_patch undoes a twin update, so it needs twin_patch")
        self.wait = WaitOptions.from_params(dict(params, wait=True))
        self.progress_interval = params.get("progress_interval") or 0
        if self.progress_interval < 0:
            raise ValidationError("progress_interval must be 0 or more seconds, got %s" % self.progress_interval)
        self.waited = dict((str(key), float(value)) for key, value in (params.get("waited") or {}).items())
        self._params = params
        try:
            self.jobs = self._descriptors(device_id_jobs(self.device_ids, self.job_id))
        except ValueError as err:
            raise ValidationError("device_ids: %s" % err) from None
        # The longest id a retry may get; the revert's parts are as many as the wave's.
        self._descriptor(part_id("%s-retry-%d" % (self.job_id, max(self.retries, 1)), len(self.jobs)), "*")
        self.reverts = self._descriptors(device_id_jobs(self.device_ids, self.job_id + "-revert"),
                                         twin_patch=self.revert_patch) if self.revert_patch else []

    def _descriptor(self, job_id, query, twin_patch=None):
        params = dict(self._params, job_id=job_id, query=query, state="present", start_time="now")
        if twin_patch:
            params.update(twin_patch=twin_patch, method=None)
        job = WaveJob.from_params(params)
        job.counts_before_create = self.check_mode
        return job

    def _descriptors(self, jobs, twin_patch=None):
        return [self._descriptor(job["job_id"], job["query"], twin_patch) for job in jobs]

    def range_jobs(self, query):
        """(the wave's one job, its revert jobs) over a deviceId range condition."""
        reverts = [self._descriptor(self.job_id + "-revert", query, self.revert_patch)] if self.revert_patch else []
        return [self._descriptor(self.job_id, query)], reverts

    def retry_jobs(self, attempt, failed_ids):
        return self._descriptors(device_id_jobs(failed_ids, "%s-retry-%d" % (self.job_id, attempt)))

    def threshold_text(self):
        """The threshold as the user wrote it: 10, not 10.0."""
        return "%g" % self.threshold


def _listed_range(client, plan):
    """The range condition of the wave, less the devices the hub lists in the range outside the wave; None when the
    hub does not list every device of the wave there (its string order is not ours), when those devices do not fit
    in one condition, or when it refuses the query (400: a hub that does not order strings). The listing stops as
    soon as they do not fit, so a range over a large fleet costs a page or two."""
    wave, found, excluded = set(plan.device_ids), 0, []
    # The condition's length with the exclusions so far; each adds its quoted id and ", " (the first no ", ").
    length = len(range_condition(plan.device_ids, [""])) - len(quoted("")) - 2
    try:
        for device_id in iter_device_ids(client, device_id_range(plan.device_ids)):
            if device_id in wave:
                found += 1
                continue
            excluded.append(device_id)
            length += len(quoted(device_id)) + 2
            if length > MAX_CONDITION_LENGTH:
                return None
    except ApiError as err:
        if err.status != 400:
            raise
        return None
    if found != len(wave):
        return None
    return range_condition(plan.device_ids, sorted(excluded))


def choose_wave_jobs(client, plan):
    """(the wave's jobs, its revert jobs): what the first run chose, or, before any job exists, one range job when
    the hub's listing allows it, else the IN-list parts. The wave's first job id is read first: an existing range
    job of this wave's bounds is adopted as it is (no listing), any other job means the parts (part 1 is compared
    with it as usual). The job as read is handed to the chosen first job, so its Lifecycle does not read it again.
    A device registered in the range between the listing and the job's start is included in the wave's job."""
    first = plan.jobs[0]
    if len(plan.jobs) == 1:
        return plan.jobs, plan.reverts
    existing = first.get(client)
    if existing is None:
        query = _listed_range(client, plan)
    else:
        query = normalize_query(existing.get("query"), strict=False)
        query = query if is_range_of(query, plan.device_ids) else None
    jobs, reverts = plan.jobs, plan.reverts
    if query is not None:
        try:
            jobs, reverts = plan.range_jobs(query)
        except ValidationError:
            pass  # an excluded id the condition checks refuse (a bracket in an id): the parts
    jobs[0].prefetched = existing
    return jobs, reverts


class WaveRun(object):
    """Runs a WavePlan against the hub (or predicts it in check mode) and returns the module result."""

    def __init__(self, client, plan, check_mode=False, diff=False, warn=None, clock=None):
        self.client = client
        self._clock = clock or time.monotonic  # looked up now, so tests can patch it
        # Slicing: the module returns once it has waited progress_interval seconds on a job that still runs.
        self.slice_end = self._clock() + plan.progress_interval if plan.progress_interval and not check_mode else None
        self.plan = plan
        self.check_mode = check_mode
        self.diff = diff
        self.warn = warn
        self.jobs = []  # what each job did, in order: the result's `jobs`
        self.changed = False
        self.wave_jobs = plan.jobs  # the wave's jobs as chosen (choose_wave_jobs): a range job or the parts

    def run(self):
        plan = self.plan
        try:
            self.wave_jobs, reverts = choose_wave_jobs(self.client, plan)
            failed, targeted = self._step(self.wave_jobs, "wave")
            if self.check_mode:
                return self._result(self._planned(targeted), "")
            retried = 0
            for attempt in range(1, plan.retries + 1):
                if not failed:
                    break
                failed, _targeted = self._step(plan.retry_jobs(attempt, failed), "retry")
                retried = attempt
            reason = stop_reason(plan.name, len(plan.device_ids), len(failed), plan.threshold, plan.threshold_text())
            if reason and reverts:
                self._step(reverts, "revert")
            record = wave_record(plan.name, plan.job_id, len(plan.device_ids), failed, retries=retried,
                                 stop_reason_text=reason, revert_patch=plan.revert_patch)
            return self._result(dict(record, job_ids=self._wave_job_ids()), reason)
        except InProgress as progress:
            return {"changed": self.changed, "in_progress": True, "job": progress.job, "jobs": self.jobs,
                    "waited": dict(plan.waited, **{progress.job_id: progress.waited})}
        except CollectionError as err:
            # The jobs this run created stay created: the failure says so, and which job it stopped at.
            failure = err if isinstance(err, JobFailure) else JobFailure(err.msg, err.to_fail_json())
            failure.result.update(changed=self.changed, jobs=self.jobs)
            raise failure from None

    def _step(self, descriptors, role):
        """Run (or predict) these jobs, concurrent_jobs at a time: (the ids of the devices that failed, devices
        targeted). Jobs are noted and judged in their order, whatever order they end in."""
        failed, targeted = [], 0
        waiting = [_Started(descriptor) for descriptor in descriptors]
        running = []  # created (or found), not yet waited for, in order
        while waiting or running:
            while waiting and len(running) < self.plan.concurrent_jobs:
                if not self._start(waiting[0], role, busy_ok=bool(running)):
                    break  # the hub runs as many jobs as it may: wait for ours, then create this one again
                running.append(waiting.pop(0))
            started = running.pop(0)
            result = self._finish(started, role)
            for other in running:
                other.stale = True  # its create answer is older than this wait
            failed += [row["device_id"] for row in result.get("device_results") or []]
            targeted += self._note(started.descriptor, role, result)
        return failed, targeted

    def _start(self, started, role, busy_ok):
        """Create the job, or find it; False when busy_ok and the hub refused the create with its concurrent-job
        limit (the job is then known not to exist: the next attempt creates it without a lookup)."""
        if started.lifecycle is None:
            started.lifecycle = WaveLifecycle(self.client, started.descriptor, check_mode=self.check_mode,
                                              wait=WaitOptions(False, self.plan.wait.timeout, self.plan.wait.sleep),
                                              fail_on_device_failures=False, warn=self.warn)
            started.lifecycle.job_timeout = self.plan.wait.timeout
        try:
            started.result = started.lifecycle.create_again() if started.busy else started.lifecycle.present()
        except JobFailure as failure:
            started.busy = getattr(failure, "busy", False)
            if started.busy and busy_ok:
                return False
            self._note(started.descriptor, role, failure.result)
            raise
        started.read_at = self._clock()
        return True

    def _finish(self, started, role):
        """Wait for a started job to end; its result. A job that still ran when it was last read, before another
        job was waited for, is read anew, no sooner than wait_sleep after that read (polls stay wait_sleep apart)."""
        descriptor, lifecycle, result = started.descriptor, started.lifecycle, started.result
        if self.check_mode:
            return result
        job = result.get(descriptor.result_key) or {}
        lifecycle.wait = self._wait(descriptor)
        if started.stale and descriptor.status(job) not in descriptor.terminal:
            pause = started.read_at + self.plan.wait.sleep - self._clock()
            if pause > 0:
                lifecycle._sleep(pause)
            job = None
        try:
            return lifecycle.wait_done(result, job, lifecycle._deadline())
        except JobFailure as failure:
            self._note(descriptor, role, failure.result)  # the job that failed, as far as it got
            job = failure.result.get("job") or {}
            if (lifecycle.wait.timeout < self._left(descriptor) and "status_history" in failure.result and job
                    and descriptor.status(job) not in descriptor.terminal):
                raise InProgress(descriptor.job_id, job, self.plan.waited.get(descriptor.job_id, 0)
                                 + (failure.result.get("elapsed") or 0)) from None
            raise

    def _left(self, descriptor):
        """Seconds of wait_timeout left for this job, after what earlier runs of the task waited for it."""
        return self.plan.wait.timeout - self.plan.waited.get(descriptor.job_id, 0)

    def _wait(self, descriptor):
        """The job's wait in this run: what is left of its wait_timeout, cut at the end of the progress slice."""
        timeout = max(1, int(math.ceil(self._left(descriptor))))
        if self.slice_end is not None:
            timeout = min(timeout, max(self.plan.wait.sleep, int(math.ceil(self.slice_end - self._clock()))))
        return WaitOptions(True, timeout, min(self.plan.wait.sleep, timeout))

    def _note(self, descriptor, role, result):
        """Add the job to the result's `jobs`; the devices it targets."""
        job = result.get("job") or {}
        changed = bool(result.get("changed"))
        self.changed = self.changed or changed
        count = result.get("targeted_devices", (job.get("statistics") or {}).get("device_count")) or 0
        self.jobs.append({"job_id": descriptor.job_id, "step": role, "changed": changed, "status": job.get("status"),
                          "statistics": job.get("statistics"), "device_count": count,
                          "elapsed": result.get("elapsed")})
        return count

    def _wave_job_ids(self):
        return [descriptor.job_id for descriptor in self.wave_jobs]

    def _planned(self, targeted):
        """Check mode: the wave as it would be recorded, with the devices its jobs' queries target now."""
        record = wave_record(self.plan.name, self.plan.job_id, len(self.plan.device_ids), [])
        return dict(record, job_ids=self._wave_job_ids(), status="planned", succeeded=0, targeted_devices=targeted)

    def _result(self, record, reason):
        result = {"changed": self.changed, "wave": record, "stopped_reason": reason, "planned": self.check_mode,
                  "jobs": self.jobs}
        if self.diff and self.changed:
            existing = [job["job_id"] for job in self.jobs if not job["changed"]]
            result["diff"] = {
                "before": {"jobs": existing},
                "after": {"jobs": [{"job_id": descriptor.job_id, "query": descriptor.query}
                                   for descriptor in self.wave_jobs], "device_ids": self.plan.device_ids},
            }
        return result
