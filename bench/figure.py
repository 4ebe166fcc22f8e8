"""The device-results figure of docs/performance.md: wall time and peak memory against device count, module vs
hand-written, from the rows bench/device_results.py measured. matplotlib is imported here only (a test and bench
requirement, never a runtime one)."""
import os

from bench.device_results import VARIANTS

MODULE = VARIANTS[0][0]
LOOP = VARIANTS[1][0]


def series(rows, variant, key):
    points = sorted((row.extra["devices"], getattr(row, key)) for row in rows
                    if row.variant == variant and "devices" in row.extra)
    return [devices for devices, _value in points], [value for _devices, value in points]


def device_results_figure(rows, path):
    """Write the PNG to `path`; returns the path, or None when there are fewer than two sizes to draw."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.ticker import ScalarFormatter

    if len(series(rows, MODULE, "wall")[0]) < 2:
        return None
    figure, (wall_axes, memory_axes) = pyplot.subplots(1, 2, figsize=(10, 4))
    for variant, label, style in ((MODULE, "iothub_scheduled_job_info, device_results_dest", "o-"),
                                  (LOOP, "requests loop, 1000 rows a page", "s--")):
        devices, walls = series(rows, variant, "wall")
        wall_axes.plot(devices, walls, style, label=label)
        devices, peaks = series(rows, variant, "peak_mib")
        memory_axes.plot(devices, peaks, style, label=label)
    for axes, title, unit in ((wall_axes, "Wall time", "seconds"),
                              (memory_axes, "Peak memory (VmHWM of the process)", "MiB")):
        axes.set_xscale("log")
        axes.set_xlabel("devices in the job")
        axes.set_ylabel(unit)
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
    wall_axes.set_yscale("log")
    wall_axes.yaxis.set_major_formatter(ScalarFormatter())
    memory_axes.set_ylim(bottom=0)
    memory_axes.legend(loc="lower right", fontsize="small")
    figure.suptitle("Per-device results written as JSON Lines, one process each")
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return path
