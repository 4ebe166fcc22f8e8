"""Per-device results of a 100,000-device job: azure_iot.jobs.iothub_scheduled_job_info (include_device_results) vs a
plain requests paging loop; wall time, peak memory and requests.

The emulator is reset to DEVICES devices with a device-operation rate high enough to run the job in seconds; the job
is made before anything is measured. The module is measured twice: as its own Python process (what runs on the
target, comparable with the plain script) and through ansible-playbook (controller included).
"""
import json
import time

from bench.common import PYTHON, Row, child_env, measure, module_process, playbook, total_requests

DEVICES = 100000
JOB_ID = "bench-results"


def setup(emulator):
    """Seed DEVICES devices and run one twin job over all of them; returns the seconds the seeding took."""
    started = time.perf_counter()
    emulator.reset(DEVICES, device_ops_per_second=1000000)
    seeding = time.perf_counter() - started
    job = emulator.run_twin_job(JOB_ID, "*", {"benchMarker": 1})
    if job["deviceJobStatistics"]["succeededCount"] != DEVICES:
        raise RuntimeError("the %d-device job ended %s" % (DEVICES, job["deviceJobStatistics"]))
    return seeding


def _rows_in(output, key_path):
    body = json.loads(output[output.index("{"):])
    for key in key_path:
        body = body[key]
    return len(body)


def _module_process(emulator):
    result = module_process(emulator, "iothub_scheduled_job_info", {"job_id": JOB_ID, "include_device_results": True})
    return result, _rows_in(result.output, ("jobs", 0, "device_results"))


def _module_playbook(emulator):
    return playbook(emulator, "device_results_module.yml", {"bench_job_id": JOB_ID, "bench_devices": DEVICES}), DEVICES


def _plain(page_size):
    def run(emulator):
        command = [PYTHON, "-m", "bench.plain_device_results", JOB_ID] + ([str(page_size)] if page_size else [])
        result = measure(command, child_env(emulator)).check("plain_device_results")
        return result, _rows_in(result.output, ("device_results",))
    return run


VARIANTS = (
    ("info module, module process", False, _module_process),
    ("info module, ansible-playbook", False, _module_playbook),
    ("requests loop, default page", True, _plain(None)),
    ("requests loop, 1000 per page", True, _plain(1000)),
)


def run(emulator, runs=1):
    emulator.notes["seeding %d devices (POST /_emulator/reset)" % DEVICES] = "%.1f s" % setup(emulator)
    rows = []
    for variant, baseline, function in VARIANTS:
        emulator.clear_requests()
        result, count = function(emulator)
        counts = emulator.request_counts()
        if count != DEVICES:
            raise RuntimeError("%s returned %d rows, not %d" % (variant, count, DEVICES))
        rows.append(Row("device results, %d devices" % DEVICES, variant, result.wall, total_requests(counts), None,
                        result.peak_mib, "CPU %.2f s, %d rows" % (result.cpu, count),
                        extra=dict(baseline=baseline, cpu=round(result.cpu, 3), counts=counts)))
    return rows
