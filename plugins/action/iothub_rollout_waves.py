# -*- coding: utf-8 -*-
# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shows the progress of a rollout on the controller while azure_iot.jobs.iothub_rollout_waves runs it: the module in
progress slices (plugin_utils/_rollout_slices.py), a line for each wave that ended and for the job that still runs.
The next slice gets the waves the first run listed and the records of the ended ones (`resume`), so it neither lists
the devices again nor reads the ended waves' jobs again."""

from __future__ import annotations

from ansible_collections.azure_iot.jobs.plugins.plugin_utils._rollout_slices import RolloutSlicesAction, display

__all__ = ["ActionModule", "display"]


def wave_line(record):
    """ "wave wave-1: completed, 1998/2000 succeeded, 2 failed (0.1%)" from a wave's record."""
    return "wave %s: %s, %s/%s succeeded, %s failed (%s%%)" % (
        record.get("name"), record.get("status"), record.get("succeeded"), record.get("targeted"),
        record.get("failed"), record.get("failure_rate"))


class ActionModule(RolloutSlicesAction):
    def __init__(self, *args, **kwargs):
        super(ActionModule, self).__init__(*args, **kwargs)
        self._waves_shown = 0

    def carried(self, args, out):
        return {"resume": out.get("resume")}

    def lines(self, out):
        if out.get("in_progress"):
            records = (out.get("resume") or {}).get("done") or []
        else:
            records = (out.get("rollout") or {}).get("waves") or out.get("waves") or []
        new, self._waves_shown = records[self._waves_shown:], max(self._waves_shown, len(records))
        return [wave_line(record) for record in new]
