# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""The controller side of a module's wait: show the job's progress while the module waits for it.

A module waits on the host that runs it and says nothing until it returns. JobProgressAction (the base of the action
plugins named like the waiting modules) runs the module in steps instead:

1. the module with wait=true but a wait_timeout of 15 seconds (the pace of the progress lines; one wait_sleep when
   that is longer): it creates the job (or finds it unchanged), follows it with its own poll plan and returns its
   verdict when the job has ended by then, so a short job costs one run, as a job that is already done does;
   when the job still runs, the module's timeout result (status_history, the job not ended) says so;
2. while the job has not ended, the module with wait=false (an unchanged job costs the module one GET), timed by the
   module's own poll plan (`_poll_plan.PollPlan`: wait_sleep, or later when the job's progress says nothing will
   change before; each run starts as much earlier as the last one took to reach its GET), and a line such as
   "job fw-2-wave-1: running, 340/1000 succeeded, 2 failed" on the controller for each new status at once, for new
   device counts at most every 15 seconds, and after a minute without change;
3. the module with wait=true and what is left of wait_timeout, once the job has ended or the plan expects the next
   poll to find it ended: its own wait loop and verdict (failed, cancelled, device failures, timeout,
   device_results) decide the task's result, so that logic lives only in the module.

The lines hold the job id, its status and device counts, never an option value, so they are shown even when the task
has no_log (the roles' secure logging): an AWX job then still shows why a wave stopped.
"""

from __future__ import annotations

import math
import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.azure_iot.jobs.plugins.module_utils._poll_plan import PollPlan

display = Display()

# The modules' defaults (plugins/module_utils/_wait.py WAIT_ARGSPEC).
DEFAULT_WAIT_TIMEOUT = 600
DEFAULT_WAIT_SLEEP = 5
# A new status is shown at once; new device counts at most every PROGRESS_EVERY seconds; an unchanged line again
# after HEARTBEAT seconds, so that a long wait still shows it is alive.
PROGRESS_EVERY = 15
HEARTBEAT = 60


def _seconds(value, default):
    """A positive whole number of seconds from a task argument, the default when unset, None when not a number."""
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number > 0 and number == int(number) else None


def progress_line(job_id, status, counts):
    """ "job X: running, 340/1000 succeeded, 2 failed" from the status and (failed, succeeded, total)."""
    failed, succeeded, total = counts
    parts = ["job %s: %s" % (job_id, status or "not found")]
    if total:
        parts.append("%s/%s succeeded" % (succeeded or 0, total))
        parts.append("%s failed" % (failed or 0))
    elif failed:
        parts.append("%s failed" % failed)
    return ", ".join(parts)


def execute_as_it_is(action, args, task_vars):
    """The module run once with the task's arguments (check mode, async, nothing to show): its result."""
    wrap_async = bool(action._task.async_val) and not action._connection.has_native_async
    out = action._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async)
    if not wrap_async:  # an async job's wrapper removes its own files when it ends
        action._remove_tmp_path(action._connection._shell.tmpdir)
    return out


class JobProgressAction(ActionBase):
    """Run a waiting job module in steps and show the job's progress; the module gives the verdict."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True

    # Set by each action plugin: the module_utils descriptor of its jobs (terminal, status(), counts()), the states
    # that wait for the job to end, and the options under which the module does something else.
    descriptor = None
    waiting_states = ("present",)
    other_operations = ()

    # Injected by unit tests.
    clock = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)

    def run(self, tmp=None, task_vars=None):
        result = super(JobProgressAction, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        timing = self._timing(args)
        if timing is None:
            return merge_hash(result, execute_as_it_is(self, args, task_vars))
        try:
            return merge_hash(result, self._wait_with_progress(args, task_vars, *timing))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _timing(self, args):
        """(wait_timeout, wait_sleep) when this task waits for a job and can show progress, else None."""
        if self._task.async_val or self._task.check_mode:
            return None
        try:
            wait = boolean(args.get("wait", False), strict=True)
        except TypeError:
            return None  # the module names the bad value
        if not wait or (args.get("state") or "present") not in self.waiting_states:
            return None
        if any(args.get(name) is not None for name in self.other_operations):
            return None
        timeout = _seconds(args.get("wait_timeout"), DEFAULT_WAIT_TIMEOUT)
        pause = _seconds(args.get("wait_sleep"), DEFAULT_WAIT_SLEEP)
        if timeout is None or pause is None or self._first_wait(pause) >= timeout:
            return None  # the module rejects these before any call, or its first wait is the whole wait
        return timeout, pause

    @staticmethod
    def _first_wait(pause):
        """The wait_timeout of the first run: no line is due before the first progress line would be."""
        return max(pause, PROGRESS_EVERY)

    def _module(self, args, task_vars, **changes):
        return self._execute_module(module_args=dict(args, **changes), task_vars=task_vars)

    def _ended(self, job):
        status = self.descriptor.status(job)
        return status in self.descriptor.terminal or status in getattr(self.descriptor, "paused", ())

    def _wait_with_progress(self, args, task_vars, timeout, pause):
        start = self.clock()
        host = (task_vars or {}).get("inventory_hostname", "localhost")
        job_id = args.get("job_id")
        first = self._module(args, task_vars, wait=True, wait_timeout=self._first_wait(pause), wait_sleep=pause)
        if not self._still_running(first):
            return self._finish(first, first, host, job_id, start, [])
        warnings = list(first.get("warnings") or [])
        job = first["job"]
        shown, shown_status, shown_at = None, None, None
        plan, lead = PollPlan(pause), 0.0
        while job and not self._ended(job):
            now = self.clock()
            plan.observe(now, self.descriptor.reading(job))
            status = self.descriptor.status(job)
            line = progress_line(job_id, status, self.descriptor.counts(job))
            if (shown_at is None or status != shown_status or now - shown_at >= HEARTBEAT
                    or (line != shown and now - shown_at >= PROGRESS_EVERY)):
                display.display("%s | %s" % (host, line))
                shown, shown_status, shown_at = line, status, now
            left = timeout - (now - start)
            if left <= 0:
                break
            planned = plan.next_poll(now)
            # Never sooner than wait_sleep after the last answer; aimed so that the module's GET lands on the plan.
            wait = max(pause, planned.pause - lead)
            self.sleep(min(wait, left))
            if planned.expects_end or wait >= left:
                break  # the run below is the poll that should find the job ended, or the one at the deadline
            launched = self.clock()
            polled = self._module(args, task_vars, wait=False)
            lead = self.clock() - launched
            if polled.get("failed"):
                break  # the last run below reports it
            job = polled.get("job") or {}
        left = max(1, int(math.ceil(timeout - (self.clock() - start))))
        final = self._module(args, task_vars, wait=True, wait_timeout=left, wait_sleep=min(pause, left))
        return self._finish(first, final, host, job_id, start, warnings)

    def _still_running(self, result):
        """Whether a run with wait=true timed out on a job that has not ended: anything else is the verdict."""
        job = result.get("job") or {}
        return bool(result.get("failed")) and "status_history" in result and bool(job) and not self._ended(job)

    def _finish(self, first, final, host, job_id, start, warnings):
        job = final.get("job")
        if job:
            line = progress_line(job_id, self.descriptor.status(job), self.descriptor.counts(job))
            display.display("%s | %s" % (host, line))
        if final is first:
            return final
        final["changed"] = bool(first.get("changed")) or bool(final.get("changed"))
        if "diff" in first and "diff" not in final:
            final["diff"] = first["diff"]
        if "elapsed" in final:
            final["elapsed"] = round(self.clock() - start, 3)
        warnings += [warning for warning in final.get("warnings") or [] if warning not in warnings]
        if warnings:
            final["warnings"] = warnings
        return final
