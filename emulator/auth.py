"""Credential checks: IoT Hub SAS tokens, IoT Central API tokens and Entra ID bearer tokens, verified for real."""
import base64
import hashlib
import hmac
import time
from urllib.parse import quote, unquote

from . import jwt
from .errors import hub_error

HUB_AUDIENCE = "https://iothubs.azure.net"


class AuthError(ValueError):
    """A credential that is not acceptable; the message is the service's reason text."""


def parse_shared_access_signature(header):
    """`SharedAccessSignature a=1&b=2` -> {"a": "1", "b": "2"} with the values exactly as sent (still encoded)."""
    scheme, _space, fields = header.partition(" ")
    if scheme != "SharedAccessSignature" or not fields.strip():
        raise AuthError("Unauthorized")
    parsed = {}
    for field in fields.strip().split("&"):
        name, sep, value = field.partition("=")
        if not sep or name in parsed:
            raise AuthError("Unauthorized: malformed SharedAccessSignature")
        parsed[name] = value
    return parsed


def _sign(key, text):
    return base64.b64encode(hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()).decode()


def verify_hub_sas(header, keys, hosts, now=None):
    """Check a service SAS token the way IoT Hub does; `keys(policy)` returns the decoded key or None."""
    fields = parse_shared_access_signature(header)
    missing = [name for name in ("sr", "sig", "se", "skn") if name not in fields]
    if missing:
        raise AuthError("Unauthorized: SharedAccessSignature is missing %s" % ", ".join(missing))
    if unquote(fields["sr"]).lower() not in hosts:
        raise AuthError("Unauthorized: SharedAccessSignature audience %s does not match this IoT hub"
                        % unquote(fields["sr"]))
    try:
        expiry = int(fields["se"])
    except ValueError:
        raise AuthError("Unauthorized: SharedAccessSignature has an invalid expiry") from None
    key = keys(fields["skn"])
    if key is None:
        raise AuthError("Unauthorized: unknown shared access policy %s" % fields["skn"])
    # The SDK signs the sr exactly as it sends it (URL-encoded) followed by a newline and the expiry.
    expected = _sign(key, fields["sr"] + "\n" + fields["se"])
    if not hmac.compare_digest(unquote(fields["sig"]).encode(), expected.encode()):
        raise AuthError("Unauthorized")
    if expiry <= (time.time() if now is None else now):
        raise AuthError("Unauthorized: SharedAccessSignature expired")


def make_hub_sas(host, policy, key_b64, ttl=3600, now=None):
    """A service SAS token as azure-iot-hub builds it (used by tests and tools)."""
    sr = quote(host, safe="")
    expiry = str(int((time.time() if now is None else now) + ttl))
    sig = _sign(base64.b64decode(key_b64), sr + "\n" + expiry)
    return "SharedAccessSignature sr=%s&sig=%s&se=%s&skn=%s" % (sr, quote(sig, safe=""), expiry, policy)


def make_central_token(app_id, token_id, key, ttl_days=365, now=None):
    """An IoT Central API token (contract.md section 0): fields sr, sig, skn, se with se in epoch milliseconds."""
    expiry = str(int(((time.time() if now is None else now) + ttl_days * 86400) * 1000))
    sig = _sign(key, "%s\n%s\n%s" % (app_id, token_id, expiry))
    return "SharedAccessSignature sr=%s&sig=%s&skn=%s&se=%s" % (app_id, quote(sig, safe=""), token_id, expiry)


def verify_central_token(header, app_id, token_id, key, now=None):
    """Check an IoT Central API token made by make_central_token (for the IoT Central surface)."""
    fields = parse_shared_access_signature(header)
    if {"sr", "sig", "skn", "se"} - set(fields):
        raise AuthError("The API token is malformed")
    if fields["sr"] != app_id or fields["skn"] != token_id:
        raise AuthError("The API token is not valid for this application")
    expected = _sign(key, "%s\n%s\n%s" % (fields["sr"], fields["skn"], fields["se"]))
    if not hmac.compare_digest(unquote(fields["sig"]).encode(), expected.encode()):
        raise AuthError("The API token signature is not valid")
    if not fields["se"].isdigit() or int(fields["se"]) <= (time.time() if now is None else now) * 1000:
        raise AuthError("The API token has expired")


def verify_bearer(header, key, audience):
    """`Bearer <jwt>` issued by the emulator's Entra endpoint for `audience` -> its claims."""
    scheme, _space, token = header.partition(" ")
    if scheme != "Bearer" or not token:
        raise AuthError("Unauthorized")
    try:
        return jwt.decode(token.strip(), key, audience=audience)
    except jwt.TokenError as exc:
        raise AuthError("Unauthorized: bearer %s" % exc) from None


def authenticate_hub(request, credentials, hosts):
    """Raise the IoT Hub 401 unless the request carries a valid SAS token or an Entra bearer token for IoT Hub."""
    header = request.headers.get("Authorization", "")
    try:
        if header.startswith("Bearer "):
            verify_bearer(header, credentials.jwt_key, HUB_AUDIENCE)
        else:
            verify_hub_sas(header, credentials.hub_key, hosts)
    except AuthError as exc:
        raise hub_error("IotHubUnauthorizedAccess", str(exc)) from None
