"""Per-device results of jobs of 10,000, 100,000 (and, with --million, 1,000,000) devices:
azure_iot.jobs.iothub_scheduled_job_info writing them as JSON Lines (device_results_dest) vs a plain requests loop
writing JSON Lines with the best page size (1,000 rows); wall time, requests and peak memory of each process (its own
VmHWM, polled; for ansible-playbook the ru_maxrss of the controller, its workers and the module).

For each size the emulator is reset to that many devices with a device-operation rate high enough to run the job in
seconds, and the job is run before anything is measured (seeding and the job are timed and printed). Up to 100,000
devices the two compared variants keep the median of `runs` runs. At 100,000 devices the module is also measured
once returning the rows in its result, and once through ansible-playbook.
"""
import os
import tempfile
import time
from functools import partial

from bench.common import PYTHON, Row, child_env, measure, median_run, module_process, playbook, total_requests

DEFAULT_SIZES = (10000, 100000)
# Up to this size the two compared variants keep the median of `runs` runs; above it one run each.
REPEATED_UP_TO = 100000
MILLION = 1000000
JOB_ID = "bench-results"
BEST_PAGE = 1000


def setup(emulator, devices):
    """Seed `devices` devices and run one twin job over all of them; (seconds seeding, seconds of the job)."""
    started = time.perf_counter()
    emulator.reset(devices, device_ops_per_second=1000000)
    seeded = time.perf_counter()
    job = emulator.run_twin_job(JOB_ID, "*", {"benchMarker": 1})
    if job["deviceJobStatistics"]["succeededCount"] != devices:
        raise RuntimeError("the %d-device job ended %s" % (devices, job["deviceJobStatistics"]))
    return seeded - started, time.perf_counter() - seeded


def _lines(path):
    with open(path, "rb") as handle:
        return sum(1 for _line in handle)


def _module_file(emulator, devices, dest):
    args = {"job_id": JOB_ID, "include_device_results": True, "device_results_dest": dest}
    return module_process(emulator, "iothub_scheduled_job_info", args), _lines(dest)


def _module_rows(emulator, devices, dest):
    result = module_process(emulator, "iothub_scheduled_job_info", {"job_id": JOB_ID, "include_device_results": True})
    return result, result.output.count('"device_id"')


def _module_playbook(emulator, devices, dest):
    result = playbook(emulator, "device_results_module.yml", {"bench_job_id": JOB_ID, "bench_devices": devices,
                                                              "bench_dest": dest})
    return result, _lines(dest)


def _plain_file(emulator, devices, dest):
    command = [PYTHON, "-m", "bench.plain_device_results", JOB_ID, str(BEST_PAGE), dest]
    return measure(command, child_env(emulator)).check("plain_device_results"), _lines(dest)


# (variant, hand-written?, function, sizes it runs at: None = every size)
VARIANTS = (
    ("module process, JSON Lines file", False, _module_file, None),
    ("requests loop, 1000 a page, JSON Lines file", True, _plain_file, None),
    ("module via ansible-playbook, JSON Lines file", False, _module_playbook, (100000,)),
    # Last: reading its 40 MB of output grows this process, the floor of later ru_maxrss figures.
    ("module process, rows in the result", False, _module_rows, (100000,)),
)


def _measured(emulator, function, devices):
    """One run of a variant: (Measured, rows it wrote or returned, the emulator's request counts)."""
    with tempfile.TemporaryDirectory(prefix="bench-results-") as directory:
        emulator.clear_requests()
        result, count = function(emulator, devices, os.path.join(directory, "rows.jsonl"))
        return result, count, emulator.request_counts()


def bench_name(devices):
    return "device results, %d devices" % devices


def run(emulator, runs=1, sizes=DEFAULT_SIZES):
    rows = []
    for devices in sizes:
        seeding, job = setup(emulator, devices)
        emulator.notes["seeding %d devices (POST /_emulator/reset)" % devices] = "%.1f s, then the job %.1f s" % (
            seeding, job)
        for variant, baseline, function, only in VARIANTS:
            if only is not None and devices not in only:
                continue
            repeats = runs if only is None and devices <= REPEATED_UP_TO else 1
            result, count, counts = median_run(repeats, partial(_measured, emulator, function, devices))
            if count != devices:
                raise RuntimeError("%s returned %d rows, not %d" % (variant, count, devices))
            # One process: its own VmHWM. ansible-playbook: ru_maxrss, the largest of controller, worker and module.
            peak = result.peak_mib if function is _module_playbook else result.own_peak_mib
            rows.append(Row(bench_name(devices), variant, result.wall, total_requests(counts), None,
                            peak, "CPU %.2f s, %d rows" % (result.cpu, count),
                            extra=dict(baseline=baseline, cpu=round(result.cpu, 3), counts=counts,
                                       devices=devices)))
        emulator.notes["emulator peak RSS after %d devices" % devices] = "%.0f MiB" % (emulator.peak_rss_mib() or 0)
    return rows
