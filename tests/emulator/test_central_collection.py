# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's client, auth and IoT Central helpers (_iotcentral.find_jobs, what iotcentral_job_info runs)
against the emulator's IoT Central application: real TLS, real token checks, real nextLink paging."""

from __future__ import annotations

import pytest
from central_helpers import Central

from ansible_collections.azure_iot.jobs.plugins.module_utils._auth import ApiTokenAuth, iotcentral_auth
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import Client
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iotcentral_base_url
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import API_VERSION, find_jobs


def central_client(emulator, auth):
    base = iotcentral_base_url({"app_url": emulator.env["AZURE_IOTCENTRAL_APP_URL"]})
    return Client(base, auth, api_version=API_VERSION, ca_path=emulator.ca, max_retries=0)


@pytest.fixture
def central(emulator):
    return Central(emulator)


def test_find_jobs_reads_every_page_and_device_statuses(emulator, central):
    emulator.configure(central_page_size=2, central_failure_rate=0.3)
    for number in range(3):
        assert central.put_job("c%d" % number, group="gateway-devices", data=[
            {"type": "property", "target": "dtmi:azureiotjobs:gateway;1", "path": "fwVersion", "value": "2"}
        ]).status_code == 200
        central.wait("c%d" % number)
    client = central_client(emulator, ApiTokenAuth(emulator.env["AZURE_IOTCENTRAL_API_TOKEN"]))
    jobs = find_jobs(client, include_devices=True, device_status=["failed"])
    assert [job["job_id"] for job in jobs] == ["c0", "c1", "c2"]
    for job in jobs:
        assert job["status"] == "complete" and job["data"][0]["type"] == "property"
        assert len(job["devices"]) == job["progress"]["failed"]
        assert all(device["status"] == "failed" for device in job["devices"])
    # One page: the modules ask for maxpagesize=100 (issue 19), above the application's default page of two.
    assert emulator.control("GET", "requests")["GET /api/jobs"] == 1
    assert find_jobs(client, job_id="nope") == []
    (one,) = find_jobs(client, job_id="c1")
    assert one["group"] == "gateway-devices" and one["progress"]["total"] > 0


def test_entra_auth_reaches_the_application(emulator):
    env = emulator.env
    auth = iotcentral_auth({"auth_method": "client_secret", "tenant_id": env["AZURE_TENANT_ID"],
                            "client_id": env["AZURE_CLIENT_ID"], "client_secret": env["AZURE_CLIENT_SECRET"],
                            "authority_host": env["AZURE_AUTHORITY_HOST"], "ca_path": emulator.ca,
                            "validate_certs": True})
    assert find_jobs(central_client(emulator, auth)) == []


def test_wrong_api_token_gives_a_clear_401(emulator):
    token = emulator.env["AZURE_IOTCENTRAL_API_TOKEN"].replace("sig=", "sig=x")
    with pytest.raises(ApiError) as caught:
        find_jobs(central_client(emulator, ApiTokenAuth(token)))
    error = caught.value
    assert (error.status, error.code, error.method, error.path) == (401, "Unauthorized", "GET", "/jobs")
    assert "signature is not valid" in error.msg and token not in str(error.to_fail_json())
