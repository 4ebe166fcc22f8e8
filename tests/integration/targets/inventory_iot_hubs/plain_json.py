"""Read ansible-inventory --list JSON on stdin, write it with every {"__ansible_unsafe": value} as the bare value.

ansible-core 2.19 and later mark the values an inventory plugin sets as unsafe (not to be templated) in that form;
earlier versions write bare values. The targets compare bare values.
"""

import json
import sys


def plain(value):
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


json.dump(plain(json.load(sys.stdin)), sys.stdout)
