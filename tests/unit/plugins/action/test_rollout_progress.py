# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iothub_rollout_waves action plugin: the module in slices of 15 s; the next slice gets the plan and the ended
waves (`resume`); a line for each wave that ended and for the job that still runs; the task changed what any slice
changed."""

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.action import iothub_rollout_waves as iothub_rollout
from ansible_collections.azure_iot.jobs.tests.unit.plugins.action.test_job_progress import make_action

ARGS = dict(name="fw-1", waves=[100], canary_count=1, twin_patch={"desired": {"v": 2}},
            connection_string="HostName=h;SharedAccessKeyName=p;SharedAccessKey=c2VjcmV0")
CANARY = {"name": "canary", "status": "completed", "targeted": 1, "succeeded": 1, "failed": 0, "failure_rate": 0.0}
WAVE = {"name": "wave-1", "status": "completed", "targeted": 9, "succeeded": 8, "failed": 1, "failure_rate": 11.1}
RUNNING = {"job_id": "fw-1-wave-1", "status": "running", "statistics": {"device_count": 9, "succeeded": 4, "failed": 0}}
RESUME = {"waves": [{"name": "canary"}, {"name": "wave-1"}], "devices_in_scope": 10, "done": [CANARY]}


@pytest.fixture
def shown(monkeypatch):
    lines = []
    monkeypatch.setattr(iothub_rollout.display, "display", lambda text, *a, **k: lines.append(text))
    return lines


def test_the_next_slice_resumes_and_each_ended_wave_is_shown_once(shown):
    sliced = {"changed": True, "in_progress": True, "job": RUNNING, "waited": {"fw-1-wave-1": 14.0},
              "resume": RESUME, "jobs": [{"job_id": "fw-1-canary", "changed": True},
                                         {"job_id": "fw-1-wave-1", "changed": True}]}
    done = {"changed": False, "rollout": {"waves": [CANARY, WAVE], "planned": False},
            "jobs": [{"job_id": "fw-1-wave-1", "changed": False}]}
    action, calls = make_action(iothub_rollout.ActionModule, dict(ARGS), [sliced, done])
    result = action.run(task_vars={"inventory_hostname": "hub"})
    assert calls == [dict(ARGS, progress_interval=15, waited={}),
                     dict(ARGS, progress_interval=15, waited={"fw-1-wave-1": 14.0}, resume=RESUME)]
    assert shown == ["hub | wave canary: completed, 1/1 succeeded, 0 failed (0.0%)",
                     "hub | job fw-1-wave-1: running, 4/9 succeeded, 0 failed",
                     "hub | wave wave-1: completed, 8/9 succeeded, 1 failed (11.1%)"]
    # The jobs of every slice, each once, changed if any slice created it.
    assert result["jobs"] == [{"job_id": "fw-1-canary", "changed": True}, {"job_id": "fw-1-wave-1", "changed": True}]
    assert result["changed"] is True
    assert not any("c2VjcmV0" in line for line in shown)


def test_check_mode_runs_the_module_once_as_it_is(shown):
    planned = {"changed": True, "rollout": {"waves": [dict(CANARY, status="planned")], "planned": True}, "jobs": []}
    action, calls = make_action(iothub_rollout.ActionModule, dict(ARGS), [planned], check_mode=True)
    assert action.run(task_vars={}) == planned
    assert calls == [ARGS]
    assert shown == []
