# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit-test plumbing shared by every test under tests/unit.

(tests/conftest.py makes the checkout importable as ``ansible_collections.azure_iot.jobs``.)

1. ``scripted_http``: a fake requests.Session that answers a script of expected calls, in order, and fails the test on
   an unexpected or a missing call, so tests pin exact request sequences.
2. ``fake_time``: a clock and a sleep that only advance when slept, recording each delay.
3. ``identity``: a stand-in for azure.identity whose credentials record how they were made and the scopes asked
   for, and hand out the token bearer-token-1.
"""

from __future__ import annotations

import json
import sys
import types
from collections import namedtuple

import pytest


# ------------------------------------------------------------------------------------------------ scripted HTTP

_UNSET = object()


class FakeResponse(object):
    """The part of requests.Response the client reads."""

    def __init__(self, status, body=None, headers=None, reason=None, raw=None):
        self.status_code = status
        self.headers = dict(headers or {})
        self.reason = reason if reason is not None else ""
        if raw is not None:
            self.content = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        elif body is None:
            self.content = b""
        else:
            self.content = json.dumps(body).encode("utf-8")


class Call(object):
    def __init__(self, method, url, json_body, headers, absent_headers, response, raises):
        self.method = method
        self.url = url
        self.json = json_body
        self.headers = headers or {}
        self.absent_headers = absent_headers or ()
        self.response = response
        self.raises = raises


class ScriptedSession(object):
    """A stand-in for requests.Session: expect() calls in order, then let the client run.

    expect(method, url, json=..., headers={...}, absent_headers=(...), status=200, body=..., response_headers=...,
    raw=..., reason=..., raises=exc). json is compared exactly when given (json=None asserts no body); headers are
    compared case-insensitively, only the names given.
    """

    def __init__(self):
        self.script = []
        self.calls = []

    def expect(self, method, url, *, json=_UNSET, headers=None, absent_headers=None, status=200, body=None,
               response_headers=None, raw=None, reason=None, raises=None):
        response = FakeResponse(status, body, response_headers, reason, raw)
        self.script.append(Call(method, url, json, headers, absent_headers, response, raises))
        return self

    def request(self, method, url, **kwargs):
        self.calls.append(dict(kwargs, method=method, url=url))
        if not self.script:
            pytest.fail("unexpected request %s %s (the script has no more calls)" % (method, url))
        call = self.script.pop(0)
        assert (method, url) == (call.method, call.url), "request %d out of script" % len(self.calls)
        if call.json is not _UNSET:
            assert kwargs.get("json") == call.json, "body of %s %s" % (method, url)
        sent = dict((k.lower(), v) for k, v in (kwargs.get("headers") or {}).items())
        for name, value in call.headers.items():
            assert sent.get(name.lower()) == value, "header %s of %s %s" % (name, method, url)
        for name in call.absent_headers:
            assert name.lower() not in sent, "header %s must not be sent with %s %s" % (name, method, url)
        if call.raises is not None:
            raise call.raises
        return call.response

    def assert_done(self):
        left = ["%s %s" % (c.method, c.url) for c in self.script]
        assert not left, "expected requests never sent: %s" % ", ".join(left)


@pytest.fixture
def scripted_http():
    session = ScriptedSession()
    yield session
    session.assert_done()


# ------------------------------------------------------------------------------------------------ fake time

class FakeTime(object):
    """clock() for monotonic time, sleep() that advances it and records the delays, wall() for epoch time."""

    def __init__(self, start=1000.0, wall_start=1700000000.0):
        self.now = start
        self.wall_start = wall_start
        self.start = start
        self.sleeps = []

    def clock(self):
        return self.now

    def wall(self):
        return self.wall_start + (self.now - self.start)

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


# ------------------------------------------------------------------------------------------------ fake azure.identity

AccessToken = namedtuple("AccessToken", ["token", "expires_on"])


@pytest.fixture
def identity(monkeypatch):
    created = []

    class Credential(object):
        def __init__(self, *args, **kwargs):
            created.append((type(self).__name__, args, kwargs))

        def get_token(self, *scopes):
            created.append(("get_token", scopes, {}))
            return AccessToken("bearer-token-1", 4102444800)

    module = types.ModuleType("azure.identity")
    for name in ("ClientSecretCredential", "ManagedIdentityCredential", "AzureCliCredential",
                 "DefaultAzureCredential"):
        setattr(module, name, type(name, (Credential,), {}))
    monkeypatch.setitem(sys.modules, "azure.identity", module)
    return created
