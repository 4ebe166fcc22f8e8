"""Paging of query results by the x-ms-max-item-count and x-ms-continuation headers (contract.md 2.5, 2.7)."""
import base64
import json

from ..errors import hub_error

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000  # larger requests get 1000, like GET /devices?top=


def page_size(request):
    text = request.headers.get("x-ms-max-item-count", "").strip()
    if not text:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(text)
    except ValueError:
        size = 0
    if size < 1:
        raise hub_error("ArgumentInvalid", "x-ms-max-item-count must be a positive integer, got '%s'." % text)
    return min(size, MAX_PAGE_SIZE)


def encode_token(offset):
    return base64.b64encode(json.dumps({"offset": offset}, separators=(",", ":")).encode()).decode()


def decode_token(token):
    """The offset in a continuation token made by encode_token, or a 400 for anything else."""
    try:
        offset = json.loads(base64.b64decode(token, validate=True))["offset"]
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(offset)
    except (ValueError, KeyError, TypeError):
        raise hub_error("ArgumentInvalid", "The continuation token is not valid.") from None
    return offset


def paginate(request, items):
    """(this page's items, the continuation token for the next page or None)."""
    token = request.headers.get("x-ms-continuation", "").strip()
    offset = decode_token(token) if token else 0
    end = offset + page_size(request)
    return items[offset:end], encode_token(end) if end < len(items) else None
