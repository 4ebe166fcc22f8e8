# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Replay of the official specs (tests/fixtures/specs, see its SOURCES.md) through the modules' own code.

1. Responses: every response example of the vendored specs goes through the projection the modules use for it and
   the result is compared field by field with the example. The expected projection is built here from a table of
   the wire fields (wire name -> Ansible name, conversion, absent value) written independently of plugins/, and a
   wire field the table does not know fails the test (a field the projection would miss).

   Covered, per spec:
   - ARM 2023-06-30 (iothub-arm/2023-06-30/examples/, 4): iothub_getjob, iothub_listjobs, iothub_exportdevices,
     iothub_importdevices, through `_arm.job_to_ansible` (get_job, list_jobs) and
     `_import_export.arm_job_to_ansible` (Arm.get, Arm.list_jobs, Arm.create).
   - IoT Central 2022-07-31 and 2022-10-31-preview (iotcentral/*/examples/, 13 per version, 26): jobs_create,
     jobs_get, jobs_list, jobs_rerun, jobs_devices, jobs_stop, jobs_resume, scheduledjobs_create, scheduledjobs_get,
     scheduledjobs_list, scheduledjobs_update, scheduledjobs_list_jobs, scheduledjobs_delete; and
     devicegroups_getdevices (2022-07-31, 1). Through `_iotcentral.job_to_ansible` (CentralJob.create, find_jobs,
     CentralLifecycle.rerun), `device_status_to_ansible` (job_devices), `count_group_devices`,
     `_iotcentral_scheduled.scheduled_job_to_ansible` (create, update, find_scheduled_jobs), `scheduled_job_runs`;
     the 204 examples (stop, resume, scheduled delete) through CentralLifecycle.transition and
     ScheduledCentralJob.remove.
   - IoT Hub data plane 2021-04-12 (iothub-dataplane/service.json): the swagger has no x-ms-examples. Bodies written
     here holding every property of JobResponse and JobProperties (checked against the definitions, validated
     against the swagger) go through `_iothub.job_to_ansible` and `_import_export.job_to_ansible`; a devices.jobs row
     (contract.md 2.7; the swagger has no DeviceJob definition) through `device_job_to_ansible`.

   The examples are sparse (no Job with start, end or progress, no ARM job with failureReason or parentJobId): one
   body per response definition (ARM JobResponse, IoT Central Job and ScheduledJob) holding every property it
   defines, validated against the spec, is projected field by field as well.

   The specs hold no error example: error bodies holding every property of the specs' error definitions (IoT
   Central `Error`, ARM `ErrorDetails`), validated against them, go through `_client.parse_error`.

2. Requests: every request body the modules build validates against the spec's request schema with jsonschema (the
   spec's definitions resolved, x-ms-discriminator subtypes resolved, AutoRest's reading of a bare
   {"type": "object"} as any value), and holds no key the schema does not declare. Where an example documents a
   request, the module's body for the same options is compared with it.

3. The vendored files are the ones SOURCES.md lists (git blob sha), and every example file is replayed above.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from ansible_collections.azure_iot.jobs.plugins.module_utils import _arm, _import_export, _iotcentral, _iothub
from ansible_collections.azure_iot.jobs.plugins.module_utils import _iotcentral_scheduled as _scheduled
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import parse_error
from ansible_collections.azure_iot.jobs.plugins.module_utils._wait import WaitOptions
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, expect, pages

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
DATA_PLANE = SPECS / "iothub-dataplane" / "service.json"
ARM_DIR = SPECS / "iothub-arm" / "2023-06-30"
CENTRAL = SPECS / "iotcentral"
CENTRAL_VERSIONS = ("2022-07-31", "2022-10-31-preview")
CENTRAL_SWAGGER = CENTRAL / "2022-07-31" / "iotcentral.json"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
RFC1123 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{4} \d\d:\d\d:\d\d GMT$")


def load(path):
    """A vendored file; a missing one fails the test (never skipped)."""
    if not path.is_file():
        pytest.fail("vendored spec file missing: %s (see tests/fixtures/specs/SOURCES.md)" % path)
    return json.loads(path.read_text(encoding="utf-8"))


def arm_example(name):
    return load(ARM_DIR / "examples" / name)


def central_example(version, name):
    return load(CENTRAL / version / "examples" / name)


# ---------------------------------------------------------------------------------------------- schema validation

class Spec(object):
    """A swagger document, validated the way AutoRest (the generator of the official clients) reads it."""

    def __init__(self, path):
        self.uri = "https://spec.invalid/" + path.name
        self.document = self._autorest(load(path))
        self.definitions = self.document["definitions"]
        self.registry = Registry().with_resource(self.uri, Resource.from_contents(
            self.document, default_specification=DRAFT4))
        checker = FormatChecker(formats=())
        checks = {
            "date-time": lambda v: bool(RFC3339.match(v)),
            "date-time-rfc1123": lambda v: bool(RFC1123.match(v)),
            "int32": lambda v: -2 ** 31 <= v < 2 ** 31,
            "int64": lambda v: -2 ** 63 <= v < 2 ** 63,
        }
        for name, check in checks.items():
            checker.checks(name)(lambda value, check=check, name=name: not isinstance(
                value, int if name.startswith("int") else str) or isinstance(value, bool) or check(value))
        self.checker = checker

    @staticmethod
    def _autorest(node):
        """A bare {"type": "object"} schema is AutoRest's AnyObject: any JSON value."""
        if isinstance(node, dict):
            if node.get("type") == "object" and set(node) - {"description", "title"} == {"type"}:
                return {k: v for k, v in node.items() if k != "type"}
            return {k: Spec._autorest(v) for k, v in node.items()}
        if isinstance(node, list):
            return [Spec._autorest(v) for v in node]
        return node

    def ref(self, name):
        return {"$ref": self.uri + "#/definitions/" + name}

    def response(self, path, method, status):
        schema = self.document["paths"][path][method]["responses"][status]["schema"]
        return json.loads(json.dumps(schema).replace('"#/', '"%s#/' % self.uri))

    def request(self, path, method):
        (param,) = [p for p in self.document["paths"][path][method]["parameters"] if p.get("in") == "body"]
        return json.loads(json.dumps(param["schema"]).replace('"#/', '"%s#/' % self.uri))

    def _resolve(self, schema):
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _merged(self, schema):
        """(properties, required, additionalProperties, discriminator) of a schema with its allOf parts."""
        schema = self._resolve(schema)
        properties, required = dict(schema.get("properties", {})), list(schema.get("required", []))
        additional, discriminator = schema.get("additionalProperties"), schema.get("discriminator")
        for part in schema.get("allOf", []):
            props, req, add, disc = self._merged(part)
            properties.update(props)
            required += req
            additional = additional if additional is not None else add
            discriminator = discriminator or disc
        return properties, required, additional, discriminator

    def _subtype(self, schema, value):
        """The definition an x-ms-discriminator value names, among those that extend `schema` with allOf."""
        base = self._resolve(schema)
        for name, definition in self.definitions.items():
            parents = [self._resolve(part) for part in definition.get("allOf", [])]
            if any(parent is base for parent in parents) and definition.get("x-ms-discriminator-value", name) == value:
                return name
        return None

    def problems(self, instance, schema, where="body"):
        """Every schema error, every key the schema does not declare, every unknown discriminator value."""
        validator = Draft4Validator(schema, registry=self.registry, format_checker=self.checker)
        found = ["%s.%s: %s" % (where, ".".join(map(str, e.absolute_path)), e.message)
                 for e in validator.iter_errors(instance)]
        return found + self._undeclared(instance, schema, where)

    def _undeclared(self, instance, schema, where):
        schema = self._resolve(schema)
        if isinstance(instance, list):
            items = schema.get("items")
            return [p for i, item in enumerate(instance) for p in
                    (self._undeclared(item, items, "%s[%d]" % (where, i)) if items else [])]
        if not isinstance(instance, dict):
            return []
        properties, _required, additional, _inherited = self._merged(schema)
        discriminator = schema.get("discriminator")  # a base schema; a subtype inherits it through allOf
        if not properties and additional is None:
            return []  # any object (AnyObject, twin tags and properties)
        found = []
        if discriminator and discriminator in instance:
            subtype = self._subtype(schema, instance[discriminator])
            if subtype is None:
                return ["%s.%s: %r names no subtype" % (where, discriminator, instance[discriminator])]
            found += self.problems(instance, self.ref(subtype), where)  # the subtype's own required fields
            properties = self._merged(self.definitions[subtype])[0]
        for key, value in instance.items():
            if key in properties:
                found += self._undeclared(value, properties[key], where + "." + key)
            elif isinstance(additional, dict):
                found += self._undeclared(value, additional, where + "." + key)
            elif additional is not True:
                found.append("%s.%s: not a property of the schema" % (where, key))
        return found

    def validate(self, instance, schema, where="body"):
        schema = self.ref(schema) if isinstance(schema, str) else schema
        found = self.problems(instance, schema, where)
        assert not found, "\n".join(found)
        return instance


@pytest.fixture(scope="module")
def data_plane():
    return Spec(DATA_PLANE)


@pytest.fixture(scope="module")
def arm_spec():
    return Spec(ARM_DIR / "iothub.json")


@pytest.fixture(scope="module")
def central_spec():
    return Spec(CENTRAL_SWAGGER)


def test_the_validator_rejects_what_the_spec_does_not_allow(data_plane, arm_spec, central_spec):
    """Guard the validation itself: wrong types, unknown keys and subtypes, missing subtype fields all fail."""
    wrong = [
        (data_plane, {"jobId": "j", "type": "scheduleUpdateTwin", "maxExecutionTimeInSecs": 5}, "JobRequest"),
        (data_plane, {"jobId": "j", "startTime": "tomorrow"}, "JobRequest"),
        (data_plane, {"type": "export", "outputBlobContainerUri": 3}, "JobProperties"),
        (data_plane, {"cloudToDeviceMethod": {"methodName": "m", "timeout": 3}}, "JobRequest"),
        (arm_spec, {"exportBlobContainerUri": "https://x"}, "ExportDevicesRequest"),
        (arm_spec, {"exportBlobContainerUri": "u", "excludeKeys": False, "authType": "keyBased"},
         "ExportDevicesRequest"),
        (central_spec, {"group": "g", "data": [{"type": "property", "target": "t"}]}, "Job"),
        (central_spec, {"group": "g", "data": [{"type": "deviceTemplateMigration"}]}, "Job"),
        (central_spec, {"group": "g", "data": [{"type": "firmware", "target": "t", "path": "p"}]}, "Job"),
        (central_spec, {"group": "g", "data": [{"type": "command", "target": "t", "path": "p", "x": 1}]}, "Job"),
        (central_spec, {"group": "g", "data": [],
                        "schedule": {"start": "2030-01-01T00:00:00Z", "end": {"type": "occurrences"}}},
         "ScheduledJob"),
        (central_spec, {"group": "g", "data": [],
                        "schedule": {"start": "2030-01-01T00:00:00Z", "recurrence": "hourly"}},
         "ScheduledJob"),
    ]
    for spec, body, schema in wrong:
        with pytest.raises(AssertionError):
            spec.validate(body, schema)
    data_plane.validate({"updateTwin": {"tags": {"a": 1, "b": "x"}, "properties": {"desired": {"v": [1]}}}},
                        "JobRequest")


# ----------------------------------------------------------------------------------- field-by-field projection

OMIT = object()  # the projection has no such key when the wire field is absent


class F(object):
    """A wire field: where it lands in the projection (one or more (name, conversion)), its nested fields or the
    fields of its list items, and the projection's value when the field is absent (OMIT: no key). No target:
    deliberately not projected (why)."""

    def __init__(self, *targets, nested=None, items=None, absent=None, why=None):
        self.targets = [(t, None) if isinstance(t, str) else t for t in targets]
        self.nested = nested
        self.items = items
        self.absent = absent
        self.why = why


def expected_projection(body, fields, where=""):
    """(the projection the table says `body` becomes, the wire paths the table does not know)."""
    out, unknown = {}, []
    for field in fields.values():
        for name, _convert in field.targets:
            if field.absent is not OMIT:
                out[name] = copy.deepcopy(field.absent)
    for key, value in body.items():
        field = fields.get(key)
        if field is None:
            unknown.append(where + key)
            continue
        for name, convert in field.targets:
            if field.nested is not None and isinstance(value, dict):
                out[name], more = expected_projection(value, field.nested, where + key + ".")
                unknown += more
            elif field.items is not None:
                out[name] = []
                for index, item in enumerate(value or []):
                    projected, more = expected_projection(item, field.items, "%s%s[%d]." % (where, key, index))
                    out[name].append(projected)
                    unknown += more
            else:
                out[name] = convert(value) if convert else value
    return out, unknown


def assert_field_by_field(actual, body, fields, known_gaps=()):
    """The projection of `body` is what the table says, key by key; the unknown wire fields are `known_gaps`."""
    expected, unknown = expected_projection(body, fields)
    assert sorted(unknown) == sorted(known_gaps), "wire fields the projection does not read: %s" % unknown
    assert sorted(actual) == sorted(expected), "projection keys differ"
    for key in expected:
        assert actual[key] == expected[key], "%s: projected %r, the example says %r" % (key, actual[key],
                                                                                        expected[key])


def iso_from_rfc1123(value):
    return datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT").strftime("%Y-%m-%dT%H:%M:%SZ")


ARM_JOB = {  # iothub.json JobResponse
    "jobId": F("job_id"), "type": F("type"), "status": F("status"),
    "startTimeUtc": F(("start_time", iso_from_rfc1123), "start_time_utc"),
    "endTimeUtc": F(("end_time", iso_from_rfc1123), "end_time_utc"),
    "failureReason": F("failure_reason"), "statusMessage": F("status_message"), "parentJobId": F("parent_job_id"),
}
# iothub_import_export_job's job: the data-plane keys, what ARM does not report is None.
IMPORT_EXPORT_ABSENT = {name: F(name) for name in ("progress", "exclude_keys", "input_blob_name", "output_blob_name",
                                                   "storage_auth", "include_configurations",
                                                   "configurations_blob_name")}
ARM_IMPORT_EXPORT_JOB = dict(IMPORT_EXPORT_ABSENT, **{
    "jobId": F("job_id"), "type": F("type"), "status": F("status"),
    "startTimeUtc": F(("start_time", iso_from_rfc1123)), "endTimeUtc": F(("end_time", iso_from_rfc1123)),
    "failureReason": F("failure_reason"), "statusMessage": F("status_message"),
    "parentJobId": F(why="not part of the import/export job result"),
})

CENTRAL_DATA_TYPES = {"property": "property", "command": "command", "cloudProperty": "cloud_property",
                      "deviceTemplateMigration": "device_template_migration"}
CENTRAL_DATA = {  # JobData and its subtypes
    "type": F(("type", lambda v: CENTRAL_DATA_TYPES.get(v, v))), "target": F("target"), "path": F("path"),
    "value": F("value"), "template": F("template"),
}
CENTRAL_LIMIT = {"type": F("type"), "value": F("value")}
CENTRAL_REQUEST = {  # the request fields Job and ScheduledJob share
    "displayName": F("display_name"), "description": F("description"), "group": F("group"),
    "batch": F("batch", nested=CENTRAL_LIMIT),
    "cancellationThreshold": F("cancellation_threshold", nested=dict(CENTRAL_LIMIT, batch=F("batch", absent=False))),
    "data": F("data", items=CENTRAL_DATA, absent=[]), "organizations": F("organizations"),
}
CENTRAL_JOB = dict(CENTRAL_REQUEST, **{  # Job
    "id": F("job_id"), "status": F("status"), "scheduledJobId": F("scheduled_job_id"),
    "start": F("start_time"), "end": F("end_time"),
    "progress": F("progress", nested={key: F(key) for key in ("total", "pending", "completed", "failed")},
                  absent={"total": None, "pending": None, "completed": None, "failed": None}),
})
CENTRAL_SCHEDULE_END = {"type": F("type"), "date": F("date"), "occurrences": F("occurrences")}
CENTRAL_SCHEDULED_JOB = dict(CENTRAL_REQUEST, **{  # ScheduledJob
    "id": F("job_id"), "etag": F("etag"), "enabled": F("enabled"), "completed": F("completed"),
    "schedule": F("schedule", nested={"start": F("start"), "recurrence": F("recurrence"),
                                      "end": F("end", nested=CENTRAL_SCHEDULE_END)},
                  absent={"start": None, "recurrence": None, "end": None}),
})
CENTRAL_DEVICE_STATUS = {"id": F("device_id"), "status": F("status")}  # JobDeviceStatus

HUB_TYPES = {"scheduleUpdateTwin": "update_twin", "scheduleDeviceMethod": "device_method"}


def hub_twin_patch(twin):
    desired = {k: v for k, v in ((twin.get("properties") or {}).get("desired") or {}).items() if k[0] != "$"}
    return {"tags": twin.get("tags") or None, "desired": desired or None}


HUB_JOB = {  # service.json JobResponse
    "jobId": F("job_id"), "type": F(("type", lambda v: HUB_TYPES.get(v, v))), "status": F("status"),
    "queryCondition": F("query"), "createdTime": F("created_time"), "startTime": F("start_time"),
    "endTime": F("end_time"), "maxExecutionTimeInSeconds": F("max_execution_time"),
    "failureReason": F("failure_reason"), "statusMessage": F("status_message"),
    "deviceJobStatistics": F("statistics", nested={
        "deviceCount": F("device_count"), "succeededCount": F("succeeded"), "failedCount": F("failed"),
        "pendingCount": F("pending"), "runningCount": F("running")}),
    # A twin update job has twin_patch, a method job has method (HUB_TWIN_JOB below has both fields: both keys).
    "updateTwin": F(("twin_patch", hub_twin_patch), absent=OMIT),
    "cloudToDeviceMethod": F("method", nested={
        "methodName": F("name"), "payload": F("payload"), "connectTimeoutInSeconds": F("connect_timeout"),
        "responseTimeoutInSeconds": F("response_timeout")}, absent=OMIT),
}
HUB_IMPORT_EXPORT_JOB = {  # service.json JobProperties
    "jobId": F("job_id"), "type": F("type"), "status": F("status"), "progress": F("progress"),
    "startTimeUtc": F("start_time"), "endTimeUtc": F("end_time"), "failureReason": F("failure_reason"),
    "statusMessage": F("status_message"), "excludeKeysInExport": F("exclude_keys"),
    "inputBlobName": F("input_blob_name"), "outputBlobName": F("output_blob_name"),
    "storageAuthenticationType": F(("storage_auth", {"keyBased": "key_based", "identityBased": "identity_based"}.get)),
    "includeConfigurations": F("include_configurations"), "configurationsBlobName": F("configurations_blob_name"),
    "inputBlobContainerUri": F(why="a SAS URI: a secret, never returned"),
    "outputBlobContainerUri": F(why="a SAS URI: a secret, never returned"),
}


def test_the_field_by_field_check_fails_on_a_missed_or_misread_field():
    """Guard the comparison itself: a wrong value, a missing key and an unknown wire field all fail."""
    body = {"id": "j", "status": "running", "data": [], "group": "g"}
    good = _iotcentral.job_to_ansible(body)
    assert_field_by_field(good, body, CENTRAL_JOB)
    with pytest.raises(AssertionError):
        assert_field_by_field(dict(good, status="complete"), body, CENTRAL_JOB)
    with pytest.raises(AssertionError):
        assert_field_by_field({k: v for k, v in good.items() if k != "group"}, body, CENTRAL_JOB)
    with pytest.raises(AssertionError):
        assert_field_by_field(good, dict(body, priority=1), CENTRAL_JOB)
    with pytest.raises(AssertionError):
        assert_field_by_field(dict(good, progress=None), body, CENTRAL_JOB)


# -------------------------------------------------------------------------------------------------- ARM replay

SUBSCRIPTION = "91d12660-3dec-467a-be2a-213b5544ddc0"


def arm_hub(example):
    params = example["parameters"]
    assert params["api-version"] == _arm.API_VERSION
    assert params["subscriptionId"] == SUBSCRIPTION
    return _arm.ArmHub(params["subscriptionId"], params["resourceGroupName"], params["resourceName"])


def test_arm_getjob_example(arm_spec):
    example = arm_example("iothub_getjob.json")
    documented = arm_spec.validate(example["responses"]["200"]["body"], "JobResponse")
    hub = arm_hub(example)
    path = hub.path + "/jobs/{job_id}"
    client = FakeClient([expect("GET", path, path_params={"job_id": example["parameters"]["jobId"]}, body=documented),
                         expect("GET", path, path_params={"job_id": "test"}, body=documented)])
    assert_field_by_field(_arm.get_job(client, hub, example["parameters"]["jobId"]), documented, ARM_JOB)
    assert_field_by_field(_import_export.Arm(client, hub).get("test"), documented, ARM_IMPORT_EXPORT_JOB)
    client.assert_done()


def test_arm_listjobs_example(arm_spec):
    example = arm_example("iothub_listjobs.json")
    body = arm_spec.validate(example["responses"]["200"]["body"], "JobResponseListResult")
    hub = arm_hub(example)
    client = FakeClient([pages("GET", hub.path + "/jobs", [body["value"]]),
                         pages("GET", hub.path + "/jobs", [body["value"]])])
    jobs = _arm.list_jobs(client, hub)
    assert len(jobs) == len(body["value"]) == 1
    for job, documented in zip(jobs, body["value"]):
        assert_field_by_field(job, documented, ARM_JOB)
    listed = _import_export.Arm(client, hub).list_jobs()
    assert [raw for _job, raw in listed] == body["value"]
    for (job, _raw), documented in zip(listed, body["value"]):
        assert_field_by_field(job, documented, ARM_IMPORT_EXPORT_JOB)
    client.assert_done()


@pytest.mark.parametrize("name, kind, parameter, schema", [
    ("iothub_exportdevices.json", "export", "exportDevicesParameters", "ExportDevicesRequest"),
    ("iothub_importdevices.json", "import", "importDevicesParameters", "ImportDevicesRequest"),
])
def test_arm_export_import_examples(arm_spec, name, kind, parameter, schema):
    """The module's POST body for the example's options is the example's plus the storage authentication it always
    states; the answer is projected field by field."""
    example = arm_example(name)
    documented_request = arm_spec.validate(example["parameters"][parameter], schema)
    documented = arm_spec.validate(example["responses"]["200"]["body"], "JobResponse")
    hub = arm_hub(example)
    options = {"type": kind, "output_container_uri": documented_request.get("exportBlobContainerUri")
               or documented_request.get("outputBlobContainerUri"),
               "input_container_uri": documented_request.get("inputBlobContainerUri"),
               "exclude_keys": documented_request.get("excludeKeys")}
    request = _import_export.Request(options)
    body = arm_spec.validate(request.arm_body(), schema)
    assert body == dict(documented_request, authenticationType="keyBased")
    path = hub.path + ("/exportDevices" if kind == "export" else "/importDevices")
    client = FakeClient([expect("POST", path, json=body, body=documented)])
    job = _import_export.Arm(client, hub).create(request)
    client.assert_done()
    assert_field_by_field(job, documented, ARM_IMPORT_EXPORT_JOB)
    assert_field_by_field(_arm.job_to_ansible(documented), documented, ARM_JOB)


# ------------------------------------------------------------------------------------------ IoT Central replay

CENTRAL_JOB_PATH = "/jobs/{job_id}"


def central_params(example):
    """The module options a Job / ScheduledJob request body stands for."""
    snake = {"displayName": "display_name", "description": "description", "group": "group",
             "organizations": "organizations"}
    params = {snake[key]: value for key, value in example.items() if key in snake}
    if "batch" in example:
        params["batch"] = dict(example["batch"])
    if "cancellationThreshold" in example:
        params["cancellation_threshold"] = dict(example["cancellationThreshold"])
    params["data"] = [{"type": CENTRAL_DATA_TYPES[item["type"]], "target": item.get("target"),
                       "path": item.get("path"), "value": item.get("value"), "template": item.get("template")}
                      for item in example["data"]]
    return params


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_jobs_create_example(central_spec, version):
    """The module builds the example's request body from the same options, and projects the answer."""
    example = central_example(version, "jobs_create.json")
    assert example["parameters"]["api-version"] == version
    documented_request = central_spec.validate(example["parameters"]["body"], "Job")
    documented = central_spec.validate(example["responses"]["200"]["body"], "Job")
    params = dict(central_params(documented_request), job_id=example["parameters"]["jobId"])
    job = _iotcentral.CentralJob.from_params(params)
    body = central_spec.validate(_iotcentral.request_body(job.request), "Job")
    assert body == documented_request
    client = FakeClient([expect("PUT", CENTRAL_JOB_PATH, path_params={"job_id": "myJobId"}, json=body,
                                body=documented)])
    assert_field_by_field(job.create(client), documented, CENTRAL_JOB)
    client.assert_done()


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_jobs_get_example(central_spec, version):
    example = central_example(version, "jobs_get.json")
    documented = central_spec.validate(example["responses"]["200"]["body"],
                                       central_spec.response("/jobs/{jobId}", "get", "200"))
    job_id = example["parameters"]["jobId"]
    client = FakeClient([expect("GET", CENTRAL_JOB_PATH, path_params={"job_id": job_id}, body=documented)])
    (job,) = _iotcentral.find_jobs(client, job_id=job_id)
    client.assert_done()
    assert_field_by_field(job, documented, CENTRAL_JOB)
    again = FakeClient([expect("GET", CENTRAL_JOB_PATH, path_params={"job_id": job_id}, body=documented)])
    assert_field_by_field(_iotcentral.CentralJob(job_id).get(again), documented, CENTRAL_JOB)
    again.assert_done()


# The 2022-10-31-preview list example holds a job of a data type 2022-07-31 does not have (deviceManifestMigration,
# whose item carries `manifest`): the projection drops `manifest` (reported; the modules call 2022-07-31).
PREVIEW_LIST_GAPS = {"2022-07-31": (), "2022-10-31-preview": ("data[0].manifest",)}


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_jobs_list_example(central_spec, version):
    example = central_example(version, "jobs_list.json")
    body = example["responses"]["200"]["body"]
    if version == "2022-07-31":
        central_spec.validate(body, "JobCollection")
    client = FakeClient([pages("GET", "/jobs", [body["value"]])])
    jobs = _iotcentral.find_jobs(client)
    client.assert_done()
    assert [job["job_id"] for job in jobs] == [item["id"] for item in body["value"]]
    gaps = []
    for job, documented in zip(jobs, body["value"]):
        _expected, unknown = expected_projection(documented, CENTRAL_JOB)
        gaps += unknown
        assert_field_by_field(job, documented, CENTRAL_JOB, known_gaps=unknown)
    assert gaps == list(PREVIEW_LIST_GAPS[version])


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_jobs_devices_example(central_spec, version):
    example = central_example(version, "jobs_devices.json")
    body = central_spec.validate(example["responses"]["200"]["body"], "JobDeviceStatusCollection")
    client = FakeClient([pages("GET", "/jobs/{job_id}/devices", [body["value"]]),
                         pages("GET", "/jobs/{job_id}/devices", [body["value"]])])
    devices = _iotcentral.job_devices(client, example["parameters"]["jobId"])
    assert len(devices) == len(body["value"]) == 5
    for device, documented in zip(devices, body["value"]):
        assert_field_by_field(device, documented, CENTRAL_DEVICE_STATUS)
    assert _iotcentral.job_devices(client, "myJobId", ["failed"]) == []  # every documented device completed
    client.assert_done()


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_jobs_rerun_example(central_spec, version):
    """A rerun of the example job (complete, one failed device) answered by the example's rerun job."""
    example = central_example(version, "jobs_rerun.json")
    documented = central_spec.validate(example["responses"]["200"]["body"], "Job")
    original = dict(central_example(version, "jobs_get.json")["responses"]["200"]["body"], status="complete",
                    progress={"total": 5, "pending": 0, "completed": 4, "failed": 1})
    params = example["parameters"]
    lifecycle = _iotcentral.CentralLifecycle(
        None, _iotcentral.CentralJob.from_params({"job_id": params["jobId"], "rerun": params["rerunId"]}),
        wait=WaitOptions(wait=False))
    client = FakeClient([
        expect("GET", CENTRAL_JOB_PATH, path_params={"job_id": params["rerunId"]}, status=404),
        expect("GET", CENTRAL_JOB_PATH, path_params={"job_id": params["jobId"]}, body=original),
        expect("PUT", "/jobs/{job_id}/rerun/{rerun_id}", path_params={"job_id": params["jobId"],
                                                                      "rerun_id": params["rerunId"]},
               body=documented),
    ])
    lifecycle.client = client
    result = lifecycle.rerun()
    client.assert_done()
    assert result["changed"] is True
    assert_field_by_field(result["job"], documented, CENTRAL_JOB)


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
@pytest.mark.parametrize("name, state, before", [("jobs_stop.json", "stopped", "running"),
                                                 ("jobs_resume.json", "running", "stopped")])
def test_central_stop_and_resume_examples(central_spec, version, name, state, before):
    """The documented answer is 204 with no body: the module takes it and reads the job again."""
    example = central_example(version, name)
    assert list(example["responses"]) == ["204"] and example["responses"]["204"] == {}
    job_body = central_spec.validate(central_example(version, "jobs_get.json")["responses"]["200"]["body"], "Job")
    job_id = example["parameters"]["jobId"]
    client = FakeClient([
        expect("GET", CENTRAL_JOB_PATH, path_params={"job_id": job_id}, body=dict(job_body, status=before)),
        expect("POST", "/jobs/{job_id}/%s" % ("stop" if state == "stopped" else "resume"),
               path_params={"job_id": job_id}, status=204),
        expect("GET", CENTRAL_JOB_PATH, path_params={"job_id": job_id}, body=dict(job_body, status=state)),
    ])
    lifecycle = _iotcentral.CentralLifecycle(client, _iotcentral.CentralJob.from_params(
        {"job_id": job_id, "state": state}), wait=WaitOptions(wait=False))
    result = lifecycle.transition(state)
    client.assert_done()
    assert result["changed"] is True
    assert_field_by_field(result["job"], dict(job_body, status=state), CENTRAL_JOB)


def test_central_devicegroups_getdevices_example(central_spec):
    """iotcentral_job counts a group's devices (check mode's targeted_devices) from this answer."""
    example = central_example("2022-07-31", "devicegroups_getdevices.json")
    body = central_spec.validate(example["responses"]["200"]["body"], "DeviceGroupDeviceCollection")
    client = FakeClient([pages("GET", "/deviceGroups/{group_id}/devices", [body["value"]],
                               path_params={"group_id": example["parameters"]["deviceGroupId"]})])
    assert _iotcentral.count_group_devices(client, example["parameters"]["deviceGroupId"]) == len(body["value"]) == 1
    client.assert_done()


NOW = datetime(2022, 5, 24, 22, 0, 0, tzinfo=timezone.utc).timestamp()


def scheduled_params(documented_request, job_id):
    params = dict(central_params(documented_request), job_id=job_id)
    params["schedule"] = copy.deepcopy(documented_request["schedule"])
    if "enabled" in documented_request:
        params["enabled"] = documented_request["enabled"]
    return params


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_scheduledjobs_create_example(central_spec, version):
    """The module's PUT body for the example's options: the example's, with `enabled` stated (the service's default
    is not documented) and no `value` for a command item (the example sends null)."""
    example = central_example(version, "scheduledjobs_create.json")
    documented_request = central_spec.validate(example["parameters"]["body"], "ScheduledJob")
    documented = central_spec.validate(example["responses"]["200"]["body"], "ScheduledJob")
    job_id = example["parameters"]["scheduledJobId"]
    descriptor = _scheduled.ScheduledCentralJob.from_params(scheduled_params(documented_request, job_id),
                                                            now=lambda: NOW)
    body = central_spec.validate(descriptor.create_body(), "ScheduledJob")
    expected = copy.deepcopy(documented_request)
    assert expected["data"][0] == {"type": "command", "target": "dtmi:modelDefinition:test;1", "path": "Reboot",
                                   "value": None}
    del expected["data"][0]["value"]
    expected["enabled"] = True
    assert body == expected
    client = FakeClient([expect("PUT", "/scheduledJobs/{job_id}", path_params={"job_id": job_id}, json=body,
                                body=documented)])
    assert_field_by_field(descriptor.create(client), documented, CENTRAL_SCHEDULED_JOB)
    client.assert_done()


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_scheduledjobs_get_and_list_examples(central_spec, version):
    get = central_example(version, "scheduledjobs_get.json")
    documented = central_spec.validate(get["responses"]["200"]["body"], "ScheduledJob")
    listed = central_spec.validate(central_example(version, "scheduledjobs_list.json")["responses"]["200"]["body"],
                                   "ScheduledJobCollection")
    job_id = get["parameters"]["scheduledJobId"]
    client = FakeClient([expect("GET", "/scheduledJobs/{job_id}", path_params={"job_id": job_id}, body=documented),
                         pages("GET", "/scheduledJobs", [listed["value"]])])
    (one,) = _scheduled.find_scheduled_jobs(client, job_id=job_id)
    assert_field_by_field(one, documented, CENTRAL_SCHEDULED_JOB)
    every = _scheduled.find_scheduled_jobs(client)
    client.assert_done()
    assert [item["job_id"] for item in every] == ["scheduledJob1", "scheduledJob2"]
    for item, body in zip(every, listed["value"]):
        assert_field_by_field(item, body, CENTRAL_SCHEDULED_JOB)
    assert every[0]["schedule"] == {"start": "2022-05-24T22:29:01Z", "recurrence": None, "end": None}


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_scheduledjobs_update_example(central_spec, version):
    """The existing scheduled job (scheduledjobs_get, daily) asked to run weekly: the module's PATCH body is the
    example's request body, valid against ScheduledJob, and the answer is projected field by field."""
    existing = central_spec.validate(central_example(version, "scheduledjobs_get.json")["responses"]["200"]["body"],
                                     "ScheduledJob")
    example = central_example(version, "scheduledjobs_update.json")
    documented_patch = example["parameters"]["body"]
    documented = central_spec.validate(example["responses"]["200"]["body"], "ScheduledJob")
    job_id = example["parameters"]["scheduledJobId"]
    descriptor = _scheduled.ScheduledCentralJob.from_params(
        {"job_id": job_id, "schedule": dict(documented_patch["schedule"])}, now=lambda: NOW)
    job = _scheduled.scheduled_job_to_ansible(existing)
    before, after = descriptor.compare(job)
    differences = sorted(key for key in before if before[key] != after[key])
    assert differences == ["schedule"]
    patch = descriptor.patch_body(after, differences)
    validate_update(central_spec, existing, patch)
    assert patch == documented_patch
    client = FakeClient([expect("PATCH", "/scheduledJobs/{job_id}", path_params={"job_id": job_id}, json=patch,
                                body=documented)])
    assert_field_by_field(descriptor.update(client, job, before, after, differences), documented,
                          CENTRAL_SCHEDULED_JOB)
    client.assert_done()


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_scheduledjobs_list_jobs_example(central_spec, version):
    example = central_example(version, "scheduledjobs_list_jobs.json")
    body = central_spec.validate(example["responses"]["200"]["body"], "JobCollection")
    job_id = example["parameters"]["scheduledJobId"]
    client = FakeClient([pages("GET", "/scheduledJobs/{job_id}/jobs", [body["value"]],
                               path_params={"job_id": job_id})])
    runs = _scheduled.scheduled_job_runs(client, job_id)
    client.assert_done()
    assert len(runs) == len(body["value"]) == 3
    for run, documented in zip(runs, body["value"]):
        assert_field_by_field(run, documented, CENTRAL_JOB)
        assert run["scheduled_job_id"] == job_id and run["progress"]["failed"] == 1


@pytest.mark.parametrize("version", CENTRAL_VERSIONS)
def test_central_scheduledjobs_delete_example(version):
    example = central_example(version, "scheduledjobs_delete.json")
    assert list(example["responses"]) == ["204"] and example["responses"]["204"] == {}
    job_id = example["parameters"]["scheduledJobId"]
    client = FakeClient([expect("DELETE", "/scheduledJobs/{job_id}", path_params={"job_id": job_id}, status=204)])
    descriptor = _scheduled.ScheduledCentralJob.from_params({"job_id": job_id}, now=lambda: NOW)
    assert descriptor.remove(client, {"job_id": job_id}) == {}
    client.assert_done()


# ------------------------------------------------------------------ IoT Hub data plane (the swagger has no examples)

HUB_TWIN_JOB = {  # every property of JobResponse, as a twin update job
    "jobId": "fw-wave-1", "queryCondition": "tags.ring = 'canary'", "createdTime": "2021-07-07T20:44:47.8509265Z",
    "startTime": "2021-07-07T20:45:00Z", "endTime": "2021-07-07T20:47:13.1Z", "maxExecutionTimeInSeconds": 3600,
    "type": "scheduleUpdateTwin", "status": "completed", "failureReason": "", "statusMessage": "2 devices failed",
    "deviceJobStatistics": {"deviceCount": 12, "failedCount": 2, "succeededCount": 9, "runningCount": 0,
                            "pendingCount": 1},
    "updateTwin": {"etag": "*", "tags": {"ring": "canary", "floor": 3},
                   "properties": {"desired": {"firmware": {"version": "1.1.0"}, "$version": 4}}},
    "cloudToDeviceMethod": {"methodName": "reboot", "payload": {"delay": 5}, "responseTimeoutInSeconds": 30,
                            "connectTimeoutInSeconds": 0},
}
HUB_METHOD_JOB = {
    "jobId": "reboot-1", "queryCondition": "*", "createdTime": "2021-07-07T20:44:47Z",
    "startTime": "2021-07-07T20:45:00Z", "maxExecutionTimeInSeconds": 600, "type": "scheduleDeviceMethod",
    "status": "scheduled",
    "cloudToDeviceMethod": {"methodName": "reboot", "payload": [1, "two"], "responseTimeoutInSeconds": 30,
                            "connectTimeoutInSeconds": 10},
}
HUB_IMPORT_EXPORT = {  # every property of JobProperties
    "jobId": "b427bdbb-ecef-4d42-8b1c-325361da9160", "startTimeUtc": "2021-07-07T20:44:47.8509265Z",
    "endTimeUtc": "2021-07-07T20:44:49.4005955Z", "type": "import", "status": "failed", "progress": 40,
    "inputBlobContainerUri": "https://a.blob.core.windows.net/in?sv=1&sig=s1",
    "inputBlobName": "devices.txt", "outputBlobContainerUri": "https://a.blob.core.windows.net/out?sv=1&sig=s2",
    "outputBlobName": "out.txt", "excludeKeysInExport": False, "storageAuthenticationType": "identityBased",
    "identity": {"userAssignedIdentity": "/subscriptions/s/resourceGroups/r/providers/"
                                         "Microsoft.ManagedIdentity/userAssignedIdentities/id-1"},
    "failureReason": "ImportErrors", "includeConfigurations": True, "configurationsBlobName": "configs.txt",
}
# JobProperties.identity (the user-assigned identity the job used) is not part of the import/export job result
# (reported: the module sends `identity` but does not report it back).
HUB_IMPORT_EXPORT_GAPS = ("identity",)


def test_data_plane_bodies_hold_every_property_of_their_definition(data_plane):
    """So the field-by-field replays below cover the whole definition."""
    for body, name in ((HUB_TWIN_JOB, "JobResponse"), (HUB_IMPORT_EXPORT, "JobProperties")):
        assert sorted(body) == sorted(data_plane.definitions[name]["properties"]), name
    assert sorted(HUB_TWIN_JOB["deviceJobStatistics"]) == sorted(
        data_plane.definitions["DeviceJobStatistics"]["properties"])
    assert sorted(HUB_TWIN_JOB["cloudToDeviceMethod"]) == sorted(
        data_plane.definitions["CloudToDeviceMethod"]["properties"])


@pytest.mark.parametrize("body", [HUB_TWIN_JOB, HUB_METHOD_JOB], ids=["update_twin", "device_method"])
def test_data_plane_job_response(data_plane, body):
    data_plane.validate(body, data_plane.response("/jobs/v2/{id}", "get", "200"))
    client = FakeClient([expect("GET", "/jobs/v2/{job_id}", path_params={"job_id": body["jobId"]}, body=body)])
    (job,) = _iothub.find_jobs(client, job_id=body["jobId"])
    client.assert_done()
    assert_field_by_field(job, body, HUB_JOB)


@pytest.mark.parametrize("status", ["unknown", "enqueued", "running", "completed", "failed", "cancelled", "scheduled",
                                    "queued"])
def test_data_plane_every_documented_job_status(data_plane, status):
    assert status in data_plane.definitions["JobResponse"]["properties"]["status"]["enum"]
    body = dict(HUB_METHOD_JOB, status=status)
    assert_field_by_field(_iothub.job_to_ansible(body), body, HUB_JOB)
    body = dict(HUB_IMPORT_EXPORT, status=status)
    assert_field_by_field(_import_export.job_to_ansible(body), body, HUB_IMPORT_EXPORT_JOB,
                          known_gaps=HUB_IMPORT_EXPORT_GAPS)


def test_data_plane_import_export_job(data_plane):
    data_plane.validate([HUB_IMPORT_EXPORT], data_plane.response("/jobs", "get", "200"))
    client = FakeClient([expect("GET", "/jobs", body=[HUB_IMPORT_EXPORT]),
                         expect("GET", "/jobs/{job_id}", path_params={"job_id": HUB_IMPORT_EXPORT["jobId"]},
                                body=HUB_IMPORT_EXPORT)])
    api = _import_export.DataPlane(client)
    ((job, raw),) = api.list_jobs()
    assert raw is HUB_IMPORT_EXPORT
    assert_field_by_field(job, HUB_IMPORT_EXPORT, HUB_IMPORT_EXPORT_JOB, known_gaps=HUB_IMPORT_EXPORT_GAPS)
    assert_field_by_field(api.get(HUB_IMPORT_EXPORT["jobId"]), HUB_IMPORT_EXPORT, HUB_IMPORT_EXPORT_JOB,
                          known_gaps=HUB_IMPORT_EXPORT_GAPS)
    client.assert_done()


DEVICE_JOB_ROW = {  # contract.md 2.7 (the C# SDK's DeviceJob): not in the swagger, which has no such definition
    "deviceId": "device-00002", "jobId": "reboot-1", "jobType": "scheduleDeviceMethod", "status": "failed",
    "startTimeUtc": "2021-07-07T20:45:00Z", "endTimeUtc": "2021-07-07T20:45:31Z",
    "createdDateTimeUtc": "2021-07-07T20:44:47Z", "lastUpdatedDateTimeUtc": "2021-07-07T20:45:31Z",
    "outcome": {"deviceMethodResponse": {"status": 500, "payload": {"error": "disk full"}}},
    "error": {"code": "JobRunPreconditionFailed", "description": "Timed out waiting for the response from device."},
}
DEVICE_JOB = {
    "deviceId": F("device_id"), "jobId": F("job_id"), "jobType": F(("type", lambda v: HUB_TYPES.get(v, v))),
    "status": F("status"), "startTimeUtc": F("start_time"), "endTimeUtc": F("end_time"),
    "createdDateTimeUtc": F("created_time"), "lastUpdatedDateTimeUtc": F("last_updated_time"),
    "outcome": F("outcome", nested={"deviceMethodResponse": F("device_method_response", nested={
        "status": F("status"), "payload": F("payload")})}),
    "error": F("error", nested={"code": F("code"), "description": F("description")}),
}


def test_device_job_row():
    assert_field_by_field(_iothub.device_job_to_ansible(DEVICE_JOB_ROW), DEVICE_JOB_ROW, DEVICE_JOB)
    sparse = {key: DEVICE_JOB_ROW[key] for key in ("deviceId", "jobId", "jobType", "status")}
    assert_field_by_field(_iothub.device_job_to_ansible(dict(sparse, outcome=None)), sparse, DEVICE_JOB)


# ------------------------------------------ every property of each response definition (beyond the sparse examples)

# The examples leave most optional fields out (no start, end or progress on a Job, no failureReason on an ARM job):
# one body per definition holding every property it defines, validated against the spec, checks those fields too.
ARM_FULL_JOB = {
    "jobId": "3d5c6a5e", "startTimeUtc": "Thu, 15 Jun 2017 19:20:58 GMT", "endTimeUtc": "Thu, 15 Jun 2017 19:21:40 GMT",
    "type": "import", "status": "failed", "failureReason": "ImportErrors", "statusMessage": "3 lines failed",
    "parentJobId": "3d5c6a5d",
}
CENTRAL_FULL_JOB = {
    "id": "fw-1-rerun", "scheduledJobId": "nightly", "displayName": "Firmware 1.2", "description": "wave 1",
    "group": "thermostats", "batch": {"type": "percentage", "value": 20},
    "cancellationThreshold": {"type": "number", "value": 5, "batch": True},
    "data": [{"type": "deviceTemplateMigration", "template": "dtmi:t;2"}],
    "start": "2022-05-24T22:29:01.123Z", "end": "2022-05-24T22:35:00Z",
    "progress": {"total": 10, "pending": 1, "completed": 7, "failed": 2}, "status": "cancelled",
    "organizations": ["org-1"],
}
CENTRAL_FULL_SCHEDULED_JOBS = [dict(
    CENTRAL_FULL_JOB, id="nightly", etag='"9700"', enabled=False, completed=True,
    data=[{"type": "cloudProperty", "target": "dtmi:t;1", "path": "customer", "value": {"name": "contoso"}}],
    schedule={"start": "2022-05-24T22:29:01Z", "recurrence": "monthly", "end": end})
    for end in ({"type": "date", "date": "2022-12-31"}, {"type": "occurrences", "occurrences": 12})]
for _body in CENTRAL_FULL_SCHEDULED_JOBS:
    for _key in ("scheduledJobId", "start", "end", "progress", "status"):
        del _body[_key]


def test_full_bodies_hold_every_property_of_their_definition(arm_spec, central_spec):
    assert sorted(ARM_FULL_JOB) == sorted(arm_spec.definitions["JobResponse"]["properties"])
    assert sorted(CENTRAL_FULL_JOB) == sorted(central_spec.definitions["Job"]["properties"])
    for body in CENTRAL_FULL_SCHEDULED_JOBS:
        assert sorted(body) == sorted(central_spec.definitions["ScheduledJob"]["properties"])
    assert sorted(CENTRAL_FULL_JOB["progress"]) == sorted(central_spec.definitions["JobProgress"]["properties"])
    assert sorted(CENTRAL_FULL_JOB["cancellationThreshold"]) == sorted(
        central_spec.definitions["JobCancellationThreshold"]["properties"])


def test_arm_full_job(arm_spec):
    arm_spec.validate(ARM_FULL_JOB, "JobResponse")
    assert_field_by_field(_arm.job_to_ansible(ARM_FULL_JOB), ARM_FULL_JOB, ARM_JOB)
    assert_field_by_field(_import_export.arm_job_to_ansible(ARM_FULL_JOB), ARM_FULL_JOB, ARM_IMPORT_EXPORT_JOB)


def test_central_full_job(central_spec):
    central_spec.validate(CENTRAL_FULL_JOB, "Job")
    assert_field_by_field(_iotcentral.job_to_ansible(CENTRAL_FULL_JOB), CENTRAL_FULL_JOB, CENTRAL_JOB)


@pytest.mark.parametrize("body", CENTRAL_FULL_SCHEDULED_JOBS, ids=["end date", "end occurrences"])
def test_central_full_scheduled_job(central_spec, body):
    central_spec.validate(body, "ScheduledJob")
    assert_field_by_field(_scheduled.scheduled_job_to_ansible(body), body, CENTRAL_SCHEDULED_JOB)


# ---------------------------------------------------------------------------------------------------- errors

def test_central_error_body(central_spec):
    """IoT Central's Error (every property of ErrorDetails) through the error parser."""
    body = central_spec.validate({"error": {"code": "NotFound", "message": "Job myJobId not found",
                                            "requestId": "6c8f43c6-7f17-4c4a-8d58-d2a27c3c9f8e",
                                            "time": "Tue, 24 May 2022 22:29:01 GMT"}}, "Error")
    assert sorted(body["error"]) == sorted(central_spec.definitions["ErrorDetails"]["properties"])
    assert parse_error(404, {}, body) == ("NotFound", "Job myJobId not found", "6c8f43c6-7f17-4c4a-8d58-d2a27c3c9f8e")
    # The x-ms-request-id header, when the service sends one, names the same request.
    assert parse_error(404, {"x-ms-request-id": "h-1"}, body) == ("NotFound", "Job myJobId not found", "h-1")


def test_arm_error_body(arm_spec):
    """The resource provider's ErrorDetails (the `default` answer of the jobs operations) through the parser."""
    operation = arm_spec.document["paths"][
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Devices/IotHubs/"
        "{resourceName}/jobs/{jobId}"]["get"]
    assert operation["responses"]["default"]["schema"] == {"$ref": "#/definitions/ErrorDetails"}
    body = arm_spec.validate({"code": "JobNotFound", "httpStatusCode": "NotFound",
                              "message": "Job not found: test", "details": "tracking id 4f2"}, "ErrorDetails")
    assert sorted(body) == sorted(arm_spec.definitions["ErrorDetails"]["properties"])
    assert parse_error(404, {"x-ms-request-id": "r-1"}, body) == ("JobNotFound", "Job not found: test", "r-1")
    assert parse_error(404, {}, body) == ("JobNotFound", "Job not found: test", None)


# ---------------------------------------------------------------------------------------------------- requests

HUB_NOW = datetime(2030, 1, 31, 11, 0, 0, tzinfo=timezone.utc)
HUB_REQUESTS = {
    "twin tags and desired, scheduled": {"type": "update_twin", "query": "tags.ring = 'canary'",
                                         "start_time": "2030-01-31T12:00:00Z", "max_execution_time": 600,
                                         "twin_patch": {"tags": {"ring": "done", "floor": 3},
                                                        "desired": {"firmware": {"version": "1.1.0"}}}},
    "twin desired only, now": {"twin_patch": {"desired": {"telemetryInterval": 30}}},
    "twin tags only": {"twin_patch": {"tags": {"wave": 2}}, "query": "WHERE deviceId IN ['a', 'b']"},
    "method with payload": {"method": {"name": "reboot", "payload": {"delay": 5, "list": [1, "two"]},
                                       "connect_timeout": 10, "response_timeout": 60}},
    "method without payload": {"type": "device_method", "method": {"name": "ping"}},
    "method with a scalar payload": {"method": {"name": "setLevel", "payload": 3}},
}


@pytest.mark.parametrize("name", sorted(HUB_REQUESTS))
def test_hub_scheduled_job_request_validates(data_plane, name):
    params = dict(HUB_REQUESTS[name], job_id="job-1", state="present")
    job = _iothub.ScheduledJob.from_params(params, now=lambda: HUB_NOW)
    body = job.request_body()
    data_plane.validate(body, data_plane.request("/jobs/v2/{id}", "put"))
    data_plane.validate(body, "JobRequest")
    assert body["jobId"] == "job-1" and body["type"] in HUB_TYPES
    for key in ("queryCondition", "startTime", "maxExecutionTimeInSeconds"):
        assert key in body, key


IMPORT_EXPORT_REQUESTS = {
    "export, keys, defaults": {"type": "export", "output_container_uri": "https://a.blob.core.windows.net/c?sig=s"},
    "export, every option": {"type": "export", "output_container_uri": "https://a.blob.core.windows.net/c?sig=s",
                             "output_blob_name": "devices.txt", "exclude_keys": True, "include_configurations": True,
                             "configurations_blob_name": "configs.txt", "storage_auth": "key_based"},
    "export, identity": {"type": "export", "output_container_uri": "https://a.blob.core.windows.net/c",
                         "storage_auth": "identity_based",
                         "identity": "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/"
                                     "userAssignedIdentities/id-1"},
    "import, defaults": {"type": "import", "input_container_uri": "https://a.blob.core.windows.net/i?sig=s",
                         "output_container_uri": "https://a.blob.core.windows.net/o?sig=s"},
    "import, every option": {"type": "import", "input_container_uri": "https://a.blob.core.windows.net/i",
                             "output_container_uri": "https://a.blob.core.windows.net/o",
                             "input_blob_name": "in.txt", "output_blob_name": "errors.txt",
                             "include_configurations": True, "configurations_blob_name": "configs.txt",
                             "storage_auth": "identity_based", "identity": "/subscriptions/s/id-2"},
}


@pytest.mark.parametrize("name", sorted(IMPORT_EXPORT_REQUESTS))
def test_import_export_requests_validate(data_plane, arm_spec, name):
    params = dict(IMPORT_EXPORT_REQUESTS[name], state="present")
    request = _import_export.Request.from_params(params)
    body = request.data_plane_body()
    data_plane.validate(body, data_plane.request("/jobs/create", "post"))
    data_plane.validate(body, "JobProperties")
    arm = request.arm_body()
    schema = "ExportDevicesRequest" if params["type"] == "export" else "ImportDevicesRequest"
    arm_spec.validate(arm, schema)
    path = ("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Devices/IotHubs/"
            "{resourceName}/%s" % ("exportDevices" if params["type"] == "export" else "importDevices"))
    arm_spec.validate(arm, arm_spec.request(path, "post"))


CENTRAL_REQUESTS = {
    "property, every option": {"group": "thermostats", "display_name": "Firmware 1.2", "description": "d",
                               "data": [{"type": "property", "target": "dtmi:t;1", "path": "fw", "value": "1.2"},
                                        {"type": "property", "target": "dtmi:t;1", "path": "c.level", "value": 3}],
                               "batch": {"type": "percentage", "value": 20.0},
                               "cancellation_threshold": {"type": "number", "value": 5, "batch": True},
                               "organizations": ["org-1"]},
    "command without value": {"group": "g", "data": [{"type": "command", "target": "dtmi:t;1", "path": "reboot"}]},
    "command with value": {"group": "g", "data": [{"type": "command", "target": "dtmi:t;1", "path": "reboot",
                                                   "value": {"delay": 5}}]},
    "cloud property": {"group": "g", "data": [{"type": "cloud_property", "target": "dtmi:t;1", "path": "customer",
                                               "value": "contoso"}],
                       "batch": {"type": "number", "value": 10}},
    "device template migration": {"group": "g", "data": [{"type": "device_template_migration",
                                                          "template": "dtmi:t;2"}],
                                  "cancellation_threshold": {"type": "percentage", "value": 50}},
}


@pytest.mark.parametrize("name", sorted(CENTRAL_REQUESTS))
def test_central_job_request_validates(central_spec, name):
    job = _iotcentral.CentralJob.from_params(dict(CENTRAL_REQUESTS[name], job_id="job-1", state="present"))
    body = _iotcentral.request_body(job.request)
    central_spec.validate(body, "Job")
    central_spec.validate(body, central_spec.request("/jobs/{jobId}", "put"))


SCHEDULES = {
    "once": {"start": "2030-01-31T08:00:00Z"},
    "daily, no end": {"start": "2030-01-31T08:00:00.250+01:00", "recurrence": "daily"},
    "weekly until a date": {"start": "2030-01-31T08:00:00Z", "recurrence": "weekly",
                            "end": {"type": "date", "date": "2030-06-30"}},
    "monthly, 12 times": {"start": "2030-01-31T08:00:00Z", "recurrence": "monthly",
                          "end": {"type": "occurrences", "occurrences": 12}},
}


def apply_update(existing, patch):
    """The scheduled job an update of whole options makes (each option the PATCH holds replaces the existing one)."""
    return dict(existing, **patch)


def validate_update(spec, existing, patch):
    """The PATCH body of a ScheduledJob: a part of a ScheduledJob (no required key, and no null: the schema allows
    none, and the module sends each option whole), and the scheduled job it makes of `existing` is a whole valid
    ScheduledJob."""
    partial = copy.deepcopy(spec.definitions["ScheduledJob"])
    partial.pop("required")
    spec.validate(patch, json.loads(json.dumps(partial).replace('"#/', '"%s#/' % spec.uri)), "patch")
    spec.validate(apply_update(existing, patch), "ScheduledJob", "updated")


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_central_scheduled_job_create_body_validates(central_spec, name):
    params = dict(CENTRAL_REQUESTS["property, every option"], job_id="s-1", schedule=dict(SCHEDULES[name]))
    descriptor = _scheduled.ScheduledCentralJob.from_params(params, now=lambda: NOW)
    body = descriptor.create_body()
    central_spec.validate(body, "ScheduledJob")
    central_spec.validate(body, central_spec.request("/scheduledJobs/{scheduledJobId}", "put"))


@pytest.mark.parametrize("old_name", sorted(SCHEDULES))
@pytest.mark.parametrize("new_name", sorted(SCHEDULES))
def test_central_scheduled_job_update_validates(central_spec, old_name, new_name):
    """Every schedule change, with a request change, as the PATCH body the module sends."""
    existing_params = dict(CENTRAL_REQUESTS["command without value"], job_id="s-1",
                           schedule=dict(SCHEDULES[old_name]), enabled=True)
    existing = dict(_scheduled.ScheduledCentralJob.from_params(existing_params, now=lambda: NOW).create_body(),
                    id="s-1", completed=False, etag='"1"')
    central_spec.validate(existing, "ScheduledJob")
    wanted = dict(CENTRAL_REQUESTS["property, every option"], job_id="s-1", schedule=dict(SCHEDULES[new_name]),
                  enabled=False)
    descriptor = _scheduled.ScheduledCentralJob.from_params(wanted, now=lambda: NOW)
    job = _scheduled.scheduled_job_to_ansible(existing)
    before, after = descriptor.compare(job)
    differences = sorted(key for key in before if before[key] != after[key])
    assert "data" in differences and "enabled" in differences
    patch = descriptor.patch_body(after, differences)
    validate_update(central_spec, existing, patch)
    patched = apply_update(existing, patch)
    assert patched["enabled"] is False and patched["group"] == "thermostats"
    assert _scheduled.scheduled_job_to_ansible(patched)["schedule"] == after["schedule"]


# ------------------------------------------------------------------------------------- the vendored files

def git_blob_sha(path):
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def listed_sources():
    text = (SPECS / "SOURCES.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([^`]+\.json)` \| `([0-9a-f]{40})` \|", text, re.MULTILINE))


def test_vendored_files_are_the_listed_unmodified_copies():
    listed = listed_sources()
    present = sorted(str(p.relative_to(SPECS)) for p in SPECS.rglob("*.json"))
    assert present == sorted(listed), "SOURCES.md and tests/fixtures/specs disagree"
    for name, sha in listed.items():
        assert git_blob_sha(SPECS / name) == sha, "%s was modified: vendored files stay byte-identical" % name
    for folder in ("iothub-dataplane", "iothub-arm", "iotcentral"):
        licence = (SPECS / folder / "LICENSE").read_text(encoding="utf-8")
        assert "MIT License" in licence and "Microsoft" in licence, folder


REPLAYED = {  # example file -> the test above that replays it
    "iothub-arm/2023-06-30/examples/iothub_getjob.json": test_arm_getjob_example,
    "iothub-arm/2023-06-30/examples/iothub_listjobs.json": test_arm_listjobs_example,
    "iothub-arm/2023-06-30/examples/iothub_exportdevices.json": test_arm_export_import_examples,
    "iothub-arm/2023-06-30/examples/iothub_importdevices.json": test_arm_export_import_examples,
    "iotcentral/2022-07-31/examples/devicegroups_getdevices.json": test_central_devicegroups_getdevices_example,
}
for _version in CENTRAL_VERSIONS:
    REPLAYED.update(("iotcentral/%s/examples/%s" % (_version, name), test) for name, test in (
        ("jobs_create.json", test_central_jobs_create_example),
        ("jobs_get.json", test_central_jobs_get_example),
        ("jobs_list.json", test_central_jobs_list_example),
        ("jobs_devices.json", test_central_jobs_devices_example),
        ("jobs_rerun.json", test_central_jobs_rerun_example),
        ("jobs_stop.json", test_central_stop_and_resume_examples),
        ("jobs_resume.json", test_central_stop_and_resume_examples),
        ("scheduledjobs_create.json", test_central_scheduledjobs_create_example),
        ("scheduledjobs_get.json", test_central_scheduledjobs_get_and_list_examples),
        ("scheduledjobs_list.json", test_central_scheduledjobs_get_and_list_examples),
        ("scheduledjobs_update.json", test_central_scheduledjobs_update_example),
        ("scheduledjobs_list_jobs.json", test_central_scheduledjobs_list_jobs_example),
        ("scheduledjobs_delete.json", test_central_scheduledjobs_delete_example),
    ))


def test_every_vendored_example_is_replayed():
    examples = sorted(str(p.relative_to(SPECS)) for p in SPECS.rglob("examples/*.json"))
    assert examples == sorted(REPLAYED)
    assert len(examples) == 4 + 1 + 2 * 13
