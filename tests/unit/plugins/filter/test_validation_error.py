# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.filter.validation_error import validation_error


@pytest.mark.parametrize("value, rule, msg", [
    ("fw-1", "new_hub_job_id", ""),
    ("Fw-1", "new_hub_job_id", "x may only contain lower-case US-ASCII letters, digits and '-' (IoT Hub refuses upper "
                               "case, '_' and '.' in the id of a new job), found 'F' in 'Fw-1'"),
    ("all_devices", "central_id", ""),
    ("../g", "central_id", "x may only contain US-ASCII letters, digits, '-' and '_', found '.' in '../g'"),
    ("backup.txt", "blob_name", ""),
    ("a\\b", "blob_name", "x must not contain '\\\\' (it becomes part of a URL path), found in 'a\\\\b'"),
    ("..", "blob_name", "x must not be '..': it would name another resource in the URL"),
    ("https://acct.blob.core.windows.net", "https_url", ""),
])
def test_the_modules_checks_with_their_messages(value, rule, msg):
    assert validation_error(value, rule, "x") == msg


def test_an_unknown_rule_is_named():
    with pytest.raises(AnsibleFilterError) as info:
        validation_error("v", "nope", "x")
    assert info.value.message == ("validation_error: rule must be one of blob_name, central_id, https_url, "
                                  "new_hub_job_id, got 'nope'")
