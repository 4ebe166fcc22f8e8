"""A 5-wave azure_iot.jobs.iothub_rollout over 10,000 devices against a hand-written requests script doing the same
rollout: the orchestration overhead of each, the wall time minus the time the emulator spent executing its jobs (each
from its creation to its end).

The device-operation rate is raised so that the jobs themselves take seconds; what is left is the cost around them:
Ansible's start and the role's few tasks (the whole rollout is one azure_iot.jobs.iothub_rollout_waves task: the
listing, the waves, the decisions), the requests, and the slack of polls at least POLL seconds apart (the script
polls every POLL seconds).

A wave of 2,000 devices does not fit in one deviceId IN [...] query (IoT Hub refuses more than about 8,200
characters; 2,000 ids make about 32,000). The role runs each wave as one job over the wave's deviceId range (the hub
lists exactly the wave's devices in it): 5 jobs in all. The script cuts each wave into 5 IN-list jobs (495 devices
each, then 20), as the role did before: 25 jobs. On an S1 hub (one job at a time) they run one after the other; on an
S3 hub (10 at a time) the script runs a wave's 5 at once (the role's concurrent_jobs 5 has one job to run). The
jobs share the hub's device-operation rate (the same raised rate on both tiers), so running them at once saves the
gaps between them, not device time.

Job time is the union of the jobs' intervals on the emulator (from creation to end, on one timeline): jobs that
overlap count once.
"""
import json
import os

from bench.common import (
    PYTHON,
    REPO,
    Row,
    child_env,
    measure,
    playbook,
    polls_after_create,
    total_requests,
    union_seconds,
)

DEVICES = 10000
WAVES = 5
POLL = 1
THRESHOLD = 10
DEVICE_OPS_PER_SECOND = 50  # emulated; 1,000 devices a real second at time scale 20
NAME = "bench-rollout"
PLAIN_NAME = "bench-plain-rollout"
ROLE = os.path.join(REPO, "roles", "iothub_rollout", "tasks", "main.yml")
TARGET = 1.0  # seconds of orchestration a wave (issue 19)


class NotAvailable(Exception):
    """The role is not in this checkout (yet)."""


def _jobs_of(emulator, prefix):
    jobs = emulator.hub("GET", "/jobs/v2/query", headers={"x-ms-max-item-count": "1000"}).json()
    return [job for job in jobs if job["jobId"].startswith(prefix + "-")]


def _checked(emulator, prefix, outcome, what):
    """(jobs, seconds the emulator spent on them) once the rollout ran every planned job over every device."""
    jobs = _jobs_of(emulator, prefix)
    targeted = sum(job["deviceJobStatistics"]["deviceCount"] for job in jobs)
    waves = outcome.get("waves") or []
    planned = sum(len(wave.get("job_ids") or [wave["job_id"]]) for wave in waves)
    if len(waves) != WAVES or len(jobs) != planned or targeted != DEVICES or not outcome.get("completed"):
        raise RuntimeError("%s ran %d jobs (%d planned) over %d devices: %s" % (what, len(jobs), planned, targeted,
                                                                                outcome))
    return jobs, union_seconds(emulator.job_interval(job) for job in jobs)


def _role(emulator, concurrent):
    result = playbook(emulator, "rollout.yml", {"bench_name": NAME, "bench_version": "2.0.0", "bench_poll": POLL,
                                                "bench_concurrent": concurrent})
    line = next(line for line in result.output.splitlines() if "BENCH_RESULT " in line)
    # The debug task's line: "msg": "BENCH_RESULT {...}", the result as a JSON string inside a JSON string.
    return result, json.loads(json.loads(line.split(":", 1)[1].strip()).split(" ", 1)[1])


def _plain(emulator, concurrent):
    command = [PYTHON, "-m", "bench.plain_rollout", PLAIN_NAME, "2.0.0", str(POLL), str(WAVES), str(THRESHOLD),
               str(concurrent)]
    result = measure(command, child_env(emulator)).check("plain_rollout")
    return result, json.loads(result.output)


def _measured(emulator, variant, prefix, tier, concurrent):
    emulator.reset(DEVICES, tier=tier, device_ops_per_second=DEVICE_OPS_PER_SECOND)
    emulator.clear_requests()
    result, outcome = variant(emulator, concurrent)
    counts, log = emulator.request_counts(), emulator.request_log()
    jobs, job_seconds = _checked(emulator, prefix, outcome, variant.__name__)
    overhead = result.wall - job_seconds
    return result, counts, log, jobs, job_seconds, overhead


# (hub tier, jobs at once): S1 runs one job at a time; S3 up to 10, of which a wave's 5 run at once.
SETUPS = (("S1", 1), ("S3", 5))


def run(emulator, runs=1):
    if not os.path.exists(ROLE):
        raise NotAvailable("roles/iothub_rollout is not in this checkout")
    try:
        return _run_setups(emulator)
    finally:
        emulator.control("PATCH", "config", {"tier": "S1", "device_ops_per_second": None})  # as the others expect


def _run_setups(emulator):
    rows = []
    per_wave = {}
    for tier, concurrent in SETUPS:
        for label, variant, prefix, baseline in (("iothub_rollout role", _role, NAME, False),
                                                 ("requests script, same polls", _plain, PLAIN_NAME, True)):
            result, counts, log, jobs, job_seconds, overhead = _measured(emulator, variant, prefix, tier, concurrent)
            per_wave[tier, baseline] = overhead / WAVES
            note = "%d jobs %.2f s (union), orchestration %.2f s (%.2f s a wave), CPU %.2f s" % (
                len(jobs), job_seconds, overhead, overhead / WAVES, result.cpu)
            rows.append(Row("rollout, %d waves, %d devices, %s, %d job(s) at once" % (WAVES, DEVICES, tier, concurrent),
                            label, result.wall, total_requests(counts), polls_after_create(log), result.peak_mib, note,
                            extra=dict(baseline=baseline, tier=tier, concurrent_jobs=concurrent,
                                       job_seconds=round(job_seconds, 3), overhead=round(overhead, 3),
                                       overhead_per_wave=round(overhead / WAVES, 3), cpu=round(result.cpu, 3),
                                       counts=counts)))
        ours, script = per_wave[tier, False], per_wave[tier, True]
        emulator.notes["rollout orchestration a wave, %s, %d at once" % (tier, concurrent)] = (
            "role %.2f s (target %.1f s: %.2fx), script %.2f s (role/script %.2fx); the role's own share %.2f s"
            % (ours, TARGET, ours / TARGET, script, ours / script if script > 0 else float("nan"), ours - script))
    return rows
