# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""A whole IoT Hub rollout in one module run: the devices listed (one paged query, two with a canary query), split
into waves (_rollout_plan.plan_waves), and each wave run as azure_iot.jobs.iothub_rollout_wave runs it (_iothub_wave:
its jobs, retries, threshold and revert) until one stops the rollout.

Run in progress slices (the action plugin), a run that ends while a job still runs returns the plan it listed and the
records of the waves that ended (`resume`), so the next run neither lists again (the waves stay the devices of the
first listing) nor reads the ended waves' jobs again.
"""

from __future__ import annotations

import re
import time

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import normalize_query, query_devices
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub_wave import WavePlan, WaveRun
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import JobFailure
from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout_plan import (
    NAME_MAX,
    check_plan_options,
    plan_waves,
)

# The most waves a rollout may have: job ids end in -wave-<n>, and _rollout_plan sizes its suffixes for 99.
MAX_WAVES = 99
_NAME = re.compile(r"^[a-z0-9-]{1,%d}$" % NAME_MAX)


def _resumable(waves, devices_in_scope, done):
    """Whether `resume` has the shape RolloutRun._resume gives it."""
    return (isinstance(waves, list) and isinstance(devices_in_scope, int) and len(done) <= len(waves)
            and all(isinstance(wave, dict) and isinstance(wave.get("name"), str)
                    and isinstance(wave.get("job_id"), str) and isinstance(wave.get("device_ids"), list)
                    for wave in waves)
            and all(isinstance(record, dict) and isinstance(record.get("targeted"), int) for record in done))


def _wave_params(params, wave):
    return dict(params, name=wave["name"], job_id=wave["job_id"], device_ids=wave["device_ids"])


class RolloutPlan(object):
    """The rollout's request, validated before any call, and what earlier runs of the task left (`resume`)."""

    def __init__(self, params, check_mode=False):
        self.params = params
        self.check_mode = check_mode
        self.name = params["name"]
        if not _NAME.match(self.name or ""):
            raise ValidationError("name must be 1 to %d lower-case US-ASCII letters, digits and '-' (job ids derive "
                                  "from it, and IoT Hub refuses upper case in a new job's id), got %r"
                                  % (NAME_MAX, self.name))
        self.target_query = normalize_query(params["target_query"], option="target_query")
        self.canary_query = (normalize_query(params["canary_query"], option="canary_query")
                             if params.get("canary_query") else None)
        self.waves_option = params.get("waves")
        try:
            check_plan_options(self.name, params["canary_count"], params["canary_percentage"], self.waves_option,
                               params["wave_size"])
        except ValueError as err:
            raise ValidationError(str(err)) from None
        if self.waves_option and len(self.waves_option) > MAX_WAVES:
            raise ValidationError("waves holds %d percentages; a rollout has at most %d waves"
                                  % (len(self.waves_option), MAX_WAVES))
        # Every option of a wave's jobs is checked here, on the longest job id a wave may get.
        WavePlan(_wave_params(params, {"name": "wave-%d" % MAX_WAVES, "job_id": "%s-wave-%d" % (self.name, MAX_WAVES),
                                       "device_ids": ["device"]}), check_mode=check_mode)
        resume = params.get("resume") or {}
        self.waves = resume.get("waves")
        self.devices_in_scope = resume.get("devices_in_scope")
        self.done = list(resume.get("done") or [])
        if resume and not _resumable(self.waves, self.devices_in_scope, self.done):
            raise ValidationError("resume is set by the module's action plugin between its progress slices and must "
                                  "hold the waves, devices_in_scope and the ended waves' records it returned; leave "
                                  "it unset")

    def list_and_split(self, client):
        """The waves over the devices the target query selects now (the canary query's ones first)."""
        fleet = query_devices(client, self.target_query)
        canary_ids = query_devices(client, self.canary_query) if self.canary_query else None
        try:
            self.waves = [dict((key, wave[key]) for key in ("name", "job_id", "device_ids"))
                          for wave in plan_waves(fleet, self.name, canary_ids, self.params["canary_count"],
                                                 self.params["canary_percentage"], self.waves_option,
                                                 self.params["wave_size"])]
        except ValueError as err:  # an id the fleet holds makes a job id too long
            raise ValidationError(str(err)) from None
        self.devices_in_scope = len(fleet)


class RolloutRun(object):
    """Runs a RolloutPlan (or predicts it in check mode) and returns the module result."""

    def __init__(self, client, plan, check_mode=False, diff=False, warn=None, clock=None):
        self.client = client
        self.plan = plan
        self.check_mode = check_mode
        self.diff = diff
        self.warn = warn
        self._clock = clock or time.monotonic
        interval = plan.params.get("progress_interval") or 0
        self.slice_end = self._clock() + interval if interval and not check_mode else None
        self.jobs = []
        self.changed = False

    def run(self):
        plan = self.plan
        if plan.waves is None:
            plan.list_and_split(self.client)
        records, reason = list(plan.done), ""
        try:
            for wave in plan.waves[len(records):]:
                out = WaveRun(self.client, WavePlan(self._params(wave), check_mode=self.check_mode),
                              check_mode=self.check_mode, warn=self.warn, clock=self._clock).run()
                self._add(out)
                if out.get("in_progress"):
                    return {"changed": self.changed, "in_progress": True, "job": out["job"], "jobs": self.jobs,
                            "waited": out["waited"], "wave": wave["name"], "resume": self._resume(records)}
                records.append(out["wave"])
                reason = out["stopped_reason"]
                if reason:
                    break
        except JobFailure as failure:
            failure.result.update(changed=self.changed or bool(failure.result.get("changed")),
                                  jobs=self.jobs + list(failure.result.get("jobs") or []), waves=records)
            raise
        except CollectionError as err:
            raise JobFailure(err.msg, dict(err.to_fail_json(), changed=self.changed, jobs=self.jobs,
                                           waves=records)) from None
        return self._result(records, reason)

    def _params(self, wave):
        """The wave's module parameters: its devices, and what is left of the progress slice."""
        params = _wave_params(self.plan.params, wave)
        if self.slice_end is not None:
            # A wave that starts after the slice's end still waits one wait_sleep slice for its first job.
            params["progress_interval"] = max(1, int(round(self.slice_end - self._clock())))
        return params

    def _add(self, out):
        self.jobs += out.get("jobs") or []
        self.changed = self.changed or bool(out.get("changed"))

    def _resume(self, records):
        # The ended waves' devices are not needed again: the next run starts after them (smaller arguments).
        waves = [dict(wave, device_ids=[]) if number < len(records) else wave
                 for number, wave in enumerate(self.plan.waves)]
        return {"waves": waves, "devices_in_scope": self.plan.devices_in_scope, "done": records}

    def _result(self, records, reason):
        summary = {
            "name": self.plan.name,
            "waves": records,
            "waves_planned": len(self.plan.waves),
            "devices_in_scope": self.plan.devices_in_scope,
            "devices_targeted": sum(record["targeted"] for record in records),
            "devices_succeeded": sum(record["succeeded"] for record in records),
            "devices_failed": sum(record["failed"] for record in records),
            "stopped": bool(reason),
            "stopped_reason": reason or None,
            "completed": not reason and not self.check_mode,
            "planned": self.check_mode,
        }
        result = {"changed": self.changed, "rollout": summary, "jobs": self.jobs}
        if self.diff:  # the devices of each wave (Ansible shows a diff only when the task changed something)
            existing = [job["job_id"] for job in self.jobs if not job["changed"]]
            result["diff"] = {"before": {"jobs": existing},
                              "after": {"waves": [{"name": wave["name"], "device_ids": wave["device_ids"]}
                                                  for wave in self.plan.waves]}}
        return result
