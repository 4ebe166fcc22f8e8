# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""iotcentral_job main(): bad input fails before any client exists; each path makes a pinned HTTP sequence."""

from __future__ import annotations

import time

import pytest

from ansible_collections.azure_iot.jobs.plugins.modules import iotcentral_job as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

JOB = "/jobs/{job_id}"
DEVICES = "/jobs/{job_id}/devices"
STOP = "/jobs/{job_id}/stop"
RESUME = "/jobs/{job_id}/resume"
RERUN = "/jobs/{job_id}/rerun/{rerun_id}"
GROUP_DEVICES = "/deviceGroups/{group_id}/devices"
CONN = {"app_url": "https://myapp.azureiotcentral.com", "api_token": "SharedAccessSignature sr=a&sig=b&skn=c&se=1"}
TEMPLATE = "dtmi:azureiotjobs:thermostat;1"
PROPERTY = {"type": "property", "target": TEMPLATE, "path": "fwVersion", "value": "1.2.0"}
REQUEST = {"group": "thermostat-devices", "data": [{"type": "property", "target": TEMPLATE, "path": "fwVersion",
                                                    "value": "1.2.0"}],
           "batch": {"type": "percentage", "value": 20},
           "cancellationThreshold": {"type": "percentage", "value": 10, "batch": False}}


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    sleeps = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    return sleeps


def args(**overrides):
    base = dict(CONN, job_id="fw-1", group="thermostat-devices", data=[dict(PROPERTY)],
                batch={"type": "percentage", "value": 20},
                cancellation_threshold={"type": "percentage", "value": 10})
    base.update(overrides)
    return dict((k, v) for k, v in base.items() if v is not None)


def put(**answer):
    """The create request (exactly this body) and its scripted answer."""
    return expect("PUT", JOB, json=REQUEST, **answer)


def job(status="running", job_id="fw-1", **progress):
    counts = {"total": 10, "pending": 5, "completed": 5, "failed": 0}
    counts.update(progress)
    return dict(REQUEST, id=job_id, status=status, progress=counts, start="2026-11-23T09:00:00.000Z")


BAD_INPUTS = [
    (dict(job_id="x" * 256), "job_id must be at most 255 characters, got 256"),
    (dict(job_id="fw.1"), "job_id may only contain US-ASCII letters, digits, '-' and '_', found '.' in 'fw.1'"),
    (dict(group=None), "state=present needs group to create the job: group is the id of the device group the job "
                       "targets, data what it does on each device"),
    (dict(group=None, data=None), "state=present needs group and data to create the job: group is the id of the "
                                  "device group the job targets, data what it does on each device"),
    (dict(group="my group"), "group may only contain US-ASCII letters, digits, '-' and '_', found ' ' in "
                             "'my group'"),
    (dict(data=[dict(PROPERTY, value=None)]), "data[0].value is required for a property item"),
    (dict(data=[dict(PROPERTY, target=None)]), "data[0].target is required for a property item (the device "
                                               "template id)"),
    (dict(data=[dict(PROPERTY), {"type": "command", "target": TEMPLATE, "path": "reboot"}]),
     "all data items must have the same type, got command and property"),
    (dict(data=[{"type": "device_template_migration"}]),
     "data[0].template is required for a device_template_migration item (the id of the device template to "
     "migrate the devices to)"),
    (dict(data=[{"type": "device_template_migration", "template": TEMPLATE, "path": "x"}]),
     "data[0]: a device_template_migration item takes only template, not path"),
    (dict(data=[dict(PROPERTY, type="setting")]),
     "value of type must be one of: property, command, cloud_property, device_template_migration, got: setting "
     "found in data"),
    (dict(batch={"type": "percentage", "value": 150}), "batch.value is a percentage and must be at most 100, got 150"),
    (dict(cancellation_threshold={"type": "number", "value": 0}),
     "cancellation_threshold.value must be greater than 0, got 0.0"),
    (dict(organizations=["a", "b"]), "organizations takes exactly one organization id, got 2"),
    (dict(rerun="fw-1-rerun"), "rerun reruns the failed devices of the existing job 'fw-1' with its own request: "
                               "leave out group, data, batch, cancellation_threshold"),
    (dict(rerun="fw-1", group=None, data=None, batch=None, cancellation_threshold=None),
     "rerun must differ from job_id: the rerun is a new job, 'fw-1' reruns the failed devices of job 'fw-1'"),
    (dict(rerun="r1", state="stopped", group=None, data=None, batch=None, cancellation_threshold=None),
     "rerun works with state=present only, got state=stopped"),
    (dict(wait_sleep=0), "wait_sleep must be a number of seconds greater than 0, got 0"),
]


@pytest.mark.parametrize("overrides, msg", BAD_INPUTS, ids=[case[1][:50] for case in BAD_INPUTS])
def test_bad_input_fails_before_any_client_call(run_module, overrides, msg):
    outcome = run_module(module, args(**overrides))
    assert outcome.failed
    assert outcome.msg == msg
    assert outcome.factory_calls == []


def test_create_sends_the_request(run_module):
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "fw-1"}, status=404),
                         expect("PUT", JOB, path_params={"job_id": "fw-1"}, json=REQUEST, body=job("pending"))])
    outcome = run_module(module, args(), client=client, diff=True)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("PUT", JOB)]
    result = outcome.result
    assert not outcome.failed and result["changed"] is True
    assert result["job"]["status"] == "pending" and result["job"]["progress"]["total"] == 10
    assert result["job"]["data"] == [dict(PROPERTY, template=None)]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["job_id"] == "fw-1"


def test_create_migration_and_command_bodies(run_module):
    migration = {"group": "g", "data": [{"type": "deviceTemplateMigration", "template": TEMPLATE}],
                 "displayName": "Move", "organizations": ["org-1"]}
    client = FakeClient([expect("GET", JOB, status=404),
                         expect("PUT", JOB, json=migration, body=dict(migration, id="fw-1", status="pending"))])
    outcome = run_module(module, args(group="g", data=[{"type": "device_template_migration", "template": TEMPLATE}],
                                      batch=None, cancellation_threshold=None, display_name="Move",
                                      organizations=["org-1"]), client=client)
    client.assert_done()
    assert outcome.result["job"]["data"][0]["type"] == "device_template_migration"


def test_unchanged_is_one_get(run_module):
    client = FakeClient([expect("GET", JOB, body=job("complete"))])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB)]
    assert outcome.result["changed"] is False and outcome.result["job"]["status"] == "complete"


def test_conflict_shows_both_versions(run_module):
    client = FakeClient([expect("GET", JOB, body=job("running"))])
    outcome = run_module(module, args(data=[dict(PROPERTY, value="2.0.0")]), client=client, diff=True)
    assert outcome.failed and client.calls == [("GET", JOB)]
    assert outcome.msg.startswith("job 'fw-1' already exists with a different request (data differ); an IoT "
                                  "Central job cannot be changed once submitted")
    assert outcome.result["differences"] == ["data"]
    assert outcome.result["existing"]["data"][0]["value"] == "1.2.0"
    assert outcome.result["requested"]["data"][0]["value"] == "2.0.0"
    assert outcome.result["diff"] == {"before": outcome.result["existing"], "after": outcome.result["requested"]}


def test_check_mode_counts_the_group_on_every_page(run_module):
    client = FakeClient([expect("GET", JOB, status=404),
                         pages("GET", GROUP_DEVICES, [[{"id": "d1"}, {"id": "d2"}], [{"id": "d3"}]],
                               path_params={"group_id": "thermostat-devices"})])
    outcome = run_module(module, args(wait=True), client=client, check_mode=True)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("GET", GROUP_DEVICES), ("GET", GROUP_DEVICES)]
    assert outcome.result["changed"] is True and outcome.result["targeted_devices"] == 3
    assert outcome.result["job"]["status"] == "pending"
    assert outcome.result["job"]["progress"] == {"total": 3, "pending": 3, "completed": 0, "failed": 0}


def test_check_mode_unknown_group(run_module):
    client = FakeClient([expect("GET", JOB, status=404),
                         pages("GET", GROUP_DEVICES, [api_error(404, "NotFound", path=GROUP_DEVICES)])])
    outcome = run_module(module, args(), client=client, check_mode=True)
    assert outcome.failed and outcome.msg == "group 'thermostat-devices': the application has no such device group"


def test_stop_running_job(run_module):
    client = FakeClient([expect("GET", JOB, body=job("running")),
                         expect("POST", STOP, path_params={"job_id": "fw-1"}, status=204),
                         expect("GET", JOB, body=job("stopped"))])
    outcome = run_module(module, args(state="stopped"), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("POST", STOP), ("GET", JOB)]
    assert outcome.result["changed"] is True and outcome.result["job"]["status"] == "stopped"


def test_stop_check_mode_writes_nothing(run_module):
    client = FakeClient([expect("GET", JOB, body=job("pending"))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", state="stopped"), client=client, check_mode=True)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["job"]["status"] == "stopped"


def test_stop_already_stopped(run_module):
    client = FakeClient([expect("GET", JOB, body=job("stopped"))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", state="stopped"), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB)] and outcome.result["changed"] is False


def test_stop_finished_job_is_unchanged_with_a_warning_and_no_post(run_module):
    client = FakeClient([expect("GET", JOB, body=job("complete"))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", state="stopped"), client=client)
    assert not outcome.failed and outcome.result["changed"] is False and client.calls == [("GET", JOB)]
    assert outcome.warnings == ["job 'fw-1' has already ended (it is complete): nothing to stop, and IoT Central "
                                "would refuse to stop it"]


def test_stop_unknown_job(run_module):
    client = FakeClient([expect("GET", JOB, status=404)])
    outcome = run_module(module, dict(CONN, job_id="fw-1", state="stopped"), client=client)
    assert outcome.failed
    assert outcome.msg == "cannot stop job 'fw-1': the application has no such job (create it with state=present)"


def test_resume_stopped_job(run_module):
    client = FakeClient([expect("GET", JOB, body=job("stopped")),
                         expect("POST", RESUME, path_params={"job_id": "fw-1"}, status=204),
                         expect("GET", JOB, body=job("running"))])
    outcome = run_module(module, args(state="running"), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("POST", RESUME), ("GET", JOB)]
    assert outcome.result["changed"] is True and outcome.result["job"]["status"] == "running"


def test_resume_running_job_is_unchanged(run_module):
    client = FakeClient([expect("GET", JOB, body=job("running"))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", state="running"), client=client)
    assert client.calls == [("GET", JOB)] and outcome.result["changed"] is False


def test_resume_refused_when_the_application_is_busy(run_module):
    client = FakeClient([expect("GET", JOB, body=job("stopped")),
                         expect("POST", RESUME, raises=api_error(409, "TooManyRunningJobs", "5 jobs run",
                                                                 method="POST", path=RESUME))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", state="running"), client=client)
    assert outcome.failed and outcome.result["error_code"] == "TooManyRunningJobs"
    assert "runs at most 5 at the same time" in outcome.msg


def test_resume_finished_job_is_unchanged_with_a_warning(run_module):
    client = FakeClient([expect("GET", JOB, body=job("complete"))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", state="running"), client=client)
    assert not outcome.failed and outcome.result["changed"] is False and client.calls == [("GET", JOB)]
    assert outcome.warnings == ["job 'fw-1' has already ended (it is complete): nothing to resume, and IoT Central "
                                "would refuse to resume it"]


def test_resume_and_wait_on_a_cancelled_job_reports_the_cancellation(run_module):
    client = FakeClient([expect("GET", JOB, body=job("cancelled", failed=2)),
                         pages("GET", DEVICES, [[{"id": "d1", "status": "failed"}, {"id": "d2", "status": "failed"}]],
                               path_params={"job_id": "fw-1"})])
    outcome = run_module(module, dict(CONN, job_id="fw-1", state="running", wait=True), client=client)
    assert outcome.failed and outcome.result["changed"] is False
    assert outcome.msg == ("job 'fw-1' was cancelled: its cancellation threshold (10% of the job) stopped it after 2 "
                           "of 10 devices failed (5 completed, 5 still pending); see device_results")
    assert outcome.result["device_results"] == [{"device_id": "d1", "status": "failed"},
                                                {"device_id": "d2", "status": "failed"}]


def test_rerun_failed_devices(run_module):
    rerun = dict(job("pending", job_id="fw-1-r1"), progress={"total": 2, "pending": 2, "completed": 0, "failed": 0})
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "fw-1-r1"}, status=404),
                         expect("GET", JOB, path_params={"job_id": "fw-1"}, body=job("complete", failed=2)),
                         expect("PUT", RERUN, path_params={"job_id": "fw-1", "rerun_id": "fw-1-r1"}, json=None,
                                body=rerun)])
    outcome = run_module(module, dict(CONN, job_id="fw-1", rerun="fw-1-r1"), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("GET", JOB), ("PUT", RERUN)]
    assert outcome.result["changed"] is True and outcome.result["job"]["job_id"] == "fw-1-r1"


def test_rerun_check_mode_predicts_the_failed_devices(run_module):
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "fw-1-r1"}, status=404),
                         expect("GET", JOB, path_params={"job_id": "fw-1"}, body=job("cancelled", failed=3))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", rerun="fw-1-r1"), client=client, check_mode=True)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["targeted_devices"] == 3
    assert outcome.result["job"]["job_id"] == "fw-1-r1" and outcome.result["job"]["status"] == "pending"


def test_rerun_existing_is_unchanged(run_module):
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "fw-1-r1"}, body=job("complete", "fw-1-r1"))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", rerun="fw-1-r1"), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB)]
    assert outcome.result["changed"] is False and outcome.result["job"]["job_id"] == "fw-1-r1"


def test_rerun_of_a_running_job_is_refused(run_module):
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "fw-1-r1"}, status=404),
                         expect("GET", JOB, path_params={"job_id": "fw-1"}, body=job("running"))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", rerun="fw-1-r1"), client=client)
    assert outcome.failed and len(client.calls) == 2
    assert outcome.msg == ("cannot rerun job 'fw-1': it is running; IoT Central reruns only a complete, failed or "
                           "cancelled job")


def test_rerun_without_failed_devices_is_unchanged(run_module):
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "fw-1-r1"}, status=404),
                         expect("GET", JOB, path_params={"job_id": "fw-1"}, body=job("complete", failed=0))])
    outcome = run_module(module, dict(CONN, job_id="fw-1", rerun="fw-1-r1"), client=client)
    assert outcome.result["changed"] is False
    assert outcome.warnings == ["job 'fw-1' has no failed devices: nothing to rerun"]


def test_wait_until_complete(run_module, no_sleep):
    done = job("complete", pending=0, completed=10)
    client = FakeClient([expect("GET", JOB, status=404), put(body=job("pending")),
                         expect("GET", JOB, body=job("running")), expect("GET", JOB, body=done)])
    outcome = run_module(module, args(wait=True, wait_sleep=2), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("PUT", JOB), ("GET", JOB), ("GET", JOB)]
    assert not outcome.failed and outcome.result["device_results"] == []
    assert [h["status"] for h in outcome.result["status_history"]] == ["pending", "running", "complete"]
    assert no_sleep == [2, 2] and "elapsed" in outcome.result


def test_wait_with_device_failures(run_module):
    done = job("complete", pending=0, completed=9, failed=1)
    client = FakeClient([expect("GET", JOB, status=404), put(body=done),
                         pages("GET", DEVICES, [[{"id": "d7", "status": "failed"}]], path_params={"job_id": "fw-1"})])
    outcome = run_module(module, args(wait=True), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg.startswith("job 'fw-1' completed, but 1 of 10 devices failed (9 succeeded)")
    assert outcome.result["device_results"] == [{"device_id": "d7", "status": "failed"}]


def test_wait_ends_in_threshold_cancellation(run_module):
    cancelled = job("cancelled", pending=7, completed=0, failed=3)
    rows = [{"id": "d%d" % n, "status": "failed"} for n in range(3)]
    client = FakeClient([expect("GET", JOB, status=404), put(body=job("pending")),
                         expect("GET", JOB, body=cancelled), pages("GET", DEVICES, [rows[:2], rows[2:]])])
    outcome = run_module(module, args(wait=True), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg == ("job 'fw-1' was cancelled: its cancellation threshold (10% of the job) stopped it after 3 "
                           "of 10 devices failed (0 completed, 7 still pending); see device_results")
    assert [r["device_id"] for r in outcome.result["device_results"]] == ["d0", "d1", "d2"]
    assert outcome.result["job"]["status"] == "cancelled" and outcome.result["changed"] is True


def test_wait_on_a_stopped_job_fails_at_once(run_module):
    client = FakeClient([expect("GET", JOB, body=job("stopped"))])
    outcome = run_module(module, args(wait=True), client=client)
    assert outcome.failed and client.calls == [("GET", JOB)]
    assert outcome.msg == "job 'fw-1' is stopped and will not end until it is resumed (state=running)"


def test_create_busy(run_module):
    client = FakeClient([expect("GET", JOB, status=404),
                         put(raises=api_error(409, "TooManyRunningJobs", "5 jobs", method="PUT", path=JOB))])
    outcome = run_module(module, args(), client=client)
    assert outcome.failed and "runs at most 5 at the same time" in outcome.msg


def test_create_conflict_after_retry_compares(run_module):
    client = FakeClient([expect("GET", JOB, status=404),
                         put(raises=api_error(409, "Conflict", "exists", method="PUT", path=JOB,
                                              after_ambiguous_attempt=True)),
                         expect("GET", JOB, body=job("pending"))])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert outcome.result["changed"] is True


# --- exactly once: stop, resume and rerun whose answers were lost (issue 14) -----------------------------------

def refused_after_retry(path):
    return api_error(409, "InvalidJobState", "Job 'fw-1' is stopped", method="POST", path=path,
                     after_ambiguous_attempt=True)


@pytest.mark.parametrize("state, path, before, after", [
    ("stopped", STOP, "running", "stopped"),
    ("running", RESUME, "stopped", "running"),
])
def test_a_stop_or_resume_refused_after_its_own_lost_answer_succeeds(run_module, state, path, before, after):
    client = FakeClient([expect("GET", JOB, body=job(before)),
                         expect("POST", path, path_params={"job_id": "fw-1"}, raises=refused_after_retry(path)),
                         expect("GET", JOB, body=job(after)), expect("GET", JOB, body=job(after))])
    outcome = run_module(module, args(state=state), client=client)
    client.assert_done()
    assert client.calls == [("GET", JOB), ("POST", path), ("GET", JOB), ("GET", JOB)]
    assert client.requests[1]["idempotent"] is True
    assert not outcome.failed and outcome.result["changed"] is True and outcome.result["job"]["status"] == after


def test_a_stop_whose_every_answer_was_lost_is_settled_by_reading_the_job(run_module):
    lost = api_error(504, "GatewayTimeout", method="POST", path=STOP)
    client = FakeClient([expect("GET", JOB, body=job("running")),
                         expect("POST", STOP, path_params={"job_id": "fw-1"}, raises=lost),
                         expect("GET", JOB, body=job("stopped")), expect("GET", JOB, body=job("stopped"))])
    outcome = run_module(module, args(state="stopped"), client=client)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["job"]["status"] == "stopped"


def test_a_stop_refused_at_once_because_another_run_stopped_it_is_no_change(run_module):
    refused = api_error(409, "InvalidJobState", "stopped", method="POST", path=STOP)
    client = FakeClient([expect("GET", JOB, body=job("running")),
                         expect("POST", STOP, path_params={"job_id": "fw-1"}, raises=refused),
                         expect("GET", JOB, body=job("stopped")), expect("GET", JOB, body=job("stopped"))])
    outcome = run_module(module, args(state="stopped"), client=client)
    client.assert_done()
    assert not outcome.failed and outcome.result["changed"] is False


def test_a_stop_refused_because_the_job_ended_meanwhile_fails_as_refused(run_module):
    refused = api_error(409, "InvalidJobState", "complete", method="POST", path=STOP)
    client = FakeClient([expect("GET", JOB, body=job("running")),
                         expect("POST", STOP, path_params={"job_id": "fw-1"}, raises=refused),
                         expect("GET", JOB, body=job("complete"))])
    outcome = run_module(module, args(state="stopped"), client=client)
    client.assert_done()
    assert outcome.failed and outcome.msg.startswith("cannot stop job 'fw-1': it is complete; IoT Central stops only")


@pytest.mark.parametrize("answer, changed", [
    (api_error(409, "Conflict", "exists", method="PUT", path=RERUN, after_ambiguous_attempt=True), True),
    (api_error(504, "GatewayTimeout", method="PUT", path=RERUN), True),
    (api_error(409, "Conflict", "exists", method="PUT", path=RERUN), False),  # another run started it
])
def test_a_rerun_whose_answer_was_lost_is_found(run_module, answer, changed):
    rerun = dict(job("pending", job_id="fw-1-r1"), progress={"total": 2, "pending": 2, "completed": 0, "failed": 0})
    client = FakeClient([expect("GET", JOB, path_params={"job_id": "fw-1-r1"}, status=404),
                         expect("GET", JOB, path_params={"job_id": "fw-1"}, body=job("complete", failed=2)),
                         expect("PUT", RERUN, path_params={"job_id": "fw-1", "rerun_id": "fw-1-r1"}, raises=answer),
                         expect("GET", JOB, path_params={"job_id": "fw-1-r1"}, body=rerun)])
    outcome = run_module(module, dict(CONN, job_id="fw-1", rerun="fw-1-r1"), client=client)
    client.assert_done()
    assert not outcome.failed and outcome.result["changed"] is changed
    assert outcome.result["job"]["job_id"] == "fw-1-r1"
