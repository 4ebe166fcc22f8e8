# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""The errors a module turns into fail_json: one base class, four kinds.

Nothing here ever holds request headers or secrets; messages that come from a server or a library are passed through
redact() before they are stored.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

# A SAS signature in a message (a token echoed by a server, a blob SAS URI): never shown.
_SIG_RE = re.compile(r"(sig=)[^&\s\"',;]+", re.IGNORECASE)
_MASK = "********"
_MAX_MESSAGE = 1000


def one_line(text, limit=_MAX_MESSAGE):
    """Collapse whitespace (library messages are often multi-line) and cut overly long text."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[:limit - 3].rstrip() + "..."
    return text


def secret_variants(value):
    """A secret as it may appear anywhere: as given, URL-encoded (quote and quote_plus, as a query string or a
    path carries it) and double-encoded (a URL inside a URL). Every form goes into module.no_log_values."""
    if not value:
        return []
    once = (quote(value, safe=""), quote_plus(value), quote(value))
    forms = [value] + list(once) + [quote(form, safe="") for form in once] + [quote_plus(form) for form in once]
    return sorted(set(forms), key=len, reverse=True)


def redact(text, secrets=()):
    """Hide SAS signatures and every known secret (in each of its encodings) in a message; return one line."""
    text = _SIG_RE.sub(r"\1REDACTED", str(text))
    variants = set(form for secret in secrets for form in secret_variants(secret))
    # Longest first, so a token is masked whole before a secret it contains.
    for secret in sorted(variants, key=len, reverse=True):
        text = text.replace(secret, _MASK)
    return one_line(text)


class CollectionError(Exception):
    """Everything a module turns into fail_json; msg says what failed and why."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.fields = details

    def __str__(self):
        return self.msg

    def append_to_msg(self, text):
        """Add context to the message (for example how many attempts were made)."""
        self.msg = "%s %s" % (self.msg, text)
        self.args = (self.msg,)

    def to_fail_json(self):
        """Keyword arguments for module.fail_json(): msg plus the details that are set."""
        result = {key: value for key, value in self.fields.items() if value is not None}
        result["msg"] = self.msg
        return result


class ValidationError(CollectionError):
    """Bad input; msg names the option and the rule."""


class AuthError(CollectionError):
    """Bad connection string, missing credentials, or token acquisition failed."""


class ConnectionStringError(ValidationError, AuthError):
    """A malformed connection_string: bad input (names the option) and an auth failure at once."""


class TransportError(CollectionError):
    """Connection refused, DNS, TLS or timeout, after the retries ran out."""

    # Set by the client: an earlier attempt of the same request may have been applied by the service.
    after_ambiguous_attempt = False

    def __init__(self, msg, method=None, path=None, cause=None, maybe_applied=False):
        super().__init__(msg, method=method, path=path)
        self.method = method
        self.path = path
        self.cause = cause
        # True when the request left this machine and the service may have acted on it (a read timeout, a
        # connection dropped after sending); False when it never arrived (refused, unresolvable, TLS).
        self.maybe_applied = maybe_applied

    @property
    def ambiguous(self):
        return self.maybe_applied


class ApiError(CollectionError):
    """A non-success HTTP answer, normalised from any of the three APIs' error shapes."""

    # Set by the client: an earlier attempt of the same request may have been applied by the service.
    after_ambiguous_attempt = False

    def __init__(self, status, code, message, request_id=None, method=None, path=None, body=None, headers=None):
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.method = method
        self.path = path
        # The parsed error body and the response headers, for callers; never put into fail_json.
        self.body = body
        self.headers = headers or {}
        super().__init__(self._format())

    def _format(self):
        text = "%s %s failed: HTTP %s" % (self.method, self.path, self.status)
        if self.code:
            text += " %s" % self.code
        if self.message:
            text += ": %s" % self.message
        if self.request_id:
            text += " (request id %s)" % self.request_id
        return text

    @property
    def ambiguous(self):
        """A 5xx: the service may have applied the request before the answer went wrong."""
        return self.status >= 500

    def details(self):
        """status, error_code, request_id, method and path: what a result or another error carries of this one."""
        return dict(status=self.status, error_code=self.code, request_id=self.request_id, method=self.method,
                    path=self.path)

    def to_fail_json(self):
        return dict(self.details(), msg=self.msg)


def is_ambiguous(err):
    """Whether a failed write may have been applied all the same: decide from the service's state, not the error."""
    return isinstance(err, (ApiError, TransportError)) and err.ambiguous


def after_own_attempt(err_or_response):
    """Whether an earlier attempt of this very request may have made the change the final answer reports on."""
    return bool(getattr(err_or_response, "after_ambiguous_attempt", False))
