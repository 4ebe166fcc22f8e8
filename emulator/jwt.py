"""A minimal HS256 JSON Web Token (RFC 7519) encoder and verifier, enough for the emulator's own bearer tokens."""
import base64
import hashlib
import hmac
import json
import time


class TokenError(ValueError):
    """A bearer token that is malformed, wrongly signed, expired or meant for another audience."""


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(claims, key):
    header = {"typ": "JWT", "alg": "HS256"}
    signing_input = "%s.%s" % (_b64url(json.dumps(header, separators=(",", ":")).encode()),
                               _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + _b64url(signature)


def decode(token, key, audience=None, now=None, leeway=0):
    """Verify signature, expiry, not-before and (optionally) audience; return the claims."""
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_unb64url(header_b64))
        claims = json.loads(_unb64url(claims_b64))
        signature = _unb64url(signature_b64)
    except (ValueError, TypeError) as exc:
        raise TokenError("malformed token") from exc
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        raise TokenError("unsupported token algorithm")
    expected = hmac.new(key, ("%s.%s" % (header_b64, claims_b64)).encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise TokenError("invalid signature")
    now = time.time() if now is None else now
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now - leeway:
        raise TokenError("token expired")
    if isinstance(claims.get("nbf"), (int, float)) and claims["nbf"] > now + leeway:
        raise TokenError("token not yet valid")
    if audience is not None and claims.get("aud") != audience:
        raise TokenError("invalid audience %r" % (claims.get("aud"),))
    return claims
