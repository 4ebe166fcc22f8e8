#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection, with no ignore file, offline-safe.
# ANSIBLE_TEST_BIN names the bin folder of the ansible-core to run (a cell of the version matrix, noxfile.py;
# default .venv/bin).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="${ANSIBLE_TEST_BIN:-$root/.venv/bin}"
python_version=$("$bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if ls "$root"/tests/sanity/ignore-*.txt >/dev/null 2>&1; then
  echo "tests/sanity/ignore-*.txt exists: fix the code instead" >&2
  exit 1
fi
# Install the get-pip stand-in where ansible-test looks for its cached bootstrap script.
pip_version=$("$bin/python" - <<'PY'
import re, ansible_test, pathlib
text = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", text).group(1))
PY
)
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
cp "$root/tests/utils/get_pip_standin.py" "$cache/get_pip_${pip_version//./_}.py"
dest=$("$root/tests/utils/collection_tree.sh" sanity)
# The vendored API specifications are third-party data kept byte-identical (tests/fixtures/specs/SOURCES.md): not
# the collection's code, so not linted (the IoT Central swagger has Unicode quotes in its descriptions).
rm -rf "$dest/tests/fixtures/specs"
cd "$dest"
PATH="$bin:$PATH" "$bin/ansible-test" sanity --venv --python "$python_version" --color no "$@"
