"""The official azure-iot-hub SDK against the emulator: scheduled jobs end to end (contract.md 2.1-2.5, 2.7)."""
import time
from datetime import datetime, timedelta, timezone

import pytest
from azure.iot.hub import IoTHubJobManager, IoTHubRegistryManager
from azure.iot.hub.models import CloudToDeviceMethod, JobRequest, QuerySpecification, Twin, TwinProperties
from msrest.exceptions import HttpOperationError

TERMINAL = ("completed", "failed", "cancelled")


@pytest.fixture
def sdk(emulator, monkeypatch):
    """Job and registry managers built from the emulator's connection string, trusting its CA."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.ca)
    connection_string = emulator.env["AZURE_IOTHUB_CONNECTION_STRING"]
    jobs = IoTHubJobManager.from_connection_string(connection_string)
    registry = IoTHubRegistryManager.from_connection_string(connection_string)
    for manager in (jobs, registry):
        manager.protocol.config.connection.verify = emulator.ca  # msrest passes this to requests as verify=
    return jobs, registry


def wait(jobs, job_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        job = jobs.get_scheduled_job(job_id)
        if job.status in TERMINAL:
            return job
        assert time.monotonic() < deadline, "job %s still %s" % (job_id, job.status)
        time.sleep(0.05)


def twin_request(job_id, condition, start):
    desired = {"firmware": {"version": "1.2.0"}}
    patch = Twin(etag="*", tags={"rollout": "r1"}, properties=TwinProperties(desired=desired))
    return JobRequest(job_id=job_id, type="scheduleUpdateTwin", update_twin=patch, query_condition=condition,
                      start_time=start, max_execution_time_in_seconds=3600)


def method_request(job_id, condition, start):
    method = CloudToDeviceMethod(method_name="reboot", payload={"delay": 0}, response_timeout_in_seconds=30,
                                 connect_timeout_in_seconds=0)
    return JobRequest(job_id=job_id, type="scheduleDeviceMethod", cloud_to_device_method=method,
                      query_condition=condition, start_time=start, max_execution_time_in_seconds=600)


def test_sdk_scheduled_jobs_end_to_end(emulator, sdk):
    jobs, registry = sdk
    emulator.configure(tier="S3", jobs_query_format="object")
    now = datetime.now(timezone.utc)
    canary = "tags.ring = 'canary'"

    created = jobs.create_scheduled_job("sdk-twin", twin_request("sdk-twin", canary, now))
    assert (created.job_id, created.type, created.status) == ("sdk-twin", "scheduleUpdateTwin", "queued")
    assert created.query_condition == canary and created.max_execution_time_in_seconds == 3600
    assert created.update_twin.etag == "*" and created.update_twin.tags == {"rollout": "r1"}
    assert created.device_job_statistics.device_count == 0
    assert created.created_time.tzinfo is not None

    method = jobs.create_scheduled_job("sdk-method", method_request("sdk-method", "deviceId IN ['device-00001', "
                                                                    "'device-00002', 'device-00003']", now))
    assert (method.status, method.cloud_to_device_method.method_name) == ("queued", "reboot")
    assert method.cloud_to_device_method.response_timeout_in_seconds == 30

    future = jobs.create_scheduled_job("sdk-future", method_request("sdk-future", "*", now + timedelta(hours=2)))
    assert future.status == "queued"
    assert future.start_time == now + timedelta(hours=2)

    with pytest.raises(HttpOperationError) as conflict:
        jobs.create_scheduled_job("sdk-future", method_request("sdk-future", "*", now))
    assert conflict.value.response.status_code == 409

    fetched = jobs.get_scheduled_job("sdk-future")
    assert fetched.job_id == "sdk-future" and fetched.status in ("queued", "scheduled")
    cancelled = jobs.cancel_scheduled_job("sdk-future")
    assert cancelled.status == "cancelled" and cancelled.end_time is not None
    assert jobs.get_scheduled_job("sdk-future").status == "cancelled"

    twin_job = wait(jobs, "sdk-twin")
    method_job = wait(jobs, "sdk-method")
    # (COUNT through query_iot_hub would come back as Twin models, so count with a plain request.)
    canary_count = emulator.query("SELECT COUNT() AS n FROM devices WHERE " + canary).json()[0]["n"]
    assert canary_count >= 1
    stats = twin_job.device_job_statistics
    assert (twin_job.status, stats.device_count, stats.succeeded_count, stats.failed_count) == \
        ("completed", canary_count, canary_count, 0)
    assert (stats.running_count, stats.pending_count) == (0, 0)
    assert twin_job.end_time >= twin_job.start_time
    stats = method_job.device_job_statistics
    assert (method_job.status, stats.device_count, stats.succeeded_count) == ("completed", 3, 3)

    # query_scheduled_jobs parses only the swagger's QueryResult object, hence jobs_query_format=object.
    listed = jobs.query_scheduled_jobs("scheduleDeviceMethod", None)
    assert listed.type == "jobResponse"
    assert sorted(item["jobId"] for item in listed.items) == ["sdk-future", "sdk-method"]
    completed = jobs.query_scheduled_jobs(None, "completed")
    assert sorted(item["jobId"] for item in completed.items) == ["sdk-method", "sdk-twin"]

    # query_iot_hub deserialises rows as Twin models: only deviceId and status survive for devices.jobs rows.
    result = registry.query_iot_hub(
        QuerySpecification(query="SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'sdk-method'"), None, 2)
    assert result.type == "DeviceJob" and result.continuation_token
    rows = list(result.items)
    while result.continuation_token:
        result = registry.query_iot_hub(QuerySpecification(
            query="SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'sdk-method'"), result.continuation_token, 2)
        rows += result.items
    assert sorted((row.device_id, row.status) for row in rows) == [
        ("device-00001", "completed"), ("device-00002", "completed"), ("device-00003", "completed")]

    # The patch reached the twins on the server.
    twins = registry.query_iot_hub(QuerySpecification(query="SELECT * FROM devices WHERE " + canary), None, 100)
    assert twins.type == "Twin" and len(twins.items) == canary_count
    for device in twins.items:
        twin = registry.get_twin(device.device_id)
        assert twin.tags["rollout"] == "r1"
        assert twin.properties.desired["firmware"] == {"version": "1.2.0"}
        assert twin.version == 2 and twin.etag == "AAAAAAAAAAI="


def test_sdk_sees_the_real_array_format_break_query_scheduled_jobs(emulator, sdk):
    """With the default (real) array body, the SDK fails as contract.md 2.5 recorded."""
    jobs = sdk[0]
    jobs.create_scheduled_job("array-1", method_request("array-1", "*", datetime.now(timezone.utc)))
    with pytest.raises(Exception, match="Unable to deserialize"):
        jobs.query_scheduled_jobs(None, None)


def test_sdk_device_registry_calls(emulator, sdk):
    registry = sdk[1]
    device = registry.create_device_with_sas("sdk-device", "", "", "enabled")
    assert device.device_id == "sdk-device" and device.authentication.type == "sas"
    twin = registry.update_twin("sdk-device", Twin(tags={"building": "b9"}), "*")
    assert twin.tags == {"building": "b9"} and twin.version == 2
    assert registry.get_device("sdk-device").status == "enabled"
    registry.delete_device("sdk-device")
    with pytest.raises(HttpOperationError) as missing:
        registry.get_twin("sdk-device")
    assert missing.value.response.status_code == 404
