# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""iothub_rollout_wave: one wave's jobs, retries, threshold and revert, with the exact requests of each path."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils import _iothub
from ansible_collections.azure_iot.jobs.plugins.modules import iothub_rollout_wave as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

NOW = datetime(2026, 11, 23, 8, 0, 0, tzinfo=timezone.utc)
JOB = "/jobs/v2/{job_id}"
QUERY = "/devices/query"
DESIRED = {"fw": "2"}
REVERT = {"fw": "1"}
DEVICES = ["d1", "d2", "d3", "d4"]
# 500 ids of 12 characters do not fit in one condition: 495, then 5 (as rollout_waves and device_id_jobs cut them).
MANY = ["device-%05d" % number for number in range(1, 501)]


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(_iothub, "utcnow", lambda: NOW)
    sleeps = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    return sleeps


def args(**overrides):
    base = dict(name="canary", job_id="fw-2-canary", device_ids=DEVICES, twin_patch={"desired": DESIRED},
                wait_sleep=1, wait_timeout=60,
                connection_string="HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=a2V5")
    base.update(overrides)
    return dict((k, v) for k, v in base.items() if v is not None)


def condition(ids):
    return "deviceId IN [%s]" % ", ".join("'%s'" % device_id for device_id in ids)


def request(job_id, ids, desired=None):
    desired = DESIRED if desired is None else desired
    return {"jobId": job_id, "type": "scheduleUpdateTwin", "queryCondition": condition(ids),
            "startTime": "2026-11-23T08:00:00.000Z", "maxExecutionTimeInSeconds": 3600,
            "updateTwin": {"etag": "*", "properties": {"desired": desired}}}


def job(job_id, ids, status="completed", failed=0, desired=None):
    return dict(request(job_id, ids, desired), status=status, createdTime="2026-11-23T08:00:00.1Z",
                deviceJobStatistics={"deviceCount": len(ids), "failedCount": failed,
                                     "succeededCount": len(ids) - failed if status == "completed" else 0,
                                     "runningCount": 0, "pendingCount": 0 if status == "completed" else len(ids)})


def get(job_id, body=None):
    """GET of a job: 404 without a body."""
    if body is None:
        return expect("GET", JOB, path_params={"job_id": job_id}, status=404)
    return expect("GET", JOB, path_params={"job_id": job_id}, body=body)


def create(job_id, ids, desired=None, failed=0):
    """A new job: its lookup, its PUT (answered queued), one poll that finds it completed."""
    return [get(job_id), expect("PUT", JOB, path_params={"job_id": job_id}, json=request(job_id, ids, desired),
                                body=job(job_id, ids, "queued", desired=desired)),
            get(job_id, job(job_id, ids, failed=failed, desired=desired))]


def failed_rows(job_id, ids):
    sql = "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '%s' AND devices.jobs.status = 'failed'" % job_id
    return pages("POST", QUERY, [[{"deviceId": device_id, "jobId": job_id, "status": "failed"} for device_id in ids]],
                 json={"query": sql})


def count(ids, number):
    return pages("POST", QUERY, [[{"numberOfDevices": number}]],
                 json={"query": "SELECT COUNT() AS numberOfDevices FROM devices WHERE " + condition(ids)})


def record(**changes):
    base = {"name": "canary", "job_id": "fw-2-canary", "job_ids": ["fw-2-canary"], "targeted": 4, "succeeded": 4,
            "failed": 0, "failure_rate": 0.0, "retries": 0, "failed_devices": [], "reverted": False,
            "status": "completed"}
    base.update(changes)
    return base


def test_a_new_wave_creates_its_job_waits_and_records_it(run_module, no_waiting):
    client = FakeClient(create("fw-2-canary", DEVICES))
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert not outcome.failed, outcome.msg
    assert outcome.result["changed"]
    assert outcome.result["wave"] == record()
    assert outcome.result["stopped_reason"] == ""
    assert outcome.result["planned"] is False
    assert [(entry["job_id"], entry["step"], entry["changed"], entry["status"]) for entry in outcome.result["jobs"]] \
        == [("fw-2-canary", "wave", True, "completed")]
    # No SELECT COUNT() before the create: the module built the condition from listed ids.
    assert client.calls == [("GET", JOB), ("PUT", JOB), ("GET", JOB)]
    assert no_waiting == [1]


def test_a_rerun_finds_every_job_and_changes_nothing(run_module, no_waiting):
    client = FakeClient([get("fw-2-canary", job("fw-2-canary", DEVICES))])
    outcome = run_module(module, args(retries=2), client=client)
    client.assert_done()
    assert not outcome.result["changed"]
    assert outcome.result["wave"] == record()
    assert no_waiting == []


def test_a_wave_too_large_for_one_query_runs_its_jobs_one_after_the_other(run_module):
    client = FakeClient(create("fw-2-wave-1", MANY[:495]) + create("fw-2-wave-1-part-2", MANY[495:]))
    outcome = run_module(module, args(name="wave-1", job_id="fw-2-wave-1", device_ids=MANY), client=client)
    client.assert_done()
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1",
                                            job_ids=["fw-2-wave-1", "fw-2-wave-1-part-2"], targeted=500,
                                            succeeded=500)


def test_failed_devices_are_retried_until_they_succeed(run_module):
    client = FakeClient(create("fw-2-canary", DEVICES, failed=2) + [failed_rows("fw-2-canary", ["d2", "d4"])]
                        + create("fw-2-canary-retry-1", ["d2", "d4"], failed=1) + [failed_rows("fw-2-canary-retry-1",
                                                                                               ["d4"])]
                        + create("fw-2-canary-retry-2", ["d4"]))
    outcome = run_module(module, args(retries=3), client=client)
    client.assert_done()
    assert outcome.result["wave"] == record(retries=2)
    assert outcome.result["stopped_reason"] == ""


def test_a_wave_above_the_threshold_stops_and_reverts(run_module):
    client = FakeClient(create("fw-2-canary", DEVICES, failed=2) + [failed_rows("fw-2-canary", ["d2", "d4"])]
                        + create("fw-2-canary-revert", DEVICES, desired=REVERT))
    outcome = run_module(module, args(failure_threshold=25, revert_patch={"desired": REVERT}), client=client)
    client.assert_done()
    assert not outcome.failed
    assert outcome.result["stopped_reason"] == \
        "canary: 2 of 4 devices failed (50.0%), more than the threshold of 25%"
    assert outcome.result["wave"] == record(succeeded=2, failed=2, failure_rate=50.0, failed_devices=["d2", "d4"],
                                            reverted=True, status="stopped")
    assert [entry["step"] for entry in outcome.result["jobs"]] == ["wave", "revert"]


def test_a_wave_at_the_threshold_goes_on(run_module):
    client = FakeClient(create("fw-2-canary", DEVICES, failed=1) + [failed_rows("fw-2-canary", ["d3"])])
    outcome = run_module(module, args(failure_threshold=25, revert_patch={"desired": REVERT}), client=client)
    client.assert_done()
    assert outcome.result["stopped_reason"] == ""
    assert outcome.result["wave"]["status"] == "completed"


def test_check_mode_counts_the_devices_and_writes_nothing(run_module, no_waiting):
    client = FakeClient([get("fw-2-wave-1"), count(MANY[:495], 495), get("fw-2-wave-1-part-2"), count(MANY[495:], 4)])
    outcome = run_module(module, args(name="wave-1", job_id="fw-2-wave-1", device_ids=MANY, retries=1),
                         client=client, check_mode=True, diff=True)
    client.assert_done()
    assert outcome.result["changed"]
    assert outcome.result["planned"] is True
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1",
                                            job_ids=["fw-2-wave-1", "fw-2-wave-1-part-2"], targeted=500,
                                            succeeded=0, status="planned", targeted_devices=499)
    assert outcome.result["diff"]["after"]["device_ids"] == MANY
    assert [entry["job_id"] for entry in outcome.result["diff"]["after"]["jobs"]] == \
        ["fw-2-wave-1", "fw-2-wave-1-part-2"]
    assert no_waiting == []


def test_a_failed_job_fails_the_task_and_says_what_this_run_created(run_module):
    client = FakeClient([get("fw-2-canary"),
                         expect("PUT", JOB, json=request("fw-2-canary", DEVICES), body=job("fw-2-canary", DEVICES,
                                                                                           "queued")),
                         get("fw-2-canary", dict(job("fw-2-canary", DEVICES, "failed"), failureReason="quota"))])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg == "job 'fw-2-canary' failed: quota"
    assert outcome.result["changed"] is True
    assert [(entry["job_id"], entry["changed"], entry["status"]) for entry in outcome.result["jobs"]] == \
        [("fw-2-canary", True, "failed")]


def test_an_api_error_mid_wave_keeps_the_changed_flag(run_module):
    client = FakeClient(create("fw-2-wave-1", MANY[:495])
                        + [expect("GET", JOB, path_params={"job_id": "fw-2-wave-1-part-2"},
                                  raises=api_error(401, "IotHubUnauthorizedAccess", "denied"))])
    outcome = run_module(module, args(name="wave-1", job_id="fw-2-wave-1", device_ids=MANY), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg == "GET /jobs/v2/{job_id} failed: HTTP 401 IotHubUnauthorizedAccess: denied (request id rid-1)"
    assert outcome.result["changed"] is True
    assert outcome.result["status"] == 401
    assert [entry["job_id"] for entry in outcome.result["jobs"]] == ["fw-2-wave-1"]


BAD_INPUTS = [
    (dict(device_ids=[]), "device_ids must list at least one device: a wave without devices runs no job"),
    (dict(device_ids=["d1", "d1"]), "device_ids lists a device more than once; each device belongs to the wave once"),
    (dict(name=""), "name must not be empty: it names the wave in the record and the stop reason"),
    (dict(retries=10), "retries must be from 0 to 9, got 10"),
    (dict(concurrent_jobs=0), "concurrent_jobs must be from 1 to 10, got 0"),
    (dict(concurrent_jobs=11), "concurrent_jobs must be from 1 to 10, got 11"),
    (dict(failure_threshold=101), "failure_threshold must be from 0 to 100, got 101.0"),
    (dict(twin_patch=None, method={"name": "reboot"}, revert_patch={"desired": REVERT}),
     "revert_patch undoes a twin update, so it needs twin_patch"),
    (dict(twin_patch=None), "one of the following is required: twin_patch, method"),
    (dict(method={"name": "reboot"}), "parameters are mutually exclusive: twin_patch|method"),
    (dict(job_id="Fw-2"), "job_id may only contain lower-case US-ASCII letters, digits and '-' (IoT Hub refuses "
                          "upper case, '_' and '.' in the id of a new job), found 'F' in 'Fw-2'"),
    (dict(job_id="x" * 60), "job_id must be at most 64 characters, got 68"),
    (dict(wait_sleep=0), "wait_sleep must be a number of seconds greater than 0, got 0"),
    (dict(device_ids=["x" * 7950]), "device_ids: the device id '%s' alone makes a condition of 7966 characters, "
                                    "more than max_length (7947)" % ("x" * 7950)),
]


@pytest.mark.parametrize("overrides, msg", BAD_INPUTS, ids=[case[1][:40] for case in BAD_INPUTS])
def test_bad_input_fails_before_any_client_call(run_module, overrides, msg):
    outcome = run_module(module, args(**overrides))
    assert outcome.failed
    assert outcome.msg == msg
    assert outcome.factory_calls == []


@pytest.fixture
def fake_clock(monkeypatch):
    """time.monotonic and time.sleep on one fake clock: every sleep advances it."""
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    return now


def test_a_progress_slice_returns_the_running_job_and_the_next_run_goes_on(run_module, fake_clock):
    running = job("fw-2-canary", DEVICES, "running")
    client = FakeClient([get("fw-2-canary"),
                         expect("PUT", JOB, json=request("fw-2-canary", DEVICES), body=job("fw-2-canary", DEVICES,
                                                                                           "queued")),
                         get("fw-2-canary", running), get("fw-2-canary", running)])
    outcome = run_module(module, args(wait_sleep=5, progress_interval=10), client=client)
    client.assert_done()
    assert outcome.result["in_progress"] is True
    assert outcome.result["changed"] is True
    assert outcome.result["job"]["status"] == "running"
    assert outcome.result["waited"] == {"fw-2-canary": 10.0}
    assert "wave" not in outcome.result

    client = FakeClient([get("fw-2-canary", running), get("fw-2-canary", job("fw-2-canary", DEVICES))])
    outcome = run_module(module, args(wait_sleep=5, progress_interval=10, waited={"fw-2-canary": 10}),
                         client=client)
    client.assert_done()
    assert "in_progress" not in outcome.result
    assert outcome.result["changed"] is False
    assert outcome.result["wave"] == record()


def test_wait_timeout_counts_from_the_first_slice(run_module, fake_clock):
    running = job("fw-2-canary", DEVICES, "running")
    client = FakeClient([get("fw-2-canary", running), get("fw-2-canary", running)])
    outcome = run_module(module, args(wait_sleep=5, progress_interval=10, waited={"fw-2-canary": 58}),
                         client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg == ("timed out after 60 s waiting for job 'fw-2-canary' (status running); the job keeps "
                           "running on the hub: wait again with the same task, or raise wait_timeout")


# 2,000 ids of 12 characters: 4 jobs of 495 and one of 20, as in the benchmark's waves.
FLEET = ["device-%05d" % number for number in range(1, 2001)]
PARTS = ["fw-2-wave-1"] + ["fw-2-wave-1-part-%d" % part for part in range(2, 6)]
SLICES = [FLEET[495 * index:495 * (index + 1)] for index in range(5)]


def created(job_id, ids):
    """A new job's lookup and its PUT (answered queued), without the wait."""
    return [get(job_id), expect("PUT", JOB, path_params={"job_id": job_id}, json=request(job_id, ids),
                                body=job(job_id, ids, "queued"))]


def wave_args(**overrides):
    return args(name="wave-1", job_id="fw-2-wave-1", device_ids=FLEET, **overrides)


def test_five_concurrent_jobs_are_created_then_waited_for_with_as_many_requests(run_module, fake_clock, monkeypatch):
    sleeps = []
    advance = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: (sleeps.append(seconds), advance(seconds)))
    client = FakeClient([request for job_id, ids in zip(PARTS, SLICES) for request in created(job_id, ids)]
                        + [get(job_id, job(job_id, ids)) for job_id, ids in zip(PARTS, SLICES)])
    outcome = run_module(module, wave_args(concurrent_jobs=5), client=client)
    client.assert_done()
    assert not outcome.failed, outcome.msg
    # A lookup and a create a job, then one poll a job: the 15 requests of five jobs one after the other.
    assert client.calls == [("GET", JOB), ("PUT", JOB)] * 5 + [("GET", JOB)] * 5
    # The first poll follows its create answer by wait_sleep; the others were read before that pause: no more pause.
    assert sleeps == [1]
    assert [entry["job_id"] for entry in outcome.result["jobs"]] == PARTS
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1", job_ids=PARTS, targeted=2000,
                                            succeeded=2000)


def test_one_job_at_a_time_keeps_the_sequential_requests(run_module):
    client = FakeClient([request for job_id, ids in zip(PARTS, SLICES)
                         for request in created(job_id, ids) + [get(job_id, job(job_id, ids))]])
    outcome = run_module(module, wave_args(), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("PUT", JOB), ("GET", JOB)] * 5
    assert outcome.result["wave"]["targeted"] == 2000


def test_a_create_refused_by_the_job_limit_waits_for_the_running_job_and_is_sent_again(run_module, fake_clock):
    busy = api_error(429, "ThrottlingMaxActiveJobCountExceeded", "Wait 10 seconds and try again.", method="PUT")
    second = "fw-2-wave-1-part-2"
    client = FakeClient(created("fw-2-wave-1", MANY[:495])
                        + [get(second), expect("PUT", JOB, path_params={"job_id": second},
                                               json=request(second, MANY[495:]), raises=busy),
                           get("fw-2-wave-1", job("fw-2-wave-1", MANY[:495])),
                           # no second lookup: the first found no job, and the hub refused to create it
                           expect("PUT", JOB, path_params={"job_id": second}, json=request(second, MANY[495:]),
                                  body=job(second, MANY[495:], "queued")),
                           get(second, job(second, MANY[495:]))])
    outcome = run_module(module, args(name="wave-1", job_id="fw-2-wave-1", device_ids=MANY, concurrent_jobs=5),
                         client=client)
    client.assert_done()
    assert not outcome.failed, outcome.msg
    assert [(entry["job_id"], entry["changed"]) for entry in outcome.result["jobs"]] \
        == [("fw-2-wave-1", True), (second, True)]
    assert outcome.result["wave"]["succeeded"] == 500


def test_a_create_refused_by_the_job_limit_with_none_of_the_wave_running_fails_as_before(run_module):
    busy = api_error(429, "ThrottlingMaxActiveJobCountExceeded", "Wait 10 seconds and try again.", method="PUT")
    client = FakeClient([get("fw-2-canary"), expect("PUT", JOB, json=request("fw-2-canary", DEVICES), raises=busy)])
    outcome = run_module(module, args(concurrent_jobs=5), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg.startswith("cannot create job 'fw-2-canary': the hub's concurrent-job limit is reached")


def test_a_concurrent_rerun_finds_every_job_and_polls_none(run_module, no_waiting):
    client = FakeClient([get(job_id, job(job_id, ids)) for job_id, ids in zip(PARTS, SLICES)])
    outcome = run_module(module, wave_args(concurrent_jobs=5), client=client)
    client.assert_done()
    assert not outcome.result["changed"]
    assert no_waiting == []


def test_concurrent_retries_run_in_one_batch(run_module, fake_clock):
    failed = ["device-00001", "device-00002"]
    client = FakeClient(created("fw-2-wave-1", MANY[:495]) + created("fw-2-wave-1-part-2", MANY[495:])
                        + [get("fw-2-wave-1", job("fw-2-wave-1", MANY[:495], failed=2)),
                           failed_rows("fw-2-wave-1", failed),
                           get("fw-2-wave-1-part-2", job("fw-2-wave-1-part-2", MANY[495:]))]
                        + created("fw-2-wave-1-retry-1", failed)
                        + [get("fw-2-wave-1-retry-1", job("fw-2-wave-1-retry-1", failed))])
    outcome = run_module(module, args(name="wave-1", job_id="fw-2-wave-1", device_ids=MANY, concurrent_jobs=5,
                                      retries=1), client=client)
    client.assert_done()
    assert outcome.result["wave"]["failed"] == 0
    assert outcome.result["wave"]["retries"] == 1
