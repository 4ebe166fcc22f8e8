#!/usr/bin/env bash
# make package: the collection as AWX / Automation Platform get it.
#   1. ansible-galaxy collection build into build/
#   2. the tarball holds no test equipment (tests/, emulator/, bench/, .ci/, .venv, build/)
#   3. installed into a clean throwaway virtualenv (ansible-core + requirements.txt from the package index) with
#      ansible-galaxy collection install, its modules run there against an emulator
#   4. ansible-builder: the collection's meta/execution-environment.yml gives its Python requirements
#      (introspect), and `ansible-builder create` makes a valid execution-environment context that installs it
#   5. the collection's docs render: antsibull-docs lint-collection-docs --plugin-docs
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.venv/bin"
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/package-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "package_check: $*" >&2; exit 1; }

step "1. ansible-galaxy collection build"
mkdir -p "$root/build"
version=$("$bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$root/galaxy.yml")
tarball="$root/build/azure_iot-jobs-$version.tar.gz"
rm -f "$tarball"
(cd "$root" && "$bin/ansible-galaxy" collection build --force --output-path "$root/build")
[ -f "$tarball" ] || fail "no $tarball"

step "2. the tarball holds no test equipment"
tar -tzf "$tarball" | sort > "$work/contents.txt"
echo "$(wc -l < "$work/contents.txt") entries, $(du -k "$tarball" | cut -f1) kB"
if grep -E '^(\./)?(tests|emulator|bench|\.ci|\.venv|build)(/|$)' "$work/contents.txt"; then
  fail "the tarball contains test equipment (above): add it to build_ignore in galaxy.yml"
fi
for needed in MANIFEST.json FILES.json meta/runtime.yml meta/execution-environment.yml requirements.txt \
              plugins/modules/iothub_scheduled_job.py; do
  grep -qx "$needed" "$work/contents.txt" || fail "the tarball lacks $needed"
done

# The README is the collection's page on Galaxy: every relative link in it must resolve inside the tarball.
"$bin/python" - "$root/README.md" "$work/contents.txt" <<'PY' || fail "README.md links to files the tarball lacks (above)"
import re, sys
readme, contents = open(sys.argv[1]).read(), {line.strip().rstrip("/") for line in open(sys.argv[2])}
links = [target.split("#")[0] for target in re.findall(r"\]\(([^)\s]+)\)", readme)
         if not re.match(r"[a-z]+:", target) and not target.startswith("#")]
missing = [link for link in links if link.rstrip("/") not in contents]
for link in missing:
    print("README.md links to %s, which the tarball lacks" % link)
print("README.md: %d relative links, all in the tarball" % len(links) if not missing else "", end="")
sys.exit(1 if missing else 0)
PY
echo

step "3. install into a clean virtualenv and run modules there"
"$python" -m venv "$work/venv"
# (Quiet, less the warnings of a pip configuration that lists local indexes that may be absent.)
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/requirements.txt" 2>&1 \
  | { grep -v 'is neither a file nor a directory' || true; }
ANSIBLE_COLLECTIONS_PATH="$work/collections" \
  "$work/venv/bin/ansible-galaxy" collection install --offline -p "$work/collections" "$tarball"
installed="$work/collections/ansible_collections/azure_iot/jobs"
[ -f "$installed/MANIFEST.json" ] || fail "ansible-galaxy did not install the collection into $installed"
# Nothing of the checkout may leak in: run from the throwaway folder, with only its collections path.
clean_env=(env -u PYTHONPATH -u ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH="$work/collections"
           ANSIBLE_PYTHON_INTERPRETER="$work/venv/bin/python" ANSIBLE_LOCALHOST_WARNING=false
           ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1 PATH="$work/venv/bin:$PATH")
(cd "$work" && "${clean_env[@]}" ansible-doc azure_iot.jobs.iothub_scheduled_job_info | head -3)
(cd "$work" && "${clean_env[@]}" ansible-doc --list azure_iot.jobs > "$work/doc-list.txt")
grep -q '^azure_iot.jobs.iothub_scheduled_job ' "$work/doc-list.txt" || fail "ansible-doc does not list the modules"
# A module that fails its validation before any call, with a clean message.
if (cd "$work" && "${clean_env[@]}" ansible localhost -m azure_iot.jobs.iothub_scheduled_job_info \
      -a 'job_id=not+valid' > "$work/invalid.txt" 2>&1); then
  fail "an invalid job_id was accepted: $(cat "$work/invalid.txt")"
fi
grep -q 'job_id' "$work/invalid.txt" || fail "no clean validation message: $(cat "$work/invalid.txt")"
grep -q 'Traceback' "$work/invalid.txt" && fail "a traceback instead of a message: $(cat "$work/invalid.txt")"
# Then real runs against an emulator (started from the checkout, which has its dependencies).
cat > "$work/run_modules.sh" <<'EOF'
set -euo pipefail
ansible localhost -m azure_iot.jobs.iothub_scheduled_job \
  -a '{"job_id": "package-check", "query": "*", "twin_patch": {"desired": {"packaged": true}},
       "wait": true, "wait_sleep": 1, "wait_timeout": 120}'
ansible localhost -m azure_iot.jobs.iothub_scheduled_job_info -a 'job_id=package-check include_device_results=true' \
  | tee info.txt
grep -q '"status": "completed"' info.txt
EOF
(cd "$root" && "$bin/azure-iot-emulator" --state-dir "$work/emulator" --devices 20 --seed 3 --tier S1 \
   --time-scale 20 -- bash -c 'cd "$1" && "${@:2}" bash run_modules.sh' _ "$work" "${clean_env[@]}" \
   > "$work/modules.txt" 2>&1) || fail "the installed modules failed against the emulator: $(cat "$work/modules.txt")"
grep -E '\| (CHANGED|SUCCESS)' "$work/modules.txt"

step "4. execution environment (ansible-builder)"
# meta/execution-environment.yml is collection-level metadata: introspection (what a build runs) must find the
# collection's Python requirements through it.
"$bin/ansible-builder" introspect --sanitize --write-pip "$work/ee-pip.txt" "$work/collections" > "$work/introspect.txt"
for requirement in requests azure-identity; do
  grep -qi "^$requirement" "$work/ee-pip.txt" || fail "introspection lost $requirement: $(cat "$work/introspect.txt")"
done
grep -q 'azure_iot.jobs' "$work/ee-pip.txt" || fail "introspection did not attribute the requirements to azure_iot.jobs"
mkdir -p "$work/ee"
cat > "$work/ee/execution-environment.yml" <<EOF
---
version: 3
dependencies:
  ansible_core:
    package_pip: ansible-core>=2.17
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: collections/$(basename "$tarball")
        type: file
additional_build_files:
  - src: $tarball
    dest: collections
EOF
"$bin/ansible-builder" create -f "$work/ee/execution-environment.yml" -c "$work/context" --output-filename Containerfile
context="$work/context"
[ -f "$context/Containerfile" ] || fail "ansible-builder made no Containerfile"
[ -f "$context/_build/collections/$(basename "$tarball")" ] || fail "the context lacks the collection tarball"
grep -q "$(basename "$tarball")" "$context/_build/requirements.yml" || fail "_build/requirements.yml lacks the collection"
grep -q 'ansible-galaxy collection install' "$context/Containerfile" || fail "the Containerfile installs no collection"
grep -q 'introspect' "$context/Containerfile" || fail "the Containerfile does not introspect the collection"
cat "$work/ee-pip.txt"
echo "context: $(cd "$context" && find . -type f | sort | tr '\n' ' ')"

step "5. docs render (antsibull-docs)"
docs_env=(env ANSIBLE_COLLECTIONS_PATH="$work/collections" PATH="$bin:$PATH")
(cd "$installed" && "${docs_env[@]}" "$bin/antsibull-docs" lint-collection-docs --plugin-docs .)
mkdir -p "$work/docs"
"${docs_env[@]}" "$bin/antsibull-docs" collection --use-current --squash-hierarchy --dest-dir "$work/docs" \
  azure_iot.jobs > "$work/docs.log" 2>&1 || fail "antsibull-docs could not render the docs: $(cat "$work/docs.log")"
for module in "$installed"/plugins/modules/*.py; do
  page="$work/docs/$(basename "$module" .py)_module.rst"
  [ -s "$page" ] || fail "antsibull-docs rendered no $(basename "$page")"
done
echo "rendered: $(cd "$work/docs" && ls | tr '\n' ' ')"

echo
echo "package: $tarball passed every check"
