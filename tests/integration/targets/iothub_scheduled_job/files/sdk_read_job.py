#!/usr/bin/env python
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read one scheduled job with the official azure-iot-hub SDK and print it as JSON, in the module's key names.

Usage: sdk_read_job.py JOB_ID (the connection string comes from AZURE_IOTHUB_CONNECTION_STRING; TLS trust from
REQUESTS_CA_BUNDLE).
"""

from __future__ import annotations

import json
import os
import sys

from azure.iot.hub import IoTHubJobManager


def iso(value):
    return value.isoformat() if value is not None else None


def main():
    manager = IoTHubJobManager.from_connection_string(os.environ["AZURE_IOTHUB_CONNECTION_STRING"])
    job = manager.get_scheduled_job(sys.argv[1])
    twin = job.update_twin
    method = job.cloud_to_device_method
    stats = job.device_job_statistics
    print(json.dumps({
        "job_id": job.job_id,
        "type": job.type,
        "status": job.status,
        "query": job.query_condition,
        "start_time": iso(job.start_time),
        "end_time": iso(job.end_time),
        "created_time": iso(job.created_time),
        "max_execution_time": job.max_execution_time_in_seconds,
        "tags": twin.tags if twin is not None else None,
        "desired": twin.properties.desired if twin is not None and twin.properties is not None else None,
        "method_name": method.method_name if method is not None else None,
        "statistics": None if stats is None else {
            "device_count": stats.device_count,
            "succeeded": stats.succeeded_count,
            "failed": stats.failed_count,
            "pending": stats.pending_count,
            "running": stats.running_count,
        },
    }, sort_keys=True))


if __name__ == "__main__":
    main()
