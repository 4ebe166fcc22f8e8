"""Shared plumbing of the benchmarks: the emulator's control API, a SAS token, measured child processes, Ansible
runs and the result rows.

Every number comes from a child process measured with os.wait4 (wall time, CPU time, peak RSS of the process and
the children it waited for) and from the emulator's request counters (GET /_emulator/requests), which count only
the emulated API, never the control calls the benchmark itself makes.
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import quote, quote_plus

import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, ".venv", "bin")
PYTHON = os.path.join(BIN, "python")
COLLECTIONS = os.path.join(REPO, "build", "collections")
PLAYBOOKS = os.path.join(REPO, "bench", "playbooks")
MODULES = os.path.join(REPO, "plugins", "modules")
API_VERSION = "2021-04-12"
TERMINAL = ("completed", "failed", "cancelled")


# --------------------------------------------------------------------------------------------- the emulator

class Emulator(object):
    """The running emulator: its env.json variables, its control API and a SAS-signed session for setup calls."""

    def __init__(self, env):
        self.env = env
        self.url = env["EMULATOR_URL"]
        self.ca = env["REQUESTS_CA_BUNDLE"]
        self.time_scale = 1.0
        self.notes = {}  # what a benchmark observed of the emulator itself, printed under the table
        self.http = requests.Session()
        self.http.trust_env = False  # the caller's REQUESTS_CA_BUNDLE must not replace the emulator's CA
        self.http.verify = self.ca

    def control(self, method, path, body=None, timeout=120):
        response = self.http.request(method, self.url + "/_emulator/" + path, json=body, timeout=timeout)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self, devices, seed=1, **config):
        """A fresh registry of `devices` devices, no jobs, cleared counters, then the given config changes."""
        # Seeding a million devices takes minutes on a busy 2-core machine.
        self.control("POST", "reset", {"devices": devices, "seed": seed}, timeout=1800)
        if config:
            self.control("PATCH", "config", config)
        self.time_scale = self.control("GET", "config")["time_scale"]

    def clear_requests(self):
        self.control("DELETE", "requests")

    def peak_rss_mib(self):
        """The emulator process's peak resident memory so far (VmHWM), or None where /proc does not tell."""
        try:
            with open("/proc/%s/status" % self.env["EMULATOR_PID"], encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024.0
        except (OSError, KeyError, ValueError):
            pass
        return None

    def request_counts(self):
        return self.control("GET", "requests")

    def request_log(self):
        return self.control("GET", "requests/log")

    def hub(self, method, path, body=None, headers=None):
        """One call to the emulated hub's data plane (setup and checks, not measured)."""
        token = sas_token(self.env["AZURE_IOTHUB_CONNECTION_STRING"])
        response = self.http.request(method, self.url + path, params={"api-version": API_VERSION}, json=body,
                                     headers=dict(headers or {}, Authorization=token), timeout=300)
        response.raise_for_status()
        return response

    def run_twin_job(self, job_id, query, desired):
        """Create a twin-update job starting now and wait for its end (setup, not measured); returns the job."""
        body = {"jobId": job_id, "type": "scheduleUpdateTwin", "queryCondition": query,
                "updateTwin": {"etag": "*", "properties": {"desired": desired}}, "maxExecutionTimeInSeconds": 3600,
                "startTime": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        self.hub("PUT", "/jobs/v2/" + job_id, body)
        return self.wait_job(job_id)

    def wait_job(self, job_id, timeout=600, interval=0.5):
        deadline = time.monotonic() + timeout
        while True:
            job = self.hub("GET", "/jobs/v2/" + job_id).json()
            if job.get("status") in TERMINAL:
                return job
            if time.monotonic() > deadline:
                raise RuntimeError("job %s still %s after %s s" % (job_id, job.get("status"), timeout))
            time.sleep(interval)

    def job_seconds(self, job):
        """Real seconds the emulator spent on a finished job: from creation to its end, on its emulated timeline.

        The job is accepted 2 emulated seconds after creation and stamps its end on a timeline that starts when it
        runs, so (endTime - startTime) + 2 emulated seconds, divided by the time scale.
        """
        return (_seconds_between(job["startTime"], job["endTime"]) + 2.0) / self.time_scale

    def job_interval(self, job):
        """(begin, end) in epoch seconds of a finished job's time on the emulator, on one timeline for all jobs.

        createdTime is a wall-clock date; the job is accepted 2 emulated seconds later, and its timeline (which its
        endTime is on) runs from that wall-clock date at the emulated pace: the running part is scaled back.
        """
        created = _epoch(job["createdTime"])
        accepted = created + 2.0 / self.time_scale
        return created, accepted + max(0.0, _epoch(job["endTime"]) - accepted) / self.time_scale


def union_seconds(intervals):
    """Seconds covered by (begin, end) intervals: overlapping jobs count once, not once each."""
    total, reach = 0.0, None
    for begin, end in sorted(intervals):
        if reach is None or begin > reach:
            total += end - begin
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def _epoch(text):
    """Seconds of an IoT Hub UTC time ("2025-06-01T12:00:41.1180000Z", up to 7 decimals) since the epoch."""
    head, _dot, fraction = text.rstrip("Z").partition(".")
    moment = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return moment.timestamp() + float("0." + (fraction or "0"))


def _seconds_between(start, end):
    return max(0.0, _epoch(end) - _epoch(start))


def sas_token(connection_string, ttl=3600):
    """A hub-level SharedAccessSignature from a connection string, as any hand-written client has to make one."""
    parts = dict(field.split("=", 1) for field in connection_string.split(";") if field)
    sr = quote_plus(parts["HostName"])
    expiry = int(time.time() + ttl)
    digest = hmac.new(base64.b64decode(parts["SharedAccessKey"]), ("%s\n%d" % (sr, expiry)).encode(),
                      hashlib.sha256).digest()
    return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s" % (
        sr, quote(base64.b64encode(digest).decode()), expiry, parts["SharedAccessKeyName"])


# --------------------------------------------------------------------------------------------- measuring

@dataclass
class Measured:
    """One finished child process: wall and CPU seconds, peak RSS in MiB, exit status and its output."""

    wall: float
    cpu: float
    peak_mib: float
    returncode: int
    output: str
    # VmHWM of the command's own process, polled while it ran: ru_maxrss carries the high-water mark of the spawning
    # process across exec (Linux keeps it in the signal struct), so it cannot show a child smaller than this one.
    own_peak_mib: Optional[float] = None

    def check(self, what):
        if self.returncode != 0:
            raise RuntimeError("%s exited with %s:\n%s" % (what, self.returncode, self.output[-4000:]))
        return self


def _vm_hwm_mib(pid):
    try:
        with open("/proc/%d/status" % pid, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return None


def _poll_own_peak(pid, found, stop, interval=0.01):
    """Keep the last VmHWM (a high-water mark, so the last reading is the largest) until the process is gone."""
    while not stop.is_set():
        value = _vm_hwm_mib(pid)
        if value is not None:
            found[0] = value
        stop.wait(interval)


def measure(command, env=None, cwd=REPO):
    """Run `command` to its end; os.wait4 gives the rusage of it and of every child it waited for.

    ru_maxrss is the largest peak of any one of those processes (kB on Linux), not a sum, and never less than this
    process's own size when it spawned them; own_peak_mib is the command's own process alone.
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT)
        found, stop = [None], threading.Event()
        poller = threading.Thread(target=_poll_own_peak, args=(process.pid, found, stop), daemon=True)
        poller.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        poller.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, process.returncode, output,
                    found[0])


def child_env(emulator, **extra):
    """The environment of a measured command: the emulator's variables and what Ansible needs to find this checkout
    as the azure_iot.jobs collection (the same as the Makefile's ANSIBLE_ENV)."""
    env = dict(os.environ, **emulator.env)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
        ANSIBLE_PYTHON_INTERPRETER=PYTHON,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def playbook(emulator, name, extra_vars=None, **env):
    """ansible-playbook bench/playbooks/<name> against localhost, measured."""
    command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local",
               os.path.join(PLAYBOOKS, name)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    return measure(command, child_env(emulator, **env)).check(name)


def module_process(emulator, module, args, wrapper=None, **env):
    """The module alone, as one Python process (what Ansible runs on the target), with its arguments in a file.

    `wrapper` is a script that runs the module file itself (bench/import_probe.py)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    try:
        script = os.path.join(MODULES, module + ".py")
        command = [PYTHON] + ([wrapper, script] if wrapper else [script]) + [handle.name]
        return measure(command, child_env(emulator, PYTHONPATH=COLLECTIONS, **env)).check(module)
    finally:
        os.remove(handle.name)


def median_run(runs, function):
    """Run `function` `runs` times; the run with the median wall time."""
    results = sorted((function() for _run in range(runs)), key=lambda result: result[0].wall)
    return results[len(results) // 2]


# --------------------------------------------------------------------------------------------- results

@dataclass
class Row:
    """One line of the table: a benchmark, a variant and what was measured for it; `extra` goes to the JSON file
    (baseline=True marks a hand-written alternative)."""

    bench: str
    variant: str
    wall: float
    requests: Optional[float] = None
    polls: Optional[int] = None
    peak_mib: Optional[float] = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self):
        return dict(bench=self.bench, variant=self.variant, wall=round(self.wall, 3), requests=self.requests,
                    polls=self.polls, peak_mib=None if self.peak_mib is None else round(self.peak_mib, 1),
                    note=self.note, **self.extra)


def total_requests(counts, exclude_prefix=None):
    return sum(n for route, n in counts.items() if not (exclude_prefix and route.startswith(exclude_prefix)))


def polls_of(counts):
    """GETs of scheduled jobs (a converge's one GET included)."""
    return counts.get("GET /jobs/v2/{id}", 0)


def polls_after_create(log):
    """GETs of each scheduled job after its PUT, summed: the polls of the waits, without the lookup made before a
    create (a job never created by PUT counts none)."""
    created, polls = set(), 0
    for entry in log:
        if entry["route"] == "/jobs/v2/{id}":
            if entry["method"] == "PUT":
                created.add(entry["path"])
            elif entry["method"] == "GET" and entry["path"] in created:
                polls += 1
    return polls
