"""azure-mgmt-iothub (4.x or 5.x, whichever this interpreter has), unmodified, with its default api-version:
ARM import/export jobs, list and get jobs, the hub, its statistics and keys. python py_mgmt.py"""
import os
import sys
from importlib.metadata import version

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import TERMINAL, Recorder, blob_container, expect, wait_for  # noqa: E402

from azure.identity import ClientSecretCredential  # noqa: E402
from azure.mgmt.iothub import IotHubClient  # noqa: E402
from azure.mgmt.iothub.models import ExportDevicesRequest, ImportDevicesRequest  # noqa: E402


def main():
    rec = Recorder("azure-mgmt-iothub %s (Python)" % version("azure-mgmt-iothub"))
    env = rec.env
    # authority and disable_instance_discovery point Entra ID at the emulator; the default credential scope
    # (https://management.azure.com/.default) and the client's default api-version are left alone.
    credential = ClientSecretCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"],
                                        authority=env["AZURE_AUTHORITY_HOST"], disable_instance_discovery=True)
    client = IotHubClient(credential, env["AZURE_SUBSCRIPTION_ID"], base_url=env["AZURE_ARM_ENDPOINT"])
    hubs = client.iot_hub_resource
    group, hub = env["AZURE_RESOURCE_GROUP"], env["AZURE_IOTHUB_NAME"]
    rec.notes.append("api-version %s" % client._config.api_version)
    state = {}

    def done(job):
        return job.status in TERMINAL

    def export():
        job = hubs.export_devices(group, hub, ExportDevicesRequest(
            export_blob_container_uri=blob_container("mgmtexport"), exclude_keys=False))
        state["export"] = job.job_id
        expect(job.type == "export", job)

    def get_export():
        job = wait_for(lambda: hubs.get_job(group, hub, state["export"]), done, "export")
        expect(job.status == "completed", job.as_dict())

    def import_():
        container = blob_container("mgmtexport")
        job = hubs.import_devices(group, hub, ImportDevicesRequest(input_blob_container_uri=container,
                                                                   output_blob_container_uri=container))
        state["import"] = job.job_id
        expect(wait_for(lambda: hubs.get_job(group, hub, job.job_id), done, "import").status == "completed", job)

    def list_jobs():
        ids = [job.job_id for job in hubs.list_jobs(group, hub)]
        expect(state["export"] in ids and state["import"] in ids, ids)
        return "%d jobs" % len(ids)

    def get_hub():
        description = hubs.get(group, hub)
        expect(description.name == hub and description.properties.host_name == env["AZURE_IOTHUB_HOSTNAME"],
               description.as_dict())

    def stats():
        expect(hubs.get_stats(group, hub).total_device_count >= 1, "no devices")

    def keys():
        names = [rule.key_name for rule in hubs.list_keys(group, hub)]
        expect("iothubowner" in names, names)

    for name, fn in [("export: create", export), ("export: get (completed)", get_export), ("import: create", import_),
                     ("import/export: list", list_jobs), ("hub: get", get_hub), ("hub: statistics", stats),
                     ("hub: list keys", keys)]:
        rec.op(name, fn)
    rec.report()


if __name__ == "__main__":
    main()
