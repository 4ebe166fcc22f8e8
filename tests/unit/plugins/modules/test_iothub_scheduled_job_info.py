# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._client import PageSize
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import device_jobs_query, job_to_ansible
from ansible_collections.azure_iot.jobs.plugins.modules import iothub_scheduled_job_info as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, expect, pages

JOB = "/jobs/v2/{job_id}"
CONN = {"connection_string": "HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=a2V5"}


def body(job_id, status="completed", job_type="scheduleDeviceMethod"):
    return {"jobId": job_id, "type": job_type, "status": status, "queryCondition": "*",
            "cloudToDeviceMethod": {"methodName": "ping", "responseTimeoutInSeconds": 30,
                                    "connectTimeoutInSeconds": 0},
            "deviceJobStatistics": {"deviceCount": 2, "failedCount": 1, "succeededCount": 1, "runningCount": 0,
                                    "pendingCount": 0}}


BAD = [
    (dict(job_id="a" * 65), "job_id must be at most 64 characters, got 65"),
    (dict(job_id="a_b"), "job_id may only contain US-ASCII letters, digits and '-', found '_' in 'a_b'"),
    (dict(job_id="j1", status="running"), "parameters are mutually exclusive: job_id|status"),
    (dict(limit=0), "limit must be greater than 0, got 0"),
    (dict(device_status=["failed"]), "device_status filters the device results: set include_device_results: true"),
    (dict(device_status=["cancelled"], include_device_results=True),
     "value of device_status must be one or more of: pending, scheduled, running, completed, failed, canceled. "
     "Got no match for: cancelled"),
]


@pytest.mark.parametrize("overrides, msg", BAD, ids=[case[1][:40] for case in BAD])
def test_bad_input_fails_before_any_client_call(run_module, overrides, msg):
    outcome = run_module(module, dict(CONN, **overrides))
    assert outcome.failed and outcome.msg == msg and outcome.factory_calls == []


def test_one_job_by_id(run_module):
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "j1"}, body=body("j1"))])
    outcome = run_module(module, dict(CONN, job_id="j1"), client=client)
    client.assert_done()
    assert outcome.result == {"changed": False, "jobs": [job_to_ansible(body("j1"))]}
    assert outcome.result["jobs"][0]["method"]["name"] == "ping"


@pytest.mark.parametrize("answer", [dict(status=404), dict(body={"type": "unknown", "status": "unknown"})])
def test_absent_job_is_an_empty_list(run_module, answer):
    client = FakeClient([expect("GET", JOB, **answer)])
    assert run_module(module, dict(CONN, job_id="gone"), client=client).result == {"changed": False, "jobs": []}


def test_list_by_type_and_status_all_pages(run_module):
    client = FakeClient([pages("GET", "/jobs/v2/query", [[body("j1")], [body("j2")], []],
                               params={"jobType": "scheduleDeviceMethod", "jobStatus": "completed"})])
    outcome = run_module(module, dict(CONN, type="device_method", status="completed"), client=client,
                         check_mode=True)
    client.assert_done()
    assert [j["job_id"] for j in outcome.result["jobs"]] == ["j1", "j2"]
    assert client.calls == [("GET", "/jobs/v2/query")] * 3


def test_list_with_limit(run_module):
    client = FakeClient([pages("GET", "/jobs/v2/query", [[body("j1"), body("j2"), body("j3")]],
                               page_size=PageSize("x-ms-max-item-count", 2, 2))])
    outcome = run_module(module, dict(CONN, limit=2), client=client)
    assert [j["job_id"] for j in outcome.result["jobs"]] == ["j1", "j2"]


def test_device_results_with_status_filter(run_module):
    rows = [{"deviceId": "d1", "jobId": "j1", "jobType": "scheduleDeviceMethod", "status": "failed",
             "error": {"code": "GatewayTimeout", "description": "Timed out"}, "outcome": None},
            {"deviceId": "d2", "jobId": "j1", "jobType": "scheduleDeviceMethod", "status": "canceled"}]
    client = FakeClient([
        expect("GET", JOB, body=body("j1")),
        pages("POST", "/devices/query", [rows[:1], rows[1:]],
              json={"query": device_jobs_query("j1", ["failed", "canceled"])}),
    ])
    outcome = run_module(module, dict(CONN, job_id="j1", include_device_results=True,
                                      device_status=["failed", "canceled"]), client=client)
    client.assert_done()
    results = outcome.result["jobs"][0]["device_results"]
    assert [(d["device_id"], d["status"]) for d in results] == [("d1", "failed"), ("d2", "canceled")]
    assert results[0]["error"] == {"code": "GatewayTimeout", "description": "Timed out"}
