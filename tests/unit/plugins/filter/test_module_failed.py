# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.filter.module_failed import FilterModule, module_failed

# What a task registered with failed_when: false holds, as ansible-core sets it.
FAILED_MASKED = {"changed": False, "failed": False, "failed_when_result": False, "msg": "GET /jobs failed: HTTP 401"}
SUCCEEDED = {"changed": True, "failed": False, "failed_when_result": False, "job_id": "j1", "job": {"status": "x"}}
SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
ENDED = {"changed": False, "failed": False, "failed_when_result": False, "msg": "job j1 was cancelled",
         "job": {"job_id": "j1", "status": "cancelled"}, "status_history": [{"status": "cancelled", "elapsed": 1.0}]}
TIMED_OUT = dict(ENDED, msg="timed out", job={"job_id": "j1", "status": "running"})


@pytest.mark.parametrize("result, expected", [
    (FAILED_MASKED, True),
    ({"failed": True, "msg": "boom"}, True),  # registered with ignore_errors instead
    ({"failed": True}, True),
    (SUCCEEDED, False),
    (SKIPPED, False),
    (dict(SKIPPED, msg="skipped with a message"), False),
    (ENDED, True),  # without ended, a cancelled job is a failure like any other
])
def test_failure_is_the_modules_msg_or_failed(result, expected):
    assert module_failed(result) is expected


@pytest.mark.parametrize("result, ended, expected", [
    (ENDED, ["complete", "failed", "cancelled"], False),
    (ENDED, "cancelled", False),  # one status as a string
    (ENDED, ["complete"], True),
    (TIMED_OUT, ["complete", "failed", "cancelled"], True),  # the job had not ended
    ({k: v for k, v in ENDED.items() if k != "status_history"},
     ["cancelled"], True),  # the module did not wait: it cannot have seen the job end
    (FAILED_MASKED, ["cancelled"], True),
    (SUCCEEDED, ["cancelled"], False),
])
def test_a_job_that_ended_in_a_tolerated_status_is_left_to_the_role(result, ended, expected):
    assert module_failed(result, ended=ended) is expected


def test_bad_arguments_are_named():
    with pytest.raises(AnsibleFilterError, match="module_failed: expects the registered result of a module task, "
                                                 "got str"):
        module_failed("failed")
    with pytest.raises(AnsibleFilterError, match="module_failed: ended must be a list of job statuses, got 3"):
        module_failed(FAILED_MASKED, ended=3)


def test_registered_under_its_name():
    assert FilterModule().filters() == {"module_failed": module_failed}
