"""The hand-written alternative: a plain requests loop over the devices.jobs query, page after page.

    python -m bench.plain_device_results JOB_ID [PAGE_SIZE [DEST]]

Without DEST prints {"device_results": [...]} (every raw row) on stdout, as a module would return them; with DEST
writes each page's rows to that file as JSON Lines as it arrives (nothing held beyond one page) and prints the
count. Without PAGE_SIZE (or with 0) no x-ms-max-item-count header is sent (the hub's default page of 100).
"""
import json
import os
import sys

import requests

from bench.common import API_VERSION, sas_token


def pages(job_id, page_size=None):
    session = requests.Session()
    session.verify = os.environ["REQUESTS_CA_BUNDLE"]
    url = "https://%s/devices/query" % os.environ["AZURE_IOTHUB_HOSTNAME"]
    headers = {"Authorization": sas_token(os.environ["AZURE_IOTHUB_CONNECTION_STRING"])}
    if page_size and int(page_size):
        headers["x-ms-max-item-count"] = str(page_size)
    query = {"query": "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '%s'" % job_id}
    while True:
        response = session.post(url, params={"api-version": API_VERSION}, json=query, headers=headers, timeout=60)
        response.raise_for_status()
        yield response.json()
        token = response.headers.get("x-ms-continuation")
        if not token:
            return
        headers["x-ms-continuation"] = token


def main(job_id, page_size=None, dest=None):
    if dest is None:
        json.dump({"device_results": [row for page in pages(job_id, page_size) for row in page]}, sys.stdout)
        return
    count = 0
    with open(dest, "w", encoding="utf-8") as handle:
        for page in pages(job_id, page_size):
            for row in page:
                handle.write(json.dumps(row, separators=(",", ":")) + "\n")
            count += len(page)
    json.dump({"rows": count}, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:])
