# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.azure_iot.jobs.plugins.modules import iothub_import_export_job as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

CONN = {"connection_string": "HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=a2V5"}
SUBSCRIPTION = "6f1c2a4e-0b7d-4c2a-9e5f-1a2b3c4d5e6f"
HUB = "/subscriptions/%s/resourceGroups/rg-1/providers/Microsoft.Devices/IotHubs/hub-1" % SUBSCRIPTION
ARM = {"subscription_id": SUBSCRIPTION, "resource_group": "rg-1", "hub_name": "hub-1", "auth_method": "client_secret",
       "tenant_id": "t", "client_id": "c", "client_secret": "s", "api": "arm"}
SIG = "c2VjcmV0LXNpZw%3D%3D"
OUT = "https://acct.blob.core.windows.net/backup?sv=2021-08-06&sr=c&sp=rwdl&sig=" + SIG
INP = "https://acct.blob.core.windows.net/restore?sv=2021-08-06&sr=c&sp=rl&sig=" + SIG
GUID = "2c1d8b0e-6a3f-4b5e-9d0c-3f2a1b4c5d6e"
EXPORT = dict(CONN, type="export", output_container_uri=OUT, exclude_keys=True)


def raw(job_id=GUID, status="enqueued", job_type="export", **extra):
    body = {"jobId": job_id, "startTimeUtc": "2026-01-01T10:00:00.1234567Z", "type": job_type, "status": status,
            "progress": 100 if status == "completed" else 0, "outputBlobContainerUri": OUT,
            "storageAuthenticationType": "keyBased", "useSecondaryStorageAsSource": False}
    if job_type == "export":
        body["excludeKeysInExport"] = True
    if status in ("completed", "failed", "cancelled"):
        body["endTimeUtc"] = "2026-01-01T10:00:41.7654321Z"
    body.update(extra)
    return body


def no_secret(result):
    text = json.dumps(result)
    return OUT not in text and INP not in text and SIG not in text


BAD = [
    (dict(CONN, state="absent"), "state=absent cancels a job: job_id is required"),
    (dict(CONN, output_container_uri=OUT), "type (export or import) is required to start a job (or give job_id to "
                                           "follow one)"),
    (dict(CONN, type="export"), "output_container_uri is required: the container the export is written to"),
    (dict(CONN, type="import", output_container_uri=OUT), "input_container_uri is required for type=import"),
    (dict(EXPORT, input_container_uri=INP), "input_container_uri and input_blob_name are for type=import only"),
    (dict(CONN, type="import", output_container_uri=OUT, input_container_uri=INP, exclude_keys=True),
     "exclude_keys is for type=export only"),
    (dict(EXPORT, output_container_uri="http://acct/backup?sig=x"),
     "output_container_uri must be an https:// blob container URI"),
    (dict(EXPORT, output_container_uri="https://acct/backup"),
     "output_container_uri needs a shared access signature (sig=...) with storage_auth=key_based"),
    (dict(EXPORT, wait_timeout=0), "wait_timeout must be a number of seconds greater than 0, got 0"),
]


@pytest.mark.parametrize("args, msg", BAD, ids=[case[1][:40] for case in BAD])
def test_bad_input_fails_before_any_client_call(run_module, args, msg):
    outcome = run_module(module, args)
    assert outcome.failed and outcome.msg == msg and outcome.factory_calls == []


def test_export_starts_a_job_and_hides_the_uri(run_module):
    client = FakeClient([
        expect("GET", "/jobs", body=[raw("old", "completed")]),
        expect("POST", "/jobs/create", json={"type": "export", "outputBlobContainerUri": OUT,
                                             "storageAuthenticationType": "keyBased", "excludeKeysInExport": True,
                                             "outputBlobName": "d.txt"}, body=raw()),
    ])
    outcome = run_module(module, dict(EXPORT, output_blob_name="d.txt"), client=client)
    client.assert_done()
    assert outcome.result["changed"] and outcome.result["job_id"] == GUID
    assert outcome.result["job"]["status"] == "enqueued" and outcome.result["job"]["exclude_keys"] is True
    assert no_secret(outcome.result)
    assert OUT in outcome.factory_calls[0].no_log_values and SIG in outcome.factory_calls[0].no_log_values


def test_a_running_identical_job_is_not_started_twice(run_module):
    client = FakeClient([expect("GET", "/jobs", body=[raw(status="running")])])
    outcome = run_module(module, EXPORT, client=client)
    client.assert_done()
    assert not outcome.result["changed"] and outcome.result["job_id"] == GUID and no_secret(outcome.result)


def test_check_mode_predicts_without_starting(run_module):
    client = FakeClient([expect("GET", "/jobs", body=[])])
    outcome = run_module(module, EXPORT, client=client, check_mode=True)
    client.assert_done()
    assert outcome.result["changed"] and outcome.result["job"]["status"] == "enqueued"
    assert outcome.result["job_id"] is None


def test_another_active_job_fails_naming_it(run_module):
    client = FakeClient([expect("GET", "/jobs", body=[raw("other", "running", excludeKeysInExport=False)])])
    outcome = run_module(module, EXPORT, client=client)
    assert outcome.failed and outcome.result["active_job_id"] == "other"
    assert "the hub already runs export job other (status running) with different parameters" in outcome.msg


def test_quota_error_on_create_is_explained(run_module):
    client = FakeClient([expect("GET", "/jobs", body=[]),
                         expect("POST", "/jobs/create",
                                json={"type": "export", "outputBlobContainerUri": OUT,
                                      "storageAuthenticationType": "keyBased", "excludeKeysInExport": True},
                                raises=api_error(403, "JobQuotaExceeded", method="POST", path="/jobs/create"))])
    outcome = run_module(module, EXPORT, client=client)
    assert outcome.failed and outcome.msg.startswith("the hub already runs an import/export job")
    assert outcome.result["error_code"] == "JobQuotaExceeded"


def test_import_waits_until_completed(run_module, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    args = dict(CONN, type="import", input_container_uri=INP, output_container_uri=OUT, wait=True, wait_sleep=1)
    client = FakeClient([
        expect("GET", "/jobs", body=[]),
        expect("POST", "/jobs/create", json={"type": "import", "outputBlobContainerUri": OUT,
                                             "inputBlobContainerUri": INP, "storageAuthenticationType": "keyBased"},
               body=raw(job_type="import", inputBlobContainerUri=INP)),
        expect("GET", "/jobs/{job_id}", path_params={"job_id": GUID}, body=raw(job_type="import", status="running")),
        expect("GET", "/jobs/{job_id}", path_params={"job_id": GUID}, body=raw(job_type="import", status="completed")),
    ])
    outcome = run_module(module, args, client=client)
    client.assert_done()
    assert outcome.result["changed"] and outcome.result["job"]["status"] == "completed"
    assert [h["status"] for h in outcome.result["status_history"]] == ["enqueued", "running", "completed"]
    assert no_secret(outcome.result)


def test_a_failed_job_fails_with_its_reason(run_module, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    client = FakeClient([
        expect("GET", "/jobs/{job_id}", body=raw(status="failed", failureReason="blob not found")),
    ])
    outcome = run_module(module, dict(CONN, job_id=GUID, wait=True), client=client)
    assert outcome.failed and outcome.msg == "import/export job %s failed: blob not found" % GUID
    assert outcome.result["job"]["failure_reason"] == "blob not found"


def test_follow_an_unknown_job_fails(run_module):
    client = FakeClient([expect("GET", "/jobs/{job_id}", raises=api_error(404, "JobNotFound"))])
    outcome = run_module(module, dict(CONN, job_id="nope"), client=client)
    assert outcome.failed and outcome.msg == "the hub has no import/export job nope"


@pytest.mark.parametrize("status, calls", [("running", 2), ("completed", 1)])
def test_absent_cancels_an_active_job_only(run_module, status, calls):
    script = [expect("GET", "/jobs/{job_id}", body=raw(status=status))]
    if status == "running":
        script.append(expect("DELETE", "/jobs/{job_id}", path_params={"job_id": GUID}, body=raw(status="cancelled")))
    client = FakeClient(script)
    outcome = run_module(module, dict(CONN, state="absent", job_id=GUID), client=client)
    client.assert_done()
    assert outcome.result["changed"] is (status == "running") and len(client.calls) == calls
    assert outcome.result["job"]["status"] == ("cancelled" if status == "running" else status)


def test_absent_of_an_unknown_job_is_no_change(run_module):
    client = FakeClient([expect("GET", "/jobs/{job_id}", status=404, raises=api_error(404, "JobNotFound"))])
    outcome = run_module(module, dict(CONN, state="absent", job_id=GUID), client=client)
    assert outcome.result == {"changed": False, "job": {}, "job_id": None}


def test_absent_in_check_mode_cancels_nothing(run_module):
    client = FakeClient([expect("GET", "/jobs/{job_id}", body=raw(status="enqueued"))])
    outcome = run_module(module, dict(CONN, state="absent", job_id=GUID), client=client, check_mode=True)
    client.assert_done()
    assert outcome.result["changed"] and outcome.result["job"]["status"] == "cancelled"


def arm_client(script):
    client = FakeClient(script)
    return client


ARM_JOB = {"jobId": GUID, "startTimeUtc": "Thu, 01 Jan 2026 10:00:00 GMT", "type": "export", "status": "enqueued"}


@pytest.mark.parametrize("args, data_plane", [
    (dict(api="auto", **CONN), True),
    (dict(api="auto", hostname="myhub.azure-devices.net"), True),
    (dict(api="auto", auth_method="sas", subscription_id=SUBSCRIPTION), True),  # the key is read through ARM
    (dict(api="auto", auth_method="auto", subscription_id=SUBSCRIPTION), False),
    (dict(api="data_plane", auth_method="client_secret", subscription_id=SUBSCRIPTION), True),
    (dict(api="arm", auth_method="sas", **CONN), False),
])
def test_which_api(args, data_plane):
    assert module.use_data_plane(args) is data_plane


def test_arm_export(run_module):
    client = arm_client([
        pages("GET", HUB + "/jobs", [[dict(ARM_JOB, status="completed")]]),
        expect("POST", HUB + "/exportDevices", json={"exportBlobContainerUri": OUT, "excludeKeys": True,
                                                     "authenticationType": "keyBased"}, body=ARM_JOB),
    ])
    outcome = run_module(module, dict(ARM, type="export", output_container_uri=OUT, exclude_keys=True),
                         client=client)
    client.assert_done()
    assert outcome.result["changed"] and outcome.result["job"]["start_time"] == "2026-01-01T10:00:00Z"
    assert outcome.result["job"]["progress"] is None and no_secret(outcome.result)


def test_arm_import_body(run_module):
    client = arm_client([
        pages("GET", HUB + "/jobs", [[]]),
        expect("POST", HUB + "/importDevices", json={"inputBlobContainerUri": INP, "outputBlobContainerUri": OUT,
                                                     "inputBlobName": "in.txt", "authenticationType": "keyBased"},
               body=dict(ARM_JOB, type="import")),
    ])
    outcome = run_module(module, dict(ARM, type="import", input_container_uri=INP, output_container_uri=OUT,
                                      input_blob_name="in.txt"), client=client)
    client.assert_done()
    assert outcome.result["job"]["type"] == "import"


def test_arm_cannot_compare_an_active_job(run_module):
    client = arm_client([pages("GET", HUB + "/jobs", [[dict(ARM_JOB, status="running")]])])
    outcome = run_module(module, dict(ARM, type="export", output_container_uri=OUT), client=client)
    assert outcome.failed and "cannot be compared with this request; pass its job_id" in outcome.msg


def test_arm_cannot_cancel(run_module):
    outcome = run_module(module, dict(ARM, state="absent", job_id=GUID), client=arm_client([]))
    assert outcome.failed and outcome.msg.startswith("Azure Resource Manager has no operation to cancel")


# --- exactly once: a create whose answer was lost is never sent again blind (issue 14) ---------------------------

CREATE_BODY = {"type": "export", "outputBlobContainerUri": OUT, "storageAuthenticationType": "keyBased",
               "excludeKeysInExport": True}


def lost_create():
    return api_error(504, "GatewayTimeout", method="POST", path="/jobs/create")


def test_a_lost_create_adopts_the_job_it_started_and_sends_nothing_again(run_module):
    # "old" was listed before the create; the new id the hub lists afterwards is the job this task started.
    client = FakeClient([expect("GET", "/jobs", body=[raw("old", "completed")]),
                         expect("POST", "/jobs/create", json=CREATE_BODY, raises=lost_create()),
                         expect("GET", "/jobs", body=[raw("old", "completed"), raw()])])
    outcome = run_module(module, EXPORT, client=client)
    client.assert_done()
    assert client.calls == [("GET", "/jobs"), ("POST", "/jobs/create"), ("GET", "/jobs")]
    assert outcome.result["changed"] is True and outcome.result["job_id"] == GUID
    assert no_secret(outcome.result)


def test_a_lost_create_that_started_nothing_is_sent_once_more(run_module):
    client = FakeClient([expect("GET", "/jobs", body=[raw("old", "completed")]),
                         expect("POST", "/jobs/create", json=CREATE_BODY, raises=lost_create()),
                         expect("GET", "/jobs", body=[raw("old", "completed")]),
                         expect("POST", "/jobs/create", json=CREATE_BODY, body=raw())])
    outcome = run_module(module, EXPORT, client=client)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["job_id"] == GUID
    assert outcome.warnings[0].startswith("import/export job: the answer to the create was lost (POST /jobs/create "
                                          "failed: HTTP 504 GatewayTimeout")


def test_a_job_of_another_request_started_meanwhile_is_not_adopted(run_module):
    other = raw("other", "enqueued", outputBlobContainerUri="https://acct.blob.core.windows.net/other?sig=x")
    client = FakeClient([expect("GET", "/jobs", body=[]),
                         expect("POST", "/jobs/create", json=CREATE_BODY, raises=lost_create()),
                         expect("GET", "/jobs", body=[other]),
                         expect("POST", "/jobs/create", json=CREATE_BODY, body=raw())])
    outcome = run_module(module, EXPORT, client=client)
    client.assert_done()
    assert outcome.result["job_id"] == GUID


def test_a_create_lost_every_time_gives_up_with_the_error(run_module):
    script = [expect("GET", "/jobs", body=[])]
    for _attempt in range(3):
        script += [expect("POST", "/jobs/create", json=CREATE_BODY, raises=lost_create()),
                   expect("GET", "/jobs", body=[])]
    outcome = run_module(module, EXPORT, client=FakeClient(script))
    assert outcome.failed and outcome.result["status"] == 504 and len(outcome.warnings) == 2


def test_a_delete_retried_after_a_lost_answer_is_this_tasks_cancel(run_module):
    client = FakeClient([expect("GET", "/jobs/{job_id}", body=raw(status="enqueued")),
                         expect("DELETE", "/jobs/{job_id}", status=404, after_ambiguous_attempt=True)])
    outcome = run_module(module, dict(CONN, state="absent", job_id=GUID), client=client)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["job"]["status"] == "cancelled"


def test_an_active_job_is_compared_only_on_what_the_service_echoes(run_module):
    # A real hub does not echo storageAuthenticationType (contract.md 8, the emulator's sparse profile): the job is
    # still the task's, not "another active import/export job".
    sparse = raw()
    del sparse["storageAuthenticationType"]
    client = FakeClient([expect("GET", "/jobs", body=[sparse])])
    outcome = run_module(module, EXPORT, client=client)
    client.assert_done()
    assert not outcome.failed and outcome.result["changed"] is False and outcome.result["job_id"] == GUID


def test_an_echoed_difference_is_still_another_job(run_module):
    other = raw(outputBlobContainerUri="https://acct.blob.core.windows.net/other?sig=x")
    client = FakeClient([expect("GET", "/jobs", body=[other])])
    outcome = run_module(module, EXPORT, client=client)
    assert outcome.failed and "with different parameters" in outcome.msg


# --- an import that completed with failed lines (issue 16) -------------------------------------------------------

ERRORS_URL = "https://acct.blob.core.windows.net/backup/importErrors.log?sv=2021-08-06&sr=c&sp=rwdl&sig=" + SIG
ERRORS_LOG = (b'{"line": 2, "errorCode": "DeviceAlreadyExists", "errorStatus": "A device with id d2 already exists."}\n'
              b'{"key": "d9", "errorCode": "DeviceNotFound", "errorStatus": "d9 not found"}\n')


def completed_import(blobs, **args):
    client = FakeClient([
        expect("GET", "/jobs/{job_id}", path_params={"job_id": GUID}, body=raw(job_type="import", status="completed")),
    ], blobs=blobs)
    return client, dict(CONN, type="import", job_id=GUID, input_container_uri=INP, output_container_uri=OUT,
                        wait=True, **args)


def test_an_import_that_completed_with_failed_lines_fails_with_them(run_module):
    client, args = completed_import({ERRORS_URL: (200, ERRORS_LOG)})
    outcome = run_module(module, args, client=client)
    client.assert_done()
    assert client.session.urls == [("GET", ERRORS_URL)]
    assert outcome.failed
    assert outcome.msg == ("import/export job %s completed, but 2 of its lines were not imported (importErrors.log in "
                           "the output container); see import_errors, or set fail_on_import_errors: false to accept "
                           "them" % GUID)
    assert outcome.result["import_errors"] == [
        {"line": 2, "device_id": None, "error_code": "DeviceAlreadyExists",
         "error_status": "A device with id d2 already exists."},
        {"line": None, "device_id": "d9", "error_code": "DeviceNotFound", "error_status": "d9 not found"}]
    assert no_secret(outcome.result)


def test_import_errors_can_be_accepted(run_module):
    client, args = completed_import({ERRORS_URL: (200, ERRORS_LOG)}, fail_on_import_errors=False)
    outcome = run_module(module, args, client=client)
    assert not outcome.failed and len(outcome.result["import_errors"]) == 2


@pytest.mark.parametrize("blob", [(200, b""), (404, b"")])
def test_an_import_without_failed_lines_has_no_errors(run_module, blob):
    client, args = completed_import({ERRORS_URL: blob})
    outcome = run_module(module, args, client=client)
    assert not outcome.failed and outcome.result["import_errors"] == []


def test_the_errors_blob_named_by_output_blob_name_is_read(run_module):
    url = ERRORS_URL.replace("importErrors.log", "my-errors.log")
    client, args = completed_import({url: (200, ERRORS_LOG)}, output_blob_name="my-errors.log",
                                    fail_on_import_errors=False)
    outcome = run_module(module, args, client=client)
    assert client.session.urls == [("GET", url)] and len(outcome.result["import_errors"]) == 2
