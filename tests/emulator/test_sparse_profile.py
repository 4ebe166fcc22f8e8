# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sparse profile: answers in the shapes of the official examples and recorded traffic (emulator/profile.py,
emulator/README.md "The sparse profile")."""

from __future__ import annotations

import pytest
from central_helpers import TEMPLATES, Central

GATEWAY_DATA = [{"type": "property", "target": "dtmi:azureiotjobs:gateway;1", "path": "fwVersion", "value": "2"}]


@pytest.fixture
def sparse(emulator):
    emulator.configure(profile="sparse")
    return emulator


def test_the_profile_is_a_setting_and_resets(emulator):
    assert emulator.configure(profile="sparse")["profile"] == "sparse"
    emulator.reset()
    assert emulator.control("GET", "config")["profile"] == "full"
    response = emulator.session.patch(emulator.url + "/_emulator/config", json={"profile": "thin"},
                                      verify=emulator.ca)
    assert response.status_code == 400 and "profile" in response.text


def test_hub_put_answers_sparsely_and_a_job_before_it_starts_has_no_times_or_statistics(sparse):
    body = sparse.twin_job(tags={"x": 1}, start=sparse.iso_now(3600))
    answer = sparse.put_job("later", body)
    assert answer.status_code == 200 and answer.json() == {"jobId": "later", "type": "scheduleUpdateTwin",
                                                           "status": "queued"}
    job = sparse.get_job("later")
    assert not {"startTime", "endTime", "deviceJobStatistics"} & set(job) and job["queryCondition"] == "*"
    assert sparse.put_job("now", sparse.twin_job(tags={"x": 1})).status_code == 200
    done = sparse.wait_job("now")
    assert "deviceJobStatistics" in done and "startTime" in done  # a started job has them


def test_the_jobs_query_holds_an_unknown_entry(sparse):
    assert sparse.put_job("one", sparse.twin_job(tags={"x": 1})).status_code == 200
    listed = sparse.hub("GET", "/jobs/v2/query").json()
    assert [job["jobId"] for job in listed] == ["one", ""] and listed[-1]["type"] == "unknown"


def test_import_export_answers_do_not_echo_the_request_options(sparse):
    uri = sparse.url + "/_emulator/blobs/sparse?sv=2021-08-06&sr=c&sp=rwdl&sig=c2lnbmF0dXJl"
    created = sparse.hub("POST", "/jobs/create", json={"type": "export", "outputBlobContainerUri": uri,
                                                       "storageAuthenticationType": "keyBased",
                                                       "excludeKeysInExport": True}).json()
    assert "storageAuthenticationType" not in created and created["outputBlobContainerUri"] == uri
    assert all("storageAuthenticationType" not in job for job in sparse.hub("GET", "/jobs").json())


def test_central_jobs_without_progress_or_times_and_devices_with_id_and_status_only(sparse):
    central = Central(sparse)
    sparse.configure(central_failure_rate=1.0)
    created = central.put_job("all-fail", group="gateway-devices", data=GATEWAY_DATA).json()
    assert not {"progress", "start", "end"} & set(created)
    finished = central.wait("all-fail")
    assert finished["status"] == "complete"  # every device failed, and the job reads complete
    assert not {"progress", "start", "end"} & set(finished)
    rows = central.ok("GET", "/jobs/all-fail/devices")["value"]
    assert rows and all(set(row) == {"id", "status"} and row["status"] == "failed" for row in rows)
    listed = central.ok("GET", "/jobs")["value"]
    assert listed and all("progress" not in job for job in listed)


def test_central_errors_carry_generic_codes(sparse):
    central = Central(sparse)
    assert central.put_job("twice", group="gateway-devices", data=GATEWAY_DATA).status_code == 200
    again = central.put_job("twice", group="gateway-devices", data=GATEWAY_DATA)
    assert again.status_code == 409 and again.json()["error"]["code"] == "Conflict"
    missing = central.call("GET", "/jobs/none")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NotFound"


def test_scheduled_job_get_and_list_drop_the_schedule_end(sparse):
    central = Central(sparse)
    body = {"displayName": "n", "group": "gateway-devices", "data": GATEWAY_DATA, "enabled": True,
            "schedule": {"start": "2030-01-01T00:00:00Z", "recurrence": "daily",
                         "end": {"type": "occurrences", "occurrences": 3}}}
    created = central.ok("PUT", "/scheduledJobs/nightly", json=body)
    assert created["schedule"]["end"] == {"type": "occurrences", "occurrences": 3}  # the create answer keeps it
    assert "end" not in central.ok("GET", "/scheduledJobs/nightly")["schedule"]
    assert all("end" not in item["schedule"] for item in central.ok("GET", "/scheduledJobs")["value"])


def test_the_full_profile_keeps_every_field(emulator):
    central = Central(emulator)
    assert TEMPLATES
    created = central.put_job("full", group="gateway-devices", data=GATEWAY_DATA).json()
    assert "progress" in created
