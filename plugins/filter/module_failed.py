# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles' one way to surface a module's failure under no_log.

A task with no_log hides its whole result, the module's msg too, although the collection's messages hold no secret.
So a role registers the module task with `failed_when: false` (no_log still hides the arguments and the result) and
the next task, a plain ansible.builtin.fail, shows the module's msg when this filter says the module failed:

    - name: Export the registry
      azure_iot.jobs.iothub_import_export_job: ...
      register: __export
      failed_when: false  # the next task fails with the module's msg, which no_log would hide
      no_log: "{{ secure_logging }}"

    - name: Fail with the export's message
      ansible.builtin.fail:
        msg: "my_role: {{ __export.msg }}"
      when: __export | azure_iot.jobs.module_failed
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def _statuses(value):
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(str(status) for status in value)
    except TypeError:
        raise AnsibleFilterError("module_failed: ended must be a list of job statuses, got %r" % (value,)) from None


def module_failed(result, ended=None):
    """Whether the registered result of one module task reports a failure.

    failed_when: false sets `failed` to false but keeps the module's msg, which the collection's modules return only
    when they fail; a skipped task did not fail. With `ended`, a failure of a job the module waited for until it ended
    in one of these statuses is not a failure: the role judges such a job itself (its failed devices, its
    cancellation by a threshold).
    """
    if not isinstance(result, Mapping):
        raise AnsibleFilterError("module_failed: expects the registered result of a module task, got %s"
                                 % type(result).__name__)
    if result.get("skipped"):
        return False
    if not (result.get("failed") or "msg" in result):
        return False
    statuses = _statuses(ended)
    if statuses and "status_history" in result:
        job = result.get("job")
        if isinstance(job, Mapping) and job.get("status") in statuses:
            return False
    return True


class FilterModule(object):
    def filters(self):
        return {"module_failed": module_failed}
