# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.filter.first_failure import first_failure


def test_the_first_failed_check_names_its_rule():
    checks = [{"ok": True, "msg": "a"}, {"ok": False, "msg": " b must be 1 "}, {"ok": False, "msg": "c"}]
    assert first_failure(checks) == "b must be 1"


def test_every_check_passing_is_an_empty_string():
    assert first_failure([{"ok": True, "msg": "a"}, {"ok": 1, "msg": "b"}]) == ""
    assert first_failure([]) == ""


@pytest.mark.parametrize("ok, failed", [("True", False), ("False", True), ("false", True), ("", True), (0, True)])
def test_templated_booleans_of_older_ansible_core_are_read(ok, failed):
    assert first_failure([{"ok": ok, "msg": "x"}]) == ("x" if failed else "")


@pytest.mark.parametrize("checks, msg", [
    ("nope", "first_failure: expects a list of {ok, msg} checks, got str"),
    ([{"ok": True}], "first_failure: check 0 must be a dict with ok and msg, got {'ok': True}"),
])
def test_bad_checks_are_named(checks, msg):
    with pytest.raises(AnsibleFilterError) as info:
        first_failure(checks)
    assert info.value.message == msg
