#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iothub_device_info
short_description: List the IoT Hub devices a job query selects
version_added: 1.0.0
description:
  - Runs the device twin query C(SELECT deviceId FROM devices WHERE <query>) on an IoT Hub, every page, and returns
    the ids of the devices it selects, sorted, so that a playbook can split a fleet into waves of known devices.
  - O(query) is the same condition a scheduled job takes (O(azure_iot.jobs.iothub_scheduled_job#module:query)), so
    this module shows which devices a job with that query would run on right now.
  - With O(include_twins=true) it also returns each device's twin (tags, desired and reported properties).
  - Uses the IoT Hub data-plane REST API (C(POST /devices/query)), api-version 2021-04-12.
author:
  - azure_iot.jobs contributors (@azure-iot-jobs)
options:
  query:
    description:
      - The condition of the twin query, without C(SELECT ... WHERE), for example V(tags.ring = 'canary'); V(*)
        selects every device. A leading C(WHERE) is accepted.
    type: str
    default: "*"
  include_twins:
    description:
      - Also return the twin of each device in RV(devices). Without it only the ids are read.
    type: bool
    default: false
  count_only:
    description:
      - Only count the devices, with one C(SELECT COUNT() FROM devices) query, and return RV(count) without
        RV(device_ids). Cannot be used with O(include_twins).
    type: bool
    default: false
  page_size:
    description:
      - Devices per page of the query (C(x-ms-max-item-count)), 1 to 1000.
      - When not set, 1000 (the largest page IoT Hub serves), or 100 for the rest of the run if the hub refuses that
        size.
    type: int
extends_documentation_fragment:
  - azure_iot.jobs.connection
  - azure_iot.jobs.iothub_auth
  - azure_iot.jobs.arm_auth
  - azure_iot.jobs.attributes
  - azure_iot.jobs.attributes.info_module
  - azure_iot.jobs.attributes.action_group_iothub
seealso:
  - module: azure_iot.jobs.iothub_scheduled_job
  - name: IoT Hub query language
    description: The twin query this module runs.
    link: https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-query-language
"""

EXAMPLES = r"""
- name: Split a fleet into waves
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/azure_iot.jobs.iothub:
      connection_string: "{{ lookup('ansible.builtin.env', 'AZURE_IOTHUB_CONNECTION_STRING') }}"
  tasks:
    - name: List the thermostats
      azure_iot.jobs.iothub_device_info:
        query: "tags.kind = 'thermostat'"
      register: thermostats

    - name: Show how many there are and the first one
      ansible.builtin.debug:
        msg: "{{ thermostats.count }} thermostats, the first is {{ thermostats.device_ids | first | default('none') }}"

    - name: Read the twins of the canary ring
      azure_iot.jobs.iothub_device_info:
        query: "tags.ring = 'canary'"
        include_twins: true
      register: canary
"""

RETURN = r"""
device_ids:
  description: The ids of the selected devices, sorted.
  returned: unless O(count_only=true)
  type: list
  elements: str
  sample: ["device-00001", "device-00002"]
count:
  description: How many devices the query selected.
  returned: always
  type: int
  sample: 2
devices:
  description: The twins of the selected devices, sorted by id.
  returned: when O(include_twins=true)
  type: list
  elements: dict
  contains:
    device_id:
      description: The device's id.
      type: str
      sample: device-00001
    status:
      description: V(enabled) or V(disabled).
      type: str
      sample: enabled
    connection_state:
      description: V(Connected) or V(Disconnected).
      type: str
      sample: Connected
    tags:
      description: The twin's tags.
      type: dict
      sample: {"ring": "canary"}
    desired:
      description: The desired properties, without the C($metadata) and C($version) keys.
      type: dict
      sample: {"firmware": {"version": "1.2.0"}}
    reported:
      description: The reported properties, without the C($metadata) and C($version) keys.
      type: dict
      sample: {"firmware": {"version": "1.1.0"}}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.azure_iot.jobs.plugins.module_utils._args import ARM_ARGSPEC, COMMON_ARGSPEC, IOTHUB_ARGSPEC
from ansible_collections.azure_iot.jobs.plugins.module_utils._connection import iothub_client
from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import CollectionError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import (
    QUERY_PAGE, count_devices, normalize_query, query_devices)
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import check_range

PAGE_SIZE_RANGE = (1, QUERY_PAGE.largest)


def argument_spec():
    spec = dict(
        query=dict(type="str", default="*"),
        include_twins=dict(type="bool", default=False),
        count_only=dict(type="bool", default=False),
        page_size=dict(type="int"),
    )
    spec.update(COMMON_ARGSPEC)
    spec.update(IOTHUB_ARGSPEC)
    spec.update(ARM_ARGSPEC)  # accepted so one group/azure_iot.jobs.iothub default serves every hub module
    return spec


def check(params):
    """The normalised query; everything that can be known before a call."""
    check_range(params["page_size"], "page_size", *PAGE_SIZE_RANGE, unit=None)
    return normalize_query(params["query"])


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[("count_only", "include_twins")])
    params = module.params
    try:
        query = check(params)
        if params["count_only"]:
            module.exit_json(changed=False, query=query, count=count_devices(iothub_client(module), query))
        found = query_devices(iothub_client(module), query, twins=params["include_twins"],
                              page_size=params["page_size"] or QUERY_PAGE)
    except CollectionError as e:
        module.fail_json(**e.to_fail_json())
    result = dict(changed=False, query=query)
    if params["include_twins"]:
        result["devices"] = found
        result["device_ids"] = [device["device_id"] for device in found]
    else:
        result["device_ids"] = found
    result["count"] = len(result["device_ids"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
