# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""run_module: run a module's main() with arguments, a patched client factory and exit/fail captured."""

from __future__ import annotations

import pytest
from ansible.module_utils import basic

from ansible_collections.azure_iot.jobs.tests.unit.compat import patch_module_args


class ModuleExit(Exception):
    pass


class ModuleFail(Exception):
    pass


class Outcome(object):
    def __init__(self, failed, result, factory_calls, warnings):
        self.failed = failed
        self.result = result
        self.factory_calls = factory_calls
        self.warnings = warnings

    @property
    def msg(self):
        return self.result.get("msg")


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args, client=None, check_mode=False, diff=False) -> Outcome.

    With client=None the client factory must not be called (bad input fails before any HTTP call).
    """

    def runner(module, args, client=None, check_mode=False, diff=False):
        factory_calls = []
        warnings = []

        def factory(ansible_module):
            factory_calls.append(ansible_module)
            if client is None:
                raise AssertionError("the module built a client although the input is bad")
            return client

        def exit_json(self, **kwargs):
            raise ModuleExit(kwargs)

        def fail_json(self, **kwargs):
            raise ModuleFail(kwargs)

        for name in ("iothub_client", "arm_client", "iotcentral_client"):  # whichever factories the module uses
            if hasattr(module, name):
                monkeypatch.setattr(module, name, factory)
        monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
        monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
        monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, msg: warnings.append(msg))
        args = dict(args)
        args["_ansible_check_mode"] = check_mode
        args["_ansible_diff"] = diff
        with patch_module_args(args):
            try:
                module.main()
            except ModuleExit as done:
                return Outcome(False, done.args[0], factory_calls, warnings)
            except ModuleFail as failed:
                return Outcome(True, failed.args[0], factory_calls, warnings)
        raise AssertionError("main() returned without exit_json or fail_json")

    return runner
