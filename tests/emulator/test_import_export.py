"""Import/export jobs on the data plane (contract.md 2.6): lifecycle, quota, blob containers, the round trip."""
import json
import time
import uuid
from pathlib import Path

import pytest

TERMINAL = ("completed", "failed", "cancelled")


def container(emulator, name, sas=True):
    return emulator.url + "/_emulator/blobs/" + name + ("?sv=2021-08-06&sr=c&sp=rwdl&sig=c2lnbmF0dXJl" if sas else "")


def blob_dir(emulator, name):
    return Path(emulator.env["REQUESTS_CA_BUNDLE"]).parent / "blobs" / name


def start(emulator, body, expect=200):
    response = emulator.hub("POST", "/jobs/create", json=body)
    assert response.status_code == expect, response.text
    return response.json()


def wait(emulator, job_id, statuses=TERMINAL, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        response = emulator.hub("GET", "/jobs/" + job_id)
        assert response.status_code == 200, response.text
        job = response.json()
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, "job %s still %s" % (job_id, job["status"])
        time.sleep(0.02)


def export(emulator, name, **extra):
    job = start(emulator, dict({"type": "export", "outputBlobContainerUri": container(emulator, name)}, **extra))
    return wait(emulator, job["jobId"])


def test_export_lifecycle_and_blob(emulator):
    job = start(emulator, {"type": "export", "outputBlobContainerUri": container(emulator, "exp1"),
                           "excludeKeysInExport": True, "jobId": "ignored"})
    assert uuid.UUID(job["jobId"]) and job["jobId"] != "ignored"
    assert job["status"] == "enqueued" and job["progress"] == 0 and job["type"] == "export"
    assert job["useSecondaryStorageAsSource"] is False and job["startTimeUtc"].endswith("Z")
    done = wait(emulator, job["jobId"])
    assert done["status"] == "completed" and done["progress"] == 100 and done["endTimeUtc"] >= done["startTimeUtc"]
    lines = (blob_dir(emulator, "exp1") / "devices.txt").read_text().splitlines()
    devices = [json.loads(line) for line in lines]
    assert len(devices) == 100 and devices[0]["id"] == "device-00001"
    assert devices[0]["authentication"]["symmetricKey"] == {"primaryKey": None, "secondaryKey": None}
    assert devices[0]["tags"]["ring"] in ("canary", "early", "broad")
    listed = emulator.hub("GET", "/jobs").json()
    assert [j["jobId"] for j in listed] == [job["jobId"]]


def test_export_blob_name_and_keys(emulator):
    export(emulator, "exp2", outputBlobName="all.jsonl")
    first = json.loads((blob_dir(emulator, "exp2") / "all.jsonl").read_text().splitlines()[0])
    assert first["authentication"]["symmetricKey"]["primaryKey"]


def test_one_active_job_at_a_time(emulator):
    emulator.configure(time_scale=1)
    first = start(emulator, {"type": "export", "outputBlobContainerUri": container(emulator, "busy")})
    response = emulator.hub("POST", "/jobs/create", json={"type": "export",
                                                          "outputBlobContainerUri": container(emulator, "busy")})
    assert response.status_code == 403 and response.headers["iothub-errorcode"] == "JobQuotaExceeded"
    cancelled = emulator.hub("DELETE", "/jobs/" + first["jobId"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert wait(emulator, first["jobId"])["status"] == "cancelled"
    start(emulator, {"type": "export", "outputBlobContainerUri": container(emulator, "busy")})


@pytest.mark.parametrize("uri", ["https://example.com/container?sig=x", "not a uri", "", None,
                                 "https://127.0.0.1/_emulator/blobs/UPPER?sig=x", "/_emulator/blobs/c?sig=x"])
def test_bad_container_uri_is_400(emulator, uri):
    response = emulator.hub("POST", "/jobs/create", json={"type": "export", "outputBlobContainerUri": uri})
    assert response.status_code == 400
    assert response.headers["iothub-errorcode"] == "BlobContainerValidationError"


def test_key_based_needs_a_sas_identity_based_does_not(emulator):
    response = emulator.hub("POST", "/jobs/create", json={"type": "export", "outputBlobContainerUri":
                                                          container(emulator, "nosas", sas=False)})
    assert response.status_code == 400
    job = start(emulator, {"type": "export", "outputBlobContainerUri": container(emulator, "nosas", sas=False),
                           "storageAuthenticationType": "identityBased"})
    assert wait(emulator, job["jobId"])["status"] == "completed"


def test_unknown_job_is_404(emulator):
    for method in ("GET", "DELETE"):
        response = emulator.hub(method, "/jobs/" + str(uuid.uuid4()))
        assert response.status_code == 404 and response.headers["iothub-errorcode"] == "JobNotFound"


def test_import_modes_and_error_log(emulator):
    folder = blob_dir(emulator, "modes")
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        {"id": "new-1", "importMode": "create", "tags": {"site": "x"}, "properties": {"desired": {"a": 1}}},
        {"id": "device-00001", "importMode": "create"},  # exists: an error line
        {"id": "device-00002", "importMode": "update", "status": "disabled", "tags": {"ring": "pilot"}},
        {"id": "device-00003", "importMode": "delete"},
        {"id": "ghost", "importMode": "update"},  # missing: an error line
    ]
    (folder / "devices.txt").write_text("".join(json.dumps(line) + "\n" for line in lines))
    job = start(emulator, {"type": "import", "inputBlobContainerUri": container(emulator, "modes"),
                           "outputBlobContainerUri": container(emulator, "modes")})
    assert "inputBlobContainerUri" in job
    done = wait(emulator, job["jobId"])
    assert done["status"] == "completed" and "inputBlobContainerUri" not in done
    twin = emulator.hub("GET", "/twins/new-1").json()
    assert twin["tags"] == {"site": "x"} and twin["properties"]["desired"]["a"] == 1
    updated = emulator.hub("GET", "/twins/device-00002").json()
    assert updated["status"] == "disabled" and updated["tags"]["ring"] == "pilot"
    assert emulator.hub("GET", "/devices/device-00003").status_code == 404
    errors = [json.loads(line) for line in (folder / "importErrors.log").read_text().splitlines()]
    assert [(e["line"], e["errorCode"]) for e in errors] == [(2, "DeviceAlreadyExists"), (5, "DeviceNotFound")]


def test_import_of_a_missing_blob_fails(emulator):
    job = start(emulator, {"type": "import", "inputBlobContainerUri": container(emulator, "empty"),
                           "outputBlobContainerUri": container(emulator, "empty")})
    done = wait(emulator, job["jobId"])
    assert done["status"] == "failed" and "devices.txt" in done["failureReason"]


def snapshot(emulator):
    twins = emulator.query_all("SELECT * FROM devices", page_size=1000)
    return {t["deviceId"]: (t["status"], t["tags"], _desired(t)) for t in twins}


def _desired(twin):
    return {k: v for k, v in twin["properties"]["desired"].items() if not k.startswith("$")}


def test_round_trip_of_1000_devices(emulator):
    emulator.reset(devices=1000, seed=7)
    before = snapshot(emulator)
    keys = emulator.hub("GET", "/devices/device-00500").json()["authentication"]["symmetricKey"]
    assert len(before) == 1000
    export(emulator, "roundtrip")
    exported = (blob_dir(emulator, "roundtrip") / "devices.txt").read_text().splitlines()
    assert len(exported) == 1000
    # Wipe with an import in delete mode, then import the export as it is (createOrUpdate).
    wipe = blob_dir(emulator, "wipe")
    wipe.mkdir(parents=True, exist_ok=True)
    (wipe / "devices.txt").write_text("".join(json.dumps({"id": json.loads(line)["id"], "importMode": "delete"})
                                              + "\n" for line in exported))
    job = start(emulator, {"type": "import", "inputBlobContainerUri": container(emulator, "wipe"),
                           "outputBlobContainerUri": container(emulator, "wipe")})
    assert wait(emulator, job["jobId"])["status"] == "completed"
    assert emulator.query_all("SELECT * FROM devices") == []
    job = start(emulator, {"type": "import", "inputBlobContainerUri": container(emulator, "roundtrip"),
                           "outputBlobContainerUri": container(emulator, "roundtrip")})
    assert wait(emulator, job["jobId"])["status"] == "completed"
    assert (blob_dir(emulator, "roundtrip") / "importErrors.log").read_text() == ""
    assert snapshot(emulator) == before
    assert emulator.hub("GET", "/devices/device-00500").json()["authentication"]["symmetricKey"] == keys


def test_an_import_with_failed_lines_fails_the_module_with_them(emulator, run):
    """issue 16: the job says completed; the module reads importErrors.log through the output container URI."""
    folder = blob_dir(emulator, "errors-in")
    folder.mkdir(parents=True, exist_ok=True)
    lines = [{"id": "device-00001", "importMode": "create"},  # exists: DeviceAlreadyExists
             {"id": "brand-new-1", "importMode": "create"},
             {"id": "nobody", "importMode": "update"}]  # does not exist: DeviceNotFound
    (folder / "devices.txt").write_text("".join(json.dumps(line) + "\n" for line in lines))
    args = dict(type="import", input_container_uri=container(emulator, "errors-in"),
                output_container_uri=container(emulator, "errors-out"), wait=True, wait_sleep=1, ca_path=emulator.ca,
                connection_string=emulator.env["AZURE_IOTHUB_CONNECTION_STRING"])
    result = run("iothub_import_export_job", args)
    assert result["failed"] and result["job"]["status"] == "completed"
    assert [item["line"] for item in result["import_errors"]] == [1, 3]
    assert result["msg"].endswith("completed, but 2 of its lines were not imported (importErrors.log in the output "
                                  "container); see import_errors, or set fail_on_import_errors: false to accept them")
    assert "c2lnbmF0dXJl" not in json.dumps(result)
    accepted = run("iothub_import_export_job", dict(args, fail_on_import_errors=False, job_id=result["job_id"]))
    assert not accepted.get("failed") and len(accepted["import_errors"]) == 2
