"""A 5-wave azure_iot.jobs.iothub_rollout over 10,000 devices: its orchestration overhead, the wall time minus the
time the emulator spent executing the rollout's jobs (each from its creation to its end).

The device-operation rate is raised so that the jobs themselves take seconds; what is left is the role's own cost:
listing the devices, planning, one ansible task chain per job, and the slack of polling every POLL seconds.

A wave of 2,000 devices does not fit in one query (IoT Hub refuses more than about 8,200 characters; 2,000 ids make
about 32,000), so each wave runs as 5 jobs one after the other (495 devices each, then 20): 25 jobs in all.
"""
import json
import os
import tempfile

from bench.common import REPO, Row, playbook, polls_after_create, total_requests

DEVICES = 10000
WAVES = 5
POLL = 1
DEVICE_OPS_PER_SECOND = 50  # emulated; 1,000 devices a real second at time scale 20
NAME = "bench-rollout"
ROLE = os.path.join(REPO, "roles", "iothub_rollout", "tasks", "main.yml")


class NotAvailable(Exception):
    """The role is not in this checkout (yet)."""


def _jobs_of(emulator, prefix):
    jobs = emulator.hub("GET", "/jobs/v2/query", headers={"x-ms-max-item-count": "1000"}).json()
    return [job for job in jobs if job["jobId"].startswith(prefix)]


def run(emulator, runs=1):
    if not os.path.exists(ROLE):
        raise NotAvailable("roles/iothub_rollout is not in this checkout")
    emulator.reset(DEVICES, device_ops_per_second=DEVICE_OPS_PER_SECOND)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_file = handle.name
    try:
        emulator.clear_requests()
        result = playbook(emulator, "rollout.yml", {"bench_name": NAME, "bench_version": "2.0.0", "bench_poll": POLL,
                                                    "bench_result_file": result_file})
        counts, log = emulator.request_counts(), emulator.request_log()
        with open(result_file, encoding="utf-8") as handle:
            outcome = json.load(handle)
    finally:
        os.remove(result_file)
    jobs = _jobs_of(emulator, NAME)
    job_seconds = sum(emulator.job_seconds(job) for job in jobs)
    targeted = sum(job["deviceJobStatistics"]["deviceCount"] for job in jobs)
    waves = outcome.get("waves") or []
    planned = sum(len(wave.get("job_ids") or [wave["job_id"]]) for wave in waves)
    if len(waves) != WAVES or len(jobs) != planned or targeted != DEVICES or not outcome.get("completed"):
        raise RuntimeError("the rollout ran %d jobs (%d planned) over %d devices: %s"
                           % (len(jobs), planned, targeted, outcome))
    overhead = result.wall - job_seconds
    return [Row("rollout, %d waves, %d devices" % (WAVES, DEVICES), "iothub_rollout role", result.wall,
                total_requests(counts), polls_after_create(log), result.peak_mib,
                "%d jobs %.2f s, orchestration overhead %.2f s (%.2f s a wave), CPU %.2f s" % (
                    len(jobs), job_seconds, overhead, overhead / WAVES, result.cpu),
                extra=dict(job_seconds=round(job_seconds, 3), overhead=round(overhead, 3), cpu=round(result.cpu, 3),
                           counts=counts))]
