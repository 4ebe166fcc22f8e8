"""The emulator's IoT Central scheduled jobs (contract.md section 4.5): bodies validate against the swagger, the
2022-07-31 scheduledjobs_* examples replay, runs are triggered on schedule (a large time scale makes a day last a
fraction of a second), enable / disable, the date and occurrences ends, merge-patch and If-Match."""
import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from central_helpers import TEMPLATES, THERMOSTAT, Central
import test_central_schemas
from test_central_schemas import SPEC_DIR, example

from emulator.errors import ApiError
from emulator.iotcentral.scheduled import occurrence, parse_schedule

FAST = 500000  # emulated seconds per real second: a day lasts about 0.17 s
EXAMPLE_GROUP = "ad86219f-d224-48ad-a29b-b593a4e4bb38"
MERGE = {"Content-Type": "application/merge-patch+json"}
PREVIEW_DIR = SPEC_DIR.parent / "2022-10-31-preview"
# The schema fixtures of test_central_schemas, used here too.
swagger = test_central_schemas.swagger
validate = test_central_schemas.validate


class ScheduledCentral(Central):
    """Central with extra request headers (Content-Type, If-Match)."""

    def call(self, method, path, api_version="2022-07-31", auth=None, params=None, headers=None, **kwargs):
        if not headers:
            return super().call(method, path, api_version=api_version, auth=auth, params=params, **kwargs)
        query = list(params.items() if isinstance(params, dict) else params or []) + [("api-version", api_version)]
        url = path if path.startswith("https://") else self.base + path
        return self.emulator.session.request(method, url, params=query, verify=self.emulator.ca,
                                             headers=dict(headers, Authorization=self.token), **kwargs)


@pytest.fixture
def central(emulator):
    return ScheduledCentral(emulator)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def soon(seconds=2.0):
    return datetime.now(timezone.utc) + timedelta(seconds=seconds)


def definition(start, recurrence=None, end=None, **extra):
    schedule = {"start": iso(start) if isinstance(start, datetime) else start}
    if recurrence:
        schedule["recurrence"] = recurrence
    if end:
        schedule["end"] = end
    body = {"displayName": "nightly", "group": "all-devices", "schedule": schedule, "data": [
        {"type": "property", "target": template, "path": "fwVersion", "value": "2.0.0"} for template in TEMPLATES]}
    body.update(extra)
    return body


def occurrences(count):
    return {"type": "occurrences", "occurrences": count}


def wait_for(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.02)


def runs(central, sid):
    return central.ok("GET", "/scheduledJobs/%s/jobs" % sid)["value"]


def error_code(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]["code"]


# --- pure schedule arithmetic ----------------------------------------------------------------------------------------

def test_occurrences_of_each_recurrence():
    start = datetime(2024, 1, 31, 8, 0, tzinfo=timezone.utc)
    assert occurrence({}, start, 0) == start and occurrence({}, start, 1) is None
    assert occurrence({"recurrence": "daily"}, start, 2) == datetime(2024, 2, 2, 8, 0, tzinfo=timezone.utc)
    assert occurrence({"recurrence": "weekly"}, start, 1) == datetime(2024, 2, 7, 8, 0, tzinfo=timezone.utc)
    assert occurrence({"recurrence": "monthly"}, start, 1) == datetime(2024, 2, 29, 8, 0, tzinfo=timezone.utc)
    assert occurrence({"recurrence": "monthly"}, start, 12) == datetime(2025, 1, 31, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("schedule, text", [
    (None, "schedule"),
    ({"start": "tomorrow"}, "schedule.start"),
    ({"start": "2030-01-01T00:00:00Z", "recurrence": "yearly"}, "schedule.recurrence"),
    ({"start": "2030-01-01T00:00:00Z", "end": {"type": "never"}}, "schedule.end"),
    ({"start": "2030-01-01T00:00:00Z", "end": {"type": "date", "date": "2030-13-01"}}, "schedule.end.date"),
    ({"start": "2030-01-01T00:00:00Z", "end": {"type": "date", "date": "2030-01-01T00:00:00Z"}}, "schedule.end.date"),
    ({"start": "2030-01-01T00:00:00Z", "end": {"type": "occurrences", "occurrences": 0}}, "occurrences"),
    ({"start": "2030-01-01T00:00:00Z", "end": {"type": "occurrences", "occurrences": 1000}}, "occurrences"),
    ({"start": "2030-01-01T00:00:00Z", "end": {"type": "occurrences", "occurrences": True}}, "occurrences"),
])
def test_bad_schedules_are_rejected(central, schedule, text):
    body = definition("2030-01-01T00:00:00Z")
    body["schedule"] = schedule
    response = central.call("PUT", "/scheduledJobs/bad", json=body)
    assert error_code(response, 400) == "InvalidScheduledJob"
    assert text in response.json()["error"]["message"]
    with pytest.raises(ApiError):
        parse_schedule(schedule)


# --- schema and examples ---------------------------------------------------------------------------------------------

def test_scheduled_bodies_validate(central, emulator, validate):  # noqa: F811
    emulator.configure(central_page_size=2)
    body = definition("2030-01-01T00:00:00Z", "weekly", {"type": "date", "date": "2030-12-31"},
                      description="d", organizations=["o"], batch={"type": "percentage", "value": 50},
                      cancellationThreshold={"type": "number", "value": 10, "batch": True})
    created = validate(central.ok("PUT", "/scheduledJobs/s1", json=body),
                       ("/scheduledJobs/{scheduledJobId}", "put", "200"))
    assert created["enabled"] is True and created["completed"] is False
    assert created["etag"].startswith('"') and created["etag"].endswith('"')
    assert created["schedule"] == body["schedule"] and created["id"] == "s1"
    for sid in ("s2", "s3"):
        five = definition("2030-01-01T00:00:00Z", "daily", occurrences(5))
        central.ok("PUT", "/scheduledJobs/" + sid, json=five)
    first = validate(central.ok("GET", "/scheduledJobs"), ("/scheduledJobs", "get", "200"))
    assert "nextLink" in first
    items, pages = central.all_pages("/scheduledJobs")
    assert [item["id"] for item in items] == ["s1", "s2", "s3"] and pages == 2
    validate(central.ok("GET", "/scheduledJobs/s1"), ("/scheduledJobs/{scheduledJobId}", "get", "200"))
    patched = central.ok("PATCH", "/scheduledJobs/s1", json={"enabled": False}, headers=MERGE)
    validate(patched, ("/scheduledJobs/{scheduledJobId}", "patch", "200"))
    validate(central.ok("GET", "/scheduledJobs/s1/jobs"), ("/scheduledJobs/{scheduledJobId}/jobs", "get", "200"))
    response = central.call("DELETE", "/scheduledJobs/s1")
    assert response.status_code == 204 and response.content == b""
    for response in (central.call("GET", "/scheduledJobs/s1"), central.call("GET", "/scheduledJobs/s1/jobs"),
                     central.call("DELETE", "/scheduledJobs/s1"),
                     central.call("PUT", "/scheduledJobs/x", json={"group": "all-devices"}),
                     central.call("PATCH", "/scheduledJobs/s2", data="enabled=false",
                                  headers={"Content-Type": "text/plain"})):
        assert response.status_code >= 400
        validate(response.json(), "Error")


def _same_documented_fields(actual, documented, skip=("etag", "data")):
    for key, value in documented.items():
        assert key in actual, key
        if key not in skip:
            assert actual[key] == value, key


def preview_example(name):
    return json.loads((PREVIEW_DIR / "examples" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("version, load", [("2022-07-31", example), ("2022-10-31-preview", preview_example)])
def test_scheduled_examples_replay(central, validate, version, load):  # noqa: F811
    create = load("scheduledjobs_create.json")
    params = create["parameters"]
    assert params["api-version"] == version
    target = params["body"]["data"][0]["target"]
    model = {"@id": target + ":model", "@type": "Interface", "contents": [{"@type": "Command", "name": "Reboot"}]}
    central.ok("PUT", "/deviceTemplates/" + target, api_version=version,
               json={"@type": ["ModelDefinition", "DeviceModel"], "displayName": "Example", "capabilityModel": model})
    central.ok("PUT", "/deviceGroups/" + EXAMPLE_GROUP, api_version=version, json={
        "displayName": "Example", "filter": 'SELECT * FROM devices WHERE $template = "%s"' % target})
    path = "/scheduledJobs/" + params["scheduledJobId"]

    created = validate(central.ok("PUT", path, json=params["body"], api_version=version),
                       ("/scheduledJobs/{scheduledJobId}", "put", "200"))
    documented = create["responses"]["200"]["body"]
    _same_documented_fields(created, documented)
    assert created["data"] == params["body"]["data"]  # the example's response names another template

    get = load("scheduledjobs_get.json")
    got = central.ok("GET", "/scheduledJobs/" + get["parameters"]["scheduledJobId"], api_version=version)
    _same_documented_fields(got, get["responses"]["200"]["body"])

    update = load("scheduledjobs_update.json")
    updated = central.ok("PATCH", "/scheduledJobs/" + update["parameters"]["scheduledJobId"], api_version=version,
                         json=update["parameters"]["body"], headers=MERGE)
    validate(updated, ("/scheduledJobs/{scheduledJobId}", "patch", "200"))
    _same_documented_fields(updated, update["responses"]["200"]["body"])
    assert updated["etag"] != created["etag"]

    listed = central.ok("GET", "/scheduledJobs", api_version=version)
    validate(listed, ("/scheduledJobs", "get", "200"))
    documented_item = load("scheduledjobs_list.json")["responses"]["200"]["body"]["value"][1]
    assert set(listed["value"][0]) == set(documented_item)

    instances = load("scheduledjobs_list_jobs.json")["responses"]["200"]["body"]["value"]
    response = central.ok("GET", path + "/jobs", api_version=version)
    validate(response, ("/scheduledJobs/{scheduledJobId}/jobs", "get", "200"))
    assert response["value"] == []  # the example starts in the past: missed occurrences are not caught up
    assert all(item["scheduledJobId"] for item in instances)

    delete = load("scheduledjobs_delete.json")
    response = central.call("DELETE", "/scheduledJobs/" + delete["parameters"]["scheduledJobId"], api_version=version)
    assert list(delete["responses"]) == ["204"] and response.status_code == 204


def test_documented_bodies_validate(validate):  # noqa: F811
    """The examples' own bodies pass the validator, so the shapes compared above are the spec's."""
    for load in (example, preview_example):
        for name, schema in (("scheduledjobs_get.json", ("/scheduledJobs/{scheduledJobId}", "get", "200")),
                             ("scheduledjobs_list.json", ("/scheduledJobs", "get", "200")),
                             ("scheduledjobs_list_jobs.json", ("/scheduledJobs/{scheduledJobId}/jobs", "get", "200"))):
            validate(load(name)["responses"]["200"]["body"], schema)


def test_list_jobs_example_shape(central, emulator, validate):  # noqa: F811
    emulator.configure(time_scale=FAST)
    central.ok("PUT", "/scheduledJobs/first", json=definition(soon(), "daily", occurrences(2), description=""))
    wait_for(lambda: central.ok("GET", "/scheduledJobs/first")["completed"], what="completed")
    listed = validate(central.ok("GET", "/scheduledJobs/first/jobs"),
                      ("/scheduledJobs/{scheduledJobId}/jobs", "get", "200"))
    documented = example("scheduledjobs_list_jobs.json")["responses"]["200"]["body"]["value"][0]
    for item in listed["value"]:
        assert set(documented) <= set(item)
    assert [item["displayName"] for item in listed["value"]] == ["nightly - 2", "nightly - 1"]  # newest first


# --- triggering ------------------------------------------------------------------------------------------------------

def test_occurrences_end_triggers_runs_then_completes(central, emulator):
    emulator.configure(time_scale=FAST)
    central.ok("PUT", "/scheduledJobs/nightly", json=definition(soon(), "daily", occurrences(3)))
    done = wait_for(lambda: central.ok("GET", "/scheduledJobs/nightly")["completed"], what="completed")
    assert done is True
    instances = runs(central, "nightly")
    assert sorted(item["displayName"] for item in instances) == ["nightly - 1", "nightly - 2", "nightly - 3"]
    assert all(item["scheduledJobId"] == "nightly" for item in instances)
    for item in instances:
        assert central.wait(item["id"])["status"] == "complete"
    listed = [job for job in central.ok("GET", "/jobs")["value"] if job.get("scheduledJobId") == "nightly"]
    assert len(listed) == 3
    time.sleep(0.5)  # about three more emulated days: nothing more runs
    assert len(runs(central, "nightly")) == 3


def test_date_end_and_one_off(central, emulator):
    emulator.configure(time_scale=FAST)
    start = soon()
    last_day = (start + timedelta(days=2)).date().isoformat()
    central.ok("PUT", "/scheduledJobs/dated", json=definition(start, "daily", {"type": "date", "date": last_day}))
    central.ok("PUT", "/scheduledJobs/once", json=definition(start, displayName=None))
    wait_for(lambda: central.ok("GET", "/scheduledJobs/dated")["completed"], what="dated completed")
    wait_for(lambda: central.ok("GET", "/scheduledJobs/once")["completed"], what="once completed")
    assert len(runs(central, "dated")) == 3
    assert [item["displayName"] for item in runs(central, "once")] == ["once - 1"]


def test_past_one_off_completes_without_running(central):
    central.ok("PUT", "/scheduledJobs/late", json=definition("2022-05-24T22:29:01Z"))
    assert wait_for(lambda: central.ok("GET", "/scheduledJobs/late")["completed"], what="completed")
    assert runs(central, "late") == []


def test_enable_and_disable(central, emulator):
    emulator.configure(time_scale=FAST)
    central.ok("PUT", "/scheduledJobs/paused", json=definition(soon(), "daily", enabled=False))
    assert central.ok("GET", "/scheduledJobs/paused")["enabled"] is False
    time.sleep(0.5)
    assert runs(central, "paused") == []
    enabled = central.ok("PATCH", "/scheduledJobs/paused", json={"enabled": True}, headers=MERGE)
    assert enabled["enabled"] is True and enabled["completed"] is False
    wait_for(lambda: len(runs(central, "paused")) >= 2, what="two runs")
    central.ok("PATCH", "/scheduledJobs/paused", json={"enabled": False}, headers=MERGE)
    count = len(runs(central, "paused"))
    time.sleep(0.5)
    assert len(runs(central, "paused")) == count
    # The runs numbered in order, the displayName of the definition, the job body of the definition.
    instances = runs(central, "paused")
    assert [item["displayName"] for item in instances] == ["nightly - %d" % n for n in range(count, 0, -1)]
    assert instances[0]["group"] == "all-devices" and instances[0]["data"][0]["path"] == "fwVersion"


def test_schedule_change_restarts_the_count(central, emulator):
    emulator.configure(time_scale=FAST)
    central.ok("PUT", "/scheduledJobs/twice", json=definition(soon(), "daily", occurrences(1)))
    wait_for(lambda: central.ok("GET", "/scheduledJobs/twice")["completed"], what="completed")
    schedule = {"start": iso(soon()), "recurrence": "daily", "end": {"type": "occurrences", "occurrences": 2}}
    changed = central.ok("PATCH", "/scheduledJobs/twice", json={"schedule": schedule}, headers=MERGE)
    assert changed["schedule"] == schedule
    wait_for(lambda: central.ok("GET", "/scheduledJobs/twice")["completed"], what="completed again")
    assert len(runs(central, "twice")) == 3


# --- merge patch, etags, errors --------------------------------------------------------------------------------------

def test_merge_patch_and_if_match(central):
    created = central.ok("PUT", "/scheduledJobs/p", json=definition("2030-01-01T00:00:00Z", "weekly", {
        "type": "occurrences", "occurrences": 4}, description="first"))
    response = central.call("PATCH", "/scheduledJobs/p", json={"description": "x"},
                            headers=dict(MERGE, **{"If-Match": '"nope"'}))
    assert error_code(response, 412) == "PreconditionFailed"
    response = central.call("PATCH", "/scheduledJobs/p", data="description=x",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert error_code(response, 415) == "UnsupportedMediaType"
    patched = central.ok("PATCH", "/scheduledJobs/p", json={"description": None, "schedule": {"end": None},
                                                            "id": "ignored", "completed": True},
                         headers={"If-Match": created["etag"], **MERGE})
    assert "description" not in patched and patched["id"] == "p" and patched["completed"] is False
    assert patched["schedule"] == {"start": "2030-01-01T00:00:00Z", "recurrence": "weekly"}
    assert patched["etag"] != created["etag"]
    # az iot central scheduled-job update sends application/json (contract.md 8): read as the same merge patch.
    as_json = central.ok("PATCH", "/scheduledJobs/p", json={"description": "from the CLI"})
    assert as_json["description"] == "from the CLI" and as_json["schedule"] == patched["schedule"]
    response = central.call("PATCH", "/scheduledJobs/p", json={"group": "nope"}, headers=MERGE)
    assert error_code(response, 400) == "InvalidJob"
    response = central.call("PATCH", "/scheduledJobs/p", json={"enabled": "yes"}, headers=MERGE)
    assert error_code(response, 400) == "InvalidScheduledJob"
    assert error_code(central.call("PATCH", "/scheduledJobs/none", json={}, headers=MERGE), 404) == "NotFound"
    assert error_code(central.call("PUT", "/scheduledJobs/bad%20id", json=definition("2030-01-01T00:00:00Z")),
                      400) == "InvalidId"
    command = definition("2030-01-01T00:00:00Z", data=[{"type": "command", "target": THERMOSTAT, "path": "reboot"}],
                         group="thermostat-devices")
    replaced = central.ok("PUT", "/scheduledJobs/p", json=command)
    assert replaced["data"] == command["data"] and "recurrence" not in replaced["schedule"]


def test_no_update_while_a_run_is_active(central, emulator, validate):  # noqa: F811
    """scheduledjobs_update.json: "update is not allowed if there are any active running job instances"."""
    emulator.configure(central_device_ops_per_second=0.01)  # the run takes a long time
    central.ok("PUT", "/scheduledJobs/busy", json=definition(soon(0.3), "daily", occurrences(1)))
    (run,) = wait_for(lambda: runs(central, "busy"), what="a run")
    assert run["status"] in ("pending", "running")
    updates = (("PATCH", {"enabled": False}, MERGE), ("PUT", definition("2030-01-01T00:00:00Z"), None))
    for method, body, headers in updates:
        response = central.call(method, "/scheduledJobs/busy", json=body, headers=headers)
        assert error_code(response, 409) == "JobInstanceRunning"
        assert run["id"] in validate(response.json(), "Error")["error"]["message"]
    assert central.ok("GET", "/scheduledJobs/busy")["enabled"] is True
    central.ok("POST", "/jobs/%s/stop" % run["id"], status=204)
    assert central.ok("PATCH", "/scheduledJobs/busy", json={"enabled": False}, headers=MERGE)["enabled"] is False
    central.ok("POST", "/jobs/%s/resume" % run["id"], status=204)
    response = central.call("DELETE", "/scheduledJobs/busy")  # deleting is allowed; the run goes on
    assert response.status_code == 204 and central.job(run["id"])["status"] in ("pending", "running")


def test_reset_removes_scheduled_jobs(central, emulator):
    central.ok("PUT", "/scheduledJobs/gone", json=definition("2030-01-01T00:00:00Z", "daily"))
    emulator.reset()
    assert central.ok("GET", "/scheduledJobs")["value"] == []
