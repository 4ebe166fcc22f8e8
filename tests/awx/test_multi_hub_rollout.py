# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/multi_hub_rollout.yml run the way AWX runs a job template, against an emulator with four hubs.

ansible-runner gets a private data directory as AWX lays it out: the project (the playbook), the inventory AWX makes
from an azure_iot.jobs.iot_hubs inventory source (ansible-inventory --list, then a script that prints it), the
"Microsoft Azure Resource Manager" credential's variables in env/envvars and the rollout in env/extravars. The tests
read the job events (what AWX stores and shows), the emulator's hubs afterwards, and look for secrets in every event.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import requests
import yaml

from emulator.auth import make_hub_sas
from emulator.harness import running_emulator
import test_runner_injection
from test_runner_injection import REPO, RUNNER, assert_no_secret

collections = test_runner_injection.collections  # the fixture: this checkout as the azure_iot.jobs collection

PLAYBOOK = os.path.join(REPO, "playbooks", "multi_hub_rollout.yml")
ROLLOUT = {"iothub_rollout_name": "fw-120",
           "iothub_rollout_twin_patch": {"desired": {"firmware": {"version": "1.2.0"}}},
           "iothub_rollout_canary_count": 2, "iothub_rollout_waves": [50, 100], "iothub_rollout_wait_sleep": 1}
HUBS = ["emulator-hub", "emulator-hub-2", "emulator-hub-3", "emulator-hub-4"]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    with running_emulator(tmp_path_factory.mktemp("emulator"), devices=20, seed=3, tier="S1", time_scale=20,
                          hubs=4) as env:
        yield env


@pytest.fixture
def fleet(emulator):
    control(emulator, "POST", "reset")
    return emulator


def control(env, method, path, body=None):
    response = requests.request(method, env["EMULATOR_URL"] + "/_emulator/" + path, json=body,
                                verify=env["REQUESTS_CA_BUNDLE"])
    assert response.status_code == 200, response.text
    return response.json()


def inventory(env, collections, folder, source=None):
    """The job's inventory as AWX makes it from an inventory source: `ansible-inventory --list` over the
    azure_iot.jobs.iot_hubs plugin (the inventory update), then a script that prints that JSON (what the job runs)."""
    source_file = folder / "hubs.iot_hubs.yml"
    source_file.write_text(yaml.safe_dump(dict({"plugin": "azure_iot.jobs.iot_hubs"}, **(source or {}))))
    update_env = {name: value for name, value in os.environ.items() if not name.startswith(("AZURE_", "ANSIBLE_"))}
    update_env.update(AZURE_SUBSCRIPTION_ID=env["AZURE_SUBSCRIPTION_ID"], AZURE_CLIENT_ID=env["AZURE_CLIENT_ID"],
                      AZURE_TENANT=env["AZURE_TENANT_ID"], AZURE_SECRET=env["AZURE_CLIENT_SECRET"],
                      AZURE_AUTHORITY_HOST=env["AZURE_AUTHORITY_HOST"], AZURE_ARM_ENDPOINT=env["AZURE_ARM_ENDPOINT"],
                      REQUESTS_CA_BUNDLE=env["REQUESTS_CA_BUNDLE"], ANSIBLE_COLLECTIONS_PATH=collections,
                      ANSIBLE_INVENTORY_ENABLED="azure_iot.jobs.iot_hubs")
    listed = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i",
                             str(source_file), "--list"], env=update_env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    data["all"].setdefault("vars", {})["ansible_python_interpreter"] = sys.executable
    source_file.unlink()
    return data


def write_inventory_script(path, data):
    path.write_text("#!%s\nimport json, sys\nDATA = %s\nprint(json.dumps(DATA if '--list' in sys.argv else {}))\n"
                    % (sys.executable, json.dumps(data)))
    path.chmod(0o755)


def run_rollout(tmp_path, collections, env, extravars, source=None):
    data = tmp_path / "private_data_dir"
    for folder in ("env", "project", "inventory"):
        (data / folder).mkdir(parents=True)
    shutil.copy(PLAYBOOK, data / "project")
    # What AWX's azure_rm injector sets for a service principal, plus this emulator's endpoints and CA.
    envvars = {"AZURE_SUBSCRIPTION_ID": env["AZURE_SUBSCRIPTION_ID"], "AZURE_CLIENT_ID": env["AZURE_CLIENT_ID"],
               "AZURE_TENANT": env["AZURE_TENANT_ID"], "AZURE_SECRET": env["AZURE_CLIENT_SECRET"],
               "AZURE_AUTHORITY_HOST": env["AZURE_AUTHORITY_HOST"], "AZURE_ARM_ENDPOINT": env["AZURE_ARM_ENDPOINT"],
               "REQUESTS_CA_BUNDLE": env["REQUESTS_CA_BUNDLE"], "ANSIBLE_COLLECTIONS_PATH": collections,
               "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORKS": "4"}
    (data / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (data / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    write_inventory_script(data / "inventory" / "hosts", inventory(env, collections, tmp_path, source))
    job_env = {name: value for name, value in os.environ.items()
               if not name.startswith(("AZURE_", "ANSIBLE_", "REQUESTS_CA", "SSL_CERT", "EMULATOR_"))}
    job_env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + job_env.get("PATH", "")
    done = subprocess.run([RUNNER, "run", str(data), "-p", "multi_hub_rollout.yml", "--ident", "job-1"], env=job_env,
                          capture_output=True, text=True, timeout=600, check=False)
    events = []
    for path in sorted((data / "artifacts" / "job-1" / "job_events").glob("*.json"),
                       key=lambda p: int(p.name.split("-", 1)[0])):
        events.append(json.loads(path.read_text()))
    return done.returncode, done.stdout + done.stderr, events, data


def summary(events):
    [stats] = [event for event in events if event["event"] == "playbook_on_stats"]
    return stats["event_data"]["artifact_data"]["multi_hub_rollout_summary"]


def first_event(events, task, host):
    return next(event["counter"] for event in events if event["event"] == "runner_on_start"
                and event["event_data"].get("task") == task and event["event_data"].get("host") == host)


def hub_jobs(env, hub):
    """The scheduled jobs of one hub, read with its own owner key (through ARM listkeys, as a client would)."""
    token = requests.post("%s/%s/oauth2/v2.0/token" % (env["AZURE_AUTHORITY_HOST"], env["AZURE_TENANT_ID"]),
                          data={"grant_type": "client_credentials", "client_id": env["AZURE_CLIENT_ID"],
                                "client_secret": env["AZURE_CLIENT_SECRET"],
                                "scope": "https://management.azure.com/.default"},
                          verify=env["REQUESTS_CA_BUNDLE"]).json()["access_token"]
    hubs = {item["name"]: item for item in json.loads(env["EMULATOR_HUBS"])}
    keys = requests.post("%s/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Devices/IotHubs/%s/listkeys" % (
        env["AZURE_ARM_ENDPOINT"], env["AZURE_SUBSCRIPTION_ID"], hubs[hub]["resource_group"], hub),
        params={"api-version": "2023-06-30"}, headers={"Authorization": "Bearer " + token},
        verify=env["REQUESTS_CA_BUNDLE"]).json()["value"]
    key = next(rule["primaryKey"] for rule in keys if rule["keyName"] == "iothubowner")
    host = hubs[hub]["hostname"]
    sas = make_hub_sas(host, "iothubowner", key, ttl=600)
    response = requests.get("https://%s/jobs/v2/query" % host, params={"api-version": "2021-04-12"},
                            headers={"Authorization": sas}, verify=env["REQUESTS_CA_BUNDLE"])
    assert response.status_code == 200, response.text
    return sorted(job["jobId"] for job in response.json()), key


def secrets(env):
    issued = control(env, "GET", "tokens")["access_tokens"]
    return [env["AZURE_CLIENT_SECRET"]] + issued


def test_every_hub_rolls_out_in_waves_of_hubs(tmp_path, fleet, collections):
    rc, stdout, events, data = run_rollout(tmp_path, collections, fleet, ROLLOUT)
    assert rc == 0, stdout[-4000:]
    assert summary(events) == [
        {"hub": hub, "status": "completed", "reason": "", "waves": 3, "waves_planned": 3, "devices_in_scope": 20,
         "devices_succeeded": 20, "devices_failed": 0,
         "line": "%s: completed, 3/3 waves, 20 of 20 devices succeeded, 0 failed" % hub} for hub in HUBS]
    # serial [1, 2, '100%']: the first hub alone, then hubs 2 and 3 together, then hub 4.
    start = {hub: first_event(events, "Run the rollout role", hub) for hub in HUBS}
    end = {hub: first_event(events, "Show this hub's outcome", hub) for hub in HUBS}
    assert end["emulator-hub"] < min(start["emulator-hub-2"], start["emulator-hub-3"])
    assert start["emulator-hub-3"] < end["emulator-hub-2"] and start["emulator-hub-2"] < end["emulator-hub-3"]
    assert max(end["emulator-hub-2"], end["emulator-hub-3"]) < start["emulator-hub-4"]
    hub_keys = []
    for hub in HUBS:
        jobs, key = hub_jobs(fleet, hub)
        assert jobs == ["fw-120-canary", "fw-120-wave-1", "fw-120-wave-2"], hub
        hub_keys.append(key)
    assert_no_secret(secrets(fleet) + hub_keys, stdout, data)


def test_a_hub_whose_canary_fails_stops_the_later_hubs(tmp_path, fleet, collections):
    control(fleet, "PATCH", "hubs/emulator-hub-2/config", {"twin_failure_rate": 1.0})
    rc, stdout, events, data = run_rollout(tmp_path, collections, fleet, ROLLOUT)
    assert rc != 0
    lines = [hub["line"] for hub in summary(events)]
    assert lines == [
        "emulator-hub: completed, 3/3 waves, 20 of 20 devices succeeded, 0 failed",
        "emulator-hub-2: stopped, 1/3 waves, 0 of 20 devices succeeded, 2 failed (canary: 2 of 2 devices failed "
        "(100.0%), more than the threshold of 10%)",
        # The same wave of hubs: it finishes its own rollout.
        "emulator-hub-3: completed, 3/3 waves, 20 of 20 devices succeeded, 0 failed",
        "emulator-hub-4: not started (the rollout stopped on emulator-hub-2)",
    ]
    failed = {event["event_data"]["host"] for event in events if event["event"] == "runner_on_failed"}
    assert failed == {"emulator-hub-2"}
    assert hub_jobs(fleet, "emulator-hub-2")[0] == ["fw-120-canary"]
    assert hub_jobs(fleet, "emulator-hub-4")[0] == []
    assert_no_secret(secrets(fleet) + [hub_jobs(fleet, hub)[1] for hub in HUBS], stdout, data)


def test_the_inventory_source_filters_the_hubs_rolled_out(tmp_path, fleet, collections):
    # Only the hubs tagged env=prod (emulator-hub-2 and emulator-hub-4; emulator/README.md "Several hubs").
    rc, stdout, events, data = run_rollout(tmp_path, collections, fleet, dict(ROLLOUT, multi_hub_rollout_serial=1),
                                           source={"tags": {"env": "prod"}})
    assert rc == 0, stdout[-4000:]
    assert [hub["line"] for hub in summary(events)] == [
        "emulator-hub-2: completed, 3/3 waves, 20 of 20 devices succeeded, 0 failed",
        "emulator-hub-4: completed, 3/3 waves, 20 of 20 devices succeeded, 0 failed"]
    assert [len(hub_jobs(fleet, hub)[0]) for hub in HUBS] == [0, 3, 0, 3]
    assert_no_secret(secrets(fleet), stdout, data)
