# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # What an IoT Central job does, shared by iotcentral_job and iotcentral_scheduled_job (whose runs are jobs).
    DOCUMENTATION = r"""
options:
  data:
    description:
      - What the job does on each device; all items of one job must have the same O(data[].type). Required to
        create the job; when set on an existing one, the whole list is compared (or managed).
      - A device whose template none of the items targets fails in the job.
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - V(property) sets a writable device property, V(cloud_property) a cloud property, V(command) runs a
            command, V(device_template_migration) moves the devices to the template O(data[].template).
        type: str
        required: true
        choices: [property, command, cloud_property, device_template_migration]
      target:
        description:
          - The device template id the item applies to, for example V(dtmi:contoso:thermostat;1). Required except
            for V(device_template_migration).
        type: str
      path:
        description:
          - The property or command, as V(name) or V(component.name). Required except for
            V(device_template_migration).
        type: str
      value:
        description:
          - The value to set, or the command's request payload (optional for a command).
          - Required for V(property) and V(cloud_property).
        type: raw
      template:
        description:
          - The device template to migrate to; only and required for V(device_template_migration).
        type: str
  batch:
    description:
      - Run the job batch by batch, each of O(batch.value) devices or percent of the job's devices.
      - An existing job's value is kept when not set.
    type: dict
    suboptions:
      type:
        description: V(number) of devices or V(percentage) of the job's devices.
        type: str
        required: true
        choices: [number, percentage]
      value:
        description: The batch size, greater than 0 (at most 100 for a percentage).
        type: float
        required: true
  cancellation_threshold:
    description:
      - Cancel the job once more devices failed than this; the job then has status V(cancelled).
      - An existing job's value is kept when not set.
    type: dict
    suboptions:
      type:
        description: V(number) of devices or V(percentage) of the devices.
        type: str
        required: true
        choices: [number, percentage]
      value:
        description: The threshold, greater than 0 (at most 100 for a percentage).
        type: float
        required: true
      batch:
        description: Apply the threshold to each batch (V(true)) instead of the whole job.
        type: bool
        default: false
  organizations:
    description:
      - The organization the job belongs to, as a list of exactly one organization id.
      - An existing job's value is kept when not set.
    type: list
    elements: str
"""
