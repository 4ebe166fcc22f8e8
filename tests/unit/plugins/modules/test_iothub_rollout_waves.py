# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""iothub_rollout_waves: the listing, the waves in order until one stops the rollout, the progress slices' resume, with
the exact requests of each path (each wave's own requests are iothub_rollout_wave's, tested there)."""

from __future__ import annotations

import time

from ansible_collections.azure_iot.jobs.plugins.modules import iothub_rollout_waves as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages
from ansible_collections.azure_iot.jobs.tests.unit.plugins.modules.test_iothub_rollout_wave import (
    DESIRED,
    JOB,
    QUERY,
    REVERT,
    create,
    failed_rows,
    get,
    job,
    no_waiting,
    request,
)

__all__ = ["no_waiting"]  # the autouse fixture of the wave's tests: no real sleep, a fixed UTC now

FLEET = ["d%02d" % number for number in range(1, 11)]  # sorted as the hub's ids are: d01 ... d10


def args(**overrides):
    base = dict(name="fw-2", canary_count=2, waves=[50, 100], twin_patch={"desired": DESIRED}, wait_sleep=1,
                wait_timeout=60,
                connection_string="HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=a2V5")
    base.update(overrides)
    return dict((k, v) for k, v in base.items() if v is not None)


def listing(ids, condition=None):
    sql = "SELECT deviceId FROM devices" + (" WHERE " + condition if condition else "")
    return pages("POST", QUERY, [[{"deviceId": device_id} for device_id in ids]], json={"query": sql})


CANARY, WAVE_1, WAVE_2 = FLEET[:2], FLEET[2:6], FLEET[6:]


def summary(**changes):
    base = {"name": "fw-2", "waves_planned": 3, "devices_in_scope": 10, "devices_targeted": 10,
            "devices_succeeded": 10, "devices_failed": 0, "stopped": False, "stopped_reason": None,
            "completed": True, "planned": False}
    base.update(changes)
    return base


def names(outcome):
    return [(wave["name"], wave["job_id"], wave["targeted"], wave["status"])
            for wave in outcome.result["rollout"]["waves"]]


def test_a_rollout_lists_once_then_runs_each_wave_in_order(run_module):
    client = FakeClient([listing(FLEET)] + create("fw-2-canary", CANARY) + create("fw-2-wave-1", WAVE_1)
                        + create("fw-2-wave-2", WAVE_2))
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert not outcome.failed, outcome.msg
    assert outcome.result["changed"] is True
    assert dict((key, value) for key, value in outcome.result["rollout"].items() if key != "waves") == summary()
    assert names(outcome) == [("canary", "fw-2-canary", 2, "completed"), ("wave-1", "fw-2-wave-1", 4, "completed"),
                              ("wave-2", "fw-2-wave-2", 4, "completed")]
    assert [entry["job_id"] for entry in outcome.result["jobs"]] == ["fw-2-canary", "fw-2-wave-1", "fw-2-wave-2"]
    assert client.calls == [("POST", QUERY)] + [("GET", JOB), ("PUT", JOB), ("GET", JOB)] * 3


def test_a_rerun_lists_and_finds_every_job_unchanged(run_module, no_waiting):
    client = FakeClient([listing(FLEET), get("fw-2-canary", job("fw-2-canary", CANARY)),
                         get("fw-2-wave-1", job("fw-2-wave-1", WAVE_1)),
                         get("fw-2-wave-2", job("fw-2-wave-2", WAVE_2))])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert outcome.result["changed"] is False
    assert outcome.result["rollout"]["completed"] is True
    assert no_waiting == []


def test_a_wave_above_the_threshold_stops_the_rollout_and_reverts_it(run_module):
    client = FakeClient([listing(FLEET)] + create("fw-2-canary", CANARY)
                        + create("fw-2-wave-1", WAVE_1, failed=2) + [failed_rows("fw-2-wave-1", WAVE_1[:2])]
                        + create("fw-2-wave-1-revert", WAVE_1, desired=REVERT))
    outcome = run_module(module, args(failure_threshold=25, revert_patch={"desired": REVERT}), client=client)
    client.assert_done()  # no request on wave-2
    reason = "wave-1: 2 of 4 devices failed (50.0%), more than the threshold of 25%"
    assert dict((key, value) for key, value in outcome.result["rollout"].items() if key != "waves") == summary(
        devices_targeted=6, devices_succeeded=4, devices_failed=2, stopped=True, stopped_reason=reason,
        completed=False)
    assert names(outcome) == [("canary", "fw-2-canary", 2, "completed"), ("wave-1", "fw-2-wave-1", 4, "stopped")]
    assert outcome.result["rollout"]["waves"][1]["reverted"] is True
    assert [entry["step"] for entry in outcome.result["jobs"]] == ["wave", "wave", "revert"]


def test_a_canary_query_is_listed_after_the_target_and_makes_the_first_wave(run_module):
    client = FakeClient([listing(FLEET, "tags.site = 'a'"), listing(["d05"], "tags.ring = 'canary'")]
                        + create("fw-2-canary", ["d05"])
                        + create("fw-2-wave-1", [d for d in FLEET if d != "d05"]))
    outcome = run_module(module, args(target_query="tags.site = 'a'", canary_query="tags.ring = 'canary'",
                                      canary_count=0, waves=[100]), client=client)
    client.assert_done()
    assert names(outcome) == [("canary", "fw-2-canary", 1, "completed"), ("wave-1", "fw-2-wave-1", 9, "completed")]


def test_check_mode_lists_and_plans_every_wave_without_a_write(run_module):
    def counted(job_id, ids):
        condition = "deviceId IN [%s]" % ", ".join("'%s'" % device_id for device_id in ids)
        return [get(job_id), pages("POST", QUERY, [[{"numberOfDevices": len(ids)}]], json={
            "query": "SELECT COUNT() AS numberOfDevices FROM devices WHERE " + condition})]

    client = FakeClient([listing(FLEET)] + counted("fw-2-canary", CANARY) + counted("fw-2-wave-1", WAVE_1)
                        + counted("fw-2-wave-2", WAVE_2))
    outcome = run_module(module, args(), client=client, check_mode=True, diff=True)
    client.assert_done()
    assert "PUT" not in [method for method, _path in client.calls]
    assert outcome.result["changed"] is True
    assert outcome.result["rollout"]["planned"] is True and outcome.result["rollout"]["completed"] is False
    assert [wave["status"] for wave in outcome.result["rollout"]["waves"]] == ["planned"] * 3
    assert outcome.result["diff"]["after"]["waves"] == [
        {"name": "canary", "device_ids": CANARY}, {"name": "wave-1", "device_ids": WAVE_1},
        {"name": "wave-2", "device_ids": WAVE_2}]


def test_an_empty_fleet_runs_no_wave(run_module):
    client = FakeClient([listing([])])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert outcome.result["changed"] is False
    assert outcome.result["rollout"] == summary(waves=[], waves_planned=0, devices_in_scope=0, devices_targeted=0,
                                                devices_succeeded=0)


def test_a_slice_that_ends_on_a_running_job_returns_the_plan_and_the_ended_waves(run_module, monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    running = job("fw-2-wave-1", WAVE_1, status="running")
    client = FakeClient([listing(FLEET)] + create("fw-2-canary", CANARY)
                        + [get("fw-2-wave-1"), expect("PUT", JOB, path_params={"job_id": "fw-2-wave-1"},
                                                      json=request("fw-2-wave-1", WAVE_1), body=running)]
                        + [get("fw-2-wave-1", running)])
    outcome = run_module(module, args(progress_interval=2), client=client)
    client.assert_done()  # the canary took the slice's first second; wave-1 had what was left, one wait_sleep
    assert outcome.result["in_progress"] is True and outcome.result["wave"] == "wave-1"
    assert outcome.result["job"]["job_id"] == "fw-2-wave-1"
    resume = outcome.result["resume"]
    assert resume["devices_in_scope"] == 10
    # The ended canary's devices are left out: the next run starts after it.
    assert [(wave["name"], wave["device_ids"]) for wave in resume["waves"]] == [
        ("canary", []), ("wave-1", WAVE_1), ("wave-2", WAVE_2)]
    assert [record["name"] for record in resume["done"]] == ["canary"]


def test_the_next_slice_resumes_at_the_running_wave_without_listing(run_module):
    canary = dict(name="canary", job_id="fw-2-canary", targeted=2, succeeded=2, failed=0, failure_rate=0.0, retries=0,
                  failed_devices=[], reverted=False, status="completed", job_ids=["fw-2-canary"])
    resume = {"devices_in_scope": 10, "done": [canary],
              "waves": [{"name": "canary", "job_id": "fw-2-canary", "device_ids": CANARY},
                        {"name": "wave-1", "job_id": "fw-2-wave-1", "device_ids": WAVE_1},
                        {"name": "wave-2", "job_id": "fw-2-wave-2", "device_ids": WAVE_2}]}
    client = FakeClient([get("fw-2-wave-1", job("fw-2-wave-1", WAVE_1))] + create("fw-2-wave-2", WAVE_2))
    outcome = run_module(module, args(resume=resume, waited={"fw-2-wave-1": 15.0}), client=client)
    client.assert_done()
    assert names(outcome) == [("canary", "fw-2-canary", 2, "completed"), ("wave-1", "fw-2-wave-1", 4, "completed"),
                              ("wave-2", "fw-2-wave-2", 4, "completed")]
    assert outcome.result["rollout"]["devices_in_scope"] == 10


def test_a_job_that_fails_fails_the_task_with_the_waves_that_ended(run_module):
    failed_job = dict(job("fw-2-wave-1", WAVE_1), status="failed", failureReason="boom")
    client = FakeClient([listing(FLEET)] + create("fw-2-canary", CANARY)
                        + [get("fw-2-wave-1"), expect("PUT", JOB, path_params={"job_id": "fw-2-wave-1"},
                                                      json=request("fw-2-wave-1", WAVE_1), body=failed_job)])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg == "job 'fw-2-wave-1' failed: boom"
    assert [wave["name"] for wave in outcome.result["waves"]] == ["canary"]
    assert [entry["job_id"] for entry in outcome.result["jobs"]] == ["fw-2-canary", "fw-2-wave-1"]
    assert outcome.result["changed"] is True


def test_a_listing_that_fails_names_the_request_and_changes_nothing(run_module):
    error = api_error(401, "IotHubUnauthorizedAccess", "unauthorized", method="POST", path=QUERY)
    client = FakeClient([pages("POST", QUERY, [error], json={"query": "SELECT deviceId FROM devices"})])
    outcome = run_module(module, args(), client=client)
    assert outcome.failed
    assert "401" in outcome.msg and "POST" in outcome.msg and "rid-1" in outcome.msg
    assert outcome.result.get("changed", False) is False
