# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""iotcentral_scheduled_job main(): bad input fails before any client exists; create, unchanged, update, delete and
check mode each make a pinned HTTP sequence; an update is one merge-patch PATCH of what differs."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.azure_iot.jobs.plugins.modules import iotcentral_scheduled_job as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect

SCHEDULED = "/scheduledJobs/{job_id}"
ID = {"job_id": "nightly"}
# The update is sent as the CLI sends it: application/json, each option whole, no nulls in the schedule (issue 16).
WHOLE = {"Content-Type": "application/json"}
CONN = {"app_url": "https://myapp.azureiotcentral.com", "api_token": "SharedAccessSignature sr=a&sig=b&skn=c&se=1"}
TEMPLATE = "dtmi:azureiotjobs:thermostat;1"
REBOOT = {"type": "command", "target": TEMPLATE, "path": "reboot"}
SCHEDULE = {"start": "2030-01-01T02:00:00Z", "recurrence": "daily", "end": {"type": "occurrences", "occurrences": 30}}
BODY = {"displayName": "Nightly", "group": "thermostat-devices", "data": [dict(REBOOT)],
        "schedule": {"start": "2030-01-01T02:00:00Z", "recurrence": "daily",
                     "end": {"type": "occurrences", "occurrences": 30}},
        "enabled": True}


def args(**overrides):
    base = dict(CONN, job_id="nightly", display_name="Nightly", group="thermostat-devices", data=[dict(REBOOT)],
                schedule=copy.deepcopy(SCHEDULE))
    base.update(overrides)
    return dict((k, v) for k, v in base.items() if v is not None)


def server(**changes):
    """The scheduled job as the application answers it."""
    body = dict(copy.deepcopy(BODY), id="nightly", completed=False, etag='"e1"')
    body.update(changes)
    return body


def schedule(**changes):
    value = copy.deepcopy(SCHEDULE)
    value.update(changes)
    return value


START_RULE = ("schedule.start must be an ISO 8601 date and time such as 2030-01-31T08:00:00Z (no zone means UTC), "
              "got '%s'")

BAD_INPUTS = [
    (dict(job_id="night ly"), "job_id may only contain US-ASCII letters, digits, '-' and '_', found ' ' in "
                              "'night ly'"),
    (dict(schedule=schedule(start="tomorrow")), START_RULE % "tomorrow"),
    (dict(schedule=schedule(start="2030-01-01")), START_RULE % "2030-01-01"),
    (dict(schedule=schedule(start="2030-02-30T02:00:00Z")), START_RULE % "2030-02-30T02:00:00Z"),
    (dict(schedule=schedule(recurrence="yearly")),
     "value of recurrence must be one of: daily, weekly, monthly, got: yearly found in schedule"),
    (dict(schedule={"start": "2030-01-01T02:00:00Z", "end": {"type": "occurrences", "occurrences": 3}}),
     "schedule.end needs schedule.recurrence: a schedule without recurrence runs once, at schedule.start, and has "
     "nothing to end"),
    (dict(schedule=schedule(end={"type": "occurrences"})),
     "schedule.end.occurrences is required with end.type=occurrences (how many times the job runs, 1 to 999)"),
    (dict(schedule=schedule(end={"type": "occurrences", "occurrences": 0})),
     "schedule.end.occurrences must be from 1 to 999, got 0"),
    (dict(schedule=schedule(end={"type": "occurrences", "occurrences": 1000})),
     "schedule.end.occurrences must be from 1 to 999, got 1000"),
    (dict(schedule=schedule(end={"type": "occurrences", "occurrences": 3, "date": "2030-12-31"})),
     "schedule.end.date is only for end.type=date, not with end.type=occurrences"),
    (dict(schedule=schedule(end={"type": "date"})),
     "schedule.end.date is required with end.type=date (the last day the schedule may run, YYYY-MM-DD)"),
    (dict(schedule=schedule(end={"type": "date", "date": "2030-12-31", "occurrences": 3})),
     "schedule.end.occurrences is only for end.type=occurrences, not with end.type=date"),
    (dict(schedule=schedule(end={"type": "date", "date": "2030-13-01"})),
     "schedule.end.date must be a date as YYYY-MM-DD, got '2030-13-01'"),
    (dict(schedule=schedule(end={"type": "date", "date": "2030-12-31T00:00:00Z"})),
     "schedule.end.date must be a date as YYYY-MM-DD, got '2030-12-31T00:00:00Z'"),
    (dict(schedule=schedule(end={"type": "date", "date": "2029-12-31"})),
     "schedule.end.date 2029-12-31 is before the day of schedule.start (2030-01-01): the schedule would never run"),
    (dict(schedule=schedule(end={"type": "never"})),
     "value of type must be one of: date, occurrences, got: never found in schedule -> end"),
    (dict(schedule={"recurrence": "daily"}), "missing required arguments: start found in schedule"),
    (dict(data=[{"type": "property", "target": TEMPLATE, "path": "fwVersion"}]),
     "data[0].value is required for a property item"),
    (dict(data=[]), "data must hold at least one item (what the job does on each device)"),
    (dict(group="my group"), "group may only contain US-ASCII letters, digits, '-' and '_', found ' ' in "
                             "'my group'"),
    (dict(batch={"type": "percentage", "value": 150}), "batch.value is a percentage and must be at most 100, got 150"),
    (dict(organizations=["a", "b"]), "organizations takes exactly one organization id, got 2"),
]


@pytest.mark.parametrize("overrides, msg", BAD_INPUTS, ids=[case[1][:60] for case in BAD_INPUTS])
def test_bad_input_fails_before_any_client_call(run_module, overrides, msg):
    outcome = run_module(module, args(**overrides))
    assert outcome.failed
    assert outcome.msg == msg
    assert outcome.factory_calls == []


# -- create ------------------------------------------------------------------------------------------------------

def test_create_sends_the_whole_definition_enabled(run_module):
    client = FakeClient([expect("GET", SCHEDULED, path_params=ID, status=404),
                         expect("PUT", SCHEDULED, path_params=ID, json=BODY, body=server())])
    outcome = run_module(module, args(), client=client, diff=True)
    client.assert_done()
    assert client.calls == [("GET", SCHEDULED), ("PUT", SCHEDULED)]
    result = outcome.result
    assert not outcome.failed and result["changed"] is True
    assert result["scheduled_job"] == {
        "job_id": "nightly", "display_name": "Nightly", "description": None, "group": "thermostat-devices",
        "data": [dict(REBOOT, value=None, template=None)], "batch": None, "cancellation_threshold": None,
        "organizations": None,
        "schedule": {"start": "2030-01-01T02:00:00Z", "recurrence": "daily",
                     "end": {"type": "occurrences", "date": None, "occurrences": 30}},
        "enabled": True, "completed": False, "etag": '"e1"'}
    assert result["diff"] == {"before": {}, "after": result["scheduled_job"]}
    assert "differences" not in result


def test_create_once_disabled_with_every_job_option(run_module):
    """A one-off schedule (no recurrence, no end), the start converted to UTC, the job options as iotcentral_job
    sends them."""
    sent = {"group": "thermostat-devices", "data": [{"type": "property", "target": TEMPLATE, "path": "fwVersion",
                                                     "value": "1.3.0"}],
            "description": "d", "batch": {"type": "percentage", "value": 25},
            "cancellationThreshold": {"type": "number", "value": 5, "batch": True}, "organizations": ["org-1"],
            "schedule": {"start": "2030-01-06T02:00:00.250Z"}, "enabled": False}
    client = FakeClient([expect("GET", SCHEDULED, status=404),
                         expect("PUT", SCHEDULED, json=sent, body=dict(sent, id="nightly", completed=False))])
    outcome = run_module(module, args(
        display_name=None, data=[{"type": "property", "target": TEMPLATE, "path": "fwVersion", "value": "1.3.0"}],
        description="d", batch={"type": "percentage", "value": 25},
        cancellation_threshold={"type": "number", "value": 5, "batch": True}, organizations=["org-1"],
        enabled=False, schedule={"start": "2030-01-06 03:00:00.25+01:00"}), client=client)
    client.assert_done()
    job = outcome.result["scheduled_job"]
    assert job["enabled"] is False and job["schedule"] == {"start": "2030-01-06T02:00:00.250Z", "recurrence": None,
                                                           "end": None}
    assert job["cancellation_threshold"] == {"type": "number", "value": 5, "batch": True}


def test_create_end_date(run_module):
    sent = dict(copy.deepcopy(BODY), schedule={"start": "2030-01-01T02:00:00Z", "recurrence": "monthly",
                                               "end": {"type": "date", "date": "2030-01-01"}})
    client = FakeClient([expect("GET", SCHEDULED, status=404), expect("PUT", SCHEDULED, json=sent, body=server())])
    run_module(module, args(schedule=schedule(recurrence="monthly", end={"type": "date", "date": "2030-01-01"})),
               client=client)
    client.assert_done()


def test_create_answer_without_body_reads_the_job_back(run_module):
    client = FakeClient([expect("GET", SCHEDULED, status=404), expect("PUT", SCHEDULED, json=BODY, body=None),
                         expect("GET", SCHEDULED, body=server(etag='"e2"'))])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert outcome.result["scheduled_job"]["etag"] == '"e2"'


def test_create_check_mode_writes_nothing(run_module):
    client = FakeClient([expect("GET", SCHEDULED, status=404)])
    outcome = run_module(module, args(), client=client, check_mode=True, diff=True)
    client.assert_done()
    result = outcome.result
    assert result["changed"] is True and client.calls == [("GET", SCHEDULED)]
    assert result["scheduled_job"]["job_id"] == "nightly" and result["scheduled_job"]["enabled"] is True
    assert result["scheduled_job"]["completed"] is False and result["scheduled_job"]["etag"] is None
    assert result["diff"]["before"] == {}


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_needs_group_data_and_schedule(run_module, check_mode):
    client = FakeClient([expect("GET", SCHEDULED, status=404)])
    outcome = run_module(module, dict(CONN, job_id="nightly", enabled=True, group="g"), client=client,
                         check_mode=check_mode)
    client.assert_done()
    assert outcome.failed and client.calls == [("GET", SCHEDULED)]
    assert outcome.msg == ("scheduled job 'nightly' does not exist; to create it, give group, data and schedule "
                           "(missing: data, schedule)")


def test_create_warns_about_a_past_one_off_start(run_module):
    sent = dict(BODY, schedule={"start": "2020-01-01T00:00:00Z"})
    client = FakeClient([expect("GET", SCHEDULED, status=404), expect("PUT", SCHEDULED, json=sent, body=server())])
    outcome = run_module(module, args(schedule={"start": "2020-01-01T00:00:00Z"}), client=client)
    client.assert_done()
    assert outcome.warnings == ["scheduled job 'nightly': schedule.start 2020-01-01T00:00:00Z is in the past and the "
                                "schedule has no recurrence, so it will not run"]


# -- unchanged ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("check_mode", [False, True])
def test_unchanged_is_one_get(run_module, check_mode):
    """The same instant in another spelling, data items in the projection's shape: no change."""
    answered = server(schedule={"start": "2030-01-01T02:00:00.000Z", "recurrence": "daily",
                                "end": {"type": "occurrences", "occurrences": 30}},
                      data=[dict(REBOOT, value=None)])
    client = FakeClient([expect("GET", SCHEDULED, path_params=ID, body=answered)])
    outcome = run_module(module, args(enabled=True, schedule=schedule(start="2030-01-01T03:00:00+01:00")),
                         client=client, check_mode=check_mode, diff=True)
    client.assert_done()
    assert client.calls == [("GET", SCHEDULED)]
    assert outcome.result["changed"] is False and "diff" not in outcome.result
    assert outcome.result["scheduled_job"]["schedule"]["start"] == "2030-01-01T02:00:00.000Z"


def test_only_enabled_given_is_one_get_when_equal(run_module):
    client = FakeClient([expect("GET", SCHEDULED, body=server())])
    outcome = run_module(module, dict(CONN, job_id="nightly", enabled=True), client=client)
    client.assert_done()
    assert outcome.result["changed"] is False


# -- update ------------------------------------------------------------------------------------------------------

def patch_call(patch, answer):
    return expect("PATCH", SCHEDULED, path_params=ID, json=patch, body=answer)


def test_disable_is_a_patch_of_enabled_only(run_module):
    client = FakeClient([expect("GET", SCHEDULED, body=server()),
                         patch_call({"enabled": False}, server(enabled=False, etag='"e2"'))])
    outcome = run_module(module, dict(CONN, job_id="nightly", enabled=False), client=client, diff=True)
    client.assert_done()
    assert client.calls == [("GET", SCHEDULED), ("PATCH", SCHEDULED)]
    request = client.requests[1]
    assert request["headers"] == WHOLE and request["idempotent"] is True
    result = outcome.result
    assert result["changed"] is True and result["differences"] == ["enabled"]
    assert result["scheduled_job"]["enabled"] is False and result["scheduled_job"]["etag"] == '"e2"'
    assert result["diff"]["before"]["enabled"] is True and result["diff"]["after"]["enabled"] is False


def test_schedule_change_sends_the_whole_schedule_without_nulls(run_module):
    """daily/occurrences -> weekly/date: the whole new schedule replaces the old one, with no null inside."""
    wanted = schedule(recurrence="weekly", end={"type": "date", "date": "2030-12-31"})
    patch = {"schedule": {"start": "2030-01-01T02:00:00Z", "recurrence": "weekly",
                          "end": {"type": "date", "date": "2030-12-31"}}}
    answer = server(schedule={"start": "2030-01-01T02:00:00Z", "recurrence": "weekly",
                              "end": {"type": "date", "date": "2030-12-31"}})
    client = FakeClient([expect("GET", SCHEDULED, body=server()), patch_call(patch, answer)])
    outcome = run_module(module, args(schedule=wanted), client=client)
    client.assert_done()
    assert outcome.result["differences"] == ["schedule"]
    assert outcome.result["scheduled_job"]["schedule"]["end"] == {"type": "date", "date": "2030-12-31",
                                                                  "occurrences": None}


def test_schedule_without_recurrence_and_end_removes_them(run_module):
    patch = {"schedule": {"start": "2030-02-01T00:00:00Z"}}
    client = FakeClient([expect("GET", SCHEDULED, body=server()),
                         patch_call(patch, server(schedule={"start": "2030-02-01T00:00:00Z"}))])
    outcome = run_module(module, dict(CONN, job_id="nightly", schedule={"start": "2030-02-01T00:00:00Z"}),
                         client=client)
    client.assert_done()
    assert outcome.result["scheduled_job"]["schedule"] == {"start": "2030-02-01T00:00:00Z", "recurrence": None,
                                                           "end": None}


def test_job_options_patch_only_what_differs(run_module):
    data = [{"type": "command", "target": TEMPLATE, "path": "settings.reboot", "value": {"delay": 5}}]
    patch = {"displayName": "Nightly v2", "data": data, "batch": {"type": "number", "value": 10}}
    client = FakeClient([expect("GET", SCHEDULED, body=server()),
                         patch_call(patch, server(displayName="Nightly v2", data=data, batch=patch["batch"]))])
    outcome = run_module(module, args(display_name="Nightly v2", data=[dict(data[0])],
                                      batch={"type": "number", "value": 10}), client=client)
    client.assert_done()
    assert outcome.result["differences"] == ["display_name", "data", "batch"]


def test_group_change(run_module):
    client = FakeClient([expect("GET", SCHEDULED, body=server()),
                         patch_call({"group": "all-devices"}, server(group="all-devices"))])
    outcome = run_module(module, dict(CONN, job_id="nightly", group="all-devices"), client=client)
    client.assert_done()
    assert outcome.result["scheduled_job"]["group"] == "all-devices"


def test_update_check_mode_predicts_without_writing(run_module):
    client = FakeClient([expect("GET", SCHEDULED, body=server())])
    outcome = run_module(module, args(enabled=False, schedule=schedule(recurrence="weekly")), client=client,
                         check_mode=True, diff=True)
    client.assert_done()
    result = outcome.result
    assert client.calls == [("GET", SCHEDULED)]
    assert result["changed"] is True and result["differences"] == ["schedule", "enabled"]
    assert result["scheduled_job"]["enabled"] is False
    assert result["scheduled_job"]["schedule"]["recurrence"] == "weekly"
    assert result["scheduled_job"]["etag"] == '"e1"'
    assert result["diff"]["before"]["schedule"]["recurrence"] == "daily"


def test_update_answer_without_body_reads_the_job_back(run_module):
    client = FakeClient([expect("GET", SCHEDULED, body=server()), patch_call({"enabled": False}, None),
                         expect("GET", SCHEDULED, body=server(enabled=False))])
    outcome = run_module(module, dict(CONN, job_id="nightly", enabled=False), client=client)
    client.assert_done()
    assert outcome.result["scheduled_job"]["enabled"] is False


def test_update_while_a_run_is_active_is_explained(run_module):
    refused = api_error(409, "JobInstanceRunning", "Scheduled job 'nightly' cannot be updated while its job "
                        "instance 'j1' is running.", method="PATCH", path=SCHEDULED)
    client = FakeClient([expect("GET", SCHEDULED, body=server()),
                         expect("PATCH", SCHEDULED, json={"enabled": False}, raises=refused)])
    outcome = run_module(module, dict(CONN, job_id="nightly", enabled=False), client=client)
    client.assert_done()
    assert outcome.failed
    assert outcome.msg.startswith("cannot update scheduled job 'nightly': IoT Central does not update a scheduled "
                                  "job while a job it started is pending or running; wait for that job to end")
    assert "the application answered: " in outcome.msg and "'j1' is running" in outcome.msg
    assert outcome.result["status"] == 409 and outcome.result["error_code"] == "JobInstanceRunning"
    assert outcome.result["method"] == "PATCH" and outcome.result["request_id"] == "rid-1"


def test_other_api_errors_pass_through(run_module):
    invalid = api_error(400, "InvalidJob", "group: no device group", method="PATCH", path=SCHEDULED)
    client = FakeClient([expect("GET", SCHEDULED, body=server()),
                         expect("PATCH", SCHEDULED, json={"group": "nope"}, raises=invalid)])
    outcome = run_module(module, dict(CONN, job_id="nightly", group="nope"), client=client)
    assert outcome.failed and outcome.result["error_code"] == "InvalidJob"


# -- delete ------------------------------------------------------------------------------------------------------

def test_delete(run_module):
    client = FakeClient([expect("GET", SCHEDULED, path_params=ID, body=server()),
                         expect("DELETE", SCHEDULED, path_params=ID, status=204)])
    outcome = run_module(module, dict(CONN, job_id="nightly", state="absent"), client=client, diff=True)
    client.assert_done()
    assert client.calls == [("GET", SCHEDULED), ("DELETE", SCHEDULED)]
    assert outcome.result["changed"] is True and outcome.result["scheduled_job"] == {}
    assert outcome.result["diff"]["before"]["job_id"] == "nightly" and outcome.result["diff"]["after"] == {}


def test_delete_check_mode_writes_nothing(run_module):
    client = FakeClient([expect("GET", SCHEDULED, body=server())])
    outcome = run_module(module, dict(CONN, job_id="nightly", state="absent"), client=client, check_mode=True)
    client.assert_done()
    assert outcome.result["changed"] is True and client.calls == [("GET", SCHEDULED)]


@pytest.mark.parametrize("check_mode", [False, True])
def test_delete_absent_is_one_get(run_module, check_mode):
    client = FakeClient([expect("GET", SCHEDULED, status=404)])
    outcome = run_module(module, dict(CONN, job_id="nightly", state="absent"), client=client, check_mode=check_mode)
    client.assert_done()
    assert outcome.result == {"changed": False, "scheduled_job": {}}


def test_delete_race_is_not_a_change(run_module):
    client = FakeClient([expect("GET", SCHEDULED, body=server()), expect("DELETE", SCHEDULED, status=404)])
    outcome = run_module(module, dict(CONN, job_id="nightly", state="absent"), client=client)
    client.assert_done()
    assert outcome.result["changed"] is False


# --- exactly once: an update or a delete whose answer was lost (issue 14) --------------------------------------

def test_an_update_whose_answer_was_lost_is_settled_by_reading_the_scheduled_job(run_module):
    lost = api_error(504, "GatewayTimeout", method="PATCH", path=SCHEDULED)
    client = FakeClient([expect("GET", SCHEDULED, body=server()),
                         expect("PATCH", SCHEDULED, path_params=ID, json={"enabled": False}, raises=lost),
                         expect("GET", SCHEDULED, body=server(enabled=False))])
    outcome = run_module(module, dict(CONN, job_id="nightly", enabled=False), client=client)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["scheduled_job"]["enabled"] is False


def test_an_update_lost_before_it_was_applied_fails_with_the_error(run_module):
    lost = api_error(504, "GatewayTimeout", method="PATCH", path=SCHEDULED)
    client = FakeClient([expect("GET", SCHEDULED, body=server()),
                         expect("PATCH", SCHEDULED, path_params=ID, json={"enabled": False}, raises=lost),
                         expect("GET", SCHEDULED, body=server())])
    outcome = run_module(module, dict(CONN, job_id="nightly", enabled=False), client=client)
    client.assert_done()
    assert outcome.failed and outcome.result["status"] == 504


def test_a_delete_retried_after_a_lost_answer_is_this_tasks_delete(run_module):
    client = FakeClient([expect("GET", SCHEDULED, path_params=ID, body=server()),
                         expect("DELETE", SCHEDULED, path_params=ID, status=404, after_ambiguous_attempt=True)])
    outcome = run_module(module, dict(CONN, job_id="nightly", state="absent"), client=client)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["scheduled_job"] == {}


def test_a_delete_whose_every_answer_was_lost_is_settled_by_reading(run_module):
    lost = api_error(504, "GatewayTimeout", method="DELETE", path=SCHEDULED)
    client = FakeClient([expect("GET", SCHEDULED, path_params=ID, body=server()),
                         expect("DELETE", SCHEDULED, path_params=ID, raises=lost),
                         expect("GET", SCHEDULED, path_params=ID, status=404)])
    outcome = run_module(module, dict(CONN, job_id="nightly", state="absent"), client=client)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["scheduled_job"] == {}


def test_a_get_that_drops_the_end_does_not_make_the_schedule_flap(run_module):
    # The docs' GET of a scheduled job leaves out schedule.end (contract.md 8): it cannot be compared, so it is not a
    # difference, and an unchanged task stays one GET.
    reported = server(schedule={"start": "2030-01-01T02:00:00Z", "recurrence": "daily"})
    client = FakeClient([expect("GET", SCHEDULED, body=reported)])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert outcome.result["changed"] is False and client.calls == [("GET", SCHEDULED)]


def test_a_schedule_change_keeps_the_requested_end_when_the_get_drops_it(run_module):
    # The GET leaves out schedule.end, and start and recurrence change: the PATCH sends the whole requested schedule,
    # end included (a schedule sent without it would lose the end the task asks for).
    reported = server(schedule={"start": "2030-01-01T02:00:00Z", "recurrence": "daily"})
    wanted = schedule(recurrence="weekly", end={"type": "date", "date": "2030-12-31"})
    patch = {"schedule": {"start": "2030-01-01T02:00:00Z", "recurrence": "weekly",
                          "end": {"type": "date", "date": "2030-12-31"}}}
    answer = server(schedule=patch["schedule"])
    client = FakeClient([expect("GET", SCHEDULED, body=reported), patch_call(patch, answer)])
    outcome = run_module(module, args(schedule=wanted), client=client, diff=True)
    client.assert_done()
    assert outcome.result["differences"] == ["schedule"]
    assert outcome.result["diff"]["after"]["schedule"]["end"] == {"type": "date", "date": "2030-12-31",
                                                                  "occurrences": None}


def test_a_get_that_shows_no_end_is_compared_when_the_service_reports_ends(run_module):
    # A service that reports an end when there is one: "end" present and null means none, which differs.
    reported = server(schedule={"start": "2030-01-01T02:00:00Z", "recurrence": "daily", "end": None})
    patch = {"schedule": {"start": "2030-01-01T02:00:00Z", "recurrence": "daily",
                          "end": {"type": "occurrences", "occurrences": 30}}}
    client = FakeClient([expect("GET", SCHEDULED, body=reported), patch_call(patch, server())])
    outcome = run_module(module, args(), client=client)
    client.assert_done()
    assert outcome.result["changed"] is True and outcome.result["differences"] == ["schedule"]
