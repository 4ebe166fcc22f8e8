# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The options of plugins/module_utils/_wait.py WAIT_ARGSPEC.
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the job has ended (or, with O(state=absent), until the service reports it cancelled).
      - The module polls the job every O(wait_sleep) seconds until a monotonic deadline O(wait_timeout) seconds after
        it started waiting, and returns how long it waited (RV(elapsed)) and each status it saw (RV(status_history)).
      - Never waits in check mode.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait in all, including the wait for a free job slot when the module queues a job.
      - When the deadline passes the module fails with the last state of the job attached; the job itself keeps
        running on the service.
    type: int
    default: 600
  wait_sleep:
    description:
      - Seconds between two polls of the job; also the first pause before a new attempt to get a free job slot.
    type: int
    default: 5
"""
