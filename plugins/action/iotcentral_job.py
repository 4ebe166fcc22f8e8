# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shows the progress of the job on the controller while azure_iot.jobs.iotcentral_job waits for it."""

from __future__ import annotations

from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import CentralJob
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._job_progress import JobProgressAction


class ActionModule(JobProgressAction):
    descriptor = CentralJob
    waiting_states = ("present", "running")
    other_operations = ("rerun",)
