# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The options of plugins/module_utils/_results_file.py (modules that return per-device results).
    DOCUMENTATION = r"""
options:
  device_results_dest:
    description:
      - Write the per-device results the module is asked for to this file on the managed host as JSON Lines (one
        device a line, with its job's C(job_id)) instead of returning them, page by page, so the module's memory
        stays the same whatever the number of devices. Each job then carries C(device_result_counts) and the result
        RV(device_results_file).
      - An absolute path (V(~) is expanded) in an existing, writable directory. The rows go to a temporary file in
        that directory, renamed over the destination once every page was read, so a failed run leaves the previous
        file as it was.
      - In check mode the rows are read and counted but nothing is written.
    type: path
  device_results_mode:
    description:
      - The permissions of the O(device_results_dest) file, as an octal string such as V('0640').
      - V('0600') when not set, whatever the umask (device ids and error texts are nobody else's business).
    type: raw
"""
