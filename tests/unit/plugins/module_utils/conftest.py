# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for the module_utils tests: a static auth object and a Client factory wired to the scripted session."""

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Client

BASE = "https://myhub.azure-devices.net"


class StaticAuth(object):
    """headers() hands out token-1, token-2, ... so tests can see that every attempt asks again."""

    def __init__(self, prefix="SharedAccessSignature sr=myhub&sig=SIGVALUE&se=1&skn=p", rotate=False):
        self.prefix = prefix
        self.rotate = rotate
        self.calls = 0

    def headers(self):
        self.calls += 1
        return {"Authorization": "%s%s" % (self.prefix, self.calls if self.rotate else "")}

    def secrets(self):
        return ["SIGVALUE", "the-key"]


@pytest.fixture
def rotating_auth():
    """An auth whose Authorization header is Bearer t1, Bearer t2, ... on successive calls."""
    return StaticAuth(prefix="Bearer t", rotate=True)


@pytest.fixture
def warnings_seen():
    return []


@pytest.fixture
def make_client(scripted_http, fake_time, warnings_seen):
    """make_client(**kwargs) -> Client on BASE with api-version 2021-04-12, fake time and rand 0.5."""

    def factory(base_url=BASE, auth=None, **kwargs):
        options = dict(api_version="2021-04-12", warn=warnings_seen.append, sleep=fake_time.sleep,
                       clock=fake_time.clock, rand=lambda: 0.5, session=scripted_http)
        options.update(kwargs)
        return Client(base_url, auth or StaticAuth(), **options)

    return factory
