#!/usr/bin/env bash
# make changelog-lint: the fragments are valid, and the 1.0.0 release they make lists every module, filter, inventory
# plugin, role and playbook exactly once (a fragment never announces them: the release lists modules and plugins from their docs, and
# roles and playbooks from the "add object.*" entries of changelogs/fragments/1.0.0.yml).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.venv/bin"
(cd "$root" && "$bin/antsibull-changelog" lint)
dest=$("$root/tests/utils/collection_tree.sh" changelog)
version=$("$bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$root/galaxy.yml")
(cd "$dest" && ANSIBLE_COLLECTIONS_PATH="$(cd ../../.. && pwd)" PATH="$bin:$PATH" \
   "$bin/antsibull-changelog" release --version "$version" --date 2026-01-01 > /dev/null)
"$bin/python" - "$root" "$dest/CHANGELOG.rst" <<'PY'
import glob, os, re, sys
root, changelog = sys.argv[1], open(sys.argv[2]).read()
names = [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(root, "plugins", "modules", "*.py"))]
names += [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(root, "plugins", "filter", "*.yml"))]
names += [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(root, "plugins", "inventory", "*.py"))]
names += [os.path.basename(p) for p in glob.glob(os.path.join(root, "roles", "*"))]
names += [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(root, "playbooks", "*.yml"))]
problems = []
for name in sorted(names):
    # The New Modules / New Plugins / New Roles / New Playbooks sections list them by FQCN; entries of the other
    # sections name a module by its short name ("iothub_scheduled_job - ...") and do not count.
    listed = re.findall(r"^- azure_iot\.jobs\.%s - " % re.escape(name), changelog, re.M)
    announced = re.findall(r"\bNew (?:module|role|filter|inventory plugin|playbook)s? ``%s``" % re.escape(name),
                           changelog)
    if len(listed) != 1 or announced:
        problems.append("%s: listed %d times, announced again in %d entries" % (name, len(listed), len(announced)))
if "Release Summary" not in changelog:
    problems.append("no release summary")
print("\n".join(problems) if problems else "changelog: %d modules, filters, roles and playbooks, each listed once"
      % len(names))
sys.exit(1 if problems else 0)
PY
