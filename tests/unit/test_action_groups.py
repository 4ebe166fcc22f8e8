# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""meta/runtime.yml's action groups list every module, and module_defaults for a group work for all its members.

Ansible passes every key of a group's module_defaults to every module of the group and fails on an option a module
does not accept, so: every module accepts the common options (group/azure_iot.jobs.all), every IoT Hub module accepts
both the data-plane and the ARM options (group/azure_iot.jobs.iothub), every IoT Central module the IoT Central ones.
"""

from __future__ import annotations

import importlib
import os

import pytest
import yaml

from ansible_collections.azure_iot.jobs.plugins.module_utils._args import (
    ARM_ARGSPEC,
    COMMON_ARGSPEC,
    IOTCENTRAL_ARGSPEC,
    IOTHUB_ARGSPEC,
)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules"))
                 if name.endswith(".py") and not name.startswith("_"))
GROUP_OPTIONS = {
    "iothub": set(COMMON_ARGSPEC) | set(IOTHUB_ARGSPEC) | set(ARM_ARGSPEC),
    "iotcentral": set(COMMON_ARGSPEC) | set(IOTCENTRAL_ARGSPEC),
}


def action_groups():
    with open(os.path.join(REPO, "meta", "runtime.yml")) as handle:
        return yaml.safe_load(handle)["action_groups"]


def options_of(module_name):
    module = importlib.import_module("ansible_collections.azure_iot.jobs.plugins.modules." + module_name)
    return set(module.argument_spec())


def test_every_module_is_in_exactly_one_service_group():
    groups = action_groups()
    listed = sorted(groups["iothub"] + groups["iotcentral"])
    assert listed == MODULES


def test_all_extends_both_service_groups():
    assert action_groups()["all"] == [
        {"metadata": {"extend_group": ["azure_iot.jobs.iothub", "azure_iot.jobs.iotcentral"]}}]


@pytest.mark.parametrize("group", sorted(GROUP_OPTIONS))
def test_group_defaults_are_accepted_by_every_member(group):
    for module_name in action_groups()[group]:
        missing = GROUP_OPTIONS[group] - options_of(module_name)
        assert not missing, "%s does not accept %s" % (module_name, sorted(missing))
