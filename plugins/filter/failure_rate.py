# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The failure rate of a wave or a job, in percent: the one definition the rollout roles judge and report."""

from __future__ import annotations

from ansible_collections.azure_iot.jobs.plugins.module_utils import _rollout
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._filter_args import to_int


def failure_rate(failed, targeted):
    """The share of the targeted devices that failed, in percent, rounded to one decimal.

    Both arguments are counts (strings of digits too); a list counts as its length, so a list of failed device ids
    can be given as it is.
    """
    failed = len(failed) if isinstance(failed, (list, tuple)) else to_int(failed, "failure_rate", "failed")
    targeted = len(targeted) if isinstance(targeted, (list, tuple)) else to_int(targeted, "failure_rate", "targeted")
    return _rollout.failure_rate(failed, targeted)


class FilterModule(object):
    def filters(self):
        return {"failure_rate": failure_rate}
