"""Time and memory of rendering the report, step by step, at growing catalogue sizes.

Prints, from one invocation:
  * the time to read and render reports/results.json (the latest catalogue run) with its history;
  * for each --tools size, a synthetic catalogue of that many tools x --versions versions, each
    version a row with --checks check ids on every one of --sets fixture sets (the catalogue's
    shape; each check with 20 judged quantities and, for DVH checks, a curve; every failing
    check explained by a real finding, so the findings' pages, headlines and links are built
    as for a real run), after --runs - 1 earlier runs in its history: the seconds of reading
    and of each rendering step, the peak memory of the process that read and rendered it
    (generating the data happens in another process), and the page sizes;
  * each step's seconds per row at the largest size against the smallest (1.0: linear;
    above: the step grows faster than the rows), and time and memory extrapolated along the
    line through the two largest sizes to --target-tools tools (the scaling target: 100
    tools x 10 versions x 40 sets, under 60 s and 2 GiB).

Usage: python benchmarks/report_render.py [--tools N [N ...]] [--versions N] [--checks N] [--sets N] [--runs N]
Defaults: --tools 4 8 --versions 10 --checks 6 --sets 40 --runs 5 (40 and 80 rows of tool versions, 9,600 and
19,200 checks; smaller sizes are too quick for their ratios to mean much). Numbers vary with the machine; nothing
here asserts a limit.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.history import record_run
from harness.manifest import CAPABILITIES, SECTIONS
from harness.report import render_reports
from harness.results import (
    CheckResult,
    FindingRef,
    InstallResult,
    Results,
    RunInfo,
    ToolResult,
    VerdictRecord,
    read_results,
    write_results,
)

CAPS = [c for c in CAPABILITIES if c not in ("startup", "qa-analysis")]


def synthetic(tools: int, versions: int, checks: int, sets: int, day: int) -> Results:
    """A catalogue of ``tools`` tools x ``versions`` versions, each version a row with
    ``checks`` check ids, each run on every one of ``sets`` fixture sets."""
    made = []
    for n, variant in ((n, v) for n in range(tools) for v in range(versions)):
        rows = []
        for k in range(checks * sets):
            check_id, fixture = k // sets, k % sets
            capability = CAPS[check_id % len(CAPS)]
            failing = (n + variant + k + day) % 7 == 0
            # the wrong ones are dose values off by 1 / DoseGridScaling, a finding every tool may have
            verdicts = [VerdictRecord(key=f"dose.at.p{q}_gy", passed=False, observed=(60.0 + q) * 1e5,
                                      expected=60.0 + q, tolerance="0.01 Gy", unit="Gy", margin=6e6,
                                      deviation="x 1e+05", message=f"p{q}")
                        if failing and q < 3 else
                        VerdictRecord(key=f"dvh.ROI{q}.D{q}_gy", passed=True, observed=60.0 + q, expected=60.0 + q,
                                      tolerance="1.8 Gy", unit="Gy", margin=1.8, deviation="0 Gy", message=f"ROI{q}")
                        for q in range(20)]
            findings = [FindingRef(id="dose-grid-scaling-not-applied", keys=[v.key for v in verdicts if not v.passed],
                                   evidence="observed / expected = 1e+05 = 1 / DoseGridScaling (1e-05)")] \
                if failing else []
            observed = {v.key: v.observed for v in verdicts}
            if capability == "dvh":
                observed["dvh.ROI1.curve"] = [[d, max(0.0, 100.0 - d)] for d in range(0, 101, 2)]
            rows.append(CheckResult(id=f"check-{check_id}", capability=capability,
                                    status="fail" if failing else "pass",
                                    reason="3 of 20 wrong" if failing else "20 quantities within tolerance",
                                    fixture="reference" if fixture == 0 else f"set-{fixture}", observed=observed,
                                    verdicts=verdicts,
                                    findings=findings, duration=1.0))
        made.append(ToolResult(id=f"tool-{n}", variant=f"1.{variant}" if versions > 1 else None, name=f"Tool {n}",
                               section=SECTIONS[n % len(SECTIONS)], in_source_catalogue=n % 2 == 0,
                               backend="virtualenv", version=f"1.{variant}.{n}",
                               install=InstallResult(status="pass"), checks=rows))
    run = RunInfo(started=f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}T03:00:00+00:00", host="bench",
                  platform="Linux", python="3.11", harness_version="bench",
                  fixtures={("reference" if s == 0 else f"set-{s}"): f"{s:064x}" for s in range(sets)})
    return Results(run=run, tools=made)


def generate(args: argparse.Namespace, tools: int, where: Path) -> None:
    """The history (untimed) and the run's results, written under ``where``."""
    for day in range(args.runs - 1):
        record_run(where / "report" / "history", synthetic(tools, args.versions, args.checks, args.sets, day))
    write_results(synthetic(tools, args.versions, args.checks, args.sets, args.runs - 1),
                  where / "results" / "results.json")


def measure(results: Path, output: Path, fixtures: Path | None) -> dict:
    """Read ``results`` (parsing and checking every detail file) and render it into ``output``:
    seconds per step, and this process's peak memory."""
    start = time.perf_counter()
    read = read_results(results)
    seconds = {"read": time.perf_counter() - start}
    rendered = render_reports(read, output, fixtures_root=fixtures)
    seconds.update(rendered.seconds)
    rows = sum(len(tool.checks) for tool in read.tools)
    return {"seconds": seconds, "total": time.perf_counter() - start, "rows": rows, "tool_rows": len(read.tools),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            # the forked workers that write the tool rows' files (their pages shared with this process counted again)
            "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "html_mb": sum(p.stat().st_size for p in output.rglob("*.html")) / 1e6,
            "markdown_mb": sum(p.stat().st_size for p in output.rglob("*.md")) / 1e6}


def in_child(*argv: str) -> dict:
    """This script run again as its own process (so its peak memory is its own)."""
    done = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)}: failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1]) if done.stdout.strip() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tools", type=int, nargs="+", default=[4, 8], help="catalogue sizes, in tools")
    parser.add_argument("--versions", type=int, default=10, help="versions of each tool, a row each")
    parser.add_argument("--checks", type=int, default=6, help="check ids of each row, each on every set")
    parser.add_argument("--sets", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5, help="runs in the history, this one included")
    parser.add_argument("--target-tools", type=int, default=100)
    parser.add_argument("--skip-committed", action="store_true")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args, args.tools[0], args.generate)
        return
    if args.measure:
        fixtures = ROOT / "fixtures" / "dicom" if args.measure.name == "committed" else None
        print(json.dumps(measure(args.measure / "results" / "results.json", args.measure / "report", fixtures)))
        return
    shape = ["--versions", str(args.versions), "--checks", str(args.checks), "--sets", str(args.sets),
             "--runs", str(args.runs)]
    with tempfile.TemporaryDirectory(prefix="rtcompat-bench-") as scratch:
        committed = ROOT / "reports" / "results.json"
        if committed.is_file() and not args.skip_committed:
            where = Path(scratch) / "committed"
            shutil.copytree(ROOT / "reports", where / "report")
            shutil.copytree(ROOT / "reports", where / "results")
            figures = in_child("--measure", str(where))
            print(f"committed results ({committed.relative_to(ROOT)}, {figures['rows']} checks), read and rendered: "
                  f"{figures['total']:.2f} s, peak {figures['peak_mib']:.0f} MiB")
        measured = []
        for tools in sorted(args.tools):
            where = Path(scratch) / f"tools-{tools}"
            in_child("--generate", str(where), "--tools", str(tools), *shape)
            figures = in_child("--measure", str(where), *shape)
            measured.append(figures)
            print(f"\n{tools} tools x {args.versions} versions ({figures['tool_rows']} rows) x {args.checks} checks x "
                  f"{args.sets} sets = {figures['rows']:,} checks, {args.runs} runs of history: read and rendered in "
                  f"{figures['total']:.2f} s, peak {figures['peak_mib']:.0f} MiB (each forked worker at most "
                  f"{figures['worker_peak_mib']:.0f} MiB, pages shared with the renderer included); "
                  f"HTML {figures['html_mb']:.1f} MB, "
                  f"Markdown {figures['markdown_mb']:.1f} MB")
            for step, seconds in sorted(figures["seconds"].items(), key=lambda item: -item[1]):
                print(f"  {step:<36}{seconds:>8.2f} s")
            shutil.rmtree(where)
        if len(measured) > 1:
            small, large = measured[0], measured[-1]
            grown = large["rows"] / small["rows"]
            print(f"\nseconds per check at {large['rows']:,} checks over those at {small['rows']:,} "
                  f"(1.0: linear; rows grew {grown:.1f} x):")
            for step in sorted(large["seconds"], key=lambda s: -large["seconds"][s]):
                before = small["seconds"].get(step, 0.0)
                ratio = (large["seconds"][step] / grown) / before if before > 0.005 else float("nan")
                print(f"  {step:<36}{ratio:>8.2f}")
            ratio = (large["total"] / grown) / small["total"]
            print(f"  {'all':<36}{ratio:>8.2f}")
        largest = measured[-1]
        target_rows = largest["rows"] * args.target_tools / sorted(args.tools)[-1]
        seconds, memory = (extrapolated(measured, key, target_rows) for key in ("total", "peak_mib"))
        print(f"\n{args.target_tools} tools x {args.versions} versions x {args.sets} sets ({target_rows:,.0f} checks), "
              f"extrapolated {'along the line through the two largest sizes' if len(measured) > 1 else 'linearly'}: "
              f"{seconds:.0f} s, {memory / 1024:.1f} GiB (target: under 60 s and 2 GiB)")


def extrapolated(measured: list[dict], key: str, rows: float) -> float:
    """``key`` at ``rows`` checks: on the line through the two largest sizes (what does not grow
    with the rows, such as the interpreter's own memory, stays fixed), or proportional to one."""
    if len(measured) == 1:
        return measured[0][key] * rows / measured[0]["rows"]
    small, large = measured[-2], measured[-1]
    slope = (large[key] - small[key]) / (large["rows"] - small["rows"])
    return large[key] + slope * (rows - large["rows"])


if __name__ == "__main__":
    main()
