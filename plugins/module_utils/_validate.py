# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Checks of option values that need no call, as plain functions: each returns the value or raises a
ValidationError whose msg names the option and the rule. Modules run them before any client exists.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from urllib.parse import urlsplit

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError

# What never passes in a value that becomes a URL path segment: the HTTP stack would collapse "." and "..", and these
# characters end, escape or split a segment (or hide in logs).
_NEVER_IN_SEGMENT = re.compile(r"[/?#%\\\s\x00-\x1f\x7f]")


class IdRule(object):
    """The characters and the length a service allows in an id that becomes a URL path segment."""

    def __init__(self, allowed, description, max_length, min_length=1):
        self.bad = re.compile(r"[^%s]" % allowed)
        self.description = description
        self.max_length = max_length
        self.min_length = min_length


# IoT Hub job ids: "US-ASCII letters, numbers, and the dash" (docs), at most 64 (contract.md section 2); a real hub
# refuses upper case, '_' and '.' in a NEW job's id (contract.md section 7), so creating one is checked with the
# stricter rule, while reading or cancelling an existing id by name keeps the documented one.
HUB_JOB_ID = IdRule("A-Za-z0-9-", "US-ASCII letters, digits and '-'", 64)
NEW_HUB_JOB_ID = IdRule("a-z0-9-", "lower-case US-ASCII letters, digits and '-' (IoT Hub refuses upper case, '_' "
                                   "and '.' in the id of a new job)", 64)
# Import/export job ids are the service's (GUIDs).
IMPORT_EXPORT_JOB_ID = IdRule("A-Za-z0-9-", "US-ASCII letters, digits and '-' (the service's job id, a GUID)", 128)
# IoT Central job, rerun, scheduled job and device group ids (contract.md section 4: path parameter pattern
# ^[a-zA-Z0-9_-]*$, at most 255).
CENTRAL_ID = IdRule("A-Za-z0-9_-", "US-ASCII letters, digits, '-' and '_'", 255)
# Azure resource naming rules (learn.microsoft.com, "Naming rules and restrictions for Azure resources"; the ARM spec
# gives no pattern, contract.md section 3): Microsoft.Devices/IotHubs 3 to 50 letters, digits and '-', not ending
# in '-'; resource groups 1 to 90 letters, digits, '_', '(', ')', '-' and '.', not ending in '.'.
HUB_NAME = IdRule("A-Za-z0-9-", "US-ASCII letters, digits and '-', not ending in '-'", 50, min_length=3)
RESOURCE_GROUP = IdRule("\\w().-", "letters, digits, '_', '(', ')', '-' and '.', not ending in '.'", 90)
_GUID = re.compile(r"^[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$")
BLOB_NAME_MAX = 1024


def check_segment(value, option):
    """The rules every path-bound value obeys whatever its service: not empty, not '.' or '..', none of
    '/', '?', '#', '%', whitespace and control characters."""
    if value is None or value == "":
        raise ValidationError("%s must not be empty" % option)
    if value in (".", ".."):
        raise ValidationError("%s must not be %r: it would name another resource in the URL" % (option, value))
    bad = _NEVER_IN_SEGMENT.search(value)
    if bad:
        raise ValidationError("%s must not contain %r (it becomes part of a URL path), found in %r"
                              % (option, bad.group(0), value))
    return value


def check_id(value, rule, option="job_id"):
    if not value or not value.strip():
        raise ValidationError("%s must not be empty" % option)
    if len(value) > rule.max_length:
        raise ValidationError("%s must be at most %d characters, got %d" % (option, rule.max_length, len(value)))
    if len(value) < rule.min_length:
        raise ValidationError("%s must be at least %d characters, got %d" % (option, rule.min_length, len(value)))
    bad = rule.bad.search(value)
    if bad:
        raise ValidationError("%s may only contain %s, found %r in %r" % (option, rule.description, bad.group(0),
                                                                          value))
    return check_segment(value, option)


def check_blob_name(value, option):
    """A blob name the task chooses: at most 1024 characters, none of the characters check_segment refuses."""
    if value is not None and len(value) > BLOB_NAME_MAX:
        raise ValidationError("%s must be at most %d characters, got %d" % (option, BLOB_NAME_MAX, len(value)))
    return check_segment(value, option)


def check_hub_name(value, option="hub_name"):
    check_id(value, HUB_NAME, option)
    if value.endswith("-"):
        raise ValidationError("%s must not end in '-', got %r" % (option, value))
    return value


def check_resource_group(value, option="resource_group"):
    check_id(value, RESOURCE_GROUP, option)
    if value.endswith("."):
        raise ValidationError("%s must not end in '.', got %r" % (option, value))
    return value


def check_subscription_id(value, option="subscription_id"):
    if not value or not _GUID.match(value):
        raise ValidationError("%s must be a subscription id, a GUID such as 00000000-0000-0000-0000-000000000000, "
                              "got %r" % (option, value))
    return value


# --- hosts ------------------------------------------------------------------------------------------------------

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _check_port(port, option, value):
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValidationError("%s must be a host name or an IP address with an optional port from 1 to 65535, got "
                              "%r" % (option, value))


def is_dns_name(name):
    labels = name.rstrip(".").split(".") if name else []
    return bool(labels) and len(name) <= 253 and all(_LABEL.match(label) for label in labels)


def check_host(value, option, port=True):
    """A DNS name or an IP literal ([v6] in brackets), with an optional port: nothing else (no user info, path,
    query or fragment), so credentials go to the host the messages name."""
    text = value or ""  # callers strip the option's surrounding whitespace; none may be inside
    host, port_text = text, None
    if text.startswith("["):
        end = text.find("]")
        host, rest = text[1:end] if end > 0 else "", text[end + 1:] if end > 0 else "x"
        if rest:
            if not rest.startswith(":"):
                host = ""
            port_text = rest[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            host = ""
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    valid = bool(host) and (_is_ip(host) or is_dns_name(host))
    if not valid:
        raise ValidationError("%s must be a host name (letters, digits, '-' and '.') or an IP address%s, got %r"
                              % (option, " with an optional port" if port else "", value))
    if port_text is not None:
        if not port:
            raise ValidationError("%s must not have a port, got %r" % (option, value))
        _check_port(port_text, option, value)
    return text


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_https_url(value, option, paths=("",)):
    """An https:// URL of a host (check_host) whose path is one of `paths` (a trailing '/' aside); no user info,
    query or fragment. Returns it without a trailing '/'."""
    text = (value or "").strip()
    parts = urlsplit(text)
    if parts.scheme.lower() != "https" or not parts.netloc:
        raise ValidationError("%s must be an https:// URL, got %s" % (option, text))
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValidationError("%s must not have a query string or a fragment" % option)
    if "@" in parts.netloc:
        raise ValidationError("%s must not have user information (user@host): credentials are only ever sent in "
                              "headers, got %s" % (option, text))
    check_host(parts.netloc, option)
    path = parts.path.rstrip("/")
    if path not in paths:
        raise ValidationError("%s must be https://<host>%s, without another path, got %s"
                              % (option, " or https://<host>%s" % paths[1] if len(paths) > 1 else "", text))
    return text.rstrip("/")


# --- numbers and files ------------------------------------------------------------------------------------------

def check_finite(value, option):
    if value is not None and isinstance(value, float) and not math.isfinite(value):
        raise ValidationError("%s must be a finite number, got %s" % (option, value))
    return value


def check_range(value, option, low, high, unit="seconds"):
    """low <= value <= high (None passes: the option is not set)."""
    check_finite(value, option)
    if value is not None and not low <= value <= high:
        unit = " " + unit if unit else ""
        raise ValidationError("%s must be between %d and %d%s, got %s" % (option, low, high, unit, value))
    return value


def check_positive(value, option, unit="seconds"):
    """value > 0 (None passes: the option is not set)."""
    check_finite(value, option)
    if value is not None and value <= 0:
        what = "a number of %s " % unit if unit else ""
        raise ValidationError("%s must be %sgreater than 0, got %s" % (option, what, value))
    return value


def check_ca_path(value, option="ca_path"):
    """A PEM file of CA certificates, or a directory of them (as OpenSSL's CApath)."""
    if value is None:
        return None
    if os.path.isdir(value):
        return value
    if not os.path.isfile(value):
        raise ValidationError("%s %s does not exist (a PEM file of CA certificates, or a directory of them)"
                              % (option, value))
    try:
        with open(value, "rb") as handle:
            content = handle.read(4 * 1024 * 1024)
    except OSError as err:
        raise ValidationError("%s %s cannot be read: %s" % (option, value, err.strerror)) from None
    if b"-----BEGIN CERTIFICATE-----" not in content:
        raise ValidationError("%s %s holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)" % (option, value))
    return value


def check_connection_numbers(params):
    """timeout, max_retries and retry_budget of every module."""
    check_positive(params.get("timeout"), "timeout")
    check_range(params.get("max_retries"), "max_retries", 0, 100, unit=None)
    check_positive(params.get("retry_budget"), "retry_budget")
