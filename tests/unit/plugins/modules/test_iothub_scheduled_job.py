# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""iothub_scheduled_job main(): bad input fails before any client exists; the paths end in exit/fail_json."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils import _iothub
from ansible_collections.azure_iot.jobs.plugins.modules import iothub_scheduled_job as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

NOW = datetime(2026, 11, 23, 8, 0, 0, tzinfo=timezone.utc)
JOB = "/jobs/v2/{job_id}"
CANCEL = "/jobs/v2/{job_id}/cancel"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(_iothub, "utcnow", lambda: NOW)


def args(**overrides):
    base = dict(job_id="fw-1", query="tags.ring = 'canary'", twin_patch={"desired": {"fw": "1.2.0"}},
                connection_string="HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=a2V5")
    base.update(overrides)
    return dict((k, v) for k, v in base.items() if v is not None)


METHOD = {"name": "reboot"}

BAD_INPUTS = [
    (dict(job_id="x" * 65), "job_id must be at most 64 characters, got 65"),
    (dict(job_id="fw_1"), "job_id may only contain lower-case US-ASCII letters, digits and '-' (IoT Hub refuses upper "
                          "case, '_' and '.' in the id of a new job), found '_' in 'fw_1'"),
    (dict(job_id="Fw-1"), "job_id may only contain lower-case US-ASCII letters, digits and '-' (IoT Hub refuses upper "
                          "case, '_' and '.' in the id of a new job), found 'F' in 'Fw-1'"),
    (dict(job_id="fw/1", state="absent"), "job_id may only contain US-ASCII letters, digits and '-', found '/' in "
                                          "'fw/1'"),
    (dict(method=METHOD), "parameters are mutually exclusive: twin_patch|method"),
    (dict(twin_patch=None), "state=present needs twin_patch or method: twin_patch for a twin update job (type "
                            "update_twin), method for a direct method job (type device_method)"),
    (dict(twin_patch=None, type="device_method"), "state=present needs method: twin_patch for a twin update job "
                                                  "(type update_twin), method for a direct method job (type "
                                                  "device_method)"),
    (dict(type="device_method"), "type is device_method but twin_patch was given: type device_method needs method"),
    (dict(twin_patch=None, method=METHOD, type="update_twin"),
     "type is update_twin but method was given: type update_twin needs twin_patch"),
    (dict(twin_patch={"tags": {}}), "twin_patch needs tags or desired (or both)"),
    (dict(twin_patch=None, method={"payload": 1}), "missing required arguments: name found in method"),
    (dict(twin_patch=None, method=dict(METHOD, response_timeout=4)),
     "method.response_timeout must be between 5 and 300 seconds, got 4"),
    (dict(twin_patch=None, method=dict(METHOD, response_timeout=301)),
     "method.response_timeout must be between 5 and 300 seconds, got 301"),
    (dict(twin_patch=None, method=dict(METHOD, connect_timeout=-1)),
     "method.connect_timeout must be between 0 and 300 seconds, got -1"),
    (dict(twin_patch=None, method=dict(METHOD, payload="x" * 131072)),
     "method.payload is 131074 bytes as JSON; IoT Hub accepts at most 131072 (128 KB)"),
    (dict(start_time="soon"),
     "start_time must be 'now' or an ISO 8601 date and time such as 2030-01-31T12:00:00Z, got 'soon'"),
    (dict(start_time="2026-12-01T08:00:00Z"),
     "start_time 2026-12-01T08:00:00Z is more than 168 hours after now (2026-11-23T08:00:00Z): IoT Hub schedules "
     "jobs at most 7 days ahead"),
    (dict(max_execution_time=0), "max_execution_time must be a number of seconds greater than 0, got 0"),
    (dict(max_execution_time=-5), "max_execution_time must be a number of seconds greater than 0, got -5"),
    (dict(query="SELECT * FROM devices"), "query must be the condition only (such as tags.ring = 'canary'), not a "
                                          "SELECT statement: IoT Hub runs SELECT * FROM devices WHERE <query>"),
    (dict(query="tags.ring = 'canary"), "query has an unterminated string literal: tags.ring = 'canary"),
    (dict(query=""), "query must not be empty: omit it or use '*' to target all devices"),
    (dict(wait=True, wait_timeout=0), "wait_timeout must be a number of seconds greater than 0, got 0"),
    (dict(wait_sleep=0), "wait_sleep must be a number of seconds greater than 0, got 0"),
    (dict(state="gone"), "value of state must be one of: present, absent, got: gone"),
]


@pytest.mark.parametrize("overrides, msg", BAD_INPUTS, ids=[case[1][:40] for case in BAD_INPUTS])
def test_bad_input_fails_before_any_client_call(run_module, overrides, msg):
    outcome = run_module(module, args(**overrides))
    assert outcome.failed
    assert outcome.msg == msg
    assert outcome.factory_calls == []


# The COUNT query a create runs before its PUT (a query the hub cannot evaluate is refused there).
COUNTED = pages("POST", "/devices/query", [[{"numberOfDevices": 5}]],
                json={"query": "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.ring = 'canary'"})
# What the module sends to create the job of args().
REQUEST = {"jobId": "fw-1", "type": "scheduleUpdateTwin", "queryCondition": "tags.ring = 'canary'",
           "startTime": "2026-11-23T08:00:00.000Z", "maxExecutionTimeInSeconds": 3600,
           "updateTwin": {"etag": "*", "properties": {"desired": {"fw": "1.2.0"}}}}


def put(**answer):
    """The create request (exactly this body) and its scripted answer."""
    return expect("PUT", JOB, json=REQUEST, **answer)


def full_job(status="queued", **changes):
    body = {"jobId": "fw-1", "type": "scheduleUpdateTwin", "queryCondition": "tags.ring = 'canary'",
            "startTime": "2026-11-23T08:00:00.000Z", "maxExecutionTimeInSeconds": 3600, "status": status,
            "createdTime": "2026-11-23T08:00:00.1Z",
            "updateTwin": {"etag": "*", "properties": {"desired": {"fw": "1.2.0"}}},
            "deviceJobStatistics": {"deviceCount": 5, "failedCount": 0, "succeededCount": 0, "runningCount": 0,
                                    "pendingCount": 5}}
    body.update(changes)
    return body


def test_create(run_module):
    client = FakeClient([expect("GET", JOB, status=404), COUNTED, expect("PUT", JOB, json={
        "jobId": "fw-1", "type": "scheduleUpdateTwin", "queryCondition": "tags.ring = 'canary'",
        "startTime": "2026-11-23T08:00:00.000Z", "maxExecutionTimeInSeconds": 3600,
        "updateTwin": {"etag": "*", "properties": {"desired": {"fw": "1.2.0"}}}}, body=full_job())])
    outcome = run_module(module, args(), client=client, diff=True)
    client.assert_done()
    assert not outcome.failed and len(outcome.factory_calls) == 1
    assert outcome.result["changed"] is True and outcome.result["targeted_devices"] == 5
    assert outcome.result["job"]["statistics"]["pending"] == 5
    assert outcome.result["diff"]["before"] == {}


def test_unchanged_rerun_is_one_get(run_module):
    client = FakeClient([expect("GET", JOB, body=full_job("completed"))])
    outcome = run_module(module, args(query="WHERE  tags.ring = 'canary'"), client=client)
    assert client.calls == [("GET", JOB)]
    assert outcome.result == {"changed": False, "job": _iothub.job_to_ansible(full_job("completed"))}


def test_check_mode_predicts_with_a_count(run_module):
    client = FakeClient([expect("GET", JOB, status=404),
                         pages("POST", "/devices/query", [[{"numberOfDevices": 5}]],
                               json={"query": "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.ring = "
                                              "'canary'"})])
    outcome = run_module(module, args(), client=client, check_mode=True)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["targeted_devices"] == 5
    assert outcome.result["job"]["status"] == "queued"


def test_conflict_fails_with_both_requests(run_module):
    client = FakeClient([expect("GET", JOB, body=full_job("completed"))])
    outcome = run_module(module, args(twin_patch={"desired": {"fw": "2.0.0"}}), client=client, diff=True)
    assert outcome.failed
    assert outcome.msg.startswith("job 'fw-1' already exists with a different request (twin_patch differ)")
    assert "choose a new job_id" in outcome.msg
    assert outcome.result["existing"]["twin_patch"]["desired"] == {"fw": "1.2.0"}
    assert outcome.result["requested"]["twin_patch"]["desired"] == {"fw": "2.0.0"}
    assert outcome.result["diff"] == {"before": outcome.result["existing"], "after": outcome.result["requested"]}


def test_wait_with_device_failures_accepted(run_module, monkeypatch):
    sleeps = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    statistics = {"deviceCount": 5, "failedCount": 1, "succeededCount": 4, "runningCount": 0, "pendingCount": 0}
    done = full_job("completed", deviceJobStatistics=statistics)
    failed_row = {"deviceId": "d3", "jobId": "fw-1", "status": "failed", "error": {"code": "X", "description": "y"}}
    client = FakeClient([expect("GET", JOB, status=404), COUNTED, put(body=done),
                         pages("POST", "/devices/query", [[failed_row]],
                               json={"query": "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'fw-1' AND "
                                              "devices.jobs.status = 'failed'"})])
    outcome = run_module(module, args(wait=True, fail_on_device_failures=False), client=client)
    assert not outcome.failed
    assert outcome.result["device_results"][0]["device_id"] == "d3"
    assert outcome.result["status_history"][0]["status"] == "completed"
    assert sleeps == []


def test_busy_without_queue_when_busy(run_module):
    client = FakeClient([expect("GET", JOB, status=404), COUNTED, put(
        raises=api_error(429, "ThrottlingMaxActiveJobCountExceeded", "Wait 10 seconds", method="PUT"))])
    outcome = run_module(module, args(), client=client)
    assert outcome.failed
    assert "concurrent-job limit is reached" in outcome.msg and "queue_when_busy" in outcome.msg
    assert outcome.result["error_code"] == "ThrottlingMaxActiveJobCountExceeded"


def test_absent_running_job_is_refused(run_module):
    client = FakeClient([expect("GET", JOB, body=full_job("running"))])
    outcome = run_module(module, args(state="absent", twin_patch=None), client=client)
    assert outcome.failed and client.calls == [("GET", JOB)]
    assert "IoT Hub cannot cancel a running job (OperationNotAllowedInCurrentState)" in outcome.msg


def test_absent_cancels_a_scheduled_job(run_module):
    client = FakeClient([expect("GET", JOB, body=full_job("scheduled")),
                         expect("POST", CANCEL, body=full_job("cancelled"))])
    outcome = run_module(module, args(state="absent", twin_patch=None), client=client)
    assert outcome.result["changed"] is True and outcome.result["job"]["status"] == "cancelled"


def test_api_errors_become_fail_json_with_details(run_module):
    client = FakeClient([expect("GET", JOB, raises=api_error(401, "IotHubUnauthorizedAccess", "Unauthorized"))])
    outcome = run_module(module, args(), client=client)
    assert outcome.failed
    assert outcome.result == {
        "msg": "GET /jobs/v2/{job_id} failed: HTTP 401 IotHubUnauthorizedAccess: Unauthorized (request id rid-1)",
        "status": 401, "error_code": "IotHubUnauthorizedAccess", "request_id": "rid-1", "method": "GET",
        "path": "/jobs/v2/{job_id}"}
