# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""The generic idempotent job engine: get -> compare -> create / cancel, with check mode, diff and waiting.

A job, once submitted, cannot be edited; so "present" means "a job with this id and this request exists" and
"absent" means "the job will not run (any more)". Everything service-specific comes from a descriptor object
(`_iothub.ScheduledJob` for IoT Hub); the engine only sees jobs already projected to the modules' snake_case.

Descriptor interface (attributes and methods the engine calls):

    job_id, noun                          the job's id and a human name ("IoT Hub scheduled job")
    terminal, cancellable, uncancellable  sets of job statuses
    get(client) -> job | None             one GET; None when the service has no such job
    compare(job) -> (before, after)       request views of the existing job and of the request laid over it
    predict(client) -> (job, extras)      the job a real run would create, and extra result keys (check mode)
    create(client) -> job                 submit; may raise ApiError (duplicate, busy, ...)
    is_duplicate(err), is_busy(err)       classify an ApiError of create
    busy_message(err) -> str              failure message when the service's job slots are full
    predict_cancelled(job) -> job
    cancel(client, job) -> job | None     None when the service no longer knows the job
    is_refused(err), refusal(job, err=None) -> str   a job the service will not cancel, and why
    status(job) -> str
    counts(job) -> (failed, succeeded, total)        device counts (None when unknown)
    failed_devices(client, job) -> list   per-device results of the failed devices

Optional, for services whose jobs can be stopped, resumed and rerun (IoT Central; see `transition()` and
`rerun()`):

    paused                                statuses a job rests in until resumed (waiting stops there)
    cancelled_message(job) -> str         failure message of a job cancelled (by a cancellation threshold)
    has_request                           True when the task states a request to compare with an existing job
    missing_message(state) -> str         failure message when a stop/resume/rerun names no existing job
    transition_refusal(job, state, err=None) -> str / can_transition(job, state) -> bool / is_at(job, state)
    finished_note(job, state) -> str      warning when a stop/resume finds the job already ended (no change)
    transition(client, state)             POST stop / resume
    rerun_descriptor() -> descriptor      the descriptor of the rerun job (same interface)
    can_rerun(job) -> bool, rerun_refusal(job, err=None) -> str, is_nothing_to_rerun(err)
    predict_rerun(job) -> (job, extras), rerun(client) -> job
"""

from __future__ import annotations

import time

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import (
    Deadline,
    WaitOptions,
    backoff_delays,
    wait_for,
)


class JobFailure(CollectionError):
    """A job-level failure that carries the module result (job, device_results, elapsed, ...) with it."""

    def __init__(self, msg, result=None):
        super(JobFailure, self).__init__(msg)
        self.msg = msg
        self.result = dict(result or {})

    def to_fail_json(self):
        out = dict(self.result)
        out["msg"] = self.msg
        return out


def _error_details(err):
    """status, error_code, request_id, method, path of an ApiError, without its msg."""
    details = dict(err.to_fail_json())
    details.pop("msg", None)
    return details


class JobEngine(object):
    def __init__(self, client, descriptor, check_mode=False, diff=False, wait=None, fail_on_device_failures=True,
                 queue_when_busy=False, warn=None, clock=None, sleep=None):
        self.client = client
        self.job = descriptor
        self.check_mode = check_mode
        self.diff = diff
        self.wait = wait or WaitOptions()
        self.fail_on_device_failures = fail_on_device_failures
        self.queue_when_busy = queue_when_busy
        self.warn = warn or (lambda msg: None)
        # Looked up now, not at import, so tests can patch time.monotonic / time.sleep.
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep

    # -- results -------------------------------------------------------------------------------------------------

    def _result(self, changed, job, before=None, **extra):
        result = dict(changed=changed, job=job or {}, **extra)
        if self.diff and changed:
            result["diff"] = {"before": before or {}, "after": job or {}}
        return result

    def _deadline(self):
        return Deadline(self.wait.timeout, clock=self._clock, sleep=self._sleep)

    def _conflict(self, job, before, after):
        fields = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        result = {"changed": False, "job": job, "existing": before, "requested": after, "differences": fields}
        if self.diff:
            result["diff"] = {"before": before, "after": after}
        return JobFailure(
            "job %r already exists with a different request (%s differ); an %s cannot be changed once submitted: "
            "choose a new job_id to submit this request" % (self.job.job_id, ", ".join(fields), self.job.noun),
            result)

    def _check_same(self, job):
        before, after = self.job.compare(job)
        if before != after:
            raise self._conflict(job, before, after)

    # -- state: present --------------------------------------------------------------------------------------

    def present(self):
        job = self.job.get(self.client)
        if job is not None:
            self._check_same(job)
            result = self._result(False, job)
            if self.wait.wait and not self.check_mode:
                self._wait_done(result, job, self._deadline())
            return result
        if self.check_mode:
            predicted, extras = self.job.predict(self.client)
            return self._result(True, predicted, **extras)
        deadline = self._deadline()
        result = self._result(True, self._create(deadline))
        if self.wait.wait:
            self._wait_done(result, result["job"], deadline)
        return result

    def _create(self, deadline):
        delays = backoff_delays(self.wait.sleep)
        while True:
            try:
                return self.job.create(self.client)
            except ApiError as err:
                if self.job.is_duplicate(err):
                    # A retried create whose first attempt went through (or a concurrent twin): same request or not?
                    job = self.job.get(self.client)
                    if job is None:
                        raise
                    self._check_same(job)
                    return job
                if not self.job.is_busy(err):
                    raise
                details = dict(_error_details(err), changed=False)
                if not self.queue_when_busy:
                    raise JobFailure(self.job.busy_message(err), details) from err
                delay = next(delays)
                self.warn("job %r: no free job slot (%s); retrying in %.0f s (queue_when_busy, %.0f s left of "
                          "wait_timeout)" % (self.job.job_id, err.code, delay, max(deadline.remaining(), 0)))
                if not deadline.pause(delay):
                    raise JobFailure("job %r: no free job slot within wait_timeout (%s s); the hub's concurrent-job "
                                     "limit is still reached" % (self.job.job_id, self.wait.timeout), details) from err

    # -- waiting ---------------------------------------------------------------------------------------------

    def _poll(self):
        return self.job.get(self.client) or {}

    def _until_terminal(self, job, deadline):
        terminal = self.job.terminal | frozenset(getattr(self.job, "paused", ()))
        return wait_for(self._poll, self.job.status, lambda j: not j or self.job.status(j) in terminal, deadline,
                        self.wait.sleep, first=job)

    def _wait_done(self, result, job, deadline):
        """Wait for the job to end; fail (with the result attached) unless it completed as the user wants."""
        outcome = self._until_terminal(job, deadline)
        job = outcome.last
        result.update(job=job, elapsed=outcome.elapsed, status_history=outcome.history)
        result["device_results"] = self.job.failed_devices(self.client, job) if job else []
        job_id, status = self.job.job_id, self.job.status(job)
        if outcome.timed_out:
            raise JobFailure("timed out after %s s waiting for job %r (status %s); the job keeps running on the hub: "
                             "wait again with the same task, or raise wait_timeout"
                             % (self.wait.timeout, job_id, status), result)
        if not job:
            raise JobFailure("job %r disappeared from the hub while waiting for it" % job_id, result)
        if status == "failed":
            raise JobFailure("job %r failed: %s" % (job_id, job.get("failure_reason") or job.get("status_message")
                                                    or "no reason given"), result)
        if status == "cancelled":
            message = getattr(self.job, "cancelled_message", None)
            raise JobFailure(message(job) if message else "job %r was cancelled before it completed" % job_id, result)
        if status in getattr(self.job, "paused", ()):
            raise JobFailure("job %r is %s and will not end until it is resumed (state=running)" % (job_id, status),
                             result)
        failed, succeeded, total = self.job.counts(job)
        if self.fail_on_device_failures and (failed or result["device_results"]):
            raise JobFailure("job %r completed, but %s of %s devices failed (%s succeeded); see device_results, or "
                             "set fail_on_device_failures: false to accept device failures"
                             % (job_id, failed if failed is not None else len(result["device_results"]), total,
                                succeeded), result)
        return result

    # -- state: absent ---------------------------------------------------------------------------------------

    def absent(self):
        job = self.job.get(self.client)
        if job is None:
            return self._result(False, {})
        status = self.job.status(job)
        if status in self.job.terminal:
            return self._result(False, job)
        if status in self.job.uncancellable:
            raise JobFailure(self.job.refusal(job), {"changed": False, "job": job})
        if self.check_mode:
            return self._result(True, self.job.predict_cancelled(job), before=job)
        deadline = self._deadline()
        try:
            cancelled = self.job.cancel(self.client, job)
        except ApiError as err:
            if self.job.is_refused(err):
                raise JobFailure(self.job.refusal(job, err), dict(_error_details(err), changed=False, job=job)) from err
            raise
        if cancelled is None:
            return self._result(False, {})
        result = self._result(True, cancelled, before=job)
        if self.wait.wait:
            outcome = self._until_terminal(cancelled, deadline)
            result.update(job=outcome.last, elapsed=outcome.elapsed, status_history=outcome.history)
            if outcome.timed_out:
                raise JobFailure("timed out after %s s waiting for job %r to report it was cancelled (status %s)"
                                 % (self.wait.timeout, self.job.job_id, self.job.status(outcome.last)), result)
        return result

    # -- stop / resume / rerun (IoT Central) -----------------------------------------------------------------

    def _existing(self, state):
        job = self.job.get(self.client)
        if job is None:
            raise JobFailure(self.job.missing_message(state), {"changed": False, "job": {}})
        if self.job.has_request:
            self._check_same(job)
        return job

    def transition(self, state):
        """state "stopped" (stop a pending or running job) or "running" (resume a stopped job)."""
        job = self._existing(state)
        finished = self.job.status(job) in self.job.terminal
        if finished:
            # "Stop it if it runs" / "resume it if stopped": a job that has ended satisfies both; the service would
            # refuse the call anyway.
            self.warn(self.job.finished_note(job, state))
        if finished or self.job.is_at(job, state):
            result = self._result(False, job)
            if state == "running" and self.wait.wait and not self.check_mode:
                self._wait_done(result, job, self._deadline())
            return result
        if not self.job.can_transition(job, state):
            raise JobFailure(self.job.transition_refusal(job, state), {"changed": False, "job": job})
        if self.check_mode:
            return self._result(True, dict(job, status=state), before=job)
        deadline = self._deadline()
        try:
            self.job.transition(self.client, state)
        except ApiError as err:
            if self.job.is_busy(err):
                raise JobFailure(self.job.busy_message(err), dict(_error_details(err), changed=False, job=job)) from err
            if err.status in (400, 409):
                raise JobFailure(self.job.transition_refusal(job, state, err),
                                 dict(_error_details(err), changed=False, job=job)) from err
            raise
        after = self.job.get(self.client) or dict(job, status=state)
        result = self._result(True, after, before=job)
        if state == "running" and self.wait.wait:
            self._wait_done(result, after, deadline)
        return result

    def _for(self, descriptor):
        return JobEngine(self.client, descriptor, check_mode=self.check_mode, diff=self.diff, wait=self.wait,
                         fail_on_device_failures=self.fail_on_device_failures, queue_when_busy=self.queue_when_busy,
                         warn=self.warn, clock=self._clock, sleep=self._sleep)

    def rerun(self):
        """Rerun the failed devices of a finished job as a new job (the rerun id); an existing rerun is no change."""
        target = self._for(self.job.rerun_descriptor())
        existing = target.job.get(self.client)
        if existing is not None:
            result = self._result(False, existing)
            if self.wait.wait and not self.check_mode:
                target._wait_done(result, existing, self._deadline())
            return result
        job = self._existing("rerun")
        if not self.job.can_rerun(job):
            raise JobFailure(self.job.rerun_refusal(job), {"changed": False, "job": job})
        if not self.job.counts(job)[0]:
            self.warn("job %r has no failed devices: nothing to rerun" % self.job.job_id)
            return self._result(False, job)
        if self.check_mode:
            predicted, extras = self.job.predict_rerun(job)
            return self._result(True, predicted, **extras)
        deadline = self._deadline()
        created = self._start_rerun(target, job)
        if created is None:
            return self._result(False, job)
        result = self._result(True, created)
        if self.wait.wait:
            target._wait_done(result, created, deadline)
        return result

    def _start_rerun(self, target, job):
        """The rerun job as created (or as found after a lost answer); None when the service has nothing to rerun."""
        try:
            return self.job.rerun(self.client)
        except ApiError as err:
            details = dict(_error_details(err), changed=False, job=job)
            if self.job.is_busy(err):
                raise JobFailure(self.job.busy_message(err), details) from err
            if self.job.is_duplicate(err):
                created = target.job.get(self.client)
                if created is None:
                    raise
                return created
            if self.job.is_nothing_to_rerun(err):
                self.warn("job %r has no failed devices: nothing to rerun" % self.job.job_id)
                return None
            if err.status in (400, 409):
                raise JobFailure(self.job.rerun_refusal(job, err), details) from err
            raise
