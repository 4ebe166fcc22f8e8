# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Reading one blob of a container the task names by a SAS URI (Azure Blob Storage's Get Blob): what an import job
wrote to its output container. The SAS in the URI is the only credential; the URI is a module secret, so messages
name the blob and never the URI."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit, urlunsplit

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ApiError, TransportError


def blob_url(container_uri, blob_name):
    """The URL of a blob in the container (the container URI's SAS query kept)."""
    parts = urlsplit(container_uri)
    path = parts.path.rstrip("/") + "/" + quote(blob_name, safe="")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def read_blob(client, container_uri, blob_name):
    """The blob's text, or None when the container has no such blob. Uses the client's session, TLS settings and
    timeout, without its service credentials (the SAS in the URI is the blob's)."""
    label = "GET <output container>/%s" % blob_name
    try:
        raw = client.session.request("GET", blob_url(container_uri, blob_name), headers={"x-ms-version": "2021-08-06"},
                                     timeout=client.timeout, verify=client.verify, allow_redirects=False)
    except Exception as exc:  # requests' exceptions: the message must not carry the URI
        raise TransportError("reading %s failed: %s" % (blob_name, type(exc).__name__), method="GET",
                             path=label) from None
    if raw.status_code == 404:
        return None
    if raw.status_code != 200:
        raise ApiError(raw.status_code, None, "the storage account refused to read %s" % blob_name,
                       (raw.headers or {}).get("x-ms-request-id"), "GET", label)
    return raw.content.decode("utf-8", errors="replace")


def import_errors(text):
    """importErrors.log: one JSON object a line (the line's key or id, errorCode, errorStatus) -> dicts; a line that
    is not JSON is kept as its text."""
    errors = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if not isinstance(item, dict):
            errors.append({"line": None, "device_id": None, "error_code": None, "error_status": line.strip()})
            continue
        errors.append({"line": item.get("line"), "device_id": item.get("key") or item.get("id") or item.get("deviceId"),
                       "error_code": item.get("errorCode"), "error_status": item.get("errorStatus")})
    return errors
