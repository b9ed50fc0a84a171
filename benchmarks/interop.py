"""What producer -> consumer adds to a catalogue run, from the recorded results.

Prints, from one invocation:
  * each producer's time (its program run; 0 when its object came from the cache) and the
    whole producing step;
  * each reader's seconds per program run on the produced sets against its seconds per
    program run on the committed fixture sets (the same checks, the same harness path),
    and how many check rows those program runs gave;
  * the step's added check-seconds, against the main catalogue's.
With ``--run``, also times ``rtcompat interop`` end to end for a few fast readers, warm
(objects cached) and with the produced objects evicted from the cache, and the harness
overhead of each: (wall - producing - reading processes) / wall.

Usage: python benchmarks/interop.py [--results reports/results.json] [--interop reports/interop.json] [--run]
Numbers vary with the machine; nothing here asserts a limit.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from _tools import program_runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.paths import cache_dir  # noqa: E402
from harness.results import read_results  # noqa: E402

FAST_READERS = ["pydicom", "dicompyler-core", "simpleitk"]


def per_tool(runs: dict[tuple[str, str], float], sets: set[str] | None, exclude: set[str] = frozenset()):
    found = defaultdict(list)
    for (tool, label), seconds in runs.items():
        fixture = label.rsplit("@", 1)[-1]
        if (sets is None or fixture in sets) and fixture not in exclude and seconds > 0:  # 0: never ran
            found[tool].append(seconds)
    return found


def recorded(results_path: Path, interop_path: Path) -> None:
    main = json.loads(read_results(results_path).model_dump_json())
    exchange = json.loads(read_results(interop_path).model_dump_json())
    produced = {p["fixture"] for p in exchange["productions"] if p["fixture"]}
    print(f"producers: {len(exchange['productions'])} ({len(produced)} objects written)")
    total = spent = 0.0
    for p in exchange["productions"]:
        seconds = (p.get("process") or {}).get("duration", 0.0)
        total += seconds
        spent += 0.0 if p["cached"] else seconds
        print(f"  {p['tool']:18} {p['producer']:16} {p['status']:5} {seconds:7.1f} s"
              f"{' (from the cache this run: 0 s)' if p['cached'] else ''}")
    print(f"producing: {total:.1f} s of producer processes when made, {spent:.1f} s spent in this run")
    reading = per_tool(program_runs(exchange), produced)
    catalogue = per_tool(program_runs(main), None, exclude=produced)
    print(f"{'reader':18} {'runs':>5} {'s/run here':>11} {'s/run catalogue':>16} {'ratio':>6}")
    added = 0.0
    for tool in sorted(reading):
        here = reading[tool]
        there = catalogue.get(tool, [])
        mean_here = sum(here) / len(here)
        mean_there = sum(there) / len(there) if there else 0.0
        added += sum(here)
        ratio = mean_here / mean_there if there else float("nan")
        print(f"{tool:18} {len(here):5d} {mean_here:11.2f} {mean_there:16.2f} {ratio:6.2f}")
    rows = sum(1 for t in exchange["tools"] for c in t["checks"] if c["fixture"] in produced and c["duration"] > 0)
    print(f"{rows} check rows on the produced sets from {sum(len(v) for v in reading.values())} program runs "
          f"(the checks of one program on one set share its run)")
    main_seconds = sum(program_runs(main).values())
    print(f"added check-seconds: {added:.0f} s reading + {spent:.0f} s producing, against {main_seconds:.0f} s "
          f"of the main catalogue ({100 * (added + spent) / main_seconds:.1f} %)")


def timed_interop(readers: list[str], evict: bool) -> dict:
    produced = cache_dir() / "produced"
    if evict and produced.is_dir():
        shutil.rmtree(produced)
    results = Path(os.environ.get("TMPDIR", "/tmp")) / f"interop-bench-{time.monotonic_ns()}.json"
    argv = [sys.executable, "-m", "harness.cli", "interop", "--results", str(results)]
    argv += [a for r in readers for a in ("--tool", r)]
    start = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.monotonic() - start
    data = json.loads(results.read_text())
    producing = sum((p.get("process") or {}).get("duration", 0.0) for p in data["productions"] if not p["cached"])
    reading = sum(program_runs(data).values())
    return {"wall": wall, "producing": producing, "reading": reading,
            "overhead": (wall - producing - reading) / wall if wall else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=ROOT / "reports" / "results.json")
    parser.add_argument("--interop", type=Path, default=ROOT / "reports" / "interop.json")
    parser.add_argument("--run", action="store_true", help="also time rtcompat interop (evicts cached objects)")
    args = parser.parse_args()
    recorded(args.results, args.interop)
    if args.run:
        for evict in (True, False):
            figures = timed_interop(FAST_READERS, evict)
            print(f"rtcompat interop --tool {' --tool '.join(FAST_READERS)} ({'objects evicted' if evict else 'warm'}): "
                  f"wall {figures['wall']:.1f} s, producing {figures['producing']:.1f} s, reading "
                  f"{figures['reading']:.1f} s, harness overhead {100 * figures['overhead']:.0f} %")


if __name__ == "__main__":
    main()
