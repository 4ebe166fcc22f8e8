# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""The controller side of the rollout modules (iothub_rollout_wave, iothub_rollout_waves): the module runs in slices of
PROGRESS_EVERY seconds (progress_interval). A rollout or wave that ends within the first slice costs one run, as
without the plugin; otherwise each slice ends with the job that still runs, shown as a line such as
"job fw-2-wave-1: running, 340/1000 succeeded, 2 failed", and the next run goes on where the last stopped (every job
is found by its id; `waited` carries what each job has already waited, so wait_timeout counts from the first run; a
subclass adds what else the next run needs). The lines hold job ids, wave names, statuses and counts only, never an
option value, so they show even under no_log.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import ScheduledJob
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._job_progress import (
    PROGRESS_EVERY,
    execute_as_it_is,
    progress_line,
)

display = Display()


class RolloutSlicesAction(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(RolloutSlicesAction, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if self._task.async_val or self._task.check_mode or args.get("progress_interval") is not None:
            result.update(execute_as_it_is(self, args, task_vars))
            return result
        try:
            result.update(self._in_slices(args, task_vars))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def carried(self, args, out):
        """What the next run needs from this one's result, beyond `waited`."""
        return {}

    def lines(self, out):
        """Lines to show after a run, before the line of the job that still runs."""
        return []

    def _in_slices(self, args, task_vars):
        host = (task_vars or {}).get("inventory_hostname", "localhost")
        carry = {"waited": dict(args.get("waited") or {})}
        jobs, created = {}, set()  # every job any run reported (the last report of each), and those a run created
        while True:
            out = self._execute_module(module_args=dict(args, progress_interval=PROGRESS_EVERY, **carry),
                                       task_vars=task_vars)
            for job in out.get("jobs") or []:
                jobs[job["job_id"]] = job
                if job.get("changed"):
                    created.add(job["job_id"])
            for line in self.lines(out):
                display.display("%s | %s" % (host, line))
            if not out.get("in_progress"):
                break
            job = out.get("job") or {}
            display.display("%s | %s" % (host, progress_line(job.get("job_id"), ScheduledJob.status(job),
                                                             ScheduledJob.counts(job))))
            carry = dict(self.carried(args, out), waited=out.get("waited") or carry["waited"])
        # A job created by an earlier run is found unchanged by the last: the task changed what any run changed.
        out["jobs"] = [dict(job, changed=job_id in created) for job_id, job in jobs.items()]
        out["changed"] = bool(out.get("changed")) or bool(created)
        return out
