"""playbooks/multi_hub_rollout.yml over 4 emulated hubs, all in one wave of hubs (serial 100%), with forks 4 against
forks 1: how much of a multi-hub rollout Ansible's parallelism saves (the hubs' jobs overlap instead of queueing).

It runs its own emulator with --hubs 4 (the shared one has one hub, and device_results re-seeds it with 100,000
devices, which every hub would then hold). The hubs are static inventory hosts with the variables of the
azure_iot.jobs.iot_hubs inventory; the modules reach each hub with its host name and an Entra ID token.
"""
import json
import os
import tempfile

from azure_iot_emulator.harness import running_emulator

from bench.common import BIN, REPO, Emulator, Row, child_env, measure, total_requests

HUBS = 4
DEVICES = 500  # per hub: at S1 (10 devices an emulated second) and time scale 20, 2.5 s of jobs per hub
TIME_SCALE = 20
PLAYBOOK = os.path.join(REPO, "playbooks", "multi_hub_rollout.yml")
ROLLOUT = {"iothub_rollout_name": "bench-multi-hub", "iothub_rollout_twin_patch": {"desired": {"fw": "2.0.0"}},
           "iothub_rollout_canary_percentage": 5, "iothub_rollout_waves": [50, 100], "iothub_rollout_wait_sleep": 1,
           "multi_hub_rollout_serial": "100%"}


def _inventory(env, path):
    hosts = {hub["name"]: {"azure_iothub_name": hub["name"], "azure_iothub_hostname": hub["hostname"],
                           "azure_resource_group": hub["resource_group"],
                           "azure_subscription_id": env["AZURE_SUBSCRIPTION_ID"],
                           "azure_arm_endpoint": env["AZURE_ARM_ENDPOINT"]}
             for hub in json.loads(env["EMULATOR_HUBS"])}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"iot_hubs": {"hosts": hosts}}, handle)


def _rollout(emulator, inventory, forks):
    emulator.control("POST", "reset")
    env = child_env(emulator)
    for name in ("AZURE_IOTHUB_CONNECTION_STRING", "AZURE_IOTHUB_HOSTNAME"):  # hub 1's: each host names its own hub
        env.pop(name)
    command = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, "-f", str(forks), PLAYBOOK,
               "-e", json.dumps(ROLLOUT)]
    result = measure(command, env).check("multi_hub_rollout.yml, forks %d" % forks)
    counts = emulator.request_counts()
    hubs = emulator.control("GET", "hubs")
    if "%d of %d devices succeeded" % (DEVICES, DEVICES) not in result.output or len(hubs) != HUBS:
        raise RuntimeError("the rollout did not complete on every hub:\n%s" % result.output[-4000:])
    return result, counts


def run(_shared_emulator, runs=1):
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-multi-hub-") as state_dir:
        with running_emulator(state_dir, devices=DEVICES, seed=1, tier="S1", time_scale=TIME_SCALE,
                              hubs=HUBS) as env:
            emulator = Emulator(env)
            inventory = os.path.join(state_dir, "hubs.json")
            _inventory(env, inventory)
            for forks in (HUBS, 1):
                result, counts = _rollout(emulator, inventory, forks)
                rows.append(Row("multi-hub rollout, %d hubs x %d devices" % (HUBS, DEVICES),
                                "forks %d" % forks, result.wall, total_requests(counts), None, result.peak_mib,
                                "CPU %.2f s" % result.cpu,
                                extra=dict(baseline=forks == 1, forks=forks, cpu=round(result.cpu, 3),
                                           counts=counts)))
    parallel, serial = rows
    parallel.note += ", %.2fx faster than forks 1" % (serial.wall / parallel.wall)
    return rows
