"""An Entra ID (Azure AD) token endpoint for the client-credentials flow, as MSAL / azure-identity call it.

azure.identity.ClientSecretCredential(tenant_id, client_id, client_secret, authority=<emulator URL>,
disable_instance_discovery=True) reads /{tenant}/v2.0/.well-known/openid-configuration, then posts to the
token_endpoint it names. Tokens are HS256 JWTs signed with the emulator's per-process key; the audience is the
scope's resource (https://iothubs.azure.net/.default -> aud https://iothubs.azure.net).
"""
import base64
import hmac
import time
import uuid
from urllib.parse import unquote

from aiohttp import web

from . import jwt
from .credentials import CLIENT_ID, TENANT_ID
from .errors import ApiError, aad_error_response
from .state import STATE, Surface

TOKEN_LIFETIME = 3599
SERVICE_PRINCIPAL_OID = "00000000-0000-4000-8000-0000000051d0"


def setup(app, state):
    state.add_surface(Surface("entra", aad_error_response, prefixes=("/%s/" % TENANT_ID,),
                              codes={400: "invalid_request", 401: "invalid_client", 404: "invalid_request",
                                     405: "invalid_request", 429: "temporarily_unavailable",
                                     503: "temporarily_unavailable"},
                              fallback_code="server_error"))
    app.router.add_routes([
        web.get("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration,
                name="entra.openid-configuration", allow_head=False),
        web.post("/{tenant}/oauth2/v2.0/token", token, name="entra.token"),
    ])


def _aad_error(status, error, aadsts, message):
    return ApiError(status, error, message, aadsts=aadsts)


def _check_tenant(tenant):
    if tenant.lower() != TENANT_ID:
        raise _aad_error(400, "invalid_request", 90002, "Tenant '%s' not found. Check to make sure you have the "
                         "correct tenant ID and are signing into the correct cloud." % tenant)


async def openid_configuration(request):
    tenant = request.match_info["tenant"]
    _check_tenant(tenant)
    base = "https://%s/%s" % (request.host, tenant)
    return web.json_response({
        "token_endpoint": base + "/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": base + "/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": base + "/v2.0",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": "https://%s/oidc/userinfo" % request.host,
        "authorization_endpoint": base + "/oauth2/v2.0/authorize",
        "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": base + "/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "appid"],
        "tenant_region_scope": None,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    })


def _client_credentials(request, form):
    """client_id and client_secret from the form (client_secret_post) or HTTP Basic (client_secret_basic)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            user, _colon, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            raise _aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.") from None
        return unquote(user), unquote(password)
    return form.get("client_id", ""), form.get("client_secret", "")


def _resource(scope):
    resources = [s[:-len("/.default")] for s in scope.split() if s.endswith("/.default")]
    if len(resources) != 1:
        raise _aad_error(400, "invalid_scope", 1002012, "The provided value for scope %s is not valid. Client "
                         "credential flows must have a scope value with /.default suffixed to the resource "
                         "identifier (application ID URI)." % scope)
    return resources[0]


async def token(request):
    tenant = request.match_info["tenant"]
    _check_tenant(tenant)
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        raise _aad_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'."
                         % form.get("grant_type", ""))
    client_id, secret = _client_credentials(request, form)
    if client_id != CLIENT_ID:
        raise _aad_error(400, "unauthorized_client", 700016, "Application with identifier '%s' was not found in the "
                         "directory '%s'." % (client_id, tenant))
    credentials = request.app[STATE].credentials
    if not hmac.compare_digest(secret.encode(), credentials.client_secret.encode()):
        raise _aad_error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being "
                         "sent in the request is the client secret value, not the client secret ID, for a secret "
                         "added to app '%s'." % client_id)
    resource = _resource(form.get("scope", ""))
    now = int(time.time())
    claims = {"aud": resource, "iss": "https://sts.windows.net/%s/" % TENANT_ID, "iat": now, "nbf": now,
              "exp": now + TOKEN_LIFETIME, "appid": client_id, "appidacr": "1", "idtyp": "app",
              "oid": SERVICE_PRINCIPAL_OID, "sub": SERVICE_PRINCIPAL_OID, "tid": TENANT_ID, "ver": "1.0",
              "uti": uuid.uuid4().hex}
    access_token = jwt.encode(claims, credentials.jwt_key)
    credentials.issued_tokens.append(access_token)
    return web.json_response({"token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "ext_expires_in": TOKEN_LIFETIME,
                              "access_token": access_token})
