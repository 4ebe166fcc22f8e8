# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Why a rollout role stops: the sentence of its result's stopped_reason, empty when it goes on."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout import stop_reason
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._filter_args import to_dict, to_float, to_int, to_list


def iothub_stop_reason(wave, failed_ids, threshold):
    """'' when the wave's failed devices (after retries) are at most threshold percent of it, else why it stops."""
    wave = to_dict(wave, "iothub_stop_reason", "the wave")
    devices = to_list(wave.get("device_ids"), "iothub_stop_reason", "the wave's device_ids")
    failed = to_list(failed_ids, "iothub_stop_reason", "failed_ids")
    limit = to_float(threshold, "iothub_stop_reason", "threshold")
    # The threshold as the user wrote it (10, not 10.0).
    return stop_reason(wave.get("name"), len(devices), len(failed), limit, threshold)


def iotcentral_stop_reason(waves, max_reruns, predicted=False):
    """'' when the rollout's job and reruns reached every device, else why it stopped ('; ' between the reasons).

    waves are the records of iotcentral_wave_record: the job first, then its reruns. A rerun repeats only failed
    devices, so devices the job never reached (it was cancelled by its threshold) stay unreached. A predicted
    rollout (check mode) has not stopped.
    """
    if predicted:
        return ""
    waves = [to_dict(wave, "iotcentral_stop_reason", "a wave") for wave in to_list(waves, "iotcentral_stop_reason",
                                                                                   "waves")]
    if not waves:
        raise AnsibleFilterError("iotcentral_stop_reason: waves is empty; it starts with the record of the job")
    first, last = waves[0], waves[-1]
    targeted = to_int(first.get("targeted"), "iotcentral_stop_reason", "targeted")
    succeeded = sum(to_int(wave.get("succeeded"), "iotcentral_stop_reason", "succeeded") for wave in waves)
    failed = to_int(last.get("failed"), "iotcentral_stop_reason", "failed")
    unreached = targeted - succeeded - failed
    reasons = []
    if unreached != 0:
        reasons.append("job '%s' was cancelled by its cancellation threshold after %d of %d devices failed, and %d "
                       "devices were never reached (a rerun repeats only failed devices; roll out again under a new "
                       "name to reach them)"
                       % (first.get("job_id"), to_int(first.get("failed"), "iotcentral_stop_reason", "failed"),
                          targeted, unreached))
    if failed != 0:
        reasons.append("%d of %d devices still failed after %d of at most %d reruns (iotcentral_rollout_max_reruns)"
                       % (failed, targeted, len(waves) - 1, to_int(max_reruns, "iotcentral_stop_reason",
                                                                   "max_reruns")))
    return "; ".join(reasons)


class FilterModule(object):
    def filters(self):
        return {"iothub_stop_reason": iothub_stop_reason, "iotcentral_stop_reason": iotcentral_stop_reason}
