"""Twin documents: merge patches, property-name rules, version/etag bookkeeping."""
import base64
import copy
import struct

from ..errors import hub_error
from ..timefmt import iso7

MAX_DEPTH = 10  # contract.md 1.5: maximum JSON depth of tags, desired and reported
FORBIDDEN_KEY_CHARS = set(".$ ")


def version_etag(version):
    """Twin etags are the base64 of the 8-byte version, as the service shows them ("AAAAAAAAAAE=")."""
    return base64.b64encode(struct.pack(">q", version)).decode()


def strip_etag_quotes(value):
    value = (value or "").strip()
    if value.startswith("W/"):
        value = value[2:]
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def check_properties(value, where, depth=1):
    """Raise 400 ArgumentInvalid for keys IoT Hub refuses or an object nested deeper than 10 levels."""
    if not isinstance(value, dict):
        raise hub_error("ArgumentInvalid", "%s must be a JSON object." % where)
    if depth > MAX_DEPTH:
        raise hub_error("ArgumentInvalid", "%s is nested more than %d levels deep." % (where, MAX_DEPTH))
    for key, item in value.items():
        if not key or FORBIDDEN_KEY_CHARS & set(key) or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in key):
            raise hub_error("ArgumentInvalid", "Property name '%s' in %s is not allowed: names cannot be empty or "
                            "contain '.', '$', spaces or control characters." % (key, where))
        if isinstance(item, dict):
            check_properties(item, "%s.%s" % (where, key), depth + 1)


def merge_patch(target, patch):
    """RFC 7396 merge of `patch` into `target` in place (null removes a key); True when something changed."""
    changed = False
    for key, value in patch.items():
        if value is None:
            if key in target:
                del target[key]
                changed = True
        elif isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
                changed = True
            changed = merge_patch(target[key], value) or changed
        elif target.get(key, object()) != value or type(target.get(key)) is not type(value):
            target[key] = copy.deepcopy(value)
            changed = True
    return changed


def plain(properties):
    """desired/reported without the service's $metadata and $version."""
    return {k: v for k, v in properties.items() if not k.startswith("$")}


def stamp_section(section, when):
    """Bump a desired/reported section's $version and $metadata.$lastUpdated after a change."""
    section["$version"] = section.get("$version", 0) + 1
    section["$metadata"] = {"$lastUpdated": iso7(when), "$lastUpdatedVersion": section["$version"]}


def bump(twin):
    twin["version"] += 1
    twin["etag"] = version_etag(twin["version"])
