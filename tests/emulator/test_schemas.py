"""Every body the emulator returns for the job operations validates against the official swagger
(tests/fixtures/specs/iothub-dataplane/service.json, vendored: see tests/fixtures/specs/SOURCES.md).

Two readings of the swagger follow AutoRest, the generator that consumes it (and made azure-iot-hub's models):
- a schema that is only `{"type": "object"}` (no properties) is AutoRest's "AnyObject", any JSON value: the swagger
  uses it for twin tag and property values ("The values are JSON objects" of any type, like "b1" or 3) and for a
  method payload;
- `format` is checked for date-time (RFC 3339, any number of fractional digits) and int32/int64 ranges.
The swagger has no error definition and no devices.jobs row definition: those bodies are checked against the shapes
contract.md 1.3 and 2.7 give, written out below.
"""
import copy
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SWAGGER = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "iothub-dataplane" / "service.json"
BASE_URI = "https://emulator.invalid/service.json"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

ERROR_BODY = {  # contract.md 1.3, format 1
    "type": "object",
    "required": ["Message", "ExceptionMessage"],
    "additionalProperties": False,
    "properties": {
        "Message": {"type": "string", "pattern": r"^ErrorCode:[A-Za-z]+;.+"},
        "ExceptionMessage": {
            "type": "string",
            "pattern": r"^Tracking ID:[0-9a-f]{32}(-G:\d+)?-TimeStamp:\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$"},
    },
}
DEVICE_JOB_ROW = {  # contract.md 2.7 (DeviceJob of the C# SDK)
    "type": "object",
    "required": ["deviceId", "jobId", "jobType", "status", "startTimeUtc", "createdDateTimeUtc",
                 "lastUpdatedDateTimeUtc", "outcome"],
    "properties": {
        "deviceId": {"type": "string"}, "jobId": {"type": "string"},
        "jobType": {"enum": ["scheduleUpdateTwin", "scheduleDeviceMethod"]},
        "status": {"enum": ["pending", "scheduled", "running", "completed", "failed", "canceled"]},
        "startTimeUtc": {"type": "string", "format": "date-time"},
        "endTimeUtc": {"type": "string", "format": "date-time"},
        "createdDateTimeUtc": {"type": "string", "format": "date-time"},
        "lastUpdatedDateTimeUtc": {"type": "string", "format": "date-time"},
        "outcome": {"oneOf": [{"type": "null"}, {
            "type": "object", "required": ["deviceMethodResponse"],
            "properties": {"deviceMethodResponse": {"type": "object", "required": ["status"],
                                                    "properties": {"status": {"type": "integer"}}}}}]},
        "error": {"type": "object", "required": ["code", "description"],
                  "properties": {"code": {"type": "string"}, "description": {"type": "string"}}},
    },
}


def _any_object(schema):
    keys = set(schema) - {"description", "title"}
    return schema.get("type") == "object" and keys == {"type"}


def autorest_reading(node):
    """The swagger with AutoRest's AnyObject applied: a bare {"type": "object"} schema accepts any JSON value."""
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

    @checker.checks("int32")
    def int32(value):
        return not isinstance(value, int) or -2 ** 31 <= value < 2 ** 31

    @checker.checks("int64")
    def int64(value):
        return not isinstance(value, int) or -2 ** 63 <= value < 2 ** 63

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
        """schema: a definition name, a swagger (path, method, status) response, or a schema dict."""
        if isinstance(schema, str):
            schema = {"$ref": BASE_URI + "#/definitions/" + schema}
        elif isinstance(schema, tuple):
            path, method, status = schema
            response_schema = document["paths"][path][method]["responses"][status]["schema"]
            schema = json.loads(json.dumps(response_schema).replace('"#/', '"%s#/' % BASE_URI))
        validator = Draft4Validator(schema, registry=registry, format_checker=checker)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join("%s: %s" % (list(e.absolute_path), e.message) for e in errors)
        return instance

    return check


def test_the_reading_of_the_swagger_still_rejects_wrong_bodies(validate):
    """Guard the validator itself: the AutoRest reading must not make everything valid."""
    with pytest.raises(AssertionError):
        validate({"jobId": 1, "status": "queued"}, "JobResponse")
    with pytest.raises(AssertionError):
        validate({"status": "paused"}, "JobResponse")
    with pytest.raises(AssertionError):
        validate({"createdTime": "yesterday"}, "JobResponse")
    with pytest.raises(AssertionError):
        validate({"deviceJobStatistics": {"deviceCount": 2 ** 40}}, "JobResponse")
    with pytest.raises(AssertionError):
        validate({"connectionState": "Online"}, "Twin")
    validate({"tags": {"building": "b1", "floor": 3}}, "Twin")  # any JSON value, as AutoRest reads it


def test_job_operation_bodies_validate(emulator, validate):
    emulator.configure(method_failure_rate=0.5)
    twin = emulator.twin_job("tags.ring = 'canary'", tags={"wave": 1, "floor": None},
                             desired={"firmware": {"version": "1.1.0"}})
    method = emulator.method_job("deviceId IN ['device-00001', 'device-00002', 'device-00003', 'device-00004']",
                                 payload={"delay": 0, "list": [1, "two"]})
    for job_id, body in (("schema-twin", twin), ("schema-method", method),
                         ("schema-future", emulator.method_job(start=emulator.iso_now(3600))),
                         ("schema-bad-query", emulator.twin_job("= nonsense", tags={"x": 1}))):
        response = emulator.put_job(job_id, body)
        validate(response.json(), ("/jobs/v2/{id}", "put", "200"))
    cancelled = emulator.hub("POST", "/jobs/v2/schema-future/cancel")
    validate(cancelled.json(), ("/jobs/v2/{id}/cancel", "post", "200"))
    for job_id in ("schema-twin", "schema-method", "schema-bad-query"):
        emulator.wait_job(job_id)
    statuses = set()
    for job_id in ("schema-twin", "schema-method", "schema-future", "schema-bad-query", "never-created"):
        body = emulator.get_job(job_id)
        statuses.add(body["status"])
        validate(body, ("/jobs/v2/{id}", "get", "200"))
    assert statuses == {"completed", "cancelled", "failed", "unknown"}


def test_running_job_body_validates(emulator, validate):
    emulator.configure(device_ops_per_second=0.5)
    emulator.put_job("schema-running", emulator.method_job())
    body = emulator.wait_job("schema-running", ("running",))
    assert body["deviceJobStatistics"]["pendingCount"] > 0
    validate(body, "JobResponse")


def test_jobs_query_bodies_validate(emulator, validate):
    for number in range(3):
        emulator.put_job("schema-q%d" % number, emulator.twin_job("deviceId = 'device-00001'", tags={"n": number}))
    response = emulator.hub("GET", "/jobs/v2/query", headers={"x-ms-max-item-count": "2"})
    page = response.json()
    # The real service answers a bare array of JobResponse (contract.md 2.5), not the swagger's QueryResult.
    assert isinstance(page, list) and len(page) == 2
    validate(page, {"type": "array", "items": {"$ref": BASE_URI + "#/definitions/JobResponse"}})
    emulator.configure(jobs_query_format="object")
    response = emulator.hub("GET", "/jobs/v2/query", headers={"x-ms-max-item-count": "2"})
    body = validate(response.json(), ("/jobs/v2/query", "get", "200"))
    assert body["continuationToken"] == response.headers["x-ms-continuation"]
    for item in body["items"]:
        validate(item, "JobResponse")


def test_devices_query_and_registry_bodies_validate(emulator, validate):
    emulator.configure(disconnected_rate=0.3)
    emulator.put_job("schema-rows", emulator.twin_job("tags.ring = 'canary'", desired={"firmware": {"version": "2"}}))
    emulator.wait_job("schema-rows")
    twins = emulator.query("SELECT * FROM devices WHERE tags.floor >= 1", page_size=50)
    assert twins.headers["x-ms-item-type"] == "Twin" and twins.headers["x-ms-continuation"]
    validate(twins.json(), ("/devices/query", "post", "200"))
    assert {twin["connectionState"] for twin in twins.json()} == {"Connected", "Disconnected"}
    validate(emulator.hub("GET", "/twins/device-00001").json(), ("/twins/{id}", "get", "200"))
    patched = emulator.hub("PATCH", "/twins/device-00001", json={"tags": {"zone": {"name": "north"}}})
    validate(patched.json(), ("/twins/{id}", "patch", "200"))
    validate(emulator.hub("GET", "/devices/device-00001").json(), ("/devices/{id}", "get", "200"))
    created = emulator.hub("PUT", "/devices/schema-device", json={"deviceId": "schema-device"})
    validate(created.json(), ("/devices/{id}", "put", "200"))
    rows = emulator.query("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'schema-rows'")
    assert rows.headers["x-ms-item-type"] == "DeviceJob"
    for row in rows.json():
        validate(row, DEVICE_JOB_ROW)


def test_device_job_rows_of_failed_methods_validate(emulator, validate):
    emulator.configure(method_failure_rate=1.0)
    emulator.put_job("schema-failing", emulator.method_job("deviceId = 'device-00002'"))
    emulator.wait_job("schema-failing")
    (row,) = emulator.query("SELECT * FROM devices.jobs").json()
    assert row["status"] == "failed"
    validate(row, DEVICE_JOB_ROW)


@pytest.mark.parametrize("call", [
    lambda e: e.hub("GET", "/jobs/v2/x", auth=False),
    lambda e: e.hub("GET", "/jobs/v2/x", api_version="1999-01-01"),
    lambda e: e.put_job("bad_id", e.twin_job(tags={"x": 1})),
    lambda e: e.hub("POST", "/jobs/v2/nope/cancel"),
    lambda e: e.query("SELECT nonsense"),
    lambda e: e.hub("GET", "/no/such/route"),
])
def test_error_bodies_validate(emulator, validate, call):
    response = call(emulator)
    assert response.status_code >= 400
    validate(response.json(), ERROR_BODY)
