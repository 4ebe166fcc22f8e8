# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_client requests as sent: URLs, api-version, headers, bodies; and both paging styles to the end."""

from __future__ import annotations

import re

import pytest
import requests

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError

HUB = "https://myhub.azure-devices.net"
APP = "https://myapp.azureiotcentral.com/api"


def test_path_params_are_quoted_and_api_version_added(make_client, scripted_http):
    scripted_http.expect("GET", HUB + "/jobs/v2/a%20b%2Fc%3F?api-version=2021-04-12", body={})
    make_client().get("/jobs/v2/{job_id}", path_params={"job_id": "a b/c?"})


def test_query_params_come_before_api_version(make_client, scripted_http):
    scripted_http.expect("GET", HUB + "/jobs/v2/query?jobType=scheduleUpdateTwin&jobStatus=completed&flag=true"
                                      "&api-version=2021-04-12", body=[])
    make_client().get("/jobs/v2/query", params={"jobType": "scheduleUpdateTwin", "jobStatus": "completed",
                                                "skipped": None, "flag": True})


def test_no_api_version_when_the_client_has_none(make_client, scripted_http):
    scripted_http.expect("GET", HUB + "/jobs", body=[])
    make_client(api_version=None).get("/jobs")


def test_headers_sent_with_and_without_a_body(make_client, scripted_http):
    user_agent = "azure_iot.jobs/1.0.0 python-requests/%s" % requests.__version__
    scripted_http.expect("PUT", HUB + "/jobs/v2/j1?api-version=2021-04-12", json={"jobId": "j1"}, headers={
        "Accept": "application/json",
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": user_agent,
        "Authorization": "SharedAccessSignature sr=myhub&sig=SIGVALUE&se=1&skn=p",
    }, body={"jobId": "j1"})
    scripted_http.expect("POST", HUB + "/jobs/v2/j1/cancel?api-version=2021-04-12", json=None,
                         headers={"Accept": "application/json", "User-Agent": user_agent},
                         absent_headers=("Content-Type",), body={})
    client = make_client()
    client.put("/jobs/v2/{job_id}", path_params={"job_id": "j1"}, json={"jobId": "j1"})
    client.post("/jobs/v2/{job_id}/cancel", path_params={"job_id": "j1"})


def test_transport_options_reach_the_session(make_client, scripted_http):
    scripted_http.expect("GET", HUB + "/jobs?api-version=2021-04-12", body=[])
    make_client(timeout=12, ca_path="/etc/ca.pem").get("/jobs")
    call = scripted_http.calls[0]
    assert (call["timeout"], call["verify"], call["allow_redirects"]) == (12.0, "/etc/ca.pem", False)


def test_response_fields(make_client, scripted_http):
    scripted_http.expect("GET", HUB + "/jobs?api-version=2021-04-12", body=[{"jobId": "j1"}],
                         response_headers={"X-MS-Request-Id": "rid-1", "Content-Type": "application/json"})
    response = make_client().get("/jobs")
    assert (response.status, response.body, response.request_id) == (200, [{"jobId": "j1"}], "rid-1")
    assert response.headers["content-type"] == "application/json"


# ------------------------------------------------------------------------------------------ x-ms-continuation


def test_iter_continuation_follows_the_header_to_the_end(make_client, scripted_http):
    url = HUB + "/jobs/v2/query?jobType=scheduleDeviceMethod&api-version=2021-04-12"
    scripted_http.expect("GET", url, headers={"x-ms-max-item-count": "2"}, absent_headers=("x-ms-continuation",),
                         body=[{"jobId": "a"}, {"jobId": "b"}], response_headers={"x-ms-continuation": "tok-1"})
    scripted_http.expect("GET", url, headers={"x-ms-max-item-count": "2", "x-ms-continuation": "tok-1"},
                         body=[{"jobId": "c"}, {"jobId": "d"}], response_headers={"x-ms-continuation": "tok-2"})
    scripted_http.expect("GET", url, headers={"x-ms-continuation": "tok-2"}, body=[{"jobId": "e"}])
    items = make_client().iter_continuation("GET", "/jobs/v2/query", params={"jobType": "scheduleDeviceMethod"},
                                            page_size=2)
    assert [item["jobId"] for item in items] == ["a", "b", "c", "d", "e"]


def test_iter_continuation_posts_the_query_on_every_page(make_client, scripted_http):
    url = HUB + "/devices/query?api-version=2021-04-12"
    query = {"query": "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1'"}
    scripted_http.expect("POST", url, json=query, absent_headers=("x-ms-max-item-count", "x-ms-continuation"),
                         body=[{"deviceId": "d1"}], response_headers={"x-ms-continuation": "next"})
    scripted_http.expect("POST", url, json=query, headers={"x-ms-continuation": "next"}, body=[])
    assert list(make_client().iter_continuation("POST", "/devices/query", json=query)) == [{"deviceId": "d1"}]


def test_iter_continuation_retries_a_post_query_on_500(make_client, scripted_http):
    url = HUB + "/devices/query?api-version=2021-04-12"
    scripted_http.expect("POST", url, status=500)
    scripted_http.expect("POST", url, body=[{"deviceId": "d1"}])
    assert list(make_client().iter_continuation("POST", "/devices/query", json={"query": "q"})) == [{"deviceId": "d1"}]


def test_iter_continuation_rejects_a_body_that_is_not_a_list(make_client, scripted_http):
    scripted_http.expect("GET", HUB + "/jobs/v2/query?api-version=2021-04-12", body={"unexpected": True})
    with pytest.raises(ApiError) as caught:
        list(make_client().iter_continuation("GET", "/jobs/v2/query"))
    assert caught.value.msg == "GET /jobs/v2/query failed: HTTP 200 UnexpectedResponse: the page is not a JSON array"


def test_iter_continuation_stops_a_repeated_token(make_client, scripted_http):
    url = HUB + "/jobs/v2/query?api-version=2021-04-12"
    scripted_http.expect("GET", url, body=[1], response_headers={"x-ms-continuation": "same"})
    scripted_http.expect("GET", url, body=[2], response_headers={"x-ms-continuation": "same"})
    with pytest.raises(ApiError, match="PagingLoop"):
        list(make_client().iter_continuation("GET", "/jobs/v2/query"))


# ------------------------------------------------------------------------------------------ nextLink


def test_iter_next_link_follows_absolute_links_without_duplicating_api_version(make_client, scripted_http):
    scripted_http.expect("GET", APP + "/jobs?api-version=2022-07-31",
                         body={"value": [{"id": "j1"}, {"id": "j2"}],
                               "nextLink": APP + "/jobs?api-version=2022-07-31&$skiptoken=abc"})
    scripted_http.expect("GET", APP + "/jobs?api-version=2022-07-31&$skiptoken=abc",
                         body={"value": [{"id": "j3"}], "nextLink": APP + "/jobs?$skiptoken=def"})
    scripted_http.expect("GET", APP + "/jobs?$skiptoken=def&api-version=2022-07-31", body={"value": []})
    client = make_client(base_url=APP, api_version="2022-07-31")
    assert [job["id"] for job in client.iter_next_link("/jobs")] == ["j1", "j2", "j3"]


def test_iter_next_link_with_path_params_and_another_item_key(make_client, scripted_http):
    scripted_http.expect("GET", APP + "/jobs/j%201/devices?api-version=2022-07-31",
                         body={"devices": [{"id": "d1"}]})
    client = make_client(base_url=APP, api_version="2022-07-31")
    assert list(client.iter_next_link("/jobs/{job_id}/devices", path_params={"job_id": "j 1"},
                                      item_key="devices")) == [{"id": "d1"}]


def test_iter_next_link_never_sends_credentials_to_another_host(make_client, scripted_http):
    scripted_http.expect("GET", APP + "/jobs?api-version=2022-07-31",
                         body={"value": [{"id": "j1"}], "nextLink": "https://evil.example.com/api/jobs?page=2"})
    client = make_client(base_url=APP, api_version="2022-07-31")
    items = client.iter_next_link("/jobs")
    assert next(items) == {"id": "j1"}
    with pytest.raises(ApiError) as caught:
        next(items)
    assert re.search(r"nextLink points to https://evil\.example\.com, not to https://myapp\.azureiotcentral\.com",
                     caught.value.msg)


def test_iter_next_link_reports_errors_with_the_template(make_client, scripted_http):
    scripted_http.expect("GET", APP + "/jobs?api-version=2022-07-31",
                         body={"value": [], "nextLink": APP + "/jobs?$skiptoken=x&api-version=2022-07-31"})
    scripted_http.expect("GET", APP + "/jobs?$skiptoken=x&api-version=2022-07-31", status=403, reason="Forbidden",
                         body={"error": {"code": "Forbidden", "message": "no", "requestId": "r1"}})
    with pytest.raises(ApiError) as caught:
        list(make_client(base_url=APP, api_version="2022-07-31").iter_next_link("/jobs"))
    assert caught.value.msg == "GET /jobs failed: HTTP 403 Forbidden: no (request id r1)"
