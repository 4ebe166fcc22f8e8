# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.azure_iot.jobs.plugins.module_utils._errors import ValidationError
from ansible_collections.azure_iot.jobs.plugins.module_utils._iotcentral import (
    data_to_ansible, device_status_to_ansible, job_to_ansible)
from ansible_collections.azure_iot.jobs.plugins.module_utils._validate import CENTRAL_ID, check_id


def test_job_projection_of_the_spec_example():
    body = {"id": "myJobId", "displayName": "My Job", "group": "475cad48-b7ff-4a09-b51e-1a9021385453",
            "data": [{"type": "property", "target": "urn:1dgygpt7t:modelDefinition:02uwtefvdy",
                      "path": "componentName.propertyName", "value": "updated value"}],
            "status": "running"}
    assert job_to_ansible(body) == {
        "job_id": "myJobId", "display_name": "My Job", "description": None,
        "group": "475cad48-b7ff-4a09-b51e-1a9021385453", "status": "running", "batch": None,
        "cancellation_threshold": None,
        "data": [{"type": "property", "target": "urn:1dgygpt7t:modelDefinition:02uwtefvdy",
                  "path": "componentName.propertyName", "value": "updated value", "template": None}],
        "organizations": None, "scheduled_job_id": None, "start_time": None, "end_time": None,
        "progress": {"total": None, "pending": None, "completed": None, "failed": None}}


@pytest.mark.parametrize("api, ansible", [("property", "property"), ("command", "command"),
                                          ("cloudProperty", "cloud_property"),
                                          ("deviceTemplateMigration", "device_template_migration"),
                                          ("deviceManifestMigration", "deviceManifestMigration")])
def test_data_types_in_snake_case(api, ansible):
    assert data_to_ansible({"type": api})["type"] == ansible


def test_threshold_batch_defaults_to_false_and_device_status():
    job = job_to_ansible({"cancellationThreshold": {"type": "percentage", "value": 10}})
    assert job["cancellation_threshold"] == {"type": "percentage", "value": 10, "batch": False}
    assert device_status_to_ansible({"id": "d1", "status": "completed"}) == {"device_id": "d1", "status": "completed"}


@pytest.mark.parametrize("job_id", ["a", "A-b_c", "x" * 255])
def test_valid_job_ids(job_id):
    assert check_id(job_id, CENTRAL_ID) == job_id


@pytest.mark.parametrize("job_id, text", [("", "must not be empty"), ("x" * 256, "at most 255"),
                                          ("a b", "found ' '"), ("a/b", "found '/'")])
def test_invalid_job_ids(job_id, text):
    with pytest.raises(ValidationError, match=text):
        check_id(job_id, CENTRAL_ID)
