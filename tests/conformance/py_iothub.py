"""azure-iot-hub (Python), unmodified, through the IoT Hub job workflows: python py_iothub.py"""
import os
import sys
import uuid
from datetime import datetime, timedelta, timezone
from importlib.metadata import version

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import TERMINAL, Recorder, blob_container, control, expect, wait_for  # noqa: E402

from azure.iot.hub import IoTHubJobManager, IoTHubRegistryManager  # noqa: E402
from azure.iot.hub.models import (CloudToDeviceMethod, JobProperties, JobRequest, QuerySpecification,  # noqa: E402
                                  Twin, TwinProperties)


def main():  # noqa: C901 - one small nested function per table cell
    rec = Recorder("azure-iot-hub %s (Python)" % version("azure-iot-hub"))
    connection_string = rec.env["AZURE_IOTHUB_CONNECTION_STRING"]
    jobs = IoTHubJobManager.from_connection_string(connection_string)
    registry = IoTHubRegistryManager.from_connection_string(connection_string)
    tag = uuid.uuid4().hex[:8]
    twin_id, method_id, later_id = "py-twin-" + tag, "py-method-" + tag, "py-later-" + tag

    def done(job):
        return job.status in TERMINAL

    def create_twin():
        # No start_time: the job runs as soon as possible (msrest leaves the None field out of the body).
        patch = Twin(etag="*", tags={"conformance": tag}, properties=TwinProperties(desired={"fwVersion": "2.0.0"}))
        job = jobs.create_scheduled_job(twin_id, JobRequest(job_id=twin_id, type="scheduleUpdateTwin",
                                                            update_twin=patch, query_condition="tags.ring = 'canary'"))
        expect(job.job_id == twin_id, job)

    def get_twin():
        job = wait_for(lambda: jobs.get_scheduled_job(twin_id), done, twin_id)
        expect(job.status == "completed" and job.device_job_statistics.device_count >= 1, job.as_dict())

    def method_request(job_id, condition, start):
        method = CloudToDeviceMethod(method_name="reboot", payload={"delay": 0}, response_timeout_in_seconds=30)
        return JobRequest(job_id=job_id, type="scheduleDeviceMethod", cloud_to_device_method=method,
                          query_condition=condition, start_time=start, max_execution_time_in_seconds=600)

    def create_method():
        job = jobs.create_scheduled_job(method_id, method_request(
            method_id, "deviceId IN ['device-00001', 'device-00002']", datetime.now(timezone.utc)))
        expect(job.job_id == method_id, job)

    def get_method():
        job = wait_for(lambda: jobs.get_scheduled_job(method_id), done, method_id)
        expect(job.status == "completed" and job.device_job_statistics.succeeded_count == 2, job.as_dict())

    def cancel():
        jobs.create_scheduled_job(later_id, method_request(later_id, "*",
                                                           datetime.now(timezone.utc) + timedelta(hours=1)))
        expect(jobs.cancel_scheduled_job(later_id).status == "cancelled", "not cancelled")

    def query():
        # The SDK parses only the swagger's QueryResult object; a real hub answers a bare array (contract.md 2.5),
        # so this needs the emulator's jobs_query_format=object.
        control("PATCH", "config", {"jobs_query_format": "object"})
        try:
            result = jobs.query_scheduled_jobs("scheduleDeviceMethod", None)
        finally:
            control("PATCH", "config", {"jobs_query_format": "array"})
        ids = [item["jobId"] for item in result.items]
        expect(method_id in ids and later_id in ids, ids)
        return "needs jobs_query_format=object"

    def device_rows():
        spec = QuerySpecification(query="SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '%s'" % method_id)
        result = registry.query_iot_hub(spec, None, 100)
        expect(result.type == "DeviceJob" and len(result.items) == 2, result.items)

    state = {}

    def export():
        job = jobs.create_import_export_job(JobProperties(type="export", output_blob_container_uri=blob_container(
            "pyexport"), exclude_keys_in_export=False))
        state["export"] = job.job_id
        expect(job.type == "export", job)

    def get_export():
        job = wait_for(lambda: jobs.get_import_export_job(state["export"]), done, "export")
        expect(job.status == "completed", job)

    def import_():
        container = blob_container("pyexport")
        job = jobs.create_import_export_job(JobProperties(type="import", input_blob_container_uri=container,
                                                          output_blob_container_uri=container))
        state["import"] = job.job_id
        expect(wait_for(lambda: jobs.get_import_export_job(job.job_id), done, "import").status == "completed", job)

    def list_jobs():
        ids = [job.job_id for job in jobs.get_import_export_jobs()]
        expect(state["export"] in ids and state["import"] in ids, ids)

    def cancel_import_export():
        job = jobs.create_import_export_job(JobProperties(type="export", output_blob_container_uri=blob_container(
            "pycancel"), exclude_keys_in_export=True))
        jobs.cancel_import_export_job(job.job_id)
        expect(jobs.get_import_export_job(job.job_id).status == "cancelled", "not cancelled")

    def devices():
        listed = registry.get_devices(10)
        expect(len(listed) == 10 and listed[0].device_id == "device-00001", listed)

    def statistics():
        total = registry.get_device_registry_statistics().total_device_count
        connected = registry.get_service_statistics().connected_device_count
        expect(total >= 1 and connected >= 1, (total, connected))

    def direct_method():
        answer = registry.invoke_device_method("device-00003", CloudToDeviceMethod(
            method_name="reboot", payload={"delay": 0}, response_timeout_in_seconds=30))
        expect(answer.status == 200, answer)

    for name, fn in [("twin job: create", create_twin), ("twin job: get (completed)", get_twin),
                     ("method job: create", create_method), ("method job: get (completed)", get_method),
                     ("job: cancel", cancel), ("jobs: query", query), ("device job rows: query", device_rows),
                     ("export: create", export), ("export: get (completed)", get_export), ("import: create", import_),
                     ("import/export: list", list_jobs), ("import/export: cancel", cancel_import_export),
                     ("devices: list", devices), ("statistics", statistics), ("direct method: invoke", direct_method)]:
        rec.op(name, fn)
    rec.report()


if __name__ == "__main__":
    main()
