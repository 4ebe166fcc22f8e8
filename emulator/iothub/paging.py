"""Paging of query results by the x-ms-max-item-count and x-ms-continuation headers (contract.md 2.5, 2.7)."""
import base64
import json
from itertools import islice

from ..errors import hub_error

DEFAULT_PAGE_SIZE = 100
# The largest page served; a larger x-ms-max-item-count is answered with pages of this size (200, as ever), since
# the REST reference says of the header "The service may use a different value if the value specified is not
# acceptable." (service.json Query_GetTwins, learn.microsoft.com/rest/api/iothub/service/query/get-twins) and the
# Azure CLI pages on "In case requested count is > service max page size" (Azure/azure-iot-cli-extension
# azext_iot/operations/generic.py, commit a42f57ae26b9ec7fc46446fae778c6de35cb94e2), which asks for top=1000 rows a
# page when it lists twins (azext_iot/operations/hub.py). 1000 is also the documented cap of GET /devices?top=
# (service.json Devices_GetDevices). A value that is not a positive integer is a 400 ArgumentInvalid naming the
# header, the answer the modules' fallback recognises.
MAX_PAGE_SIZE = 1000


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


def _numbered(docs, start):
    """(index, doc) from `start`: a view with iter_from (the devices.jobs rows) skips to it without copying."""
    if hasattr(docs, "iter_from"):
        return docs.iter_from(start)
    return enumerate(islice(docs, start, None), start)


def scan(request, query, docs):
    """A filter query's page: the token holds the index of the next matching document, so each page scans only
    from there (a million-row result pages in one pass, whatever the page size)."""
    token = request.headers.get("x-ms-continuation", "").strip()
    start = decode_token(token) if token else 0
    rows, next_index = query.page(_numbered(docs, start), page_size(request))
    return rows, encode_token(next_index) if next_index is not None else None
