"""python -m bench [--only NAME ...] [--runs N] [--json FILE] [--million] [--figure PNG]: start one emulator, run every
benchmark against it side by side, print one table of ratios (ours vs hand-written).

device_results runs at 10,000 and 100,000 devices; --million adds a 1,000,000-device job (several minutes more: the
seeding, the job and four more processes reading a million rows).

Run it from the repository root with the virtualenv's Python (`make bench`). Each benchmark lives in its own file and
returns rows; the emulator is reset (devices, config, counters) between benchmarks, never restarted.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from azure_iot_emulator.harness import running_emulator  # the installed emulator (make venv: pip install -e)

from bench import converge, create_wait, device_results, multi_hub, rollout
from bench.common import BIN, REPO, Emulator
from bench.figure import device_results_figure

BENCHMARKS = {
    "converge": converge,
    "create_wait": create_wait,
    "rollout": rollout,
    "device_results": device_results,
    "multi_hub": multi_hub,
}
# The emulator starts with 1,000 devices; device_results resets it to each of its sizes.
START_DEVICES = 1000
TIME_SCALE = 20


def machine():
    def first(path, key):
        try:
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    ansible = subprocess.run([os.path.join(BIN, "ansible"), "--version"], capture_output=True, text=True, check=False)
    mem_kb = first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": first("/proc/cpuinfo", "model name"),
        "ram_gib": round(int(mem_kb) / 1024.0 / 1024.0, 1) if mem_kb.isdigit() else None,
        "python": platform.python_version(),
        "ansible_core": ansible.stdout.splitlines()[0] if ansible.stdout else "unknown",
        "os": platform.platform(),
    }


def table(rows):
    """One line per variant; `ours/this` divides the module's wall time by a hand-written variant's."""
    header = ("benchmark", "variant", "wall s", "ours/this", "HTTP req", "polls", "peak MiB", "notes")
    lines = [header]
    ours = {}
    for row in rows:
        if not row.extra.get("baseline"):
            ours.setdefault(row.bench, row.wall)
        ratio = "%.2f" % (ours[row.bench] / row.wall) if row.extra.get("baseline") and row.bench in ours else ""
        lines.append((row.bench, row.variant, "%.2f" % row.wall, ratio,
                      "" if row.requests is None else "%g" % row.requests,
                      "" if row.polls is None else str(row.polls),
                      "" if row.peak_mib is None else "%.0f" % row.peak_mib, row.note))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1])
        if n == 0:
            out.append("-" * (sum(widths) + 2 * len(widths) + len("notes")))
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="run only these benchmarks")
    parser.add_argument("--runs", type=int, default=3, help="runs of the short benchmarks (the median is kept)")
    parser.add_argument("--json", default=os.path.join(REPO, "build", "bench", "results.json"),
                        help="where to write every figure (default build/bench/results.json)")
    parser.add_argument("--million", action="store_true",
                        help="device_results also at 1,000,000 devices (several minutes more)")
    parser.add_argument("--figure", default=os.path.join(REPO, "docs", "images", "device_results.png"),
                        help="where device_results draws its figure (default docs/images/device_results.png)")
    args = parser.parse_args(argv)
    selected = [name for name in BENCHMARKS if not args.only or name in args.only]
    options = {"device_results": {"sizes": device_results.DEFAULT_SIZES + ((device_results.MILLION,)
                                                                           if args.million else ())}}
    started = time.perf_counter()
    rows, skipped = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-emulator-") as state_dir:
        with running_emulator(state_dir, devices=START_DEVICES, seed=1, tier="S1", time_scale=TIME_SCALE) as env:
            emulator = Emulator(env)
            for name in selected:
                print("== %s" % name, file=sys.stderr, flush=True)
                t0 = time.perf_counter()
                try:
                    rows += BENCHMARKS[name].run(emulator, runs=args.runs, **options.get(name, {}))
                except rollout.NotAvailable as exc:
                    skipped[name] = str(exc)
                print("   %.1f s" % (time.perf_counter() - t0), file=sys.stderr, flush=True)
            peak = emulator.peak_rss_mib()
            if peak is not None:
                emulator.notes["emulator peak RSS"] = "%.0f MiB" % peak
            notes = emulator.notes
    total = time.perf_counter() - started
    info = machine()
    print(table(rows))
    for name, reason in skipped.items():
        print("skipped %s: %s" % (name, reason))
    for what, value in notes.items():
        print("%s: %s" % (what, value))
    print("machine: %(nproc)s CPUs (%(cpu)s), %(ram_gib)s GiB RAM, Python %(python)s, %(ansible_core)s" % info)
    print("total %.0f s" % total)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as handle:
        json.dump({"machine": info, "total_seconds": round(total, 1), "skipped": skipped, "emulator": notes,
                   "rows": [row.as_dict() for row in rows]}, handle, indent=2)
    print("figures written to %s" % os.path.relpath(args.json, REPO))
    if "device_results" in selected and device_results_figure(rows, args.figure):
        print("device results figure written to %s" % os.path.relpath(args.figure, REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
