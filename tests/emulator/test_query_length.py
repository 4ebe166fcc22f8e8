"""Query length: the emulator refuses a job condition or a twin query past 8200 characters with 412
PreconditionFailed (Azure/azure-iot-sdk-csharp#1680, contract.md 1.4), and what the modules send stays under it."""
from module_runs import hub_args
from test_hub_jobs import assert_hub_error

from emulator.query import MAX_QUERY_LENGTH


def ids_condition(length):
    """deviceId IN [...] over seeded ids, padded with one unknown id to exactly `length` characters."""
    count = (length - len("deviceId IN []") + 2) // len("'device-00000', ") - 1
    ids = ["'device-%05d'" % number for number in range(1, count + 1)]
    padding = length - len("deviceId IN ['', %s]" % ", ".join(ids))
    text = "deviceId IN ['%s', %s]" % ("x" * padding, ", ".join(ids))
    assert len(text) == length
    return text


def test_the_limit_is_the_recorded_figure():
    assert MAX_QUERY_LENGTH == 8200


def test_a_job_condition_of_8200_characters_is_accepted_and_runs(emulator):
    response = emulator.put_job("len-8200", emulator.twin_job(ids_condition(8200), tags={"len": 1}))
    assert response.status_code == 200, response.text
    assert emulator.wait_job("len-8200")["status"] == "completed"


def test_a_job_condition_of_8201_characters_is_refused_before_anything_is_created(emulator):
    response = emulator.put_job("len-8201", emulator.twin_job(ids_condition(8201), tags={"len": 1}))
    body = assert_hub_error(response, 412, "PreconditionFailed")
    assert body["Message"] == ("ErrorCode:PreconditionFailed;The queryCondition is 8201 characters long; the maximum "
                               "query length is 8200 characters.")
    assert emulator.get_job("len-8201")["type"] == "unknown"
    method = emulator.put_job("len-8201-m", emulator.method_job(ids_condition(9000)))
    assert_hub_error(method, 412, "PreconditionFailed", "The queryCondition is 9000 characters long")


def test_a_device_query_is_measured_whole(emulator):
    prefix = "SELECT deviceId FROM devices WHERE "
    fits = emulator.query(prefix + ids_condition(8200 - len(prefix)))
    assert fits.status_code == 200, fits.text
    assert fits.json()[0] == {"deviceId": "device-00001"}
    refused = emulator.query(prefix + ids_condition(8201 - len(prefix)))
    body = assert_hub_error(refused, 412, "PreconditionFailed")
    assert body["Message"] == ("ErrorCode:PreconditionFailed;The query is 8201 characters long; the maximum query "
                               "length is 8200 characters.")
    count = emulator.query("SELECT COUNT() AS n FROM devices WHERE " + ids_condition(8500))
    assert_hub_error(count, 412, "PreconditionFailed", "The query is 8539 characters long")


def test_the_longest_condition_a_module_takes_runs_and_one_more_character_is_refused_without_a_call(emulator, run):
    emulator.control("DELETE", "requests", expect=(200, 204))
    args = dict(hub_args(emulator, "len-module"), query=ids_condition(7947))
    predicted = run("iothub_scheduled_job", args, check_mode=True)
    assert not predicted.get("failed"), predicted
    created = run("iothub_scheduled_job", dict(args, wait=True, wait_timeout=120, wait_sleep=1))
    assert created["changed"] and created["job"]["status"] == "completed", created
    # check mode: GET, COUNT; the create: GET, COUNT (with the whole 8000-character statement), PUT, then the wait.
    log = [(entry["method"], entry["route"], entry["status"]) for entry in emulator.control("GET", "requests/log")]
    assert log[:5] == [("GET", "/jobs/v2/{id}", 200), ("POST", "/devices/query", 200), ("GET", "/jobs/v2/{id}", 200),
                       ("POST", "/devices/query", 200), ("PUT", "/jobs/v2/{id}", 200)]
    assert set(log[5:]) == {("GET", "/jobs/v2/{id}", 200)}
    emulator.control("DELETE", "requests", expect=(200, 204))
    refused = run("iothub_scheduled_job", dict(args, job_id="len-module-2", query=ids_condition(7948)))
    assert refused["failed"] and refused["msg"].startswith("query is 7948 characters long; at most 7947 are allowed")
    assert emulator.control("GET", "requests/log") == []
