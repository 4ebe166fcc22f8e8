# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_client retries: which answers are retried, how long it waits, when it gives up, what it says."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.azure_iot.jobs.plugins.module_utils._client import retry_after_seconds
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, TransportError

JOB = "https://myhub.azure-devices.net/jobs/v2/j1?api-version=2021-04-12"
CANCEL = "https://myhub.azure-devices.net/jobs/v2/j1/cancel?api-version=2021-04-12"
CREATE = "https://myhub.azure-devices.net/jobs/create?api-version=2021-04-12"
THROTTLED = {"Message": "ErrorCode:ThrottlingException;429",
             "ExceptionMessage": "Tracking ID:9659f77467c24bcf8a717f07e5a8e449-TimeStamp:02/05/2018 11:41:56"}
QUEUE_FULL = {"Message": "ErrorCode:ThrottlingMaxActiveJobCountExceeded;429",
              "ExceptionMessage": "Tracking ID:9659f77467c24bcf8a717f07e5a8e449-TimeStamp:02/05/2018 11:41:56"}


def refused():
    exc = requests.exceptions.ConnectionError("HTTPSConnectionPool(host='myhub.azure-devices.net', port=443)")
    exc.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return exc


def test_retry_after_seconds_is_honoured(make_client, scripted_http, fake_time, warnings_seen):
    scripted_http.expect("PUT", JOB, json={"jobId": "j1"}, status=429, body=THROTTLED,
                         response_headers={"Retry-After": "7"}, reason="Too Many Requests")
    scripted_http.expect("PUT", JOB, json={"jobId": "j1"}, body={"jobId": "j1", "status": "queued"})
    response = make_client().put("/jobs/v2/{job_id}", path_params={"job_id": "j1"}, json={"jobId": "j1"})
    assert response.body == {"jobId": "j1", "status": "queued"}
    assert fake_time.sleeps == [7.0]
    assert warnings_seen == [
        "PUT /jobs/v2/{job_id}: HTTP 429 ThrottlingException; retrying in 7.0 s (retry 1 of 5)"]


@pytest.mark.parametrize("code, status", [("ThrottlingMaxActiveJobCountExceeded", 429), ("JobQuotaExceeded", 403)])
def test_a_full_job_queue_is_not_retried_by_the_client(make_client, scripted_http, fake_time, warnings_seen,
                                                       code, status):
    body = dict(QUEUE_FULL, Message="ErrorCode:%s;%d" % (code, status))
    scripted_http.expect("PUT", JOB, json={"jobId": "j1"}, status=status, body=body,
                         response_headers={"Retry-After": "7"}, reason="Too Many Requests")
    with pytest.raises(ApiError) as caught:
        make_client().put("/jobs/v2/{job_id}", path_params={"job_id": "j1"}, json={"jobId": "j1"})
    assert caught.value.code == code
    assert fake_time.sleeps == []
    assert warnings_seen == []


def test_retry_after_http_date_is_measured_against_the_date_header(
        make_client, scripted_http, fake_time, warnings_seen):
    scripted_http.expect("GET", JOB, status=503, response_headers={
        "Retry-After": "Wed, 21 Oct 2015 07:28:12 GMT", "Date": "Wed, 21 Oct 2015 07:28:00 GMT"})
    scripted_http.expect("GET", JOB, body={"jobId": "j1"})
    make_client().get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert fake_time.sleeps == [12.0]
    assert warnings_seen == ["GET /jobs/v2/{job_id}: HTTP 503; retrying in 12.0 s (retry 1 of 5)"]


@pytest.mark.parametrize("value, expected", [
    ("0", 0.0),
    ("2.5", 2.5),
    ("-3", 0.0),
    ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
    ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # already past
    ("soon", None),
])
def test_retry_after_parsing(value, expected):
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert retry_after_seconds({"retry-after": value}, now=now) == expected


def test_retry_after_absent():
    assert retry_after_seconds({}) is None


def test_429_without_retry_after_uses_jittered_backoff_with_a_floor(make_client, scripted_http, fake_time):
    for _attempt in range(4):
        scripted_http.expect("GET", JOB, status=429, body=THROTTLED)
    scripted_http.expect("GET", JOB, body={})
    draws = iter([0.5, 0.25, 0.5, 0.9])
    make_client(rand=lambda: next(draws)).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    # Ceilings 1, 2, 4, 8 s times the draws; 429 never waits less than 1 s.
    assert fake_time.sleeps == [1.0, 1.0, 2.0, 7.2]


def test_backoff_is_capped_at_60_seconds(make_client, scripted_http, fake_time):
    for _attempt in range(8):
        scripted_http.expect("GET", JOB, status=503)
    scripted_http.expect("GET", JOB, body={})
    make_client(rand=lambda: 1.0, max_retries=8, retry_budget=1000).get(
        "/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


@pytest.mark.parametrize("status", [503, 504])
def test_503_and_504_are_retried_for_an_idempotent_post(make_client, scripted_http, fake_time, status):
    scripted_http.expect("POST", CANCEL, status=status)
    scripted_http.expect("POST", CANCEL, body={"status": "cancelled"})
    response = make_client().post("/jobs/v2/{job_id}/cancel", path_params={"job_id": "j1"}, idempotent=True)
    assert response.body == {"status": "cancelled"}
    assert response.after_ambiguous_attempt is True  # the first attempt may have cancelled it already
    assert fake_time.sleeps == [0.5]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_post_that_must_not_run_twice_is_never_repeated_after_a_5xx(make_client, scripted_http, warnings_seen,
                                                                      status):
    # The service may have started the job before the answer went wrong: the caller reads its state instead.
    scripted_http.expect("POST", CREATE, status=status)
    with pytest.raises(ApiError) as caught:
        make_client().post("/jobs/create", json={"type": "export"})
    assert caught.value.ambiguous and not caught.value.after_ambiguous_attempt
    assert warnings_seen == []


def test_a_post_that_must_not_run_twice_is_repeated_after_429(make_client, scripted_http, fake_time):
    scripted_http.expect("POST", CREATE, status=429)
    scripted_http.expect("POST", CREATE, body={"jobId": "j"})
    assert make_client().post("/jobs/create", json={"type": "export"}).after_ambiguous_attempt is False
    assert fake_time.sleeps == [1.0]


def test_a_409_after_a_lost_answer_says_an_earlier_attempt_may_have_made_it(make_client, scripted_http):
    scripted_http.expect("PUT", JOB, status=504)
    scripted_http.expect("PUT", JOB, status=409, body={"Message": "ErrorCode:JobAlreadyExists;exists"})
    with pytest.raises(ApiError) as caught:
        make_client().put("/jobs/v2/{job_id}", path_params={"job_id": "j1"}, json={})
    assert (caught.value.status, caught.value.after_ambiguous_attempt, caught.value.ambiguous) == (409, True, False)


def test_a_409_to_the_first_attempt_is_someone_elses(make_client, scripted_http):
    scripted_http.expect("PUT", JOB, status=409, body={"Message": "ErrorCode:JobAlreadyExists;exists"})
    with pytest.raises(ApiError) as caught:
        make_client().put("/jobs/v2/{job_id}", path_params={"job_id": "j1"}, json={})
    assert caught.value.after_ambiguous_attempt is False


def test_a_429_before_the_409_is_not_ambiguous(make_client, scripted_http):
    scripted_http.expect("PUT", JOB, status=429)
    scripted_http.expect("PUT", JOB, status=409, body={"Message": "ErrorCode:JobAlreadyExists;exists"})
    with pytest.raises(ApiError) as caught:
        make_client().put("/jobs/v2/{job_id}", path_params={"job_id": "j1"}, json={})
    assert caught.value.after_ambiguous_attempt is False


def test_a_dropped_connection_after_sending_is_ambiguous(make_client, scripted_http):
    reset = requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer"))
    scripted_http.expect("DELETE", "https://myhub.azure-devices.net/jobs/x?api-version=2021-04-12", raises=reset)
    scripted_http.expect("DELETE", "https://myhub.azure-devices.net/jobs/x?api-version=2021-04-12", status=404)
    # The first DELETE went through: the 404 of the retry is this request's own doing, not "already gone".
    response = make_client().delete_if_exists("/jobs/{job_id}", path_params={"job_id": "x"})
    assert response is not None and response.status == 404 and response.after_ambiguous_attempt


def test_a_404_to_the_first_delete_means_already_gone(make_client, scripted_http):
    scripted_http.expect("DELETE", "https://myhub.azure-devices.net/jobs/x?api-version=2021-04-12", status=404)
    assert make_client().delete_if_exists("/jobs/{job_id}", path_params={"job_id": "x"}) is None


@pytest.mark.parametrize("rand, sleeps", [(0.0, [10.0, 10.0, 10.0]), (1.0, [10.0, 20.0, 40.0]),
                                          (0.5, [10.0, 15.0, 25.0])])
def test_429_that_says_how_long_to_wait_backs_off_from_there(make_client, scripted_http, fake_time, rand, sleeps):
    # IoT Hub's 429 has no Retry-After; its message says "Wait 10 seconds and try again" (contract.md section 7).
    busy = {"Message": "ErrorCode:ThrottlingException;Wait 10 seconds and try again."}
    for _attempt in range(3):
        scripted_http.expect("GET", JOB, status=429, body=busy)
    scripted_http.expect("GET", JOB, body={})
    make_client(rand=lambda: rand).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert fake_time.sleeps == sleeps


def test_post_is_not_retried_on_500(make_client, scripted_http, warnings_seen):
    scripted_http.expect("POST", CANCEL, status=500, reason="Internal Server Error")
    with pytest.raises(ApiError) as caught:
        make_client().post("/jobs/v2/{job_id}/cancel", path_params={"job_id": "j1"})
    assert caught.value.msg == "POST /jobs/v2/{job_id}/cancel failed: HTTP 500: Internal Server Error"
    assert warnings_seen == []


def test_post_marked_idempotent_is_retried_on_500(make_client, scripted_http):
    scripted_http.expect("POST", CANCEL, status=500)
    scripted_http.expect("POST", CANCEL, body={})
    make_client().post("/jobs/v2/{job_id}/cancel", path_params={"job_id": "j1"}, idempotent=True)


@pytest.mark.parametrize("status", [500, 502])
def test_get_is_retried_on_500_and_502(make_client, scripted_http, warnings_seen, status):
    scripted_http.expect("GET", JOB, status=status)
    scripted_http.expect("GET", JOB, body={"jobId": "j1"})
    assert make_client().get("/jobs/v2/{job_id}", path_params={"job_id": "j1"}).body == {"jobId": "j1"}
    assert warnings_seen == ["GET /jobs/v2/{job_id}: HTTP %d; retrying in 0.5 s (retry 1 of 5)" % status]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412])
def test_client_errors_are_not_retried(make_client, scripted_http, status):
    scripted_http.expect("GET", JOB, status=status)
    with pytest.raises(ApiError) as caught:
        make_client().get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.status == status


def test_gives_up_after_max_retries(make_client, scripted_http, fake_time, warnings_seen):
    for _attempt in range(3):
        scripted_http.expect("GET", JOB, status=503, reason="Service Unavailable")
    with pytest.raises(ApiError) as caught:
        make_client(max_retries=2).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg == ("GET /jobs/v2/{job_id} failed: HTTP 503: Service Unavailable "
                                "(gave up after 3 attempts in 1.5 s)")
    assert fake_time.sleeps == [0.5, 1.0]
    assert warnings_seen == [
        "GET /jobs/v2/{job_id}: HTTP 503; retrying in 0.5 s (retry 1 of 2)",
        "GET /jobs/v2/{job_id}: HTTP 503; retrying in 1.0 s (retry 2 of 2)",
    ]


def test_gives_up_when_the_next_delay_exceeds_the_budget(make_client, scripted_http, fake_time, warnings_seen):
    scripted_http.expect("GET", JOB, status=429, body=THROTTLED, response_headers={"Retry-After": "5"},
                         reason="Too Many Requests")
    scripted_http.expect("GET", JOB, status=429, body=THROTTLED, response_headers={"Retry-After": "30"},
                         reason="Too Many Requests")
    with pytest.raises(ApiError) as caught:
        make_client(retry_budget=20).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg == (
        "GET /jobs/v2/{job_id} failed: HTTP 429 ThrottlingException: Too Many Requests "
        "(request id 9659f77467c24bcf8a717f07e5a8e449) (gave up after 2 attempts in 5.0 s: the next retry in 30.0 s "
        "would exceed the retry budget of 20 s)")
    assert fake_time.sleeps == [5.0]
    assert len(warnings_seen) == 1


def test_max_retries_zero_raises_the_first_error_as_it_is(make_client, scripted_http, warnings_seen):
    scripted_http.expect("GET", JOB, status=503, reason="Service Unavailable")
    with pytest.raises(ApiError) as caught:
        make_client(max_retries=0).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg == "GET /jobs/v2/{job_id} failed: HTTP 503: Service Unavailable"
    assert warnings_seen == []


def test_every_attempt_asks_the_auth_for_fresh_headers(make_client, scripted_http, rotating_auth):
    auth = rotating_auth
    scripted_http.expect("GET", JOB, status=503, headers={"Authorization": "Bearer t1"})
    scripted_http.expect("GET", JOB, headers={"Authorization": "Bearer t2"}, body={})
    make_client(auth=auth).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})


def test_connection_refused_is_retried_even_for_post(make_client, scripted_http, warnings_seen):
    scripted_http.expect("POST", CANCEL, raises=refused())
    scripted_http.expect("POST", CANCEL, body={})
    make_client().post("/jobs/v2/{job_id}/cancel", path_params={"job_id": "j1"})
    assert warnings_seen == [
        "POST /jobs/v2/{job_id}/cancel: Cannot connect to https://myhub.azure-devices.net (connection refused); "
        "retrying in 0.5 s (retry 1 of 5)"]


def test_connection_refused_gives_up_with_a_count(make_client, scripted_http):
    for _attempt in range(2):
        scripted_http.expect("GET", JOB, raises=refused())
    with pytest.raises(TransportError) as caught:
        make_client(max_retries=1).get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg == ("Cannot connect to https://myhub.azure-devices.net (connection refused) "
                                "(gave up after 2 attempts in 0.5 s)")


def test_read_timeout_is_retried_for_get(make_client, scripted_http, warnings_seen):
    scripted_http.expect("GET", JOB, raises=requests.exceptions.ReadTimeout("read timed out"))
    scripted_http.expect("GET", JOB, body={})
    make_client().get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert warnings_seen == ["GET /jobs/v2/{job_id}: Request to GET /jobs/v2/{job_id} timed out after 30 s; "
                             "retrying in 0.5 s (retry 1 of 5)"]


def test_read_timeout_is_not_retried_for_post(make_client, scripted_http, warnings_seen):
    scripted_http.expect("POST", CANCEL, raises=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(TransportError) as caught:
        make_client(timeout=12.5).post("/jobs/v2/{job_id}/cancel", path_params={"job_id": "j1"})
    assert caught.value.msg == "Request to POST /jobs/v2/{job_id}/cancel timed out after 12.5 s"
    assert warnings_seen == []


def test_connection_reset_is_retried_only_when_idempotent(make_client, scripted_http):
    reset = requests.exceptions.ConnectionError("Connection aborted.")
    reset.__context__ = ConnectionResetError(104, "Connection reset by peer")
    scripted_http.expect("POST", CANCEL, raises=reset)
    with pytest.raises(TransportError) as caught:
        make_client().post("/jobs/v2/{job_id}/cancel", path_params={"job_id": "j1"})
    assert caught.value.msg == ("Connection to https://myhub.azure-devices.net failed during POST "
                                "/jobs/v2/{job_id}/cancel (connection reset by peer)")
