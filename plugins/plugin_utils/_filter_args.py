# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Argument conversion shared by the collection's filters (internal to this collection, may change in any release).

Before ansible-core 2.19, a templated "{{ x | int }}" inside a dict of vars stays a string, so a filter converts its
own arguments, and names the filter and the argument when one cannot be converted.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def to_int(value, filter_name, name):
    if isinstance(value, bool):  # a yes/no is no count
        raise AnsibleFilterError("%s: %s must be a whole number, got %r" % (filter_name, name, value))
    try:
        return int(value)
    except (TypeError, ValueError):
        pass
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is not None and number.is_integer():
        return int(number)
    raise AnsibleFilterError("%s: %s must be a whole number, got %r" % (filter_name, name, value))


def to_float(value, filter_name, name):
    if isinstance(value, bool):
        raise AnsibleFilterError("%s: %s must be a number, got %r" % (filter_name, name, value))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError("%s: %s must be a number, got %r" % (filter_name, name, value)) from None


def to_list(value, filter_name, name):
    if value is None:
        return []
    if isinstance(value, str) and value.strip().startswith("["):
        # A list templated into a string ("{{ waves }}" in a dict of vars before ansible-core 2.19).
        try:
            parsed = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, list):
            return parsed
    if isinstance(value, (str, bytes, Mapping)):
        raise AnsibleFilterError("%s: %s must be a list, got %r" % (filter_name, name, value))
    try:
        return list(value)
    except TypeError:
        raise AnsibleFilterError("%s: %s must be a list, got %r" % (filter_name, name, value)) from None


def to_dict(value, filter_name, name):
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AnsibleFilterError("%s: %s must be a dict, got %r" % (filter_name, name, value))
    return value
