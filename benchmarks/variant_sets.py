"""Time the catalogue over every fixture set: overhead, parallel speed-up, no repeated runs.

Prints, from one invocation on the machine's warm environment cache:
  * serial and ``-n 2`` wall times of the chosen tools over every fixture set, and the
    speed-up of the parallel run; the CPU seconds each took (user + system, every process),
    since what a parallel run spends twice (worker start-up, environment checks, fixture
    copies) and two busy cores slowing each other cap the speed-up below 2x;
  * for the serial run, the harness overhead: (wall - summed check-process time - install time)
    / the summed check-process time, each shared program run counted once; for the parallel run,
    where two check processes overlap and that formula turns negative, the share of the two
    workers' wall time the check processes filled (the summed check-process time / (wall x 2));
  * how many program runs served how many check rows (each (tool, fixture set, program)
    runs once; tests/test_shared_program_runs.py counts the executions);
  * how long ``rtcompat report`` takes to render those results.

Usage: python benchmarks/variant_sets.py [--tool ID ...]   (default: the virtualenv tools)
Numbers vary with the machine (and anything else running on it); nothing here asserts.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _tools import chosen_tools, program_runs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TOOLS = ["pydicom", "simpleitk", "dicompyler-core", "plastimatch", "pycerr"]


def catalogue_run(tools: list[str], results: Path, workers: int) -> dict:
    argv = [sys.executable, "-m", "harness.cli", "run", "--results", str(results)]
    argv += [a for t in tools for a in ("--tool", t)]
    argv += ["-n", str(workers)]  # -n 1 included: serial whatever $RTCOMPAT_WORKERS says
    start, before = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=ROOT, env=dict(os.environ), check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall, after = time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    data = json.loads(results.read_text())
    runs = program_runs(data)
    process = sum(runs.values())
    installs = sum(t["install"]["seconds"] for t in data["tools"])
    return {"wall": wall, "cpu": cpu, "process": process, "installs": installs, "runs": len(runs),
            "rows": sum(len(t["checks"]) for t in data["tools"]), "workers": workers,
            # serial: what the harness adds to the check processes; in parallel they overlap, so
            # the figure is how much of the workers' time the check processes filled
            "overhead": ((wall - process - installs) / process if workers == 1 else process / (wall * workers))
                        if process else float("nan"),
            "sets": len({c["fixture"] for t in data["tools"] for c in t["checks"]})}


def render_seconds(results: Path, out: Path) -> float:
    sys.path.insert(0, str(ROOT))
    from harness.report import render_reports
    from harness.results import read_results

    loaded = read_results(results)
    start = time.perf_counter()
    render_reports(loaded, out, fixtures_root=ROOT / "fixtures" / "dicom", history=False)
    return time.perf_counter() - start


def main() -> None:
    tools = chosen_tools(__doc__, DEFAULT_TOOLS)
    with tempfile.TemporaryDirectory(prefix="rtcompat-bench-") as scratch:
        root = Path(scratch)
        catalogue_run(tools, root / "warm-up.json", 1)  # fills the environment cache if it is cold
        serial = catalogue_run(tools, root / "serial.json", 1)
        parallel = catalogue_run(tools, root / "parallel.json", 2)
        render = render_seconds(root / "serial.json", root / "report")
    print(f"{datetime.now():%Y-%m-%d %H:%M}; tools: {', '.join(tools)}; {serial['sets']} fixture sets; "
          f"{serial['rows']} check rows from {serial['runs']} program runs")
    print(f"{'run':<10}{'wall s':>9}{'cpu s':>9}{'process s':>11}{'installs s':>12}  overhead / utilisation")
    for name, run in (("serial", serial), ("-n 2", parallel)):
        figure = (f"harness overhead {100 * run['overhead']:.1f} % of the check-process time" if run["workers"] == 1
                  else f"check processes filled {100 * run['overhead']:.1f} % of {run['workers']} workers' wall time")
        print(f"{name:<10}{run['wall']:>9.1f}{run['cpu']:>9.1f}{run['process']:>11.1f}{run['installs']:>12.1f}  {figure}")
    print(f"speed-up of -n 2: {serial['wall'] / parallel['wall']:.2f}x; the same work took "
          f"{parallel['cpu'] / serial['cpu']:.2f}x the CPU seconds in parallel (each worker's start-up, "
          f"environment checks and fixture copies, and two busy cores slowing each other), "
          f"so the speed-up those CPU seconds allow is {2 * serial['cpu'] / parallel['cpu']:.2f}x")
    print(f"rtcompat report of these results: {render:.2f} s")


if __name__ == "__main__":
    main()
