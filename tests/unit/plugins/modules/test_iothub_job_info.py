# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._arm import job_to_ansible, rfc1123_to_iso
from ansible_collections.azure_iot.jobs.plugins.modules import iothub_job_info as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

SUBSCRIPTION = "6f1c2a4e-0b7d-4c2a-9e5f-1a2b3c4d5e6f"
HUB = "/subscriptions/%s/resourceGroups/rg-1/providers/Microsoft.Devices/IotHubs/hub-1" % SUBSCRIPTION
ARM = {"subscription_id": SUBSCRIPTION, "resource_group": "rg-1", "hub_name": "hub-1", "auth_method": "client_secret",
       "tenant_id": "t", "client_id": "c", "client_secret": "s"}
# The official spec's examples, vendored in tests/fixtures/specs (see its SOURCES.md).
EXAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "specs" / "iothub-arm" / "2023-06-30" / "examples"


def arm_client(script):
    client = FakeClient(script)
    return client


def body(job_id, status="completed", **extra):
    return dict({"jobId": job_id, "startTimeUtc": "Thu, 15 Jun 2017 19:20:58 GMT",
                 "endTimeUtc": "Thu, 15 Jun 2017 19:21:40 GMT", "type": "export", "status": status}, **extra)


def example(name):
    path = EXAMPLES / name
    if not path.is_file():
        pytest.fail("the ARM spec examples are missing: %s" % EXAMPLES)
    return json.loads(path.read_text(encoding="utf-8"))


BAD = [
    (dict(subscription_id=None), "Azure Resource Manager needs subscription_id, resource_group and hub_name "
                                 "(missing: subscription_id)"),
    (dict(hub_name=""), "Azure Resource Manager needs subscription_id, resource_group and hub_name "
                        "(missing: hub_name)"),
    (dict(job_id=" "), "job_id must not be empty"),
]


@pytest.mark.parametrize("overrides, msg", BAD, ids=[case[1][:40] for case in BAD])
def test_bad_input_fails_before_any_client_call(run_module, monkeypatch, overrides, msg):
    for name in ("AZURE_SUBSCRIPTION_ID", "AZURE_RESOURCE_GROUP", "AZURE_IOTHUB_NAME"):
        monkeypatch.delenv(name, raising=False)
    args = dict(ARM, **overrides)
    outcome = run_module(module, {k: v for k, v in args.items() if v is not None})
    assert outcome.failed and outcome.msg == msg and outcome.factory_calls == []


def test_get_job_example_projected_field_for_field(run_module):
    """iothub_getjob.json of the spec: every field of the documented response lands in the module's job."""
    ex = example("iothub_getjob.json")
    documented = ex["responses"]["200"]["body"]
    client = arm_client([expect("GET", HUB + "/jobs/{job_id}", path_params={"job_id": ex["parameters"]["jobId"]},
                                body=documented)])
    outcome = run_module(module, dict(ARM, job_id=ex["parameters"]["jobId"]), client=client, check_mode=True)
    client.assert_done()
    assert outcome.result == {"changed": False, "job_id": "test", "jobs": [{
        "job_id": documented["jobId"], "type": documented["type"], "status": documented["status"],
        "start_time": "2017-06-15T19:20:58Z", "end_time": "2017-06-15T19:20:58Z",
        "start_time_utc": documented["startTimeUtc"], "end_time_utc": documented["endTimeUtc"],
        "failure_reason": None, "status_message": None, "parent_job_id": None}]}


def test_list_jobs_example_projected_field_for_field(run_module):
    """iothub_listjobs.json of the spec, every page through nextLink."""
    documented = example("iothub_listjobs.json")["responses"]["200"]["body"]["value"]
    client = arm_client([pages("GET", HUB + "/jobs", [documented, [body("j2", "failed", failureReason="bad blob",
                                                                        statusMessage="m", parentJobId="p")]])])
    outcome = run_module(module, ARM, client=client)
    client.assert_done()
    assert client.calls == [("GET", HUB + "/jobs")] * 2
    first, second = outcome.result["jobs"]
    assert "job_id" not in outcome.result
    assert first == {"job_id": "test", "type": "unknown", "status": "unknown", "start_time": "2017-06-15T19:20:58Z",
                     "end_time": "2017-06-15T19:20:58Z", "start_time_utc": "Thu, 15 Jun 2017 19:20:58 GMT",
                     "end_time_utc": "Thu, 15 Jun 2017 19:20:58 GMT", "failure_reason": None,
                     "status_message": None, "parent_job_id": None}
    assert second["failure_reason"] == "bad blob" and second["status_message"] == "m"
    assert second["parent_job_id"] == "p" and second["end_time"] == "2017-06-15T19:21:40Z"


def test_empty_hub_is_an_empty_list(run_module):
    client = arm_client([pages("GET", HUB + "/jobs", [[]])])
    assert run_module(module, ARM, client=client).result == {"changed": False, "jobs": []}


def test_missing_job_is_an_empty_list_with_job_id(run_module):
    client = arm_client([expect("GET", HUB + "/jobs/{job_id}", raises=api_error(404, "JobNotFound"))])
    outcome = run_module(module, dict(ARM, job_id="gone"), client=client)
    assert not outcome.failed and outcome.result == {"changed": False, "job_id": "gone", "jobs": []}


@pytest.mark.parametrize("code", ["ResourceNotFound", "ResourceGroupNotFound", "SubscriptionNotFound"])
@pytest.mark.parametrize("job_id", [None, "j1"])
def test_missing_hub_fails_naming_it(run_module, code, job_id):
    if job_id:
        script = [expect("GET", HUB + "/jobs/{job_id}", raises=api_error(404, code, path=HUB + "/jobs/{job_id}"))]
    else:
        script = [pages("GET", HUB + "/jobs", [api_error(404, code, path=HUB + "/jobs")])]
    args = dict(ARM, job_id=job_id) if job_id else ARM
    outcome = run_module(module, args, client=arm_client(script))
    assert outcome.failed and outcome.result["status"] == 404 and outcome.result["error_code"] == code
    assert outcome.msg.startswith("IoT hub 'hub-1' was not found in resource group 'rg-1' of subscription '%s' ("
                                  % SUBSCRIPTION)


def test_other_errors_pass_through(run_module):
    client = arm_client([expect("GET", HUB + "/jobs/{job_id}", raises=api_error(403, "AuthorizationFailed"))])
    outcome = run_module(module, dict(ARM, job_id="j1"), client=client)
    assert outcome.failed and outcome.result["error_code"] == "AuthorizationFailed"
    assert not outcome.msg.startswith("IoT hub")


@pytest.mark.parametrize("value, expected", [
    ("Thu, 15 Jun 2017 19:20:58 GMT", "2017-06-15T19:20:58Z"),
    ("Mon, 23 Nov 2026 09:01:02 +0100", "2026-11-23T08:01:02Z"),
    (None, None), ("", None), ("2017-06-15T19:20:58Z", None), ("yesterday", None)])
def test_rfc1123_to_iso(value, expected):
    assert rfc1123_to_iso(value) == expected


def test_projection_keeps_every_key_for_a_running_job():
    job = job_to_ansible({"jobId": "j", "type": "import", "status": "running",
                          "startTimeUtc": "Thu, 15 Jun 2017 19:20:58 GMT"})
    assert job["end_time"] is None and job["end_time_utc"] is None and job["start_time"] == "2017-06-15T19:20:58Z"
    assert set(job) == {"job_id", "type", "status", "start_time", "end_time", "start_time_utc", "end_time_utc",
                        "failure_reason", "status_message", "parent_job_id"}
