"""What the official clients need beyond the collection (issue 18, contract.md section 8): sr without the port, hub
jobs without startTime, the device list, the statistics routes and direct method invocation of the data plane."""
import pytest


def assert_hub_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers.get("iothub-errorcode") == code, response.headers


@pytest.mark.parametrize("sr", ["bare", "with port", "localhost"])
def test_sas_sr_with_or_without_the_port(emulator, sr):
    name, port = emulator.host.rsplit(":", 1)
    host = {"bare": name, "with port": emulator.host, "localhost": "localhost"}[sr]
    response = emulator.hub("GET", "/twins/device-00001", auth=False, headers={"Authorization": emulator.sas(host)})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("host", ["other-hub.azure-devices.net", "127.0.0.2", "127.0.0.1:1"])
def test_sas_sr_of_another_host_is_refused(emulator, host):
    response = emulator.hub("GET", "/twins/device-00001", auth=False, headers={"Authorization": emulator.sas(host)})
    assert_hub_error(response, 401, "IotHubUnauthorizedAccess")


@pytest.mark.parametrize("body", ["twin", "method"])
def test_a_job_without_start_time_runs_now(emulator, body):
    emulator.configure(tier="S3")
    job = emulator.twin_job(query="tags.ring = 'canary'", tags={"asap": 1}) if body == "twin" else \
        emulator.method_job(query="deviceId = 'device-00001'")
    del job["startTime"]
    created = emulator.put_job("asap-" + body, job)
    assert created.status_code == 200, created.text
    done = emulator.wait_job("asap-" + body)
    assert done["status"] == "completed" and done["deviceJobStatistics"]["succeededCount"] >= 1
    assert done["startTime"] <= done["endTime"]


def test_device_list_honours_top(emulator):
    devices = emulator.hub("GET", "/devices", params={"top": "5"}).json()
    assert [d["deviceId"] for d in devices] == ["device-%05d" % n for n in range(1, 6)]
    assert devices[0]["authentication"]["type"] == "sas"
    everything = emulator.hub("GET", "/devices", params={"top": "0"}).json()  # outside 1-1000: 1000
    assert emulator.hub("GET", "/devices/").json() == everything  # as the Node.js SDK's Registry.list() asks
    assert len(everything) == len(emulator.query_all("SELECT deviceId FROM devices"))


def test_statistics(emulator):
    emulator.configure(disconnected_rate=0.5)
    devices = emulator.hub("GET", "/statistics/devices").json()
    total = len(emulator.query_all("SELECT deviceId FROM devices"))
    assert devices == {"totalDeviceCount": total, "enabledDeviceCount": total, "disabledDeviceCount": 0}
    connected = emulator.query_all("SELECT deviceId FROM devices WHERE connectionState = 'Connected'")
    assert emulator.hub("GET", "/statistics/service").json() == {"connectedDeviceCount": len(connected)}
    assert 0 < len(connected) < total


def test_direct_method_invocation(emulator):
    emulator.configure(time_scale=50)
    body = {"methodName": "reboot", "payload": {"delay": 0}, "responseTimeoutInSeconds": 30}
    answer = emulator.hub("POST", "/twins/device-00002/methods", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": 200, "payload": {"result": "ok", "method": "reboot"}}
    emulator.control("PATCH", "devices/device-00002", json={"connectionState": "Disconnected"})
    assert_hub_error(emulator.hub("POST", "/twins/device-00002/methods", json=body), 404, "DeviceNotOnline")
    assert_hub_error(emulator.hub("POST", "/twins/nobody/methods", json=body), 404, "DeviceNotFound")
    assert_hub_error(emulator.hub("POST", "/twins/device-00001/methods", json=dict(body, methodName="")), 400,
                     "ArgumentNull")
    emulator.configure(method_latency_ms=20000)  # 10 to 30 s, more than the 5 s asked for (time-scaled)
    slow = emulator.hub("POST", "/twins/device-00001/methods", json=dict(body, responseTimeoutInSeconds=5))
    assert_hub_error(slow, 504, "GatewayTimeout")
