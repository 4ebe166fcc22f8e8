"""Fixtures for the emulator's tests: one emulator per test session (per xdist worker), reset before each test."""
import base64
import hashlib
import hmac
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from emulator.harness import running_emulator  # noqa: E402  (needs the repository root on sys.path)
from module_runs import pythonpath, run  # noqa: E402, F401  (fixtures: real module runs against the emulator)

API_VERSION = "2021-04-12"
SEED = 7
DEVICES = 100
TIER = "S3"
TIME_SCALE = 50


def parse_connection_string(text):
    return dict(part.split("=", 1) for part in text.split(";"))


def make_sas(host, policy, key, ttl=3600, now=None):
    """A service SAS token built independently of the emulator's code, the way azure-iot-hub builds it."""
    sr = quote(host, safe="")
    expiry = str(int((time.time() if now is None else now) + ttl))
    digest = hmac.new(base64.b64decode(key), (sr + "\n" + expiry).encode(), hashlib.sha256).digest()
    return "SharedAccessSignature sr=%s&sig=%s&se=%s&skn=%s" % (
        sr, quote(base64.b64encode(digest).decode(), safe=""), expiry, policy)


class Emulator:
    """The running emulator: its env, the control API and signed IoT Hub calls with plain requests."""

    def __init__(self, env):
        self.env = env
        self.url = env["EMULATOR_URL"]
        self.ca = env["REQUESTS_CA_BUNDLE"]
        parts = parse_connection_string(env["AZURE_IOTHUB_CONNECTION_STRING"])
        self.host, self.policy, self.key = parts["HostName"], parts["SharedAccessKeyName"], parts["SharedAccessKey"]
        # verify= on every call: a REQUESTS_CA_BUNDLE in the environment would override Session.verify.
        self.session = requests.Session()

    # --- control API ------------------------------------------------------------------------------------------
    def control(self, method, path, json=None, expect=(200, 201)):
        response = self.session.request(method, self.url + "/_emulator/" + path, json=json, verify=self.ca)
        assert response.status_code in expect, response.text
        return response.json()

    def reset(self, **body):
        return self.control("POST", "reset", json=body or None)

    def configure(self, **changes):
        return self.control("PATCH", "config", json=changes)

    # --- IoT Hub ----------------------------------------------------------------------------------------------
    def sas(self, host=None, **kwargs):
        return make_sas(host or self.host, self.policy, self.key, **kwargs)

    def hub(self, method, path, api_version=API_VERSION, auth=True, headers=None, **kwargs):
        params = dict(kwargs.pop("params", None) or {})
        if api_version is not None:
            params["api-version"] = api_version
        all_headers = {"Authorization": self.sas()} if auth else {}
        all_headers.update(headers or {})
        return self.session.request(method, self.url + path, params=params, headers=all_headers, verify=self.ca,
                                    **kwargs)

    def put_job(self, job_id, body, **kwargs):
        return self.hub("PUT", "/jobs/v2/" + job_id, json=dict(body, jobId=job_id), **kwargs)

    def get_job(self, job_id):
        response = self.hub("GET", "/jobs/v2/" + job_id)
        assert response.status_code == 200, response.text
        return response.json()

    def wait_job(self, job_id, statuses=("completed", "failed", "cancelled"), timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            job = self.get_job(job_id)
            if job["status"] in statuses:
                return job
            assert time.monotonic() < deadline, "job %s still %s" % (job_id, job["status"])
            time.sleep(0.02)

    def query(self, sql, page_size=None, continuation=None):
        headers = {}
        if page_size is not None:
            headers["x-ms-max-item-count"] = str(page_size)
        if continuation is not None:
            headers["x-ms-continuation"] = continuation
        return self.hub("POST", "/devices/query", json={"query": sql}, headers=headers)

    def query_all(self, sql, page_size=100):
        rows, token = [], None
        while True:
            response = self.query(sql, page_size, token)
            assert response.status_code == 200, response.text
            rows += response.json()
            token = response.headers.get("x-ms-continuation")
            if not token:
                return rows

    # --- request bodies -----------------------------------------------------------------------------------------
    @staticmethod
    def twin_job(query="*", tags=None, desired=None, start=None, **extra):
        patch = {"etag": "*"}
        if tags is not None:
            patch["tags"] = tags
        if desired is not None:
            patch["properties"] = {"desired": desired}
        return dict({"type": "scheduleUpdateTwin", "queryCondition": query, "updateTwin": patch,
                     "startTime": start or Emulator.iso_now(), "maxExecutionTimeInSeconds": 3600}, **extra)

    @staticmethod
    def method_job(query="*", name="reboot", payload=None, start=None, **extra):
        method = {"methodName": name, "payload": payload if payload is not None else {"delay": 0},
                  "responseTimeoutInSeconds": 30}
        return dict({"type": "scheduleDeviceMethod", "queryCondition": query, "cloudToDeviceMethod": method,
                     "startTime": start or Emulator.iso_now(), "maxExecutionTimeInSeconds": 3600}, **extra)

    @staticmethod
    def iso_now(offset_seconds=0):
        return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + offset_seconds))


@pytest.fixture(scope="session")
def emulator_session(tmp_path_factory):
    with running_emulator(tmp_path_factory.mktemp("emulator"), devices=DEVICES, seed=SEED, tier=TIER,
                          time_scale=TIME_SCALE) as env:
        yield Emulator(env)


@pytest.fixture
def emulator(emulator_session):
    """The session's emulator, back to its start state (devices, config, no jobs, no faults, empty log)."""
    emulator_session.reset(devices=DEVICES, seed=SEED)
    return emulator_session
