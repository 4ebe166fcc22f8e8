# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.filter.rollout import rollout_waves
from ansible_collections.azure_iot.jobs.plugins.filter.wave_record import (
    FilterModule,
    iotcentral_wave_record,
    iothub_wave_record,
)

CANARY = rollout_waves(["d%d" % n for n in range(1, 11)], "fw-2", canary_count=3)[0]
REVERT = {"desired": {"firmware": {"version": "1.0.0"}}}


def test_a_wave_without_failures_completed():
    assert iothub_wave_record(CANARY, []) == {
        "name": "canary", "job_id": "fw-2-canary", "targeted": 3, "succeeded": 3, "failed": 0, "failure_rate": 0.0,
        "retries": 0, "failed_devices": [], "reverted": False, "status": "completed"}


def test_a_wave_that_stopped_the_rollout_and_was_reverted():
    record = iothub_wave_record(CANARY, ["d2"], retries="2", stop_reason="canary: too many", revert_patch=REVERT)
    assert record == {
        "name": "canary", "job_id": "fw-2-canary", "targeted": 3, "succeeded": 2, "failed": 1, "failure_rate": 33.3,
        "retries": 2, "failed_devices": ["d2"], "reverted": True, "status": "stopped"}


@pytest.mark.parametrize("stop_reason, revert_patch, reverted, status", [
    ("", REVERT, False, "completed"),  # a revert patch is applied only to the wave that stopped the rollout
    ("canary: too many", {}, False, "stopped"),
    ("canary: too many", None, False, "stopped"),
    (None, None, False, "completed"),
])
def test_reverted_only_when_the_wave_stopped_and_a_patch_is_set(stop_reason, revert_patch, reverted, status):
    record = iothub_wave_record(CANARY, ["d1"], stop_reason=stop_reason, revert_patch=revert_patch)
    assert (record["reverted"], record["status"]) == (reverted, status)


def test_iothub_bad_arguments_are_named():
    with pytest.raises(AnsibleFilterError, match="iothub_wave_record: the wave has no device_ids"):
        iothub_wave_record({"name": "canary", "job_id": "j"}, [])
    with pytest.raises(AnsibleFilterError, match="iothub_wave_record: failed_ids must be a list, got 'd1'"):
        iothub_wave_record(CANARY, "d1")
    with pytest.raises(AnsibleFilterError, match="iothub_wave_record: retries must be a whole number, got 'x'"):
        iothub_wave_record(CANARY, [], retries="x")


def central(status="complete", progress=None, history=True, **extra):
    result = {"changed": True, "job_id": "fw", "job": {"job_id": "fw", "status": status, "progress": progress}}
    if history:
        result["status_history"] = [{"status": status, "elapsed": 1.0}]
    result.update(extra)
    return result


def test_central_record_from_the_jobs_progress():
    attempt = central(progress={"total": 40, "pending": 0, "completed": 30, "failed": 10})
    assert iotcentral_wave_record(attempt, "job") == {
        "name": "job", "job_id": "fw", "targeted": 40, "succeeded": 30, "failed": 10, "failure_rate": 25.0,
        "status": "complete"}


def test_central_record_of_a_cancelled_job_counts_what_it_reached():
    attempt = central("cancelled", {"total": 40, "pending": 25, "completed": 9, "failed": "6"})
    record = iotcentral_wave_record(attempt, "job")
    assert (record["targeted"], record["succeeded"], record["failed"], record["failure_rate"]) == (40, 9, 6, 15.0)


@pytest.mark.parametrize("attempt, targeted", [
    (central("pending", None, history=False, targeted_devices=12), 12),  # check mode: the module's prediction
    (central("pending", {}, history=False, targeted_devices=None), 0),
    (central(progress={"total": 0, "completed": 0, "failed": 0}, targeted_devices=5), 5),
    (central(progress={"total": None, "completed": None, "failed": None}), 0),  # sparse answers
])
def test_central_targeted_falls_back_to_the_predicted_count(attempt, targeted):
    record = iotcentral_wave_record(attempt, "job")
    assert record["targeted"] == targeted and record["failed"] == 0 and record["failure_rate"] == 0.0


def test_central_bad_arguments_are_named():
    with pytest.raises(AnsibleFilterError, match="iotcentral_wave_record: the result's job must be a dict, got 'x'"):
        iotcentral_wave_record({"job": "x"}, "job")
    with pytest.raises(AnsibleFilterError, match="iotcentral_wave_record: failed must be a whole number"):
        iotcentral_wave_record(central(progress={"total": 3, "failed": "many"}), "job")


def test_registered_under_their_names():
    assert FilterModule().filters() == {"iothub_wave_record": iothub_wave_record,
                                        "iotcentral_wave_record": iotcentral_wave_record}
