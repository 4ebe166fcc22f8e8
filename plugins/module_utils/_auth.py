# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Auth methods as small classes, each with headers() (called before every attempt) and secrets().

- SasAuth: IoT Hub shared access policy connection string -> SharedAccessSignature, renewed before it expires.
- ApiTokenAuth: IoT Central API token, sent as it is.
- EntraAuth: Microsoft Entra ID bearer tokens through azure-identity, imported only here, only when used.

The *_auth(params) functions pick the method from module parameters and validate the combinations, so a module fails
before any HTTP call with a message naming the options.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import importlib
import time
from collections import namedtuple
from urllib.parse import quote, quote_plus, unquote, urlsplit

from ansible_collections.azure_iot.jobs.plugins.module_utils._cloud import unknown_cloud_environment
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import (
    AuthError,
    ConnectionStringError,
    ValidationError,
    redact,
    secret_variants,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import check_host

IOTHUB_SCOPE = "https://iothubs.azure.net/.default"
IOTCENTRAL_SCOPE = "https://apps.azureiotcentral.com/.default"
DEFAULT_ARM_ENDPOINT = "https://management.azure.com"

# Tokens are renewed when less than this many seconds remain (azure-identity uses the same margin).
REFRESH_MARGIN = 300
SAS_TTL = 3600

ENTRA_METHODS = ("client_secret", "managed_identity", "azure_cli", "default")
# Public Azure clouds: MSAL knows them, so instance discovery is safe to leave on.
PUBLIC_AUTHORITY_HOSTS = frozenset((
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.microsoftonline.de",
    "login.windows.net",
))

ConnectionString = namedtuple("ConnectionString", ["host_name", "policy_name", "key"])

_CS_PARTS = ("HostName", "SharedAccessKeyName", "SharedAccessKey")
_CS_DEVICE_PARTS = ("deviceid", "moduleid", "gatewayhostname", "sharedaccesssignature")
_CS_RULE = ("connection_string is malformed: it must contain HostName, SharedAccessKeyName and SharedAccessKey "
            "separated by ';'")


# ---------------------------------------------------------------------------------------------------- SAS

def parse_connection_string(value):
    """Split an IoT Hub shared access policy connection string; errors never include the value."""
    if not isinstance(value, str) or not value.strip():
        raise ConnectionStringError("connection_string is empty")
    found = {}
    canonical = {name.lower(): name for name in _CS_PARTS}
    for index, part in enumerate(p.strip() for p in value.split(";")):
        if not part:
            continue
        name, sep, part_value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConnectionStringError("%s (part %d is not of the form Name=Value)" % (_CS_RULE, index + 1))
        if name.lower() in _CS_DEVICE_PARTS:
            raise ConnectionStringError("connection_string has %s: it is a device or module connection string; use "
                                        "the connection string of a shared access policy of the hub, such as "
                                        "iothubowner" % name)
        if name.lower() not in canonical:
            # Not even the name is shown: in a garbled string it may be key material.
            raise ConnectionStringError("%s (part %d is none of them)" % (_CS_RULE, index + 1))
        key = canonical[name.lower()]
        if key in found:
            raise ConnectionStringError("%s (%s appears twice)" % (_CS_RULE, key))
        found[key] = part_value.strip()
    missing = [name for name in _CS_PARTS if not found.get(name)]
    if missing:
        raise ConnectionStringError("%s (missing %s)" % (_CS_RULE, ", ".join(missing)))
    _check_host_name(found["HostName"])
    _check_key(found["SharedAccessKey"])
    return ConnectionString(found["HostName"], found["SharedAccessKeyName"], found["SharedAccessKey"])


def _check_host_name(host):
    try:
        check_host(host, "HostName")
    except ValidationError:
        # The value is not shown: in a garbled connection string it may hold key material.
        raise ConnectionStringError("connection_string is malformed: HostName must be a host name such as "
                                    "myhub.azure-devices.net (an optional port aside), without a scheme, a path, "
                                    "user information or a query") from None


def _check_key(key):
    try:
        decoded = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if not decoded:
        raise ConnectionStringError("connection_string is malformed: SharedAccessKey is not valid base64")


def sas_token(resource, key, policy_name, expiry):
    """A SharedAccessSignature exactly as the azure-iot-hub SDK (sastoken.py) builds it.

    sr is the URL-encoded resource, the string to sign is sr + "\\n" + expiry (epoch seconds), the HMAC-SHA256 key is
    the base64-decoded policy key, sig is the URL-encoded base64 digest; skn is left out for device-scoped tokens.
    """
    sr = quote_plus(resource)
    message = ("%s\n%d" % (sr, int(expiry))).encode("utf-8")
    digest = hmac.new(base64.b64decode(key), message, hashlib.sha256).digest()
    sig = quote(base64.b64encode(digest).decode("ascii"))
    token = "SharedAccessSignature sr=%s&sig=%s&se=%d" % (sr, sig, int(expiry))
    if policy_name:
        token += "&skn=%s" % policy_name
    return token


def _token_field(token, wanted):
    """The value of one field (sig, se, ...) of a SharedAccessSignature token, as written, or None."""
    for field in token.split(" ", 1)[-1].split("&"):
        name, _sep, value = field.partition("=")
        if name == wanted and value:
            return value
    return None


def _sig_of(token):
    """The signature inside a SharedAccessSignature token, URL-encoded and decoded (both may show up in logs)."""
    value = _token_field(token, "sig")
    if value is None:
        return []
    decoded = unquote(value)
    return [value, decoded] if decoded != value else [value]


def _check_not_expired(option, token, now):
    """Fail before any call when the token's se (expiry) has passed: the service would only answer 401.

    IoT Central writes se in epoch milliseconds (contract.md section 0); a value below 10**11 is read as seconds.
    A token without a numeric se is left to the service.
    """
    se = _token_field(token, "se")
    if se is None or not se.isdigit():
        return
    expiry = int(se) / 1000.0 if int(se) > 10 ** 11 else float(se)
    if expiry <= now:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiry))
        raise ValidationError("%s expired at %s (its se field): create a new token and use its value" % (option, when))


class _SecretsMixin(object):
    """Hands every newly minted secret to secret_sink (module.no_log_values) so it is never returned or logged."""

    secret_sink = None

    def _publish(self, values):
        if self.secret_sink is not None:
            for value in values:
                if value:
                    self.secret_sink.update(secret_variants(value))


class SasAuth(_SecretsMixin):
    """IoT Hub data plane with a shared access policy: a SAS token for the hub, renewed before it expires."""

    def __init__(self, connection_string, ttl=SAS_TTL, clock=time.time, secret_sink=None):
        if isinstance(connection_string, ConnectionString):
            self.connection = connection_string
        else:
            self.connection = parse_connection_string(connection_string)
        self.ttl = ttl
        self.clock = clock
        self.secret_sink = secret_sink
        self._token = None
        self._expiry = 0
        self._publish([self.connection.key])

    @property
    def host_name(self):
        return self.connection.host_name

    def token(self):
        now = self.clock()
        if self._token is None or self._expiry - now < REFRESH_MARGIN:
            self._expiry = int(now + self.ttl)
            self._token = sas_token(self.connection.host_name, self.connection.key, self.connection.policy_name,
                                    self._expiry)
            self._publish([self._token] + _sig_of(self._token))
        return self._token

    def headers(self):
        return {"Authorization": self.token()}

    def secrets(self):
        values = [self.connection.key]
        if self._token:
            values += [self._token] + _sig_of(self._token)
        return values


class ApiTokenAuth(_SecretsMixin):
    """IoT Central API token: opaque to the client, sent as the Authorization header as it is."""

    def __init__(self, token, secret_sink=None, clock=time.time):
        token = (token or "").strip()
        if not token.startswith("SharedAccessSignature "):
            raise ValidationError("api_token must be an IoT Central API token, a string that starts with "
                                  "'SharedAccessSignature sr=' (the token value returned when the token was "
                                  "created, not its id)")
        _check_not_expired("api_token", token, clock())
        self.token = token
        self.secret_sink = secret_sink
        self._publish(self.secrets())

    def headers(self):
        return {"Authorization": self.token}

    def secrets(self):
        return [self.token] + _sig_of(self.token)


# ---------------------------------------------------------------------------------------------------- Entra ID

def _authority_host_name(authority_host):
    text = authority_host if "://" in authority_host else "https://" + authority_host
    return (urlsplit(text).hostname or "").lower()


class EntraAuth(_SecretsMixin):
    """Microsoft Entra ID bearer tokens from azure-identity, renewed when less than 5 minutes remain."""

    def __init__(self, method, scope, tenant_id=None, client_id=None, client_secret=None, authority_host=None,
                 ca_path=None, validate_certs=True, clock=time.time, secret_sink=None):
        self.method = method
        self.scope = scope
        self.client_secret = client_secret
        self.clock = clock
        self.secret_sink = secret_sink
        self._token = None
        self._expires_on = 0
        self._publish([client_secret])
        identity, self._azure_error = self._import_identity(method)
        kwargs = self._transport_kwargs(authority_host, ca_path, validate_certs)
        try:
            self.credential = self._build_credential(identity, tenant_id, client_id, client_secret, kwargs)
        except ValueError as exc:
            raise AuthError("auth_method=%s: cannot set up the Entra ID credential: %s"
                            % (method, redact(exc, [client_secret]))) from None

    @staticmethod
    def _import_identity(method):
        try:
            # import_module, not "import azure.identity": it honours a module put into sys.modules by tests.
            identity = importlib.import_module("azure.identity")
            exceptions = importlib.import_module("azure.core.exceptions")
        except ImportError:
            raise AuthError("auth_method=%s needs the Python library azure-identity on the host that runs the module: "
                            "pip install azure-identity" % method) from None
        return identity, exceptions.AzureError

    def _transport_kwargs(self, authority_host, ca_path, validate_certs):
        """Keyword arguments for azure-identity's HTTP pipeline (azure-core ConnectionConfiguration) and MSAL."""
        kwargs = {}
        if validate_certs is False:
            kwargs["connection_verify"] = False
        elif ca_path:
            kwargs["connection_verify"] = ca_path
        if authority_host:
            kwargs["authority"] = authority_host
            # MSAL would otherwise ask login.microsoftonline.com about an authority it does not know.
            if _authority_host_name(authority_host) not in PUBLIC_AUTHORITY_HOSTS:
                kwargs["disable_instance_discovery"] = True
        return kwargs

    def _build_credential(self, identity, tenant_id, client_id, client_secret, kwargs):
        if self.method == "client_secret":
            return identity.ClientSecretCredential(tenant_id, client_id, client_secret, **kwargs)
        if self.method == "managed_identity":
            # A managed identity talks to the local identity endpoint, never to an authority.
            kwargs = {k: v for k, v in kwargs.items() if k == "connection_verify"}
            if client_id:
                kwargs["client_id"] = client_id
            return identity.ManagedIdentityCredential(**kwargs)
        if self.method == "azure_cli":
            # The CLI gets the token itself; its credential takes no transport settings.
            return identity.AzureCliCredential(tenant_id=tenant_id) if tenant_id else identity.AzureCliCredential()
        if client_id:
            kwargs["managed_identity_client_id"] = client_id
        return identity.DefaultAzureCredential(**kwargs)

    def token(self):
        now = self.clock()
        if self._token is None or self._expires_on - now < REFRESH_MARGIN:
            try:
                access = self.credential.get_token(self.scope)
            except self._azure_error as exc:
                raise AuthError(self._token_error(exc)) from None
            self._token, self._expires_on = access.token, access.expires_on
            self._publish([self._token])
        return self._token

    def _token_error(self, exc):
        text = redact(exc, [self.client_secret])
        msg = "auth_method=%s could not get an Entra ID token for %s: %s" % (self.method, self.scope, text)
        if "CERTIFICATE_VERIFY_FAILED" in text:
            msg += "; set ca_path or validate_certs"
        return msg

    def headers(self):
        return {"Authorization": "Bearer %s" % self.token()}

    def secrets(self):
        return [value for value in (self._token, self.client_secret) if value]


# ---------------------------------------------------------------------------------------------------- choice

def _missing(params, names):
    return [name for name in names if not params.get(name)]


def _entra(params, method, scope):
    if not params.get("authority_host"):
        # AZURE_CLOUD_ENVIRONMENT (AWX's Azure credential) named a cloud that _cloud does not know: fail rather than
        # quietly use the public cloud.
        unknown = unknown_cloud_environment()
        if unknown:
            raise ValidationError(unknown)
    if method == "client_secret":
        missing = _missing(params, ("tenant_id", "client_id", "client_secret"))
        if missing:
            raise ValidationError("auth_method=client_secret requires tenant_id, client_id and client_secret "
                                  "(missing: %s)" % ", ".join(missing))
    return EntraAuth(
        method, scope,
        tenant_id=params.get("tenant_id"),
        client_id=params.get("client_id"),
        client_secret=params.get("client_secret"),
        authority_host=params.get("authority_host"),
        ca_path=params.get("ca_path"),
        validate_certs=params.get("validate_certs", True),
    )


def auto_entra_method(params):
    """auto without a service credential: client_secret when all three are set, else the default chain."""
    if not _missing(params, ("tenant_id", "client_id", "client_secret")):
        return "client_secret"
    return "default"


def _method(params):
    return params.get("auth_method") or "auto"


def iothub_method(params):
    """The data plane's auth method: auto is sas with a connection string, else an Entra ID method."""
    method = _method(params)
    if method == "auto":
        method = "sas" if params.get("connection_string") else auto_entra_method(params)
    return method


def iothub_auth(params):
    """The auth of the IoT Hub data plane: SAS from connection_string, or Entra ID."""
    method = iothub_method(params)
    if method == "sas":
        if not params.get("connection_string"):
            raise ValidationError("auth_method=sas requires connection_string (the connection string of a shared "
                                  "access policy of the hub)")
        return SasAuth(params["connection_string"])
    if method == "api_token":
        raise ValidationError("auth_method=api_token is for IoT Central; the IoT Hub data plane takes sas "
                              "(connection_string) or an Entra ID method (%s)" % ", ".join(ENTRA_METHODS))
    return _entra(params, method, IOTHUB_SCOPE)


def iothub_host(params):
    """The hub's host name: from the connection string's HostName or from hostname (both set must agree)."""
    hostname = _normalise_hostname(params.get("hostname"))
    from_cs = None
    if params.get("connection_string"):
        from_cs = parse_connection_string(params["connection_string"]).host_name
    if from_cs and hostname and from_cs.lower() != hostname.lower():
        raise ValidationError("connection_string (HostName=%s) and hostname (%s) name different hubs; set only one"
                              % (from_cs, hostname))
    host = from_cs or hostname
    if not host:
        raise ValidationError("one of connection_string or hostname is required to reach the IoT Hub data plane")
    return host


def _normalise_hostname(value):
    if not value:
        return None
    value = value.strip()
    if value.lower().startswith("https://"):
        value = value[len("https://"):]
    value = value.rstrip("/")
    if not value or "://" in value or "/" in value:
        raise ValidationError("hostname must be the hub's host name, such as myhub.azure-devices.net (https is "
                              "implied)")
    return check_host(value, "hostname")


def iotcentral_auth(params):
    """The auth of an IoT Central application: its API token, or Entra ID."""
    method = _method(params)
    if method == "auto":
        method = "api_token" if params.get("api_token") else auto_entra_method(params)
    if method == "api_token":
        if not params.get("api_token"):
            raise ValidationError("auth_method=api_token requires api_token")
        return ApiTokenAuth(params["api_token"])
    if method == "sas":
        raise ValidationError("auth_method=sas is for the IoT Hub data plane (connection_string); IoT Central takes "
                              "api_token or an Entra ID method (%s)" % ", ".join(ENTRA_METHODS))
    return _entra(params, method, IOTCENTRAL_SCOPE)


def arm_scope(arm_endpoint):
    return "%s/.default" % (arm_endpoint or DEFAULT_ARM_ENDPOINT).rstrip("/")


def arm_auth(params, method=None):
    """The auth of Azure Resource Manager: Entra ID only (method: the Entra ID method to use instead of auth_method,
    when auth_method names the data plane's sas and ARM only reads the policy key)."""
    method = method or _method(params)
    if method == "auto":
        method = auto_entra_method(params)
    if method in ("sas", "api_token"):
        raise ValidationError("auth_method=%s cannot be used with Azure Resource Manager (subscription_id, "
                              "resource_group, hub_name); use an Entra ID method (%s)"
                              % (method, ", ".join(ENTRA_METHODS)))
    return _entra(params, method, arm_scope(params.get("arm_endpoint")))
