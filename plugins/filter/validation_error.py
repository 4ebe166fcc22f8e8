# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules' own value checks (plugins/module_utils/_validate.py), for the roles to run on their variables
before any call: one rule, one message, wherever the value comes from."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.module_utils import _validate
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError

RULES = {
    "new_hub_job_id": lambda value, option: _validate.check_id(value, _validate.NEW_HUB_JOB_ID, option),
    "central_id": lambda value, option: _validate.check_id(value, _validate.CENTRAL_ID, option),
    "blob_name": _validate.check_blob_name,
    "https_url": _validate.check_https_url,
}


def validation_error(value, rule, option):
    """The message of the check `rule` on `value` (named `option`), or '' when the value passes."""
    if rule not in RULES:
        raise AnsibleFilterError("validation_error: rule must be one of %s, got %r" % (", ".join(sorted(RULES)), rule))
    try:
        RULES[rule](str(value) if value is not None else None, str(option))
    except ValidationError as err:
        return err.msg
    return ""


class FilterModule(object):
    def filters(self):
        return {"validation_error": validation_error}
