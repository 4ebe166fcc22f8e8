# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, across all six modules: one table, each row a clear failure naming the option, before any HTTP call.

Each module's main() runs in this process with its real client factories; only the HTTP session is replaced by one
that fails the test on any request (and azure.identity by one that fails on any token request). So a row passes only
when the module fails through fail_json, with the expected message, without a traceback or an 'exception' key, and
without a single request. Secrets given in a row never appear in its result.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import types

import pytest
from ansible.module_utils import basic

from ansible_collections.azure_iot.jobs.plugins.module_utils import _client
from ansible_collections.azure_iot.jobs.tests.unit.compat import patch_module_args

PACKAGE = "ansible_collections.azure_iot.jobs.plugins.modules."
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
CONNECTION_STRING = "HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=" + KEY
API_TOKEN = "SharedAccessSignature sr=app&sig=c2lnbmF0dXJlLTE%3D&skn=operator&se=4102444800000"
EXPIRED_TOKEN = "SharedAccessSignature sr=app&sig=c2lnbmF0dXJlLTI%3D&skn=operator&se=1647950487889"
CLIENT_SECRET = "s3cr3t-client-value"
BLOB_SIG = "YmxvYi1zYXMtc2lnbmF0dXJl"
BLOB = "https://acct.blob.core.windows.net/backup?sv=2022-11-02&sr=c&sp=rwdl&sig=" + BLOB_SIG
SECRETS = (KEY, API_TOKEN, "c2lnbmF0dXJlLTE", EXPIRED_TOKEN, "c2lnbmF0dXJlLTI", CLIENT_SECRET, BLOB_SIG)

HUB = dict(connection_string=CONNECTION_STRING)
CENTRAL = dict(app_url="https://myapp.azureiotcentral.com", api_token=API_TOKEN)
SP = dict(tenant_id="tenant", client_id="client", client_secret=CLIENT_SECRET)
ARM = dict(subscription_id="sub", resource_group="rg", hub_name="hub", **SP)
TWIN = dict(twin_patch={"tags": {"ring": "canary"}})
DATA = [{"type": "property", "target": "dtmi:t;1", "path": "fwVersion", "value": "2"}]
CENTRAL_JOB = dict(CENTRAL, group="all-devices", data=DATA)


def _with(base, args):
    merged = dict(base)
    merged.update(args)
    return merged


def hub_job(**args):
    return _with(dict(HUB, job_id="j1", **TWIN), args)


def central_job(**args):
    return _with(dict(CENTRAL_JOB, job_id="j1"), args)


def export(**args):
    return _with(dict(HUB, type="export", output_container_uri=BLOB), args)


def core_wording(message):
    """ansible-core's own wording as 2.19 and later write it: before 2.19 a type error reads "is of type
    <class 'str'>" where later versions write "is of type str"."""
    return re.sub(r"<class '(\w+)'>", r"\1", message)


def exact(text):
    return re.compile(re.escape(text))


def starts(text):
    return re.compile(re.escape(text) + ".*")


# (module, args, the whole msg as a regular expression: exact() for fixed text)
ROWS = [
    # --- ids
    ("iothub_scheduled_job", hub_job(job_id=""), exact("job_id must not be empty")),
    ("iothub_scheduled_job", hub_job(job_id="j" * 65), exact("job_id must be at most 64 characters, got 65")),
    ("iothub_scheduled_job", hub_job(job_id="job_1"),
     exact("job_id may only contain US-ASCII letters, digits and '-', found '_' in 'job_1'")),
    ("iothub_scheduled_job", dict(HUB, **TWIN), exact("missing required arguments: job_id")),
    ("iothub_scheduled_job_info", dict(HUB, job_id="bad id"),
     exact("job_id may only contain US-ASCII letters, digits and '-', found ' ' in 'bad id'")),
    ("iothub_job_info", dict(ARM, job_id="  "), exact("job_id must not be empty")),
    ("iotcentral_job", central_job(job_id="job.1"),
     exact("job_id may only contain US-ASCII letters, digits, '-' and '_', found '.' in 'job.1'")),
    ("iotcentral_job", central_job(group="all devices"),
     exact("group may only contain US-ASCII letters, digits, '-' and '_', found ' ' in 'all devices'")),
    ("iotcentral_job", dict(CENTRAL, job_id="j1", rerun="j1"),
     exact("rerun must differ from job_id: the rerun is a new job, 'j1' reruns the failed devices of job 'j1'")),
    ("iotcentral_job_info", dict(CENTRAL, job_id="j" * 256), exact("job_id must be at most 255 characters, got 256")),
    # --- queries
    ("iothub_scheduled_job", hub_job(query=""),
     exact("query must not be empty: omit it or use '*' to target all devices")),
    ("iothub_scheduled_job", hub_job(query="WHERE "),
     exact("query has nothing after WHERE: give a condition such as tags.ring = 'canary'")),
    ("iothub_scheduled_job", hub_job(query="SELECT * FROM devices WHERE tags.ring = 'canary'"),
     starts("query must be the condition only (such as tags.ring = 'canary'), not a SELECT")),
    ("iothub_scheduled_job", hub_job(query="tags.ring = 'canary"),
     exact("query has an unterminated string literal: tags.ring = 'canary")),
    ("iothub_scheduled_job", hub_job(query="(tags.floor = 1"),
     exact("query has unbalanced parentheses or brackets: (tags.floor = 1")),
    # --- patches, methods, job data
    ("iothub_scheduled_job", hub_job(twin_patch={}), exact("twin_patch needs tags or desired (or both)")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1"),
     exact("state=present needs twin_patch or method: twin_patch for a twin update job (type update_twin), method "
           "for a direct method job (type device_method)")),
    ("iothub_scheduled_job", hub_job(method={"name": "reboot"}),
     exact("parameters are mutually exclusive: twin_patch|method")),
    ("iothub_scheduled_job", hub_job(type="device_method"),
     exact("type is device_method but twin_patch was given: type device_method needs method")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"name": ""}), exact("method.name must not be empty")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"payload": {}}),
     exact("missing required arguments: name found in method")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"name": "m", "payload": "x" * 131072}),
     exact("method.payload is 131074 bytes as JSON; IoT Hub accepts at most 131072 (128 KB)")),
    ("iotcentral_job", central_job(data=[]), starts("state=present needs data to create the job: ")),
    ("iotcentral_job", central_job(data=[{"type": "property", "target": "dtmi:t;1", "value": 1}]),
     exact("data[0].path is required for a property item (name or component.name)")),
    ("iotcentral_job", central_job(data=DATA + [{"type": "command", "target": "dtmi:t;1", "path": "reboot"}]),
     exact("all data items must have the same type, got command and property")),
    ("iotcentral_job", central_job(data=[{"type": "device_template_migration"}]),
     starts("data[0].template is required for a device_template_migration item")),
    ("iotcentral_job", central_job(data=[{"type": "twin", "target": "t", "path": "p", "value": 1}]),
     starts("value of type must be one of: ")),
    ("iotcentral_job", dict(CENTRAL, job_id="j1"),
     starts("state=present needs group and data to create the job")),
    ("iotcentral_job", central_job(organizations=["a", "b"]),
     exact("organizations takes exactly one organization id, got 2")),
    # --- times
    ("iothub_scheduled_job", hub_job(start_time="tomorrow"),
     exact("start_time must be 'now' or an ISO 8601 date and time such as 2030-01-31T12:00:00Z, got 'tomorrow'")),
    ("iothub_scheduled_job", hub_job(start_time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 691200))),
     re.compile(r"start_time \S+Z is more than 168 hours after now \(\S+Z\): IoT Hub schedules jobs at most 7 days "
                r"ahead")),
    ("iothub_scheduled_job", hub_job(start_time="2030-02-30T00:00:00Z"), starts("start_time must be 'now' or an ISO")),
    # --- ranges
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"name": "m", "response_timeout": 0}),
     exact("method.response_timeout must be between 5 and 300 seconds, got 0")),
    ("iothub_scheduled_job", dict(HUB, job_id="j1", method={"name": "m", "connect_timeout": 301}),
     exact("method.connect_timeout must be between 0 and 300 seconds, got 301")),
    ("iothub_scheduled_job", hub_job(max_execution_time=0),
     exact("max_execution_time must be a number of seconds greater than 0, got 0")),
    ("iothub_scheduled_job", hub_job(wait_timeout=0), exact("wait_timeout must be a number of seconds greater than 0, "
                                                            "got 0")),
    ("iothub_scheduled_job", hub_job(wait_sleep=30, wait_timeout=10),
     exact("wait_sleep (30) must not be greater than wait_timeout (10)")),
    ("iothub_scheduled_job", hub_job(timeout="soon"), starts("argument 'timeout' is of type str and we were unable to "
                                                             "convert to float")),
    ("iothub_scheduled_job", hub_job(state="gone"), exact("value of state must be one of: present, absent, got: gone")),
    ("iothub_scheduled_job_info", dict(HUB, limit=0), exact("limit must be greater than 0, got 0")),
    ("iothub_scheduled_job_info", dict(HUB, device_status=["failed"]),
     exact("device_status filters the device results: set include_device_results: true")),
    ("iothub_scheduled_job_info", dict(HUB, job_id="j1", limit=5),
     exact("parameters are mutually exclusive: job_id|limit")),
    ("iotcentral_job", central_job(batch={"type": "percentage", "value": 150}),
     exact("batch.value is a percentage and must be at most 100, got 150")),
    ("iotcentral_job", central_job(cancellation_threshold={"type": "number", "value": 0}),
     exact("cancellation_threshold.value must be greater than 0, got 0.0")),
    ("iotcentral_job_info", dict(CENTRAL, device_status=["done"]), starts("value of device_status must be one or more "
                                                                          "of: pending, completed, failed")),
    # --- import/export requests and blob SAS URIs
    ("iothub_import_export_job", dict(HUB, output_container_uri=BLOB),
     exact("type (export or import) is required to start a job (or give job_id to follow one)")),
    ("iothub_import_export_job", dict(HUB, type="export"),
     exact("output_container_uri is required: the container the export is written to")),
    ("iothub_import_export_job", export(type="import"), exact("input_container_uri is required for type=import")),
    ("iothub_import_export_job", export(input_container_uri=BLOB),
     exact("input_container_uri and input_blob_name are for type=import only")),
    ("iothub_import_export_job", export(output_container_uri=BLOB.replace("https://", "http://")),
     exact("output_container_uri must be an https:// blob container URI")),
    ("iothub_import_export_job", export(output_container_uri=BLOB.split("&sig=", maxsplit=1)[0]),
     exact("output_container_uri needs a shared access signature (sig=...) with storage_auth=key_based")),
    ("iothub_import_export_job", dict(HUB, state="absent"), exact("state=absent cancels a job: job_id is required")),
    # --- auth combinations
    ("iothub_scheduled_job", dict(job_id="j1", **TWIN),
     exact("one of connection_string or hostname is required to reach the IoT Hub data plane")),
    ("iothub_scheduled_job", dict(job_id="j1", hostname="myhub.azure-devices.net", auth_method="sas", **TWIN),
     exact("auth_method=sas requires connection_string (the connection string of a shared access policy of the hub)")),
    ("iothub_scheduled_job", hub_job(auth_method="api_token"), starts("auth_method=api_token is for IoT Central; ")),
    ("iothub_scheduled_job", dict(job_id="j1", hostname="myhub.azure-devices.net", auth_method="client_secret",
                                  tenant_id="t", client_id="c", **TWIN),
     exact("auth_method=client_secret requires tenant_id, client_id and client_secret (missing: client_secret)")),
    ("iothub_scheduled_job", hub_job(auth_method="password"), starts("value of auth_method must be one of: auto, ")),
    ("iothub_scheduled_job", hub_job(hostname="otherhub.azure-devices.net"),
     exact("connection_string (HostName=myhub.azure-devices.net) and hostname (otherhub.azure-devices.net) name "
           "different hubs; set only one")),
    ("iothub_scheduled_job_info", dict(hostname="https://myhub.azure-devices.net/jobs", **SP),
     exact("hostname must be the hub's host name, such as myhub.azure-devices.net (https is implied)")),
    ("iothub_job_info", dict(ARM, hub_name=None), exact("Azure Resource Manager needs subscription_id, resource_group "
                                                        "and hub_name (missing: hub_name)")),
    ("iothub_job_info", dict(ARM, auth_method="sas", **HUB), starts("auth_method=sas cannot be used with Azure "
                                                                    "Resource Manager")),
    ("iothub_job_info", dict(ARM, arm_endpoint="http://management.example"),
     exact("arm_endpoint must be an https:// URL, got http://management.example")),
    ("iothub_import_export_job", export(connection_string=None, api="arm", auth_method="api_token",
                                        subscription_id="s", resource_group="r", hub_name="h"),
     starts("auth_method=api_token cannot be used with Azure Resource Manager")),
    ("iotcentral_job", dict(central_job(), app_url=None), exact("one of app_url or subdomain is required to reach the "
                                                                "IoT Central application")),
    ("iotcentral_job", central_job(app_url="http://myapp.azureiotcentral.com"),
     exact("app_url must be an https:// URL, got http://myapp.azureiotcentral.com")),
    ("iotcentral_job", central_job(subdomain="otherapp"),
     starts("app_url (https://myapp.azureiotcentral.com) and subdomain/dns_suffix "
            "(https://otherapp.azureiotcentral.com) name different applications")),
    ("iotcentral_job", central_job(auth_method="sas"), starts("auth_method=sas is for the IoT Hub data plane")),
    ("iotcentral_job_info", dict(CENTRAL, api_token="operator"),
     starts("api_token must be an IoT Central API token, a string that starts with 'SharedAccessSignature sr='")),
    # --- malformed connection strings
    ("iothub_scheduled_job", hub_job(connection_string="HostName=myhub.azure-devices.net;SharedAccessKey=" + KEY),
     exact("connection_string is malformed: it must contain HostName, SharedAccessKeyName and SharedAccessKey "
           "separated by ';' (missing SharedAccessKeyName)")),
    ("iothub_scheduled_job", hub_job(connection_string=CONNECTION_STRING + ";DeviceId=d1"),
     starts("connection_string has DeviceId: it is a device or module connection string")),
    ("iothub_scheduled_job", hub_job(connection_string=CONNECTION_STRING.replace(KEY, "not base64!")),
     exact("connection_string is malformed: SharedAccessKey is not valid base64")),
    ("iothub_scheduled_job_info", dict(connection_string=CONNECTION_STRING.replace("HostName=", "HostName=https://")),
     starts("connection_string is malformed: HostName must be a host name")),
    ("iothub_import_export_job", export(connection_string=KEY),
     exact("connection_string is malformed: it must contain HostName, SharedAccessKeyName and SharedAccessKey "
           "separated by ';' (part 1 is none of them)")),
    # --- expired tokens
    ("iotcentral_job", central_job(api_token=EXPIRED_TOKEN),
     exact("api_token expired at 2022-03-22T12:01:27Z (its se field): create a new token and use its value")),
    ("iotcentral_job_info", dict(CENTRAL, api_token=EXPIRED_TOKEN), starts("api_token expired at 2022-03-22T")),
]


class NoHttp(object):
    """A requests.Session that fails the test on any request."""

    def request(self, method, url, **kwargs):
        raise AssertionError("bad input reached HTTP: %s %s" % (method, url))


def _fake_identity():
    """azure.identity whose credentials never get a token (getting one is an HTTP call)."""

    class Credential(object):
        def __init__(self, *args, **kwargs):
            pass

        def get_token(self, *scopes, **kwargs):
            raise AssertionError("bad input reached the Entra token endpoint")

    module = types.ModuleType("azure.identity")
    for name in ("ClientSecretCredential", "ManagedIdentityCredential", "AzureCliCredential",
                 "DefaultAzureCredential"):
        setattr(module, name, type(name, (Credential,), {}))
    return module


class Done(Exception):
    def __init__(self, failed, result):
        super().__init__(failed, result)
        self.failed = failed
        self.result = result


@pytest.fixture
def run_main(monkeypatch):
    """run_main(module name, args) -> (failed, result) of main() with the real clients and no network."""
    for name in [name for name in os.environ if name.startswith("AZURE_")] + ["REQUESTS_CA_BUNDLE"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(_client.requests, "Session", NoHttp)
    monkeypatch.setitem(sys.modules, "azure.identity", _fake_identity())

    def finish(failed):
        def method(self, **kwargs):
            raise Done(failed, kwargs)
        return method

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", finish(False))
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", finish(True))

    def runner(module, args):
        main = importlib.import_module(PACKAGE + module).main
        with patch_module_args({key: value for key, value in args.items() if value is not None}):
            try:
                main()
            except Done as done:
                return done.failed, done.result
        raise AssertionError("main() returned without exit_json or fail_json")

    return runner


def test_the_table_covers_every_module_with_at_least_40_rows():
    assert len(ROWS) >= 40
    assert set(row[0] for row in ROWS) == {"iothub_scheduled_job", "iothub_scheduled_job_info", "iothub_job_info",
                                           "iothub_import_export_job", "iotcentral_job", "iotcentral_job_info"}


@pytest.mark.parametrize("module, args, expected", ROWS, ids=["%s-%d" % (row[0], n) for n, row in enumerate(ROWS)])
def test_bad_input_fails_clearly_before_any_http_call(run_main, module, args, expected):
    failed, result = run_main(module, args)
    assert failed, result
    assert expected.fullmatch(core_wording(result["msg"])), result["msg"]
    assert "exception" not in result and "Traceback" not in str(result)
    text = str(result)
    leaked = [index for index, secret in enumerate(SECRETS) if secret in text]
    assert not leaked, "secrets %s appear in the result" % leaked


# ------------------------------------------------------------------------------------------------ roles

ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")
TWIN_ROLLOUT = dict(iothub_rollout_name="fw-1", iothub_rollout_twin_patch={"desired": {"fw": "1"}})
CENTRAL_ROLLOUT = dict(iotcentral_rollout_name="fw-1", iotcentral_rollout_group="all-devices",
                       iotcentral_rollout_data=DATA)

# (role, vars, what the failure message must contain: the option and its rule)
ROLE_ROWS = [
    ("iothub_rollout", {}, "missing required arguments: iothub_rollout_name"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_retries="many"),
     "argument 'iothub_rollout_retries' is of type str and we were unable to convert to int"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_waves=["half"]),
     "Elements value for option 'iothub_rollout_waves' is of type str and we were unable to convert to float"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_fail_on_abort="perhaps"),
     "argument 'iothub_rollout_fail_on_abort' is of type str and we were unable to convert to bool"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_name="fw 1!"),
     "iothub_rollout_name must be 1 to 40 "),
    ("iotcentral_rollout", {},
     "missing required arguments: iotcentral_rollout_data, iotcentral_rollout_group, iotcentral_rollout_name"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_data=[dict(DATA[0], type="twin")]),
     "value of type must be one of: property, command, cloud_property, device_template_migration, got: twin found "
     "in iotcentral_rollout_data"),
    ("iotcentral_rollout", dict(CENTRAL_ROLLOUT, iotcentral_rollout_batch={"type": "all", "value": 10}),
     "value of type must be one of: number, percentage, got: all found in iotcentral_rollout_batch"),
    ("iothub_registry_backup", {},
     "missing required arguments: iothub_registry_backup_container_uri, iothub_registry_backup_name"),
    ("iothub_rollout", dict(TWIN_ROLLOUT, iothub_rollout_method={"name": "reboot"}),
     "set exactly one of iothub_rollout_twin_patch (a twin update) and iothub_rollout_method (a direct method)"),
]


class ConnectionCounter(object):
    """A TCP port that counts the connections made to it (and closes them): where every task's API calls would go."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.count += 1
            connection.close()

    def close(self):
        self.sock.close()


def _role_playbook(rows, port, out):
    """One play, one block a row: include the role with the row's vars, record the failure message."""
    blocks = []
    for number, (role, role_vars, _expected) in enumerate(rows):
        blocks.append({
            "name": "Row %d" % number,
            "block": [{"ansible.builtin.include_role": {"name": "azure_iot.jobs." + role}, "vars": role_vars}],
            "rescue": [{"ansible.builtin.set_fact": {"bad_input_failures": "{{ bad_input_failures | combine({'%d': "
                                                     "ansible_failed_result}) }}" % number}}],
        })
    blocks.append({"ansible.builtin.copy": {"content": "{{ bad_input_failures | to_json }}", "dest": out}})
    hub = "HostName=127.0.0.1:%d;SharedAccessKeyName=iothubowner;SharedAccessKey=%s" % (port, KEY)
    return [{"hosts": "localhost", "connection": "local", "gather_facts": False, "vars": {"bad_input_failures": {}},
             "module_defaults": {
                 "group/azure_iot.jobs.iothub": {"connection_string": hub, "max_retries": 0},
                 "group/azure_iot.jobs.iotcentral": {"app_url": "https://127.0.0.1:%d" % port, "api_token": API_TOKEN,
                                                     "max_retries": 0}},
             "tasks": blocks}]


def test_roles_fail_on_bad_variables_before_any_call(tmp_path):
    rows = ROLE_ROWS
    root = tmp_path / "collections" / "ansible_collections" / "azure_iot"
    root.mkdir(parents=True)
    (root / "jobs").symlink_to(os.path.dirname(ROLES_DIR), target_is_directory=True)
    counter = ConnectionCounter()
    out = tmp_path / "failures.json"
    (tmp_path / "playbook.yml").write_text(json.dumps(_role_playbook(rows, counter.port, str(out))))
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AZURE_", "ANSIBLE_"))}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1")
    try:
        done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                               "playbook.yml"], capture_output=True, text=True, env=env, cwd=str(tmp_path),
                              timeout=300, check=False)
    finally:
        counter.close()
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stdout + done.stderr
    failures = json.loads(out.read_text())
    problems = []
    for number, (role, role_vars, expected) in enumerate(rows):
        failure = failures.get(str(number))
        if failure is None:
            problems.append("row %d (%s %r) did not fail" % (number, role, role_vars))
            continue
        # A looped check fails with "One or more items failed": its messages are those of the failed items.
        messages = [failure.get("msg", "")] + [item.get("msg", "") for item in failure.get("results", [])
                                               if item.get("failed")]
        messages = [core_wording(message) for message in messages]
        # ansible-core 2.19 sets exception to "(traceback unavailable)" on every action failure: only a real one counts.
        if not any(expected in message for message in messages) or "Traceback" in json.dumps(failure):
            problems.append("row %d (%s): %r" % (number, role, messages))
    assert not problems, "\n".join(problems)
    assert counter.count == 0, "bad role variables reached the network"
