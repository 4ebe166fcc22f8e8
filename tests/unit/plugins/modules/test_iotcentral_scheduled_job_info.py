# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""iotcentral_scheduled_job_info main(): get one (one GET), list every page, include_runs (one paged request per
scheduled job), always a list; a bad id fails before any client exists."""

from __future__ import annotations

from ansible_collections.azure_iot.jobs.plugins.modules import iotcentral_scheduled_job_info as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

SCHEDULED_JOBS = "/scheduledJobs"
SCHEDULED = "/scheduledJobs/{job_id}"
RUNS = "/scheduledJobs/{job_id}/jobs"
CONN = {"app_url": "https://myapp.azureiotcentral.com", "api_token": "SharedAccessSignature sr=a&sig=b&skn=c&se=1"}
TEMPLATE = "dtmi:azureiotjobs:thermostat;1"


def definition(sid, **extra):
    body = {"id": sid, "displayName": sid, "group": "all-devices",
            "data": [{"type": "cloudProperty", "target": TEMPLATE, "path": "customerName", "value": "c"}],
            "schedule": {"start": "2030-01-01T02:00:00Z", "recurrence": "weekly",
                         "end": {"type": "date", "date": "2030-12-31"}},
            "enabled": True, "completed": False, "etag": '"e-%s"' % sid}
    body.update(extra)
    return body


def run(job_id, number, status="complete"):
    return {"id": job_id, "displayName": "weekly - %d" % number, "group": "all-devices", "scheduledJobId": "weekly",
            "data": [{"type": "cloudProperty", "target": TEMPLATE, "path": "customerName", "value": "c"}],
            "status": status, "progress": {"total": 3, "pending": 0, "completed": 3, "failed": 0},
            "start": "2030-01-01T02:00:01Z", "end": "2030-01-01T02:00:09Z"}


def test_get_one_is_one_get(run_module):
    client = FakeClient([expect("GET", SCHEDULED, path_params={"job_id": "weekly"}, body=definition("weekly"))])
    outcome = run_module(module, dict(CONN, job_id="weekly"), client=client)
    client.assert_done()
    assert client.calls == [("GET", SCHEDULED)]
    assert outcome.result == {"changed": False, "scheduled_jobs": [{
        "job_id": "weekly", "display_name": "weekly", "description": None, "group": "all-devices",
        "data": [{"type": "cloud_property", "target": TEMPLATE, "path": "customerName", "value": "c",
                  "template": None}],
        "batch": None, "cancellation_threshold": None, "organizations": None,
        "schedule": {"start": "2030-01-01T02:00:00Z", "recurrence": "weekly",
                     "end": {"type": "date", "date": "2030-12-31", "occurrences": None}},
        "enabled": True, "completed": False, "etag": '"e-weekly"'}]}


def test_unknown_id_is_an_empty_list(run_module):
    client = FakeClient([expect("GET", SCHEDULED, status=404)])
    outcome = run_module(module, dict(CONN, job_id="gone"), client=client)
    client.assert_done()
    assert outcome.result == {"changed": False, "scheduled_jobs": []}


def test_list_every_page(run_module):
    client = FakeClient([pages("GET", SCHEDULED_JOBS, [[definition("a"), definition("b")], [definition("c")]])])
    outcome = run_module(module, dict(CONN), client=client)
    client.assert_done()
    assert client.calls == [("GET", SCHEDULED_JOBS)] * 2
    assert [item["job_id"] for item in outcome.result["scheduled_jobs"]] == ["a", "b", "c"]
    assert all("runs" not in item for item in outcome.result["scheduled_jobs"])


def test_include_runs_lists_the_jobs_of_each(run_module):
    client = FakeClient([
        pages("GET", SCHEDULED_JOBS, [[definition("weekly"), definition("idle", completed=True)]]),
        pages("GET", RUNS, [[run("r2", 2, "running")], [run("r1", 1)]], path_params={"job_id": "weekly"}),
        pages("GET", RUNS, [[]], path_params={"job_id": "idle"}),
    ])
    outcome = run_module(module, dict(CONN, include_runs=True), client=client)
    client.assert_done()
    weekly, idle = outcome.result["scheduled_jobs"]
    assert [item["job_id"] for item in weekly["runs"]] == ["r2", "r1"]
    assert weekly["runs"][0]["status"] == "running" and weekly["runs"][0]["scheduled_job_id"] == "weekly"
    assert weekly["runs"][1]["display_name"] == "weekly - 1" and weekly["runs"][1]["progress"]["completed"] == 3
    assert idle["runs"] == [] and idle["completed"] is True


def test_get_one_with_runs(run_module):
    client = FakeClient([expect("GET", SCHEDULED, body=definition("weekly")),
                         pages("GET", RUNS, [[run("r1", 1)]], path_params={"job_id": "weekly"})])
    outcome = run_module(module, dict(CONN, job_id="weekly", include_runs=True), client=client)
    client.assert_done()
    assert client.calls == [("GET", SCHEDULED), ("GET", RUNS)]
    assert outcome.result["scheduled_jobs"][0]["runs"][0]["end_time"] == "2030-01-01T02:00:09Z"


def test_bad_id_fails_before_any_client(run_module):
    outcome = run_module(module, dict(CONN, job_id="a/b"))
    assert outcome.failed and outcome.factory_calls == []
    assert outcome.msg == "job_id may only contain US-ASCII letters, digits, '-' and '_', found '/' in 'a/b'"


def test_api_errors_carry_their_details(run_module):
    client = FakeClient([pages("GET", SCHEDULED_JOBS, [api_error(403, "Forbidden", "no access",
                                                                 path=SCHEDULED_JOBS)])])
    outcome = run_module(module, dict(CONN), client=client)
    assert outcome.failed and outcome.result["status"] == 403 and outcome.result["error_code"] == "Forbidden"
