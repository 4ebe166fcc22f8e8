"""Timestamp formats of the emulated APIs (contract.md section 5)."""
from datetime import datetime, timezone
from functools import lru_cache

EPOCH_ZERO = "0001-01-01T00:00:00Z"  # what the service reports for "never" (statusUpdateTime, lastActivityTime)


def utcnow():
    return datetime.now(timezone.utc)


@lru_cache(maxsize=4096)
def iso7(moment):
    """ISO 8601 UTC with 7 fractional digits and Z, as IoT Hub writes job times: 2021-07-07T20:44:47.8509265Z.

    Cached: seeding a million devices stamps them all with one moment, and one shared string is formatted once."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d0Z" % moment.microsecond


def exception_stamp(moment):
    """MM/dd/yyyy HH:mm:ss, the TimeStamp inside an IoT Hub ExceptionMessage."""
    return moment.astimezone(timezone.utc).strftime("%m/%d/%Y %H:%M:%S")


def parse_iso(text):
    """An ISO 8601 date-time string -> aware datetime (naive = UTC), or None when it does not parse.

    Accepts what clients send: Z or an offset, and 0 to 7 fractional digits (Python wants at most 6).
    """
    if not isinstance(text, str) or "T" not in text:
        return None
    value = text.strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    date_part, _t, rest = value.partition("T")
    if "." in rest:
        clock, _dot, tail = rest.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        fraction, offset = tail[:digits], tail[digits:]
        rest = clock + ("." + (fraction + "000000")[:6] if fraction else "") + offset
    try:
        moment = datetime.fromisoformat(date_part + "T" + rest)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment
