# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job engine with the IoT Hub scheduled-job descriptor: each path pinned to its exact request sequence."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, TransportError, ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import ScheduledJob
from ansible_collections.azure_iot.jobs.plugins.module_utils._job import JobFailure, Lifecycle
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import WaitOptions
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

NOW = datetime(2026, 11, 23, 8, 0, 0, 123000, tzinfo=timezone.utc)
JOB = "/jobs/v2/{job_id}"
CANCEL = "/jobs/v2/{job_id}/cancel"
QUERY = "/devices/query"
GET, PUT, POST = ("GET", JOB), ("PUT", JOB), ("POST", CANCEL)
DEVQ = ("POST", QUERY)
FAILED_ROWS_SQL = ("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'fw-1' AND devices.jobs.status = 'failed'")

TWIN_REQUEST = {
    "jobId": "fw-1",
    "type": "scheduleUpdateTwin",
    "queryCondition": "tags.ring = 'canary'",
    "startTime": "2026-11-23T08:00:00.123Z",
    "maxExecutionTimeInSeconds": 3600,
    "updateTwin": {"etag": "*", "properties": {"desired": {"fw": "1.2.0"}}},
}


def counted(devices=10, query="tags.ring = 'canary'"):
    """The COUNT query a create runs first: the hub accepts a job whose query it cannot evaluate and fails it later."""
    sql = "SELECT COUNT() AS numberOfDevices FROM devices" + ("" if query == "*" else " WHERE " + query)
    return pages("POST", QUERY, [[{"numberOfDevices": devices}]], json={"query": sql})


def put(**answer):
    """The create request (exactly this body) and its scripted answer."""
    return expect("PUT", JOB, json=TWIN_REQUEST, **answer)


def twin_job(status="queued", stats=None, **changes):
    """A full JobResponse as the emulator answers (PUT and GET)."""
    body = dict(TWIN_REQUEST, status=status, createdTime="2026-11-23T08:00:00.2000000Z",
                deviceJobStatistics=stats or {"deviceCount": 0, "failedCount": 0, "succeededCount": 0,
                                              "runningCount": 0, "pendingCount": 0})
    body["updateTwin"] = dict(body["updateTwin"], deviceId=None)
    body.update(changes)
    return body


def stats(count, succeeded, failed, running=0, pending=0):
    return {"deviceCount": count, "succeededCount": succeeded, "failedCount": failed, "runningCount": running,
            "pendingCount": pending}


class Clock(object):
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def params(**overrides):
    base = dict(job_id="fw-1", state="present", type=None, query="tags.ring = 'canary'",
                twin_patch={"tags": None, "desired": {"fw": "1.2.0"}}, method=None, start_time="now",
                max_execution_time=None)
    base.update(overrides)
    return base


def engine(client, clock=None, check_mode=False, diff=False, wait=False, timeout=60, sleep=5, warnings=None,
           fail_on_device_failures=True, queue_when_busy=False, **overrides):
    clock = clock or Clock()
    job = ScheduledJob.from_params(params(**overrides), now=lambda: NOW)
    return Lifecycle(client, job, check_mode=check_mode, diff=diff, wait=WaitOptions(wait, timeout, sleep),
                     fail_on_device_failures=fail_on_device_failures, queue_when_busy=queue_when_busy,
                     warn=(warnings.append if warnings is not None else None), clock=clock, sleep=clock.sleep)


def get_job(status=404, body=None, job_id="fw-1"):
    return expect("GET", JOB, path_params={"job_id": job_id}, status=status, body=body)


# --- present ----------------------------------------------------------------------------------------------

def test_create_sends_the_request_and_returns_the_job_as_the_hub_answers():
    client = FakeClient([get_job(404), counted(7), expect("PUT", JOB, path_params={"job_id": "fw-1"},
                                                          json=TWIN_REQUEST, body=twin_job())])
    result = engine(client).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT]
    assert result["changed"] is True and result["targeted_devices"] == 7
    assert result["job"]["status"] == "queued"
    assert result["job"]["twin_patch"] == {"tags": None, "desired": {"fw": "1.2.0"}}
    assert result["job"]["created_time"] == "2026-11-23T08:00:00.2000000Z"
    assert "diff" not in result


def test_create_when_get_answers_unknown_type_and_status():
    client = FakeClient([get_job(200, {"type": "unknown", "status": "unknown"}), counted(), put(body=twin_job())])
    assert engine(client).present()["changed"] is True
    assert client.calls == [GET, DEVQ, PUT]


def test_create_with_sparse_put_answer_gets_the_job_once():
    client = FakeClient([get_job(404),
                         counted(), put(body={"jobId": "fw-1", "type": "scheduleUpdateTwin", "status": "queued"}),
                         get_job(200, twin_job())])
    result = engine(client).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT, GET]
    assert result["job"]["query"] == "tags.ring = 'canary'"
    assert result["job"]["statistics"]["device_count"] == 0


def test_create_with_sparse_answer_and_job_not_visible_yet_uses_the_request():
    client = FakeClient([get_job(404),
                         counted(), put(body={"jobId": "fw-1", "type": "scheduleUpdateTwin", "status": "queued"}),
                         get_job(404)])
    job = engine(client).present()["job"]
    assert (job["status"], job["query"], job["max_execution_time"]) == ("queued", "tags.ring = 'canary'", 3600)


def test_create_device_method_request_body():
    method = {"name": "reboot", "payload": {"delay": 5}, "connect_timeout": None, "response_timeout": 60}
    body = {
        "jobId": "fw-1", "type": "scheduleDeviceMethod", "queryCondition": "*",
        "startTime": "2026-11-24T00:00:00.000Z", "maxExecutionTimeInSeconds": 600,
        "cloudToDeviceMethod": {"methodName": "reboot", "payload": {"delay": 5}, "responseTimeoutInSeconds": 60,
                                "connectTimeoutInSeconds": 0},
    }
    client = FakeClient([get_job(404), counted(query="*"), expect("PUT", JOB, json=body,
                                                                  body=dict(body, status="queued"))])
    result = engine(client, query=None, twin_patch=None, method=method, start_time="2026-11-24T00:00:00Z",
                    max_execution_time=600).present()
    client.assert_done()
    assert result["job"]["method"] == {"name": "reboot", "payload": {"delay": 5}, "connect_timeout": 0,
                                       "response_timeout": 60}
    assert result["job"]["type"] == "device_method"


def test_create_in_diff_mode_shows_nothing_before():
    client = FakeClient([get_job(404), counted(), put(body=twin_job())])
    result = engine(client, diff=True).present()
    assert result["diff"] == {"before": {}, "after": result["job"]}


def test_unchanged_is_exactly_one_get():
    existing = twin_job("completed", stats(10, 10, 0), startTime="2026-11-20T10:00:00.5Z",
                        queryCondition="tags.ring   =  'canary'")
    client = FakeClient([get_job(200, existing)])
    result = engine(client, query="WHERE tags.ring = 'canary'", diff=True).present()
    client.assert_done()
    assert client.calls == [GET]
    assert result["changed"] is False
    assert result["job"]["status"] == "completed"
    assert "diff" not in result


def test_unchanged_accepts_existing_values_of_unset_options():
    existing = twin_job("running", maxExecutionTimeInSeconds=7200)
    client = FakeClient([get_job(200, existing)])
    assert engine(client).present()["changed"] is False


def test_explicit_start_time_is_compared_to_the_second():
    existing = twin_job("scheduled", startTime="2026-11-24T00:00:00.9990000Z")
    client = FakeClient([get_job(200, existing)])
    assert engine(client, start_time="2026-11-24T01:00:00+01:00").present()["changed"] is False

    client = FakeClient([get_job(200, existing)])
    with pytest.raises(JobFailure) as info:
        engine(client, start_time="2026-11-24T00:00:01Z").present()
    assert info.value.result["differences"] == ["start_time"]
    assert client.calls == [GET]


def test_conflicting_request_fails_with_both_requests_and_a_diff():
    existing = twin_job("completed", stats(10, 10, 0),
                        updateTwin={"etag": "*", "properties": {"desired": {"fw": "1.1"}}})
    client = FakeClient([get_job(200, existing)])
    with pytest.raises(JobFailure) as info:
        engine(client, diff=True, max_execution_time=600).present()
    client.assert_done()
    assert client.calls == [GET]
    failure = info.value.to_fail_json()
    assert failure["msg"] == (
        "job 'fw-1' already exists with a different request (max_execution_time, twin_patch differ); an IoT Hub "
        "scheduled job cannot be changed once submitted: choose a new job_id to submit this request")
    assert failure["changed"] is False
    # start_time "now" is not compared: the requested view takes the existing job's.
    assert failure["existing"] == {"type": "update_twin", "query": "tags.ring = 'canary'",
                                   "start_time": "2026-11-23T08:00:00Z", "max_execution_time": 3600,
                                   "twin_patch": {"tags": None, "desired": {"fw": "1.1"}}}
    assert failure["requested"] == {"type": "update_twin", "query": "tags.ring = 'canary'",
                                    "start_time": "2026-11-23T08:00:00Z", "max_execution_time": 600,
                                    "twin_patch": {"tags": None, "desired": {"fw": "1.2.0"}}}
    assert failure["diff"] == {"before": failure["existing"], "after": failure["requested"]}
    assert failure["job"]["status"] == "completed"


def test_conflicting_type():
    existing = twin_job(type="scheduleDeviceMethod", updateTwin=None,
                        cloudToDeviceMethod={"methodName": "reboot", "responseTimeoutInSeconds": 30,
                                             "connectTimeoutInSeconds": 0})
    client = FakeClient([get_job(200, existing)])
    with pytest.raises(JobFailure) as info:
        engine(client).present()
    assert info.value.result["differences"] == ["method", "twin_patch", "type"]


def test_conflict_after_409_on_create():
    client = FakeClient([get_job(404), counted(), put(raises=api_error(409, "JobAlreadyExists", method="PUT")),
                         get_job(200, twin_job(queryCondition="*"))])
    with pytest.raises(JobFailure) as info:
        engine(client).present()
    assert info.value.result["differences"] == ["query"]
    assert client.calls == [GET, DEVQ, PUT, GET]


def test_409_after_retried_put_gets_and_compares():
    # The client retried the PUT after a lost answer: the first attempt made the job, so this task changed it.
    conflict = api_error(409, "JobAlreadyExists", method="PUT", after_ambiguous_attempt=True)
    client = FakeClient([get_job(404), counted(), put(raises=conflict), get_job(200, twin_job())])
    result = engine(client).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT, GET]
    assert result["changed"] is True
    assert result["job"]["status"] == "queued"


def test_409_to_the_first_put_is_another_runs_job():
    # A parallel run created the same job between this task's GET and PUT: the job is right, but not this task's doing.
    client = FakeClient([get_job(404), counted(), put(raises=api_error(409, "JobAlreadyExists", method="PUT")),
                         get_job(200, twin_job())])
    result = engine(client).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT, GET]
    assert result["changed"] is False and result["job"]["job_id"] == "fw-1"


@pytest.mark.parametrize("lost", [
    api_error(504, "GatewayTimeout", method="PUT"),
    TransportError("Connection to https://myhub failed during PUT /jobs/v2/{job_id} (connection reset by peer)",
                   method="PUT", path=JOB, maybe_applied=True),
])
def test_a_put_whose_every_answer_was_lost_is_settled_by_reading_the_job(lost):
    client = FakeClient([get_job(404), counted(), put(raises=lost), get_job(200, twin_job())])
    result = engine(client).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT, GET] and result["changed"] is True


def test_a_put_whose_answer_was_lost_and_made_nothing_fails_with_the_error():
    lost = api_error(504, "GatewayTimeout", method="PUT")
    client = FakeClient([get_job(404), counted(), put(raises=lost), get_job(404)])
    with pytest.raises(ApiError) as info:
        engine(client).present()
    client.assert_done()
    assert info.value is lost


def test_other_create_errors_propagate():
    client = FakeClient([get_job(404), counted(), put(raises=api_error(400, "ArgumentInvalid", method="PUT"))])
    with pytest.raises(ApiError) as info:
        engine(client).present()
    assert info.value.status == 400


# --- check mode -------------------------------------------------------------------------------------------

def test_check_mode_create_predicts_and_counts_devices_without_put():
    sql = "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.ring = 'canary'"
    client = FakeClient([get_job(404), pages("POST", QUERY, [[{"numberOfDevices": 17}]], json={"query": sql})])
    result = engine(client, check_mode=True, diff=True).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ]
    assert result["changed"] is True
    assert result["targeted_devices"] == 17
    job = result["job"]
    assert (job["job_id"], job["type"], job["status"], job["query"]) == ("fw-1", "update_twin", "queued",
                                                                         "tags.ring = 'canary'")
    assert job["start_time"] == "2026-11-23T08:00:00.123Z" and job["created_time"] is None
    assert job["twin_patch"] == {"tags": None, "desired": {"fw": "1.2.0"}}
    assert result["diff"] == {"before": {}, "after": job}


def test_check_mode_counts_all_devices_for_star():
    sql = "SELECT COUNT() AS numberOfDevices FROM devices"
    client = FakeClient([get_job(404), pages("POST", QUERY, [[{"numberOfDevices": 100}]], json={"query": sql})])
    assert engine(client, check_mode=True, query="*").present()["targeted_devices"] == 100


def test_check_mode_reports_a_query_the_hub_cannot_evaluate():
    bad = api_error(400, "ArgumentInvalid", "Syntax error near 'AND'", method="POST", path=QUERY)
    sql = "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.a = 1 AND"
    client = FakeClient([get_job(404), pages("POST", QUERY, [bad], json={"query": sql})])
    with pytest.raises(ValidationError) as info:
        engine(client, check_mode=True, query="tags.a = 1 AND").present()
    failure = info.value.to_fail_json()
    assert failure["msg"] == ("query 'tags.a = 1 AND' is not a condition IoT Hub can evaluate: POST /devices/query "
                              "failed: HTTP 400 ArgumentInvalid: Syntax error near 'AND' (request id rid-1)")
    assert (failure["status"], failure["error_code"], failure["path"]) == (400, "ArgumentInvalid", QUERY)


def test_check_mode_unchanged_is_one_get_and_never_waits():
    client = FakeClient([get_job(200, twin_job("running"))])
    result = engine(client, check_mode=True, wait=True).present()
    assert client.calls == [GET]
    assert result["changed"] is False and "elapsed" not in result


# --- waiting ----------------------------------------------------------------------------------------------

def test_wait_to_success():
    clock = Clock()
    # 10 devices at 0.8 a second from the create (queued: 0 done at 0 s), so it ends at 12.5 s: polled after
    # wait_sleep, then 1.1 x the 7.5 s the rate leaves.
    client = FakeClient([get_job(404), counted(), put(body=twin_job("queued")),
                         get_job(200, twin_job("running", stats(10, 4, 0, running=6))),
                         get_job(200, twin_job("completed", stats(10, 10, 0), endTime="2026-11-23T08:00:12.5Z"))])
    result = engine(client, clock=clock, wait=True).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT, GET, GET]  # no devices.jobs query: the statistics say none failed
    assert clock.sleeps == [5, pytest.approx(8.25)]
    assert result["changed"] is True
    assert result["elapsed"] == 13.25
    assert result["status_history"] == [{"status": "queued", "elapsed": 0.0}, {"status": "running", "elapsed": 5.0},
                                        {"status": "completed", "elapsed": 13.25}]
    assert result["device_results"] == []
    assert result["job"]["statistics"] == {"device_count": 10, "succeeded": 10, "failed": 0, "pending": 0,
                                           "running": 0}


FAILED_ROW = {
    "deviceId": "sim-0003", "jobId": "fw-1", "jobType": "scheduleDeviceMethod", "status": "failed",
    "startTimeUtc": "2026-11-23T08:00:01.5", "endTimeUtc": "2026-11-23T08:00:02.5Z",
    "createdDateTimeUtc": "2026-11-23T08:00:00.9Z", "lastUpdatedDateTimeUtc": "2026-11-23T08:00:02.5Z",
    "outcome": {"deviceMethodResponse": {"status": 500, "payload": {"error": "busy"}}},
    "error": {"code": "DeviceMethodFailed", "description": "the device answered 500"},
}


def test_wait_to_device_failure_fails_with_device_results():
    clock = Clock()
    second = dict(FAILED_ROW, deviceId="sim-0007", outcome=None,
                  error={"code": "GatewayTimeout", "description": "Timed out waiting for the response from device."})
    client = FakeClient([get_job(404), counted(), put(body=twin_job("running")),
                         get_job(200, twin_job("completed", stats(10, 8, 2))),
                         pages("POST", QUERY, [[FAILED_ROW], [second]], json={"query": FAILED_ROWS_SQL})])
    with pytest.raises(JobFailure) as info:
        engine(client, clock=clock, wait=True).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT, GET, DEVQ, DEVQ]
    failure = info.value.to_fail_json()
    assert failure["msg"] == ("job 'fw-1' completed, but 2 of 10 devices failed (8 succeeded); see device_results, or "
                              "set fail_on_device_failures: false to accept device failures")
    assert failure["changed"] is True
    assert failure["device_results"][0] == {
        "device_id": "sim-0003", "job_id": "fw-1", "type": "device_method", "status": "failed",
        "start_time": "2026-11-23T08:00:01.5", "end_time": "2026-11-23T08:00:02.5Z",
        "created_time": "2026-11-23T08:00:00.9Z", "last_updated_time": "2026-11-23T08:00:02.5Z",
        "error": {"code": "DeviceMethodFailed", "description": "the device answered 500"},
        "outcome": {"device_method_response": {"status": 500, "payload": {"error": "busy"}}},
    }
    assert [(d["device_id"], d["error"]["code"], d["outcome"]) for d in failure["device_results"][1:]] == [
        ("sim-0007", "GatewayTimeout", None)]
    assert failure["status_history"] == [{"status": "running", "elapsed": 0.0},
                                         {"status": "completed", "elapsed": 5.0}]


def test_wait_with_device_failures_accepted():
    client = FakeClient([get_job(404), counted(), put(body=twin_job("completed", stats(10, 9, 1))),
                         pages("POST", QUERY, [[FAILED_ROW]], json={"query": FAILED_ROWS_SQL})])
    result = engine(client, wait=True, fail_on_device_failures=False).present()
    assert client.calls == [GET, DEVQ, PUT, DEVQ]
    assert [d["device_id"] for d in result["device_results"]] == ["sim-0003"]
    assert result["elapsed"] == 0.0


def test_wait_follows_the_job_progress():
    # 1,000 devices at 20 a second from the create: the fixed interval would poll 10 times (105 to 150); the plan
    # polls after wait_sleep (the queued create answer is 0 done at 0 s, so that poll gives a rate), 4 x wait_sleep
    # while the end is far, half-way twice, and 1.1 x the estimated time left, 0.625 s after the end.
    clock = Clock()
    client = FakeClient([get_job(404), counted(), put(body=twin_job("queued")),
                         get_job(200, twin_job("running", stats(1000, 100, 0))),
                         get_job(200, twin_job("running", stats(1000, 500, 0))),
                         get_job(200, twin_job("running", stats(1000, 750, 0))),
                         get_job(200, twin_job("running", stats(1000, 875, 0))),
                         get_job(200, twin_job("completed", stats(1000, 1000, 0)))])
    result = engine(client, clock=clock, wait=True).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT, GET, GET, GET, GET, GET]
    assert clock.sleeps == [5, 20, 12.5, 6.25, pytest.approx(6.875)]
    assert result["elapsed"] == 50.625 and result["job"]["status"] == "completed"


def test_wait_timeout_fails_and_says_the_job_keeps_running():
    clock = Clock()
    # 0.2 devices a second: the end is far, so after the first poll the plan pauses until the deadline (12 s).
    client = FakeClient([get_job(404), counted(), put(body=twin_job("queued")),
                         get_job(200, twin_job("running", stats(10, 1, 0, running=9))),
                         get_job(200, twin_job("running", stats(10, 3, 0, running=7)))])
    with pytest.raises(JobFailure) as info:
        engine(client, clock=clock, wait=True, timeout=12, sleep=5).present()
    client.assert_done()
    assert clock.sleeps == [5, 7]
    failure = info.value.to_fail_json()
    assert failure["msg"] == ("timed out after 12 s waiting for job 'fw-1' (status running); the job keeps running "
                              "on the hub: wait again with the same task, or raise wait_timeout")
    assert failure["elapsed"] == 12.0
    assert failure["job"]["statistics"]["succeeded"] == 3
    assert failure["device_results"] == []
    assert [h["status"] for h in failure["status_history"]] == ["queued", "running"]


def test_wait_for_failed_job_reports_the_reason():
    client = FakeClient([get_job(404), counted(), put(body=twin_job(
        "failed", stats(0, 0, 0), failureReason="The query condition is invalid"))])
    with pytest.raises(JobFailure) as info:
        engine(client, wait=True).present()
    assert info.value.msg == "job 'fw-1' failed: The query condition is invalid"
    assert client.calls == [GET, DEVQ, PUT]


def test_wait_for_cancelled_job_fails():
    client = FakeClient([get_job(200, twin_job("cancelled"))])
    with pytest.raises(JobFailure) as info:
        engine(client, wait=True).present()
    assert info.value.msg == "job 'fw-1' was cancelled before it completed"
    assert info.value.result["changed"] is False


# --- busy hub ---------------------------------------------------------------------------------------------

def busy():
    return api_error(429, "ThrottlingMaxActiveJobCountExceeded", "429", method="PUT")


def test_busy_slot_then_free_with_queue_when_busy():
    clock, warnings = Clock(), []
    client = FakeClient([get_job(404), counted(), put(raises=busy()), put(raises=busy()),
                         put(body=twin_job("queued"))])
    result = engine(client, clock=clock, queue_when_busy=True, timeout=60, sleep=5, warnings=warnings).present()
    client.assert_done()
    assert client.calls == [GET, DEVQ, PUT, PUT, PUT]
    assert clock.sleeps == [5.0, 10.0]
    assert result["changed"] is True
    assert len(warnings) == 2 and "no free job slot" in warnings[0] and "queue_when_busy" in warnings[0]


def test_busy_without_queue_when_busy_fails_at_once():
    clock = Clock()
    client = FakeClient([get_job(404), counted(), put(raises=busy())])
    with pytest.raises(JobFailure) as info:
        engine(client, clock=clock).present()
    client.assert_done()
    assert clock.sleeps == []
    failure = info.value.to_fail_json()
    assert failure["msg"].startswith("cannot create job 'fw-1': the hub's concurrent-job limit is reached (")
    assert "ThrottlingMaxActiveJobCountExceeded" in failure["msg"]
    assert "set queue_when_busy: true" in failure["msg"]
    assert (failure["status"], failure["error_code"], failure["changed"]) == (
        429, "ThrottlingMaxActiveJobCountExceeded", False)


def test_busy_until_wait_timeout():
    clock = Clock()
    client = FakeClient([get_job(404), counted()] + [put(raises=busy())] * 4)
    with pytest.raises(JobFailure) as info:
        engine(client, clock=clock, queue_when_busy=True, timeout=30, sleep=5).present()
    client.assert_done()
    assert clock.sleeps == [5.0, 10.0, 15.0]
    assert info.value.msg == ("job 'fw-1': no free job slot within wait_timeout (30 s); the hub's concurrent-job "
                              "limit is still reached")


def test_queue_then_wait_share_one_deadline():
    clock = Clock()
    client = FakeClient([get_job(404), counted(), put(raises=busy()), put(body=twin_job("running")),
                         get_job(200, twin_job("completed", stats(1, 1, 0)))])
    result = engine(client, clock=clock, queue_when_busy=True, wait=True, timeout=60, sleep=5).present()
    assert result["status_history"] == [{"status": "running", "elapsed": 5.0}, {"status": "completed", "elapsed": 10.0}]


# --- absent -----------------------------------------------------------------------------------------------

def test_cancel_queued_job():
    client = FakeClient([get_job(200, twin_job("scheduled")),
                         expect("POST", CANCEL, path_params={"job_id": "fw-1"}, json=None,
                                body=twin_job("cancelled"))])
    result = engine(client, state="absent", diff=True).absent()
    client.assert_done()
    assert client.calls == [GET, POST]
    assert client.requests[1]["idempotent"] is True
    assert result["changed"] is True
    assert result["job"]["status"] == "cancelled"
    assert result["diff"]["before"]["status"] == "scheduled"
    assert result["diff"]["after"]["status"] == "cancelled"


def test_cancel_with_sparse_answer_keeps_the_job():
    client = FakeClient([get_job(200, twin_job("queued")), expect("POST", CANCEL, body={"status": "cancelled"})])
    job = engine(client, state="absent").absent()["job"]
    assert (job["status"], job["query"]) == ("cancelled", "tags.ring = 'canary'")


@pytest.mark.parametrize("status", ["completed", "failed", "cancelled"])
def test_cancel_terminal_job_is_not_changed(status):
    client = FakeClient([get_job(200, twin_job(status))])
    result = engine(client, state="absent").absent()
    client.assert_done()
    assert client.calls == [GET]
    assert result["changed"] is False and result["job"]["status"] == status


@pytest.mark.parametrize("answer", [dict(status=404), dict(status=200, body={"type": "unknown", "status": "unknown"})])
def test_cancel_unknown_job_is_not_changed(answer):
    client = FakeClient([get_job(**answer)])
    assert engine(client, state="absent").absent() == {"changed": False, "job": {}}
    assert client.calls == [GET]


RUNNING_MSG = ("cannot cancel job 'fw-1': it is running, and IoT Hub cannot cancel a running job "
               "(OperationNotAllowedInCurrentState); it ends by itself once every targeted device is processed, at "
               "the latest max_execution_time (3600 s) after it started")


@pytest.mark.parametrize("check_mode", [False, True])
def test_cancel_running_job_is_refused_without_a_post(check_mode):
    client = FakeClient([get_job(200, twin_job("running"))])
    with pytest.raises(JobFailure) as info:
        engine(client, state="absent", check_mode=check_mode).absent()
    client.assert_done()
    assert client.calls == [GET]
    assert info.value.msg == RUNNING_MSG
    assert info.value.result["job"]["status"] == "running"


def test_cancel_refused_by_the_service_is_explained():
    refused = api_error(405, "OperationNotAllowedInCurrentState", "Job cannot be cancelled in 'Running' status.",
                        method="POST", path=CANCEL)
    # The job started between the GET and the cancel: the re-read after the refusal shows it running.
    client = FakeClient([get_job(200, twin_job("queued")), expect("POST", CANCEL, raises=refused),
                         get_job(200, twin_job("running"))])
    with pytest.raises(JobFailure) as info:
        engine(client, state="absent").absent()
    client.assert_done()
    failure = info.value.to_fail_json()
    assert failure["msg"].startswith(RUNNING_MSG + "; the hub answered: ")
    assert "Job cannot be cancelled in 'Running' status." in failure["msg"]
    assert (failure["status"], failure["error_code"], failure["changed"]) == (
        405, "OperationNotAllowedInCurrentState", False)


def test_cancel_of_a_job_gone_meanwhile_is_not_changed():
    client = FakeClient([get_job(200, twin_job("queued")),
                         expect("POST", CANCEL, raises=api_error(404, "JobNotFound", method="POST", path=CANCEL))])
    assert engine(client, state="absent").absent() == {"changed": False, "job": {}}


def test_check_mode_cancel_predicts_without_post():
    client = FakeClient([get_job(200, twin_job("queued"))])
    result = engine(client, state="absent", check_mode=True).absent()
    assert client.calls == [GET]
    assert result["changed"] is True and result["job"]["status"] == "cancelled"


def test_cancel_and_wait_needs_no_poll_when_the_answer_says_cancelled():
    clock = Clock()
    client = FakeClient([get_job(200, twin_job("scheduled")), expect("POST", CANCEL, body={"status": "cancelled"})])
    result = engine(client, clock=clock, state="absent", wait=True).absent()
    client.assert_done()
    assert client.calls == [GET, POST]
    assert result["status_history"] == [{"status": "cancelled", "elapsed": 0.0}]
    assert clock.sleeps == []


def test_cancel_and_wait_while_the_hub_still_says_scheduled():
    clock = Clock()
    client = FakeClient([get_job(200, twin_job("scheduled")), expect("POST", CANCEL, body=twin_job("scheduled")),
                         get_job(200, twin_job("cancelled"))])
    result = engine(client, clock=clock, state="absent", wait=True).absent()
    client.assert_done()
    assert client.calls == [GET, POST, GET]
    assert [h["status"] for h in result["status_history"]] == ["scheduled", "cancelled"]
    assert result["job"]["status"] == "cancelled"


# --- exactly once: a cancel whose answer was lost (issue 14) ---------------------------------------------------

LOST_CANCEL = api_error(504, "GatewayTimeout", method="POST", path=CANCEL)


def refused_after_retry():
    """The hub's answer to a retried cancel whose first attempt cancelled the job."""
    return api_error(405, "OperationNotAllowedInCurrentState", "Job cannot be cancelled in 'Cancelled' status.",
                     method="POST", path=CANCEL, after_ambiguous_attempt=True)


@pytest.mark.parametrize("lost", [LOST_CANCEL, refused_after_retry()])
def test_a_cancel_whose_answer_was_lost_is_settled_by_reading_the_job(lost):
    client = FakeClient([get_job(200, twin_job("scheduled")), expect("POST", CANCEL, raises=lost),
                         get_job(200, twin_job("cancelled"))])
    result = engine(client, state="absent").absent()
    client.assert_done()
    assert client.calls == [GET, POST, GET]
    assert result["changed"] is True and result["job"]["status"] == "cancelled"


def test_a_cancel_refused_at_once_because_another_run_cancelled_it_is_no_change():
    refused = api_error(405, "OperationNotAllowedInCurrentState", "Job cannot be cancelled in 'Cancelled' status.",
                        method="POST", path=CANCEL)
    client = FakeClient([get_job(200, twin_job("queued")), expect("POST", CANCEL, raises=refused),
                         get_job(200, twin_job("cancelled"))])
    result = engine(client, state="absent").absent()
    client.assert_done()
    assert result["changed"] is False and result["job"]["status"] == "cancelled"


def test_a_cancelled_job_that_still_reads_scheduled_is_read_again_before_deciding():
    # contract.md section 7: after a cancel, the next GET may still say "scheduled" for a moment.
    clock = Clock()
    client = FakeClient([get_job(200, twin_job("scheduled")), expect("POST", CANCEL, raises=LOST_CANCEL),
                         get_job(200, twin_job("scheduled")), get_job(200, twin_job("cancelled"))])
    result = engine(client, clock=clock, state="absent").absent()
    client.assert_done()
    assert client.calls == [GET, POST, GET, GET] and clock.sleeps == [1.0]
    assert result["changed"] is True and result["job"]["status"] == "cancelled"


def test_a_cancel_lost_before_it_reached_the_hub_is_sent_again():
    clock = Clock()
    client = FakeClient([get_job(200, twin_job("scheduled")), expect("POST", CANCEL, raises=LOST_CANCEL),
                         get_job(200, twin_job("scheduled")), get_job(200, twin_job("scheduled")),
                         get_job(200, twin_job("scheduled")),
                         expect("POST", CANCEL, body=twin_job("cancelled"))])
    result = engine(client, clock=clock, state="absent").absent()
    client.assert_done()
    assert client.calls == [GET, POST, GET, GET, GET, POST] and clock.sleeps == [1.0, 1.0]
    assert result["changed"] is True and result["job"]["status"] == "cancelled"


# --- checks that need to know the job does not exist yet (issue 15) --------------------------------------------

def test_a_start_time_in_the_past_is_refused_when_the_job_would_be_created():
    client = FakeClient([get_job(404)])
    with pytest.raises(ValidationError) as info:
        engine(client, start_time="2026-11-23T07:50:00Z").present()
    client.assert_done()
    assert info.value.msg == ("start_time 2026-11-23T07:50:00Z is in the past (now 2026-11-23T08:00:00Z): a new job "
                              "cannot start before it is created; use 'now' or a later time (an existing job with "
                              "this id is compared as it is)")


def test_a_start_time_within_the_clock_skew_allowance_is_taken():
    body = dict(TWIN_REQUEST, startTime="2026-11-23T07:57:00.000Z")
    client = FakeClient([get_job(404), counted(), expect("PUT", JOB, json=body, body=dict(body, status="queued"))])
    assert engine(client, start_time="2026-11-23T07:57:00Z").present()["changed"] is True
    client.assert_done()


def test_rerunning_an_old_task_against_its_existing_job_still_converges():
    existing = twin_job("completed", startTime="2026-11-20T08:00:00.000Z")
    client = FakeClient([get_job(200, existing)])
    result = engine(client, start_time="2026-11-20T08:00:00Z").present()
    client.assert_done()
    assert client.calls == [GET] and result["changed"] is False


def test_a_query_the_hub_cannot_evaluate_is_refused_before_the_job_is_created():
    bad = api_error(400, "ArgumentInvalid", "Syntax error near '='", method="POST", path=QUERY)
    sql = "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.x = = 'y'"
    client = FakeClient([get_job(404), pages("POST", QUERY, [bad], json={"query": sql})])
    with pytest.raises(ValidationError) as info:
        engine(client, query="tags.x = = 'y'").present()
    client.assert_done()
    assert client.calls == [GET, DEVQ]  # no PUT
    assert info.value.msg.startswith("query \"tags.x = = 'y'\" is not a condition IoT Hub can evaluate: POST "
                                     "/devices/query failed: HTTP 400 ArgumentInvalid")
