"""The hand-written alternative of the rollout benchmark: a plain requests script that rolls a twin update out in
equal waves, each wave's devices cut into jobs whose deviceId IN [...] conditions IoT Hub takes, each job created and
polled every POLL seconds to its end, the failed devices read when the job counts some, and a stop above the
threshold. No idempotency, no retries, no revert: the least a script must do. It lists in pages of 1,000
(x-ms-max-item-count), as the role's device listing does, so that the difference is the orchestration alone.

    python -m bench.plain_rollout NAME VERSION POLL_SECONDS WAVES THRESHOLD [CONCURRENT]

With CONCURRENT jobs (default 1) a wave's jobs are created that many at a time, then polled in order: what the
module's concurrent_jobs does, written by hand.

Prints {"waves": [{"name", "job_ids", "targeted", "failed"}, ...], "completed": bool} on stdout.
"""
import json
import os
import sys
import time
from datetime import datetime, timezone

import requests

from bench.common import API_VERSION, TERMINAL, sas_token

MAX_CONDITION = 7947  # the longest condition the collection's modules send, under the hub's ~8,200 characters


class Hub(object):
    def __init__(self):
        self.session = requests.Session()
        self.session.verify = os.environ["REQUESTS_CA_BUNDLE"]
        self.base = "https://%s" % os.environ["AZURE_IOTHUB_HOSTNAME"]
        self.token = sas_token(os.environ["AZURE_IOTHUB_CONNECTION_STRING"])

    def call(self, method, path, body=None, headers=None):
        response = self.session.request(method, self.base + path, params={"api-version": API_VERSION}, json=body,
                                        headers=dict(headers or {}, Authorization=self.token), timeout=60)
        response.raise_for_status()
        return response

    def query(self, sql):
        rows, headers = [], {"x-ms-max-item-count": "1000"}  # the largest page, as the modules ask for it
        while True:
            response = self.call("POST", "/devices/query", {"query": sql}, headers)
            rows.extend(response.json())
            token = response.headers.get("x-ms-continuation")
            if not token:
                return rows
            headers["x-ms-continuation"] = token


def conditions(ids):
    """Consecutive runs of the ids whose deviceId IN [...] conditions fit."""
    runs, current = [], []
    for device_id in ids:
        candidate = current + [device_id]
        if current and len("deviceId IN [%s]" % ", ".join("'%s'" % d for d in candidate)) > MAX_CONDITION:
            runs.append(current)
            candidate = [device_id]
        current = candidate
    return runs + [current]


def create_job(hub, job_id, ids, version):
    body = {"jobId": job_id, "type": "scheduleUpdateTwin",
            "queryCondition": "deviceId IN [%s]" % ", ".join("'%s'" % d for d in ids),
            "updateTwin": {"etag": "*", "properties": {"desired": {"firmware": {"version": version}}}},
            "startTime": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "maxExecutionTimeInSeconds": 3600}
    return hub.call("PUT", "/jobs/v2/" + job_id, body).json(), time.monotonic()


def wait_job(hub, job_id, job, read_at, poll):
    """Poll the job every `poll` seconds (counted from its last read) to its end; its failed devices."""
    while job.get("status") not in TERMINAL:
        time.sleep(max(0.0, read_at + poll - time.monotonic()))
        job, read_at = hub.call("GET", "/jobs/v2/" + job_id).json(), time.monotonic()
    if job["status"] != "completed":
        sys.exit("job %s ended %s" % (job_id, job["status"]))
    if not job["deviceJobStatistics"]["failedCount"]:
        return []
    rows = hub.query("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '%s' AND devices.jobs.status = 'failed'"
                     % job_id)
    return [row["deviceId"] for row in rows]


def run_jobs(hub, jobs, version, poll, concurrent):
    """Create the jobs `concurrent` at a time and wait for each batch in order; the failed devices."""
    failed = []
    for first in range(0, len(jobs), concurrent):
        batch = [(job_id,) + create_job(hub, job_id, ids, version) for job_id, ids in jobs[first:first + concurrent]]
        for job_id, job, read_at in batch:
            failed += wait_job(hub, job_id, job, read_at, poll)
    return failed


def main(name, version, poll, waves, threshold, concurrent=1):
    hub = Hub()
    fleet = sorted(row["deviceId"] for row in hub.query("SELECT deviceId FROM devices"))
    size = -(-len(fleet) // waves)
    done = []
    for number in range(waves):
        ids = fleet[number * size:(number + 1) * size]
        job_id = "%s-wave-%d" % (name, number + 1)
        runs = conditions(ids)
        job_ids = [job_id] + ["%s-part-%d" % (job_id, part) for part in range(2, len(runs) + 1)]
        failed = run_jobs(hub, list(zip(job_ids, runs)), version, poll, concurrent)
        done.append({"name": "wave-%d" % (number + 1), "job_ids": job_ids, "targeted": len(ids),
                     "failed": len(failed)})
        if len(failed) * 100.0 / len(ids) > threshold:
            break
    json.dump({"waves": done, "completed": len(done) == waves}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]),
         int(sys.argv[6]) if len(sys.argv) > 6 else 1)
