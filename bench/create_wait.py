"""Create a twin-update job over 1,000 devices and wait for its end: azure_iot.jobs.iothub_scheduled_job (wait: true)
vs an ansible.builtin.uri PUT + until-loop playbook vs an azure-iot-hub SDK script, all polling every POLL seconds
(the module at least that far apart: its polls follow the job).

The module also runs alone, as one Python process like the SDK script, so that its wait can be compared with the
script's without ansible-playbook's own start-up (which a loaded machine stretches most).
Overhead is the wall time minus the time the emulator spent on the job (creation to its end).
"""
import itertools
import os

from bench.common import PYTHON, REPO, Row, child_env, measure, median_run, module_process, playbook, \
    polls_after_create, sas_token, total_requests

DEVICES = 1000
POLL = 1
_serial = itertools.count(1)


def _job_id(tag):
    return "bench-cw-%s-%d" % (tag, next(_serial))


def _module(emulator, job_id):
    return playbook(emulator, "create_wait_module.yml",
                    {"bench_job_id": job_id, "bench_version": job_id, "bench_poll": POLL})


def _process(emulator, job_id):
    args = dict(job_id=job_id, query="*", twin_patch={"desired": {"firmware": {"version": job_id}}}, wait=True,
                wait_sleep=POLL, wait_timeout=600, connection_string=emulator.env["AZURE_IOTHUB_CONNECTION_STRING"],
                ca_path=emulator.env["REQUESTS_CA_BUNDLE"])
    return module_process(emulator, "iothub_scheduled_job", args)


def _uri(emulator, job_id):
    return playbook(emulator, "create_wait_uri.yml", {"bench_job_id": job_id, "bench_version": job_id,
                                                      "bench_poll": POLL},
                    BENCH_SAS_TOKEN=sas_token(emulator.env["AZURE_IOTHUB_CONNECTION_STRING"]))


def _sdk(emulator, job_id):
    script = os.path.join(REPO, "bench", "sdk_create_wait.py")
    return measure([PYTHON, script, job_id, job_id, str(POLL)], child_env(emulator)).check("sdk_create_wait.py")


VARIANTS = (
    ("module wait: true", "module", _module),
    ("module process alone", "process", _process),
    ("uri PUT + until loop", "uri", _uri),
    ("azure-iot-hub SDK script", "sdk", _sdk),
)


def _one(emulator, tag, function):
    job_id = _job_id(tag)
    emulator.clear_requests()
    result = function(emulator, job_id)
    counts, log = emulator.request_counts(), emulator.request_log()
    job = emulator.hub("GET", "/jobs/v2/" + job_id).json()
    if job["deviceJobStatistics"]["deviceCount"] != DEVICES:
        raise RuntimeError("job %s targeted %s devices" % (job_id, job["deviceJobStatistics"]["deviceCount"]))
    return result, counts, polls_after_create(log), emulator.job_seconds(job)


def run(emulator, runs=3):
    emulator.reset(DEVICES)
    rows = []
    for variant, tag, function in VARIANTS:
        result, counts, polls, job_seconds = median_run(runs, lambda: _one(emulator, tag, function))  # noqa: B023
        rows.append(Row("create + wait, %d devices" % DEVICES, variant, result.wall, total_requests(counts),
                        polls, result.peak_mib,
                        "job %.2f s, overhead %.2f s, CPU %.2f s" % (
                            job_seconds, result.wall - job_seconds, result.cpu),
                        extra=dict(baseline=tag not in ("module", "process"), job_seconds=round(job_seconds, 3),
                                   cpu=round(result.cpu, 3), counts=counts)))
    process, sdk = rows[1], rows[-1]
    process.note += ", %.2fx the SDK script" % (process.wall / sdk.wall)
    return rows
