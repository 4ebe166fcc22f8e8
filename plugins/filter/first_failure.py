# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles' variable checks: the message of the first rule a role's variables break, so a role fails naming the
one variable that is wrong (an assert with many conditions can only print every rule at once)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

_FALSE = ("false", "no", "off", "0", "")


def _passed(value):
    # Before ansible-core 2.19 a templated boolean inside a list of dicts stays the string "True" or "False".
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE
    return bool(value)


def first_failure(checks):
    """The msg of the first check whose ok is false, or '' when every check passes."""
    if not isinstance(checks, (list, tuple)):
        raise AnsibleFilterError("first_failure: expects a list of {ok, msg} checks, got %s" % type(checks).__name__)
    for number, check in enumerate(checks):
        if not isinstance(check, Mapping) or "ok" not in check or "msg" not in check:
            raise AnsibleFilterError("first_failure: check %d must be a dict with ok and msg, got %r" % (number, check))
        if not _passed(check["ok"]):
            return str(check["msg"]).strip()
    return ""


class FilterModule(object):
    def filters(self):
        return {"first_failure": first_failure}
