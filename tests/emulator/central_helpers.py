"""Helpers for the IoT Central tests: signed calls to /api with plain requests, an independent API-token maker."""
import base64
import hashlib
import hmac
import time
from urllib.parse import quote

API_VERSION = "2022-07-31"
SESSION_SEED = 7  # conftest.SEED (conftest cannot be imported by name: tests/unit has one too)
TERMINAL = ("complete", "failed", "cancelled")
THERMOSTAT = "dtmi:azureiotjobs:thermostat;1"
SENSOR = "dtmi:azureiotjobs:sensor;1"
GATEWAY = "dtmi:azureiotjobs:gateway;1"
TEMPLATES = (THERMOSTAT, SENSOR, GATEWAY)


def parse_token(token):
    scheme, _space, fields = token.partition(" ")
    assert scheme == "SharedAccessSignature"
    return dict(field.split("=", 1) for field in fields.split("&"))


def make_token(app_id, token_id, key, expiry_ms):
    """An IoT Central API token signed like the emulator's own (contract.md section 0), built independently."""
    digest = hmac.new(key, ("%s\n%s\n%s" % (app_id, token_id, expiry_ms)).encode(), hashlib.sha256).digest()
    return "SharedAccessSignature sr=%s&sig=%s&skn=%s&se=%s" % (
        app_id, quote(base64.b64encode(digest).decode(), safe=""), token_id, expiry_ms)


class Central:
    def __init__(self, emulator):
        self.emulator = emulator
        self.token = emulator.env["AZURE_IOTCENTRAL_API_TOKEN"]
        self.base = emulator.env["AZURE_IOTCENTRAL_APP_URL"].rstrip("/") + "/api"

    def call(self, method, path, api_version=API_VERSION, auth=None, params=None, **kwargs):
        query = list(params.items() if isinstance(params, dict) else params or [])
        if api_version is not None:
            query.append(("api-version", api_version))
        headers = {"Authorization": auth if auth is not None else self.token}
        if auth == "":
            headers = {}
        url = path if path.startswith("https://") else self.base + path
        return self.emulator.session.request(method, url, params=query, headers=headers, verify=self.emulator.ca,
                                             **kwargs)

    def ok(self, method, path, status=200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def put_job(self, job_id, group="all-devices", data=None, **extra):
        body = dict({"displayName": "job " + job_id, "group": group, "data": data or [
            {"type": "property", "target": template, "path": "fwVersion", "value": "2.0.0"}
            for template in TEMPLATES]}, **extra)
        return self.call("PUT", "/jobs/" + job_id, json=body)

    def job(self, job_id):
        return self.ok("GET", "/jobs/" + job_id)

    def wait(self, job_id, statuses=TERMINAL, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job["status"] in statuses:
                return job
            assert time.monotonic() < deadline, "job %s still %s" % (job_id, job["status"])
            time.sleep(0.02)

    def all_pages(self, path, params=None):
        items, response = [], self.ok("GET", path, params=params)
        pages = 1
        while True:
            items += response["value"]
            if "nextLink" not in response:
                return items, pages
            # As the CLI does: api-version again on a nextLink that already carries it (contract.md 4.7).
            response = self.ok("GET", response["nextLink"])
            pages += 1
