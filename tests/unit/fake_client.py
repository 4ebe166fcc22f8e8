# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A recording fake of _client.Client: scripted answers in order, failing on an unexpected or a missing call.

    client = FakeClient([
        expect("GET", "/jobs/v2/{job_id}", path_params={"job_id": "j1"}, status=404),
        expect("PUT", "/jobs/v2/{job_id}", json={...the exact body...}, body={...}),
        pages("POST", "/devices/query", [[{...}], [{...}]], json={"query": "..."}),
    ])
    ... code under test ...
    client.assert_done()
    assert client.calls == [("GET", "/jobs/v2/{job_id}"), ("PUT", "/jobs/v2/{job_id}"), ...]

`json` is compared exactly and defaults to None (no body), so every test pins what is sent; `json=ANY` opts out.
Each HTTP exchange (one per page for iter_continuation) is appended to `client.calls` as (METHOD, path template) and
to `client.requests` with its details.
"""

from __future__ import annotations

from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Response
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError


class _Any(object):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __repr__(self):
        return "ANY"


ANY = _Any()


class Expected(object):
    def __init__(self, method, path, path_params=ANY, params=ANY, json=None, status=200, body=None, headers=None,
                 raises=None, pages=None, page_size=ANY, after_ambiguous_attempt=False):
        self.method = method
        self.path = path
        self.path_params = path_params
        self.params = params
        self.json = json
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.raises = raises
        self.pages = pages
        self.page_size = page_size
        # The answer came to a retry after an attempt whose answer was lost (see Response.after_ambiguous_attempt).
        self.after_ambiguous_attempt = after_ambiguous_attempt

    def __repr__(self):
        kind = "pages" if self.pages is not None else "expect"
        return "%s(%s %s %r)" % (kind, self.method, self.path, self.path_params)


def expect(method, path, **kwargs):
    """One request answered with status/body (or raising `raises`)."""
    return Expected(method, path, **kwargs)


def pages(method, path, page_list, **kwargs):
    """One iter_continuation call answered with these pages (lists of items), each counted as one exchange."""
    return Expected(method, path, pages=page_list, **kwargs)


def api_error(status, code, message="scripted error", method="GET", path="/jobs/v2/{job_id}", request_id="rid-1",
              after_ambiguous_attempt=False):
    """An ApiError as the client raises it; after_ambiguous_attempt: an earlier attempt's answer was lost (the client
    retried), so the service may have applied that attempt."""
    error = ApiError(status, code, message, request_id, method, path)
    error.after_ambiguous_attempt = after_ambiguous_attempt
    return error


class BlobSession(object):
    """The client's requests.Session as _blob.read_blob uses it: Get Blob of scripted URLs, 404 for the rest."""

    def __init__(self, blobs):
        self.blobs = blobs
        self.urls = []

    def request(self, method, url, **kwargs):
        self.urls.append((method, url))
        status, content = self.blobs.get(url, (404, b""))
        return _BlobAnswer(status, content)


class _BlobAnswer(object):
    def __init__(self, status, content):
        self.status_code = status
        self.content = content
        self.headers = {}


class FakeClient(object):
    def __init__(self, script=(), blobs=None):
        self.script = list(script)
        self.calls = []
        self.requests = []
        # What _blob.read_blob reads through the client's session: blob URL -> (status, bytes).
        self.session = BlobSession(blobs or {})
        self.timeout = 30.0
        self.verify = True

    def add(self, *items):
        self.script.extend(items)

    def _next(self, method, path, kind, **details):
        request = dict(method=method, path=path, **details)
        if not self.script:
            raise AssertionError("unexpected call %s %s %r: the script is exhausted (calls so far: %r)"
                                 % (method, path, details, self.calls))
        expected = self.script.pop(0)
        if (expected.pages is not None) != (kind == "pages"):
            raise AssertionError("expected %r, got a %s call %s %s" % (expected, kind, method, path))
        mismatches = [name for name in ("method", "path", "path_params", "params", "json")
                      if getattr(expected, name) != request.get(name)]
        if kind == "pages" and expected.page_size != details.get("page_size"):
            mismatches.append("page_size")
        if mismatches:
            raise AssertionError("call %s %s does not match %r in %s:\n  got:      %r\n  expected: %r" % (
                method, path, expected, ", ".join(mismatches), request,
                dict((name, getattr(expected, name)) for name in mismatches)))
        return expected, request

    def request(self, method, path, *, path_params=None, params=None, json=None, headers=None, ok=(200,),
                not_found_ok=False, idempotent=None):
        expected, request = self._next(method, path, "request", path_params=path_params, params=params, json=json,
                                       headers=headers, not_found_ok=not_found_ok, idempotent=idempotent)
        self.calls.append((method, path))
        self.requests.append(request)
        if not_found_ok and isinstance(expected.raises, ApiError) and expected.raises.status == 404:
            # The real client answers a 404 it was told to accept with a Response, whatever the error body says.
            return Response(404, dict(expected.headers), None, "rid-%d" % len(self.calls))
        if expected.raises is not None:
            raise expected.raises
        if expected.status in ok or (not_found_ok and expected.status == 404):
            response = Response(expected.status, dict(expected.headers), expected.body, "rid-%d" % len(self.calls))
            response.after_ambiguous_attempt = expected.after_ambiguous_attempt
            return response
        raise ApiError(expected.status, None, "scripted status", "rid-%d" % len(self.calls), method, path)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def get_or_none(self, path, **kwargs):
        response = self.request("GET", path, not_found_ok=True, **kwargs)
        return None if response.status == 404 else response.body

    def delete_if_exists(self, path, **kwargs):
        kwargs.setdefault("ok", (200, 202, 204))
        response = self.request("DELETE", path, not_found_ok=True, **kwargs)
        return None if response.status == 404 and not response.after_ambiguous_attempt else response

    def iter_continuation(self, method, path, *, path_params=None, params=None, json=None, page_size=None):
        expected, request = self._next(method, path, "pages", path_params=path_params, params=params, json=json,
                                       page_size=page_size)
        for number, page in enumerate(expected.pages):
            self.calls.append((method, path))
            self.requests.append(dict(request, page=number))
            if isinstance(page, Exception):
                raise page
            yield from page

    def iter_next_link(self, path, *, path_params=None, params=None, item_key="value", method="GET", page_size=None):
        """Answered by a pages(method, path, [...]) entry, each page counted as one exchange."""
        expected, request = self._next(method, path, "pages", path_params=path_params, params=params, json=None,
                                       page_size=page_size)
        for number, page in enumerate(expected.pages):
            self.calls.append((method, path))
            self.requests.append(dict(request, page=number))
            if isinstance(page, Exception):
                raise page
            yield from page

    def assert_done(self):
        assert not self.script, "expected calls never made: %r (calls made: %r)" % (self.script, self.calls)
