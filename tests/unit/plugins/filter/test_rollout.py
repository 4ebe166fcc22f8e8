# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.azure_iot.jobs.plugins.filter.rollout import device_id_jobs, device_id_query, rollout_waves
from ansible_collections.azure_iot.jobs.plugins.module_utils._iothub import MAX_CONDITION_LENGTH

FLEET = ["d%02d" % number for number in range(20, 0, -1)]  # unsorted on purpose


def summary(waves):
    return [(wave["name"], wave["job_id"], len(wave["device_ids"])) for wave in waves]


def test_canary_percentage_then_cumulative_percentages():
    waves = rollout_waves(FLEET, "fw-2", canary_percentage=10, waves=[25, 50, 100])
    assert summary(waves) == [("canary", "fw-2-canary", 2), ("wave-1", "fw-2-wave-1", 5),
                              ("wave-2", "fw-2-wave-2", 4), ("wave-3", "fw-2-wave-3", 9)]
    assert waves[0]["device_ids"] == ["d01", "d02"]
    assert waves[0]["query"] == "deviceId IN ['d01', 'd02']"
    every = [device for wave in waves for device in wave["device_ids"]]
    assert sorted(every) == sorted(FLEET) and len(every) == len(set(every))


def test_the_same_fleet_gives_the_same_plan_in_any_order():
    assert rollout_waves(FLEET, "r", canary_count=3) == rollout_waves(sorted(FLEET), "r", canary_count=3)


def test_canary_by_ids_and_fixed_size_waves():
    waves = rollout_waves(FLEET, "r", canary_ids=["d05", "d99"], wave_size=8)
    assert summary(waves) == [("canary", "r-canary", 1), ("wave-1", "r-wave-1", 8), ("wave-2", "r-wave-2", 8),
                              ("wave-3", "r-wave-3", 3)]
    assert waves[0]["device_ids"] == ["d05"] and "d05" not in waves[1]["device_ids"]


def test_small_fleet_leaves_empty_waves_out():
    assert summary(rollout_waves(["a", "b"], "r", canary_percentage=5, waves=[10, 100])) == [
        ("canary", "r-canary", 1), ("wave-1", "r-wave-1", 1)]
    assert rollout_waves([], "r", canary_percentage=5) == []


def test_quotes_in_device_ids_are_doubled():
    assert device_id_query(["it's"]) == "deviceId IN ['it''s']"


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="Fw_2"), "rollout_waves: name must be 1 to 40 US-ASCII letters, digits and '-' (job ids are derived "
                        "from it), got 'Fw_2'"),
    (dict(name="x" * 41), "rollout_waves: name must be 1 to 40"),
    (dict(waves=[50, 40, 100]), "rollout_waves: waves must be cumulative percentages that grow from above 0 up to "
                                "100, such as [10, 50, 100]; got [50, 40, 100]"),
    (dict(waves=[10, 50]), "rollout_waves: the last of waves must be 100 so that every device is reached; got "
                           "[10, 50]"),
    (dict(waves=[]), "rollout_waves: waves must hold at least one cumulative percentage"),
    (dict(canary_percentage=150), "rollout_waves: wave_size and canary_count must be 0 or more"),
])
def test_bad_plans_are_refused_with_the_rule(kwargs, message):
    arguments = dict(dict(name="r"), **kwargs)
    with pytest.raises(AnsibleFilterError) as error:
        rollout_waves(FLEET, **arguments)
    assert str(error.value).startswith(message)


def test_empty_id_list_has_no_query():
    with pytest.raises(AnsibleFilterError, match="the list of device ids is empty"):
        device_id_query([])


# --- issue 16: waves too large for one query ------------------------------------------------------------------

SEEDED = ["device-%05d" % number for number in range(1, 501)]  # the integration emulator's 500 devices


def test_device_ids_that_fit_give_one_job_equal_to_device_id_query():
    assert device_id_jobs(["b", "it's"], "fw-1-wave-1") == [
        {"job_id": "fw-1-wave-1", "device_ids": ["b", "it's"], "query": "deviceId IN ['b', 'it''s']"}]


def test_the_default_limit_puts_495_seeded_ids_in_a_job():
    jobs = device_id_jobs(SEEDED, "r-wave-1")
    assert [(job["job_id"], len(job["device_ids"]), len(job["query"])) for job in jobs] == [
        ("r-wave-1", 495, 7932), ("r-wave-1-part-2", 5, 92)]
    assert jobs[0]["query"] == device_id_query(SEEDED[:495]) and jobs[1]["query"] == device_id_query(SEEDED[495:])
    assert len(device_id_query(SEEDED[:496])) == 7948 == MAX_CONDITION_LENGTH + 1


def test_jobs_keep_the_order_given_and_cover_every_id_once():
    ids = ["z%d" % number for number in range(300)] + ["a'b"] * 2
    jobs = device_id_jobs(ids, "j", max_length=100)
    assert [device for job in jobs for device in job["device_ids"]] == ids
    assert all(len(job["query"]) <= 100 for job in jobs)
    # Greedy: no job could take the first id of the next one.
    assert all(len(device_id_query(job["device_ids"] + [following["device_ids"][0]])) > 100
               for job, following in zip(jobs, jobs[1:]))
    assert [job["job_id"] for job in jobs][:3] == ["j", "j-part-2", "j-part-3"]


def test_a_small_max_length_splits_exactly():
    assert device_id_jobs(["d1", "d2", "d3"], "j", max_length="26") == [
        {"job_id": "j", "device_ids": ["d1", "d2"], "query": "deviceId IN ['d1', 'd2']"},
        {"job_id": "j-part-2", "device_ids": ["d3"], "query": "deviceId IN ['d3']"}]
    assert len("deviceId IN ['d1', 'd2']") == 24


@pytest.mark.parametrize("args, kwargs, message", [
    ([[], "j"], {}, "device_id_jobs: the list of device ids is empty; a job needs at least one device"),
    (["d1", "j"], {}, "device_id_jobs: the device ids must be a list, got 'd1'"),
    ([["d1"], ""], {}, "device_id_jobs: job_id must be a non-empty string, got ''"),
    ([["d1"], "j"], dict(max_length="many"), "device_id_jobs: max_length must be a whole number, got 'many'"),
    ([["d1"], "j"], dict(max_length=8000),
     "device_id_jobs: max_length must be from 15 to 7947 characters (the longest condition the modules accept), got "
     "8000"),
    ([["a-long-device-id"], "j"], dict(max_length=20),
     "device_id_jobs: the device id 'a-long-device-id' alone makes a condition of 32 characters, more than "
     "max_length (20)"),
    ([["d%03d" % n for n in range(100)], "j" * 58], dict(max_length=20),
     "device_id_jobs: 100 devices need 100 jobs, and the id of the last, '%s-part-100', has 67 characters; IoT Hub "
     "takes at most 64: use a shorter job id" % ("j" * 58)),
])
def test_device_id_jobs_refuses_what_cannot_become_jobs(args, kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        device_id_jobs(*args, **kwargs)
    assert str(error.value) == message


def test_a_wave_that_fits_runs_one_job_with_the_wave_s_id_and_query():
    for wave in rollout_waves(FLEET, "fw-2", canary_percentage=10, waves=[25, 50, 100]):
        assert wave["jobs"] == [{"job_id": wave["job_id"], "device_ids": wave["device_ids"], "query": wave["query"]}]


def test_a_wave_too_large_for_one_query_runs_as_several_jobs():
    waves = rollout_waves(SEEDED, "big", canary_count=10, waves=[100])
    assert [(wave["name"], [(job["job_id"], len(job["device_ids"])) for job in wave["jobs"]]) for wave in waves] == [
        ("canary", [("big-canary", 10)]), ("wave-1", [("big-wave-1", 490)])]
    waves = rollout_waves(SEEDED, "big", canary_percentage=0)
    assert [(job["job_id"], len(job["device_ids"])) for job in waves[0]["jobs"]] == [
        ("big-wave-1", 495), ("big-wave-1-part-2", 5)]
    # The wave's own job id and devices are those of before the split; its query still names all of them.
    assert waves[0]["job_id"] == "big-wave-1" and waves[0]["device_ids"] == SEEDED
    assert waves[0]["query"] == device_id_query(SEEDED)


def test_the_benchmark_s_2000_device_waves():
    fleet = ["device-%05d" % number for number in range(1, 10001)]
    waves = rollout_waves(fleet, "bench-rollout", canary_percentage=0, waves=[20, 40, 60, 80, 100])
    assert [len(wave["jobs"]) for wave in waves] == [5, 5, 5, 5, 5]
    assert [len(job["device_ids"]) for job in waves[1]["jobs"]] == [495, 495, 495, 495, 20]
    assert waves[4]["jobs"][4]["job_id"] == "bench-rollout-wave-5-part-5"
    assert max(len(job["query"]) for wave in waves for job in wave["jobs"]) == 7932


def test_rollout_waves_converts_its_own_arguments():
    # Before ansible-core 2.19, "{{ x | int }}" inside a dict of vars stays a string.
    assert rollout_waves(FLEET, "r", canary_count="3", wave_size="8", canary_percentage="0") == rollout_waves(
        FLEET, "r", canary_count=3, wave_size=8)
    assert rollout_waves(FLEET, "r", canary_percentage="10", waves=["25", "50.0", 100]) == rollout_waves(
        FLEET, "r", canary_percentage=10, waves=[25, 50, 100])
    with pytest.raises(AnsibleFilterError) as error:
        rollout_waves(FLEET, "r", wave_size="eight")
    assert str(error.value) == "rollout_waves: wave_size must be a whole number, got 'eight'"


def test_a_plan_whose_derived_job_ids_would_not_fit_is_refused():
    # 128-character ids: 60 a job; the 100th wave of 600 devices needs 10 jobs, and its last retry's last job id,
    # <name>-wave-100-retry-9-part-10, would have 65 characters with a name of 40.
    fleet = ["%s%05d" % ("d" * 123, number) for number in range(60000)]
    name = "n" * 40
    with pytest.raises(AnsibleFilterError) as error:
        rollout_waves(fleet, name, wave_size=600)
    assert str(error.value) == (
        "rollout_waves: wave-100 needs 10 jobs, and the id of its last retry's last job, "
        "'%s-wave-100-retry-9-part-10', would have 65 characters; IoT Hub takes at most 64: use a shorter name, or "
        "fewer waves" % name)
    assert len(rollout_waves(fleet, name[:39], wave_size=600)) == 100


def test_arguments_templated_to_strings_are_converted():
    # Before ansible-core 2.19 "{{ x | int }}" inside a vars dict reaches the filter as a string.
    as_numbers = rollout_waves(FLEET, "r", canary_count=3, canary_percentage=0, waves=[25, 50, 100], wave_size=0)
    as_strings = rollout_waves(FLEET, "r", canary_count="3", canary_percentage="0.0", waves=["25", "50", "100"],
                               wave_size="0")
    assert as_strings == as_numbers
    assert rollout_waves(FLEET, "r", waves="[25, 50, 100]") == rollout_waves(FLEET, "r", waves=[25, 50, 100])
    expected = [("wave-1", "r-wave-1", 8), ("wave-2", "r-wave-2", 8), ("wave-3", "r-wave-3", 4)]
    assert summary(rollout_waves(FLEET, "r", wave_size="8")) == expected


@pytest.mark.parametrize("kwargs, message", [
    (dict(canary_count="three"), "rollout_waves: canary_count must be a whole number, got 'three'"),
    (dict(wave_size="2.5"), "rollout_waves: wave_size must be a whole number, got '2.5'"),
    (dict(canary_count=True), "rollout_waves: canary_count must be a whole number, got True"),
    (dict(waves=["ten", "100"]), "rollout_waves: waves must be cumulative percentages that grow from above 0 up to "
                                 "100, such as [10, 50, 100]; got ['ten', 100.0]"),
    (dict(waves="10, 100"), "rollout_waves: waves must be a list, got '10, 100'"),
])
def test_arguments_that_are_not_numbers_are_refused(kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        rollout_waves(FLEET, "r", **kwargs)
    assert str(error.value).startswith(message)
