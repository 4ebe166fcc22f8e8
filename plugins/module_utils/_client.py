# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""The one REST client of the collection, on a requests.Session.

It owns timeouts, retries (jittered back-off, Retry-After, attempt and time budgets), the normalisation of the error
shapes of the IoT Hub data plane, ARM and IoT Central into ApiError, and both paging styles. It never calls fail_json.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import math
import random
import re
import socket
import ssl
import time
import traceback
import warnings
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import (
    ApiError,
    CollectionError,
    TransportError,
    redact,
)
from ansible_collections.azure_iot.jobs.plugins.module_utils._time import parse_rfc1123

try:
    import requests
    from urllib3.exceptions import InsecureRequestWarning
except ImportError:
    # Modules check HAS_REQUESTS and fail with missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR.
    requests = None
    InsecureRequestWarning = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

# Kept in step with galaxy.yml: modules run remotely and cannot read it.
COLLECTION_VERSION = "1.0.0"

BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0
# IoT Hub answers 429 without Retry-After; retrying within a second only burns quota.
THROTTLE_FLOOR = 1.0
MIN_DELAY = 0.1

IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
ALWAYS_RETRIED_STATUSES = frozenset((429, 503, 504))
IDEMPOTENT_RETRIED_STATUSES = frozenset((500, 502))
# A full job queue frees only when a job ends (minutes, not seconds): the job engine waits for a slot within
# wait_timeout when the user asked for it, so the client does not spend its retry budget on these.
QUEUE_FULL_CODES = frozenset(("ThrottlingMaxActiveJobCountExceeded", "JobQuotaExceeded"))

# How a transport failure may be retried: the request never left (always), may have been processed (only when
# repeating it is harmless), or retrying cannot help (never).
RETRY_ALWAYS, RETRY_IDEMPOTENT, RETRY_NEVER = "always", "idempotent", "never"

# IoT Hub answers 429 without Retry-After and says "Wait 10 seconds and try again" (contract.md section 7).
_WAIT_SECONDS_RE = re.compile(r"\bwait\s+(\d+(?:\.\d+)?)\s+seconds?\b", re.IGNORECASE)
_TRACKING_ID_RE = re.compile(r"Tracking ID:\s*([0-9A-Za-z]+)")
_IOTHUB_CODE_RE = re.compile(r"^\s*ErrorCode:\s*([A-Za-z0-9_.]+)\s*;?(.*)$", re.DOTALL)
_LEADING_ID_RE = re.compile(r"^\s*([0-9A-Za-z]+)")


class PageSize(object):
    """The page size a list asks for, by the header or query parameter `name`: the documented maximum `largest`,
    and `fallback` (a smaller size; None sends no size, the service's default page) used for the rest of the run
    once the service refuses `largest` with a 400 whose message names `name`."""

    def __init__(self, name, largest, fallback=None):
        self.name = name
        self.largest = largest
        self.fallback = fallback

    def at_most(self, limit):
        """The same policy for a listing that needs only `limit` items."""
        if not limit:
            return self
        fallback = min(self.fallback, limit) if self.fallback else limit
        return PageSize(self.name, min(self.largest, limit), fallback)

    def _key(self):
        return (self.name, self.largest, self.fallback)

    def __eq__(self, other):
        return isinstance(other, PageSize) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "PageSize(%r, %r, %r)" % self._key()


class Response(object):
    """A successful (or accepted 404) answer: status, lower-case headers, parsed JSON body or None.

    after_ambiguous_attempt: an earlier attempt of the same request may have been applied (so a 404 to a retried
    DELETE means this task deleted it).
    """

    def __init__(self, status, headers, body, request_id=None):
        self.status = status
        self.headers = headers
        self.body = body
        self.request_id = request_id
        self.after_ambiguous_attempt = False

    def __repr__(self):
        return "Response(status=%r, request_id=%r)" % (self.status, self.request_id)


def _with_query_value(url, name, value):
    """`url` with the query parameter `name` set to `value` (dropped when None), the rest kept in order."""
    parts = urlsplit(url)
    query = [(key, item) for key, item in parse_qsl(parts.query, keep_blank_values=True) if key != name]
    if value is not None:
        query.append((name, str(value)))
    return parts._replace(query=urlencode(query, quote_via=quote, safe="$")).geturl()


def _lower_headers(headers):
    return {str(key).lower(): value for key, value in (headers or {}).items()}


def _parse_body(content):
    """The JSON body of a response, or None when it is empty or not JSON."""
    if not content:
        return None
    try:
        return jsonlib.loads(content)
    except ValueError:
        return None


def _reason(status, reason):
    if reason:
        return reason
    try:
        return http.client.responses[status]
    except KeyError:
        return "HTTP error"


def _tracking_id(text):
    """The tracking id of an IoT Hub error, without its '-G:n' and '-TimeStamp:...' suffixes."""
    if not isinstance(text, str):
        return None
    match = _TRACKING_ID_RE.search(text)
    return match.group(1) if match else None


def _parse_iothub_error(body, headers):
    """IoT Hub data plane: {"Message": "ErrorCode:Name;text" or serialised JSON, "ExceptionMessage": "Tracking ID:"}.

    Returns (code, message, tracking id).
    """
    message = body.get("Message")
    code = None
    tracking = _tracking_id(body.get("ExceptionMessage"))
    if isinstance(message, str) and message.lstrip().startswith("{"):
        try:
            inner = jsonlib.loads(message)
        except ValueError:
            inner = None
        if isinstance(inner, dict):
            number = inner.get("errorCode")
            code = str(number) if number is not None else None
            match = _LEADING_ID_RE.match(str(inner.get("trackingId") or ""))
            tracking = tracking or (match.group(1) if match else None)
            message = inner.get("message")
    elif isinstance(message, str):
        match = _IOTHUB_CODE_RE.match(message)
        if match:
            code, message = match.group(1), match.group(2).strip()
    # The header carries the name (DeviceNotFound) where the JSON-in-string body has only the number (404001).
    header_code = headers.get("iothub-errorcode")
    if header_code and (code is None or code.isdigit()):
        code = header_code
    return code, message, tracking


def _parse_error_object(body):
    """ARM envelope and IoT Central: {"error": {"code", "message", "requestId"?}}; ARM RP flat: {"code", "message"}."""
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    code = error.get("code")
    return (str(code) if code is not None else None), error.get("message"), error.get("requestId")


def parse_error(status, headers, body, reason=None):
    """Normalise an error answer of any of the three APIs to (code, message, request_id)."""
    code = message = body_request_id = tracking = None
    if isinstance(body, dict) and "Message" in body:
        code, message, tracking = _parse_iothub_error(body, headers)
    elif isinstance(body, dict) and ("error" in body or "code" in body):
        code, message, body_request_id = _parse_error_object(body)
    else:
        code = headers.get("iothub-errorcode")
    # A bare status ("ErrorCode:X;429") or nothing says less than the reason phrase.
    if not message or not isinstance(message, str) or message.strip().isdigit():
        message = _reason(status, reason)
    request_id = (
        headers.get("x-ms-request-id")
        or tracking
        or body_request_id
        or headers.get("x-ms-correlation-request-id")
    )
    return code, message, request_id


def retry_after_seconds(headers, now=None):
    """The Retry-After header in seconds (from a number or an HTTP-date), or None when absent or unusable.

    An HTTP-date is measured against the response's own Date header when there is one, so clock skew between this
    machine and the service does not matter.
    """
    value = headers.get("retry-after")
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, headers.get("date"), now)
    if seconds is None or math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _seconds_until(http_date, server_date, now):
    target = parse_rfc1123(http_date)
    if target is None:
        return None
    reference = parse_rfc1123(server_date) if server_date else None
    if reference is None:
        reference = datetime.fromtimestamp(time.time() if now is None else now, tz=timezone.utc)
    return (target - reference).total_seconds()


def _exception_chain(exc):
    """Every exception behind a requests exception (urllib3 wraps them in .reason, args, __cause__)."""
    seen = []
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        reason = getattr(current, "reason", None)
        pending.append(reason if isinstance(reason, BaseException) else None)
        pending.extend((current.__cause__, current.__context__))
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return seen


def _find(chain, kind):
    for item in chain:
        if isinstance(item, kind):
            return item
    return None


def _connection_cause(chain):
    """A few words naming why a connection failed, from the innermost known exception."""
    known = (
        (ConnectionRefusedError, "connection refused"),
        (socket.gaierror, "name resolution failed"),
        (ConnectionResetError, "connection reset by peer"),
        (http.client.RemoteDisconnected, "connection closed by the server without a response"),
        (TimeoutError, "timed out"),
    )
    for kind, words in known:
        if _find(chain, kind) is not None:
            return words
    innermost = chain[-1]
    return "%s: %s" % (type(innermost).__name__, innermost)


def _tls_reason(chain):
    verify = _find(chain, ssl.SSLCertVerificationError)
    if verify is not None and getattr(verify, "verify_message", None):
        return verify.verify_message
    tls = _find(chain, ssl.SSLError)
    if tls is not None and getattr(tls, "reason", None):
        return tls.reason
    return str(tls or chain[-1])


def _origin(url):
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme, parts.netloc)


def _query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Client(object):
    """A requests.Session wrapper for one API: base URL, api-version, auth headers, retries, errors, paging."""

    def __init__(self, base_url, auth, *, api_version=None, timeout=30, max_retries=5, retry_budget=300.0,
                 validate_certs=True, ca_path=None, warn=None, sleep=time.sleep, clock=time.monotonic,
                 rand=random.random, session=None):
        if session is None:
            if not HAS_REQUESTS:
                raise CollectionError("the Python library 'requests' is required: pip install requests")
            session = requests.Session()
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.api_version = api_version
        self.timeout = float(30 if timeout is None else timeout)
        self.max_retries = int(5 if max_retries is None else max_retries)
        self.retry_budget = float(retry_budget)
        self.warn = warn or (lambda message: None)
        # Names of the page-size parameters a service refused in this run (PageSize.fallback from then on).
        self._refused_page_sizes = set()
        self.sleep = sleep
        self.clock = clock
        self.rand = rand
        self.session = session
        self.verify = self._verify_setting(validate_certs, ca_path)
        self.user_agent = "azure_iot.jobs/%s python-requests/%s" % (
            COLLECTION_VERSION, getattr(requests, "__version__", "unknown"))

    def _verify_setting(self, validate_certs, ca_path):
        if validate_certs is False:
            self.warn("TLS certificate verification is disabled (validate_certs=false): the identity of %s is not "
                      "checked" % _origin(self.base_url))
            if InsecureRequestWarning is not None:
                # The warning above says it once; urllib3 would repeat it on every request.
                warnings.filterwarnings("ignore", category=InsecureRequestWarning)
            return False
        return ca_path or True

    # ------------------------------------------------------------------ URLs

    def url_for(self, path, path_params=None, params=None):
        """The full URL of a path template (or an absolute URL), with path_params quoted and api-version added."""
        if path.startswith(("https://", "http://")):
            url = path
        else:
            quoted = {key: quote(str(value), safe="") for key, value in (path_params or {}).items()}
            url = self.base_url + path.format(**quoted)
        query = [(key, _query_value(value)) for key, value in (params or {}).items() if value is not None]
        existing = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        if self.api_version and "api-version" not in existing and "api-version" not in dict(query):
            query.append(("api-version", self.api_version))
        if not query:
            return url
        return url + ("&" if urlsplit(url).query else "?") + urlencode(query, quote_via=quote)

    @staticmethod
    def _template(path):
        """What errors report for a path: the template, or only the path of an absolute URL (no query string)."""
        if path.startswith(("https://", "http://")):
            return urlsplit(path).path
        return path

    # ------------------------------------------------------------------ requests

    def request(self, method, path, *, path_params=None, params=None, json=None, headers=None, ok=(200,),
                not_found_ok=False, idempotent=None):
        """Send a request with retries; return a Response for a status in ok (or 404 with not_found_ok).

        Any other answer raises ApiError; a connection problem raises TransportError.
        """
        method = method.upper()
        url = self.url_for(path, path_params, params)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        return self._send_with_retries(method, url, self._template(path), json, headers, ok, not_found_ok,
                                       idempotent)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def get_or_none(self, path, **kwargs):
        """The body (a JSON object) at `path`, or None when the service answers 404: the one way to ask "does it
        exist?". Any other answer shape is an ApiError, not a crash further up."""
        response = self.request("GET", path, not_found_ok=True, **kwargs)
        if response.status == 404:
            return None
        if not isinstance(response.body, dict):
            raise ApiError(response.status, "UnexpectedResponse", "the answer is not a JSON object",
                           response.request_id, "GET", self._template(path), body=response.body)
        return response.body

    def delete_if_exists(self, path, **kwargs):
        """DELETE `path`; the Response, or None when it was gone before this request (a 404 to the first attempt;
        a 404 to a retry after an attempt whose answer was lost means that attempt deleted it)."""
        kwargs.setdefault("ok", (200, 202, 204))
        response = self.request("DELETE", path, not_found_ok=True, **kwargs)
        return None if response.status == 404 and not response.after_ambiguous_attempt else response

    def _headers(self, body, extra):
        headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        headers.update(self.auth.headers())
        headers.update(extra or {})
        return headers

    def _send_with_retries(self, method, url, template, body, extra_headers, ok, not_found_ok, idempotent):
        start = self.clock()
        attempt = 0
        ambiguous_before = False  # an earlier attempt may have been applied
        while True:
            attempt += 1
            response, error, retryable, retry_after = self._attempt(method, url, template, body, extra_headers, ok,
                                                                    not_found_ok, idempotent)
            if response is not None:
                response.after_ambiguous_attempt = ambiguous_before
                return response
            error.after_ambiguous_attempt = ambiguous_before
            ambiguous_before = ambiguous_before or error.ambiguous
            # max_retries 0 switches retrying off: the error is raised as it is.
            if not retryable or self.max_retries <= 0:
                raise error
            delay = self._delay(attempt, error, retry_after)
            elapsed = self.clock() - start
            if attempt > self.max_retries or elapsed + delay > self.retry_budget:
                error.append_to_msg(self._gave_up(attempt, elapsed, delay))
                raise error
            self.warn(self._retry_warning(method, template, error, delay, attempt))
            self.sleep(delay)

    def _attempt(self, method, url, template, body, extra_headers, ok, not_found_ok, idempotent):
        """One HTTP exchange: (response, None, ...) on success, else (None, error, retryable, retry_after)."""
        try:
            raw = self.session.request(method, url, headers=self._headers(body, extra_headers), json=body,
                                       timeout=self.timeout, verify=self.verify, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            error, retry = self._transport_error(exc, method, url, template)
            retryable = retry == RETRY_ALWAYS or (retry == RETRY_IDEMPOTENT and idempotent)
            return None, error, retryable, None
        headers = _lower_headers(raw.headers)
        parsed = _parse_body(raw.content)
        status = raw.status_code
        if status in ok or (not_found_ok and status == 404):
            return Response(status, headers, parsed, headers.get("x-ms-request-id")), None, False, None
        error = self._api_error(raw, headers, parsed, method, template)
        # A request that must not run twice is repeated only when the service surely did not apply it (429); after
        # a 5xx the caller reads the service's state instead.
        retryable = status == 429 or (idempotent and status in ALWAYS_RETRIED_STATUSES | IDEMPOTENT_RETRIED_STATUSES)
        if error.code in QUEUE_FULL_CODES:
            retryable = False
        return None, error, retryable, retry_after_seconds(headers)

    def _api_error(self, raw, headers, parsed, method, template):
        code, message, request_id = parse_error(raw.status_code, headers, parsed, getattr(raw, "reason", None))
        message = redact(message, self._secrets())
        return ApiError(raw.status_code, code, message, request_id, method, template, body=parsed, headers=headers)

    def _secrets(self):
        return list(self.auth.secrets())

    def _transport_error(self, exc, method, url, template):
        """A one-line TransportError naming the host and the cause, and how it may be retried."""
        chain = _exception_chain(exc)
        origin = _origin(url)
        maybe_applied = False
        if isinstance(exc, requests.exceptions.SSLError) and _find(chain, ssl.SSLCertVerificationError):
            msg = ("TLS certificate verification failed for %s: %s; set ca_path or validate_certs"
                   % (origin, _tls_reason(chain)))
            retry = RETRY_NEVER
        elif isinstance(exc, requests.exceptions.SSLError):
            # Not a certificate problem: most often an https:// URL pointing at a plain-HTTP port.
            msg = "TLS handshake with %s failed: %s" % (origin, _tls_reason(chain))
            retry = RETRY_NEVER
        elif isinstance(exc, requests.exceptions.ConnectTimeout):
            msg = "Cannot connect to %s (timed out after %g s)" % (origin, self.timeout)
            retry = RETRY_ALWAYS
        elif isinstance(exc, requests.exceptions.ReadTimeout):
            msg = "Request to %s %s timed out after %g s" % (method, template, self.timeout)
            retry = RETRY_IDEMPOTENT
            maybe_applied = True
        elif isinstance(exc, requests.exceptions.ConnectionError):
            cause = _connection_cause(chain)
            # Refused or unresolvable: the request never left. Otherwise the server may have acted on it.
            never_sent = cause in ("connection refused", "name resolution failed")
            msg = "Cannot connect to %s (%s)" % (origin, cause) if never_sent else \
                "Connection to %s failed during %s %s (%s)" % (origin, method, template, cause)
            retry = RETRY_ALWAYS if never_sent else RETRY_IDEMPOTENT
            maybe_applied = not never_sent
        else:
            msg = "Request %s %s to %s failed: %s" % (method, template, origin, _connection_cause(chain))
            retry = RETRY_NEVER
        return TransportError(redact(msg, self._secrets()), method=method, path=template, cause=exc,
                              maybe_applied=maybe_applied), retry

    # ------------------------------------------------------------------ retry policy

    def _delay(self, attempt, error, retry_after):
        """Seconds to wait before the next attempt: Retry-After when given; after a 429 whose message says how long
        to wait ("Wait 10 seconds and try again"), from that many seconds up, doubling, jittered and capped; else
        full-jitter back-off from 1 s."""
        if retry_after is not None:
            return retry_after
        wait = _WAIT_SECONDS_RE.search(getattr(error, "message", None) or "") \
            if getattr(error, "status", None) == 429 else None
        if wait:
            base = min(float(wait.group(1)), BACKOFF_CAP)
            ceiling = min(BACKOFF_CAP, base * (2 ** (attempt - 1)))
            return base + self.rand() * (ceiling - base)
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
        delay = self.rand() * ceiling
        floor = THROTTLE_FLOOR if getattr(error, "status", None) == 429 else MIN_DELAY
        return max(floor, delay)

    def _gave_up(self, attempt, elapsed, delay):
        noun = "attempt" if attempt == 1 else "attempts"
        text = "(gave up after %d %s in %.1f s" % (attempt, noun, elapsed)
        if attempt <= self.max_retries:
            text += ": the next retry in %.1f s would exceed the retry budget of %g s" % (delay, self.retry_budget)
        return text + ")"

    def _retry_warning(self, method, template, error, delay, attempt):
        if isinstance(error, ApiError):
            cause = "HTTP %s" % error.status + (" %s" % error.code if error.code else "")
        else:
            cause = error.msg
        return "%s %s: %s; retrying in %.1f s (retry %d of %d)" % (
            method, template, cause, delay, attempt, self.max_retries)

    # ------------------------------------------------------------------ paging

    def iter_continuation(self, method, path, *, path_params=None, params=None, json=None, page_size=None):
        """IoT Hub paging: a bare JSON array per page, the next token in the x-ms-continuation header. Yields items.

        page_size: an int (sent as x-ms-max-item-count), a PageSize (its fallback once refused) or None (no header).
        Queries are reads, so a POST query is retried like a GET.
        """
        token = None
        seen = set()
        while True:
            headers = {}
            size = self._page_value(page_size)
            if size:
                headers["x-ms-max-item-count"] = str(size)
            if token:
                headers["x-ms-continuation"] = token
            try:
                response = self.request(method, path, path_params=path_params, params=params, json=json,
                                        headers=headers, idempotent=True)
            except ApiError as err:
                if self._refused_page_size(err, page_size, size):
                    continue
                raise
            yield from self._page_items(response, method, path, None)
            token = response.headers.get("x-ms-continuation")
            if not token:
                return
            self._check_progress(token, seen, method, path, response)

    def iter_next_link(self, path, *, path_params=None, params=None, item_key="value", method="GET", page_size=None):
        """ARM / IoT Central paging: {"value": [...], "nextLink": "<absolute url>"}. Yields items.

        method is that of the first page: a POST list (ARM listkeys) is a read, so it is retried like a GET; the next
        pages are GETs of nextLink, as the Azure SDKs fetch them.
        page_size: a PageSize whose name is a query parameter (IoT Central's maxpagesize), or None.
        """
        url = None
        seen = set()
        while True:
            size = self._page_value(page_size)
            try:
                if url is None:
                    page_params = dict(params or {})
                    if page_size is not None:
                        page_params[page_size.name] = size
                    response = self.request(method, path, path_params=path_params, params=page_params or None,
                                            idempotent=True)
                else:
                    if page_size is not None and page_size.name in self._refused_page_sizes:
                        url = _with_query_value(url, page_size.name, size)
                    # Errors on later pages report the caller's template too, not the server's URL.
                    response = self._send_with_retries("GET", url, path, None, None, (200,), False, True)
            except ApiError as err:
                if self._refused_page_size(err, page_size, size):
                    continue
                raise
            yield from self._page_items(response, method if url is None else "GET", path, item_key)
            next_link = (response.body or {}).get("nextLink")
            if not next_link:
                return
            self._check_progress(next_link, seen, "GET", path, response)
            url = self._next_url(next_link, path, response)

    def _page_value(self, page_size):
        if isinstance(page_size, PageSize):
            return page_size.fallback if page_size.name in self._refused_page_sizes else page_size.largest
        return page_size

    def _refused_page_size(self, err, page_size, size):
        """Whether `err` is the service refusing the page size just asked for; then every later page of this run
        asks for the fallback (once: a second refusal is raised)."""
        if not isinstance(page_size, PageSize) or size is None or page_size.name in self._refused_page_sizes:
            return False
        text = "%s %s" % (err.code or "", err.message or "")
        if err.status != 400 or page_size.name.lower() not in text.lower():
            return False
        self._refused_page_sizes.add(page_size.name)
        self.warn("the service refused %s=%s (HTTP 400%s); %s for the rest of this run" % (
            page_size.name, size, " %s" % err.code if err.code else "",
            "asking for %s a page" % page_size.fallback if page_size.fallback else "using its default page size"))
        return True

    def _next_url(self, next_link, path, response):
        """An absolute nextLink on our own host; credentials are never sent anywhere else."""
        url = urljoin(self.base_url + "/", next_link)
        if _origin(url).lower() != _origin(self.base_url).lower():
            raise ApiError(response.status, "UnexpectedNextLink",
                           "the nextLink points to %s, not to %s; refusing to send credentials there"
                           % (_origin(url), _origin(self.base_url)), response.request_id, "GET", path)
        return self.url_for(url)

    @staticmethod
    def _page_items(response, method, path, item_key):
        body = response.body
        if item_key is None and isinstance(body, list):
            return body
        if isinstance(body, dict) and isinstance(body.get(item_key or "items"), list):
            return body[item_key or "items"]
        expected = "a JSON array" if item_key is None else 'an object with a "%s" list' % item_key
        raise ApiError(response.status, "UnexpectedResponse", "the page is not %s" % expected,
                       response.request_id, method, path, body=body)

    @staticmethod
    def _check_progress(marker, seen, method, path, response):
        """Stop a server that hands out the same page marker twice instead of looping forever."""
        if marker in seen:
            raise ApiError(response.status, "PagingLoop", "the server returned the same page marker twice",
                           response.request_id, method, path)
        seen.add(marker)
