#!/usr/bin/env bash
# make emulator-package: the emulator as its own distribution, installed as a new user would.
#   1. build a wheel from a copy of emulator/ (pip wheel: setuptools from the package index, nothing from .venv)
#   2. the wheel holds the package azure_iot_emulator, its grammars, the console script, and nothing else
#   3. pip install the wheel into a clean throwaway virtualenv; `azure-iot-emulator --version`
#   4. `azure-iot-emulator --port 0 --state-dir DIR` from an empty folder: env.json appears, a SAS-signed twin query
#      (the lark grammar), an IoT Central device-group filter (the other grammar) and the run-a-command form work,
#      SIGTERM stops it with status 0 and removes env.json
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/emulator-install.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "emulator_install_check: $*" >&2; exit 1; }
quiet_pip() { "$@" 2>&1 | { grep -v 'is neither a file nor a directory' || true; }; }
started=$(date +%s)

step "1. build the wheel from a copy of emulator/"
# A copy, so that the build leaves no build/ or *.egg-info in the checkout.
mkdir -p "$work/src"
tar -C "$root/emulator" --exclude=__pycache__ --exclude='*.egg-info' --exclude=./build --exclude=./dist -cf - . \
  | tar -C "$work/src" -xf -
quiet_pip "$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/azure_iot_emulator-*.whl 2>/dev/null | head -1)
[ -n "$wheel" ] || fail "pip wheel made no azure_iot_emulator wheel"
echo "$(basename "$wheel"), $(du -k "$wheel" | cut -f1) kB"

step "2. the wheel's contents"
"$python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
need = ["azure_iot_emulator/__main__.py", "azure_iot_emulator/query/grammar.lark",
        "azure_iot_emulator/iotcentral/filter.lark", "azure_iot_emulator/arm/routes.py"]
missing = [name for name in need if name not in names]
stray = [n for n in names if not n.startswith(("azure_iot_emulator/", "azure_iot_emulator-"))
         or n.endswith(("pyproject.toml", ".pyc"))]
entry = [n for n in names if n.endswith("entry_points.txt")]
text = zipfile.ZipFile(sys.argv[1]).read(entry[0]).decode() if entry else ""
if missing or stray or "azure-iot-emulator = azure_iot_emulator.__main__:console_main" not in text:
    sys.exit("bad wheel: missing %s, stray %s, entry points %r" % (missing, stray, text))
print("%d files; console script azure-iot-emulator" % len(names))
PY

step "3. pip install into a clean virtualenv"
"$python" -m venv "$work/venv"
quiet_pip "$work/venv/bin/python" -m pip install --quiet "$wheel"
install_seconds=$(( $(date +%s) - started ))
"$work/venv/bin/azure-iot-emulator" --version
"$work/venv/bin/pip" list --format=freeze 2>/dev/null | grep -iE '^(aiohttp|lark|trustme)=' | tr '\n' ' '; echo

step "4. run it from an empty folder"
mkdir -p "$work/run"
cd "$work/run"
# Nothing of the checkout may leak in.
unset PYTHONPATH
"$work/venv/bin/azure-iot-emulator" --port 0 --state-dir "$work/state" --devices 25 --seed 4 \
  > "$work/emulator.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  [ -f "$work/state/env.json" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the emulator exited: $(cat "$work/emulator.log")"
  sleep 0.1
done
[ -f "$work/state/env.json" ] || fail "no env.json after 30 s: $(cat "$work/emulator.log")"
"$work/venv/bin/python" - "$work/state/env.json" <<'PY'
import json, ssl, sys, urllib.request
from azure_iot_emulator.auth import make_hub_sas
from azure_iot_emulator.credentials import HUB_POLICIES
env = json.load(open(sys.argv[1]))
assert "site-packages" in sys.modules["azure_iot_emulator.auth"].__file__, "not the installed copy"
context = ssl.create_default_context(cafile=env["REQUESTS_CA_BUNDLE"])
fields = dict(part.split("=", 1) for part in env["AZURE_IOTHUB_CONNECTION_STRING"].split(";"))
host = env["AZURE_IOTHUB_HOSTNAME"]


def call(method, url, headers, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers, **{
        "Content-Type": "application/json"}))
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.load(response)


# A real hub's sr has no port: the emulator takes it with or without.
for sr in (host, host.split(":")[0]):
    sas = make_hub_sas(sr, HUB_POLICIES[0], fields["SharedAccessKey"])
    rows = call("POST", "https://%s/devices/query?api-version=2021-04-12" % host, {"Authorization": sas},
                {"query": "SELECT * FROM devices WHERE tags.building = 'b1'"})
    assert rows and all(row["tags"]["building"] == "b1" for row in rows), rows
central = env["AZURE_IOTCENTRAL_APP_URL"] + "/api/deviceGroups/thermostat-devices/devices?api-version=2022-07-31"
members = call("GET", central, {"Authorization": env["AZURE_IOTCENTRAL_API_TOKEN"]})["value"]
assert members, "no thermostat in the device group"
print("twin query: %d devices in building b1; device group filter: %d thermostats" % (len(rows), len(members)))
PY
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || fail "SIGTERM: exit status $status, want 0: $(cat "$work/emulator.log")"
[ ! -e "$work/state/env.json" ] || fail "env.json left behind after SIGTERM"
echo "SIGTERM: exit status 0, env files removed"
# The run-a-command form, with the emulator's variables in the command's environment.
"$work/venv/bin/azure-iot-emulator" --devices 3 -- sh -c 'test -n "$AZURE_IOTHUB_CONNECTION_STRING" && \
  test -s "$REQUESTS_CA_BUNDLE" && echo "azure-iot-emulator -- COMMAND: $EMULATOR_URL"'

echo
echo "emulator package: wheel built, installed in a clean virtualenv in ${install_seconds} s, runs from anywhere"
