"""The documented page-size maxima, enforced by the emulator as the services answer (issue 19)."""
import pytest

from central_helpers import Central


def pages_of(emulator, sql, page_size):
    sizes, rows, token = [], [], None
    while True:
        response = emulator.query(sql, page_size, token)
        assert response.status_code == 200, response.text
        sizes.append(len(response.json()))
        rows += response.json()
        token = response.headers.get("x-ms-continuation")
        if not token:
            return sizes, rows


def test_a_page_above_1000_is_served_1000_rows_at_a_time(emulator):
    emulator.reset(devices=2500, seed=7)
    first = emulator.query("SELECT deviceId FROM devices", page_size=5000)
    assert first.status_code == 200 and len(first.json()) == 1000 and first.headers["x-ms-continuation"]
    sizes, rows = pages_of(emulator, "SELECT deviceId FROM devices", 5000)
    assert sizes == [1000, 1000, 500]
    assert [row["deviceId"] for row in rows] == ["device-%05d" % n for n in range(1, 2501)]


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_a_page_size_that_is_not_a_positive_integer_is_a_400_naming_the_header(emulator, value):
    response = emulator.hub("POST", "/devices/query", json={"query": "SELECT * FROM devices"},
                            headers={"x-ms-max-item-count": value})
    assert response.status_code == 400 and response.headers["iothub-errorcode"] == "ArgumentInvalid"
    assert response.json()["Message"] == ("ErrorCode:ArgumentInvalid;x-ms-max-item-count must be a positive "
                                          "integer, got '%s'." % value)


def test_a_filtered_devices_jobs_result_pages_in_full_with_no_empty_last_page(emulator):
    for job_id in ("rows-a", "rows-b"):
        assert emulator.put_job(job_id, emulator.twin_job("*", tags={"job": job_id})).status_code == 200
        emulator.wait_job(job_id)
    sql = "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '%s'"
    # rows-a's rows come first and rows-b's follow: the last page of rows-a still carries no token.
    sizes, rows = pages_of(emulator, sql % "rows-a", 50)
    assert sizes == [50, 50] and {row["jobId"] for row in rows} == {"rows-a"}
    sizes, rows = pages_of(emulator, sql % "rows-b", 30)
    assert sizes == [30, 30, 30, 10]
    assert sorted(row["deviceId"] for row in rows) == ["device-%05d" % n for n in range(1, 101)]


@pytest.mark.parametrize("value", ["0", "101"])
def test_central_refuses_maxpagesize_outside_1_to_100_naming_it(emulator, value):
    response = Central(emulator).call("GET", "/jobs", params={"maxpagesize": value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidParameter"
    assert response.json()["error"]["message"] == "maxpagesize must be an integer from 1 to 100, got '%s'." % value


def test_central_serves_100_a_page_at_the_maximum(emulator):
    central = Central(emulator)
    emulator.configure(central_page_size=5)
    body = central.ok("GET", "/devices", params={"maxpagesize": 100})
    everything, _pages = central.all_pages("/devices", params={"maxpagesize": 100})
    assert len(everything) > 5 and len(body["value"]) == min(100, len(everything))
