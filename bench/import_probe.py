"""Run an Ansible module file as __main__ and, when it exits, write which modules it imported.

    python bench/import_probe.py plugins/modules/<module>.py <args.json>

The module exits through sys.exit (exit_json / fail_json), so the report is written by an atexit hook to the file
named by BENCH_IMPORTS_OUT: {"modules": N, "azure": [...], "third_party": [...]}.
"""
import atexit
import json
import os
import runpy
import sys

STDLIB = set(sys.stdlib_module_names)


def report():
    names = sorted(sys.modules)
    tops = sorted({name.partition(".")[0] for name in names})
    summary = {
        "modules": len(names),
        "azure": [name for name in names if name == "azure" or name.startswith("azure.")],
        "third_party": [top for top in tops if top not in STDLIB and not top.startswith("_")
                        and top not in ("ansible", "ansible_collections", "__main__")],
    }
    with open(os.environ["BENCH_IMPORTS_OUT"], "w", encoding="utf-8") as handle:
        json.dump(summary, handle)


if __name__ == "__main__":
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    atexit.register(report)
    runpy.run_path(script, run_name="__main__")
