# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""device_results_dest: per-device results as JSON Lines on the managed host, page by page (issue 19)."""

from __future__ import annotations

import json
import os
import stat


from ansible_collections.azure_iot.jobs.plugins.module_utils import _results_file
from ansible_collections.azure_iot.jobs.plugins.module_utils._client import PageSize
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import device_jobs_query, device_job_to_ansible
from ansible_collections.azure_iot.jobs.plugins.modules import iotcentral_job_info, iothub_scheduled_job_info
from ansible_collections.azure_iot.jobs.tests.unit.fake_client import FakeClient, api_error, expect, pages

HUB = {"connection_string": "HostName=myhub.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=a2V5"}
CENTRAL = {"app_url": "https://myapp.azureiotcentral.com",
           "api_token": "SharedAccessSignature sr=app&sig=c2ln&skn=operator&se=4102444800000"}
QUERY_PAGE = PageSize("x-ms-max-item-count", 1000, 100)
LIST_PAGE = PageSize("maxpagesize", 100, None)
HUB_JOB = {"jobId": "j1", "type": "scheduleUpdateTwin", "status": "completed", "queryCondition": "*",
           "deviceJobStatistics": {"deviceCount": 3, "failedCount": 1, "succeededCount": 2}}


def hub_row(device, status="completed"):
    return {"deviceId": device, "jobId": "j1", "jobType": "scheduleUpdateTwin", "status": status}


HUB_PAGES = [[hub_row("d1"), hub_row("d2", "failed")], [hub_row("d3")]]


def hub_client(page_list=None):
    page_list = HUB_PAGES if page_list is None else page_list
    return FakeClient([expect("GET", "/jobs/v2/{job_id}", path_params={"job_id": "j1"}, body=HUB_JOB),
                       pages("POST", "/devices/query", page_list, json={"query": device_jobs_query("j1")},
                             page_size=QUERY_PAGE)])


def lines(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def leftovers(directory):
    return sorted(name for name in os.listdir(str(directory)) if name.endswith(".tmp"))


def test_hub_rows_go_to_the_file_and_only_counts_to_the_result(run_module, tmp_path):
    dest = tmp_path / "rows.jsonl"
    client = hub_client()
    outcome = run_module(iothub_scheduled_job_info, dict(HUB, job_id="j1", include_device_results=True,
                                                         device_results_dest=str(dest)), client=client)
    client.assert_done()
    assert client.calls == [("GET", "/jobs/v2/{job_id}"), ("POST", "/devices/query"), ("POST", "/devices/query")]
    job = outcome.result["jobs"][0]
    assert "device_results" not in job
    assert job["device_result_counts"] == {"rows": 3, "by_status": {"completed": 2, "failed": 1}}
    assert outcome.result["device_results_file"] == {"path": str(dest), "rows": 3,
                                                     "by_status": {"completed": 2, "failed": 1}, "written": True}
    assert lines(dest) == [device_job_to_ansible(row) for page in HUB_PAGES for row in page]
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600
    assert leftovers(tmp_path) == []


def test_the_mode_option_sets_the_permissions(run_module, tmp_path):
    dest = tmp_path / "rows.jsonl"
    run_module(iothub_scheduled_job_info, dict(HUB, job_id="j1", include_device_results=True,
                                               device_results_dest=str(dest), device_results_mode="0644"),
               client=hub_client())
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o644


def test_check_mode_reads_and_counts_but_writes_nothing(run_module, tmp_path):
    dest = tmp_path / "rows.jsonl"
    outcome = run_module(iothub_scheduled_job_info, dict(HUB, job_id="j1", include_device_results=True,
                                                         device_results_dest=str(dest)), client=hub_client(),
                         check_mode=True)
    assert outcome.result["device_results_file"] == {"path": str(dest), "rows": 3,
                                                     "by_status": {"completed": 2, "failed": 1}, "written": False}
    assert os.listdir(str(tmp_path)) == []


def test_a_failed_page_leaves_the_previous_file_as_it_was(run_module, tmp_path):
    dest = tmp_path / "rows.jsonl"
    dest.write_text('{"previous": true}\n', encoding="utf-8")
    failure = api_error(503, "ServerBusy", method="POST", path="/devices/query")
    outcome = run_module(iothub_scheduled_job_info, dict(HUB, job_id="j1", include_device_results=True,
                                                         device_results_dest=str(dest)),
                         client=hub_client([HUB_PAGES[0], failure]))
    assert outcome.failed and outcome.msg == failure.msg
    assert dest.read_text(encoding="utf-8") == '{"previous": true}\n'
    assert leftovers(tmp_path) == []


def test_an_unwritable_directory_fails_before_any_call(run_module, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    # The permission check, not the file mode: root (as in CI containers) may write anywhere, and the rule is the
    # module's answer to os.access saying no.
    real_access = _results_file.os.access
    monkeypatch.setattr(_results_file.os, "access",
                        lambda path, mode: False if str(path) == str(locked) else real_access(path, mode))
    outcome = run_module(iothub_scheduled_job_info, dict(HUB, job_id="j1", include_device_results=True,
                                                         device_results_dest=str(locked / "rows.jsonl")))
    assert outcome.failed and outcome.factory_calls == []
    assert outcome.msg == "device_results_dest %r: the directory %r is not writable" % (
        str(locked / "rows.jsonl"), str(locked))


def test_central_lines_carry_the_job_id(run_module, tmp_path):
    dest = tmp_path / "devices.jsonl"
    client = FakeClient([
        expect("GET", "/jobs/{job_id}", path_params={"job_id": "j1"}, body={"id": "j1", "status": "complete"}),
        pages("GET", "/jobs/{job_id}/devices", [[{"id": "d1", "status": "completed"}],
                                                [{"id": "d2", "status": "failed"}]],
              path_params={"job_id": "j1"}, page_size=LIST_PAGE),
    ])
    outcome = run_module(iotcentral_job_info, dict(CENTRAL, job_id="j1", include_devices=True,
                                                   device_results_dest=str(dest)), client=client)
    client.assert_done()
    assert "devices" not in outcome.result["jobs"][0]
    assert outcome.result["jobs"][0]["device_result_counts"] == {"rows": 2, "by_status": {"completed": 1,
                                                                                          "failed": 1}}
    assert lines(dest) == [{"job_id": "j1", "device_id": "d1", "status": "completed"},
                           {"job_id": "j1", "device_id": "d2", "status": "failed"}]
    assert outcome.result["device_results_file"]["written"] is True
