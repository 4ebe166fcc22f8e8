#!/usr/bin/env bash
# Copy the working tree to <tmp>/ansible_collections/azure_iot/jobs, the layout ansible-test needs.
# A copy (not a symlink) keeps ansible-test from walking .venv and from writing its output into the checkout; it lives
# outside the git checkout because ansible-test lists files with git and would skip an ignored build folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# One tree per purpose (integration, sanity, changelog), so that stages never remove the tree of one another.
key=$(printf '%s' "$root" | md5sum | cut -c1-8)-${1:-tree}
dest="${TMPDIR:-/tmp}/azure_iot_jobs-$key/ansible_collections/azure_iot/jobs"
rm -rf "$dest"
mkdir -p "$dest"
tar -C "$root" \
  --exclude=./.git --exclude=./.venv --exclude=./.nox --exclude=./build --exclude=./tests/output \
  --exclude=__pycache__ --exclude=.pytest_cache --exclude=.ruff_cache --exclude=./.emulator \
  --exclude='*.egg-info' --exclude=./emulator/build --exclude=node_modules \
  -cf - . | tar -C "$dest" -xf -
echo "$dest"
