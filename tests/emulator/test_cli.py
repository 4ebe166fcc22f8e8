"""The command line, env files, harness and run_with; the credential checks as plain functions."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emulator import jwt
from emulator.auth import AuthError, verify_central_token
from emulator.credentials import CENTRAL_APP_ID, CENTRAL_TOKEN_ID, Credentials
from emulator.harness import EmulatorStartError, running_emulator

ROOT = Path(__file__).resolve().parents[2]
ENV_NAMES = {
    "AZURE_IOTHUB_CONNECTION_STRING", "AZURE_IOTHUB_HOSTNAME", "AZURE_SUBSCRIPTION_ID", "AZURE_RESOURCE_GROUP",
    "AZURE_IOTHUB_NAME", "AZURE_ARM_ENDPOINT", "AZURE_IOTCENTRAL_APP_URL", "AZURE_IOTCENTRAL_API_TOKEN",
    "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST", "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE", "EMULATOR_URL", "EMULATOR_PID", "EMULATOR_HUBS",
}


def test_env_json_and_env_sh_agree(emulator_session):
    env = emulator_session.env
    assert set(env) == ENV_NAMES
    state_dir = Path(env["REQUESTS_CA_BUNDLE"]).parent
    exported = {}
    for line in (state_dir / "env.sh").read_text().splitlines():
        match = re.fullmatch(r"export ([A-Z_]+)='([^']*)'", line)
        assert match, line
        exported[match.group(1)] = match.group(2)
    assert exported == env
    url = env["EMULATOR_URL"]
    host = env["AZURE_IOTHUB_HOSTNAME"]
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+", url) and url == "https://" + host
    assert env["AZURE_ARM_ENDPOINT"] == env["AZURE_IOTCENTRAL_APP_URL"] == env["AZURE_AUTHORITY_HOST"] == url
    assert re.fullmatch(r"HostName=%s;SharedAccessKeyName=iothubowner;SharedAccessKey=[A-Za-z0-9+/]{43}=" % re.escape(
        host), env["AZURE_IOTHUB_CONNECTION_STRING"])
    assert env["AZURE_RESOURCE_GROUP"] == "emulator-rg" and env["AZURE_IOTHUB_NAME"] == "emulator-hub"
    assert env["SSL_CERT_FILE"] == env["REQUESTS_CA_BUNDLE"] == str(state_dir / "ca.pem")
    assert int(env["EMULATOR_PID"]) > 0


def test_iot_central_token_has_the_documented_format_and_verifies(emulator_session):
    token = emulator_session.env["AZURE_IOTCENTRAL_API_TOKEN"]
    match = re.fullmatch(r"SharedAccessSignature sr=([0-9a-f-]{36})&sig=[^&]+&skn=([^&]+)&se=(\d{13})", token)
    assert match and match.group(1) == CENTRAL_APP_ID and match.group(2) == CENTRAL_TOKEN_ID
    assert int(match.group(3)) > time.time() * 1000 + 300 * 86400 * 1000  # about a year
    key = Credentials(7).central_key  # the session emulator runs with seed 7
    verify_central_token(token, CENTRAL_APP_ID, CENTRAL_TOKEN_ID, key)
    with pytest.raises(AuthError, match="signature"):
        verify_central_token(token.replace("&se=", "&se=1"), CENTRAL_APP_ID, CENTRAL_TOKEN_ID, key)
    with pytest.raises(AuthError, match="expired"):
        verify_central_token(token, CENTRAL_APP_ID, CENTRAL_TOKEN_ID, key, now=time.time() + 400 * 86400)


def test_jwt_round_trip_and_failures():
    key = b"k" * 32
    token = jwt.encode({"aud": "https://iothubs.azure.net", "exp": time.time() + 60}, key)
    assert jwt.decode(token, key, audience="https://iothubs.azure.net")["aud"] == "https://iothubs.azure.net"
    for bad, text in ((jwt.encode({"aud": "a", "exp": time.time() - 1}, key), "expired"),
                      (token, "audience"), (token[:-2] + "xx", "signature"), ("abc", "malformed")):
        with pytest.raises(jwt.TokenError, match=text):
            jwt.decode(bad, key, audience="other" if bad == token else None)


def test_keys_are_derived_from_the_seed():
    assert Credentials(1).hub_keys == Credentials(1).hub_keys
    assert Credentials(1).hub_keys["iothubowner"] != Credentials(2).hub_keys["iothubowner"]
    assert Credentials(1).client_secret != Credentials(2).client_secret


def test_harness_reports_an_emulator_that_dies(tmp_path):
    with pytest.raises(EmulatorStartError, match="invalid choice"):
        with running_emulator(tmp_path, tier="S9"):
            pass  # not reached


def test_sigterm_stops_cleanly_and_removes_the_env_files(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--state-dir", str(tmp_path),
                                "--devices", "3"], cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (tmp_path / "env.json").exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    assert json.loads((tmp_path / "env.json").read_text())["EMULATOR_PID"] == str(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    assert process.stderr.read() == b""
    assert sorted(os.listdir(tmp_path)) == ["ca.pem"]


def test_run_with_passes_the_env_and_the_exit_status(tmp_path):
    check = ("import os, sys; ok = os.environ['EMULATOR_URL'] == 'https://' + os.environ['AZURE_IOTHUB_HOSTNAME'];"
             "sys.exit(7 if ok else 1)")
    completed = subprocess.run([sys.executable, "-m", "emulator.run_with", "--state-dir", str(tmp_path),
                                "--devices", "3", "--", sys.executable, "-c", check], cwd=ROOT, check=False)
    assert completed.returncode == 7
    assert not (tmp_path / "env.json").exists()  # the emulator was stopped


def test_run_with_needs_a_command():
    completed = subprocess.run([sys.executable, "-m", "emulator.run_with", "--devices", "3"], cwd=ROOT,
                               capture_output=True, text=True, check=False)
    assert completed.returncode != 0 and "usage" in completed.stderr


def test_the_console_entry_point_serves_or_runs_a_command(tmp_path):
    """`azure-iot-emulator` is __main__.console_main: --version, and `-- COMMAND` runs COMMAND as run_with does."""
    version = subprocess.run([sys.executable, "-m", "emulator", "--version"], cwd=ROOT, capture_output=True,
                             text=True, check=False)
    assert version.returncode == 0 and version.stdout.startswith("azure-iot-emulator ")
    check = "import os, sys; sys.exit(9 if os.environ['AZURE_IOTHUB_CONNECTION_STRING'] else 1)"
    completed = subprocess.run([sys.executable, "-m", "emulator", "--state-dir", str(tmp_path), "--devices", "2",
                                "--", sys.executable, "-c", check], cwd=ROOT, check=False)
    assert completed.returncode == 9
    assert not (tmp_path / "env.json").exists()


def test_on_port_443_the_host_name_has_no_port():
    from emulator.state import EmulatorState
    state = EmulatorState(devices=0, seed=1, tier="S1", time_scale=1.0, host="127.0.0.1", state_dir=".")
    state.port = 443
    assert (state.hub_hostname, state.base_url) == ("127.0.0.1", "https://127.0.0.1")
    state.port = 8443
    assert state.hub_hostname == "127.0.0.1:8443" and "127.0.0.1" in state.hub_hosts
