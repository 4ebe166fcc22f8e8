#!/usr/bin/env bash
# ansible-test integration against a local emulator that this script starts and stops.
# Extra arguments go to ansible-test (for example a target name).
# ANSIBLE_TEST_BIN names the bin folder of the ansible-core under test (a cell of the version matrix, noxfile.py;
# default .venv/bin); the emulator always runs from .venv, and modules run with the Python of ANSIBLE_TEST_BIN.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="${ANSIBLE_TEST_BIN:-$root/.venv/bin}"
emulator_bin="$root/.venv/bin"
python_version=$("$bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
dest=$("$root/tests/utils/collection_tree.sh" integration)
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
cd "$root"
# The emulator runs from the checkout (azure-iot-emulator, installed editable in .venv); ansible-test runs in the
# collection copy and reads the emulator's variables from tests/integration/integration_config.yml, which it passes
# to every target as extra vars.
# Four hubs (--hubs 4): hub 1 is the single hub of every target; the inventory and multi-hub targets use them all.
# Every target runs against both emulator profiles: full answers, and the sparse ones of the official examples
# (emulator/README.md, "The sparse profile"). PROFILES="full" (or "sparse") runs one.
for profile in ${PROFILES:-full sparse}; do
  echo "=== integration targets against the emulator's $profile profile"
  PATH="$bin:$PATH" "$emulator_bin/azure-iot-emulator" --state-dir "$state" --devices 500 --seed 7 --tier S3 --hubs 4 \
    --time-scale 20 --profile "$profile" -- bash -c '
      set -euo pipefail
      "$0/python" "$1/tests/utils/write_integration_config.py" > "$2/tests/integration/integration_config.yml"
      cd "$2"
      ANSIBLE_PYTHON_INTERPRETER="$0/python" "$0/ansible-test" integration --local --python "$3" --color no "${@:4}"
    ' "$bin" "$root" "$dest" "$python_version" "$@"
done
