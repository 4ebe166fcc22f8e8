"""The IoT Central error shape: {"error": {"code", "message", "requestId", "time"}} plus x-ms-error-code."""
from email.utils import format_datetime

from aiohttp import web

from ..errors import ApiError, request_id
from ..timefmt import utcnow

CODE_FOR_STATUS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
                   405: "MethodNotAllowed", 409: "Conflict", 412: "PreconditionFailed", 415: "UnsupportedMediaType",
                   429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable",
                   504: "GatewayTimeout"}


def central_error(status, code, message, headers=None):
    return ApiError(status, code, message, headers)


def central_error_response(request, error):
    body = {"error": {"code": error.code, "message": error.message, "requestId": request_id(request),
                      "time": format_datetime(utcnow(), usegmt=True)}}
    headers = {"x-ms-error-code": error.code, **error.headers}
    return web.json_response(body, status=error.status, headers=headers)
