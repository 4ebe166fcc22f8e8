# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.filter.stop_reason import (
    FilterModule,
    iotcentral_stop_reason,
    iothub_stop_reason,
)

WAVE = {"name": "canary", "job_id": "fw-canary", "device_ids": ["d%02d" % n for n in range(10)], "query": "..."}


@pytest.mark.parametrize("failed, threshold, expected", [
    (0, 10, ""),
    (1, 10, ""),  # exactly the threshold goes on
    (2, 10, "canary: 2 of 10 devices failed (20.0%), more than the threshold of 10%"),
    (3, "10", "canary: 3 of 10 devices failed (30.0%), more than the threshold of 10%"),  # before ansible-core 2.19
    (1, 9.5, "canary: 1 of 10 devices failed (10.0%), more than the threshold of 9.5%"),
    (1, 0, "canary: 1 of 10 devices failed (10.0%), more than the threshold of 0%"),
    (10, 100, ""),
])
def test_iothub_stops_above_the_threshold(failed, threshold, expected):
    assert iothub_stop_reason(WAVE, WAVE["device_ids"][:failed], threshold) == expected


def test_iothub_rate_in_the_reason_is_unrounded_to_one_decimal():
    wave = dict(WAVE, device_ids=["a", "b", "c"])
    assert iothub_stop_reason(wave, ["a"], 33.3) == ("canary: 1 of 3 devices failed (33.3%), more than the threshold "
                                                     "of 33.3%")
    assert iothub_stop_reason(wave, ["a"], 33.34) == ""


def test_iothub_bad_threshold_is_named():
    with pytest.raises(AnsibleFilterError, match="iothub_stop_reason: threshold must be a number, got 'ten'"):
        iothub_stop_reason(WAVE, [], "ten")


def wave(name, job_id, targeted, succeeded, failed):
    return {"name": name, "job_id": job_id, "targeted": targeted, "succeeded": succeeded, "failed": failed,
            "failure_rate": 0.0, "status": "complete"}


def test_central_every_device_succeeded():
    assert iotcentral_stop_reason([wave("job", "fw", 40, 40, 0)], 0) == ""
    assert iotcentral_stop_reason([wave("job", "fw", 40, 30, 10), wave("rerun-1", "fw-rerun-1", 10, 10, 0)], 2) == ""


def test_central_devices_still_failing_after_the_reruns():
    waves = [wave("job", "fw", 40, 30, 10), wave("rerun-1", "fw-rerun-1", 10, 6, 4)]
    assert iotcentral_stop_reason(waves, "1") == ("4 of 40 devices still failed after 1 of at most 1 reruns "
                                                  "(iotcentral_rollout_max_reruns)")


def test_central_a_cancelled_job_leaves_devices_unreached():
    waves = [wave("job", "fw", 40, 9, 6), wave("rerun-1", "fw-rerun-1", 6, 6, 0)]
    assert iotcentral_stop_reason(waves, 3) == (
        "job 'fw' was cancelled by its cancellation threshold after 6 of 40 devices failed, and 25 devices were never "
        "reached (a rerun repeats only failed devices; roll out again under a new name to reach them)")


def test_central_both_reasons_are_joined():
    reason = iotcentral_stop_reason([wave("job", "fw", 40, 9, 6)], 0)
    assert reason == ("job 'fw' was cancelled by its cancellation threshold after 6 of 40 devices failed, and 25 "
                      "devices were never reached (a rerun repeats only failed devices; roll out again under a new "
                      "name to reach them); 6 of 40 devices still failed after 0 of at most 0 reruns "
                      "(iotcentral_rollout_max_reruns)")


def test_central_a_predicted_rollout_has_not_stopped():
    assert iotcentral_stop_reason([wave("job", "fw", 40, 0, 0)], 0, predicted=True) == ""


def test_central_bad_arguments_are_named():
    with pytest.raises(AnsibleFilterError, match="iotcentral_stop_reason: waves is empty"):
        iotcentral_stop_reason([], 0)
    with pytest.raises(AnsibleFilterError, match="iotcentral_stop_reason: max_reruns must be a whole number"):
        iotcentral_stop_reason([wave("job", "fw", 4, 3, 1)], "all")


def test_registered_under_their_names():
    assert FilterModule().filters() == {"iothub_stop_reason": iothub_stop_reason,
                                        "iotcentral_stop_reason": iotcentral_stop_reason}
