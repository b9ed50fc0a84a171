"""CPU cost of running one tool's check programs through the harness, against the floor.

Prints, from one invocation, CPU seconds (user + system) of whole process trees, each the
median of ``--repeat`` runs, for the same (program, fixture set) pairs the harness runs:
  * floor: every program run in one interpreter of the tool's environment (its imports
    paid once), each with its own ``sys.argv`` and output;
  * bare processes: each program run as its own process, as a user would from a shell;
  * harness, all sets: ``rtcompat run --tool ID`` (every fixture set), the whole tree:
    the CLI, pytest, the checks, the fixture guard;
  * harness, reference set: ``rtcompat run --tool ID --set reference``;
  * of each harness run, the harness process alone (CLI, pytest, plugin, fixture guard,
    judging; not the tool's processes): on the reference set, a run's fixed cost;
and the ratios the scaling targets are stated in: harness / floor on all sets, the fixed
cost, and what a reference-set run adds to its floor.

Usage: python benchmarks/check_processes.py [--tool pydicom] [--repeat 3]
The tool must be a virtualenv tool whose checks are Python programs. The environment is
installed (or reused) by the first harness run. Numbers vary with the machine; nothing
here asserts a limit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.backends.base import ONE_THREAD  # noqa: E402
from harness.manifest import manifest_dir  # noqa: E402
from harness.paths import cache_dir, fixtures_dir, manifests_dir  # noqa: E402

#: Runs every (program, set) pair in one interpreter: the floor a check costs once the
#: tool's modules are imported. Output goes to a buffer, as the harness captures it.
IN_PROCESS = r"""
import contextlib, io, json, runpy, sys
for program, fixture, output in json.loads(sys.argv[1]):
    sys.argv = [program, fixture, output]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(io.StringIO()):
        try:
            runpy.run_path(program, run_name="__main__")
        except SystemExit:
            pass
"""


#: Runs the CLI and writes its own process's CPU seconds (not its children's) at exit.
SELF_CPU = r"""
import atexit, resource, runpy, sys
out = sys.argv.pop(1)
def report():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    open(out, "w").write(str(usage.ru_utime + usage.ru_stime))
atexit.register(report)
sys.argv = ["rtcompat", *sys.argv[1:]]
runpy.run_module("harness.cli", run_name="__main__")
"""


def cpu_of(argv: list[str], env: dict[str, str] | None = None) -> float:
    """User + system CPU seconds of ``argv`` and every descendant it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def harness_run(tool: str, results: Path, sets: list[str]) -> tuple[float, float]:
    """CPU seconds of the whole tree, and of the harness process alone."""
    own = results.with_suffix(".self")
    argv = [sys.executable, "-c", SELF_CPU, str(own), "run", "--tool", tool, "--results", str(results), "-n", "1"]
    tree = cpu_of(argv + [a for s in sets for a in ("--set", s)])
    return tree, float(own.read_text())


def program_pairs(results: Path, checks_dir: Path, fixtures: Path) -> list[tuple[str, str]]:
    """(program path, set directory) of each program run the results record, once each."""
    data = json.loads(results.read_text())
    labels = {c["program_run"] for t in data["tools"] for c in t["checks"] if c.get("program_run")}
    pairs = []
    for label in sorted(labels):
        program, _, rest = label.partition("@")
        fixture = rest.split(" ")[0]
        if program.endswith(".py"):
            pairs.append((str(checks_dir / program), str(fixtures / fixture)))
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", default="pydicom", help="a virtualenv tool with Python check programs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the median is shown)")
    args = parser.parse_args()
    manifest_path = manifests_dir(ROOT) / f"{args.tool}.yaml"
    if not manifest_path.is_file():
        parser.error(f"no manifest {manifest_path}")
    python = cache_dir() / "envs" / args.tool / "bin" / "python"  # the virtualenv backend's layout
    fixtures = fixtures_dir(ROOT)
    with tempfile.TemporaryDirectory(prefix="rtcompat-bench-") as scratch:
        work = Path(scratch)
        all_sets = work / "all.json"
        reference = work / "reference.json"
        harness_run(args.tool, all_sets, [])  # installs or reuses the environment; warms the page cache
        pairs = program_pairs(all_sets, manifest_dir(manifest_path), fixtures)
        reference_pairs = [p for p in pairs if Path(p[1]).name == "reference"]
        if not python.is_file() or not pairs:
            print(f"{args.tool}: no environment at {python} or no Python program runs recorded", file=sys.stderr)
            return 1
        outputs = work / "out"

        def listed(chosen: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
            runs = []
            for number, (program, fixture) in enumerate(chosen):
                output = outputs / str(number)
                output.mkdir(parents=True, exist_ok=True)
                runs.append((program, fixture, str(output)))
            return runs

        # one thread per numeric library and no bytecode written, as the harness runs checks
        env = {**os.environ, **ONE_THREAD, "PYTHONDONTWRITEBYTECODE": "1"}

        def floor(chosen) -> float:
            return cpu_of([str(python), "-c", IN_PROCESS, json.dumps(listed(chosen))], env)

        def bare(chosen) -> float:
            return sum(cpu_of([str(python), program, fixture, output], env) for program, fixture, output in listed(chosen))

        figures: dict[str, list[float]] = {name: [] for name in ("floor", "bare", "harness", "floor-ref", "bare-ref",
                                                                  "harness-ref", "self", "self-ref")}
        for _ in range(args.repeat):
            figures["floor"].append(floor(pairs))
            figures["bare"].append(bare(pairs))
            tree, own = harness_run(args.tool, all_sets, [])
            figures["harness"].append(tree)
            figures["self"].append(own)
            figures["floor-ref"].append(floor(reference_pairs))
            figures["bare-ref"].append(bare(reference_pairs))
            tree, own = harness_run(args.tool, reference, ["reference"])
            figures["harness-ref"].append(tree)
            figures["self-ref"].append(own)
    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"{args.tool}: {len(pairs)} program runs on all sets, {len(reference_pairs)} on the reference set; "
          f"CPU seconds (user + system) of whole process trees, median of {args.repeat}")
    print(f"{'':<28}{'all sets':>10}{'reference':>11}")
    for label, key in (("floor (one interpreter)", "floor"), ("bare processes", "bare"),
                       ("through the harness", "harness"), ("  the harness process alone", "self")):
        print(f"{label:<28}{median[key]:>10.2f}{median[key + '-ref']:>11.2f}")
    print(f"harness / floor, all sets:      {median['harness'] / median['floor']:.2f} x")
    print(f"bare processes / floor:         {median['bare'] / median['floor']:.2f} x")
    print(f"a run's fixed cost (the harness process alone, reference set): {median['self-ref']:.2f} CPU-s")
    print(f"added to the floor on the reference set (whole tree - floor): "
          f"{median['harness-ref'] - median['floor-ref']:.2f} CPU-s")
    print(f"warm run on the reference set, whole tree: {median['harness-ref']:.2f} CPU-s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
