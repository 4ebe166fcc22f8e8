"""The emulator's IoT Hub HTTP contract, with plain requests (contract.md sections 1, 2 and 7)."""
import re
import time
from datetime import datetime

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential

from emulator.iothub.registry import draw

TRACKING = re.compile(r"^Tracking ID:[0-9a-f]{32}-G:0-TimeStamp:\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$")
TERMINAL = ("completed", "failed", "cancelled")


def assert_hub_error(response, status, code, text=None):
    """The IoT Hub error shape: status, Message "ErrorCode:<code>;...", tracking id, headers."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"Message", "ExceptionMessage"}
    assert body["Message"].startswith("ErrorCode:%s;" % code), body
    if text is not None:
        assert text in body["Message"]
    assert TRACKING.match(body["ExceptionMessage"]), body["ExceptionMessage"]
    assert response.headers["iothub-errorcode"] == code
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    request_id = response.headers["x-ms-request-id"]
    assert body["ExceptionMessage"][len("Tracking ID:"):][:32] == request_id.replace("-", "")
    return body


# --- authentication ----------------------------------------------------------------------------------------------

def test_good_sas_is_accepted_and_common_headers_are_sent(emulator):
    response = emulator.hub("GET", "/twins/device-00001")
    assert response.status_code == 200
    assert response.headers["Server"] == "Microsoft-HTTPAPI/2.0"
    assert response.headers["Vary"] == "Origin"
    assert re.fullmatch(r"[0-9a-f-]{36}", response.headers["x-ms-request-id"])
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("mangle, text", [
    (lambda token: re.sub(r"sig=[^&]+", "sig=AAAA", token), "ErrorCode:IotHubUnauthorizedAccess;Unauthorized"),
    (lambda token: token.replace("skn=iothubowner", "skn=nosuchpolicy"), "unknown shared access policy"),
    (lambda token: token.replace("sr=127.0.0.1", "sr=otherhub.azure-devices.net"), "does not match this IoT hub"),
    (lambda token: token.replace("SharedAccessSignature", "Basic"), "Unauthorized"),
    (lambda token: "", "Unauthorized"),
])
def test_bad_credentials_are_refused(emulator, mangle, text):
    token = mangle(emulator.sas())
    response = emulator.hub("GET", "/twins/device-00001", auth=False, headers={"Authorization": token} if token else {})
    body = assert_hub_error(response, 401, "IotHubUnauthorizedAccess")
    assert text in body["Message"]


def test_expired_sas_is_refused(emulator):
    token = emulator.sas(ttl=-5)
    response = emulator.hub("GET", "/twins/device-00001", auth=False, headers={"Authorization": token})
    assert_hub_error(response, 401, "IotHubUnauthorizedAccess", "SharedAccessSignature expired")


def test_missing_authorization_is_refused_before_anything_else(emulator):
    assert_hub_error(emulator.hub("GET", "/jobs/v2/x", auth=False, api_version=None), 401, "IotHubUnauthorizedAccess")


def test_localhost_audience_is_accepted(emulator):
    token = emulator.sas(host="LocalHost:" + emulator.host.rsplit(":", 1)[1])
    assert emulator.hub("GET", "/twins/device-00001", auth=False, headers={"Authorization": token}).status_code == 200


# --- api-version ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["2021-04-12", "2024-03-31", "2020-05-31-preview", "2020-03-13"])
def test_supported_api_versions(emulator, version):
    assert emulator.hub("GET", "/twins/device-00001", api_version=version).status_code == 200


@pytest.mark.parametrize("version", [None, "2021-06-30", "2018-06-30", ""])
def test_unsupported_or_missing_api_version(emulator, version):
    assert_hub_error(emulator.hub("GET", "/twins/device-00001", api_version=version), 400, "InvalidProtocolVersion")


# --- creating jobs -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("job_id", ["a" * 65, "bad_id", "bad.id", "bad%20id", "caf%C3%A9"])
def test_invalid_job_ids(emulator, job_id):
    body = emulator.twin_job(tags={"x": 1})
    response = emulator.hub("PUT", "/jobs/v2/" + job_id, json=body)
    assert_hub_error(response, 400, "ArgumentInvalid", "64 characters or less")


def test_upper_case_job_ids_are_refused_by_default_and_follow_the_switch(emulator):
    # The real hub refuses upper case in a new job's id (contract.md section 7); the docs allow it.
    assert_hub_error(emulator.put_job("Upper-Case-2", emulator.twin_job(tags={"x": 1})), 400, "ArgumentInvalid")
    emulator.configure(lowercase_job_ids=False)
    assert emulator.put_job("Upper-Case-1", emulator.twin_job(tags={"x": 1})).status_code == 200
    assert emulator.put_job("a" * 64, emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(3600))).status_code \
        == 200


@pytest.mark.parametrize("change, code, text", [
    ({"jobId": "other"}, "ArgumentInvalid", "does not match"),
    ({"type": "export"}, "ArgumentInvalid", "not supported"),
    ({"queryCondition": None}, "ArgumentNull", "queryCondition"),
    ({"startTime": None}, "ArgumentNull", "startTime"),
    ({"startTime": "tomorrow"}, "ArgumentInvalid", "ISO 8601"),
    ({"updateTwin": {"tags": {"x": 1}}}, "ArgumentInvalid", "requires a valid etag match"),
    ({"updateTwin": {"etag": "AAAAAAAAAAE=", "tags": {"x": 1}}}, "ArgumentInvalid", "requires a valid etag match"),
    ({"updateTwin": {"etag": "*", "properties": {"reported": {"x": 1}}}}, "ArgumentInvalid", "desired"),
    ({"updateTwin": {"etag": "*", "tags": {"a.b": 1}}}, "ArgumentInvalid", "not allowed"),
    ({"updateTwin": None}, "ArgumentNull", "updateTwin"),
    ({"maxExecutionTimeInSeconds": 0}, "ArgumentInvalid", "maxExecutionTimeInSeconds"),
])
def test_invalid_twin_job_requests(emulator, change, code, text):
    body = dict(emulator.twin_job(tags={"x": 1}), **change)
    response = emulator.hub("PUT", "/jobs/v2/bad-request", json=body)
    assert_hub_error(response, 400, code, text)


@pytest.mark.parametrize("method_change, code, status", [
    ({"methodName": ""}, "ArgumentNull", 400),
    ({"responseTimeoutInSeconds": 4}, "ArgumentInvalid", 400),
    ({"responseTimeoutInSeconds": 301}, "ArgumentInvalid", 400),
    ({"connectTimeoutInSeconds": -1}, "ArgumentInvalid", 400),
    ({"connectTimeoutInSeconds": 301}, "ArgumentInvalid", 400),
    ({"payload": {"blob": "x" * (128 * 1024)}}, "MessageTooLarge", 413),
])
def test_invalid_method_job_requests(emulator, method_change, code, status):
    body = emulator.method_job()
    body["cloudToDeviceMethod"].update(method_change)
    assert_hub_error(emulator.put_job("bad-method", body), status, code)


def test_start_time_at_most_168_hours_ahead(emulator):
    late = emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(168 * 3600 + 120))
    assert_hub_error(emulator.put_job("too-late", late), 400, "ArgumentInvalid", "168 hours")
    ok = emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(168 * 3600 - 120))
    assert emulator.put_job("just-in-time", ok).status_code == 200


def test_unparsable_body(emulator):
    response = emulator.hub("PUT", "/jobs/v2/j", data="{not json", headers={"Content-Type": "application/json"})
    assert_hub_error(response, 400, "IotHubFormatError")


def test_create_answers_a_queued_job_response(emulator):
    body = emulator.twin_job("tags.ring = 'canary'", tags={"wave": 1}, desired={"firmware": {"version": "1.1.0"}})
    response = emulator.put_job("create-1", body)
    assert response.status_code == 200
    job = response.json()
    assert job == {
        "jobId": "create-1", "queryCondition": "tags.ring = 'canary'", "createdTime": job["createdTime"],
        "startTime": job["startTime"], "maxExecutionTimeInSeconds": 3600, "type": "scheduleUpdateTwin",
        "status": "queued", "updateTwin": body["updateTwin"],
        "deviceJobStatistics": {"deviceCount": 0, "failedCount": 0, "succeededCount": 0, "runningCount": 0,
                                "pendingCount": 0},
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", job["createdTime"])
    assert job["startTime"] == body["startTime"].replace(".000Z", ".0000000Z")


def test_duplicate_job_id_is_a_conflict(emulator):
    body = emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(3600))
    assert emulator.put_job("twice", body).status_code == 200
    assert_hub_error(emulator.put_job("twice", body), 409, "JobAlreadyExists")


def test_s1_allows_one_active_job_and_429_has_no_retry_after(emulator):
    emulator.configure(tier="S1")
    future = emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(3600))
    assert emulator.put_job("slot-holder", future).status_code == 200
    response = emulator.put_job("second", emulator.twin_job(tags={"x": 2}))
    assert_hub_error(response, 429, "ThrottlingMaxActiveJobCountExceeded")
    assert "Retry-After" not in response.headers
    # Cancelling the scheduled job frees the slot.
    assert emulator.hub("POST", "/jobs/v2/slot-holder/cancel").status_code == 200
    assert emulator.put_job("second", emulator.twin_job(tags={"x": 2})).status_code == 200


def test_s2_allows_five_active_jobs(emulator):
    emulator.configure(tier="S2")
    future = emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(3600))
    for number in range(5):
        assert emulator.put_job("s2-%d" % number, future).status_code == 200
    assert_hub_error(emulator.put_job("s2-5", future), 429, "ThrottlingMaxActiveJobCountExceeded")


# --- reading and cancelling jobs -----------------------------------------------------------------------------------

def test_unknown_job_answers_200_unknown_or_404_after_switch(emulator):
    response = emulator.hub("GET", "/jobs/v2/no-such-job")
    assert response.status_code == 200
    assert response.json() == {"jobId": "no-such-job", "type": "unknown", "status": "unknown"}
    emulator.configure(unknown_job_status=404)
    assert_hub_error(emulator.hub("GET", "/jobs/v2/no-such-job"), 404, "JobNotFound")


def test_cancel_queued_then_cancelled(emulator):
    emulator.put_job("to-cancel", emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(600)))
    response = emulator.hub("POST", "/jobs/v2/to-cancel/cancel", headers={"Content-Length": "0"})
    assert response.status_code == 200
    job = response.json()
    assert job["status"] == "cancelled" and "endTime" in job
    assert emulator.get_job("to-cancel")["status"] == "cancelled"
    assert_hub_error(emulator.hub("POST", "/jobs/v2/to-cancel/cancel"), 405, "OperationNotAllowedInCurrentState",
                     "Job cannot be cancelled in 'Cancelled' status.")


def test_cancel_unknown_job(emulator):
    assert_hub_error(emulator.hub("POST", "/jobs/v2/nothing-here/cancel"), 404, "JobNotFound")


def test_cancel_running_and_completed_jobs_is_not_allowed(emulator):
    emulator.configure(device_ops_per_second=0.01)  # 100 devices would take hours: the job stays running
    emulator.put_job("long-run", emulator.method_job())
    emulator.wait_job("long-run", ("running",))
    assert_hub_error(emulator.hub("POST", "/jobs/v2/long-run/cancel"), 405, "OperationNotAllowedInCurrentState",
                     "Job cannot be cancelled in 'Running' status.")
    assert emulator.get_job("long-run")["status"] == "running"
    emulator.configure(device_ops_per_second=None)
    emulator.put_job("quick", emulator.twin_job("deviceId = 'device-00001'", tags={"x": 1}))
    emulator.wait_job("quick")
    assert_hub_error(emulator.hub("POST", "/jobs/v2/quick/cancel"), 405, "OperationNotAllowedInCurrentState",
                     "Job cannot be cancelled in 'Completed' status.")


# --- the state machine ---------------------------------------------------------------------------------------------

def count_devices(emulator, condition):
    response = emulator.query("SELECT COUNT() AS n FROM devices WHERE " + condition)
    assert response.status_code == 200 and response.headers["x-ms-item-type"] == "Raw"
    return response.json()[0]["n"]


def test_twin_job_completes_and_updates_the_targeted_twins(emulator):
    early = count_devices(emulator, "tags.ring = 'early'")
    assert 10 <= early <= 25
    body = emulator.twin_job("tags.ring = 'early'", tags={"wave": "w1", "floor": None},
                             desired={"firmware": {"version": "1.1.0"}})
    emulator.put_job("early-fw", body)
    job = emulator.wait_job("early-fw")
    assert job["status"] == "completed"
    assert job["deviceJobStatistics"] == {"deviceCount": early, "failedCount": 0, "succeededCount": early,
                                          "runningCount": 0, "pendingCount": 0}
    assert job["endTime"] >= job["startTime"]
    rows = emulator.query_all("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'early-fw'")
    assert len(rows) == early and {row["status"] for row in rows} == {"completed"}
    assert all(row["outcome"] is None and "error" not in row for row in rows)
    updated = emulator.query_all("SELECT * FROM devices WHERE tags.wave = 'w1'")
    assert sorted(t["deviceId"] for t in updated) == sorted(row["deviceId"] for row in rows)
    for twin in updated:
        assert "floor" not in twin["tags"]  # null removed the key
        assert twin["properties"]["desired"]["firmware"] == {"version": "1.1.0"}
        assert twin["version"] == 2
    assert count_devices(emulator, "tags.wave = 'w1' AND tags.ring != 'early'") == 0


def test_devices_mirror_known_desired_properties_into_reported(emulator):
    emulator.put_job("mirror", emulator.twin_job("deviceId = 'device-00004'",
                                                 desired={"firmware": {"version": "2.0.0"}, "unknownKey": 1}))
    emulator.wait_job("mirror")
    deadline = time.monotonic() + 5
    while True:
        reported = emulator.hub("GET", "/twins/device-00004").json()["properties"]["reported"]
        if reported["firmware"]["version"] == "2.0.0" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert reported["firmware"] == {"version": "2.0.0"}
    assert "unknownKey" not in reported  # a device only reports what it knows


def test_rejected_desired_values_fail_the_device(emulator):
    emulator.configure(reject_desired={"firmware.version": ["2.0.0-bad"]})
    emulator.put_job("bad-fw", emulator.twin_job("tags.ring = 'canary'",
                                                 desired={"firmware": {"version": "2.0.0-bad"}}))
    job = emulator.wait_job("bad-fw")
    stats = job["deviceJobStatistics"]
    assert job["status"] == "completed" and stats["failedCount"] == stats["deviceCount"] >= 1
    row = emulator.query_all("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'bad-fw'")[0]
    assert row["status"] == "failed" and row["error"]["code"] == "DeviceRejectedDesiredProperties"


def test_job_moves_through_scheduled_and_running_with_consistent_statistics(emulator):
    emulator.configure(device_ops_per_second=2)  # 100 devices in 50 emulated seconds, 1 s real at scale 50
    created = emulator.put_job("progress", emulator.method_job(start=emulator.iso_now(20))).json()
    seen, snapshots = [created["status"]], []
    deadline = time.monotonic() + 20
    while not seen or seen[-1] not in TERMINAL:
        assert time.monotonic() < deadline
        job = emulator.get_job("progress")
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        snapshots.append(job["deviceJobStatistics"])
        time.sleep(0.01)
    assert seen == ["queued", "scheduled", "running", "completed"]
    for stats in snapshots:
        assert stats["pendingCount"] + stats["runningCount"] + stats["succeededCount"] + stats["failedCount"] \
            == stats["deviceCount"]
    assert any(0 < s["succeededCount"] < s["deviceCount"] for s in snapshots)
    assert snapshots[-1]["succeededCount"] == 100
    job = emulator.get_job("progress")
    assert job["startTime"] <= job["endTime"]


def test_jobs_running_at_once_share_the_hubs_device_operation_rate(emulator):
    # contract.md 1.6: the device-operation rate is a quota of the hub, not of each job. 100 devices at 10 a second
    # take 10 emulated seconds whether one job or two at once process them.
    emulator.configure(device_ops_per_second=10)
    try:
        emulator.put_job("share-a", emulator.twin_job("deviceId < 'device-00051'", tags={"share": 1}))
        emulator.put_job("share-b", emulator.twin_job("deviceId >= 'device-00051'", tags={"share": 1}))
        jobs = [emulator.wait_job("share-a"), emulator.wait_job("share-b")]
    finally:
        emulator.configure(device_ops_per_second=None)
    assert [job["deviceJobStatistics"]["succeededCount"] for job in jobs] == [50, 50]
    begin = min(datetime.fromisoformat(job["startTime"].rstrip("Z")) for job in jobs)
    end = max(datetime.fromisoformat(job["endTime"].rstrip("Z")) for job in jobs)
    assert (end - begin).total_seconds() >= 9.5  # alone, each job would end after 5


def test_max_execution_time_fails_unprocessed_devices(emulator):
    emulator.configure(device_ops_per_second=1)
    emulator.put_job("timeout", emulator.twin_job(tags={"t": 1}, maxExecutionTimeInSeconds=10))
    job = emulator.wait_job("timeout")
    stats = job["deviceJobStatistics"]
    assert job["status"] == "completed"
    # One device per emulated second, started at offsets 0..9: exactly ten before the deadline.
    assert (stats["succeededCount"], stats["failedCount"]) == (10, 90)
    failed = emulator.query_all("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'timeout' "
                                "AND devices.jobs.status = 'failed'")
    assert len(failed) == stats["failedCount"]
    assert failed[0]["error"] == {
        "code": "JobRunPreconditionFailed",
        "description": "The job did not start within specified period: either device did not come online or "
                       "invalid endTime specified."}


def test_invalid_query_condition_is_accepted_then_fails(emulator):
    response = emulator.put_job("bad-query", emulator.twin_job("tags.ring = = 'x'", tags={"x": 1}))
    assert response.status_code == 200 and response.json()["status"] == "queued"
    job = emulator.wait_job("bad-query")
    assert job["status"] == "failed"
    assert "queryCondition" in job["failureReason"] and "endTime" in job


def expected_failures(job_id, devices, rate, seed=7):
    return {d for d in devices if draw(seed, "method", job_id, d) < rate}


def test_method_failure_rate_is_deterministic_per_seed(emulator):
    emulator.configure(method_failure_rate=0.3)
    emulator.put_job("flaky", emulator.method_job(name="reboot"))
    job = emulator.wait_job("flaky")
    rows = emulator.query_all("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'flaky'")
    failed = {row["deviceId"] for row in rows if row["status"] == "failed"}
    expected = expected_failures("flaky", ["device-%05d" % n for n in range(1, 101)], 0.3)
    assert failed == expected
    assert 15 <= len(failed) <= 45
    assert job["deviceJobStatistics"]["failedCount"] == len(failed)
    assert job["deviceJobStatistics"]["succeededCount"] == 100 - len(failed)
    bad = next(row for row in rows if row["status"] == "failed")
    assert bad["outcome"]["deviceMethodResponse"]["status"] == 500
    assert bad["error"]["code"] == "DeviceMethodFailed"
    good = next(row for row in rows if row["status"] == "completed")
    answer = {"status": 200, "payload": {"result": "ok", "method": "reboot"}}
    assert good["outcome"] == {"deviceMethodResponse": answer}
    assert set(good) == {"deviceId", "jobId", "jobType", "status", "startTimeUtc", "endTimeUtc", "createdDateTimeUtc",
                         "lastUpdatedDateTimeUtc", "outcome"}
    # The same seed and job id fail the same devices after a reset.
    emulator.reset(devices=100, seed=7)
    emulator.configure(method_failure_rate=0.3)
    emulator.put_job("flaky", emulator.method_job(name="reboot"))
    emulator.wait_job("flaky")
    rows = emulator.query_all("SELECT * FROM devices.jobs WHERE devices.jobs.status = 'failed'")
    assert {row["deviceId"] for row in rows} == expected


def test_device_rows_never_end_before_they_start(emulator):
    # A twin update settles a device at the offset it starts: its row's end is that instant, never before the
    # start and creation the row carries, however long the condition took to run over the registry.
    emulator.reset(devices=3000, seed=7)
    emulator.put_job("dated", emulator.twin_job("*", tags={"dated": 1}))
    emulator.wait_job("dated")
    rows = emulator.query_all("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'dated'")
    assert len(rows) == 3000
    backwards = [row["deviceId"] for row in rows
                 if not row["createdDateTimeUtc"] <= row["startTimeUtc"] <= row["endTimeUtc"]]
    assert backwards == []


def test_offline_device_fails_a_method_job_with_device_not_online(emulator):
    emulator.control("PATCH", "devices/device-00003", json={"connectionState": "Disconnected"})
    body = emulator.method_job("deviceId IN ['device-00003', 'device-00005']")
    body["cloudToDeviceMethod"]["connectTimeoutInSeconds"] = 5
    emulator.put_job("offline", body)
    job = emulator.wait_job("offline")
    assert job["status"] == "completed"
    assert job["deviceJobStatistics"]["failedCount"] == 1 and job["deviceJobStatistics"]["succeededCount"] == 1
    rows = emulator.query_all("SELECT * FROM devices.jobs WHERE devices.jobs.deviceId = 'device-00003'")
    assert rows[0]["status"] == "failed" and rows[0]["error"]["code"] == "DeviceNotOnline"


def test_disconnected_rate_is_seeded(emulator):
    emulator.configure(disconnected_rate=0.25)
    offline = count_devices(emulator, "connectionState = 'Disconnected'")
    assert 10 <= offline <= 40
    emulator.configure(disconnected_rate=0)
    assert count_devices(emulator, "connectionState = 'Disconnected'") == 0


# --- queries -------------------------------------------------------------------------------------------------------

def test_devices_query_pages_until_done(emulator):
    rows, token, pages = [], None, 0
    while True:
        response = emulator.query("SELECT * FROM devices", page_size=7, continuation=token)
        assert response.status_code == 200 and response.headers["x-ms-item-type"] == "Twin"
        page = response.json()
        assert isinstance(page, list) and 1 <= len(page) <= 7
        rows += page
        pages += 1
        token = response.headers.get("x-ms-continuation")
        if token is None:
            break
    assert pages == 15 and len(rows) == 100
    assert len({row["deviceId"] for row in rows}) == 100


def test_page_size_is_capped_at_1000(emulator):
    emulator.reset(devices=1200, seed=7)
    response = emulator.query("SELECT * FROM devices", page_size=5000)
    assert len(response.json()) == 1000 and response.headers.get("x-ms-continuation")
    default = emulator.query("SELECT * FROM devices")
    assert len(default.json()) == 100


def test_bad_continuation_token_and_page_size(emulator):
    assert_hub_error(emulator.query("SELECT * FROM devices", continuation="not-a-token"), 400, "ArgumentInvalid")
    assert_hub_error(emulator.query("SELECT * FROM devices", page_size=0), 400, "ArgumentInvalid")


@pytest.mark.parametrize("sql", ["SELECT * FROM devices WHERE", "SELEC * FROM devices", "SELECT * FROM nowhere"])
def test_query_syntax_error(emulator, sql):
    assert_hub_error(emulator.query(sql), 400, "BadRequest")


def test_jobs_query_filters_case_insensitively_and_pages(emulator):
    emulator.put_job("q-twin-1", emulator.twin_job("deviceId = 'device-00001'", tags={"x": 1}))
    emulator.put_job("q-twin-2", emulator.twin_job("deviceId = 'device-00002'", tags={"x": 1}))
    emulator.put_job("q-method", emulator.method_job("deviceId = 'device-00003'"))
    for job_id in ("q-twin-1", "q-twin-2", "q-method"):
        emulator.wait_job(job_id)
    response = emulator.hub("GET", "/jobs/v2/query", params={"jobType": "ScheduleUpdateTwin",
                                                             "jobStatus": "Completed"})
    assert response.status_code == 200 and response.headers["x-ms-item-type"] == "JobResponse"
    assert "x-ms-continuation" not in response.headers
    assert [job["jobId"] for job in response.json()] == ["q-twin-1", "q-twin-2"]
    ids, token = [], None
    while True:
        headers = {"x-ms-max-item-count": "1"}
        if token:
            headers["x-ms-continuation"] = token
        response = emulator.hub("GET", "/jobs/v2/query", headers=headers)
        ids += [job["jobId"] for job in response.json()]
        token = response.headers.get("x-ms-continuation")
        if not token:
            break
    assert ids == ["q-twin-1", "q-twin-2", "q-method"]
    emulator.configure(jobs_query_format="object")
    body = emulator.hub("GET", "/jobs/v2/query", params={"jobType": "scheduleDeviceMethod"}).json()
    assert body["type"] == "jobResponse" and "continuationToken" not in body
    assert [job["jobId"] for job in body["items"]] == ["q-method"]


# --- registry ------------------------------------------------------------------------------------------------------

def test_twin_patch_honours_if_match_and_null_removes(emulator):
    twin = emulator.hub("GET", "/twins/device-00010").json()
    patch = {"tags": {"ring": None, "owner": "ops"}, "properties": {"desired": {"interval": 30}}}
    stale = emulator.hub("PATCH", "/twins/device-00010", json=patch, headers={"If-Match": '"AAAAAAAAAAA="'})
    assert_hub_error(stale, 412, "PreconditionFailed")
    response = emulator.hub("PATCH", "/twins/device-00010", json=patch, headers={"If-Match": '"%s"' % twin["etag"]})
    assert response.status_code == 200
    updated = response.json()
    assert "ring" not in updated["tags"] and updated["tags"]["owner"] == "ops"
    assert updated["properties"]["desired"]["interval"] == 30
    assert updated["version"] == twin["version"] + 1 and updated["etag"] != twin["etag"]


def test_device_create_get_delete(emulator):
    created = emulator.hub("PUT", "/devices/new-device", json={"deviceId": "new-device", "status": "enabled"})
    assert created.status_code == 200 and created.json()["deviceId"] == "new-device"
    assert_hub_error(emulator.hub("PUT", "/devices/new-device", json={"deviceId": "new-device"}), 409,
                     "DeviceAlreadyExists")
    assert emulator.hub("GET", "/devices/new-device").json()["authentication"]["type"] == "sas"
    assert emulator.hub("DELETE", "/devices/new-device", headers={"If-Match": "*"}).status_code == 204
    assert_hub_error(emulator.hub("GET", "/devices/new-device"), 404, "DeviceNotFound")
    assert_hub_error(emulator.hub("GET", "/twins/new-device"), 404, "DeviceNotFound")


# --- control API ---------------------------------------------------------------------------------------------------

def test_fault_with_status_retry_after_and_count(emulator):
    emulator.control("POST", "faults", json={"route": "GET /jobs/v2/{id}", "status": 429, "retry_after": 2,
                                             "count": 2})
    for _attempt in range(2):
        response = emulator.hub("GET", "/jobs/v2/some-job")
        assert_hub_error(response, 429, "ThrottlingException")
        assert response.headers["Retry-After"] == "2"
    assert emulator.hub("GET", "/jobs/v2/some-job").status_code == 200
    assert emulator.control("GET", "faults") == []


def test_fault_error_code_and_other_routes_untouched(emulator):
    emulator.control("POST", "faults", json={"route": "PUT /jobs/v2/{id}", "status": 503,
                                             "error_code": "ServiceUnavailable", "message": "Try later."})
    assert emulator.hub("GET", "/twins/device-00001").status_code == 200
    for _attempt in range(2):  # no count: applies until cleared
        assert_hub_error(emulator.put_job("f", emulator.twin_job(tags={"x": 1})), 503, "ServiceUnavailable",
                         "Try later.")
    emulator.control("DELETE", "faults")
    assert emulator.put_job("f", emulator.twin_job(tags={"x": 1})).status_code == 200


def test_fault_drop_closes_the_connection(emulator):
    emulator.control("POST", "faults", json={"route": "GET /twins/{id}", "drop": True, "count": 1})
    with pytest.raises(requests.ConnectionError):
        emulator.hub("GET", "/twins/device-00001")
    assert emulator.hub("GET", "/twins/device-00001").status_code == 200
    log = emulator.control("GET", "requests/log")
    assert [entry["status"] for entry in log] == [None, 200]


def test_fault_latency_delays_the_real_answer(emulator):
    emulator.control("POST", "faults", json={"route": "GET /twins/{id}", "latency": 0.3, "count": 1})
    started = time.monotonic()
    assert emulator.hub("GET", "/twins/device-00001").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_fault_after_processing_loses_only_the_answer(emulator):
    emulator.control("POST", "faults", json={"route": "PUT /jobs/v2/{id}", "status": 500, "when": "after",
                                             "count": 1})
    body = emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(600))
    assert_hub_error(emulator.put_job("lost-answer", body), 500, "ServerError")
    assert_hub_error(emulator.put_job("lost-answer", body), 409, "JobAlreadyExists")


def test_fault_validation(emulator):
    for rule in ({"route": "GET /nowhere", "status": 500}, {"route": "GET /twins/{id}"},
                 {"route": "GET /twins/{id}", "status": 500, "count": 0}, {"route": "GET /twins/{id}", "bogus": 1}):
        assert "error" in emulator.control("POST", "faults", json=rule, expect=(400,))


def test_request_counts_and_log(emulator):
    emulator.control("DELETE", "requests")
    emulator.hub("GET", "/jobs/v2/j1")
    emulator.put_job("j1", emulator.twin_job(tags={"x": 1}, start=emulator.iso_now(600)))
    emulator.hub("GET", "/jobs/v2/j1", auth=False)
    emulator.control("GET", "config")  # control calls are not counted
    assert emulator.control("GET", "requests") == {"GET /jobs/v2/{id}": 2, "PUT /jobs/v2/{id}": 1}
    assert emulator.control("GET", "requests/log") == [
        {"method": "GET", "route": "/jobs/v2/{id}", "path": "/jobs/v2/j1", "status": 200},
        {"method": "PUT", "route": "/jobs/v2/{id}", "path": "/jobs/v2/j1", "status": 200},
        {"method": "GET", "route": "/jobs/v2/{id}", "path": "/jobs/v2/j1", "status": 401},
    ]
    emulator.control("DELETE", "requests")
    assert emulator.control("GET", "requests") == {} and emulator.control("GET", "requests/log") == []


def test_config_validation_and_reset(emulator):
    assert emulator.control("GET", "config")["tier"] == "S3"
    for change in ({"tier": "S9"}, {"method_failure_rate": 2}, {"unknown_job_status": 418}, {"nope": 1},
                   {"jobs_query_format": "xml"}, {"reject_desired": ["x"]}):
        assert "error" in emulator.control("PATCH", "config", json=change, expect=(400,))
    assert emulator.configure(tier="S1", time_scale=100)["tier"] == "S1"
    emulator.reset(devices=100, seed=7)
    config = emulator.control("GET", "config")
    assert config["tier"] == "S3" and config["time_scale"] == 50
    assert emulator.control("GET", "health")["status"] == "ok"


# --- Entra ID ------------------------------------------------------------------------------------------------------

def credential(env, secret=None):
    """The kwargs that make azure-identity talk to the emulator's Entra endpoint."""
    return ClientSecretCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"],
                                  secret or env["AZURE_CLIENT_SECRET"], authority=env["AZURE_AUTHORITY_HOST"],
                                  disable_instance_discovery=True, connection_verify=env["REQUESTS_CA_BUNDLE"])


def test_entra_token_from_client_secret_credential_is_accepted_by_the_hub(emulator):
    token = credential(emulator.env).get_token("https://iothubs.azure.net/.default")
    assert token.expires_on > time.time() + 3000
    response = emulator.hub("GET", "/twins/device-00001", auth=False,
                            headers={"Authorization": "Bearer " + token.token})
    assert response.status_code == 200


def test_entra_wrong_secret_is_401_invalid_client(emulator):
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        credential(emulator.env, secret="wrong-secret").get_token("https://iothubs.azure.net/.default")
    tenant = emulator.env["AZURE_TENANT_ID"]
    response = requests.post("%s/%s/oauth2/v2.0/token" % (emulator.url, tenant), verify=emulator.ca, data={
        "grant_type": "client_credentials", "client_id": emulator.env["AZURE_CLIENT_ID"],
        "client_secret": "wrong-secret", "scope": "https://iothubs.azure.net/.default"})
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_client" and body["error_codes"] == [7000215]
    assert body["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")


def test_bearer_tokens_for_another_audience_or_tampered_are_refused(emulator):
    management = credential(emulator.env).get_token("https://management.azure.com/.default").token
    response = emulator.hub("GET", "/twins/device-00001", auth=False, headers={"Authorization": "Bearer " + management})
    assert_hub_error(response, 401, "IotHubUnauthorizedAccess", "audience")
    hub_token = credential(emulator.env).get_token("https://iothubs.azure.net/.default").token
    tampered = hub_token[:-4] + ("AAAA" if not hub_token.endswith("AAAA") else "BBBB")
    response = emulator.hub("GET", "/twins/device-00001", auth=False, headers={"Authorization": "Bearer " + tampered})
    assert_hub_error(response, 401, "IotHubUnauthorizedAccess", "signature")
