# Copyright (c) 2026 azure_iot.jobs contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the version x stage table of one run of the matrix (noxfile.py) and write it to <results>/matrix.md.

Reads the <cell>-<stage>.json records the noxfile writes; exits 1 when a stage failed or a cell of the matrix has no
record (so a partial run cannot pass for a complete one).
"""

import glob
import json
import os
import sys

STAGES = ("unit", "integration", "sanity")
CELLS = ("2.17", "2.18", "2.19", "2.20", "2.21")
EXPECTED = {(cell, stage) for cell in CELLS for stage in ("unit", "integration")}
EXPECTED |= {("2.17", "sanity"), ("2.21", "sanity")}


def _version_key(text):
    return [int(part) for part in text.split(".")]


def table(records):
    by_cell = {}
    for record in records:
        by_cell.setdefault(record["ansible_core"], {})[record["stage"]] = record
    lines = ["| ansible-core | Python | %s | total |" % " | ".join(STAGES),
             "|---|---|%s---|" % ("---|" * len(STAGES))]
    grand = 0.0
    for cell in sorted(by_cell, key=_version_key):
        stages = by_cell[cell]
        first = next(iter(stages.values()))
        cells = []
        total = 0.0
        for stage in STAGES:
            record = stages.get(stage)
            if record is None:
                cells.append("—")
                continue
            total += record["seconds"] or 0
            text = "%s, %.0f s" % (record["status"], record["seconds"] or 0)
            if record.get("summary"):
                text += " (%s)" % record["summary"]
            cells.append(text)
        grand += total
        lines.append("| %s | %s | %s | %.0f s |" % (first["installed"], first["python"], " | ".join(cells), total))
    lines.append("")
    lines.append("Stages in all: %.0f s (%.1f min), not counting the virtualenv installs." % (grand, grand / 60))
    return "\n".join(lines)


def main(results):
    records = []
    for path in sorted(glob.glob(os.path.join(results, "*.json"))):
        with open(path) as handle:
            records.append(json.load(handle))
    text = table(records)
    with open(os.path.join(results, "matrix.md"), "w") as out:
        out.write(text + "\n")
    print(text)
    failed = sorted("%s %s" % (r["ansible_core"], r["stage"]) for r in records if r["status"] != "passed")
    missing = sorted("%s %s" % pair for pair in EXPECTED - {(r["ansible_core"], r["stage"]) for r in records})
    if failed or missing:
        print("failed: %s; not run: %s" % (", ".join(failed) or "none", ", ".join(missing) or "none"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
