# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iothub_rollout_wave action plugin: the module in slices of 15 s, a progress line after each slice that ended
on a running job, the last run's result as the task's result."""

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.action import iothub_rollout_wave
from ansible_collections.azure_iot.jobs.tests.unit.plugins.action.test_job_progress import make_action

ARGS = dict(name="wave-1", job_id="fw-1-wave-1", device_ids=["d1", "d2"], twin_patch={"desired": {"v": 2}},
            connection_string="HostName=h;SharedAccessKeyName=p;SharedAccessKey=c2VjcmV0")
RUNNING = {"job_id": "fw-1-wave-1", "status": "running",
           "statistics": {"device_count": 2, "succeeded": 1, "failed": 0}}


@pytest.fixture
def shown(monkeypatch):
    lines = []
    monkeypatch.setattr(iothub_rollout_wave.display, "display", lambda text, *a, **k: lines.append(text))
    return lines


def done(changed=False):
    return {"changed": changed, "wave": {"name": "wave-1"}, "stopped_reason": "", "planned": False,
            "jobs": [{"job_id": "fw-1-wave-1", "changed": changed}]}


def test_a_wave_done_within_the_first_slice_costs_one_module_run(shown):
    action, calls = make_action(iothub_rollout_wave.ActionModule, dict(ARGS), [done(changed=True)])
    result = action.run(task_vars={"inventory_hostname": "hub"})
    assert calls == [dict(ARGS, progress_interval=15, waited={})]
    assert result["changed"] is True
    assert shown == []


def test_a_slow_wave_shows_the_running_job_and_the_task_changed_what_the_first_slice_created(shown):
    sliced = {"changed": True, "in_progress": True, "job": RUNNING, "waited": {"fw-1-wave-1": 15.0},
              "jobs": [{"job_id": "fw-1-wave-1", "changed": True}]}
    action, calls = make_action(iothub_rollout_wave.ActionModule, dict(ARGS), [sliced, done()])
    result = action.run(task_vars={"inventory_hostname": "hub"})
    assert calls == [dict(ARGS, progress_interval=15, waited={}),
                     dict(ARGS, progress_interval=15, waited={"fw-1-wave-1": 15.0})]
    assert shown == ["hub | job fw-1-wave-1: running, 1/2 succeeded, 0 failed"]
    assert result["changed"] is True
    assert result["jobs"] == [{"job_id": "fw-1-wave-1", "changed": True}]


@pytest.mark.parametrize("check_mode, async_val", [(True, 0), (False, 30)])
def test_check_mode_and_async_run_the_module_once_as_it_is(shown, check_mode, async_val):
    action, calls = make_action(iothub_rollout_wave.ActionModule, dict(ARGS), [done()], check_mode=check_mode,
                                async_val=async_val)
    action.run(task_vars={})
    assert calls == [ARGS]
