# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's own client and auth against the running emulator: real TLS, real SAS checks, real paging."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import EntraAuth, SasAuth, iothub_auth
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import (
    ApiError,
    ConnectionStringError,
    TransportError,
)

WRONG_KEY = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmc="


def hub_client(emulator, connection_string=None, **kwargs):
    auth = SasAuth(connection_string or emulator.env["AZURE_IOTHUB_CONNECTION_STRING"])
    return Client("https://" + auth.host_name, auth, api_version="2021-04-12", ca_path=emulator.ca, **kwargs)


def test_continuation_paging_reads_every_device_once(emulator):
    client = hub_client(emulator)
    rows = list(client.iter_continuation("POST", "/devices/query", json={"query": "SELECT * FROM devices"},
                                         page_size=7))
    ids = [row["deviceId"] for row in rows]
    assert len(ids) == len(set(ids)) == 100
    counts = emulator.control("GET", "requests")
    assert counts["POST /devices/query"] == 15  # ceil(100 / 7)


def test_unknown_job_is_the_observed_unknown_body(emulator):
    response = hub_client(emulator).get("/jobs/v2/{job_id}", path_params={"job_id": "no-such-job"})
    assert response.body == {"jobId": "no-such-job", "type": "unknown", "status": "unknown"}
    assert response.request_id


def test_wrong_key_gives_one_line_401_without_secrets(emulator):
    good = emulator.env["AZURE_IOTHUB_CONNECTION_STRING"]
    wrong = good.replace(emulator.key, WRONG_KEY)
    client = hub_client(emulator, wrong)
    with pytest.raises(ApiError) as caught:
        client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    error = caught.value
    expected = (401, "IotHubUnauthorizedAccess", "GET", "/jobs/v2/{job_id}")
    assert (error.status, error.code, error.method, error.path) == expected
    assert error.msg.startswith("GET /jobs/v2/{job_id} failed: HTTP 401 IotHubUnauthorizedAccess: ")
    assert "\n" not in error.msg
    token = client.auth.token()
    signature = token.split("sig=")[1].split("&")[0]
    for secret in (WRONG_KEY, emulator.key, token, signature):
        assert secret not in error.msg
        assert secret not in str(error.to_fail_json())


def test_malformed_connection_string_names_the_option_and_hides_the_key(emulator):
    broken = emulator.env["AZURE_IOTHUB_CONNECTION_STRING"].replace("SharedAccessKeyName=", "KeyName=")
    with pytest.raises(ConnectionStringError) as caught:
        iothub_auth({"connection_string": broken, "auth_method": "auto"})
    assert caught.value.msg.startswith("connection_string is malformed")
    assert emulator.key not in caught.value.msg
    assert "\n" not in caught.value.msg


def test_unreachable_host_names_host_and_cause(emulator):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
    client = Client("https://127.0.0.1:%d" % port, SasAuth(emulator.env["AZURE_IOTHUB_CONNECTION_STRING"]),
                    api_version="2021-04-12", max_retries=0)
    with pytest.raises(TransportError) as caught:
        client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg == "Cannot connect to https://127.0.0.1:%d (connection refused)" % port


def test_untrusted_certificate_says_how_to_fix_it(emulator):
    client = hub_client(emulator)
    client.verify = True  # the system CA store does not know the emulator's CA
    client.session.trust_env = False
    with pytest.raises(TransportError) as caught:
        client.get("/jobs/v2/{job_id}", path_params={"job_id": "j1"})
    assert caught.value.msg.startswith("TLS certificate verification failed for https://%s: " % emulator.host)
    assert caught.value.msg.endswith("; set ca_path or validate_certs")


def test_entra_client_secret_token_is_accepted_by_the_hub(emulator):
    env = emulator.env
    auth = EntraAuth("client_secret", "https://iothubs.azure.net/.default", tenant_id=env["AZURE_TENANT_ID"],
                     client_id=env["AZURE_CLIENT_ID"], client_secret=env["AZURE_CLIENT_SECRET"],
                     authority_host=env["AZURE_AUTHORITY_HOST"], ca_path=emulator.ca)
    client = Client("https://" + env["AZURE_IOTHUB_HOSTNAME"], auth, api_version="2021-04-12", ca_path=emulator.ca)
    response = client.post("/devices/query", json={"query": "SELECT COUNT() AS n FROM devices"})
    assert response.body == [{"n": 100}]
