# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Every time format the three APIs use, parsed and written in one place.

- ISO 8601 (IoT Hub and IoT Central jobs): up to 7 fractional digits, sometimes no zone (devices.jobs rows, which
  fromisoformat() on older Pythons refuses); no zone means UTC.
- RFC 1123 (the ARM view of hub jobs, HTTP Date and Retry-After headers): "Thu, 15 Jun 2017 19:20:58 GMT".
- Dates (IoT Central schedule ends): YYYY-MM-DD.

Parsers return an aware UTC datetime (or date), or None when the value cannot be read: callers decide whether that is
an input error (with the option's name) or a service value to pass through.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
                  r"\s*(Z|z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def utcnow():
    return datetime.now(timezone.utc)


def parse_iso(value):
    """ISO 8601 date and time -> aware UTC datetime, or None when unparsable. No zone means UTC."""
    match = _ISO.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        result = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                          int((fraction or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc)
    except ValueError:
        return None
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        result -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return result


def is_date_only(value):
    """True for "2030-01-31" (no time of day): a schedule start needs one."""
    return isinstance(value, str) and bool(_DATE.match(value.strip()))


def parse_date(value):
    """YYYY-MM-DD -> date, or None when unparsable."""
    match = _DATE.match(str(value).strip()) if value is not None else None
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_rfc1123(value):
    """An RFC 1123 date ("Thu, 15 Jun 2017 19:20:58 GMT") -> aware UTC datetime, or None when unparsable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def format_iso(moment, precise=True):
    """UTC ISO 8601 with milliseconds (what the SDKs send), or to the second for comparisons."""
    moment = moment.astimezone(timezone.utc)
    if precise:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_to_second(value):
    """A service time string to the second (for comparisons); the input when it cannot be parsed."""
    moment = parse_iso(value)
    return format_iso(moment, precise=False) if moment else value


def rfc1123_to_iso(value):
    """ISO 8601 UTC to the second ("2017-06-15T19:20:58Z"); None for a missing or unparsable value."""
    moment = parse_rfc1123(value)
    return format_iso(moment, precise=False) if moment else None


def to_millisecond(moment):
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
