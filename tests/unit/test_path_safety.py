# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property: a value that lands in a URL path, or a host the user names, either is refused before any call, or goes
exactly where it says: every request goes to the host the user named, and the value appears exactly once,
percent-encoded, as a path segment of its own (never collapsed, split or carried into the query).

The modules run in this process with their real clients; only the requests.Session is replaced by one that records
each URL and answers "not found" (or an empty list), and azure.identity by one that hands out a fixed token.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from urllib.parse import quote, urlsplit

import pytest
from ansible.module_utils import basic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azure_iot.jobs.plugins.module_utils import _client
from ansible_collections.azure_iot.jobs.tests.unit.compat import patch_module_args

PACKAGE = "ansible_collections.azure_iot.jobs.plugins.modules."
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
API_TOKEN = "SharedAccessSignature sr=app&sig=c2lnbmF0dXJlLTE%3D&skn=operator&se=4102444800000"
SUBSCRIPTION = "6f1c2a4e-0b7d-4c2a-9e5f-1a2b3c4d5e6f"
ARM = dict(subscription_id=SUBSCRIPTION, resource_group="rg", hub_name="hub", auth_method="client_secret",
           tenant_id="t", client_id="c", client_secret="s")

# Ids: mostly the characters that matter (separators, dots, escapes, whitespace, controls, non-ASCII), some plain.
TRICKY = st.sampled_from(list("./?#%\\ \t\n\r\x00\x7f@:;=&+é[]") + ["..", "%2e", "%2F", "a", "Z", "0", "-", "_"])
IDS = st.lists(TRICKY, min_size=0, max_size=8).map("".join) | st.text(max_size=12)
LABELS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
HOST_PARTS = st.sampled_from(["@", "/", "?", "#", ":", ":0", ":443", ":99999", " ", "..", ".", "%40", "[::1]", "-"])
HOSTS = st.lists(LABELS | HOST_PARTS, min_size=1, max_size=5).map("".join)


class Recorder(object):
    """A requests.Session stand-in: records every URL and answers 404 (or [] to list calls)."""

    urls = []

    def request(self, method, url, **kwargs):
        Recorder.urls.append(url)
        body = b"[]" if urlsplit(url).path.endswith("/jobs") else b'{"error": {"code": "NotFound"}}'
        status = 200 if body == b"[]" else 404
        return types.SimpleNamespace(status_code=status, headers={"Content-Type": "application/json"}, content=body,
                                     reason="")


class Done(Exception):
    def __init__(self, failed, result):
        super().__init__(failed, result)
        self.failed = failed
        self.result = result


@pytest.fixture(scope="module")
def run_main():
    """run_main(module, args) -> (failed, result, urls) with the real clients and a recording session."""
    patcher = pytest.MonkeyPatch()
    for name in [name for name in os.environ if name.startswith("AZURE_")] + ["REQUESTS_CA_BUNDLE"]:
        patcher.delenv(name, raising=False)
    patcher.setattr(_client.requests, "Session", Recorder)
    identity = types.ModuleType("azure.identity")
    token = types.SimpleNamespace(token="bearer", expires_on=4102444800)
    for name in ("ClientSecretCredential", "ManagedIdentityCredential", "AzureCliCredential",
                 "DefaultAzureCredential"):
        setattr(identity, name, type(name, (object,), {"__init__": lambda self, *a, **k: None,
                                                       "get_token": lambda self, *a, **k: token}))
    patcher.setitem(sys.modules, "azure.identity", identity)

    def finish(failed):
        def method(self, **kwargs):
            raise Done(failed, kwargs)
        return method

    patcher.setattr(basic.AnsibleModule, "exit_json", finish(False))
    patcher.setattr(basic.AnsibleModule, "fail_json", finish(True))
    patcher.setattr(basic.AnsibleModule, "warn", lambda self, msg: None)

    def runner(module, args):
        Recorder.urls = []
        main = importlib.import_module(PACKAGE + module).main
        with patch_module_args({key: value for key, value in args.items() if value is not None}):
            try:
                main()
            except Done as done:
                return done.failed, done.result, list(Recorder.urls)
        raise AssertionError("main() returned without exit_json or fail_json")

    yield runner
    patcher.undo()


def assert_refused_or_in_its_own_segment(failed, result, urls, value, host, path):
    if not urls:
        assert failed and result["msg"], result  # refused before any call, with a message
        assert "exception" not in result
        return
    assert value not in ("", ".", "..")
    encoded = quote(value, safe="")
    assert "/" not in encoded and "?" not in encoded and "#" not in encoded
    for url in urls:
        assert urlsplit(url).netloc == host, (url, host)
    # The value is the one segment its template puts it in, percent-encoded.
    assert any(urlsplit(url).path == path.format(encoded) for url in urls), (urls, value)


# (module, the option under test, the other options, the host, the path the value must make): each reads one resource.
ARM_HUB = "/subscriptions/{s}/resourceGroups/{r}/providers/Microsoft.Devices/IotHubs/{h}"
PATH_CASES = [
    ("iothub_scheduled_job_info", "job_id",
     dict(connection_string="HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=" + KEY),
     "myhub.azure-devices.net", "/jobs/v2/{}"),
    ("iothub_import_export_job_info", "job_id",
     dict(connection_string="HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=" + KEY),
     "myhub.azure-devices.net", "/jobs/{}"),
    ("iotcentral_job_info", "job_id", dict(app_url="https://myapp.azureiotcentral.com", api_token=API_TOKEN),
     "myapp.azureiotcentral.com", "/api/jobs/{}"),
    ("iotcentral_scheduled_job_info", "job_id", dict(app_url="https://myapp.azureiotcentral.com",
                                                     api_token=API_TOKEN),
     "myapp.azureiotcentral.com", "/api/scheduledJobs/{}"),
    ("iothub_job_info", "job_id", dict(ARM), "management.azure.com",
     ARM_HUB.format(s=SUBSCRIPTION, r="rg", h="hub") + "/jobs/{}"),
    ("iothub_job_info", "resource_group", dict(ARM), "management.azure.com",
     ARM_HUB.format(s=SUBSCRIPTION, r="{}", h="hub") + "/jobs"),
    ("iothub_job_info", "hub_name", dict(ARM), "management.azure.com",
     ARM_HUB.format(s=SUBSCRIPTION, r="rg", h="{}") + "/jobs"),
    ("iothub_job_info", "subscription_id", dict(ARM), "management.azure.com",
     ARM_HUB.format(s="{}", r="rg", h="hub") + "/jobs"),
]


@pytest.mark.parametrize("module, option, others, host, path", PATH_CASES,
                         ids=["%s-%s" % case[:2] for case in PATH_CASES])
@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=IDS)
def test_a_path_bound_value_is_refused_or_in_its_own_segment(run_main, module, option, others, host, path, value):
    failed, result, urls = run_main(module, dict(others, **{option: value}))
    assert_refused_or_in_its_own_segment(failed, result, urls, value, host, path)


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(host=HOSTS)
def test_a_host_is_refused_or_is_where_every_request_goes(run_main, host):
    # What each option names: the host of app_url as a URL parser reads it; HostName and hostname as given (the
    # option's surrounding whitespace, and a trailing '/' of hostname, are ignored).
    named = host.strip()
    cases = (
        ("iotcentral_job_info", dict(app_url="https://%s" % host, api_token=API_TOKEN, job_id="j1"),
         urlsplit("https://%s" % named).netloc if named else None),
        ("iothub_scheduled_job_info", dict(connection_string="HostName=%s;SharedAccessKeyName=o;SharedAccessKey=%s"
                                                             % (host, KEY), job_id="j1"), named),
        ("iothub_scheduled_job_info", dict(hostname=host, auth_method="client_secret", tenant_id="t", client_id="c",
                                           client_secret="s", job_id="j1"), named.rstrip("/")),
    )
    for module, args, expected in cases:
        failed, result, urls = run_main(module, args)
        if not urls:
            assert failed and result["msg"] and "exception" not in result, result
            continue
        assert all(urlsplit(url).netloc == expected for url in urls), (urls, host)
        assert not any(char in expected for char in "@/?# "), (urls, host)
