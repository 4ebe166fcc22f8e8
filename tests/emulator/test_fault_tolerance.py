# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault tolerance: the real modules, run the way Ansible runs them (a Python process reading an arguments file),
against the emulator's fault injection (emulator/README.md, "Control API").

Each scenario checks the three things issue 8 asks for: the server ends in the right state with no duplicate job
(the emulator's job list and its request log), the retries are visible as warnings in the result, and a clear failure
(status, error code, request id, method and path) when the retry budget runs out.
"""

from __future__ import annotations

import re

import pytest

from module_runs import (
    DROPPED,
    ONE_DEVICE,
    central_args,
    export_args,
    fault,
    hub_args,
    hub_jobs,
    retry_warnings,
    statuses,
    warning_texts,
)


# ------------------------------------------------------------------------------------------------ throttling

@pytest.mark.parametrize("status, retry_after, count, code, delay", [
    (429, 0.3, 2, "ThrottlingException", r"0\.3"),  # Retry-After honoured as given
    (429, None, 1, "ThrottlingException", r"1\.0"),  # no Retry-After (as IoT Hub answers): back-off, 1 s floor
    (503, None, 2, "ServiceUnavailable", r"(0\.[1-9]|1\.0|1\.[0-9]|2\.0)"),  # jittered back-off, 0.1 s floor
])
def test_throttled_or_unavailable_create_is_retried_once_per_answer(
        emulator, run, status, retry_after, count, code, delay):
    fault(emulator, "PUT /jobs/v2/{id}", status=status, retry_after=retry_after, count=count)
    result = run("iothub_scheduled_job", hub_args(emulator, "throttled"))
    assert not result.get("failed") and result["changed"] and result["job"]["job_id"] == "throttled"
    warnings = retry_warnings(result, "PUT /jobs/v2/{job_id}")
    assert len(warnings) == count
    for number, text in enumerate(warnings, 1):
        assert re.fullmatch(r"PUT /jobs/v2/\{job_id\}: HTTP %d %s; retrying in %s s \(retry %d of 5\)"
                            % (status, code, delay, number), text), text
    assert statuses(emulator, "PUT /jobs/v2/{id}") == [status] * count + [200]
    assert len(hub_jobs(emulator, "throttled")) == 1


def test_throttling_that_outlasts_max_retries_fails_with_the_whole_story(emulator, run):
    fault(emulator, "PUT /jobs/v2/{id}", status=429, retry_after=0.1)  # no count: every attempt
    result = run("iothub_scheduled_job", hub_args(emulator, "exhausted", max_retries=2))
    assert result["failed"] and not result.get("changed")
    assert (result["status"], result["error_code"], result["method"], result["path"]) == (
        429, "ThrottlingException", "PUT", "/jobs/v2/{job_id}")
    assert result["request_id"]
    assert re.fullmatch(r"PUT /jobs/v2/\{job_id\} failed: HTTP 429 ThrottlingException: Injected fault: "
                        r"ThrottlingException\. \(request id %s\) \(gave up after 3 attempts in \d+\.\d s\)"
                        % re.escape(result["request_id"]), result["msg"]), result["msg"]
    assert len(retry_warnings(result, "PUT /jobs/v2/{job_id}")) == 2
    assert statuses(emulator, "PUT /jobs/v2/{id}") == [429, 429, 429]
    assert hub_jobs(emulator, "exhausted") == []


def test_500_on_get_is_retried_and_a_500_on_create_is_settled_by_reading_the_jobs(emulator, run):
    fault(emulator, "GET /jobs/v2/{id}", status=500, count=1)
    result = run("iothub_scheduled_job", hub_args(emulator, "get500"))
    assert result["changed"] and not result.get("failed")
    (warning,) = retry_warnings(result, "GET /jobs/v2/{job_id}")
    assert warning.startswith("GET /jobs/v2/{job_id}: HTTP 500 ServerError; retrying in ")
    assert statuses(emulator, "GET /jobs/v2/{id}") == [500, 200]
    assert len(hub_jobs(emulator, "get500")) == 1

    # An import/export job has a server-chosen id: a POST repeated blind after a 500 could start a second job. The
    # module lists the hub's jobs instead; this 500 came before the hub started anything, so it creates it again.
    fault(emulator, "POST /jobs/create", status=500, count=1)
    result = run("iothub_import_export_job", export_args(emulator))
    assert not result.get("failed") and result["changed"] and not retry_warnings(result, "POST /jobs/create")
    (warning,) = [text for text in warning_texts(result) if "the answer to the create was lost" in text]
    assert warning.startswith("import/export job: the answer to the create was lost (POST /jobs/create failed: "
                              "HTTP 500 ServerError")
    assert warning.endswith("and the service holds no job it started: creating it again (1 of 2)")
    assert statuses(emulator, "POST /jobs/create") == [500, 200]
    assert [job["jobId"] for job in emulator.hub("GET", "/jobs").json()] == [result["job_id"]]


# ------------------------------------------------------------------------------------------------ lost answers

@pytest.mark.parametrize("rule, first", [
    ({"drop": True}, None),  # the connection closes after the job was created
    ({"status": 503}, 503),  # the answer is replaced by a 503
])
def test_a_retried_put_whose_first_attempt_created_the_job_converges_on_409(emulator, run, rule, first):
    fault(emulator, "PUT /jobs/v2/{id}", when="after", count=1, **rule)
    result = run("iothub_scheduled_job", hub_args(emulator, "lost-answer"))
    assert not result.get("failed") and result["changed"]
    assert result["job"]["job_id"] == "lost-answer" and result["job"]["twin_patch"]["tags"] == {"fault": "lost-answer"}
    assert len(retry_warnings(result, "PUT /jobs/v2/{job_id}")) == 1
    # The second PUT met the job the first one made (409 JobAlreadyExists); a GET showed it is the same request.
    assert statuses(emulator, "PUT /jobs/v2/{id}") == [first, 409]
    assert statuses(emulator, "GET /jobs/v2/{id}") == [200, 200]
    assert len(hub_jobs(emulator, "lost-answer")) == 1
    # And the next run is unchanged, with one GET.
    emulator.control("DELETE", "requests")
    again = run("iothub_scheduled_job", hub_args(emulator, "lost-answer"))
    assert not again["changed"] and not warning_texts(again)
    assert emulator.control("GET", "requests") == {"GET /jobs/v2/{id}": 1}


def test_a_dropped_get_is_retried(emulator, run):
    fault(emulator, "GET /jobs/v2/{id}", drop=True, count=1)
    result = run("iothub_scheduled_job", hub_args(emulator, "dropped-get"))
    assert result["changed"] and not result.get("failed")
    (warning,) = retry_warnings(result, "GET /jobs/v2/{job_id}")
    assert re.fullmatch(r"GET /jobs/v2/\{job_id\}: Connection to %s failed during GET /jobs/v2/\{job_id\} %s; "
                        r"retrying in \d\.\d s \(retry 1 of 5\)" % (re.escape(emulator.url), DROPPED), warning), warning
    assert statuses(emulator, "GET /jobs/v2/{id}") == [None, 200]
    assert len(hub_jobs(emulator, "dropped-get")) == 1


def test_iot_central_retried_put_converges_on_409_conflict(emulator, run):
    fault(emulator, "PUT /api/jobs/{id}", drop=True, when="after", count=1)
    result = run("iotcentral_job", central_args(emulator, "central-lost"))
    assert not result.get("failed") and result["changed"] and result["job"]["job_id"] == "central-lost"
    assert len(retry_warnings(result, "PUT /jobs/{job_id}")) == 1
    assert statuses(emulator, "PUT /api/jobs/{id}") == [None, 409]
    listed = emulator.session.get(emulator.env["AZURE_IOTCENTRAL_APP_URL"] + "/api/jobs",
                                  params={"api-version": "2022-07-31"}, verify=emulator.ca,
                                  headers={"Authorization": emulator.env["AZURE_IOTCENTRAL_API_TOKEN"]}).json()
    assert [job["id"] for job in listed["value"]] == ["central-lost"]


def test_a_lost_answer_to_a_post_is_not_repeated_and_the_job_it_started_is_adopted(emulator, run):
    emulator.configure(time_scale=0.1)  # the export stays active (enqueued) while the task runs again
    fault(emulator, "POST /jobs/create", drop=True, when="after", count=1)
    result = run("iothub_import_export_job", export_args(emulator))
    assert not result.get("failed") and result["changed"] and not retry_warnings(result, "POST /jobs/create")
    (created,) = emulator.hub("GET", "/jobs").json()
    assert result["job_id"] == created["jobId"]
    # Running the task again finds the same job active and starts none.
    again = run("iothub_import_export_job", export_args(emulator))
    assert not again.get("failed") and not again["changed"] and again["job_id"] == created["jobId"]
    assert [job["jobId"] for job in emulator.hub("GET", "/jobs").json()] == [created["jobId"]]
    assert statuses(emulator, "POST /jobs/create") == [None]


def test_arm_throttling_is_retried_with_entra_auth(emulator, run):
    env = emulator.env
    arm_jobs = "GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Devices/IotHubs/{hub}/jobs"
    fault(emulator, arm_jobs, status=429, retry_after=0.2, count=1)
    result = run("iothub_job_info", dict(
        subscription_id=env["AZURE_SUBSCRIPTION_ID"], resource_group=env["AZURE_RESOURCE_GROUP"],
        hub_name=env["AZURE_IOTHUB_NAME"], arm_endpoint=env["AZURE_ARM_ENDPOINT"], auth_method="client_secret",
        tenant_id=env["AZURE_TENANT_ID"], client_id=env["AZURE_CLIENT_ID"], client_secret=env["AZURE_CLIENT_SECRET"],
        authority_host=env["AZURE_AUTHORITY_HOST"], ca_path=emulator.ca))
    assert not result.get("failed") and result["jobs"] == []
    (warning,) = warning_texts(result)
    assert re.fullmatch(r"GET /subscriptions/.+/IotHubs/.+/jobs: HTTP 429 TooManyRequests; retrying in 0\.2 s "
                        r"\(retry 1 of 5\)", warning), warning
    assert statuses(emulator, arm_jobs) == [429, 200]


# ------------------------------------------------------------------------------------------------ slow answers

def test_a_get_slower_than_the_timeout_is_retried(emulator, run):
    fault(emulator, "GET /jobs/v2/{id}", latency=2.0, count=1)
    result = run("iothub_scheduled_job", hub_args(emulator, "slow-get", timeout=1))
    assert result["changed"] and not result.get("failed")
    (warning,) = retry_warnings(result, "GET /jobs/v2/{job_id}")
    assert warning.startswith("GET /jobs/v2/{job_id}: Request to GET /jobs/v2/{job_id} timed out after 1 s; "
                              "retrying in ")
    assert len(hub_jobs(emulator, "slow-get")) == 1


def test_a_put_slower_than_the_timeout_creates_one_job(emulator, run):
    # The emulator still creates the job after the delay: whichever PUT lands second meets a 409.
    fault(emulator, "PUT /jobs/v2/{id}", latency=2.0, count=1)
    result = run("iothub_scheduled_job", hub_args(emulator, "slow-put", timeout=1))
    assert not result.get("failed") and result["changed"] and result["job"]["job_id"] == "slow-put"
    assert len(retry_warnings(result, "PUT /jobs/v2/{job_id}")) >= 1
    assert len(hub_jobs(emulator, "slow-put")) == 1


def test_timeouts_that_outlast_max_retries_fail_clearly(emulator, run):
    fault(emulator, "GET /jobs/v2/{id}", latency=2.0)
    result = run("iothub_scheduled_job", hub_args(emulator, "slow-always", timeout=1, max_retries=1))
    assert result["failed"] and (result["method"], result["path"]) == ("GET", "/jobs/v2/{job_id}")
    assert re.fullmatch(r"Request to GET /jobs/v2/\{job_id\} timed out after 1 s \(gave up after 2 attempts in "
                        r"\d+\.\d s\)", result["msg"]), result["msg"]
    assert len(retry_warnings(result, "GET /jobs/v2/{job_id}")) == 1
    emulator.control("DELETE", "faults")
    assert hub_jobs(emulator, "slow-always") == []


# ------------------------------------------------------------------------------------------------ full job queue

def block_the_only_slot(emulator, seconds_ahead):
    """One job holding the hub's only job slot until it starts (emulated seconds, 50 times faster) and ends."""
    emulator.configure(max_active_jobs=1)
    body = emulator.twin_job(query=ONE_DEVICE, tags={"blocker": "yes"}, start=emulator.iso_now(seconds_ahead))
    assert emulator.put_job("blocker", body).status_code == 200


def test_a_full_job_queue_fails_at_once_without_queue_when_busy(emulator, run):
    block_the_only_slot(emulator, 3600)
    result = run("iothub_scheduled_job", hub_args(emulator, "waiting"))
    assert result["failed"] and not result.get("changed")
    assert (result["status"], result["error_code"]) == (429, "ThrottlingMaxActiveJobCountExceeded")
    assert result["msg"].startswith("cannot create job 'waiting': the hub's concurrent-job limit is reached (PUT "
                                    "/jobs/v2/{job_id} failed: HTTP 429 ThrottlingMaxActiveJobCountExceeded")
    assert result["msg"].endswith("set queue_when_busy: true to wait for a free job slot within wait_timeout, or run "
                                  "the job later")
    assert statuses(emulator, "PUT /jobs/v2/{id}") == [200, 429]  # the blocker, then one attempt: no client retry
    assert hub_jobs(emulator, "waiting") == []


def test_queue_when_busy_waits_for_the_slot_and_creates_the_job_once(emulator, run):
    block_the_only_slot(emulator, 60)  # starts 1.2 s from now, then ends
    result = run("iothub_scheduled_job", hub_args(emulator, "queued-behind", queue_when_busy=True, wait_sleep=1,
                                                  wait_timeout=30))
    assert not result.get("failed") and result["changed"]
    waits = [text for text in warning_texts(result) if text.startswith("job 'queued-behind': no free job slot")]
    assert waits and all("(queue_when_busy, " in text for text in waits)
    assert statuses(emulator, "PUT /jobs/v2/{id}")[-1] == 200
    assert len(hub_jobs(emulator, "queued-behind")) == 1


def test_queue_when_busy_gives_up_at_wait_timeout(emulator, run):
    block_the_only_slot(emulator, 3600)
    result = run("iothub_scheduled_job", hub_args(emulator, "never-free", queue_when_busy=True, wait_sleep=1,
                                                  wait_timeout=2))
    assert result["failed"] and result["error_code"] == "ThrottlingMaxActiveJobCountExceeded"
    assert result["msg"] == ("job 'never-free': no free job slot within wait_timeout (2 s); the hub's concurrent-job "
                             "limit is still reached")
    assert warning_texts(result)
    assert hub_jobs(emulator, "never-free") == []
