"""make conformance: the official clients, unmodified, through the job workflows against one emulator.

    .venv/bin/python tests/conformance/run.py [--keep-going] [--markdown FILE]

1. Prepares the clients: the Python SDKs of .venv (test-requirements.txt), a second small virtualenv under
   build/conformance/ with the other major version of azure-mgmt-iothub (4.x and 5.x cannot share one), and the
   Node.js azure-iothub SDK with `npm ci` in tests/conformance/node/.
2. Starts the emulator (azure-iot-emulator, the package installed in .venv) on port 443 of a random loopback address,
   because the Node.js SDK cannot take a port in the hub's host name; where port 443 cannot be bound it falls back to
   a free port and the Node.js columns are skipped (a failure under CI=true).
3. Runs each driver (py_iothub.py, py_mgmt.py twice, node/conformance.js for SAS and Entra ID, py_central.py) one after
   another with the emulator's variables in its environment and only REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS for
   TLS trust, and prints the table client x operation (also written to build/conformance/table.md).
Exit status 1 when a cell failed.
"""
import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from azure_iot_emulator.harness import EmulatorStartError, running_emulator

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NODE_DIR = os.path.join(HERE, "node")
BUILD = os.path.join(ROOT, "build", "conformance")
DRIVER_TIMEOUT = 300
# Table rows, in order; a client that does not offer an operation shows a dash.
OPERATIONS = [
    "twin job: create", "twin job: get (completed)", "method job: create", "method job: get (completed)",
    "job: cancel", "jobs: query", "device job rows: query",
    "export: create", "export: get (completed)", "import: create", "import/export: list", "import/export: cancel",
    "devices: list", "statistics", "direct method: invoke", "hub: get", "hub: statistics", "hub: list keys",
    "central: device templates", "central: create job", "central: get job (complete)", "central: job devices",
    "central: stop + resume", "central: rerun failed devices", "central: list jobs (nextLink)",
    "central: scheduled job PUT, PATCH (application/json), DELETE", "central: Entra ID bearer token",
]


def log(message):
    print("conformance: %s" % message, flush=True)


def quiet(command, **kwargs):
    completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                               **kwargs)
    if completed.returncode:
        raise SystemExit("conformance: %s failed:\n%s" % (" ".join(command), completed.stdout[-4000:]))
    return completed.stdout


# --- clients ------------------------------------------------------------------------------------------------------
def mgmt_major(python):
    out = subprocess.run([python, "-c", "from importlib.metadata import version; print(version('azure-mgmt-iothub'))"],
                         stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    return int(out.split(".")[0])


def other_mgmt_venv():
    """A virtualenv with the azure-mgmt-iothub major version that .venv does not have, from the package index."""
    major = mgmt_major(sys.executable)
    spec = ["--pre", "azure-mgmt-iothub>=5.0.0b1,<6"] if major < 5 else ["azure-mgmt-iothub>=4,<5"]
    venv = os.path.join(BUILD, "mgmt-venv")
    stamp = os.path.join(venv, ".installed")
    wanted = " ".join(spec + ["azure-identity>=1.15"])
    if not (os.path.exists(stamp) and open(stamp).read() == wanted):
        started = time.monotonic()
        shutil.rmtree(venv, ignore_errors=True)
        quiet([sys.executable, "-m", "venv", venv])
        quiet([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               *spec, "azure-identity>=1.15"])
        with open(stamp, "w") as handle:
            handle.write(wanted)
        log("second virtualenv (%s) in %.0f s" % (wanted, time.monotonic() - started))
    return os.path.join(venv, "bin", "python")


def node_modules():
    """npm ci from package-lock.json, unless node_modules is already that install."""
    if not shutil.which("node") or not shutil.which("npm"):
        raise SystemExit("conformance: node and npm are needed (Node.js 18 or later)")
    installed = os.path.join(NODE_DIR, "node_modules", ".package-lock.json")
    lock = os.path.join(NODE_DIR, "package-lock.json")
    if not os.path.exists(installed) or os.path.getmtime(installed) < os.path.getmtime(lock):
        started = time.monotonic()
        quiet(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR)
        log("npm ci in %.0f s" % (time.monotonic() - started))


# --- the emulator -------------------------------------------------------------------------------------------------
def start_emulator(stack, state_dir):
    """(env, on_443): port 443 of a random 127.x.y.z address (three tries), else a free port of 127.0.0.1."""
    options = dict(devices=60, seed=5, tier="S3", time_scale=50)
    for _attempt in range(3):
        host = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(0, 254), random.randint(1, 254))
        try:
            return stack(running_emulator(state_dir, extra_args=["--port", "443", "--host", host], **options)), True
        except EmulatorStartError as exc:
            last = str(exc).splitlines()[-1] if str(exc) else "?"
    log("port 443 could not be bound (%s): the Node.js SDK is skipped" % last)
    return stack(running_emulator(state_dir, **options)), False


# --- drivers ------------------------------------------------------------------------------------------------------
def run_driver(command, env, cwd=None):
    started = time.monotonic()
    try:
        completed = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, timeout=DRIVER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return {"client": " ".join(command[-1:]), "results": {"(driver)": "FAIL: timed out"}, "notes": []}
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode or not lines:
        return {"client": os.path.basename(command[-1]), "notes": [],
                "results": {"(driver)": "FAIL: exit %s: %s" % (completed.returncode, completed.stderr[-300:])}}
    result = json.loads(lines[-1])
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def table(reports):
    names = [report["client"] for report in reports]
    rows = [op for op in OPERATIONS if any(op in r["results"] for r in reports)]
    rows += sorted({op for r in reports for op in r["results"]} - set(rows))
    lines = ["| operation | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    footnotes = []
    for op in rows:
        cells = []
        for report in reports:
            value = report["results"].get(op)
            if value is None:
                cells.append("–")
            elif value == "ok":
                cells.append("ok")
            else:
                footnotes.append("%s, %s: %s" % (report["client"], op, value))
                cells.append("**%s** [%d]" % ("skipped" if value.startswith("skipped") else "FAIL", len(footnotes)))
        lines.append("| %s | %s |" % (op, " | ".join(cells)))
    lines.append("")
    lines += ["[%d] %s" % (number, text) for number, text in enumerate(footnotes, 1)]
    notes = ["- %s: %s" % (r["client"], "; ".join(r.get("notes") or []) + " (%.1f s)" % r.get("seconds", 0))
             for r in reports]
    return "\n".join(lines + ["", "Notes:"] + notes)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", default=os.path.join(BUILD, "table.md"), help="where the table is written")
    args = parser.parse_args(argv)
    os.makedirs(BUILD, exist_ok=True)
    started = time.monotonic()
    other_python = other_mgmt_venv()
    node_modules()
    here_python = sys.executable
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory(prefix="conformance-") as state_dir:
        env_vars, on_443 = start_emulator(stack.enter_context, state_dir)
        log("emulator at %s" % env_vars["EMULATOR_URL"])
        env = dict(os.environ, **env_vars)
        env["NODE_EXTRA_CA_CERTS"] = env_vars["REQUESTS_CA_BUNDLE"]  # Node.js: trust the emulator's CA
        env.pop("PYTHONPATH", None)
        drivers = [([here_python, os.path.join(HERE, "py_iothub.py")], None),
                   ([here_python, os.path.join(HERE, "py_mgmt.py")], None),
                   ([other_python, os.path.join(HERE, "py_mgmt.py")], None)]
        node = [(["node", "conformance.js", mode], NODE_DIR) for mode in ("sas", "entra")]
        drivers += node if on_443 else []
        drivers.append(([here_python, os.path.join(HERE, "py_central.py")], None))
        reports = []
        for command, cwd in drivers:
            reports.append(run_driver(command, env, cwd))
            log("%s: %d operations" % (reports[-1]["client"], len(reports[-1]["results"])))
        if not on_443:
            reason = "skipped: port 443 could not be bound"
            reports.insert(3, {"client": "azure-iothub (Node.js)", "results": {"(driver)": reason}, "notes": []})
    text = table(reports)
    with open(args.markdown, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    print("\n" + text + "\n")
    cells = [value for report in reports for value in report["results"].values()]
    failed = [value for value in cells if value != "ok" and not (value.startswith("skipped") and not os.environ.get(
        "CI"))]
    log("%d clients in %.0f s (table in %s)" % (len(reports), time.monotonic() - started, args.markdown))
    print("conformance: %d passed, %d failed" % (cells.count("ok"), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
