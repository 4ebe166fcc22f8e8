# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_connection: Clients built from module parameters, secrets registered in module.no_log_values, TLS on by default
(validate_certs=false warns)."""

from __future__ import annotations

import importlib
import pathlib
import types
import urllib.parse

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils import _connection
from ansible_collections.azure_iot.jobs.plugins.module_utils._arm import ArmHub
from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import ApiTokenAuth, EntraAuth, SasAuth
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import (
    CollectionError,
    ValidationError,
    secret_variants,
)

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
CONNECTION_STRING = "HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=" + KEY
API_TOKEN = "SharedAccessSignature sr=app&sig=c2lnbmF0dXJl%2B%3D&skn=t1&se=4102444800000"
SUBSCRIPTION = "6f1c2a4e-0b7d-4c2a-9e5f-1a2b3c4d5e6f"


def forms(*secrets):
    """Every secret in each encoding it is masked in (as given, URL-encoded, double-encoded)."""
    return set(form for secret in secrets for form in secret_variants(secret))


@pytest.fixture
def ca_file(tmp_path):
    """A file that holds a PEM certificate block (ca_path must exist and hold PEM certificates)."""
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    return str(path)


class FakeModule(object):
    """What _connection uses of AnsibleModule, with the defaults of _args applied."""

    def __init__(self, **params):
        self.params = dict(auth_method="auto", validate_certs=True, timeout=30.0, max_retries=5,
                           arm_endpoint="https://management.azure.com", dns_suffix="azureiotcentral.com")
        self.params.update(params)
        self.no_log_values = set()
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def test_iothub_client_from_a_connection_string(scripted_http, ca_file):
    module = FakeModule(connection_string=CONNECTION_STRING, timeout=12.0, max_retries=2, ca_path=ca_file)
    client = _connection.iothub_client(module)
    assert (client.base_url, client.api_version, client.timeout, client.max_retries, client.verify) == (
        "https://myhub.azure-devices.net", "2021-04-12", 12.0, 2, ca_file)
    assert isinstance(client.auth, SasAuth)
    assert client.warn == module.warn
    assert module.no_log_values == forms(KEY)
    # The SAS token minted for the first request is registered too, as are its signature forms.
    client.session = scripted_http
    scripted_http.expect("GET", "https://myhub.azure-devices.net/jobs/v2/j1?api-version=2021-04-12", body={})
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    token = scripted_http.calls[0]["headers"]["Authorization"]
    sig = token.split("&sig=")[1].split("&")[0]
    assert module.no_log_values == forms(KEY, token, sig, urllib.parse.unquote(sig))


def test_iothub_client_api_version_and_hostname_with_entra(identity):
    module = FakeModule(hostname="myhub.azure-devices.net", tenant_id="t", client_id="c", client_secret="sec")
    client = _connection.iothub_client(module, api_version="2024-03-31")
    assert (client.base_url, client.api_version) == ("https://myhub.azure-devices.net", "2024-03-31")
    assert isinstance(client.auth, EntraAuth) and client.auth.method == "client_secret"
    assert module.no_log_values == forms("sec")
    client.auth.headers()
    assert module.no_log_values == forms("sec", "bearer-token-1")


def test_iothub_client_without_a_hub():
    with pytest.raises(ValidationError) as caught:
        _connection.iothub_client(FakeModule())
    assert caught.value.msg == ("one of connection_string, hostname, or subscription_id with resource_group and "
                                "hub_name is required to reach the IoT Hub data plane")


def test_a_bad_connection_string_fails_before_any_request():
    bad = "HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAcessKey=" + KEY
    with pytest.raises(CollectionError) as caught:
        _connection.iothub_client(FakeModule(connection_string=bad))
    assert caught.value.msg == ("connection_string is malformed: it must contain HostName, SharedAccessKeyName and "
                                "SharedAccessKey separated by ';' (part 3 is none of them)")
    assert KEY not in str(caught.value.to_fail_json())


# ------------------------------------------------------------------------------------------------ TLS verification

TLS_CASES = [
    (_connection.iothub_client, dict(connection_string=CONNECTION_STRING), "https://myhub.azure-devices.net"),
    (_connection.iotcentral_client, dict(api_token=API_TOKEN, subdomain="myapp"), "https://myapp.azureiotcentral.com"),
    (_connection.arm_client, dict(subscription_id=SUBSCRIPTION, resource_group="r", hub_name="hub", tenant_id="t",
                                  client_id="c", client_secret="sec"), "https://management.azure.com"),
]


@pytest.mark.parametrize("factory, options, origin", TLS_CASES)
def test_tls_verification_is_on_by_default_and_silent(identity, ca_file, factory, options, origin):
    for extra, verify in ((dict(), True), (dict(ca_path=ca_file), ca_file)):
        module = FakeModule(**dict(options, **extra))
        assert factory(module).verify == verify
        assert module.warnings == []


@pytest.mark.parametrize("factory, options, origin", TLS_CASES)
def test_validate_certs_false_warns_once_naming_the_host(identity, ca_file, factory, options, origin):
    module = FakeModule(validate_certs=False, ca_path=ca_file, **options)
    client = factory(module)
    assert client.verify is False  # ca_path does not turn verification back on
    assert module.warnings == ["TLS certificate verification is disabled (validate_certs=false): the identity of "
                               "%s is not checked" % origin]


@pytest.mark.parametrize("validate_certs, ca_path, verify", [(True, None, True), (True, "CA", "CA"),
                                                             (False, None, False)])
def test_every_request_carries_the_verify_setting(scripted_http, ca_file, validate_certs, ca_path, verify):
    ca_path, verify = (ca_file if value == "CA" else value for value in (ca_path, verify))
    module = FakeModule(connection_string=CONNECTION_STRING, validate_certs=validate_certs, ca_path=ca_path)
    client = _connection.iothub_client(module)
    client.session = scripted_http
    scripted_http.expect("GET", "https://myhub.azure-devices.net/jobs/v2/j1?api-version=2021-04-12", body={})
    client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert scripted_http.calls[0]["verify"] == verify
    assert len(module.warnings) == (0 if validate_certs else 1)


def _module_specs():
    root = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "modules"
    return sorted(path.stem for path in root.glob("*.py") if not path.stem.startswith("_"))


@pytest.mark.parametrize("name", _module_specs())
def test_every_module_verifies_tls_by_default(name):
    module = importlib.import_module("ansible_collections.azure_iot.jobs.plugins.modules." + name)
    option = module.argument_spec()["validate_certs"]
    assert (option["type"], option["default"]) == ("bool", True)
    assert option["fallback"][1] == ["AZURE_IOT_VALIDATE_CERTS"]


@pytest.mark.parametrize("options, expected", [
    (dict(subdomain="myapp"), "https://myapp.azureiotcentral.com/api"),
    (dict(subdomain="myapp", dns_suffix="azureiotcentral.example"), "https://myapp.azureiotcentral.example/api"),
    (dict(app_url="https://myapp.azureiotcentral.com"), "https://myapp.azureiotcentral.com/api"),
    (dict(app_url="https://myapp.azureiotcentral.com/"), "https://myapp.azureiotcentral.com/api"),
    (dict(app_url="https://127.0.0.1:8443/api/"), "https://127.0.0.1:8443/api"),
    (dict(app_url="https://MyApp.azureiotcentral.com", subdomain="myapp"), "https://MyApp.azureiotcentral.com/api"),
])
def test_iotcentral_client_base_url(options, expected):
    module = FakeModule(api_token=API_TOKEN, **options)
    client = _connection.iotcentral_client(module)
    assert (client.base_url, client.api_version) == (expected, "2022-07-31")
    assert isinstance(client.auth, ApiTokenAuth)
    assert module.no_log_values == forms(API_TOKEN, "c2lnbmF0dXJl%2B%3D", "c2lnbmF0dXJl+=")


@pytest.mark.parametrize("options, msg", [
    (dict(), "one of app_url or subdomain is required to reach the IoT Central application"),
    (dict(app_url="http://myapp.azureiotcentral.com"), "app_url must be an https:// URL, got "
                                                       "http://myapp.azureiotcentral.com"),
    (dict(app_url="https://myapp.azureiotcentral.com?x=1"), "app_url must not have a query string or a fragment"),
    (dict(app_url="https://a.azureiotcentral.com", subdomain="b"),
     "app_url (https://a.azureiotcentral.com) and subdomain/dns_suffix (https://b.azureiotcentral.com) name "
     "different applications; set only one"),
])
def test_iotcentral_client_errors(options, msg):
    with pytest.raises(ValidationError) as caught:
        _connection.iotcentral_client(FakeModule(api_token=API_TOKEN, **options))
    assert caught.value.msg == msg


def test_arm_client(identity):
    module = FakeModule(subscription_id=SUBSCRIPTION, resource_group="rg-1", hub_name="hub1",
                        arm_endpoint="https://127.0.0.1:8443/")
    client = _connection.arm_client(module)
    assert (client.base_url, client.api_version) == ("https://127.0.0.1:8443", "2023-06-30")
    assert client.auth.scope == "https://127.0.0.1:8443/.default"
    assert identity[0][0] == "DefaultAzureCredential"


def test_arm_hub_path_is_quoted():
    hub = ArmHub.from_params(dict(subscription_id=SUBSCRIPTION, resource_group="rg(1)", hub_name="hub1"))
    assert hub.path == ("/subscriptions/%s/resourceGroups/rg%%281%%29/providers/Microsoft.Devices/IotHubs/hub1"
                        % SUBSCRIPTION)


def test_arm_hub_names_the_missing_options():
    with pytest.raises(ValidationError) as caught:
        ArmHub.from_params(dict(subscription_id="sub-1"))
    assert caught.value.msg == ("Azure Resource Manager needs subscription_id, resource_group and hub_name (missing: "
                                "resource_group, hub_name)")


class RecordingSession(object):
    """A requests.Session stand-in that answers 200 {} and keeps the URLs it was sent."""

    def __init__(self):
        self.urls = []

    def request(self, method, url, **kwargs):
        self.urls.append(url)
        return types.SimpleNamespace(status_code=200, headers={}, content=b"{}", reason="OK")


@pytest.mark.parametrize("factory, options, version", [
    ("iothub_client", dict(connection_string=CONNECTION_STRING), "2021-04-12"),
    ("iotcentral_client", dict(app_url="https://myapp.azureiotcentral.com", api_token=API_TOKEN), "2022-07-31"),
    ("arm_client", dict(subscription_id=SUBSCRIPTION, resource_group="r", hub_name="hub"), "2023-06-30"),
])
def test_the_api_version_sent_on_the_wire(identity, factory, options, version):
    client = getattr(_connection, factory)(FakeModule(**options))
    client.session = RecordingSession()
    client.get("/jobs/{job_id}", path_params={"job_id": "j1"})
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(client.session.urls[0]).query)
    assert query == {"api-version": [version]}


def test_arm_endpoint_must_be_https(identity):
    module = FakeModule(subscription_id=SUBSCRIPTION, resource_group="r", hub_name="hub", arm_endpoint="http://127.0.0.1:80")
    with pytest.raises(ValidationError) as caught:
        _connection.arm_client(module)
    assert caught.value.msg == "arm_endpoint must be an https:// URL, got http://127.0.0.1:80"
