# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials injected the way AWX / Automation Platform run a job, against the emulator.

AWX renders a credential type's injectors into the job's private data directory (env/envvars, env/extravars) and
runs the playbook of project/ with ansible-runner. These tests do the same with the credential types the collection
ships (playbooks/vars/awx_credential_types.yml) and with the variable names of AWX's built-in "Microsoft Azure
Resource Manager" credential (awx/main/models/credential/injectors.py azure_rm: AZURE_SUBSCRIPTION_ID,
AZURE_CLIENT_ID, AZURE_TENANT, AZURE_SECRET), run modules with no connection option in the playbook, and check that
no secret appears in any job event or in stdout.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest
import yaml
from jinja2.sandbox import SandboxedEnvironment

from emulator.harness import running_emulator

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CREDENTIAL_TYPES = os.path.join(REPO, "playbooks", "vars", "awx_credential_types.yml")
RUNNER = os.path.join(os.path.dirname(sys.executable), "ansible-runner")


class UnsafeLoader(yaml.SafeLoader):
    """Reads the vars file as AWX gets it from awx.awx.credential_type: !unsafe strings as they are."""


UnsafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def credential_types():
    with open(CREDENTIAL_TYPES) as handle:
        types = yaml.load(handle, Loader=UnsafeLoader)["azure_iot_jobs_credential_types"]
    return {item["name"]: item for item in types}


def inject(credential_type, inputs):
    """What AWX injects for a credential of this type: its env and extra_vars templates rendered with the inputs."""
    missing = [name for name in credential_type["inputs"].get("required", []) if not inputs.get(name)]
    assert not missing, missing
    render = SandboxedEnvironment().from_string
    injectors = credential_type["injectors"]
    env = {name: render(template).render(**inputs) for name, template in injectors.get("env", {}).items()}
    extra_vars = {name: render(template).render(**inputs) for name, template in injectors.get("extra_vars", {}).items()}
    return env, extra_vars


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    with running_emulator(tmp_path_factory.mktemp("emulator"), devices=20, seed=3, tier="S1", time_scale=20) as env:
        yield env


@pytest.fixture(scope="module")
def collections(tmp_path_factory):
    """This checkout as the azure_iot.jobs collection (as an execution environment holds it)."""
    root = tmp_path_factory.mktemp("collections")
    (root / "ansible_collections" / "azure_iot").mkdir(parents=True)
    (root / "ansible_collections" / "azure_iot" / "jobs").symlink_to(REPO, target_is_directory=True)
    return str(root)


def run_job(tmp_path, collections, envvars, extravars, tasks):
    """ansible-runner run on a private data directory laid out as AWX lays it; returns (rc, stdout, events)."""
    data = tmp_path / "private_data_dir"
    for folder in ("env", "project", "inventory"):
        (data / folder).mkdir(parents=True)
    # Only what the job gets: nothing of the test's own environment names a credential.
    envvars = dict(envvars, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    (data / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (data / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    (data / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    play = [{"name": "A job template's playbook", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    (data / "project" / "job.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("AZURE_", "ANSIBLE_", "REQUESTS_CA", "SSL_CERT"))}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # ansible-playbook, as in an EE
    done = subprocess.run([RUNNER, "run", str(data), "-p", "job.yml", "--ident", "job-1"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    events = []
    for path in sorted(glob.glob(str(data / "artifacts" / "job-1" / "job_events" / "*.json"))):
        with open(path) as handle:
            events.append(json.load(handle))
    return done.returncode, done.stdout + done.stderr, events, data


def results(events):
    """The module results of the playbook's tasks, by task name."""
    return {event["event_data"]["task"]: event["event_data"]["res"] for event in events
            if event.get("event") in ("runner_on_ok", "runner_on_failed")}


def assert_no_secret(secrets, stdout, data):
    """No secret in stdout or in any job event (what AWX stores and shows for a job).

    artifacts/<ident>/command and env/ hold the job's input environment, credentials included, as AWX hands it over;
    AWX keeps that as the job's job_env with the secret inputs of its credentials censored, so it is not checked here.
    """
    leaks = [secret[:6] + "... in stdout" for secret in secrets if secret in stdout]
    paths = glob.glob(str(data / "artifacts" / "job-1" / "job_events" / "*.json"))
    paths.append(str(data / "artifacts" / "job-1" / "stdout"))
    assert len(paths) > 5, paths
    for path in paths:
        with open(path, errors="replace") as handle:
            text = handle.read()
        where = os.path.relpath(path, str(data))
        leaks += ["%s... in %s" % (secret[:6], where) for secret in secrets if secret in text]
    assert not leaks, leaks


def connection_key(connection_string):
    return dict(part.split("=", 1) for part in connection_string.split(";"))["SharedAccessKey"]


def test_iothub_and_iotcentral_credential_types_inject_what_the_modules_read(tmp_path, emulator, collections):
    types = credential_types()
    hub_env, hub_vars = inject(types["Azure IoT Hub (connection string)"],
                               {"connection_string": emulator["AZURE_IOTHUB_CONNECTION_STRING"]})
    central_env, central_vars = inject(types["Azure IoT Central (API token)"],
                                       {"app_url": emulator["AZURE_IOTCENTRAL_APP_URL"],
                                        "api_token": emulator["AZURE_IOTCENTRAL_API_TOKEN"]})
    assert set(hub_env) == {"AZURE_IOTHUB_CONNECTION_STRING"}
    assert set(central_env) == {"AZURE_IOTCENTRAL_APP_URL", "AZURE_IOTCENTRAL_API_TOKEN"}
    envvars = dict(hub_env, **central_env)
    envvars["REQUESTS_CA_BUNDLE"] = emulator["REQUESTS_CA_BUNDLE"]  # the execution environment's trust store
    tasks = [
        {"name": "Schedule a twin update", "azure_iot.jobs.iothub_scheduled_job": {
            "job_id": "awx-job-1", "query": "*", "twin_patch": {"desired": {"awx": True}},
            "wait": True, "wait_sleep": 1, "wait_timeout": 120}},
        {"name": "Read it back", "azure_iot.jobs.iothub_scheduled_job_info": {
            "job_id": "awx-job-1", "include_device_results": True}},
        {"name": "List the IoT Central jobs", "azure_iot.jobs.iotcentral_job_info": {}},
    ]
    rc, stdout, events, data = run_job(tmp_path, collections, envvars, dict(hub_vars, **central_vars), tasks)
    assert rc == 0, stdout[-4000:]
    found = results(events)
    assert found["Schedule a twin update"]["changed"] is True
    assert found["Schedule a twin update"]["job"]["status"] == "completed"
    assert [job["job_id"] for job in found["Read it back"]["jobs"]] == ["awx-job-1"]
    assert "jobs" in found["List the IoT Central jobs"]
    # The controller showed the job's progress (the action plugin), in the job's output as AWX records it.
    assert "| job awx-job-1: completed, 20/20 succeeded, 0 failed" in stdout
    secrets = [emulator["AZURE_IOTHUB_CONNECTION_STRING"], connection_key(emulator["AZURE_IOTHUB_CONNECTION_STRING"]),
               emulator["AZURE_IOTCENTRAL_API_TOKEN"]]
    assert_no_secret(secrets, stdout, data)


def test_the_awx_azure_resource_manager_credential_variables(tmp_path, emulator, collections):
    # What AWX's azure_rm injector sets for a service principal, plus the endpoints of this emulator (a real job
    # would name its cloud with AZURE_CLOUD_ENVIRONMENT instead).
    envvars = {
        "AZURE_SUBSCRIPTION_ID": emulator["AZURE_SUBSCRIPTION_ID"],
        "AZURE_CLIENT_ID": emulator["AZURE_CLIENT_ID"],
        "AZURE_TENANT": emulator["AZURE_TENANT_ID"],
        "AZURE_SECRET": emulator["AZURE_CLIENT_SECRET"],
        "AZURE_AUTHORITY_HOST": emulator["AZURE_AUTHORITY_HOST"],
        "AZURE_ARM_ENDPOINT": emulator["AZURE_ARM_ENDPOINT"],
        "REQUESTS_CA_BUNDLE": emulator["REQUESTS_CA_BUNDLE"],
    }
    extravars = {"hub_name": emulator["AZURE_IOTHUB_NAME"], "resource_group": emulator["AZURE_RESOURCE_GROUP"]}
    tasks = [
        {"name": "List the hub's jobs through Azure Resource Manager", "azure_iot.jobs.iothub_job_info": {
            "resource_group": "{{ resource_group }}", "hub_name": "{{ hub_name }}"}},
        {"name": "Reach the data plane with Entra ID", "azure_iot.jobs.iothub_scheduled_job_info": {
            "hostname": emulator["AZURE_IOTHUB_HOSTNAME"]}},
    ]
    rc, stdout, events, data = run_job(tmp_path, collections, envvars, extravars, tasks)
    assert rc == 0, stdout[-4000:]
    found = results(events)
    assert isinstance(found["List the hub's jobs through Azure Resource Manager"]["jobs"], list)
    assert isinstance(found["Reach the data plane with Entra ID"]["jobs"], list)
    assert_no_secret([emulator["AZURE_CLIENT_SECRET"]], stdout, data)


def test_the_check_finds_a_secret_that_a_playbook_prints(tmp_path, emulator, collections):
    # The check above is only worth something if it sees a leak: a playbook that prints the injected value.
    env, _extra = inject(credential_types()["Azure IoT Hub (connection string)"],
                         {"connection_string": emulator["AZURE_IOTHUB_CONNECTION_STRING"]})
    tasks = [{"name": "Print the credential", "ansible.builtin.debug": {
        "msg": "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"}}]
    rc, stdout, _events, data = run_job(tmp_path, collections, env, {}, tasks)
    assert rc == 0, stdout[-4000:]
    with pytest.raises(AssertionError, match="in artifacts/job-1/job_events/"):
        assert_no_secret([emulator["AZURE_IOTHUB_CONNECTION_STRING"]], stdout, data)
