"""The emulator's IoT Central application (contract.md section 4): auth, api-version, templates, devices, device
groups and jobs with batches, cancellation threshold, stop / resume / rerun, the running-jobs limit and paging."""
import re
import time

import pytest
from azure.identity import ClientSecretCredential
from central_helpers import GATEWAY, SENSOR, SESSION_SEED, TEMPLATES, THERMOSTAT, Central, make_token, parse_token

from emulator.credentials import Credentials


@pytest.fixture
def central(emulator):
    return Central(emulator)


def assert_central_error(response, status, code, text=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "requestId", "time"}
    assert body["error"]["code"] == code, body
    assert response.headers["x-ms-error-code"] == code
    assert body["error"]["requestId"] == response.headers["x-ms-request-id"]
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT", body["error"]["time"])
    if text is not None:
        assert text in body["error"]["message"], body
    return body


def credential(env):
    return ClientSecretCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"],
                                  authority=env["AZURE_AUTHORITY_HOST"], disable_instance_discovery=True,
                                  connection_verify=env["REQUESTS_CA_BUNDLE"])


# --- authentication and api-version ----------------------------------------------------------------------------------

def test_api_token_from_env_is_accepted(central):
    assert central.call("GET", "/jobs").status_code == 200


def test_independently_signed_api_token_is_accepted(central, emulator):
    fields = parse_token(central.token)
    key = Credentials(SESSION_SEED).central_key
    # The same fields signed independently give the token the emulator published (so the seed is the right one).
    assert make_token(fields["sr"], fields["skn"], key, fields["se"]) == central.token
    token = make_token(fields["sr"], fields["skn"], key, int((time.time() + 600) * 1000))
    assert central.call("GET", "/jobs", auth=token).status_code == 200
    expired = make_token(fields["sr"], fields["skn"], key, int((time.time() - 5) * 1000))
    assert_central_error(central.call("GET", "/jobs", auth=expired), 401, "Unauthorized", "expired")


@pytest.mark.parametrize("mangle, text", [
    (lambda token: re.sub(r"sig=[^&]+", "sig=AAAA", token), "signature"),
    (lambda token: re.sub(r"sr=[^&]+", "sr=other-app", token), "not valid for this application"),
    (lambda token: re.sub(r"skn=[^&]+", "skn=other-token", token), "not valid for this application"),
    (lambda token: token.replace("&se=", "&xx="), "malformed"),
    (lambda token: "Basic abc", "no API token"),
])
def test_bad_api_tokens_are_401(central, mangle, text):
    assert_central_error(central.call("GET", "/jobs", auth=mangle(central.token)), 401, "Unauthorized", text)


def test_missing_authorization_is_401_before_the_api_version_check(central):
    assert_central_error(central.call("GET", "/jobs", auth="", api_version=None), 401, "Unauthorized")


def test_hub_sas_is_not_an_api_token(central, emulator):
    assert_central_error(central.call("GET", "/jobs", auth=emulator.sas()), 401, "Unauthorized")


def test_entra_bearer_for_iot_central_is_accepted_and_other_audiences_are_not(central, emulator):
    token = credential(emulator.env).get_token("https://apps.azureiotcentral.com/.default").token
    assert central.call("GET", "/jobs", auth="Bearer " + token).status_code == 200
    hub_token = credential(emulator.env).get_token("https://iothubs.azure.net/.default").token
    assert_central_error(central.call("GET", "/jobs", auth="Bearer " + hub_token), 401, "Unauthorized", "audience")


@pytest.mark.parametrize("version", ["2022-07-31", "2022-10-31-preview", "2022-06-30-preview"])
def test_supported_api_versions(central, version):
    assert central.call("GET", "/jobs", api_version=version).status_code == 200


def test_api_version_problems_are_400(central):
    assert_central_error(central.call("GET", "/jobs", api_version=None), 400, "MissingApiVersionParameter")
    assert_central_error(central.call("GET", "/jobs", api_version="2022-05-31"), 400, "InvalidApiVersionParameter")
    twice = central.call("GET", "/jobs", params=[("api-version", "2022-07-31")])
    assert twice.status_code == 200  # the same value twice is tolerated (contract.md 4.7)
    mixed = central.call("GET", "/jobs", params=[("api-version", "2022-10-31-preview")])
    assert_central_error(mixed, 400, "InvalidApiVersionParameter")


def test_unknown_route_under_api_answers_in_the_central_shape(central):
    assert_central_error(central.call("GET", "/nothing/here"), 404, "NotFound")


# --- templates, devices, device groups -----------------------------------------------------------------------------

def test_seeded_templates_have_a_property_a_command_and_a_cloud_property(central):
    templates = central.ok("GET", "/deviceTemplates")["value"]
    assert [t["@id"] for t in templates] == list(TEMPLATES)
    for template in templates:
        kinds = {str(item["@type"]) for item in template["capabilityModel"]["contents"]}
        assert {"Property", "Command", "['Property', 'Cloud']"} <= kinds
    assert central.ok("GET", "/deviceTemplates/" + SENSOR)["@id"] == SENSOR
    assert_central_error(central.call("GET", "/deviceTemplates/dtmi:none;1"), 404, "NotFound")


def test_devices_are_seeded_per_template_and_paged(central):
    devices, pages = central.all_pages("/devices", params={"maxpagesize": 30})
    assert pages == 4 and len(devices) == 100
    assert [d["id"] for d in devices] == ["device-%05d" % n for n in range(1, 101)]
    assert {d["template"] for d in devices} == set(TEMPLATES)
    assert central.ok("GET", "/devices/device-00007")["id"] == "device-00007"
    assert_central_error(central.call("GET", "/devices/nope"), 404, "NotFound", "nope")


def test_device_group_lifecycle_and_filters(central):
    groups = {g["id"] for g in central.ok("GET", "/deviceGroups")["value"]}
    assert groups == {"all-devices", "thermostat-devices", "sensor-devices", "gateway-devices"}
    body = {"displayName": "Provisioned gateways",
            "filter": 'SELECT * FROM devices WHERE $template = "%s" AND $provisioned = true' % GATEWAY}
    group = central.ok("PUT", "/deviceGroups/gw", json=body)
    assert group["id"] == "gw" and group["filter"] == body["filter"] and group["etag"]
    members = central.ok("GET", "/deviceGroups/gw/devices")["value"]
    assert members and all(d["template"] == GATEWAY and d["provisioned"] for d in members)
    patched = central.ok("PATCH", "/deviceGroups/gw", json={"filter": "select * from devices where $template != '%s'"
                                                                      % GATEWAY, "description": "not gateways"})
    assert patched["displayName"] == "Provisioned gateways" and patched["description"] == "not gateways"
    others = central.ok("GET", "/deviceGroups/gw/devices", params={"$top": 100})["value"]
    assert len(others) + len(central.ok("GET", "/deviceGroups/gateway-devices/devices")["value"]) == 100
    assert central.call("DELETE", "/deviceGroups/gw").status_code == 204
    assert_central_error(central.call("GET", "/deviceGroups/gw"), 404, "NotFound")
    assert_central_error(central.call("DELETE", "/deviceGroups/gw"), 404, "NotFound")


@pytest.mark.parametrize("body, code", [
    ({"displayName": "x", "filter": "SELECT FROM nowhere"}, "InvalidFilter"),
    ({"displayName": "x", "filter": "SELECT * FROM devices WHERE $colour = 'red'"}, "InvalidFilter"),
    ({"filter": "SELECT * FROM devices"}, "InvalidBody"),
])
def test_bad_device_groups_are_400(central, body, code):
    assert_central_error(central.call("PUT", "/deviceGroups/bad", json=body), 400, code)


def test_device_group_id_rule(central):
    body = {"displayName": "x", "filter": "SELECT * FROM devices"}
    assert_central_error(central.call("PUT", "/deviceGroups/bad.id", json=body), 400, "InvalidId")


# --- jobs ------------------------------------------------------------------------------------------------------------

def test_job_runs_pending_running_complete(central, emulator):
    emulator.configure(central_device_ops_per_second=2)
    created = central.put_job("fw")
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["status"] == "pending" and body["id"] == "fw"
    assert body["progress"] == {"total": 100, "pending": 100, "completed": 0, "failed": 0}
    running = central.wait("fw", ("running",))
    assert "start" in running and "end" not in running
    done = central.wait("fw")
    assert done["status"] == "complete" and "end" in done
    assert done["progress"] == {"total": 100, "pending": 0, "completed": 100, "failed": 0}
    statuses, pages = central.all_pages("/jobs/fw/devices", params={"maxpagesize": 40})
    assert pages == 3 and {s["status"] for s in statuses} == {"completed"} and len(statuses) == 100


def test_devices_whose_template_no_data_item_targets_fail(central):
    data = [{"type": "command", "target": THERMOSTAT, "path": "reboot", "value": {"delay": 1}}]
    assert central.put_job("reboot", data=data).status_code == 200
    job = central.wait("reboot")
    statuses = {s["id"]: s["status"] for s in central.all_pages("/jobs/reboot/devices")[0]}
    templates = {d["id"]: d["template"] for d in central.all_pages("/devices")[0]}
    assert all((status == "completed") == (templates[did] == THERMOSTAT) for did, status in statuses.items())
    assert job["progress"]["failed"] == sum(1 for t in templates.values() if t != THERMOSTAT)
    assert job["status"] == "complete"


def test_every_device_failing_fails_the_job(central, emulator):
    emulator.configure(central_failure_rate=1.0)
    assert central.put_job("doomed", group="sensor-devices", data=[
        {"type": "cloudProperty", "target": SENSOR, "path": "customerName", "value": "Contoso"}]).status_code == 200
    assert central.wait("doomed")["status"] == "failed"


def test_per_batch_percentage_threshold_cancels_a_500_device_job(central, emulator):
    emulator.reset(devices=500)
    emulator.configure(central_failure_rate=0.3)
    response = central.put_job("big", batch={"type": "percentage", "value": 20},
                               cancellationThreshold={"type": "percentage", "value": 10, "batch": True})
    assert response.status_code == 200, response.text
    job = central.wait("big")
    progress = job["progress"]
    assert job["status"] == "cancelled" and progress["total"] == 500
    assert progress["failed"] == 11  # more than 10% of the first batch of 100
    assert progress["completed"] + progress["failed"] <= 100 and progress["pending"] >= 400
    assert "end" in job
    statuses = central.all_pages("/jobs/big/devices", params={"maxpagesize": 100})[0]
    assert sum(1 for s in statuses if s["status"] == "pending") == progress["pending"]


def test_whole_job_number_threshold_cancels(central, emulator):
    emulator.configure(central_failure_rate=0.2)
    central.put_job("count", batch={"type": "number", "value": 10},
                    cancellationThreshold={"type": "number", "value": 5})
    job = central.wait("count")
    assert job["status"] == "cancelled" and job["progress"]["failed"] == 6


def test_threshold_not_passed_lets_the_job_complete(central, emulator):
    emulator.configure(central_failure_rate=0.2)
    central.put_job("loose", batch={"type": "number", "value": 25},
                    cancellationThreshold={"type": "percentage", "value": 60, "batch": True})
    job = central.wait("loose")
    assert job["status"] == "complete" and 0 < job["progress"]["failed"] < 50


def test_stop_and_resume(central, emulator):
    emulator.configure(central_device_ops_per_second=1)
    central.put_job("pausable")
    central.wait("pausable", ("running",))
    time.sleep(0.2)
    assert central.call("POST", "/jobs/pausable/stop").status_code == 204
    stopped = central.job("pausable")
    assert stopped["status"] == "stopped" and stopped["progress"]["pending"] > 0
    time.sleep(0.2)
    assert central.job("pausable")["progress"] == stopped["progress"]
    assert_central_error(central.call("POST", "/jobs/pausable/stop"), 409, "InvalidJobState", "stopped")
    assert central.call("POST", "/jobs/pausable/resume").status_code == 204
    assert central.job("pausable")["status"] == "running"
    emulator.configure(central_device_ops_per_second=100)
    done = central.wait("pausable")
    assert done["status"] == "complete" and done["progress"]["completed"] == 100
    assert_central_error(central.call("POST", "/jobs/pausable/resume"), 409, "InvalidJobState", "complete")
    assert_central_error(central.call("POST", "/jobs/pausable/stop"), 409, "InvalidJobState")
    assert_central_error(central.call("POST", "/jobs/nope/stop"), 404, "NotFound")


def test_a_pending_job_can_be_stopped(central):
    central.put_job("early")
    assert central.call("POST", "/jobs/early/stop").status_code == 204
    assert central.job("early")["status"] == "stopped"


def test_rerun_runs_a_new_job_over_the_failed_devices(central, emulator):
    emulator.configure(central_failure_rate=0.3)
    central.put_job("flaky")
    first = central.wait("flaky")
    failed = {s["id"] for s in central.all_pages("/jobs/flaky/devices")[0] if s["status"] == "failed"}
    assert first["status"] == "complete" and len(failed) == first["progress"]["failed"] > 0
    emulator.configure(central_failure_rate=0.0)
    rerun = central.ok("PUT", "/jobs/flaky/rerun/flaky-again")
    assert rerun["id"] == "flaky-again" and rerun["group"] == "all-devices" and rerun["data"] == first["data"]
    assert rerun["progress"]["total"] == len(failed)
    done = central.wait("flaky-again")
    assert done["status"] == "complete" and done["progress"]["completed"] == len(failed)
    assert {s["id"] for s in central.all_pages("/jobs/flaky-again/devices")[0]} == failed
    assert_central_error(central.call("PUT", "/jobs/flaky/rerun/flaky-again"), 409, "Conflict")
    assert_central_error(central.call("PUT", "/jobs/flaky-again/rerun/third"), 409, "NoFailedDevices")
    assert_central_error(central.call("PUT", "/jobs/nope/rerun/x"), 404, "NotFound")


def test_rerun_of_a_running_job_is_409(central, emulator):
    emulator.configure(central_device_ops_per_second=1)
    central.put_job("busy")
    assert_central_error(central.call("PUT", "/jobs/busy/rerun/busy-2"), 409, "InvalidJobState", "can be rerun")


def test_five_running_jobs_at_most(central, emulator):
    emulator.configure(central_device_ops_per_second=1)
    for number in range(5):
        assert central.put_job("slot%d" % number).status_code == 200
    assert_central_error(central.put_job("slot5"), 409, "TooManyRunningJobs", "maximum is 5")
    assert central.call("POST", "/jobs/slot0/stop").status_code == 204
    assert central.put_job("slot5").status_code == 200
    assert_central_error(central.call("POST", "/jobs/slot0/resume"), 409, "TooManyRunningJobs")
    emulator.configure(central_max_running_jobs=6)
    assert central.call("POST", "/jobs/slot0/resume").status_code == 204


def test_jobs_list_pages_with_next_link(central, emulator):
    emulator.configure(central_page_size=2)
    for number in range(5):
        central.put_job("listed%d" % number, group="gateway-devices",
                        data=[{"type": "property", "target": GATEWAY, "path": "settings.targetTemperature",
                               "value": 21.5}])
    jobs, pages = central.all_pages("/jobs")
    assert pages == 3 and [j["id"] for j in jobs] == ["listed%d" % n for n in range(5)]
    first = central.ok("GET", "/jobs")
    assert first["nextLink"].startswith(central.base + "/jobs?") and "api-version=2022-07-31" in first["nextLink"]
    assert_central_error(central.call("GET", "/jobs", params={"maxpagesize": 0}), 400, "InvalidParameter")


def test_long_form_data_types_are_accepted_and_returned_short(central):
    data = [{"type": "PropertyJobData", "target": THERMOSTAT, "path": "fwVersion", "value": "3"}]
    assert central.put_job("long", group="thermostat-devices", data=data).json()["data"][0]["type"] == "property"


@pytest.mark.parametrize("job_id, body, code, text", [
    ("bad.id", None, "InvalidId", "not valid"),
    ("j", {"data": [{"type": "property", "target": THERMOSTAT, "path": "fwVersion", "value": 1}]}, "InvalidJob",
     "group"),
    ("j", {"group": "nope", "data": [{"type": "command", "target": THERMOSTAT, "path": "reboot"}]}, "InvalidJob",
     "no device group"),
    ("j", {"group": "all-devices", "data": []}, "InvalidJob", "at least one"),
    ("j", {"group": "all-devices", "data": [{"type": "property", "target": THERMOSTAT, "path": "nope", "value": 1}]},
     "InvalidJob", "has no property 'nope'"),
    ("j", {"group": "all-devices", "data": [{"type": "property", "target": "dtmi:x;1", "path": "a", "value": 1}]},
     "InvalidJob", "no device template"),
    ("j", {"group": "all-devices", "data": [{"type": "property", "target": THERMOSTAT, "path": "fwVersion"}]},
     "InvalidJob", "value is required"),
    ("j", {"group": "all-devices", "data": [
        {"type": "property", "target": THERMOSTAT, "path": "fwVersion", "value": 1},
        {"type": "command", "target": THERMOSTAT, "path": "reboot"}]}, "InvalidJob", "same type"),
    ("j", {"group": "all-devices", "data": [{"type": "telemetry"}]}, "InvalidJob", "type must be one of"),
    ("j", {"group": "all-devices", "data": [{"type": "command", "target": THERMOSTAT, "path": "reboot"}],
           "batch": {"type": "percentage", "value": 150}}, "InvalidJob", "at most 100"),
    ("j", {"group": "all-devices", "data": [{"type": "command", "target": THERMOSTAT, "path": "reboot"}],
           "cancellationThreshold": {"type": "ratio", "value": 1}}, "InvalidJob", "cancellationThreshold"),
    ("j", {"group": "all-devices", "data": [{"type": "command", "target": THERMOSTAT, "path": "reboot"}],
           "organizations": ["a", "b"]}, "InvalidJob", "organizations"),
])
def test_bad_jobs_are_400(central, job_id, body, code, text):
    response = central.call("PUT", "/jobs/" + job_id, json=body or {"group": "all-devices", "data": [
        {"type": "command", "target": THERMOSTAT, "path": "reboot"}]})
    assert_central_error(response, 400, code, text)


def test_existing_job_id_is_409_and_unknown_job_404(central):
    assert central.put_job("once").status_code == 200
    assert_central_error(central.put_job("once"), 409, "Conflict", "already exists")
    assert_central_error(central.call("GET", "/jobs/nope"), 404, "NotFound")
    assert_central_error(central.call("GET", "/jobs/nope/devices"), 404, "NotFound")


def test_not_json_body_is_400(central):
    assert_central_error(central.call("PUT", "/jobs/j", data="{nope"), 400, "InvalidBody")


def test_template_migration_job_moves_devices(central):
    body = {"group": "gateway-devices", "data": [{"type": "deviceTemplateMigration", "template": SENSOR}]}
    gateways = {d["id"] for d in central.ok("GET", "/deviceGroups/gateway-devices/devices")["value"]}
    assert central.call("PUT", "/jobs/migrate", json=body).status_code == 200
    assert central.wait("migrate")["status"] == "complete"
    assert all(central.ok("GET", "/devices/" + did)["template"] == SENSOR for did in gateways)
    assert central.ok("GET", "/deviceGroups/gateway-devices/devices")["value"] == []


def test_reset_clears_jobs_and_groups(central, emulator):
    central.put_job("gone")
    central.ok("PUT", "/deviceGroups/extra", json={"displayName": "x", "filter": "SELECT * FROM devices"})
    emulator.reset()
    assert central.ok("GET", "/jobs")["value"] == []
    assert_central_error(central.call("GET", "/deviceGroups/extra"), 404, "NotFound")


def test_injected_faults_answer_in_the_central_shape(central, emulator):
    emulator.control("POST", "faults", json={"route": "GET /api/jobs/{id}", "status": 429, "retry_after": 1,
                                             "count": 1})
    central.put_job("faulted")
    response = central.call("GET", "/jobs/faulted")
    assert_central_error(response, 429, "TooManyRequests", "Injected fault")
    assert response.headers["Retry-After"] == "1"
    assert central.call("GET", "/jobs/faulted").status_code == 200
    assert emulator.control("GET", "requests")["GET /api/jobs/{id}"] == 2
