# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The largest documented page on the wire, and the one fallback when a service refuses it (issue 19)."""

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import LIST_PAGE, find_jobs as central_jobs
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import QUERY_PAGE, iter_device_results

HUB = "https://myhub.azure-devices.net"
APP = "https://myapp.azureiotcentral.com/api"
QUERY_URL = HUB + "/devices/query?api-version=2021-04-12"
SQL = {"query": "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1'"}
HEADER_REFUSED = {"Message": "ErrorCode:ArgumentInvalid;x-ms-max-item-count must be at most 100, got '1000'.",
                  "ExceptionMessage": "Tracking ID:abc-G:1-TimeStamp:01/01/2026 00:00:00"}
PARAM_REFUSED = {"error": {"code": "InvalidParameter", "message": "maxpagesize must be an integer from 1 to 50, "
                                                                  "got '100'.", "requestId": "r1"}}


def row(device):
    return {"deviceId": device, "jobId": "j1", "status": "completed"}


def test_the_documented_maxima():
    assert (QUERY_PAGE.name, QUERY_PAGE.largest, QUERY_PAGE.fallback) == ("x-ms-max-item-count", 1000, 100)
    assert (LIST_PAGE.name, LIST_PAGE.largest, LIST_PAGE.fallback) == ("maxpagesize", 100, None)
    assert QUERY_PAGE.at_most(20) == type(QUERY_PAGE)("x-ms-max-item-count", 20, 20)
    assert QUERY_PAGE.at_most(500).fallback == 100


def test_device_results_ask_for_1000_rows_on_every_page(make_client, scripted_http, warnings_seen):
    scripted_http.expect("POST", QUERY_URL, json=SQL, headers={"x-ms-max-item-count": "1000"},
                         absent_headers=("x-ms-continuation",), body=[row("d1")],
                         response_headers={"x-ms-continuation": "t1"})
    scripted_http.expect("POST", QUERY_URL, json=SQL,
                         headers={"x-ms-max-item-count": "1000", "x-ms-continuation": "t1"}, body=[row("d2")])
    rows = list(iter_device_results(make_client(), "j1"))
    assert [r["device_id"] for r in rows] == ["d1", "d2"]
    assert warnings_seen == []


def test_a_refused_page_size_falls_back_once_for_the_rest_of_the_run(make_client, scripted_http, warnings_seen):
    scripted_http.expect("POST", QUERY_URL, headers={"x-ms-max-item-count": "1000"}, status=400,
                         body=HEADER_REFUSED, response_headers={"iothub-errorcode": "ArgumentInvalid"})
    scripted_http.expect("POST", QUERY_URL, headers={"x-ms-max-item-count": "100"},
                         absent_headers=("x-ms-continuation",), body=[row("d1")],
                         response_headers={"x-ms-continuation": "t1"})
    scripted_http.expect("POST", QUERY_URL, headers={"x-ms-max-item-count": "100", "x-ms-continuation": "t1"},
                         body=[row("d2")])
    # A second listing of the same run starts with the fallback: no second refusal.
    scripted_http.expect("POST", QUERY_URL, headers={"x-ms-max-item-count": "100"}, body=[row("d3")])
    client = make_client()
    assert [r["device_id"] for r in iter_device_results(client, "j1")] == ["d1", "d2"]
    assert [r["device_id"] for r in iter_device_results(client, "j1")] == ["d3"]
    assert warnings_seen == ["the service refused x-ms-max-item-count=1000 (HTTP 400 ArgumentInvalid); asking for "
                             "100 a page for the rest of this run"]


def test_a_refusal_of_the_fallback_is_raised(make_client, scripted_http):
    for size in ("1000", "100"):
        scripted_http.expect("POST", QUERY_URL, headers={"x-ms-max-item-count": size}, status=400,
                             body=HEADER_REFUSED)
    with pytest.raises(ApiError) as caught:
        list(iter_device_results(make_client(), "j1"))
    assert caught.value.status == 400 and caught.value.code == "ArgumentInvalid"


@pytest.mark.parametrize("body", [
    {"Message": "ErrorCode:BadRequest;the query is not valid"},
    {"Message": "ErrorCode:ArgumentInvalid;x-ms-max-item-count must be at most 100"},
])
def test_other_errors_are_not_a_page_size_refusal(make_client, scripted_http, body):
    # Only a 400 that names the size is a refusal; a 500 naming it is an ordinary (retried, then raised) error.
    status = 400 if "BadRequest" in body["Message"] else 500
    scripted_http.expect("POST", QUERY_URL, status=status, body=body)
    with pytest.raises(ApiError):
        list(iter_device_results(make_client(max_retries=0), "j1"))


def test_central_lists_ask_for_100_a_page_and_keep_the_next_link(make_client, scripted_http, warnings_seen):
    devices = APP + "/jobs/j1/devices"
    scripted_http.expect("GET", APP + "/jobs/j1?api-version=2022-07-31", body={"id": "j1", "status": "complete"})
    scripted_http.expect("GET", devices + "?maxpagesize=100&api-version=2022-07-31",
                         body={"value": [{"id": "d1", "status": "completed"}],
                               "nextLink": devices + "?maxpagesize=100&api-version=2022-07-31&$skiptoken=1"})
    scripted_http.expect("GET", devices + "?maxpagesize=100&api-version=2022-07-31&$skiptoken=1",
                         body={"value": [{"id": "d2", "status": "failed"}]})
    client = make_client(base_url=APP, api_version="2022-07-31")
    jobs = central_jobs(client, job_id="j1", include_devices=True)
    assert jobs[0]["devices"] == [{"device_id": "d1", "status": "completed"}, {"device_id": "d2", "status": "failed"}]
    assert warnings_seen == []


def test_central_drops_a_refused_maxpagesize_for_the_rest_of_the_run(make_client, scripted_http, warnings_seen):
    jobs_url = APP + "/jobs"
    scripted_http.expect("GET", jobs_url + "?maxpagesize=100&api-version=2022-07-31", status=400, body=PARAM_REFUSED)
    scripted_http.expect("GET", jobs_url + "?api-version=2022-07-31",
                         body={"value": [{"id": "j1"}], "nextLink": jobs_url + "?maxpagesize=100&$skiptoken=1"})
    # A next link that still carries the refused size loses it.
    scripted_http.expect("GET", jobs_url + "?$skiptoken=1&api-version=2022-07-31", body={"value": [{"id": "j2"}]})
    client = make_client(base_url=APP, api_version="2022-07-31")
    assert [job["job_id"] for job in central_jobs(client)] == ["j1", "j2"]
    assert warnings_seen == ["the service refused maxpagesize=100 (HTTP 400 InvalidParameter); using its default "
                             "page size for the rest of this run"]
