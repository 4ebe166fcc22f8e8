# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_auth.EntraAuth with a fake azure.identity (constructor arguments, token cache, errors), plus the real library."""

from __future__ import annotations

import http.server
import json
import ssl
import sys
import threading
import time
import types
import urllib.parse
from collections import namedtuple

import pytest
from azure.core.exceptions import ClientAuthenticationError

from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import IOTHUB_SCOPE, EntraAuth
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import AuthError

AccessToken = namedtuple("AccessToken", ["token", "expires_on"])
SECRET = "s3cr3t-Value~1"


class FakeIdentity(object):
    """A stand-in for the azure.identity module: each credential class records its arguments and token calls."""

    def __init__(self, now=1700000000):
        self.created = []
        self.scopes = []
        self.now = now
        self.fail_with = None
        self.tokens = iter("token-%d" % n for n in range(1, 100))
        self.module = types.ModuleType("azure.identity")
        for name in ("ClientSecretCredential", "ManagedIdentityCredential", "AzureCliCredential",
                     "DefaultAzureCredential"):
            setattr(self.module, name, self._credential_class(name))

    def _credential_class(self, name):
        fake = self

        class Credential(object):
            def __init__(self, *args, **kwargs):
                fake.created.append((name, args, kwargs))

            def get_token(self, *scopes):
                fake.scopes.append(scopes)
                if fake.fail_with is not None:
                    raise fake.fail_with
                return AccessToken(next(fake.tokens), fake.now + 3600)

        return Credential


@pytest.fixture
def identity(monkeypatch):
    fake = FakeIdentity()
    monkeypatch.setitem(sys.modules, "azure.identity", fake.module)
    return fake


def entra(method, **kwargs):
    return EntraAuth(method, IOTHUB_SCOPE, **kwargs)


@pytest.mark.parametrize("authority_host, expected", [
    (None, {}),
    ("login.microsoftonline.us", {"authority": "login.microsoftonline.us"}),
    ("https://login.chinacloudapi.cn/", {"authority": "https://login.chinacloudapi.cn/"}),
    ("https://127.0.0.1:8443", {"authority": "https://127.0.0.1:8443", "disable_instance_discovery": True}),
    ("adfs.contoso.local", {"authority": "adfs.contoso.local", "disable_instance_discovery": True}),
])
def test_client_secret_credential_arguments(identity, authority_host, expected):
    entra("client_secret", tenant_id="t1", client_id="c1", client_secret=SECRET, authority_host=authority_host)
    assert identity.created == [("ClientSecretCredential", ("t1", "c1", SECRET), expected)]


@pytest.mark.parametrize("ca_path, validate_certs, expected", [
    ("/etc/ca.pem", True, {"connection_verify": "/etc/ca.pem"}),
    ("/etc/ca.pem", False, {"connection_verify": False}),
    (None, True, {}),
])
def test_tls_settings_reach_the_credential_pipeline(identity, ca_path, validate_certs, expected):
    entra("client_secret", tenant_id="t1", client_id="c1", client_secret=SECRET, ca_path=ca_path,
          validate_certs=validate_certs)
    assert identity.created[0][2] == expected


def test_managed_identity_arguments(identity):
    entra("managed_identity", client_id="user-assigned", authority_host="https://127.0.0.1:8443",
          ca_path="/etc/ca.pem")
    entra("managed_identity")
    assert identity.created == [
        ("ManagedIdentityCredential", (), {"client_id": "user-assigned", "connection_verify": "/etc/ca.pem"}),
        ("ManagedIdentityCredential", (), {}),
    ]


def test_azure_cli_arguments(identity):
    entra("azure_cli", tenant_id="t1", ca_path="/etc/ca.pem", authority_host="https://127.0.0.1:8443")
    entra("azure_cli")
    assert identity.created == [("AzureCliCredential", (), {"tenant_id": "t1"}), ("AzureCliCredential", (), {})]


def test_default_chain_arguments(identity):
    entra("default", tenant_id="t1", client_id="c1", authority_host="https://127.0.0.1:8443", ca_path="/ca.pem")
    assert identity.created == [("DefaultAzureCredential", (), {
        "authority": "https://127.0.0.1:8443", "disable_instance_discovery": True, "connection_verify": "/ca.pem",
        "managed_identity_client_id": "c1"})]


def test_bearer_header_is_cached_and_renewed(identity):
    clock = [identity.now]
    auth = entra("client_secret", tenant_id="t", client_id="c", client_secret=SECRET, clock=lambda: clock[0])
    assert auth.headers() == {"Authorization": "Bearer token-1"}
    clock[0] += 3600 - 300
    assert auth.headers() == {"Authorization": "Bearer token-1"}
    clock[0] += 1
    assert auth.headers() == {"Authorization": "Bearer token-2"}
    assert identity.scopes == [(IOTHUB_SCOPE,), (IOTHUB_SCOPE,)]


def test_secrets_and_sink(identity):
    sink = set()
    auth = entra("client_secret", tenant_id="t", client_id="c", client_secret=SECRET, secret_sink=sink,
                 clock=lambda: identity.now)
    assert auth.secrets() == [SECRET] and sink == {SECRET}
    auth.headers()
    assert auth.secrets() == ["token-1", SECRET]
    assert sink == {SECRET, "token-1"}


def test_token_errors_are_one_line_without_the_secret(identity):
    identity.fail_with = ClientAuthenticationError(
        "Authentication failed: AADSTS7000215: Invalid client secret provided (%s).\n"
        "Trace ID: 0000\nCorrelation ID: 1111" % SECRET)
    auth = entra("client_secret", tenant_id="t", client_id="c", client_secret=SECRET)
    with pytest.raises(AuthError) as caught:
        auth.headers()
    assert caught.value.msg == (
        "auth_method=client_secret could not get an Entra ID token for https://iothubs.azure.net/.default: "
        "Authentication failed: AADSTS7000215: Invalid client secret provided (********). Trace ID: 0000 "
        "Correlation ID: 1111")


def test_construction_errors_become_auth_errors(identity, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("Invalid tenant id provided.")

    monkeypatch.setattr(identity.module, "ClientSecretCredential", refuse)
    with pytest.raises(AuthError) as caught:
        entra("client_secret", tenant_id="bad tenant", client_id="c", client_secret=SECRET)
    assert caught.value.msg == ("auth_method=client_secret: cannot set up the Entra ID credential: Invalid tenant id "
                                "provided.")


def test_missing_azure_identity_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "azure.identity", None)
    with pytest.raises(AuthError) as caught:
        entra("managed_identity")
    assert caught.value.msg == ("auth_method=managed_identity needs the Python library azure-identity on the host "
                                "that runs the module: pip install azure-identity")


# ------------------------------------------------------------------------------------------ the real library


@pytest.mark.parametrize("method", ["client_secret", "managed_identity", "azure_cli", "default"])
def test_the_installed_azure_identity_accepts_these_arguments(method):
    pytest.importorskip("azure.identity")
    auth = entra(method, tenant_id="00000000-0000-0000-0000-000000000000", client_id="11111111-1111-1111-1111-"
                 "111111111111", client_secret=SECRET, authority_host="https://127.0.0.1:8443", ca_path="/ca.pem")
    assert type(auth.credential).__module__.startswith("azure.identity")


class _EntraHandler(http.server.BaseHTTPRequestHandler):
    """The two endpoints MSAL calls for a client secret: OpenID configuration, then the token endpoint."""

    def _send(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.server.seen.append(("GET", self.path))
        base = "https://127.0.0.1:%d/%s" % (self.server.server_address[1], self.path.split("/")[1])
        self._send({"token_endpoint": base + "/oauth2/v2.0/token", "issuer": base + "/v2.0",
                    "authorization_endpoint": base + "/oauth2/v2.0/authorize"})

    def do_POST(self):  # noqa: N802
        form = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.seen.append(("POST", self.path, dict(urllib.parse.parse_qsl(form))))
        self._send({"token_type": "Bearer", "expires_in": 3600, "access_token": "emulated-token"})

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def entra_server(tmp_path_factory):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    ca_file = str(tmp_path_factory.mktemp("entra") / "ca.pem")
    ca.cert_pem.write_to_path(ca_file)
    server = http.server.HTTPServer(("127.0.0.1", 0), _EntraHandler)
    server.seen = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, "https://127.0.0.1:%d" % server.server_address[1], ca_file
    server.shutdown()
    server.server_close()


TENANT = "00000000-0000-0000-0000-000000000001"


def test_real_azure_identity_gets_a_token_from_a_private_authority_offline(entra_server):
    """No call to login.microsoftonline.com (instance discovery off) and the private CA is trusted (ca_path)."""
    pytest.importorskip("azure.identity")
    server, url, ca_file = entra_server
    server.seen.clear()
    auth = entra("client_secret", tenant_id=TENANT, client_id="app-1", client_secret=SECRET, authority_host=url,
                 ca_path=ca_file)
    assert auth.headers() == {"Authorization": "Bearer emulated-token"}
    assert server.seen[0] == ("GET", "/%s/v2.0/.well-known/openid-configuration" % TENANT)
    method, path, form = server.seen[1]
    assert (method, path) == ("POST", "/%s/oauth2/v2.0/token" % TENANT)
    assert (form["client_id"], form["client_secret"], form["scope"]) == ("app-1", SECRET, IOTHUB_SCOPE)


def test_real_azure_identity_with_an_untrusted_authority_is_a_one_line_auth_error(entra_server, monkeypatch):
    pytest.importorskip("azure.identity")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # azure-core retries the token request itself
    _server, url, _ca_file = entra_server
    auth = entra("client_secret", tenant_id=TENANT, client_id="app-1", client_secret=SECRET, authority_host=url)
    with pytest.raises(AuthError) as caught:
        auth.headers()
    msg = caught.value.msg
    assert msg.startswith("auth_method=client_secret could not get an Entra ID token for "
                          "https://iothubs.azure.net/.default: ")
    assert msg.endswith("; set ca_path or validate_certs")
    assert "CERTIFICATE_VERIFY_FAILED" in msg and "\n" not in msg and SECRET not in msg
