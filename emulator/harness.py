"""Start and stop the emulator as a subprocess: for the test suite, the demo and benchmarks.

    with running_emulator(tmp_dir, devices=100, seed=1, tier="S1", time_scale=50) as env:
        requests.get(env["EMULATOR_URL"] + "/_emulator/health", verify=env["REQUESTS_CA_BUNDLE"])
"""
import contextlib
import json
import os
import subprocess
import sys
import time

from .envfile import ENV_JSON

PACKAGE = __package__  # "emulator" in the azure_iot.jobs checkout, "azure_iot_emulator" once installed
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(PACKAGE_DIR)
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
LOG_NAME = "emulator.log"


class EmulatorStartError(RuntimeError):
    """The emulator exited or did not become ready in time; the message carries its output."""


def emulator_args(state_dir, devices=100, seed=1, tier="S1", time_scale=1.0, extra_args=(), hubs=1):
    return ["--port", "0", "--state-dir", str(state_dir), "--devices", str(devices), "--seed", str(seed),
            "--tier", tier, "--time-scale", str(time_scale), *(["--hubs", str(hubs)] if hubs != 1 else []),
            *extra_args]


def _log_tail(path, limit=4000):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-limit:]
    except OSError:
        return ""


def _wait_for_env(process, env_path, log_path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        if os.path.exists(env_path):
            with open(env_path, encoding="utf-8") as handle:
                return json.load(handle)
        if process.poll() is not None:
            raise EmulatorStartError("the emulator exited with status %s before it was ready:\n%s"
                                     % (process.returncode, _log_tail(log_path)))
        if time.monotonic() > deadline:
            raise EmulatorStartError("the emulator was not ready after %.0f s:\n%s" % (timeout, _log_tail(log_path)))
        time.sleep(0.05)


def stop(process):
    """SIGTERM, then SIGKILL if it does not exit in STOP_TIMEOUT seconds; returns the exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def emulator_command():
    """The command that starts this very copy of the emulator with this interpreter.

    Installed, that is the package's own `-m azure_iot_emulator` (what the console script runs), from any folder; in
    the checkout it is `-m emulator`, run from the repository root (the cwd of the subprocess)."""
    return [sys.executable, "-m", PACKAGE], (REPO_ROOT if PACKAGE == "emulator" else None)


@contextlib.contextmanager
def running_emulator(state_dir, devices=100, seed=1, tier="S1", time_scale=1.0, extra_args=(), hubs=1):
    """Run the emulator (emulator_command()); yield its env.json as a dict."""
    state_dir = os.path.abspath(str(state_dir))
    os.makedirs(state_dir, exist_ok=True)
    env_path = os.path.join(state_dir, ENV_JSON)
    if os.path.exists(env_path):
        os.remove(env_path)
    log_path = os.path.join(state_dir, LOG_NAME)
    command, cwd = emulator_command()
    command += emulator_args(state_dir, devices, seed, tier, time_scale, extra_args, hubs)
    with open(log_path, "ab") as log:
        # Output goes to a file, not a pipe, so a chatty emulator can never block on a full pipe.
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        yield _wait_for_env(process, env_path, log_path, START_TIMEOUT)
    finally:
        stop(process)
