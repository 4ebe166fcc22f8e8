# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The progress action plugins: the module runs with wait=false while the controller shows progress (timed by the
poll plan that follows the job), then once with wait=true and what is left of wait_timeout, and its result (the
verdict) is the task's result."""

from __future__ import annotations

from unittest import mock

import pytest

from ansible_collections.azure_iot.jobs.plugins.action import iotcentral_job, iothub_scheduled_job
from ansible_collections.azure_iot.jobs.plugins.plugin_utils import _job_progress
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._job_progress import progress_line


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def hub_job(status, succeeded=0, failed=0, total=1000):
    return {"job_id": "fw-1", "status": status,
            "statistics": {"device_count": total, "succeeded": succeeded, "failed": failed}}


def make_action(module_cls, args, answers, check_mode=False, async_val=0):
    task = mock.MagicMock()
    task.args = args
    task.async_val = async_val
    task.check_mode = check_mode
    connection = mock.MagicMock()
    connection.has_native_async = False
    action = module_cls(task, connection, mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), mock.MagicMock())
    clock = Clock()
    action.clock = clock
    action.sleep = clock.sleep
    calls = []

    def execute(module_args=None, task_vars=None, wrap_async=False):
        calls.append(dict(module_args))
        action.started.append(round(clock.now - 1000.0, 4))
        answer = answers.pop(0)
        if "_at" in answer:  # the module itself waited until then
            clock.now = 1000.0 + answer.pop("_at")
        clock.now += answer.pop("_takes", 0.0)  # the module's run, from its start to its answer
        return answer

    action.started = []  # when each module run started, in seconds after the task did
    action._execute_module = execute
    action._remove_tmp_path = mock.MagicMock()
    return action, calls


@pytest.fixture
def shown(monkeypatch):
    lines = []
    monkeypatch.setattr(_job_progress.display, "display", lambda text, *a, **k: lines.append(text))
    return lines


ARGS = dict(job_id="fw-1", query="*", twin_patch={"desired": {"v": 2}}, wait=True, wait_sleep=5, wait_timeout=600,
            connection_string="HostName=h;SharedAccessKeyName=p;SharedAccessKey=c2VjcmV0")


def timed_out(job, at, **extra):
    """What the module returns when its wait_timeout passed before the job ended."""
    return dict(failed=True, msg="timed out after 15 s waiting for job 'fw-1'", job=job, status_history=[], _at=at,
                **extra)


DIFF = {"before": {}, "after": {"job_id": "fw-1"}}


def test_progress_is_shown_while_the_job_runs_and_the_module_gives_the_verdict(shown):
    # A steady job (20 devices a second from 15 s, 1,000 devices: it ends at 65 s). The first run waits 15 s (the
    # pace of the progress lines) and sees it queued: 0 done at 15 s. Then the polls follow the job: wait_sleep (that
    # poll gives the rate), 4 x wait_sleep, half-way twice, and the run with wait=true 1.1 x the estimated time left
    # later, where it finds the job ended. With a fixed interval the first run waited 5 s and 10 runs with
    # wait=false polled (10 to 55 s).
    verdict = dict(failed=True, changed=False, msg="job 'fw-1' completed, but 2 of 1000 devices failed",
                   job=hub_job("completed", 998, 2), device_results=[{"device_id": "d1"}], elapsed=0.1)
    answers = [timed_out(hub_job("queued", total=0), 15, changed=True, diff=DIFF),
               dict(changed=False, job=hub_job("running", 98, 2)),
               dict(changed=False, job=hub_job("running", 498, 2)),
               dict(changed=False, job=hub_job("running", 748, 2)),
               dict(changed=False, job=hub_job("running", 873, 2)),
               verdict]
    action, calls = make_action(iothub_scheduled_job.ActionModule, dict(ARGS), answers)
    result = action.run(task_vars={"inventory_hostname": "ctl"})
    # A first wait of one wait_sleep, polls with wait=false, the verdict from one run with wait=true.
    assert [(call["wait"], call["wait_timeout"]) for call in calls] == [
        (True, 15), (False, 600), (False, 600), (False, 600), (False, 600), (True, 535)]
    assert action.started == [0.0, 20.0, 40.0, 52.5, 58.75, 65.625]
    assert all(call["connection_string"] == ARGS["connection_string"] for call in calls)
    assert result["failed"] is True and result["msg"] == verdict["msg"]
    assert result["device_results"] == [{"device_id": "d1"}]
    assert result["changed"] is True and result["diff"] == DIFF
    assert result["elapsed"] == 65.625
    # A new status at once, new counts at most every 15 s, and the last line, a summary that holds no secret.
    assert shown == ["ctl | job fw-1: queued",
                     "ctl | job fw-1: running, 98/1000 succeeded, 2 failed",
                     "ctl | job fw-1: running, 498/1000 succeeded, 2 failed",
                     "ctl | job fw-1: running, 873/1000 succeeded, 2 failed",
                     "ctl | job fw-1: completed, 998/1000 succeeded, 2 failed"]
    assert not any("c2VjcmV0" in line or "HostName" in line for line in shown)


def test_each_run_starts_as_much_earlier_as_the_last_one_took_never_sooner_than_wait_sleep(shown):
    # Module runs of 0.5 s: the plan's time is when a run answered; the next run starts 0.5 s before the plan so
    # that its GET lands on it, but never less than wait_sleep after the last answer.
    # The same steady job (20 a second from 15 s): each count is the one at the run's answer.
    answers = [timed_out(hub_job("queued", total=0), 15, changed=True),
               dict(changed=False, job=hub_job("running", 110), _takes=0.5),
               dict(changed=False, job=hub_job("running", 510), _takes=0.5),
               dict(changed=False, job=hub_job("running", 755), _takes=0.5),
               dict(changed=False, job=hub_job("running", 877), _takes=0.5),
               dict(changed=False, job=hub_job("completed", 1000), elapsed=0.1)]
    action, calls = make_action(iothub_scheduled_job.ActionModule, dict(ARGS), answers)
    action.run(task_vars={})
    assert [call["wait"] for call in calls] == [True, False, False, False, False, True]
    # Answers at 15 (queued), 20.5, 40.5, 52.75 and 58.875: the plan's pauses 5 (wait_sleep), 20, 12.25, 6.125 and
    # 6.79 to the estimated end; each run starts 0.5 s before the plan's time, except the second, which would start
    # less than wait_sleep after the first run's answer.
    assert action.started == [0.0, 20.0, 40.0, 52.25, 58.375, pytest.approx(65.1677, abs=1e-4)]


def test_a_job_that_has_ended_costs_one_run(shown):
    done = dict(changed=False, job=hub_job("completed", 1000), elapsed=0.2, status_history=[])
    action, calls = make_action(iothub_scheduled_job.ActionModule, dict(ARGS), [dict(done)])
    assert action.run(task_vars={}) == done
    assert [(call["wait"], call["wait_timeout"]) for call in calls] == [(True, 15)]
    assert shown == ["localhost | job fw-1: completed, 1000/1000 succeeded, 0 failed"]


def test_the_last_run_gets_what_is_left_of_wait_timeout(shown):
    # A slow job (one device in 5 s): the plan's pauses reach the deadline, so the run at the deadline is the last
    # one, with wait=true (the fixed interval polled 5 times with wait=false before it).
    answers = [timed_out(hub_job("running", 1), 15, changed=True), dict(changed=False, job=hub_job("running", 2)),
               dict(failed=True, changed=False, msg="timed out after 1 s", job=hub_job("running", 9))]
    action, calls = make_action(iothub_scheduled_job.ActionModule, dict(ARGS, wait_timeout=30, wait_sleep=5), answers)
    result = action.run(task_vars={})
    assert [call["wait"] for call in calls] == [True, False, True] and action.started == [0.0, 20.0, 30.0]
    assert (calls[-1]["wait"], calls[-1]["wait_timeout"], calls[-1]["wait_sleep"]) == (True, 1, 1)
    assert result["msg"] == "timed out after 1 s" and result["changed"] is True


def test_a_wait_sleep_longer_than_the_progress_pace_is_the_first_wait(shown):
    done = dict(changed=False, job=hub_job("completed", 1000), elapsed=30.0, status_history=[])
    action, calls = make_action(iothub_scheduled_job.ActionModule, dict(ARGS, wait_sleep=30), [dict(done)])
    assert action.run(task_vars={}) == done
    assert [(call["wait_timeout"], call["wait_sleep"]) for call in calls] == [(30, 30)]


def test_a_failure_before_waiting_is_returned_as_it_is(shown):
    # A running job that differs from the request: the module's answer at once, not after the job ends.
    conflict = dict(failed=True, changed=False, msg="job 'fw-1' already exists with a different request",
                    job=hub_job("running", 10))
    action, calls = make_action(iothub_scheduled_job.ActionModule, dict(ARGS), [dict(conflict)])
    assert action.run(task_vars={}) == conflict
    assert len(calls) == 1 and shown == ["localhost | job fw-1: running, 10/1000 succeeded, 0 failed"]


@pytest.mark.parametrize("changes, kwargs", [
    (dict(wait=False), {}),
    ({}, dict(check_mode=True)),
    ({}, dict(async_val=60)),
    (dict(state="absent"), {}),
    (dict(wait_sleep=700), {}),
    (dict(wait_sleep=600), {}),
    (dict(wait_timeout=15, wait_sleep=1), {}),  # the first run's wait would be the whole wait
    (dict(wait="perhaps"), {}),
])
def test_other_tasks_run_the_module_once_as_they_are(shown, changes, kwargs):
    args = dict(ARGS, **changes)
    action, calls = make_action(iothub_scheduled_job.ActionModule, args, [dict(changed=False, job={})], **kwargs)
    assert action.run(task_vars={}) == dict(changed=False, job={})
    assert calls == [args] and shown == []


def test_iotcentral_jobs_show_completed_devices_and_a_rerun_runs_as_it_is(shown):
    job = {"status": "running", "progress": {"completed": 340, "failed": 2, "total": 1000}}
    done = {"status": "complete", "progress": {"completed": 998, "failed": 2, "total": 1000}}
    answers = [timed_out(job, 15, changed=True), dict(changed=False, job=done),
               dict(changed=False, job=done, elapsed=0.0)]
    action, calls = make_action(iotcentral_job.ActionModule, dict(job_id="fw-1", wait=True), answers)
    assert action.run(task_vars={})["changed"] is True
    assert shown == ["localhost | job fw-1: running, 340/1000 succeeded, 2 failed",
                     "localhost | job fw-1: complete, 998/1000 succeeded, 2 failed"]
    action, calls = make_action(iotcentral_job.ActionModule, dict(job_id="fw-1", rerun="fw-1-r", wait=True),
                                [dict(changed=True, job={})])
    action.run(task_vars={})
    assert len(calls) == 1 and calls[0]["wait"] is True


def test_progress_line():
    assert progress_line("j", "running", (2, 340, 1000)) == "job j: running, 340/1000 succeeded, 2 failed"
    assert progress_line("j", "queued", (None, None, None)) == "job j: queued"
    assert progress_line("j", None, (None, None, None)) == "job j: not found"
