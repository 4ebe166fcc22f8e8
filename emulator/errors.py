"""Errors raised by handlers and the response builders of each API shape.

Handlers raise `ApiError`; the surface that owns the route (IoT Hub, Entra, control API, later IoT Central and ARM)
turns it into a response in that API's error shape.
"""
import json
import uuid

from aiohttp import web

from .timefmt import exception_stamp, utcnow

JSON_UTF8 = "application/json; charset=utf-8"

# IoT Hub error names -> 6-digit codes; the HTTP status is the first three digits (contract.md section 1.4).
IOTHUB_CODES = {
    "GenericBadRequest": 400000,
    "InvalidProtocolVersion": 400001,
    "InvalidOperation": 400003,
    "ArgumentInvalid": 400004,
    "ArgumentNull": 400005,
    "IotHubFormatError": 400006,
    "BadRequest": 400000,  # the query endpoint's syntax errors
    "EtagDoesNotMatch": 400023,
    "IotHubUnauthorizedAccess": 401002,
    "IotHubUnauthorized": 401003,
    "IotHubQuotaExceeded": 403002,
    "JobQuotaExceeded": 403003,
    "GenericNotFound": 404000,
    "DeviceNotFound": 404001,
    "JobNotFound": 404002,
    "DeviceNotOnline": 404103,
    "GenericMethodNotAllowed": 405000,
    "OperationNotAllowedInCurrentState": 405102,
    "GenericConflict": 409000,
    "DeviceAlreadyExists": 409001,
    "DeviceJobAlreadyExists": 409103,
    "JobAlreadyExists": 409104,
    "PreconditionFailed": 412001,
    "JobRunPreconditionFailed": 412003,
    "MessageTooLarge": 413001,
    "GenericUnsupportedMediaType": 415000,
    "ThrottlingException": 429001,
    "ThrottleBacklogLimitExceeded": 429002,
    "ThrottlingBacklogTimeout": 429003,
    "ThrottlingMaxActiveJobCountExceeded": 429004,
    "ServerError": 500001,
    "JobCancelled": 500002,
    "ServiceUnavailable": 503001,
    "GatewayTimeout": 504101,
}

# A fault injected with a status but no error code gets the usual code for that status.
IOTHUB_CODE_FOR_STATUS = {
    400: "ArgumentInvalid", 401: "IotHubUnauthorizedAccess", 403: "IotHubQuotaExceeded", 404: "GenericNotFound",
    405: "GenericMethodNotAllowed", 409: "GenericConflict", 412: "PreconditionFailed", 413: "MessageTooLarge",
    429: "ThrottlingException", 500: "ServerError", 503: "ServiceUnavailable", 504: "GatewayTimeout",
}


class ApiError(Exception):
    """An error answer: HTTP status, the API's error code name, a one-line message, extra response headers."""

    def __init__(self, status, code, message, headers=None, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra  # shape-specific details, e.g. aadsts=7000215 for Entra errors


def hub_error(code, message, status=None, headers=None):
    """An IoT Hub error whose HTTP status comes from the code table unless given."""
    if status is None:
        status = IOTHUB_CODES.get(code, 500000) // 1000
    return ApiError(status, code, message, headers)


def request_id(request):
    """The id of this request: x-ms-request-id on the response and the Tracking ID in IoT Hub errors."""
    if "request_id" not in request:
        request["request_id"] = str(uuid.uuid4())
    return request["request_id"]


def iothub_error_response(request, error):
    """contract.md 1.3 format 1, plus the iothub-errorcode header."""
    tracking = request_id(request).replace("-", "")
    body = {
        "Message": "ErrorCode:%s;%s" % (error.code, error.message),
        "ExceptionMessage": "Tracking ID:%s-G:0-TimeStamp:%s" % (tracking, exception_stamp(utcnow())),
    }
    headers = {"iothub-errorcode": error.code, **error.headers}
    return web.Response(status=error.status, text=json.dumps(body), content_type="application/json",
                        charset="utf-8", headers=headers)


# Entra ID errors: an OAuth 2.0 error name (ApiError.code) and a numeric AADSTS code (ApiError.extra["aadsts"]).
AAD_CODE_FOR_STATUS = {400: "invalid_request", 401: "invalid_client", 404: "invalid_request",
                       429: "temporarily_unavailable", 500: "server_error", 503: "temporarily_unavailable"}


def aad_error_response(request, error):
    """The token endpoint's error body: {"error", "error_description": "AADSTS<n>: ...", "error_codes", ...}."""
    number = error.extra.get("aadsts", 90033)
    stamp = utcnow().strftime("%Y-%m-%d %H:%M:%SZ")
    body = {
        "error": error.code,
        "error_description": "AADSTS%s: %s Trace ID: %s Correlation ID: %s Timestamp: %s" % (
            number, error.message, request_id(request), request_id(request), stamp),
        "error_codes": [int(number)],
        "timestamp": stamp,
        "trace_id": request_id(request),
        "correlation_id": request_id(request),
        "error_uri": "https://login.microsoftonline.com/error?code=%s" % number,
    }
    return web.json_response(body, status=error.status, headers=error.headers)


def control_error_response(request, error):
    """The control API's own plain shape."""
    return web.json_response({"error": error.message, "code": error.code}, status=error.status, headers=error.headers)
