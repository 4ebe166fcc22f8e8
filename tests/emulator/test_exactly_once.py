# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exactly once, whatever the network does (issue 14): every write route of the collection, with its answer lost in
each way a network loses one AFTER the service applied the request, run through the real module against the
emulator (not mocks). Each case checks that the task did not fail, reported `changed: true` (its own request made the
change), and that the service holds exactly what was asked for: the state, and never a second job.

docs/reliability.md shows this matrix.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from central_helpers import Central
from module_runs import MODULES, central_args, clean_environ, export_args, fault, hub_args, hub_jobs, statuses

LOST = {
    "500": dict(status=500),
    "503": dict(status=503),
    "504": dict(status=504),
    "dropped": dict(drop=True),
    "read-timeout": dict(latency=2.5),  # the module's timeout is 1 s: it gives up while the service has applied it
}
ARM_HUB = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Devices/IotHubs/{hub}"
GATEWAY_DATA = [{"type": "property", "target": "dtmi:azureiotjobs:gateway;1", "path": "fwVersion", "value": "2.0.0"}]


def arm_args(emulator, **extra):
    env = emulator.env
    return dict(subscription_id=env["AZURE_SUBSCRIPTION_ID"], resource_group=env["AZURE_RESOURCE_GROUP"],
                hub_name=env["AZURE_IOTHUB_NAME"], arm_endpoint=env["AZURE_ARM_ENDPOINT"], auth_method="client_secret",
                tenant_id=env["AZURE_TENANT_ID"], client_id=env["AZURE_CLIENT_ID"],
                client_secret=env["AZURE_CLIENT_SECRET"], authority_host=env["AZURE_AUTHORITY_HOST"],
                ca_path=emulator.ca, **extra)


def schedule_args(emulator, job_id, **extra):
    app = dict((key, value) for key, value in central_args(emulator, job_id).items()
               if key in ("app_url", "api_token", "ca_path", "job_id", "group", "data"))
    return dict(app, schedule={"start": emulator.iso_now(86400).replace(".000Z", "Z"), "recurrence": "daily"},
                **extra)


def export_ids(emulator):
    return [job["jobId"] for job in emulator.hub("GET", "/jobs").json()]


# -- each write route: prepare, the module run, what the service must hold afterwards ---------------------------

def hub_create(emulator, central):
    return "PUT /jobs/v2/{id}", "iothub_scheduled_job", hub_args(emulator, "once"), lambda result: (
        len(hub_jobs(emulator, "once")) == 1 and result["job"]["twin_patch"]["tags"] == {"fault": "once"})


def hub_cancel(emulator, central):
    emulator.configure(cancel_read_lag=1.0)  # a cancelled job still reads "scheduled" for a moment (contract 7)
    body = emulator.twin_job(query="*", tags={"later": "yes"}, start=emulator.iso_now(3600))
    assert emulator.put_job("later", body).status_code == 200
    args = dict(hub_args(emulator, "later"), state="absent")
    return "POST /jobs/v2/{id}/cancel", "iothub_scheduled_job", args, lambda result: (
        emulator.wait_job("later")["status"] == "cancelled" and len(hub_jobs(emulator, "later")) == 1)


def export_create(emulator, central):
    emulator.configure(time_scale=0.1)  # the export stays active: a second run finds it instead of exporting again
    return "POST /jobs/create", "iothub_import_export_job", export_args(emulator), lambda result: (
        export_ids(emulator) == [result["job_id"]])


def export_cancel(emulator, central):
    emulator.configure(time_scale=0.1)  # the export stays enqueued while the task cancels it
    started = emulator.hub("POST", "/jobs/create", json={
        "type": "export", "outputBlobContainerUri": export_args(emulator)["output_container_uri"],
        "storageAuthenticationType": "keyBased", "excludeKeysInExport": True}).json()
    args = dict(export_args(emulator), state="absent", job_id=started["jobId"])
    return "DELETE /jobs/{id}", "iothub_import_export_job", args, lambda result: (
        emulator.hub("GET", "/jobs/" + started["jobId"]).json()["status"] == "cancelled"
        and export_ids(emulator) == [started["jobId"]])


def arm_export(emulator, central):
    args = arm_args(emulator, api="arm", type="export",
                    output_container_uri=export_args(emulator)["output_container_uri"])
    return "POST %s/exportDevices" % ARM_HUB, "iothub_import_export_job", args, lambda result: (
        export_ids(emulator) == [result["job_id"]])


def central_create(emulator, central):
    return "PUT /api/jobs/{id}", "iotcentral_job", central_args(emulator, "once"), lambda result: (
        [job["id"] for job in central.ok("GET", "/jobs")["value"]] == ["once"])


def central_stop(emulator, central):
    emulator.configure(central_device_ops_per_second=1, time_scale=0.5)  # minutes per job: it is still running
    assert central.put_job("slow", group="gateway-devices", data=GATEWAY_DATA).status_code == 200
    args = dict(central_args(emulator, "slow"), state="stopped", group=None, data=None)
    return "POST /api/jobs/{id}/stop", "iotcentral_job", args, lambda result: (
        central.job("slow")["status"] == "stopped")


def central_resume(emulator, central):
    emulator.configure(central_device_ops_per_second=1, time_scale=0.5)  # minutes per job: it is still running
    assert central.put_job("paused", group="gateway-devices", data=GATEWAY_DATA).status_code == 200
    assert central.call("POST", "/jobs/paused/stop").status_code in (200, 202, 204)
    assert central.job("paused")["status"] == "stopped"
    args = dict(central_args(emulator, "paused"), state="running", group=None, data=None)
    return "POST /api/jobs/{id}/resume", "iotcentral_job", args, lambda result: (
        central.job("paused")["status"] in ("pending", "running", "complete"))


def central_rerun(emulator, central):
    emulator.configure(central_failure_rate=0.5)
    assert central.put_job("flaky", group="gateway-devices", data=GATEWAY_DATA).status_code == 200
    central.wait("flaky")
    args = dict(central_args(emulator, "flaky"), rerun="flaky-again", group=None, data=None)
    return "PUT /api/jobs/{id}/rerun/{rerun_id}", "iotcentral_job", args, lambda result: (
        sorted(job["id"] for job in central.ok("GET", "/jobs")["value"]) == ["flaky", "flaky-again"]
        and result["job"]["job_id"] == "flaky-again")


def scheduled_create(emulator, central):
    return "PUT /api/scheduledJobs/{id}", "iotcentral_scheduled_job", schedule_args(emulator, "nightly"), \
        lambda result: central.ok("GET", "/scheduledJobs/nightly")["enabled"] is True


def _existing_schedule(emulator, central, run):
    done = run("iotcentral_scheduled_job", schedule_args(emulator, "nightly"))
    assert done["changed"] and not done.get("failed")
    emulator.control("DELETE", "requests")


def scheduled_update(emulator, central):
    return "PATCH /api/scheduledJobs/{id}", "iotcentral_scheduled_job", \
        schedule_args(emulator, "nightly", enabled=False), \
        lambda result: central.ok("GET", "/scheduledJobs/nightly")["enabled"] is False


def scheduled_delete(emulator, central):
    args = dict(schedule_args(emulator, "nightly"), state="absent")
    return "DELETE /api/scheduledJobs/{id}", "iotcentral_scheduled_job", args, \
        lambda result: central.call("GET", "/scheduledJobs/nightly").status_code == 404


WRITES = {
    "hub job create": (hub_create, None),
    "hub job cancel": (hub_cancel, None),
    "import/export create": (export_create, None),
    "import/export cancel": (export_cancel, None),
    "ARM exportDevices": (arm_export, None),
    "central job create": (central_create, None),
    "central job stop": (central_stop, None),
    "central job resume": (central_resume, None),
    "central job rerun": (central_rerun, None),
    "scheduled job create": (scheduled_create, None),
    "scheduled job update": (scheduled_update, _existing_schedule),
    "scheduled job delete": (scheduled_delete, _existing_schedule),
}


@pytest.mark.parametrize("lost", sorted(LOST))
@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_whose_answer_is_lost_after_it_was_applied_converges(emulator, run, write, lost):
    central = Central(emulator)
    prepare, existing = WRITES[write]
    if existing is not None:
        existing(emulator, central, run)
    route, module, args, holds_what_was_asked = prepare(emulator, central)
    fault(emulator, route, when="after", count=1, **LOST[lost])
    result = run(module, dict(args, timeout=1))
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True, result
    if lost != "read-timeout":  # a late answer is logged once it is sent, which may be after the module ended
        assert LOST[lost].get("status") in statuses(emulator, route)
    assert holds_what_was_asked(result), result
    # And the same task again is no change (the cancel and delete cases: nothing left to do). Not for an ARM export:
    # ARM does not show a job's parameters, so a second task cannot tell the active export is its own (documented).
    if write != "ARM exportDevices":
        emulator.control("DELETE", "faults")
        again = run(module, dict(args, timeout=1))
        assert not again.get("failed") and again["changed"] is False, again


def test_twenty_parallel_runs_make_one_job_and_one_change(emulator, pythonpath, tmp_path):
    """20 forks creating the same hub job: one job, and exactly one task reports changed (its PUT made it)."""
    processes = []
    for number in range(20):
        path = tmp_path / ("args-%d.json" % number)
        path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": hub_args(emulator, "forked")}))
        processes.append(subprocess.Popen([sys.executable, "-m", MODULES + "iothub_scheduled_job", str(path)],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                          env=clean_environ(PYTHONPATH=pythonpath), cwd=str(tmp_path)))
    deadline = time.monotonic() + 120
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=max(1, deadline - time.monotonic()))
        assert "Traceback" not in stdout + stderr, stdout + stderr
        results.append(json.loads(stdout))
    assert [result.get("failed", False) for result in results] == [False] * 20
    assert sum(1 for result in results if result["changed"]) == 1
    assert len(hub_jobs(emulator, "forked")) == 1
    assert statuses(emulator, "PUT /jobs/v2/{id}").count(200) == 1
