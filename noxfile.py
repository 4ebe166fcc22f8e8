# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version matrix (make test-matrix): every supported ansible-core with the Python it runs on.

    tests(2.17) ... tests(2.21)   unit tests (pytest tests/unit) and ansible-test integration against the emulator
    sanity(2.17), sanity(2.21)    ansible-test sanity, no ignore file, on the oldest and the newest ansible-core
    matrix_report                 the version x stage table of this run (build/matrix/matrix.md)

Each cell is a virtualenv under .nox/ with ansible-core of that minor and requirements.txt; the emulator itself runs
from .venv (make venv), because it is test equipment that does not depend on ansible-core. Every stage writes
build/matrix/<cell>-<stage>.json (status, seconds, what ran), which matrix_report turns into the table.

Why nox and not tox: each cell is a small program (start the emulator, copy the collection tree, time each stage,
record it), which the shell scripts in tests/utils/ already do and nox calls with session.run; the pairing of
ansible-core and Python is one table in Python rather than factor conditions; and nox is what the Ansible collection
tooling builds on (antsibull-nox), so contributors from other collections know it.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import nox

ROOT = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(ROOT, "build", "matrix")

# ansible-core minor -> the Python its cell runs on (2.20 and 2.21 need Python 3.12 or later).
MATRIX = {"2.17": "3.11", "2.18": "3.11", "2.19": "3.11", "2.20": "3.12", "2.21": "3.12"}
SANITY = ("2.17", "2.21")  # the oldest and the newest
# Cells whose integration run also covers the emulator's sparse profile (every target, both profiles); the others
# run the full profile only, to keep make test well within CI's time.
BOTH_PROFILES = ("2.19", "2.21")

nox.options.sessions = ["tests", "sanity", "matrix_report"]
nox.options.error_on_missing_interpreters = True
nox.options.reuse_venv = "yes"
nox.options.default_venv_backend = "venv"


def _runs(executable, version):
    try:
        out = subprocess.run([executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() == version


def _make_pythons_findable():
    """Let nox find every Python of the matrix.

    With pyenv, a pythonX.Y shim only runs when that version is selected: PYENV_VERSION then lists the selected
    version first (so python3 stays what it was) followed by the newest installed X.Y of each missing version.
    """
    missing = sorted({v for v in MATRIX.values() if not _runs(shutil.which("python" + v) or "python" + v, v)})
    pyenv = shutil.which("pyenv")
    if not missing or not pyenv:
        return
    root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False).stdout.strip()
    selected = subprocess.run([pyenv, "version-name"], capture_output=True, text=True, check=False).stdout.strip()
    chosen = [name for name in selected.split(":") if name]
    for version in missing:
        names = [os.path.basename(path) for path in glob.glob(os.path.join(root, "versions", version + ".*"))
                 if re.fullmatch(r"\d+\.\d+\.\d+", os.path.basename(path))]
        if names:
            chosen.append(max(names, key=lambda name: [int(part) for part in name.split(".")]))
    os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys(chosen))


_make_pythons_findable()


def _ansible_core(session, minor):
    nxt = "%s.%d" % (minor.split(".")[0], int(minor.split(".")[1]) + 1)
    session.install("-r", os.path.join(ROOT, "requirements.txt"), "ansible-core>=%s,<%s" % (minor, nxt),
                    "-r", os.path.join(ROOT, "tests", "utils", "matrix-requirements.txt"))
    return session.run("python", "-c", "import ansible; print(ansible.__version__)", silent=True).strip()


def _stage(session, cell, stage, installed, command, env=None, summary=None):
    """Run one stage, time it and record the result; a failed stage fails the session after it is recorded."""
    os.makedirs(RESULTS, exist_ok=True)
    log = os.path.join(RESULTS, "%s-%s.log" % (cell, stage))
    record = dict(ansible_core=cell, installed=installed, python="%d.%d" % _python_of(session), stage=stage,
                  status="failed", seconds=None, summary="")
    start = time.monotonic()
    seconds = 0.0
    try:
        with open(log, "w") as out:
            session.run(*command, env=env, stdout=out, stderr=subprocess.STDOUT, external=True)
        record["status"] = "passed"
    finally:
        seconds = round(time.monotonic() - start, 1)
        record["seconds"] = seconds
        with open(log) as out:
            text = out.read()
        record["summary"] = summary(text) if summary else ""
        with open(os.path.join(RESULTS, "%s-%s.json" % (cell, stage)), "w") as out:
            json.dump(record, out, indent=1)
        session.log("%s %s: %s in %.0f s (%s); log %s"
                    % (cell, stage, record["status"], seconds, record["summary"], os.path.relpath(log, ROOT)))
        if record["status"] != "passed":
            session.log("last lines of %s:\n%s" % (log, "\n".join(text.splitlines()[-40:])))


def _python_of(session):
    out = session.run("python", "-c", "import sys; print('%d %d' % sys.version_info[:2])", silent=True)
    return tuple(int(part) for part in out.split())


def _pytest_summary(text):
    found = re.findall(r"^=+ (.*? in [0-9.]+s.*?) =+$", text, re.M)
    return re.sub(r" in [0-9.]+s.*", "", found[-1]) if found else ""


def _integration_summary(text):
    # Role targets and script targets (runme.sh) both; ansible-test lists the failed ones after "FATAL: The N
    # integration test(s) listed below ... failed", one name a line.
    targets = re.findall(r"^Running (\S+) integration test (?:role|script)", text, re.M)
    failed = []
    for block in re.findall(r"^FATAL: The \d+ integration test\(s\) listed below.*?\n((?:\S+\n)+)", text, re.M):
        failed.extend(block.split())
    return "%d targets%s" % (len(targets), ", failed: " + " ".join(failed) if failed else "")


def _sanity_summary(text):
    tests = re.findall(r"^Running sanity test \"([^\"]+)\"", text, re.M)
    failed = re.findall(r"^ERROR: Found \d+ (\S+) issue", text, re.M)
    return "%d tests%s" % (len(tests), ", failed: " + " ".join(failed) if failed else "")


def _cell_env(session):
    return {"ANSIBLE_TEST_BIN": session.bin, "TMPDIR": os.environ.get("TMPDIR", "/tmp")}


@nox.session
@nox.parametrize("python,ansible_core", [nox.param(py, core, id=core) for core, py in MATRIX.items()])
def tests(session, ansible_core):
    """Unit tests and integration tests (against the emulator) on one ansible-core."""
    installed = _ansible_core(session, ansible_core)
    _stage(session, ansible_core, "unit", installed,
           ["python", "-m", "pytest", "-p", "no:cacheprovider", "tests/unit"], summary=_pytest_summary)
    _stage(session, ansible_core, "integration", installed,
           # Every target runs, so one run of the matrix shows every target that fails on this ansible-core.
           [os.path.join(ROOT, "tests", "utils", "integration.sh"), "--continue-on-error"] + session.posargs,
           env=dict(_cell_env(session), PROFILES="full sparse" if ansible_core in BOTH_PROFILES else "full"),
           summary=_integration_summary)


@nox.session
@nox.parametrize("python,ansible_core", [nox.param(MATRIX[core], core, id=core) for core in SANITY])
def sanity(session, ansible_core):
    """ansible-test sanity with no ignore file, on the oldest and the newest ansible-core."""
    installed = _ansible_core(session, ansible_core)
    _stage(session, ansible_core, "sanity", installed,
           [os.path.join(ROOT, "tests", "utils", "sanity.sh")] + session.posargs, env=_cell_env(session),
           summary=_sanity_summary)


@nox.session(python=False)
def matrix_report(session):
    """Print the version x stage table of the results in build/matrix/ and write it to build/matrix/matrix.md."""
    session.run(sys.executable, os.path.join(ROOT, "tests", "utils", "matrix_report.py"), RESULTS, external=True)
