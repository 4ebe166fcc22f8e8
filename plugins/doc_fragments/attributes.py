# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # Attributes shared by every module. Use with one of the action group fragments below, for example
    # azure_iot.jobs.attributes + azure_iot.jobs.attributes.action_group_iothub.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
"""

    ACTION_GROUP_IOTHUB = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/azure_iot.jobs.iothub) or C(group/azure_iot.jobs.all) in C(module_defaults) to set
      defaults for this module.
    support: full
    membership:
      - azure_iot.jobs.iothub
      - azure_iot.jobs.all
"""

    ACTION_GROUP_IOTCENTRAL = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/azure_iot.jobs.iotcentral) or C(group/azure_iot.jobs.all) in C(module_defaults) to set
      defaults for this module.
    support: full
    membership:
      - azure_iot.jobs.iotcentral
      - azure_iot.jobs.all
"""

    # For _info modules: read only, so check mode and diff mode change nothing.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This module only reads, and behaves the same in check mode.
  diff_mode:
    support: N/A
    details: This module only reads and returns no diff.
"""
