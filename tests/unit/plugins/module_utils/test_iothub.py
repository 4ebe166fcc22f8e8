# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""IoT Hub data plane: validation, projections, unknown-job detection, queries and paging."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils import _iothub
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import PageSize
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import (
    ScheduledJob,
    count_devices,
    device_job_to_ansible,
    device_jobs_query,
    find_jobs,
    get_job,
    job_to_ansible,
    normalize_query,
    parse_start_time,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._time import format_iso, parse_iso
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import HUB_JOB_ID, check_id
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, expect, pages

NOW = datetime(2026, 11, 23, 8, 0, 0, tzinfo=timezone.utc)


def test_paths():
    assert (_iothub.JOB_PATH, _iothub.JOB_CANCEL_PATH, _iothub.JOBS_QUERY_PATH, _iothub.DEVICES_QUERY_PATH) == (
        "/jobs/v2/{job_id}", "/jobs/v2/{job_id}/cancel", "/jobs/v2/query", "/devices/query")


# --- job ids ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("job_id", ["a", "fw-1-2-0-canary", "A" * 64, "Job-42"])
def test_valid_job_ids(job_id):
    assert check_id(job_id, HUB_JOB_ID) == job_id


@pytest.mark.parametrize("job_id, msg", [
    ("", "job_id must not be empty"),
    ("a" * 65, "job_id must be at most 64 characters, got 65"),
    ("fw_1", "job_id may only contain US-ASCII letters, digits and '-', found '_' in 'fw_1'"),
    ("fw.1", "job_id may only contain US-ASCII letters, digits and '-', found '.' in 'fw.1'"),
    ("fw 1", "job_id may only contain US-ASCII letters, digits and '-', found ' ' in 'fw 1'"),
    ("fw-é", "job_id may only contain US-ASCII letters, digits and '-', found 'é' in 'fw-é'"),
])
def test_invalid_job_ids(job_id, msg):
    with pytest.raises(ValidationError) as info:
        check_id(job_id, HUB_JOB_ID)
    assert info.value.msg == msg


# --- queries ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    (None, "*"),
    ("*", "*"),
    ("  *  ", "*"),
    ("WHERE *", "*"),
    ("tags.ring = 'canary'", "tags.ring = 'canary'"),
    ("  where   tags.ring  =\n 'canary'  ", "tags.ring = 'canary'"),
    ("WHERE tags.name = 'two  spaces' AND\tdeviceId IN ['a', 'b']",
     "tags.name = 'two  spaces' AND deviceId IN ['a', 'b']"),
    ("tags.n = 'it''s   x'  AND  tags.m = \"a  \\\"  b\"", "tags.n = 'it''s   x' AND tags.m = \"a  \\\"  b\""),
    ("whereabouts = 1", "whereabouts = 1"),
])
def test_normalize_query(query, expected):
    assert normalize_query(query) == expected


@pytest.mark.parametrize("query, msg", [
    ("", "query must not be empty: omit it or use '*' to target all devices"),
    ("   ", "query must not be empty: omit it or use '*' to target all devices"),
    ("WHERE", "query has nothing after WHERE: give a condition such as tags.ring = 'canary'"),
    ("SELECT * FROM devices WHERE tags.a = 1",
     "query must be the condition only (such as tags.ring = 'canary'), not a SELECT statement: IoT Hub runs "
     "SELECT * FROM devices WHERE <query>"),
    ("tags.a = 'x", "query has an unterminated string literal: tags.a = 'x"),
    ("(tags.a = 1", "query has unbalanced parentheses or brackets: (tags.a = 1"),
    ("deviceId IN ['a'", "query has unbalanced parentheses or brackets: deviceId IN ['a'"),
])
def test_invalid_queries(query, msg):
    with pytest.raises(ValidationError) as info:
        normalize_query(query)
    assert info.value.msg == msg


def _ids_condition(length):
    """A deviceId IN [...] condition of exactly `length` characters (the last id padded)."""
    count = (length - len("deviceId IN []") + 2) // len("'device-00000', ")
    ids = ["'device-%05d'" % number for number in range(count)]
    padding = length - len("deviceId IN [%s]" % ", ".join(ids))
    ids[0] = "'device-00000%s'" % ("x" * padding)
    text = "deviceId IN [%s]" % ", ".join(ids)
    assert len(text) == length
    return text


def test_the_query_length_limit_and_its_figures():
    # What the hub refuses: "around 8200 Bytes, i.e. 8200 characters" (Azure/azure-iot-sdk-csharp#1680).
    assert _iothub.MAX_QUERY_LENGTH == 8000
    assert _iothub.QUERY_WRAPPER == "SELECT COUNT() AS numberOfDevices FROM devices WHERE "
    assert _iothub.MAX_CONDITION_LENGTH == 7947


def test_a_query_at_the_limit_is_kept_and_one_character_more_is_refused():
    longest = _ids_condition(7947)
    assert normalize_query(longest) == longest
    with pytest.raises(ValidationError) as info:
        normalize_query(_ids_condition(7948))
    assert info.value.msg == (
        "query is 7948 characters long; at most 7947 are allowed: IoT Hub refuses a query of more than about 8200 "
        "characters (412 PreconditionFailed), and the longest statement this collection sends a query in, "
        "'SELECT COUNT() AS numberOfDevices FROM devices WHERE <query>', must stay within 8000. Select the devices "
        "by a tag, or split them over several jobs")


def test_the_length_is_that_of_the_condition_sent_whitespace_collapsed_and_where_dropped():
    longest = _ids_condition(7947)
    assert normalize_query("  WHERE   " + longest.replace(", ", ",\n    ") + "\n") == longest
    assert normalize_query(longest, strict=False) == longest
    # Read back from the hub, a condition is never refused, whatever its length.
    assert normalize_query(_ids_condition(9000), strict=False) == _ids_condition(9000)


def test_what_the_modules_send_for_the_longest_condition_stays_within_the_limit():
    longest = _ids_condition(7947)
    statements = []

    class Recorder(object):
        def iter_continuation(self, method, path, json=None, page_size=None):
            statements.append(json["query"])
            return iter([{"numberOfDevices": 1, "deviceId": "d"}])

    count_devices(Recorder(), longest)
    _iothub.query_devices(Recorder(), longest)
    _iothub.query_devices(Recorder(), longest, twins=True)
    assert [len(statement) for statement in statements] == [8000, 7982, 7975]
    assert all(statement.endswith(" WHERE " + longest) for statement in statements)


def test_lenient_normalisation_of_a_query_read_back():
    assert normalize_query("SELECT * FROM devices WHERE  tags.a = 1", strict=False) == "tags.a = 1"
    assert normalize_query("", strict=False) == "*"


# --- times ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2021-07-07T20:44:47.8509265Z", datetime(2021, 7, 7, 20, 44, 47, 850926, tzinfo=timezone.utc)),
    ("2016-09-29T18:18:52.7418462", datetime(2016, 9, 29, 18, 18, 52, 741846, tzinfo=timezone.utc)),
    ("2026-11-24T01:30:00+01:30", datetime(2026, 11, 24, 0, 0, 0, tzinfo=timezone.utc)),
    ("2026-11-24T01:00-0100", datetime(2026, 11, 24, 2, 0, 0, tzinfo=timezone.utc)),
    ("2026-11-24 00:00:00z", datetime(2026, 11, 24, tzinfo=timezone.utc)),
    ("2026-11-24", datetime(2026, 11, 24, tzinfo=timezone.utc)),
    ("2026-02-30T00:00:00Z", None),
    ("tomorrow", None),
    (None, None),
])
def test_parse_time(text, expected):
    assert parse_iso(text) == expected


def test_format_time():
    moment = datetime(2026, 11, 23, 8, 0, 1, 987654, tzinfo=timezone.utc)
    assert format_iso(moment) == "2026-11-23T08:00:01.987Z"
    assert format_iso(moment, precise=False) == "2026-11-23T08:00:01Z"


def test_parse_start_time():
    assert parse_start_time("now", NOW) is None
    assert parse_start_time(" NOW ", NOW) is None
    assert parse_start_time(None, NOW) is None
    assert parse_start_time("2026-11-30T08:00:00Z", NOW) == datetime(2026, 11, 30, 8, tzinfo=timezone.utc)
    assert parse_start_time("2020-01-01T00:00:00Z", NOW).year == 2020  # in the past: the hub starts it at once
    with pytest.raises(ValidationError) as info:
        parse_start_time("2026-11-30T08:00:01Z", NOW)
    assert info.value.msg == ("start_time 2026-11-30T08:00:01Z is more than 168 hours after now "
                              "(2026-11-23T08:00:00Z): IoT Hub schedules jobs at most 7 days ahead")
    with pytest.raises(ValidationError) as info:
        parse_start_time("next monday", NOW)
    assert info.value.msg == ("start_time must be 'now' or an ISO 8601 date and time such as 2030-01-31T12:00:00Z, "
                              "got 'next monday'")


# --- projections ------------------------------------------------------------------------------------------

FULL = {
    "jobId": "j1", "queryCondition": "*", "createdTime": "2026-11-23T08:00:00.1Z", "startTime": "2026-11-23T08:00:00Z",
    "endTime": "2026-11-23T08:01:00Z", "maxExecutionTimeInSeconds": 3600, "type": "scheduleUpdateTwin",
    "status": "completed", "failureReason": None, "statusMessage": "done",
    "updateTwin": {"deviceId": None, "etag": "*", "tags": {"ring": "early"},
                   "properties": {"desired": {"fw": 2, "$metadata": {}, "$version": 3}}},
    "deviceJobStatistics": {"deviceCount": 3, "failedCount": 1, "succeededCount": 2, "runningCount": 0,
                            "pendingCount": 0},
}


def test_job_projection():
    assert job_to_ansible(FULL) == {
        "job_id": "j1", "type": "update_twin", "status": "completed", "query": "*",
        "start_time": "2026-11-23T08:00:00Z", "end_time": "2026-11-23T08:01:00Z",
        "created_time": "2026-11-23T08:00:00.1Z", "max_execution_time": 3600, "failure_reason": None,
        "status_message": "done", "twin_patch": {"tags": {"ring": "early"}, "desired": {"fw": 2}},
        "statistics": {"device_count": 3, "succeeded": 2, "failed": 1, "pending": 0, "running": 0},
    }


def test_sparse_and_method_projection():
    job = job_to_ansible({"jobId": "j2", "type": "scheduleDeviceMethod", "status": "queued"})
    assert job["method"] == {"name": None, "payload": None, "connect_timeout": None, "response_timeout": None}
    assert job["statistics"] is None and "twin_patch" not in job
    assert job_to_ansible({}) == {} and job_to_ansible(None) == {}
    other = job_to_ansible({"jobId": "j3", "type": "export", "status": "running"})
    assert other["type"] == "export" and "method" not in other and "twin_patch" not in other


def test_device_row_projection_with_nulls():
    assert device_job_to_ansible({"deviceId": "d1", "jobId": "j1", "jobType": "scheduleUpdateTwin",
                                  "status": "completed", "outcome": {"deviceMethodResponse": None}, "error": None}) == {
        "device_id": "d1", "job_id": "j1", "type": "update_twin", "status": "completed", "start_time": None,
        "end_time": None, "created_time": None, "last_updated_time": None, "error": None,
        "outcome": {"device_method_response": None}}


# --- calls ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [dict(status=404), dict(status=200, body={"type": "unknown", "status": "unknown"}),
                                    dict(status=200, body=None)])
def test_get_job_absent(answer):
    client = FakeClient([expect("GET", "/jobs/v2/{job_id}", path_params={"job_id": "j1"}, **answer)])
    assert get_job(client, "j1") is None
    assert client.requests[0]["not_found_ok"] is True


def test_get_job_present():
    client = FakeClient([expect("GET", "/jobs/v2/{job_id}", body=FULL)])
    assert get_job(client, "j1") is FULL


def test_count_devices():
    client = FakeClient([pages("POST", "/devices/query", [[{"numberOfDevices": 42}]],
                               json={"query": "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.a = 1"}),
                         pages("POST", "/devices/query", [[]], json=ANY_JSON)])
    assert count_devices(client, "tags.a = 1") == 42
    assert count_devices(client, "*") == 0
    assert client.requests[1]["json"] == {"query": "SELECT COUNT() AS numberOfDevices FROM devices"}


class _AnyJson(object):
    def __eq__(self, other):
        return isinstance(other, dict)


ANY_JSON = _AnyJson()


def test_device_jobs_query():
    assert device_jobs_query("j1") == "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1'"
    assert device_jobs_query("j1", ["failed"]) == ("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1' "
                                                   "AND devices.jobs.status = 'failed'")
    assert device_jobs_query("j1", ["failed", "canceled"]) == (
        "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1' AND devices.jobs.status IN ['failed', 'canceled']")


def job(job_id, status="completed"):
    return dict(FULL, jobId=job_id, status=status)


def row(device_id, job_id, status="failed"):
    return {"deviceId": device_id, "jobId": job_id, "jobType": "scheduleUpdateTwin", "status": status}


def test_find_one_job_by_id():
    client = FakeClient([expect("GET", "/jobs/v2/{job_id}", path_params={"job_id": "j1"}, body=job("j1"))])
    assert [j["job_id"] for j in find_jobs(client, job_id="j1")] == ["j1"]
    client = FakeClient([expect("GET", "/jobs/v2/{job_id}", status=404)])
    assert list(find_jobs(client, job_id="nope")) == []


def test_list_all_pages_with_filters():
    client = FakeClient([pages("GET", "/jobs/v2/query", [[job("j1"), job("j2")], [job("j3")]],
                               params={"jobType": "scheduleDeviceMethod", "jobStatus": "completed"},
                               page_size=PageSize("x-ms-max-item-count", 1000, 100))])
    found = list(find_jobs(client, job_type="device_method", status="completed"))
    client.assert_done()
    assert [j["job_id"] for j in found] == ["j1", "j2", "j3"]
    assert client.calls == [("GET", "/jobs/v2/query")] * 2


def test_list_with_limit_reads_only_the_pages_it_needs():
    client = FakeClient([pages("GET", "/jobs/v2/query", [[job("j1"), job("j2")], [job("j3")]], params=None,
                               page_size=PageSize("x-ms-max-item-count", 2, 2))])
    assert [j["job_id"] for j in find_jobs(client, limit=2)] == ["j1", "j2"]
    assert client.calls == [("GET", "/jobs/v2/query")]


def test_device_results_stream_page_by_page_between_job_pages():
    client = FakeClient([
        pages("GET", "/jobs/v2/query", [[job("j1"), job("j2")], [job("j3")]]),
        pages("POST", "/devices/query", [[row("d1", "j1")], [row("d2", "j1")]],
              json={"query": device_jobs_query("j1", ["failed"])}),
        pages("POST", "/devices/query", [[]], json={"query": device_jobs_query("j2", ["failed"])}),
        pages("POST", "/devices/query", [[row("d9", "j3")]], json={"query": device_jobs_query("j3", ["failed"])}),
    ])
    found = list(find_jobs(client, device_results=True, device_status=["failed"]))
    client.assert_done()
    # The second page of jobs is fetched only after the first page's device results: one page in flight.
    assert client.calls == [("GET", "/jobs/v2/query"), ("POST", "/devices/query"), ("POST", "/devices/query"),
                            ("POST", "/devices/query"), ("GET", "/jobs/v2/query"), ("POST", "/devices/query")]
    assert [[d["device_id"] for d in j["device_results"]] for j in found] == [["d1", "d2"], [], ["d9"]]


# --- the descriptor ---------------------------------------------------------------------------------------

def test_twin_request_body_sets_etag_star_and_both_sections():
    patch = {"tags": {"ring": "b"}, "desired": {"x": 1}}
    job = ScheduledJob.from_params(dict(job_id="j1", query=None, twin_patch=patch, method=None, type=None,
                                        start_time="now", max_execution_time=None), now=lambda: NOW)
    assert job.request_body() == {
        "jobId": "j1", "type": "scheduleUpdateTwin", "queryCondition": "*", "startTime": "2026-11-23T08:00:00.000Z",
        "maxExecutionTimeInSeconds": 3600,
        "updateTwin": {"etag": "*", "tags": {"ring": "b"}, "properties": {"desired": {"x": 1}}}}


def test_absent_needs_only_a_valid_job_id():
    job = ScheduledJob.from_params(dict(job_id="j1", state="absent", twin_patch=None, method=None))
    assert job.job_id == "j1" and job.type is None
    with pytest.raises(ValidationError):
        ScheduledJob.from_params(dict(job_id="j_1", state="absent"))


def test_failed_devices_are_queried_only_when_some_failed():
    job = ScheduledJob("j1")
    client = FakeClient()
    assert job.failed_devices(client, {"statistics": {"failed": 0}}) == []
    client.add(pages("POST", "/devices/query", [[row("d1", "j1")]],
                     json={"query": device_jobs_query("j1", ["failed"])}))
    assert [d["device_id"] for d in job.failed_devices(client, {"statistics": None})] == ["d1"]
    client.assert_done()


# --- through the real Client (scripted requests.Session) ----------------------------------------------------

HUB = "https://myhub.azure-devices.net"


def test_unknown_job_and_paging_through_the_real_client(make_client, scripted_http):
    client = make_client()
    scripted_http.expect("GET", HUB + "/jobs/v2/j%201?api-version=2021-04-12", status=404,
                         body={"Message": "ErrorCode:JobNotFound;Job not found"})
    scripted_http.expect("GET", HUB + "/jobs/v2/j2?api-version=2021-04-12", body={"type": "unknown",
                                                                                  "status": "unknown"})
    scripted_http.expect("GET", HUB + "/jobs/v2/query?jobType=scheduleUpdateTwin&api-version=2021-04-12",
                         absent_headers=("x-ms-continuation",), body=[job("j1")],
                         response_headers={"x-ms-continuation": "page-2"})
    scripted_http.expect("GET", HUB + "/jobs/v2/query?jobType=scheduleUpdateTwin&api-version=2021-04-12",
                         headers={"x-ms-continuation": "page-2"}, body=[job("j3")])
    assert get_job(client, "j 1") is None
    assert get_job(client, "j2") is None
    assert [j["job_id"] for j in find_jobs(client, job_type="update_twin")] == ["j1", "j3"]


def test_count_query_through_the_real_client(make_client, scripted_http):
    scripted_http.expect("POST", HUB + "/devices/query?api-version=2021-04-12",
                         json={"query": "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.a = 1"},
                         body=[{"numberOfDevices": 3}])
    assert count_devices(make_client(), "tags.a = 1") == 3


def test_unknown_entries_of_a_listing_are_skipped_with_a_warning():
    # /jobs/v2/query can list entries of type and status "unknown" (contract.md 8): they are no job.
    unknown = {"jobId": "", "type": "unknown", "status": "unknown"}
    client = FakeClient([pages("GET", "/jobs/v2/query", [[job("j1"), unknown], [unknown, job("j2")]], params=None,
                               page_size=PageSize("x-ms-max-item-count", 1000, 100))])
    warnings = []
    found = list(find_jobs(client, warn=warnings.append))
    assert [j["job_id"] for j in found] == ["j1", "j2"]
    assert warnings == ["the hub listed 2 entries of type and status 'unknown' (no job); they were skipped"]
