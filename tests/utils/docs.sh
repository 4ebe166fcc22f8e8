#!/usr/bin/env bash
# make docs: the collection's HTML docs in build/docs/html, as docs.ansible.com renders a collection.
#   antsibull-docs sphinx-init makes a Sphinx project for azure_iot.jobs (this checkout, through build/collections),
#   antsibull-docs collection renders every module, role and filter page plus the guides listed in
#   docs/docsite/extra-docs.yml (docs/docsite/rst/*.rst), and sphinx-build -W turns them into HTML; any warning fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.venv/bin"
out="$root/build/docs"
rm -rf "$out"
mkdir -p "$out"
export ANSIBLE_COLLECTIONS_PATH="$root/build/collections" PATH="$bin:$PATH"
"$bin/antsibull-docs" lint-collection-docs --plugin-docs "$root"
mkdir -m 755 "$out/project"  # sphinx-init wants an existing folder only its owner may write
"$bin/antsibull-docs" sphinx-init --use-current --dest-dir "$out/project" azure_iot.jobs > /dev/null
# No network here: the one intersphinx inventory the pages refer to (docs.ansible.com's labels for common return
# values, configuration settings, action plugins, ansible.builtin plugin pages) is written locally, and the other inventories are dropped.
"$bin/python" - "$out/ansible_devel.inv" <<'PY'
import json, subprocess, sys, zlib
entries = []
# Pages of ansible.builtin plugins that module docs link to (M(ansible.builtin.fail), ...).
for kind in ("module", "filter", "test", "lookup"):
    listed = json.loads(subprocess.run(["ansible-doc", "-t", kind, "-l", "--json", "ansible.builtin"],
                                       capture_output=True, text=True, check=True).stdout)
    for name in listed:
        short = name.split(".")[-1]
        entries.append(("ansible_collections.ansible.builtin.%s_%s" % (short, kind),
                        "collections/ansible/builtin/%s_%s.html#$" % (short, kind), name))
entries += [
    ("common_return_values", "reference_appendices/common_return_values.html#$", "Return Values"),
    ("ansible_configuration_settings", "reference_appendices/config.html#$", "Ansible Configuration Settings"),
    ("action_plugins", "plugins/action.html#$", "Action plugins"),
]
body = "".join("%s std:label -1 %s %s\n" % entry for entry in entries)
# ansible-core's own environment variables (the inventory cache options name ANSIBLE_CACHE_PLUGIN and friends), as
# docs.ansible.com's configuration page defines them.
from ansible.config.manager import ConfigManager
names = sorted({env["name"] for setting in ConfigManager().get_configuration_definitions().values()
                for env in (setting.get("env") or []) if env.get("name")})
body = (body + "".join("%s std:envvar 1 reference_appendices/config.html#envvar-$ -\n" % name
                       for name in names)).encode()
with open(sys.argv[1], "wb") as out:
    out.write(b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
              b"# The remainder of this file is compressed using zlib.\n" + zlib.compress(body))
PY
cat >> "$out/project/conf.py" <<'PY'

# make docs (tests/utils/docs.sh): offline, one local inventory.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../../ansible_devel.inv'),
}
PY
(cd "$out/project" && ./build.sh > "$out/build.log" 2>&1) || { tail -40 "$out/build.log"; exit 1; }
mv "$out/project/build/html" "$out/html"
for page in index.html user_guide.html rollouts.html awx.html pipelines.html emulator.html; do
  found=$(find "$out/html" -name "$page" | head -1)
  [ -n "$found" ] || { echo "docs: no $page in $out/html" >&2; exit 1; }
done
echo "docs: $(find "$out/html" -name '*.html' | wc -l) HTML pages in $out/html ($(find "$out/html" -name '*.html' | \
  grep -c '_module.html') module pages); open $(find "$out/html" -name index.html -path '*azure_iot/jobs*' | head -1)"
