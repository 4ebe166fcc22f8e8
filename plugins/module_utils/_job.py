# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""One job lifecycle for every module that creates something: get -> compare -> create / update / remove, with check
mode, diff, waiting and one verdict on how a job ended.

A `Descriptor` says what one kind of job is (IoT Hub scheduled job, IoT Central job or scheduled job, import/export
job): how to read, create and compare it, and how its statuses and device counts read. The four abstract methods are
required; everything else has a default that a descriptor overrides when its service supports it. `Lifecycle` holds
the states a module can ask for, as methods: `present()` for every kind, `absent()` for the kinds that can be cancelled
or deleted (`Descriptor.remove`). IoT Central's stop, resume and rerun are in a subclass (`_iotcentral`).

Exactly once, whatever the network does: after a write whose answer went wrong in a way that leaves open whether the
service applied it (a 5xx, a dropped connection, a read timeout: `_errors.is_ambiguous`), the lifecycle reads the
service's state and decides from it, never from the error alone. `changed` is true only when this task's own request
made the change: a 409 to the first attempt means another run made the job; a 409 to a retry after a lost answer
means this task's first attempt did (`_errors.after_own_attempt`). See docs/reliability.md.

The engine only sees jobs already projected to the modules' snake_case dicts.
"""

from __future__ import annotations

import abc
import time

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import (
    ApiError,
    CollectionError,
    TransportError,
    after_own_attempt,
    is_ambiguous,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._poll_plan import NO_READING, PollPlan, Reading
from ansible_collections.azure_iot.jobs.plugins.module_utils._time import utcnow
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import (
    Deadline,
    WaitOptions,
    backoff_delays,
    follow,
    wait_for,
)


# How often a create that must not run twice is sent again after its answer was lost and the service holds no job
# it started; how often a remove is sent again, or the job re-read, while it still reads as it did before.
MAX_RESENDS = 2
SETTLE_READS = 3
SETTLE_PAUSE = 1.0


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


class Descriptor(abc.ABC):
    """One kind of job, as the lifecycle needs to know it."""

    noun = "job"  # the kind's name in messages ("IoT Hub scheduled job")
    result_key = "job"  # the result key that holds the job
    terminal = frozenset()  # statuses of a job that has ended
    paused = frozenset()  # statuses a job rests in until it is resumed: waiting stops there
    mutable = False  # True: an existing job that differs from the request is updated, not refused
    timeout_hint = "the job keeps running on the hub: wait again with the same task, or raise wait_timeout"

    def __init__(self, job_id):
        self.job_id = job_id

    @property
    def label(self):
        """How messages name this job."""
        return "job %r" % (self.job_id,)

    # -- required ----------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def get(self, client):
        """The job, projected; None when the service has no such job."""

    @abc.abstractmethod
    def create(self, client):
        """Submit the request; the job as the service reports it. May raise ApiError (duplicate, busy, ...)."""

    @abc.abstractmethod
    def predict(self, client):
        """(job, extra result keys): what a real run would create, for check mode."""

    @abc.abstractmethod
    def compare(self, job):
        """(existing, requested): request views of an existing job and of the request laid over it (options the
        task leaves unset take the existing values); equal views mean the job is the one asked for."""

    # -- reading a job -------------------------------------------------------------------------------------------

    @staticmethod
    def status(job):
        return job.get("status")

    def status_text(self, job):
        """The status as a timeout message shows it."""
        return "status %s" % self.status(job)

    @staticmethod
    def counts(job):
        """(failed, succeeded, total) devices; None where the job does not say."""
        return None, None, None

    @classmethod
    def reading(cls, job, now=None):
        """What the job says about its progress, for polls that follow it (`_poll_plan`): the devices done (failed
        or succeeded) of the total, from counts(); `now` (UTC) is for kinds that also read a scheduled start."""
        failed, succeeded, total = cls.counts(job)
        if failed is None or succeeded is None:
            return NO_READING
        return Reading(failed + succeeded, total)

    def now(self):
        """The current UTC time, as `reading()` compares a scheduled start with it."""
        return utcnow()

    def failed_devices(self, client, job):
        """The per-device results of the failed devices; None when this kind of job has no per-device results."""
        return None

    def after_wait(self, client, job, result):
        """Checks of a job that completed as asked, beyond its status (what it wrote elsewhere); may add result
        keys or raise JobFailure."""
        return None

    def settle(self, client, job):
        """The job as the verdict reads it, once waiting ended: a service that answers sparsely may leave out the
        counts (IoT Central's 2022-07-31 answers carry no progress); a descriptor fills them from what it can read."""
        return job

    def failure_message(self, job):
        return "%s failed: %s" % (self.label, job.get("failure_reason") or job.get("status_message")
                                  or "no reason given")

    def cancelled_message(self, job):
        return "%s was cancelled before it completed" % self.label

    def conflict_message(self, before, after, differences):
        """The failure when the job exists with another request (and cannot be updated)."""
        return ("job %r already exists with a different request (%s differ); an %s cannot be changed once "
                "submitted: choose a new job_id to submit this request"
                % (self.job_id, ", ".join(differences), self.noun))

    def missing_message(self, action):
        """The failure when a task acts on a job that must exist and does not."""
        return "cannot %s %s: the service has no such job" % (action, self.label)

    def extra_result(self, job):
        """Keys the module result carries besides the job."""
        return {}

    # -- creating ------------------------------------------------------------------------------------------------

    can_create = True  # False: the task names a job to follow; a missing one is a failure (missing_message)
    # True: sending the create twice cannot make two jobs (the id is the caller's), so the client may retry it and a
    # lost answer is settled by reading the job. False (server-chosen ids): never sent twice blind; find_created()
    # looks for the job the lost request started before the lifecycle creates again.
    create_is_idempotent = True

    def find_created(self, client):
        """After a create whose answer was lost: the job it made, or None when the service holds none."""
        return self.get(client)

    def before_create(self, client, warn):
        """Checks and warnings that need to know the job does not exist yet; extra result keys."""
        return {}

    @staticmethod
    def is_duplicate(err):
        """A create refused because the job exists: a retried create that went through, or a concurrent twin."""
        return False

    @staticmethod
    def is_busy(err):
        """A create refused because the service runs as many jobs as it may."""
        return False

    # True: a conflict (409) to a create whose job does not exist afterwards is the service being busy (IoT Central
    # names neither case with a documented code: contract.md 8).
    busy_when_conflict_leaves_no_job = False

    def busy_message(self, err):
        return "cannot create %s: the service runs as many jobs as it may (%s)" % (self.label, err.msg)

    # -- updating (mutable kinds) -------------------------------------------------------------------------------

    def update(self, client, job, before, after, differences):
        """Apply the differing options; the job as the service reports it afterwards."""
        raise NotImplementedError("%s cannot be updated" % self.noun)

    # -- removing (absent) ---------------------------------------------------------------------------------------

    def removal_refusal(self, job):
        """Why this job cannot be removed in its current state, or None."""
        return None

    def predict_removed(self, job):
        return dict(job, status="cancelled")

    def remove(self, client, job):
        """Cancel or delete the job; what the result shows afterwards, or None when the service no longer knows it."""
        raise NotImplementedError("%s cannot be removed" % self.noun)

    @staticmethod
    def is_refused(err):
        """A remove refused because of the job's state."""
        return False

    @staticmethod
    def is_removed(job):
        """Whether the job reads as removed (cancelled); a deleted one reads as None."""
        return job.get("status") == "cancelled"

    def refusal(self, job, err=None):
        return "cannot cancel %s: it is %s" % (self.label, self.status(job))

    waits_after_remove = True  # a cancelled job may take a while to report it; a deleted one is gone


class Lifecycle(object):
    """The states a module asks for, each returning the module result or raising JobFailure."""

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
        result = {"changed": changed, self.job.result_key: job or {}}
        result.update(self.job.extra_result(job or {}))
        result.update(extra)
        if self.diff and changed:
            result["diff"] = {"before": before or {}, "after": job or {}}
        return result

    def _failure(self, msg, job=None, err=None, **extra):
        """A JobFailure whose result says nothing changed, with the job and the API error's details."""
        result = dict(err.details() if isinstance(err, ApiError) else {}, changed=False, **extra)
        if job is not None:
            result[self.job.result_key] = job
            result.update(self.job.extra_result(job))
        return JobFailure(msg, result)

    def _deadline(self):
        return Deadline(self.wait.timeout, clock=self._clock, sleep=self._sleep)

    def _conflict(self, job, before, after, differences):
        differences = sorted(differences)
        result = {"changed": False, self.job.result_key: job, "existing": before, "requested": after,
                  "differences": differences}
        if self.diff:
            result["diff"] = {"before": before, "after": after}
        return JobFailure(self.job.conflict_message(before, after, differences), result)

    def _compare(self, job):
        """(before, after, differences) of an existing job, in the order of the request view."""
        before, after = self.job.compare(job)
        keys = list(before) + [key for key in after if key not in before]
        return before, after, [key for key in keys if before.get(key) != after.get(key)]

    def _check_same(self, job):
        before, after, differences = self._compare(job)
        if differences:
            raise self._conflict(job, before, after, differences)

    def _required(self, action):
        """The existing job for an action on it; a failure when there is none."""
        job = self.job.get(self.client)
        if job is None:
            raise self._failure(self.job.missing_message(action), job={})
        return job

    # -- present ---------------------------------------------------------------------------------------------

    def present(self):
        job = self.job.get(self.client) if self.job.can_create else self._required("follow")
        if job is None:
            return self._create_missing()
        before, after, differences = self._compare(job)
        if differences and self.job.mutable:
            return self._update(job, before, after, differences)
        if differences:
            raise self._conflict(job, before, after, differences)
        result = self._result(False, job)
        if self.wait.wait and not self.check_mode:
            self.wait_done(result, job, self._deadline())
        return result

    def _create_missing(self):
        extras = self.job.before_create(self.client, self.warn) or {}
        if self.check_mode:
            predicted, predicted_extras = self.job.predict(self.client)
            return self._result(True, predicted, **dict(extras, **predicted_extras))
        deadline = self._deadline()
        job, changed = self._create(deadline)
        result = self._result(changed, job, **extras)
        if self.wait.wait:
            self.wait_done(result, result[self.job.result_key], deadline)
        return result

    def _create(self, deadline):
        """(job, changed): the job this task asked for, and whether this task's request made it."""
        delays = backoff_delays(self.wait.sleep)
        resends = 0
        while True:
            try:
                return self.job.create(self.client), True
            except (ApiError, TransportError) as err:
                busy = isinstance(err, ApiError) and self.job.is_busy(err)
                if self.job.is_duplicate(err) and not busy:
                    # Made by this task's own earlier attempt (its answer was lost), or by another run: same request?
                    job = self.job.get(self.client)
                    if job is not None:
                        self._check_same(job)
                        return job, after_own_attempt(err)
                    if not self.job.busy_when_conflict_leaves_no_job:
                        raise
                    busy = True
                if is_ambiguous(err):
                    job = self.job.find_created(self.client)
                    if job is not None:
                        self._check_same(job)
                        return job, True
                    if self.job.create_is_idempotent or resends >= MAX_RESENDS:
                        raise
                    resends += 1
                    self.warn("%s: the answer to the create was lost (%s), and the service holds no job it started: "
                              "creating it again (%d of %d)" % (self.job.noun, err.msg, resends, MAX_RESENDS))
                    continue
                if not busy:
                    raise
                if not self.queue_when_busy:
                    raise self._failure(self.job.busy_message(err), err=err) from err
                delay = next(delays)
                self.warn("job %r: no free job slot (%s); retrying in %.0f s (queue_when_busy, %.0f s left of "
                          "wait_timeout)" % (self.job.job_id, err.code, delay, max(deadline.remaining(), 0)))
                if not deadline.pause(delay):
                    raise self._failure("job %r: no free job slot within wait_timeout (%s s); the hub's concurrent-job "
                                        "limit is still reached" % (self.job.job_id, self.wait.timeout),
                                        err=err) from err

    def _update(self, job, before, after, differences):
        if self.check_mode:
            predicted = dict(job, **dict((key, after[key]) for key in differences))
            return self._result(True, predicted, before=job, differences=differences)
        try:
            updated = self.job.update(self.client, job, before, after, differences)
        except (ApiError, TransportError) as err:
            if not is_ambiguous(err):
                raise
            # The answer was lost: the update happened if the service now holds what was asked for.
            updated = self.job.get(self.client)
            if updated is None or self._compare(updated)[2]:
                raise
        return self._result(True, updated, before=job, differences=differences)

    # -- waiting ---------------------------------------------------------------------------------------------

    def _until_ended(self, job, deadline):
        resting = self.job.terminal | self.job.paused
        pause_after = follow(PollPlan(self.wait.sleep), lambda j: self.job.reading(j, self.job.now()), self._clock)
        return wait_for(lambda: self.job.get(self.client) or {}, self.job.status,
                        lambda j: not j or self.job.status(j) in resting, deadline, pause_after, first=job)

    def _timed_out(self, job):
        return "timed out after %s s waiting for %s (%s); %s" % (self.wait.timeout, self.job.label,
                                                                 self.job.status_text(job), self.job.timeout_hint)

    def wait_done(self, result, job, deadline):
        """Wait for the job to end; fail (with the result attached) unless it completed as the user wants."""
        outcome = self._until_ended(job, deadline)
        job = self.job.settle(self.client, outcome.last) if outcome.last else outcome.last
        result.update({self.job.result_key: job, "elapsed": outcome.elapsed, "status_history": outcome.history})
        failed_devices = self.job.failed_devices(self.client, job) if job else []
        if failed_devices is not None:
            result["device_results"] = failed_devices
        status = self.job.status(job)
        if outcome.timed_out:
            raise JobFailure(self._timed_out(job), result)
        if not job:
            raise JobFailure("%s disappeared from the hub while waiting for it" % self.job.label, result)
        if status == "failed":
            raise JobFailure(self.job.failure_message(job), result)
        if status == "cancelled":
            raise JobFailure(self.job.cancelled_message(job), result)
        if status in self.job.paused:
            raise JobFailure("%s is %s and will not end until it is resumed (state=running)" % (self.job.label, status),
                             result)
        failed, succeeded, total = self.job.counts(job)
        if self.fail_on_device_failures and (failed or failed_devices):
            if total is None:  # a service that reports no counts: the failed devices are all that is known
                counted = "%d devices failed" % len(failed_devices)
            else:
                counted = "%s of %s devices failed (%s succeeded)" % (
                    failed if failed is not None else len(failed_devices), total, succeeded)
            raise JobFailure("%s completed, but %s; see device_results, or set fail_on_device_failures: false to "
                             "accept device failures" % (self.job.label, counted), result)
        self.job.after_wait(self.client, job, result)
        return result

    # -- absent ----------------------------------------------------------------------------------------------

    def absent(self):
        job = self.job.get(self.client)
        if job is None:
            return self._result(False, {})
        if self.job.status(job) in self.job.terminal:
            return self._result(False, job)
        refusal = self.job.removal_refusal(job)
        if refusal:
            raise self._failure(refusal, job=job)
        if self.check_mode:
            return self._result(True, self.job.predict_removed(job), before=job)
        deadline = self._deadline()
        removed, changed = self._remove(job)
        if removed is None:
            return self._result(False, {})
        result = self._result(changed, removed, before=job)
        if self.wait.wait and self.job.waits_after_remove:
            outcome = self._until_ended(removed, deadline)
            result.update({self.job.result_key: outcome.last, "elapsed": outcome.elapsed,
                           "status_history": outcome.history})
            if outcome.timed_out:
                raise JobFailure("timed out after %s s waiting for %s to report it was cancelled (%s)"
                                 % (self.wait.timeout, self.job.label, self.job.status_text(outcome.last)), result)
        return result

    def _remove(self, job):
        """(what the result shows, changed) once the job is removed; after a refusal or a lost answer the service's
        state decides: removed is a success (a change when this task's own attempt did it), still removable is sent
        again, anything else is the refusal."""
        own = False
        for _attempt in range(1 + MAX_RESENDS):
            try:
                removed = self.job.remove(self.client, job)
                return removed, True
            except (ApiError, TransportError) as err:
                refused = isinstance(err, ApiError) and self.job.is_refused(err)
                if not refused and not is_ambiguous(err):
                    raise
                own = own or is_ambiguous(err) or after_own_attempt(err)
                current = self._settled(job)
                if current is None:
                    return ({} if own else None), own
                if self.job.is_removed(current):
                    return current, own
                if self.job.status(current) in self.job.terminal or self.job.removal_refusal(current):
                    raise self._failure(self.job.refusal(current, err if refused else None), job=current,
                                        err=err) from err
                job = current  # still removable: the request did not get through
        raise self._failure(self.job.refusal(job), job=job)

    def _settled(self, before):
        """The job after a remove whose answer went wrong. A job may still read as it did for a moment after it was
        cancelled (contract.md section 7), so an unchanged status is read again a few times before it counts."""
        current = self.job.get(self.client)
        for _read in range(SETTLE_READS - 1):
            if current is None or self.job.status(current) != self.job.status(before):
                break
            self._sleep(SETTLE_PAUSE)
            current = self.job.get(self.client)
        return current
