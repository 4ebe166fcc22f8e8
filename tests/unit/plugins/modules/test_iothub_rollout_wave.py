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
# The one condition of a wave of MANY when the hub lists only the wave's devices in its range.
RANGE = "deviceId >= 'device-00001' AND deviceId <= 'device-00500'"


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


def request(job_id, ids, desired=None, query=None):
    desired = DESIRED if desired is None else desired
    return {"jobId": job_id, "type": "scheduleUpdateTwin", "queryCondition": query or condition(ids),
            "startTime": "2026-11-23T08:00:00.000Z", "maxExecutionTimeInSeconds": 3600,
            "updateTwin": {"etag": "*", "properties": {"desired": desired}}}


def job(job_id, ids, status="completed", failed=0, desired=None, query=None):
    return dict(request(job_id, ids, desired, query), status=status, createdTime="2026-11-23T08:00:00.1Z",
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


def count(ids, number, query=None):
    return pages("POST", QUERY, [[{"numberOfDevices": number}]],
                 json={"query": "SELECT COUNT() AS numberOfDevices FROM devices WHERE " + (query or condition(ids))})


def range_sql(ids):
    return {"query": "SELECT deviceId FROM devices WHERE deviceId >= '%s' AND deviceId <= '%s'" % (min(ids), max(ids))}


def listing(ids, listed, page=1000):
    """The listing of the wave's deviceId range, answered with `listed` in pages of `page` ids."""
    return pages("POST", QUERY, [[{"deviceId": device_id} for device_id in listed[start:start + page]]
                                 for start in range(0, len(listed), page)], json=range_sql(ids))


def interleaved(ids):
    """A listing of the range where another device follows each of the wave's: the exclusions never fit, so the
    wave runs as its IN-list parts (the listing stops within its first page)."""
    return listing(ids, [other for device_id in ids for other in (device_id, device_id + "-x")])


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


def many_args(**overrides):
    return args(**dict(dict(name="wave-1", job_id="fw-2-wave-1", device_ids=MANY), **overrides))


def range_create(job_id, query, desired=None, failed=0):
    """A new range job over MANY: its PUT (answered queued) and one poll that finds it completed."""
    return [expect("PUT", JOB, path_params={"job_id": job_id}, json=request(job_id, MANY, desired, query),
                   body=job(job_id, MANY, "queued", desired=desired, query=query)),
            get(job_id, job(job_id, MANY, failed=failed, desired=desired, query=query))]


def test_a_wave_too_large_for_one_in_list_runs_as_one_range_job(run_module, no_waiting):
    # The lookup, the range listed in pages, one PUT and its poll: one job where the IN-lists needed two.
    client = FakeClient([get("fw-2-wave-1"), listing(MANY, MANY, page=300)] + range_create("fw-2-wave-1", RANGE))
    outcome = run_module(module, many_args(), client=client)
    client.assert_done()
    assert not outcome.failed, outcome.msg
    assert client.calls == [("GET", JOB), ("POST", QUERY), ("POST", QUERY), ("PUT", JOB), ("GET", JOB)]
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1", job_ids=["fw-2-wave-1"],
                                            targeted=500, succeeded=500)
    assert no_waiting == [1]


def test_the_range_excludes_the_devices_it_holds_outside_the_wave(run_module):
    # The canaries and a device the rollout's query left out sort inside the wave's range: the condition excludes them.
    wave = [device_id for device_id in MANY if device_id not in ("device-00002", "device-00250")]
    others = ["device-00002", "device-00125-old", "device-00250"]
    query = ("deviceId >= 'device-00001' AND deviceId <= 'device-00500' AND NOT (deviceId IN ['device-00002', "
             "'device-00125-old', 'device-00250'])")
    client = FakeClient([get("fw-2-wave-1"), listing(wave, sorted(wave + others))]
                        + [expect("PUT", JOB, path_params={"job_id": "fw-2-wave-1"},
                                  json=request("fw-2-wave-1", wave, query=query),
                                  body=job("fw-2-wave-1", wave, "queued", query=query)),
                           get("fw-2-wave-1", job("fw-2-wave-1", wave, query=query))])
    outcome = run_module(module, many_args(device_ids=wave), client=client)
    client.assert_done()
    assert outcome.result["wave"]["job_ids"] == ["fw-2-wave-1"]
    assert outcome.result["wave"]["succeeded"] == 498


def in_list_parts(ids=MANY):
    """The IN-list parts of MANY after a listing that chose them: part 1 without a second lookup."""
    return ([expect("PUT", JOB, path_params={"job_id": "fw-2-wave-1"}, json=request("fw-2-wave-1", ids[:495]),
                    body=job("fw-2-wave-1", ids[:495], "queued")),
             get("fw-2-wave-1", job("fw-2-wave-1", ids[:495]))] + create("fw-2-wave-1-part-2", ids[495:]))


def test_a_wave_interleaved_with_other_devices_runs_as_its_in_list_parts(run_module):
    # The devices between the wave's do not fit in the range's exclusions: the listing stops at its first page.
    client = FakeClient([get("fw-2-wave-1"), interleaved(MANY)] + in_list_parts())
    outcome = run_module(module, many_args(), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("POST", QUERY), ("PUT", JOB), ("GET", JOB),
                            ("GET", JOB), ("PUT", JOB), ("GET", JOB)]
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1",
                                            job_ids=["fw-2-wave-1", "fw-2-wave-1-part-2"], targeted=500,
                                            succeeded=500)


def test_a_wave_device_the_range_listing_misses_means_the_in_list_parts(run_module):
    # The hub's string order is not ours (or the device is gone): the range would miss it, the IN-lists do not.
    client = FakeClient([get("fw-2-wave-1"), listing(MANY, MANY[:250] + MANY[251:])] + in_list_parts())
    outcome = run_module(module, many_args(), client=client)
    client.assert_done()
    assert outcome.result["wave"]["job_ids"] == ["fw-2-wave-1", "fw-2-wave-1-part-2"]


def test_a_hub_that_refuses_the_range_listing_means_the_in_list_parts(run_module):
    refused = api_error(400, "BadRequest", "operator >= is not supported on strings", method="POST", path=QUERY)
    client = FakeClient([get("fw-2-wave-1"), pages("POST", QUERY, [refused], json=range_sql(MANY))] + in_list_parts())
    outcome = run_module(module, many_args(), client=client)
    client.assert_done()
    assert not outcome.failed, outcome.msg
    assert outcome.result["wave"]["job_ids"] == ["fw-2-wave-1", "fw-2-wave-1-part-2"]


def test_another_listing_error_fails_the_task_before_any_write(run_module):
    denied = api_error(401, "IotHubUnauthorizedAccess", "denied", method="POST", path=QUERY)
    client = FakeClient([get("fw-2-wave-1"), pages("POST", QUERY, [denied], json=range_sql(MANY))])
    outcome = run_module(module, many_args(), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg == "POST /devices/query failed: HTTP 401 IotHubUnauthorizedAccess: denied (request id rid-1)"
    assert outcome.result["changed"] is False


def test_a_rerun_adopts_the_range_job_without_listing(run_module, no_waiting):
    # Whatever the registry holds now, the job decides: its condition is compared as it is, one GET in all.
    query = RANGE + " AND NOT (deviceId IN ['device-00007-new'])"
    client = FakeClient([get("fw-2-wave-1", job("fw-2-wave-1", MANY, query=query))])
    outcome = run_module(module, many_args(retries=2), client=client)
    client.assert_done()
    assert not outcome.result["changed"]
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1", job_ids=["fw-2-wave-1"],
                                            targeted=500, succeeded=500)
    assert no_waiting == []


def test_a_rerun_of_an_in_list_wave_finds_its_parts_with_one_get_each(run_module):
    client = FakeClient([get("fw-2-wave-1", job("fw-2-wave-1", MANY[:495])),
                         get("fw-2-wave-1-part-2", job("fw-2-wave-1-part-2", MANY[495:]))])
    outcome = run_module(module, many_args(), client=client)
    client.assert_done()
    assert not outcome.result["changed"]
    assert outcome.result["wave"]["job_ids"] == ["fw-2-wave-1", "fw-2-wave-1-part-2"]


def test_a_range_job_of_other_bounds_is_a_conflict_not_adopted(run_module):
    other = "deviceId >= 'device-00001' AND deviceId <= 'device-00499'"
    client = FakeClient([get("fw-2-wave-1", job("fw-2-wave-1", MANY, query=other))])
    outcome = run_module(module, many_args(), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg.startswith("job 'fw-2-wave-1' already exists with a different request (query differ)")


def test_a_stopped_range_wave_reverts_with_one_job_over_the_same_range(run_module):
    failed = MANY[:100]
    revert = request("fw-2-wave-1-revert", MANY, REVERT, RANGE)
    client = FakeClient([get("fw-2-wave-1"), listing(MANY, MANY)] + range_create("fw-2-wave-1", RANGE, failed=100)
                        + [failed_rows("fw-2-wave-1", failed),
                           get("fw-2-wave-1-revert"),
                           expect("PUT", JOB, path_params={"job_id": "fw-2-wave-1-revert"}, json=revert,
                                  body=job("fw-2-wave-1-revert", MANY, "queued", desired=REVERT, query=RANGE)),
                           get("fw-2-wave-1-revert", job("fw-2-wave-1-revert", MANY, desired=REVERT, query=RANGE))])
    outcome = run_module(module, many_args(revert_patch={"desired": REVERT}), client=client)
    client.assert_done()
    assert outcome.result["stopped_reason"] == \
        "wave-1: 100 of 500 devices failed (20.0%), more than the threshold of 10%"
    assert [(entry["job_id"], entry["step"]) for entry in outcome.result["jobs"]] == \
        [("fw-2-wave-1", "wave"), ("fw-2-wave-1-revert", "revert")]
    assert outcome.result["wave"]["reverted"] is True


def test_retries_of_a_range_wave_are_in_list_jobs(run_module):
    failed = ["device-00003", "device-00300"]
    client = FakeClient([get("fw-2-wave-1"), listing(MANY, MANY)] + range_create("fw-2-wave-1", RANGE, failed=2)
                        + [failed_rows("fw-2-wave-1", failed)] + create("fw-2-wave-1-retry-1", failed))
    outcome = run_module(module, many_args(retries=1), client=client)
    client.assert_done()
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1", job_ids=["fw-2-wave-1"],
                                            targeted=500, succeeded=500, retries=1)


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


def test_check_mode_lists_the_range_counts_the_devices_and_writes_nothing(run_module, no_waiting):
    # The listing is a read: check mode plans the range job a real run would create, and counts its devices.
    client = FakeClient([get("fw-2-wave-1"), listing(MANY, MANY), count(MANY, 499, RANGE)])
    outcome = run_module(module, many_args(retries=1), client=client, check_mode=True, diff=True)
    client.assert_done()
    assert outcome.result["changed"]
    assert outcome.result["planned"] is True
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1", job_ids=["fw-2-wave-1"],
                                            targeted=500, succeeded=0, status="planned", targeted_devices=499)
    assert outcome.result["diff"]["after"]["device_ids"] == MANY
    assert outcome.result["diff"]["after"]["jobs"] == [{"job_id": "fw-2-wave-1", "query": RANGE}]
    assert no_waiting == []


def test_check_mode_plans_the_in_list_parts_when_the_range_does_not_do(run_module):
    client = FakeClient([get("fw-2-wave-1"), interleaved(MANY), count(MANY[:495], 495), get("fw-2-wave-1-part-2"),
                         count(MANY[495:], 4)])
    outcome = run_module(module, many_args(), client=client, check_mode=True)
    client.assert_done()
    assert outcome.result["wave"]["job_ids"] == ["fw-2-wave-1", "fw-2-wave-1-part-2"]
    assert outcome.result["wave"]["targeted_devices"] == 499


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
    client = FakeClient([get("fw-2-wave-1"), interleaved(MANY)] + in_list_parts()[:2]
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


def first_part(wave, ids):
    """The lookup of part 1, a listing that chooses the IN-list parts, part 1's PUT (no second lookup)."""
    return [get("fw-2-wave-1"), interleaved(wave)] + created("fw-2-wave-1", ids)[1:]


def wave_args(**overrides):
    return args(name="wave-1", job_id="fw-2-wave-1", device_ids=FLEET, **overrides)


def test_five_concurrent_jobs_are_created_then_waited_for_with_as_many_requests(run_module, fake_clock, monkeypatch):
    sleeps = []
    advance = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: (sleeps.append(seconds), advance(seconds)))
    client = FakeClient(first_part(FLEET, SLICES[0])
                        + [request for job_id, ids in zip(PARTS[1:], SLICES[1:]) for request in created(job_id, ids)]
                        + [get(job_id, job(job_id, ids)) for job_id, ids in zip(PARTS, SLICES)])
    outcome = run_module(module, wave_args(concurrent_jobs=5), client=client)
    client.assert_done()
    assert not outcome.failed, outcome.msg
    # The range listing (one request: it stops within its first page of 4), then a lookup and a create a job, then
    # one poll a job: the requests of five jobs one after the other, plus the listing that chose them.
    assert client.calls == [("GET", JOB), ("POST", QUERY), ("PUT", JOB)] + [("GET", JOB), ("PUT", JOB)] * 4 \
        + [("GET", JOB)] * 5
    # The first poll follows its create answer by wait_sleep; the others were read before that pause: no more pause.
    assert sleeps == [1]
    assert [entry["job_id"] for entry in outcome.result["jobs"]] == PARTS
    assert outcome.result["wave"] == record(name="wave-1", job_id="fw-2-wave-1", job_ids=PARTS, targeted=2000,
                                            succeeded=2000)


def test_one_job_at_a_time_keeps_the_sequential_requests(run_module):
    client = FakeClient(first_part(FLEET, SLICES[0]) + [get(PARTS[0], job(PARTS[0], SLICES[0]))]
                        + [request for job_id, ids in zip(PARTS[1:], SLICES[1:])
                           for request in created(job_id, ids) + [get(job_id, job(job_id, ids))]])
    outcome = run_module(module, wave_args(), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("POST", QUERY), ("PUT", JOB), ("GET", JOB)] \
        + [("GET", JOB), ("PUT", JOB), ("GET", JOB)] * 4
    assert outcome.result["wave"]["targeted"] == 2000


def test_a_create_refused_by_the_job_limit_waits_for_the_running_job_and_is_sent_again(run_module, fake_clock):
    busy = api_error(429, "ThrottlingMaxActiveJobCountExceeded", "Wait 10 seconds and try again.", method="PUT")
    second = "fw-2-wave-1-part-2"
    client = FakeClient(first_part(MANY, MANY[:495])
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
    client = FakeClient(first_part(MANY, MANY[:495]) + created("fw-2-wave-1-part-2", MANY[495:])
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
