# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# internal to this collection, may change in any release

"""Checks of option values that need no call, as plain functions: each returns the value or raises a
ValidationError whose msg names the option and the rule. Modules run them before any client exists.
"""

from __future__ import annotations

import re

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError


class IdRule(object):
    """The characters and the length a service allows in an id that becomes a URL path segment."""

    def __init__(self, allowed, description, max_length):
        self.bad = re.compile(r"[^%s]" % allowed)
        self.description = description
        self.max_length = max_length


# IoT Hub job ids (contract.md section 2); IoT Central job, rerun, scheduled job and device group ids (section 4:
# path parameter pattern ^[a-zA-Z0-9_-]*$, at most 255).
HUB_JOB_ID = IdRule("A-Za-z0-9-", "US-ASCII letters, digits and '-'", 64)
CENTRAL_ID = IdRule("A-Za-z0-9_-", "US-ASCII letters, digits, '-' and '_'", 255)


def check_id(value, rule, option="job_id"):
    if not value:
        raise ValidationError("%s must not be empty" % option)
    if len(value) > rule.max_length:
        raise ValidationError("%s must be at most %d characters, got %d" % (option, rule.max_length, len(value)))
    bad = rule.bad.search(value)
    if bad:
        raise ValidationError("%s may only contain %s, found %r in %r" % (option, rule.description, bad.group(0),
                                                                          value))
    return value


def check_not_blank(value, option):
    if value is not None and not str(value).strip():
        raise ValidationError("%s must not be empty" % option)
    return value


def check_range(value, option, low, high, unit="seconds"):
    """low <= value <= high (None passes: the option is not set)."""
    if value is not None and not low <= value <= high:
        unit = " " + unit if unit else ""
        raise ValidationError("%s must be between %d and %d%s, got %s" % (option, low, high, unit, value))
    return value


def check_positive(value, option, unit="seconds"):
    """value > 0 (None passes: the option is not set)."""
    if value is not None and value <= 0:
        what = "a number of %s " % unit if unit else ""
        raise ValidationError("%s must be %sgreater than 0, got %s" % (option, what, value))
    return value
