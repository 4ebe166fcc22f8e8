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
      - The module polls the job until a monotonic deadline O(wait_timeout) seconds after it started waiting, at the
        times O(wait_sleep) describes, and returns how long it waited (RV(elapsed)) and each status it saw
        (RV(status_history)).
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
      - The shortest pause between two polls of the job; also the first pause before a new attempt to get a free job
        slot.
      - The polls follow the job. With no progress to go by (the first poll, an answer without device counts, a job
        whose counts did not move since the previous poll) the pause is O(wait_sleep). Once two polls show devices
        done (IoT Hub's device statistics, IoT Central's progress, an import or export job's percentage), the module
        estimates the job's end from the rate between them. An IoT Hub job seen before it began (the answer of its
        create, a read while it is queued) counts as none done at that time, so its first poll with progress
        already gives the rate. An end more than twice O(wait_sleep) away is checked
        half-way, and at the latest 4 x O(wait_sleep) later; a nearer end is polled at 1.1 times the time left, so the
        poll lands just after the job ends. An IoT Hub job scheduled to start later is followed the same way towards
        its start time.
      - A pause is never shorter than O(wait_sleep) (so the module never makes more polls than polling every
        O(wait_sleep) would) and never runs past the O(wait_timeout) deadline. The rule is plain arithmetic on what
        the polls returned, so the same answers give the same poll times.
    type: int
    default: 5
"""
