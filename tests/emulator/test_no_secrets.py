# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret in any output: one ansible-playbook run at -vvvv with --diff against the emulator, then a grep.

The playbook goes through every auth path (IoT Hub connection string / SAS, IoT Central API token, Entra ID client
secret on the hub data plane, IoT Central and Azure Resource Manager), an import/export job with a blob SAS URI, check
mode, and tasks that fail: a wrong policy key (401), a wrong client secret, and injected faults whose error bodies
echo credentials back. Its whole stdout and stderr must hold none of: the policy keys, any SAS signature minted from
them during the run, the IoT Central API token and its signature, the client secrets, any bearer token the Entra
endpoint issued (GET /_emulator/tokens), the blob SAS URI and its signature. A failure names the secret and the output
lines it appears in, with the secret itself masked.
"""

from __future__ import annotations

import time
from urllib.parse import unquote

import pytest
from module_runs import collection_tree, playbook_at_vvvv

from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import sas_token

WRONG_KEY = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmc="
WRONG_SECRET = "wrong-client-secret-6f1d2b9a"
BLOB_SIG = "bm8tc2VjcmV0cy1ibG9iLXNpZ25hdHVyZS0xMjM0"
# A signature the injected error body echoes back, as a careless server might.
ECHOED_SIG = "ZWNob2VkLWJ5LXRoZS1zZXJ2ZXItc2lnbmF0dXJl"

PLAYBOOK = r"""
- name: Every auth path, check mode, diff and failures, at -vvvv
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    hub_cs: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"
    ca: "{{ lookup('ansible.builtin.env', 'REQUESTS_CA_BUNDLE') }}"
    # From the environment, not -e: ansible-playbook prints its command-line extra vars at -vvvv.
    wrong_key: "{{ lookup('ansible.builtin.env', 'TEST_WRONG_KEY') }}"
    wrong_secret: "{{ lookup('ansible.builtin.env', 'TEST_WRONG_SECRET') }}"
    blob_sig: "{{ lookup('ansible.builtin.env', 'TEST_BLOB_SIG') }}"
    emulator_url: "{{ lookup('ansible.builtin.env', 'EMULATOR_URL') }}"
    entra: &entra
      auth_method: client_secret
      tenant_id: "{{ lookup('ansible.builtin.env', 'AZURE_TENANT_ID') }}"
      client_id: "{{ lookup('ansible.builtin.env', 'AZURE_CLIENT_ID') }}"
      client_secret: "{{ lookup('ansible.builtin.env', 'AZURE_CLIENT_SECRET') }}"
      authority_host: "{{ lookup('ansible.builtin.env', 'AZURE_AUTHORITY_HOST') }}"
    twin_job: &twin_job
      job_id: no-secrets-twin
      query: "tags.ring = 'canary'"
      twin_patch:
        desired:
          firmware:
            version: 9.9.9
    central_job: &central_job
      job_id: no-secrets-central
      group: gateway-devices
      data:
        - type: property
          target: "dtmi:azureiotjobs:gateway;1"
          path: fwVersion
          value: 9.9.9
  module_defaults:
    group/azure_iot.jobs.iothub:
      connection_string: "{{ hub_cs }}"
      ca_path: "{{ ca }}"
      subscription_id: "{{ lookup('ansible.builtin.env', 'AZURE_SUBSCRIPTION_ID') }}"
      resource_group: "{{ lookup('ansible.builtin.env', 'AZURE_RESOURCE_GROUP') }}"
      hub_name: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_NAME') }}"
      arm_endpoint: "{{ lookup('ansible.builtin.env', 'AZURE_ARM_ENDPOINT') }}"
    group/azure_iot.jobs.iotcentral:
      app_url: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_APP_URL') }}"
      api_token: "{{ lookup('ansible.builtin.env', 'AZURE_IOTCENTRAL_API_TOKEN') }}"
      ca_path: "{{ ca }}"
  tasks:
    - name: Predict a twin job (SAS, check mode, diff)
      azure_iot.jobs.iothub_scheduled_job: *twin_job
      check_mode: true
      register: predicted
    - name: Create the twin job (SAS) and wait
      azure_iot.jobs.iothub_scheduled_job:
        <<: *twin_job
        wait: true
        wait_sleep: 1
      register: created
    - name: Run it again (unchanged)
      azure_iot.jobs.iothub_scheduled_job: *twin_job
      register: again
    - name: Read it with Entra ID on the data plane, with device results
      azure_iot.jobs.iothub_scheduled_job_info:
        <<: *entra
        connection_string: "{{ omit }}"
        hostname: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_HOSTNAME') }}"
        job_id: no-secrets-twin
        include_device_results: true
      register: entra_info
    - name: Read the hub's jobs without TLS verification (warns)
      azure_iot.jobs.iothub_scheduled_job_info:
        ca_path: "{{ omit }}"
        validate_certs: false
      register: insecure
    - name: Schedule a job for later, to cancel it
      azure_iot.jobs.iothub_scheduled_job:
        <<: *twin_job
        job_id: no-secrets-later
        start_time: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() + 3600, utc=true) }}"
    - name: Cancel it; the injected 400 echoes credentials in its body
      azure_iot.jobs.iothub_scheduled_job:
        job_id: no-secrets-later
        state: absent
      register: cancel_fault
      ignore_errors: true
    - name: Use a wrong policy key (401)
      azure_iot.jobs.iothub_scheduled_job_info:
        connection_string: "{{ hub_cs | regex_replace('SharedAccessKey=[^;]+', 'SharedAccessKey=' ~ wrong_key) }}"
      register: wrong_key_result
      ignore_errors: true
    - name: Use a wrong client secret
      azure_iot.jobs.iothub_job_info:
        <<: *entra
        client_secret: "{{ wrong_secret }}"
      register: wrong_secret_result
      ignore_errors: true
    - name: Predict an export to a blob SAS URI (check mode)
      azure_iot.jobs.iothub_import_export_job: &export
        type: export
        output_container_uri: "{{ emulator_url }}/_emulator/blobs/nosecrets?sv=2022-11-02&sp=rwdl&sig={{ blob_sig }}"
        wait: true
        wait_sleep: 1
      check_mode: true
    - name: Export the registry to the blob SAS URI (data plane, SAS)
      azure_iot.jobs.iothub_import_export_job: *export
      register: exported
    - name: Export again through Azure Resource Manager (Entra ID)
      azure_iot.jobs.iothub_import_export_job:
        <<: [*export, *entra]
        api: arm
        connection_string: "{{ omit }}"
      register: exported_arm
    - name: List the hub's jobs through Azure Resource Manager (Entra ID)
      azure_iot.jobs.iothub_job_info: *entra
      register: arm_jobs
    - name: Predict an IoT Central job (API token, check mode, diff)
      azure_iot.jobs.iotcentral_job: *central_job
      check_mode: true
    - name: Create the IoT Central job (API token)
      azure_iot.jobs.iotcentral_job: *central_job
      register: central_created
    - name: Stop it; the injected 409 echoes the API token in its body
      azure_iot.jobs.iotcentral_job:
        job_id: no-secrets-central
        state: stopped
      register: stop_fault
      ignore_errors: true
    - name: Read IoT Central jobs with Entra ID
      azure_iot.jobs.iotcentral_job_info:
        <<: *entra
        api_token: "{{ omit }}"
        include_devices: true
      register: central_info
    - name: Check that every task did what it should
      ansible.builtin.assert:
        that:
          - predicted is changed and created is changed and again is not changed
          - entra_info.jobs | length == 1
          - insecure is not failed
          - cancel_fault is failed and cancel_fault.status == 400
          - wrong_key_result is failed and wrong_key_result.status == 401
          - wrong_secret_result is failed
          - exported is changed and exported.job.status == 'completed'
          - exported_arm is changed and exported_arm.job.status == 'completed'
          - arm_jobs.jobs | length == 2
          - central_created is changed
          - stop_fault is failed and stop_fault.status == 409
          - central_info.jobs | length == 1
"""


def _signature(token):
    return token.split("sig=")[1].split("&")[0]


def _sas_signatures(host, policy, key, start, end):
    """Every signature SasAuth can have minted between start and end (it signs now + 3600 s, to the second)."""
    return {_signature(sas_token(host, key, policy, second + 3600)) for second in range(int(start) - 5, int(end) + 6)}


def _forms(values):
    """A secret as given, URL-decoded, and without its base64 padding: what survives URL-encoding once or twice."""
    forms = set()
    for value in values:
        forms.update(form for form in (value, unquote(value), unquote(value).rstrip("=")) if len(form) >= 12)
    return forms


def _leaks(output, secrets):
    """{secret name: [line numbers]} for every secret found in output."""
    lines = output.splitlines()
    found = {}
    for name, values in secrets.items():
        for value in _forms(values):
            numbers = [number for number, line in enumerate(lines, 1) if value in line]
            if numbers:
                found.setdefault(name, set()).update(numbers)
    return {name: sorted(numbers) for name, numbers in found.items()}


def _report(output, leaks, secrets):
    """Which secret leaked on which lines, each line shown with every secret in it masked by its name."""
    lines = output.splitlines()
    masks = sorted(((value, name) for name, values in secrets.items() for value in _forms(values)),
                   key=lambda pair: len(pair[0]), reverse=True)
    report = []
    for name, numbers in sorted(leaks.items()):
        for number in numbers[:5]:
            line = lines[number - 1]
            for value, owner in masks:
                line = line.replace(value, "<%s>" % owner)
            report.append("%s leaked on output line %d: %s" % (name, number, line.strip()[:300]))
    return "\n".join(report)


@pytest.fixture
def collections_path(tmp_path_factory):
    return str(collection_tree(tmp_path_factory.mktemp("collections")))


def test_no_secret_in_playbook_output_at_vvvv(emulator, collections_path, tmp_path):
    env = emulator.env
    host, policy, key = emulator.host, emulator.policy, emulator.key
    api_token = env["AZURE_IOTCENTRAL_API_TOKEN"]
    emulator.configure(central_device_ops_per_second=0.05)  # keeps the IoT Central job running until it is stopped
    emulator.control("POST", "faults", json=[
        {"route": "POST /jobs/v2/{id}/cancel", "status": 400, "error_code": "ArgumentInvalid", "count": 1,
         "message": "Rejected SharedAccessSignature sr=%s&sig=%s&se=1&skn=%s signed with key %s"
                    % (host, ECHOED_SIG, policy, key)},
        {"route": "POST /api/jobs/{id}/stop", "status": 409, "error_code": "InvalidJobState", "count": 1,
         "message": "Token %s may not stop this job" % api_token},
    ])
    blob_uri_tail = "sv=2022-11-02&sp=rwdl&sig=" + BLOB_SIG
    start = time.time()
    returncode, output = playbook_at_vvvv(tmp_path, collections_path, PLAYBOOK, dict(
        env, TEST_WRONG_KEY=WRONG_KEY, TEST_WRONG_SECRET=WRONG_SECRET, TEST_BLOB_SIG=BLOB_SIG))
    end = time.time()
    assert returncode == 0, output[-6000:]
    assert "Traceback" not in output

    issued = emulator.control("GET", "tokens")["access_tokens"]
    assert issued, "the Entra tasks got no token from the emulator"
    secrets = {
        "policy key": {key},
        "wrong policy key": {WRONG_KEY},
        "SAS signature": _sas_signatures(host, policy, key, start, end),
        "wrong-key SAS signature": _sas_signatures(host, policy, WRONG_KEY, start, end),
        "echoed SAS signature": {ECHOED_SIG},
        "API token": {api_token},
        "API token signature": {_signature(api_token)},
        "client secret": {env["AZURE_CLIENT_SECRET"]},
        "wrong client secret": {WRONG_SECRET},
        "bearer token": set(issued),
        "blob SAS": {blob_uri_tail, BLOB_SIG},
    }
    leaks = _leaks(output, secrets)
    assert not leaks, "secrets in the -vvvv output:\n" + _report(output, leaks, secrets)

    # The output is the real thing: every failure and the TLS warning are in it.
    assert "TLS certificate verification is disabled (validate_certs=false)" in output
    assert "HTTP 401 IotHubUnauthorizedAccess" in output
    assert "HTTP 400 ArgumentInvalid" in output and "HTTP 409 InvalidJobState" in output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
