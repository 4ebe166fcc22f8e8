# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.azure_iot.jobs.plugins.modules import iothub_import_export_job_info as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect

CONN = {"connection_string": "HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=a2V5"}
ENTRA = {"hostname": "myhub.azure-devices.net", "auth_method": "client_secret", "tenant_id": "t", "client_id": "c",
         "client_secret": "s"}
SIG = "c2VjcmV0LXNpZw%3D%3D"
OUT = "https://acct.blob.core.windows.net/backup?sv=2021-08-06&sr=c&sp=rwdl&sig=" + SIG
INP = "https://acct.blob.core.windows.net/restore?sv=2021-08-06&sr=c&sp=rl&sig=" + SIG
GUID = "2c1d8b0e-6a3f-4b5e-9d0c-3f2a1b4c5d6e"


def raw(job_id=GUID, status="completed", job_type="export", **extra):
    body = {"jobId": job_id, "startTimeUtc": "2026-01-01T10:00:00.1234567Z", "type": job_type, "status": status,
            "progress": 100 if status == "completed" else 0, "outputBlobContainerUri": OUT,
            "storageAuthenticationType": "keyBased", "useSecondaryStorageAsSource": False}
    if job_type == "export":
        body["excludeKeysInExport"] = True
    if status in ("completed", "failed", "cancelled"):
        body["endTimeUtc"] = "2026-01-01T10:00:41.7654321Z"
    body.update(extra)
    return body


HUB_JOBS = [
    raw("e1", outputBlobName="monday.txt"),
    raw("i1", job_type="import", inputBlobName="monday.txt", inputBlobContainerUri=INP),
    raw("e2", status="failed", outputBlobName="tuesday.txt", failureReason="container not found"),
    raw("e3", status="running", outputBlobName="wednesday.txt", excludeKeysInExport=False),
]


def listed():
    return FakeClient([expect("GET", "/jobs", path_params=None, params=None, json=None, body=list(HUB_JOBS))])


def ids(outcome):
    return [job["job_id"] for job in outcome.result["jobs"]]


def no_secret(result):
    text = json.dumps(result)
    return OUT not in text and INP not in text and SIG not in text and "sig=" not in text


def test_lists_every_job_with_one_get_and_the_blob_names(run_module):
    client = listed()
    outcome = run_module(module, CONN, client=client)
    client.assert_done()
    assert client.calls == [("GET", "/jobs")]
    assert not outcome.failed and outcome.result["changed"] is False
    assert ids(outcome) == ["e1", "i1", "e2", "e3"]
    assert "job_id" not in outcome.result
    assert outcome.result["jobs"][0] == {
        "job_id": "e1", "type": "export", "status": "completed", "progress": 100,
        "start_time": "2026-01-01T10:00:00.1234567Z", "end_time": "2026-01-01T10:00:41.7654321Z",
        "failure_reason": None, "status_message": None, "exclude_keys": True, "input_blob_name": None,
        "output_blob_name": "monday.txt", "storage_auth": "key_based", "include_configurations": None,
        "configurations_blob_name": None}
    assert outcome.result["jobs"][1]["input_blob_name"] == "monday.txt"
    assert outcome.result["jobs"][2]["failure_reason"] == "container not found"


def test_container_uris_are_never_returned_and_their_signatures_are_hidden(run_module):
    client = listed()
    outcome = run_module(module, CONN, client=client)
    assert no_secret(outcome.result)
    hidden = outcome.factory_calls[0].no_log_values
    assert OUT in hidden and INP in hidden and SIG in hidden


@pytest.mark.parametrize("args, expected", [
    (dict(type="export"), ["e1", "e2", "e3"]),
    (dict(type="import"), ["i1"]),
    (dict(status=["completed"]), ["e1", "i1"]),
    (dict(status="running"), ["e3"]),
    (dict(type="export", status=["completed", "failed"]), ["e1", "e2"]),
    (dict(type="import", status=["failed"]), []),
])
def test_filters_select_from_the_one_list(run_module, args, expected):
    client = listed()
    outcome = run_module(module, dict(CONN, **args), client=client)
    client.assert_done()
    assert client.calls == [("GET", "/jobs")]
    assert ids(outcome) == expected


def test_gets_one_job_by_id(run_module):
    client = FakeClient([expect("GET", "/jobs/{job_id}", path_params={"job_id": GUID}, params=None, json=None,
                                body=raw(outputBlobName="monday.txt"))])
    outcome = run_module(module, dict(CONN, job_id=GUID), client=client)
    client.assert_done()
    assert client.calls == [("GET", "/jobs/{job_id}")]
    assert client.requests[0]["not_found_ok"] is True
    assert outcome.result["job_id"] == GUID and ids(outcome) == [GUID]
    assert outcome.result["jobs"][0]["output_blob_name"] == "monday.txt" and no_secret(outcome.result)


def test_an_unknown_job_is_an_empty_list_not_a_failure(run_module):
    client = FakeClient([expect("GET", "/jobs/{job_id}", path_params={"job_id": "nope"}, params=None, json=None,
                                status=404)])
    outcome = run_module(module, dict(CONN, job_id="nope"), client=client)
    client.assert_done()
    assert not outcome.failed and outcome.result == {"changed": False, "job_id": "nope", "jobs": []}


def test_a_hub_without_jobs_lists_nothing(run_module):
    client = FakeClient([expect("GET", "/jobs", path_params=None, params=None, json=None, body=[])])
    outcome = run_module(module, CONN, client=client)
    client.assert_done()
    assert outcome.result == {"changed": False, "jobs": []}


def test_works_with_hostname_and_entra_id(run_module):
    client = listed()
    outcome = run_module(module, dict(ENTRA, type="import"), client=client)
    client.assert_done()
    assert ids(outcome) == ["i1"]
    assert len(outcome.factory_calls) == 1


def test_check_mode_reads_the_same(run_module):
    client = listed()
    outcome = run_module(module, dict(CONN, status=["running"]), client=client, check_mode=True)
    client.assert_done()
    assert ids(outcome) == ["e3"] and outcome.result["changed"] is False


def test_an_api_error_fails_with_its_details(run_module):
    error = api_error(401, "IotHubUnauthorizedAccess", "Unauthorized", path="/jobs")
    client = FakeClient([expect("GET", "/jobs", raises=error)])
    outcome = run_module(module, CONN, client=client)
    assert outcome.failed and outcome.result["error_code"] == "IotHubUnauthorizedAccess"
    assert outcome.result["status"] == 401 and outcome.result["path"] == "/jobs"
    assert "jobs" not in outcome.result


@pytest.mark.parametrize("args, msg", [
    (dict(CONN, job_id=" "), "job_id must not be empty"),
    (dict(CONN, job_id=GUID, type="export"), "parameters are mutually exclusive: job_id|type"),
    (dict(CONN, job_id=GUID, status=["completed"]), "parameters are mutually exclusive: job_id|status"),
])
def test_bad_input_fails_before_any_client_call(run_module, args, msg):
    outcome = run_module(module, args)
    assert outcome.failed and outcome.msg == msg and outcome.factory_calls == []
