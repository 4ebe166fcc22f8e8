# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_auth: connection strings, SAS tokens (checked against the azure-iot-hub SDK), SasAuth, ApiTokenAuth."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import os
import sys
import types
import urllib.parse

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import (
    ApiTokenAuth,
    ConnectionString,
    SasAuth,
    parse_connection_string,
    sas_token,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import AuthError, ValidationError, secret_variants

KEY = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()  # MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
HOST = "myhub.azure-devices.net"
CONNECTION_STRING = "HostName=%s;SharedAccessKeyName=iothubowner;SharedAccessKey=%s" % (HOST, KEY)
EXPECTED_TOKEN = ("SharedAccessSignature sr=myhub.azure-devices.net&sig=sJAIZTF5oG40VHrie96heZ865%2BnR4QavBvHnzxZm8rk"
                  "%3D&se=1700000000&skn=iothubowner")
HOST_RULE = ("connection_string is malformed: HostName must be a host name such as myhub.azure-devices.net (an "
             "optional port aside), without a scheme, a path, user information or a query")
RULE = ("connection_string is malformed: it must contain HostName, SharedAccessKeyName and SharedAccessKey separated "
        "by ';'")


def independent_token(resource, key, policy, expiry):
    """The algorithm of contract.md section 0, written out by hand."""
    sr = resource.replace(":", "%3A")
    digest = hmac.new(base64.b64decode(key), ("%s\n%d" % (sr, expiry)).encode(), hashlib.sha256).digest()
    sig = base64.b64encode(digest).decode().replace("+", "%2B").replace("=", "%3D")  # "/" stays, as quote() does
    token = "SharedAccessSignature sr=%s&sig=%s&se=%d" % (sr, sig, expiry)
    return token + ("&skn=%s" % policy if policy else "")


def test_sas_token_known_vector():
    assert sas_token(HOST, KEY, "iothubowner", 1700000000) == EXPECTED_TOKEN
    assert independent_token(HOST, KEY, "iothubowner", 1700000000) == EXPECTED_TOKEN


@pytest.mark.parametrize("resource, policy", [
    (HOST, "iothubowner"),
    ("localhost:8443", "service"),
    (HOST, None),
])
def test_sas_token_matches_the_independent_computation(resource, policy):
    for expiry in (1700000000, 1700000001, 2000000000):
        assert sas_token(resource, KEY, policy, expiry) == independent_token(resource, KEY, policy, expiry)


def _load_sdk_sastoken(monkeypatch):
    """azure/iot/hub/sastoken.py of the installed azure-iot-hub, loaded by file.

    The package's __init__ imports its whole client stack, and azure-iot-hub 2.7.0 imports `six` without declaring
    it; when six is absent, a stand-in maps six.moves.urllib to urllib so the SDK's own signing code still runs.
    """
    spec = importlib.util.find_spec("azure.iot")
    assert spec is not None, "azure-iot-hub is not installed in this environment"
    path = next(os.path.join(p, "hub", "sastoken.py") for p in spec.submodule_search_locations
                if os.path.exists(os.path.join(p, "hub", "sastoken.py")))
    if importlib.util.find_spec("six") is None:
        six = types.ModuleType("six")
        six.moves = types.ModuleType("six.moves")
        six.moves.urllib = urllib
        monkeypatch.setitem(sys.modules, "six", six)
        monkeypatch.setitem(sys.modules, "six.moves", six.moves)
        monkeypatch.setitem(sys.modules, "six.moves.urllib", urllib)
    module_spec = importlib.util.spec_from_file_location("_sdk_sastoken_under_test", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("resource, policy", [(HOST, "iothubowner"), ("localhost:8443", "service"), (HOST, None)])
def test_sas_token_equals_the_official_sdk(monkeypatch, resource, policy):
    sdk = _load_sdk_sastoken(monkeypatch)
    monkeypatch.setattr(sdk.time, "time", lambda: 1700000000 - 3600)
    sdk_token = str(sdk.SasToken(resource, KEY, policy, ttl=3600))
    assert sas_token(resource, KEY, policy, 1700000000) == sdk_token
    if resource == HOST and policy:
        assert sdk_token == EXPECTED_TOKEN


# ------------------------------------------------------------------------------------------ connection strings


@pytest.mark.parametrize("value", [
    CONNECTION_STRING,
    "hostname=%s;sharedaccesskeyname=iothubowner;SHAREDACCESSKEY=%s" % (HOST, KEY),
    " HostName = %s ; SharedAccessKeyName=iothubowner;SharedAccessKey=%s;" % (HOST, KEY),
    "SharedAccessKey=%s;SharedAccessKeyName=iothubowner;HostName=%s" % (KEY, HOST),
])
def test_parse_connection_string(value):
    assert parse_connection_string(value) == ConnectionString(HOST, "iothubowner", KEY)


@pytest.mark.parametrize("value, msg", [
    ("HostName=h;SharedAccessKeyName=p", RULE + " (missing SharedAccessKey)"),
    ("SharedAccessKey=%s" % KEY, RULE + " (missing HostName, SharedAccessKeyName)"),
    ("HostName=h;SharedAccessKeyName=p;SharedAccessKey=", RULE + " (missing SharedAccessKey)"),
    ("HostName=h;%s;SharedAccessKeyName=p" % KEY, RULE + " (part 2 is none of them)"),  # a pasted key
    ("HostName=h;garbage;SharedAccessKey=%s" % KEY, RULE + " (part 2 is not of the form Name=Value)"),
    ("HostName=h;HostName=h;SharedAccessKeyName=p;SharedAccessKey=%s" % KEY, RULE + " (HostName appears twice)"),
    ("HostName=h;SharedAccessKeyName=p;SharedAccessKey=%s" % ("not base64!" + KEY),
     "connection_string is malformed: SharedAccessKey is not valid base64"),
    ("HostName=https://h/;SharedAccessKeyName=p;SharedAccessKey=%s" % KEY, HOST_RULE),
    # User information would send the signature to another host than the one the messages name.
    ("HostName=myhub.azure-devices.net@evil.example;SharedAccessKeyName=p;SharedAccessKey=%s" % KEY, HOST_RULE),
    ("HostName=myhub.azure-devices.net?x=1;SharedAccessKeyName=p;SharedAccessKey=%s" % KEY, HOST_RULE),
    ("HostName=myhub.azure-devices.net:99999;SharedAccessKeyName=p;SharedAccessKey=%s" % KEY, HOST_RULE),
    ("HostName=h;DeviceId=d1;SharedAccessKey=%s" % KEY,
     "connection_string has DeviceId: it is a device or module connection string; use the connection string of a "
     "shared access policy of the hub, such as iothubowner"),
    ("", "connection_string is empty"),
])
def test_connection_string_errors_name_the_option_and_hide_the_key(value, msg):
    with pytest.raises(ValidationError) as caught:
        parse_connection_string(value)
    assert caught.value.msg == msg
    assert isinstance(caught.value, AuthError)  # a bad connection string is also an auth failure (developer guide)
    assert KEY not in caught.value.msg and KEY.rstrip("=") not in caught.value.msg


# ------------------------------------------------------------------------------------------ SasAuth


class Clock(object):
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_sas_auth_caches_and_renews_five_minutes_before_expiry():
    clock = Clock(1700000000 - 3600)
    auth = SasAuth(CONNECTION_STRING, clock=clock)
    first = auth.headers()
    assert first == {"Authorization": EXPECTED_TOKEN}
    clock.now += 3600 - 300  # exactly 300 s left: still good
    assert auth.headers() == first
    clock.now += 1  # 299 s left: renewed
    renewed = auth.headers()["Authorization"]
    assert renewed == sas_token(HOST, KEY, "iothubowner", 1700000000 - 299 + 3600)
    assert auth.host_name == HOST


def test_sas_auth_ttl():
    auth = SasAuth(CONNECTION_STRING, ttl=600, clock=Clock(1000))
    assert auth.token().endswith("&se=1600&skn=iothubowner")


def test_sas_auth_secrets_and_sink():
    sink = set()
    auth = SasAuth(CONNECTION_STRING, clock=Clock(1700000000 - 3600), secret_sink=sink)
    assert auth.secrets() == [KEY]
    assert sink == set(secret_variants(KEY))
    auth.headers()
    sig = "sJAIZTF5oG40VHrie96heZ865%2BnR4QavBvHnzxZm8rk%3D"
    assert auth.secrets() == [KEY, EXPECTED_TOKEN, sig, urllib.parse.unquote(sig)]
    assert sink == set(form for value in (KEY, EXPECTED_TOKEN, sig, urllib.parse.unquote(sig))
                       for form in secret_variants(value))
    # A signature echoed URL-encoded once more (a SAS inside a URL) is masked too.
    assert urllib.parse.quote(sig, safe="") in sink


def test_sas_auth_takes_a_parsed_connection_string():
    auth = SasAuth(ConnectionString(HOST, "iothubowner", KEY), clock=Clock(1700000000 - 3600))
    assert auth.token() == EXPECTED_TOKEN


# ------------------------------------------------------------------------------------------ ApiTokenAuth

CENTRAL_TOKEN = "SharedAccessSignature sr=8a1c6f5e-app&sig=Zm9vYmFy%2Bx%3D&skn=operator-token&se=4102444800000"


def test_api_token_is_sent_as_it_is():
    auth = ApiTokenAuth(CENTRAL_TOKEN + "\n")
    assert auth.headers() == {"Authorization": CENTRAL_TOKEN}
    assert auth.secrets() == [CENTRAL_TOKEN, "Zm9vYmFy%2Bx%3D", "Zm9vYmFy+x="]


@pytest.mark.parametrize("value", ["operator-token", "Bearer abc", "", None])
def test_api_token_must_be_a_token_value(value):
    with pytest.raises(ValidationError) as caught:
        ApiTokenAuth(value)
    assert caught.value.msg.startswith("api_token must be an IoT Central API token, a string that starts with "
                                       "'SharedAccessSignature sr='")


@pytest.mark.parametrize("se, now", [
    ("1647950487889", 1700000000),  # milliseconds, as IoT Central writes them (contract.md section 0)
    ("1647950487", 1700000000),  # seconds
    ("1700000000000", 1700000000),  # expires this very second
])
def test_an_expired_api_token_fails_before_any_call(se, now):
    token = "SharedAccessSignature sr=app&sig=Zm9v&skn=operator&se=%s" % se
    with pytest.raises(ValidationError) as caught:
        ApiTokenAuth(token, clock=lambda: now)
    assert caught.value.msg.startswith("api_token expired at 20")
    assert caught.value.msg.endswith(" (its se field): create a new token and use its value")
    assert "Zm9v" not in caught.value.msg


@pytest.mark.parametrize("se", ["", "soon", None])
def test_a_token_without_a_numeric_expiry_is_left_to_the_service(se):
    token = "SharedAccessSignature sr=app&sig=Zm9v&skn=operator" + ("" if se is None else "&se=" + se)
    assert ApiTokenAuth(token, clock=lambda: 1700000000).headers() == {"Authorization": token}
