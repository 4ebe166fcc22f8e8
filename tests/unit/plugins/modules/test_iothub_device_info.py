# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.modules import iothub_device_info as module
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, pages

CONN = {"connection_string": "HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=a2V5"}
QUERY = "/devices/query"

BAD = [
    (dict(query=""), "query must not be empty: omit it or use '*' to target all devices"),
    (dict(query="WHERE "), "query has nothing after WHERE: give a condition such as tags.ring = 'canary'"),
    (dict(query="SELECT * FROM devices"), "query must be the condition only (such as tags.ring = 'canary'), not a "
                                          "SELECT statement: IoT Hub runs SELECT * FROM devices WHERE <query>"),
    (dict(query="tags.ring = 'canary"), "query has an unterminated string literal: tags.ring = 'canary"),
    (dict(page_size=0), "page_size must be between 1 and 1000, got 0"),
    (dict(page_size=1001), "page_size must be between 1 and 1000, got 1001"),
]


@pytest.mark.parametrize("overrides, msg", BAD, ids=[case[1][:40] for case in BAD])
def test_bad_input_fails_before_any_client_call(run_module, overrides, msg):
    outcome = run_module(module, dict(CONN, **overrides))
    assert outcome.failed and outcome.msg == msg and outcome.factory_calls == []


def test_ids_of_every_page_sorted(run_module):
    client = FakeClient([pages("POST", QUERY, [[{"deviceId": "d3"}, {"deviceId": "d1"}], [{"deviceId": "d2"}]],
                               json={"query": "SELECT deviceId FROM devices WHERE tags.ring = 'canary'"},
                               page_size=500)])
    outcome = run_module(module, dict(CONN, query="WHERE  tags.ring = 'canary'", page_size=500), client=client,
                         check_mode=True)
    client.assert_done()
    assert client.calls == [("POST", QUERY), ("POST", QUERY)]
    assert outcome.result == {"changed": False, "query": "tags.ring = 'canary'", "device_ids": ["d1", "d2", "d3"],
                              "count": 3}


def test_all_devices_without_where(run_module):
    client = FakeClient([pages("POST", QUERY, [[]], json={"query": "SELECT deviceId FROM devices"})])
    outcome = run_module(module, CONN, client=client)
    client.assert_done()
    assert outcome.result["device_ids"] == [] and outcome.result["count"] == 0


def test_twins_projected(run_module):
    twin = {"deviceId": "d1", "status": "enabled", "connectionState": "Connected", "tags": {"ring": "canary"},
            "properties": {"desired": {"firmware": {"version": "1.2.0"}, "$version": 4, "$metadata": {}},
                           "reported": {"$version": 9}}}
    client = FakeClient([pages("POST", QUERY, [[twin]], json={"query": "SELECT * FROM devices"})])
    outcome = run_module(module, dict(CONN, include_twins=True), client=client)
    assert outcome.result["devices"] == [{"device_id": "d1", "status": "enabled", "connection_state": "Connected",
                                          "tags": {"ring": "canary"}, "desired": {"firmware": {"version": "1.2.0"}},
                                          "reported": {}}]
    assert outcome.result["device_ids"] == ["d1"] and outcome.result["count"] == 1


def test_api_error_is_reported_with_its_details(run_module):
    error = api_error(400, "BadRequest", "Syntax error", method="POST", path=QUERY)
    sql = "SELECT deviceId FROM devices WHERE tags.x == 1"
    client = FakeClient([pages("POST", QUERY, [error], json={"query": sql})])
    outcome = run_module(module, dict(CONN, query="tags.x == 1"), client=client)
    assert outcome.failed and outcome.result["status"] == 400 and outcome.result["error_code"] == "BadRequest"
    assert outcome.result["method"] == "POST" and outcome.result["path"] == QUERY


def test_count_only_is_one_count_query(run_module):
    client = FakeClient([pages("POST", QUERY, [[{"numberOfDevices": 42}]],
                               json={"query": "SELECT COUNT() AS numberOfDevices FROM devices WHERE tags.ring = 'x'"})])
    outcome = run_module(module, dict(CONN, query="tags.ring = 'x'", count_only=True), client=client)
    client.assert_done()
    assert client.calls == [("POST", QUERY)]
    assert outcome.result == {"changed": False, "query": "tags.ring = 'x'", "count": 42}
