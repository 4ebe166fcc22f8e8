"""Azure Resource Manager, Microsoft.Devices/IotHubs jobs (contract.md section 3), api-version 2023-06-30.

    GET  /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Devices/IotHubs/{hub}/jobs  (nextLink paging)
    GET  .../jobs/{jobId}
    POST .../exportDevices, .../importDevices

ARM jobs are the hub's import/export jobs (the same ImportExportEngine as the data plane's /jobs), shown as
JobResponse with RFC 1123 times. Auth is an Entra bearer token for the ARM endpoint. Errors of the IoT Hub resource
provider are flat ErrorDetails {code, httpStatusCode, message}; the front door's (auth, api-version, unknown
subscription / resource group / hub) use the {"error": {"code", "message"}} envelope.
"""
from .routes import setup

__all__ = ["setup"]
