"""The azure-iot-hub SDK alternative: create a twin-update job over every device and poll it until it ends.

    python bench/sdk_create_wait.py JOB_ID VERSION POLL_SECONDS

Reads AZURE_IOTHUB_CONNECTION_STRING and REQUESTS_CA_BUNDLE (the emulator's CA) from the environment.
"""
import os
import sys
import time
from datetime import datetime, timezone

from azure.iot.hub import IoTHubJobManager
from azure.iot.hub.models import JobRequest, Twin, TwinProperties


def main(job_id, version, poll):
    jobs = IoTHubJobManager.from_connection_string(os.environ["AZURE_IOTHUB_CONNECTION_STRING"])
    jobs.protocol.config.connection.verify = os.environ["REQUESTS_CA_BUNDLE"]
    patch = Twin(etag="*", properties=TwinProperties(desired={"firmware": {"version": version}}))
    request = JobRequest(job_id=job_id, type="scheduleUpdateTwin", update_twin=patch, query_condition="*",
                         start_time=datetime.now(timezone.utc), max_execution_time_in_seconds=3600)
    job = jobs.create_scheduled_job(job_id, request)
    while job.status not in ("completed", "failed", "cancelled"):
        time.sleep(poll)
        job = jobs.get_scheduled_job(job_id)
    stats = job.device_job_statistics
    if job.status != "completed" or stats.succeeded_count != stats.device_count:
        sys.exit("job %s ended %s: %s" % (job_id, job.status, stats))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
