# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shows the progress of a wave on the controller while azure_iot.jobs.iothub_rollout_wave waits for its jobs: the
module in progress slices (plugin_utils/_rollout_slices.py), a line for the job that still runs after each slice."""

from __future__ import annotations

from ansible_collections.azure_iot.jobs.plugins.plugin_utils._rollout_slices import RolloutSlicesAction, display

__all__ = ["ActionModule", "display"]


class ActionModule(RolloutSlicesAction):
    pass
