# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import job_to_ansible
from ansible_collections.azure_iot.jobs.plugins.modules import iotcentral_job_info as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

JOB = "/jobs/{job_id}"
JOBS = "/jobs"
DEVICES = "/jobs/{job_id}/devices"
CONN = {"app_url": "https://myapp.azureiotcentral.com", "api_token": "SharedAccessSignature sr=a&sig=b&skn=c&se=1"}


def body(job_id, status="complete"):
    return {"id": job_id, "displayName": "Job " + job_id, "group": "g1", "status": status,
            "batch": {"type": "percentage", "value": 20},
            "cancellationThreshold": {"type": "number", "value": 5, "batch": False},
            "data": [{"type": "cloudProperty", "target": "dtmi:x;1", "path": "customerName", "value": "Contoso"}],
            "start": "2025-06-01T12:00:00.000Z", "end": "2025-06-01T12:00:41.118Z",
            "progress": {"total": 3, "pending": 0, "completed": 2, "failed": 1}}


BAD = [
    (dict(job_id="a" * 256), "job_id must be at most 255 characters, got 256"),
    (dict(job_id="a.b"), "job_id may only contain US-ASCII letters, digits, '-' and '_', found '.' in 'a.b'"),
    (dict(job_id=""), "job_id must not be empty"),
    (dict(device_status=["failed"]), "device_status filters the device statuses: set include_devices: true"),
    (dict(device_status=["complete"], include_devices=True),
     "value of device_status must be one or more of: pending, completed, failed. Got no match for: complete"),
]


@pytest.mark.parametrize("overrides, msg", BAD, ids=[case[1][:40] for case in BAD])
def test_bad_input_fails_before_any_client_call(run_module, overrides, msg):
    outcome = run_module(module, dict(CONN, **overrides))
    assert outcome.failed and outcome.msg == msg and outcome.factory_calls == []


def test_one_job_by_id(run_module):
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "j1"}, body=body("j1"))])
    outcome = run_module(module, dict(CONN, job_id="j1"), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB)]
    assert outcome.result == {"changed": False, "jobs": [job_to_ansible(body("j1"))]}
    job = outcome.result["jobs"][0]
    assert job["cancellation_threshold"] == {"type": "number", "value": 5, "batch": False}
    assert job["data"] == [{"type": "cloud_property", "target": "dtmi:x;1", "path": "customerName",
                            "value": "Contoso", "template": None}]
    assert "devices" not in job


def test_absent_job_is_an_empty_list(run_module):
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "gone"}, status=404)])
    outcome = run_module(module, dict(CONN, job_id="gone", include_devices=True), client=client)
    client.assert_done()
    assert outcome.result == {"changed": False, "jobs": []}


def test_list_reads_every_page(run_module):
    client = FakeClient([pages("GET", JOBS, [[body("j1"), body("j2")], [body("j3", "running")]])])
    outcome = run_module(module, dict(CONN), client=client, check_mode=True)
    client.assert_done()
    assert [(j["job_id"], j["status"]) for j in outcome.result["jobs"]] == [
        ("j1", "complete"), ("j2", "complete"), ("j3", "running")]
    assert client.calls == [("GET", JOBS)] * 2


def test_empty_application_is_an_empty_list(run_module):
    client = FakeClient([pages("GET", JOBS, [[]])])
    assert run_module(module, dict(CONN), client=client).result == {"changed": False, "jobs": []}


def test_devices_with_status_filter(run_module):
    rows = [{"id": "d1", "status": "completed"}, {"id": "d2", "status": "failed"}, {"id": "d3", "status": "pending"}]
    client = FakeClient([
        expect("GET", JOB, path_params={"job_id": "j1"}, body=body("j1")),
        pages("GET", DEVICES, [rows[:2], rows[2:]], path_params={"job_id": "j1"}),
    ])
    outcome = run_module(module, dict(CONN, job_id="j1", include_devices=True, device_status=["failed", "pending"]),
                         client=client)
    client.assert_done()
    assert outcome.result["jobs"][0]["devices"] == [{"device_id": "d2", "status": "failed"},
                                                    {"device_id": "d3", "status": "pending"}]
    assert client.calls == [("GET", JOB), ("GET", DEVICES), ("GET", DEVICES)]


def test_list_with_devices_asks_once_per_job(run_module):
    client = FakeClient([
        pages("GET", JOBS, [[body("j1"), body("j2")]]),
        pages("GET", DEVICES, [[{"id": "d1", "status": "completed"}]], path_params={"job_id": "j1"}),
        pages("GET", DEVICES, [[]], path_params={"job_id": "j2"}),
    ])
    outcome = run_module(module, dict(CONN, include_devices=True), client=client)
    client.assert_done()
    assert [len(j["devices"]) for j in outcome.result["jobs"]] == [1, 0]


def test_api_error_fails_with_its_details(run_module):
    error = api_error(401, "Unauthorized", "Unauthorized: The API token signature is not valid.", path=JOBS)
    client = FakeClient([pages("GET", JOBS, [error])])
    outcome = run_module(module, dict(CONN), client=client)
    assert outcome.failed and outcome.result["status"] == 401 and outcome.result["error_code"] == "Unauthorized"
    assert "signature is not valid" in outcome.msg
