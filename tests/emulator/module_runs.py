# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running the real modules against the emulator the way Ansible runs them (a Python process reading an arguments
file), and reading the emulator's view afterwards: shared by the fault-tolerance and exactly-once tests."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = "ansible_collections.azure_iot.jobs.plugins.modules."
ONE_DEVICE = "deviceId = 'device-00001'"
# What a dropped connection looks like to the client: a reset, or a close before the status line (timing decides).
DROPPED = r"\((connection reset by peer|connection closed by the server without a response)\)"
_COUNTER = itertools.count(1)


def collection_tree(base):
    """base/ansible_collections/azure_iot/jobs -> this checkout; returns base (for PYTHONPATH or a collections path)."""
    namespace = Path(base) / "ansible_collections" / "azure_iot"
    namespace.mkdir(parents=True, exist_ok=True)
    link = namespace / "jobs"
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    return Path(base)


def clean_environ(**extra):
    """os.environ without the AZURE_* and CA variables a developer's shell may hold (the tests pass options)."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("AZURE_", "ANSIBLE_")) and name not in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
    env.update(extra)
    return env


def warning_texts(result):
    """The warnings of a module result: strings before ansible-core 2.19, WarningSummary objects since."""
    texts = []
    for item in result.get("warnings", []):
        texts.append(item.get("event", item).get("msg") if isinstance(item, dict) else item)
    return texts


@pytest.fixture(scope="module")
def pythonpath(tmp_path_factory):
    return str(collection_tree(tmp_path_factory.mktemp("collections")))


@pytest.fixture
def run(pythonpath, tmp_path):
    """run(module, args) -> the module's result dict; the process must exit cleanly, without a traceback."""

    def runner(module, args, check_mode=False):
        path = tmp_path / ("args-%d.json" % next(_COUNTER))
        path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=check_mode)}))
        done = subprocess.run([sys.executable, "-m", MODULES + module, str(path)], capture_output=True, text=True,
                              env=clean_environ(PYTHONPATH=pythonpath), cwd=str(tmp_path), timeout=120,
                              check=False)
        assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
        result = json.loads(done.stdout)
        assert bool(result.get("failed")) == (done.returncode != 0), done.stdout
        assert "exception" not in result, result["exception"]
        return result

    return runner


# ------------------------------------------------------------------------------------------------ helpers

def hub_args(emulator, job_id, **extra):
    """A one-device twin-update job on the emulator's hub, with SAS auth."""
    return dict(job_id=job_id, query=ONE_DEVICE, twin_patch={"tags": {"fault": job_id}},
                connection_string=emulator.env["AZURE_IOTHUB_CONNECTION_STRING"], ca_path=emulator.ca, **extra)


def central_args(emulator, job_id, **extra):
    return dict(job_id=job_id, group="gateway-devices", app_url=emulator.env["AZURE_IOTCENTRAL_APP_URL"],
                api_token=emulator.env["AZURE_IOTCENTRAL_API_TOKEN"], ca_path=emulator.ca,
                data=[{"type": "property", "target": "dtmi:azureiotjobs:gateway;1", "path": "fwVersion",
                       "value": "2.0.0"}], **extra)


def export_args(emulator, **extra):
    """An export of the registry to a blob container of the emulator, with SAS auth."""
    uri = emulator.url + "/_emulator/blobs/faults?sv=2021-08-06&sr=c&sp=rwdl&sig=c2lnbmF0dXJl"
    return dict(type="export", output_container_uri=uri, ca_path=emulator.ca,
                connection_string=emulator.env["AZURE_IOTHUB_CONNECTION_STRING"], **extra)


def fault(emulator, route, **rule):
    emulator.control("POST", "faults", json=dict(rule, route=route))


def statuses(emulator, route):
    """The statuses the emulator answered on one route ("PUT /jobs/v2/{id}"), in order; None for a dropped one."""
    method, _space, template = route.partition(" ")
    return [entry["status"] for entry in emulator.control("GET", "requests/log")
            if entry["method"] == method and entry["route"] == template]


def hub_jobs(emulator, job_id):
    response = emulator.hub("GET", "/jobs/v2/query")
    assert response.status_code == 200, response.text
    return [job for job in response.json() if job["jobId"] == job_id]


def retry_warnings(result, method_path):
    return [text for text in warning_texts(result) if text.startswith(method_path + ": ") and "retrying in" in text]


def playbook_at_vvvv(tmp_path, collections_path, playbook, env):
    """ansible-playbook -vvvv --diff of the playbook text against localhost, with a clean environment plus env.

    Returns (exit code, stdout and stderr); the times around the run bound the SAS tokens minted during it.
    """
    (tmp_path / "playbook.yml").write_text(playbook)
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-vvvv", "--diff", "-i", "localhost,",
               "playbook.yml"]
    ansible_env = clean_environ(
        ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_DEPRECATION_WARNINGS="0", **env)
    done = subprocess.run(command, capture_output=True, text=True, env=ansible_env, cwd=str(tmp_path), timeout=300,
                          check=False)
    return done.returncode, done.stdout + "\n" + done.stderr
