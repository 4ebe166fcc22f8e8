# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The record of one wave in a rollout role's result: what ran, on how many devices, and how it ended."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.module_utils._rollout import failure_rate, wave_record
from ansible_collections.azure_iot.jobs.plugins.plugin_utils._filter_args import to_dict, to_int, to_list


def iothub_wave_record(wave, failed_ids, retries=0, stop_reason="", revert_patch=None):
    """An iothub_rollout wave (a rollout_waves item) after its job and retries, as iothub_rollout_result shows it."""
    wave = to_dict(wave, "iothub_wave_record", "the wave")
    for key in ("name", "job_id", "device_ids"):
        if key not in wave:
            raise AnsibleFilterError("iothub_wave_record: the wave has no %s (a wave of rollout_waves has name, "
                                     "job_id, device_ids and query)" % key)
    devices = to_list(wave["device_ids"], "iothub_wave_record", "the wave's device_ids")
    failed = to_list(failed_ids, "iothub_wave_record", "failed_ids")
    return wave_record(wave["name"], wave["job_id"], len(devices), failed,
                       retries=to_int(retries, "iothub_wave_record", "retries"), stop_reason_text=stop_reason or "",
                       revert_patch=revert_patch)


def _count(value, name):
    """A count from a job's progress: null, 0 and missing are 0 (IoT Central's sparse answers omit them)."""
    return to_int(value or 0, "iotcentral_wave_record", name)


def iotcentral_wave_record(attempt, name):
    """An iotcentral_job result (the rollout's job or a rerun, waited for or predicted) as a wave of the result.

    targeted is the job's progress total, else the devices the module counted in the group (targeted_devices, in
    check mode), else 0.
    """
    attempt = to_dict(attempt, "iotcentral_wave_record", "the iotcentral_job result")
    job = to_dict(attempt.get("job"), "iotcentral_wave_record", "the result's job")
    progress = to_dict(job.get("progress"), "iotcentral_wave_record", "the job's progress")
    targeted = _count(progress.get("total") or attempt.get("targeted_devices"), "targeted")
    failed = _count(progress.get("failed"), "failed")
    return {
        "name": name,
        "job_id": job.get("job_id"),
        "targeted": targeted,
        "succeeded": _count(progress.get("completed"), "succeeded"),
        "failed": failed,
        "failure_rate": failure_rate(failed, targeted),
        "status": job.get("status"),
    }


class FilterModule(object):
    def filters(self):
        return {"iothub_wave_record": iothub_wave_record, "iotcentral_wave_record": iotcentral_wave_record}
