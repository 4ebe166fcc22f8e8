"""IoT Central jobs through the REST API with requests (there is no official IoT Central data-plane SDK; the CLI's
calls are plain REST too): jobs, their devices, stop / resume / rerun, scheduled jobs. python py_central.py"""
import os
import sys
import uuid
from importlib.metadata import version

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Recorder, control, expect, wait_for  # noqa: E402

API_VERSION = "2022-07-31"
THERMOSTAT = "dtmi:azureiotjobs:thermostat;1"


def main():  # noqa: C901 - one small nested function per table cell
    rec = Recorder("requests %s (IoT Central REST)" % version("requests"))
    env = rec.env
    base = env["AZURE_IOTCENTRAL_APP_URL"] + "/api"
    session = requests.Session()
    session.headers["Authorization"] = env["AZURE_IOTCENTRAL_API_TOKEN"]

    def call(method, path, api_version=API_VERSION, expect_status=(200,), **kwargs):
        response = session.request(method, base + path, params={"api-version": api_version}, **kwargs)
        if response.status_code not in expect_status:
            raise AssertionError("%s %s: HTTP %s %s" % (method, path, response.status_code, response.text[:120]))
        return response.json() if response.content else None

    tag = uuid.uuid4().hex[:8]
    job_id, stop_id, failing_id = "central-" + tag, "central-stop-" + tag, "central-fail-" + tag

    def job_body(value, group="thermostat-devices"):
        return {"displayName": "conformance " + tag, "group": group,
                "data": [{"type": "property", "target": THERMOSTAT, "path": "fwVersion", "value": value}]}

    def templates():
        # The CLI's device-template calls send 2022-06-30-preview (contract.md 8).
        listed = call("GET", "/deviceTemplates", api_version="2022-06-30-preview")["value"]
        expect(any(t["@id"] == THERMOSTAT for t in listed), [t.get("@id") for t in listed])

    def create():
        expect(call("PUT", "/jobs/" + job_id, json=job_body("2.0.0"))["id"] == job_id, "no id")

    def get():
        job = wait_for(lambda: call("GET", "/jobs/" + job_id), lambda j: j["status"] not in ("pending", "running"),
                       job_id)
        expect(job["status"] == "complete", job)

    def devices():
        rows = call("GET", "/jobs/%s/devices" % job_id)["value"]
        expect(rows and all(row["status"] == "completed" for row in rows), rows[:3])
        return "%d devices" % len(rows)

    def stop_resume():
        control("PATCH", "config", {"central_device_ops_per_second": 1})
        try:
            call("PUT", "/jobs/" + stop_id, json=job_body("2.0.1", "all-devices"))
            call("POST", "/jobs/%s/stop" % stop_id, expect_status=(204,))
            expect(call("GET", "/jobs/" + stop_id)["status"] == "stopped", "not stopped")
            call("POST", "/jobs/%s/resume" % stop_id, expect_status=(204,))
            expect(call("GET", "/jobs/" + stop_id)["status"] in ("pending", "running"), "not resumed")
            call("POST", "/jobs/%s/stop" % stop_id, expect_status=(204,))  # leave no job holding a slot
        finally:
            control("PATCH", "config", {"central_device_ops_per_second": 20})

    def rerun():
        control("PATCH", "config", {"central_failure_rate": 0.5})
        try:
            call("PUT", "/jobs/" + failing_id, json=job_body("2.0.2"))
            wait_for(lambda: call("GET", "/jobs/" + failing_id), lambda j: j["status"] not in ("pending", "running"),
                     failing_id)
        finally:
            control("PATCH", "config", {"central_failure_rate": 0})
        rerun_id = failing_id + "-rerun"
        expect(call("PUT", "/jobs/%s/rerun/%s" % (failing_id, rerun_id))["id"] == rerun_id, "no rerun")
        job = wait_for(lambda: call("GET", "/jobs/" + rerun_id), lambda j: j["status"] not in ("pending", "running"),
                       rerun_id)
        expect(job["status"] == "complete", job)

    def list_jobs():
        ids, url = [], base + "/jobs?api-version=" + API_VERSION
        while url:
            page = session.get(url).json()
            ids += [job["id"] for job in page["value"]]
            url = page.get("nextLink")
        expect(job_id in ids and stop_id in ids, ids)

    def scheduled():
        sid = "sched-" + tag
        body = dict(job_body("3.0.0"), schedule={"start": "2030-01-01T00:00:00Z", "recurrence": "weekly",
                                                 "end": {"type": "occurrences", "occurrences": 4}})
        created = call("PUT", "/scheduledJobs/" + sid, json=body)
        # As az iot central scheduled-job update sends it: application/json, the whole schedule object.
        patched = call("PATCH", "/scheduledJobs/" + sid, json={"schedule": dict(body["schedule"], recurrence="daily"),
                                                               "enabled": False},
                       headers={"If-Match": created["etag"]})
        expect(patched["schedule"]["recurrence"] == "daily" and patched["enabled"] is False, patched)
        call("DELETE", "/scheduledJobs/" + sid, expect_status=(204,))

    def entra():
        from azure.identity import ClientSecretCredential
        credential = ClientSecretCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"],
                                            env["AZURE_CLIENT_SECRET"], authority=env["AZURE_AUTHORITY_HOST"],
                                            disable_instance_discovery=True)
        token = credential.get_token("https://apps.azureiotcentral.com/.default").token
        call("GET", "/jobs/" + job_id, headers={"Authorization": "Bearer " + token})

    for name, fn in [("central: device templates", templates), ("central: create job", create),
                     ("central: get job (complete)", get), ("central: job devices", devices),
                     ("central: stop + resume", stop_resume), ("central: rerun failed devices", rerun),
                     ("central: list jobs (nextLink)", list_jobs),
                     ("central: scheduled job PUT, PATCH (application/json), DELETE", scheduled),
                     ("central: Entra ID bearer token", entra)]:
        rec.op(name, fn)
    rec.report()


if __name__ == "__main__":
    main()
