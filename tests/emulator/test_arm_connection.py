# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data-plane modules reaching the emulator's hub from its ARM coordinates alone (no connection string, no host
name): the requests the emulator sees (GET hub, POST listkeys with auth_method=sas, then the data plane), a job
created and found unchanged that way, and no policy key or signature in an ansible-playbook run at -vvvv."""

from __future__ import annotations

import json
import time

import pytest
from module_runs import collection_tree, playbook_at_vvvv
from test_no_secrets import _leaks, _report, _sas_signatures

from emulator.credentials import Credentials

HUB_ROUTE = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Devices/IotHubs/{hub}"


def arm_only(emulator, **extra):
    """The hub's coordinates and the Entra ID service principal; no connection_string, no hostname."""
    env = emulator.env
    args = dict(subscription_id=env["AZURE_SUBSCRIPTION_ID"], resource_group=env["AZURE_RESOURCE_GROUP"],
                hub_name=env["AZURE_IOTHUB_NAME"], arm_endpoint=env["AZURE_ARM_ENDPOINT"],
                tenant_id=env["AZURE_TENANT_ID"], client_id=env["AZURE_CLIENT_ID"],
                client_secret=env["AZURE_CLIENT_SECRET"], authority_host=env["AZURE_AUTHORITY_HOST"],
                ca_path=emulator.ca)
    args.update(extra)
    return args


def hub_requests(emulator):
    """(method, route) of the ARM and data-plane requests, without the Entra token requests."""
    return [(entry["method"], entry["route"]) for entry in emulator.control("GET", "requests/log")
            if not (entry["route"] or entry["path"]).startswith("/{tenant}/")]


def policy_keys(emulator):
    """Every policy of the hub with its keys, as the emulator derives them from its seed (the session's, 7); the
    iothubowner key of the published connection string confirms the seed."""
    keys = Credentials(7).hub_keys
    assert keys["iothubowner"] == emulator.key
    return [{"keyName": name, "primaryKey": key, "secondaryKey": key} for name, key in keys.items()]


@pytest.mark.parametrize("auth, expected", [
    (dict(auth_method="client_secret"), [("GET", HUB_ROUTE), ("GET", "/jobs/v2/{id}")]),
    (dict(auth_method="sas"), [("GET", HUB_ROUTE), ("POST", HUB_ROUTE + "/listkeys"), ("GET", "/jobs/v2/{id}")]),
    (dict(auth_method="sas", shared_access_policy="iothubowner"),
     [("GET", HUB_ROUTE), ("POST", HUB_ROUTE + "/listkeys"), ("GET", "/jobs/v2/{id}")]),
])
def test_a_module_reaches_the_hub_from_its_coordinates(emulator, run, auth, expected):
    emulator.control("DELETE", "requests")
    result = run("iothub_scheduled_job_info", arm_only(emulator, job_id="not-there", **auth))
    assert not result.get("failed"), result
    assert result["jobs"] == []
    assert hub_requests(emulator) == expected
    text = json.dumps(result)
    for rule in policy_keys(emulator):
        assert rule["primaryKey"] not in text and rule["secondaryKey"] not in text


def test_a_job_created_through_the_coordinates_is_unchanged_on_the_second_run(emulator, run):
    args = arm_only(emulator, auth_method="sas", job_id="arm-coordinates", query="deviceId = 'device-00001'",
                    twin_patch={"tags": {"via": "arm"}}, wait=True, wait_timeout=60, wait_sleep=1)
    first = run("iothub_scheduled_job", args)
    assert first["changed"] and first["job"]["status"] == "completed", first
    emulator.control("DELETE", "requests")
    second = run("iothub_scheduled_job", args)
    assert not second["changed"]
    # The key is read once per module run: GET hub, listkeys, then the one GET of an unchanged job.
    assert hub_requests(emulator) == [("GET", HUB_ROUTE), ("POST", HUB_ROUTE + "/listkeys"), ("GET", "/jobs/v2/{id}")]


def test_an_unknown_policy_fails_naming_the_policies(emulator, run):
    result = run("iothub_device_info", arm_only(emulator, auth_method="sas", shared_access_policy="jobs-only"))
    assert result["failed"]
    assert result["msg"] == ("IoT hub 'emulator-hub' of resource group 'emulator-rg' has no shared access policy "
                             "named 'jobs-only' (shared_access_policy); its policies: device, iothubowner, "
                             "registryRead, registryReadWrite, service")


PLAYBOOK = r"""
- name: Reach the hub from its ARM coordinates alone, at -vvvv
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      auth_method: sas
      subscription_id: "{{ lookup('ansible.builtin.env', 'AZURE_SUBSCRIPTION_ID') }}"
      resource_group: "{{ lookup('ansible.builtin.env', 'AZURE_RESOURCE_GROUP') }}"
      hub_name: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_NAME') }}"
      arm_endpoint: "{{ lookup('ansible.builtin.env', 'AZURE_ARM_ENDPOINT') }}"
      tenant_id: "{{ lookup('ansible.builtin.env', 'AZURE_TENANT_ID') }}"
      client_id: "{{ lookup('ansible.builtin.env', 'AZURE_CLIENT_ID') }}"
      client_secret: "{{ lookup('ansible.builtin.env', 'AZURE_CLIENT_SECRET') }}"
      authority_host: "{{ lookup('ansible.builtin.env', 'AZURE_AUTHORITY_HOST') }}"
      ca_path: "{{ lookup('ansible.builtin.env', 'REQUESTS_CA_BUNDLE') }}"
  tasks:
    - name: Predict a twin job (check mode, diff)
      azure_iot.jobs.iothub_scheduled_job:
        job_id: arm-vvvv
        query: "deviceId = 'device-00002'"
        twin_patch: {tags: {via: arm}}
      check_mode: true
      diff: true
    - name: Create it and wait
      azure_iot.jobs.iothub_scheduled_job:
        job_id: arm-vvvv
        query: "deviceId = 'device-00002'"
        twin_patch: {tags: {via: arm}}
        wait: true
        wait_timeout: 60
        wait_sleep: 1
      register: created
    - name: Count the devices with the iothubowner policy
      azure_iot.jobs.iothub_device_info:
        shared_access_policy: iothubowner
        count_only: true
      register: counted
    - name: Check
      ansible.builtin.assert:
        that:
          - created is changed
          - created.job.status == 'completed'
          - counted.count > 0
"""


def test_no_policy_key_in_playbook_output_at_vvvv(emulator, tmp_path_factory, tmp_path):
    collections = str(collection_tree(tmp_path_factory.mktemp("collections")))
    env = {name: value for name, value in emulator.env.items()
           if name not in ("AZURE_IOTHUB_CONNECTION_STRING", "AZURE_IOTHUB_HOSTNAME")}
    start = time.time()
    returncode, output = playbook_at_vvvv(tmp_path, collections, PLAYBOOK, env)
    end = time.time()
    assert returncode == 0, output[-6000:]
    assert "Traceback" not in output
    rules = policy_keys(emulator)
    host = emulator.host
    secrets = {"policy key %s" % rule["keyName"]: {rule["primaryKey"], rule["secondaryKey"]} for rule in rules}
    for policy in ("registryReadWrite", "iothubowner"):
        key = next(rule["primaryKey"] for rule in rules if rule["keyName"] == policy)
        secrets["SAS signature of %s" % policy] = _sas_signatures(host, policy, key, start, end)
    secrets["bearer token"] = set(emulator.control("GET", "tokens")["access_tokens"])
    secrets["client secret"] = {emulator.env["AZURE_CLIENT_SECRET"]}
    leaks = _leaks(output, secrets)
    assert not leaks, "secrets in the -vvvv output:\n" + _report(output, leaks, secrets)
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
