"""The hand-written alternative: a plain requests loop over the devices.jobs query, page after page.

    python -m bench.plain_device_results JOB_ID [PAGE_SIZE]

Prints {"device_results": [...]} (every raw row) on stdout, as a module would return them. Without PAGE_SIZE no
x-ms-max-item-count header is sent (the hub's default page of 100).
"""
import json
import os
import sys

import requests

from bench.common import API_VERSION, sas_token


def main(job_id, page_size=None):
    session = requests.Session()
    session.verify = os.environ["REQUESTS_CA_BUNDLE"]
    url = "https://%s/devices/query" % os.environ["AZURE_IOTHUB_HOSTNAME"]
    headers = {"Authorization": sas_token(os.environ["AZURE_IOTHUB_CONNECTION_STRING"])}
    if page_size:
        headers["x-ms-max-item-count"] = page_size
    query = {"query": "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '%s'" % job_id}
    rows = []
    while True:
        response = session.post(url, params={"api-version": API_VERSION}, json=query, headers=headers, timeout=60)
        response.raise_for_status()
        rows.extend(response.json())
        token = response.headers.get("x-ms-continuation")
        if not token:
            break
        headers["x-ms-continuation"] = token
    json.dump({"device_results": rows}, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:])
