"""Every body the emulator's IoT Central application returns validates against the official swagger
(tests/fixtures/specs/iotcentral/2022-07-31/iotcentral.json, vendored: see tests/fixtures/specs/SOURCES.md), and the
2022-07-31 x-ms-examples of the jobs operations replay to responses of their documented shape.

As in test_schemas.py, a bare {"type": "object"} schema is AutoRest's AnyObject (any JSON value); `format` is
checked for date-time (RFC 3339), date-time-rfc1123 (the error time) and int32.
"""
import copy
import json
import re
from pathlib import Path

import pytest
from central_helpers import GATEWAY, SENSOR, THERMOSTAT, Central
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "iotcentral" / "2022-07-31"
SWAGGER = SPEC_DIR / "iotcentral.json"
BASE_URI = "https://emulator.invalid/iotcentral.json"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
RFC1123 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{4} \d\d:\d\d:\d\d GMT$")
EXAMPLE_TEMPLATE = "urn:1dgygpt7t:modelDefinition:02uwtefvdy"
EXAMPLE_GROUP = "475cad48-b7ff-4a09-b51e-1a9021385453"


def _any_object(schema):
    return schema.get("type") == "object" and set(schema) - {"description", "title"} == {"type"}


def autorest_reading(node):
    if isinstance(node, dict):
        if _any_object(node):
            return {k: v for k, v in node.items() if k != "type"}
        return {k: autorest_reading(v) for k, v in node.items()}
    if isinstance(node, list):
        return [autorest_reading(v) for v in node]
    return node


def format_checker():
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def date_time(value):
        return not isinstance(value, str) or bool(RFC3339.match(value))

    @checker.checks("date-time-rfc1123")
    def rfc1123(value):
        return not isinstance(value, str) or bool(RFC1123.match(value))

    @checker.checks("int32")
    def int32(value):
        return not isinstance(value, int) or -2 ** 31 <= value < 2 ** 31

    return checker


@pytest.fixture(scope="module")
def swagger():
    if not SWAGGER.is_file():
        pytest.fail("the official swagger is missing: %s (vendored in tests/fixtures/specs)" % SWAGGER)
    return json.loads(SWAGGER.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validate(swagger):
    document = autorest_reading(copy.deepcopy(swagger))
    registry = Registry().with_resource(BASE_URI, Resource.from_contents(document, default_specification=DRAFT4))
    checker = format_checker()

    def check(instance, schema):
        """schema: a definition name or a swagger (path, method, status) response."""
        if isinstance(schema, str):
            schema = {"$ref": BASE_URI + "#/definitions/" + schema}
        else:
            path, method, status = schema
            response_schema = document["paths"][path][method]["responses"][status]["schema"]
            schema = json.loads(json.dumps(response_schema).replace('"#/', '"%s#/' % BASE_URI))
        validator = Draft4Validator(schema, registry=registry, format_checker=checker)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join("%s: %s" % (list(e.absolute_path), e.message) for e in errors)
        return instance

    return check


def example(name):
    return json.loads((SPEC_DIR / "examples" / name).read_text(encoding="utf-8"))


@pytest.fixture
def central(emulator):
    return Central(emulator)


def test_the_validator_still_rejects_wrong_bodies(validate):
    with pytest.raises(AssertionError):
        validate({"value": [{"id": 1}]}, "JobCollection")
    with pytest.raises(AssertionError):
        validate({"jobs": []}, "JobCollection")
    with pytest.raises(AssertionError):
        validate({"error": {"code": "X", "message": "m", "time": "2022-01-01T00:00:00Z"}}, "Error")
    with pytest.raises(AssertionError):
        validate({"group": "g", "data": [], "progress": {"total": 2 ** 40}}, "Job")
    validate(example("jobs_get.json")["responses"]["200"]["body"], "Job")


def test_collection_and_item_bodies_validate(central, emulator, validate):
    emulator.configure(central_page_size=3, central_failure_rate=0.3)
    validate(central.ok("GET", "/deviceTemplates"), ("/deviceTemplates", "get", "200"))
    validate(central.ok("GET", "/deviceTemplates/" + SENSOR), ("/deviceTemplates/{deviceTemplateId}", "get", "200"))
    devices = validate(central.ok("GET", "/devices"), ("/devices", "get", "200"))
    assert "nextLink" in devices
    validate(central.ok("GET", "/devices/device-00001"), ("/devices/{deviceId}", "get", "200"))
    validate(central.ok("GET", "/deviceGroups"), ("/deviceGroups", "get", "200"))
    group = {"displayName": "g", "filter": "SELECT * FROM devices WHERE $provisioned = false", "organizations": ["o"]}
    validate(central.ok("PUT", "/deviceGroups/g", json=group), ("/deviceGroups/{deviceGroupId}", "put", "200"))
    validate(central.ok("PATCH", "/deviceGroups/g", json={"description": "d"}),
             ("/deviceGroups/{deviceGroupId}", "patch", "200"))
    validate(central.ok("GET", "/deviceGroups/g"), ("/deviceGroups/{deviceGroupId}", "get", "200"))
    validate(central.ok("GET", "/deviceGroups/all-devices/devices"),
             ("/deviceGroups/{deviceGroupId}/devices", "get", "200"))
    created = central.put_job("schema-job", batch={"type": "percentage", "value": 50},
                              cancellationThreshold={"type": "number", "value": 90, "batch": False},
                              description="d", organizations=["o"])
    validate(created.json(), ("/jobs/{jobId}", "put", "200"))
    central.put_job("schema-command", group="thermostat-devices",
                    data=[{"type": "command", "target": THERMOSTAT, "path": "settings.reboot"}])
    central.put_job("schema-cloud", group="gateway-devices",
                    data=[{"type": "cloudProperty", "target": GATEWAY, "path": "customerName", "value": "c"}])
    for job_id in ("schema-job", "schema-command", "schema-cloud"):
        validate(central.wait(job_id), ("/jobs/{jobId}", "get", "200"))
    validate(central.ok("GET", "/jobs"), ("/jobs", "get", "200"))
    validate(central.ok("GET", "/jobs/schema-job/devices"), ("/jobs/{jobId}/devices", "get", "200"))
    validate(central.ok("PUT", "/jobs/schema-job/rerun/schema-rerun"), ("/jobs/{jobId}/rerun/{rerunId}", "put", "200"))


@pytest.mark.parametrize("call", [
    lambda c: c.call("GET", "/jobs", auth=""),
    lambda c: c.call("GET", "/jobs", api_version="1999-01-01"),
    lambda c: c.call("GET", "/jobs/nope"),
    lambda c: c.call("PUT", "/jobs/x", json={"group": "nope"}),
    lambda c: c.call("POST", "/jobs/nope/stop"),
    lambda c: c.call("PUT", "/deviceGroups/x", json={"displayName": "x", "filter": "nonsense"}),
    lambda c: c.call("GET", "/no/such/route"),
    lambda c: c.call("DELETE", "/jobs/x"),
])
def test_error_bodies_validate(central, validate, call):
    response = call(central)
    assert response.status_code >= 400
    validate(response.json(), "Error")


def _same_documented_fields(actual, documented, statuses=("pending", "running")):
    """Every documented field is there with its documented value; the status may be any live status."""
    for key, value in documented.items():
        assert key in actual, key
        if key == "status":
            assert actual[key] in statuses, actual
        else:
            assert actual[key] == value, key


def test_jobs_examples_replay(central, emulator, validate):
    # The examples' group and template do not exist in a fresh application: make them, and move some devices
    # onto that template with a migration job, so that the example job has devices to run on.
    model = {"@id": EXAMPLE_TEMPLATE + ":model", "@type": "Interface", "contents": [
        {"@type": "Component", "name": "componentName", "schema": {"@type": "Interface", "contents": [
            {"@type": "Property", "name": "propertyName", "schema": "string", "writable": True}]}}]}
    central.ok("PUT", "/deviceTemplates/" + EXAMPLE_TEMPLATE,
               json={"@type": ["ModelDefinition", "DeviceModel"], "displayName": "Example", "capabilityModel": model})
    central.ok("PUT", "/jobs/setup", json={"group": "gateway-devices", "data": [
        {"type": "deviceTemplateMigration", "template": EXAMPLE_TEMPLATE}]})
    assert central.wait("setup")["status"] == "complete"
    central.ok("PUT", "/deviceGroups/" + EXAMPLE_GROUP, json={
        "displayName": "Example", "filter": 'SELECT * FROM devices WHERE $template = "%s"' % EXAMPLE_TEMPLATE})
    emulator.configure(central_failure_rate=0.5, central_device_ops_per_second=0.1)

    create = example("jobs_create.json")
    params = create["parameters"]
    assert params["api-version"] == "2022-07-31"
    job_path = "/jobs/" + params["jobId"]
    created = central.ok("PUT", job_path, json=params["body"])
    validate(created, ("/jobs/{jobId}", "put", "200"))
    _same_documented_fields(created, create["responses"]["200"]["body"])

    got = central.ok("GET", "/jobs/" + example("jobs_get.json")["parameters"]["jobId"])
    _same_documented_fields(got, example("jobs_get.json")["responses"]["200"]["body"])

    listed = central.ok("GET", "/jobs")
    (documented,) = example("jobs_list.json")["responses"]["200"]["body"]["value"]
    (item,) = [job for job in listed["value"] if job["id"] == documented["id"]]
    _same_documented_fields(item, documented)

    for name, action in (("jobs_stop.json", "stop"), ("jobs_resume.json", "resume")):
        replay = example(name)
        response = central.call("POST", "/jobs/%s/%s" % (replay["parameters"]["jobId"], action))
        assert list(replay["responses"]) == ["204"]
        assert response.status_code == 204 and response.content == b""
        if action == "stop":
            assert central.job(params["jobId"])["status"] == "stopped"

    emulator.configure(central_device_ops_per_second=100)
    finished = central.wait(params["jobId"])
    assert finished["progress"]["failed"] > 0

    devices = example("jobs_devices.json")
    statuses = central.ok("GET", "/jobs/%s/devices" % devices["parameters"]["jobId"])
    validate(statuses, ("/jobs/{jobId}/devices", "get", "200"))
    assert all(set(row) == set(devices["responses"]["200"]["body"]["value"][0]) for row in statuses["value"])
    assert {row["status"] for row in statuses["value"]} <= {"completed", "failed"}

    rerun = example("jobs_rerun.json")
    rerun_body = central.ok("PUT", "/jobs/%s/rerun/%s" % (rerun["parameters"]["jobId"], rerun["parameters"]["rerunId"]))
    validate(rerun_body, ("/jobs/{jobId}/rerun/{rerunId}", "put", "200"))
    _same_documented_fields(rerun_body, rerun["responses"]["200"]["body"])
    assert rerun_body["progress"]["total"] == finished["progress"]["failed"]
