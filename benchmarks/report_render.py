"""Time rendering the report: the committed results, and the largest synthetic catalogue.

Prints, from one invocation:
  * the time to read and render reports/results.json (the latest catalogue run) with its history;
  * the time to read and render a synthetic run of 100 tools x 30 checks x 16 fixture sets (each
    check with 20 judged quantities and, for DVH checks, a curve; every failing check explained by
    a real finding, so the findings' pages, headlines and links are built as for a real run),
    after 89 earlier runs in its history, so the history window is full (90 runs);
  * the size of the HTML page and of the Markdown it wrote.

Usage: python benchmarks/report_render.py [--tools N] [--checks N] [--sets N] [--runs N] [--every-set]
Numbers vary with the machine; nothing here asserts a limit.
"""

from __future__ import annotations

import argparse
import shutil
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


def synthetic(tools: int, checks: int, sets: int, day: int, every_set: bool = False) -> Results:
    """A catalogue of ``tools`` tools, each with ``checks`` checks spread over ``sets`` fixture sets;
    with ``every_set``, ``checks`` check ids each run on every set, as the catalogue's do."""
    made = []
    for n in range(tools):
        rows = []
        for k in range(checks * sets if every_set else checks):
            check_id, fixture = (k // sets, k % sets) if every_set else (k, k % sets)
            capability = CAPS[check_id % len(CAPS)]
            failing = (n + k + day) % 7 == 0
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
                                    fixture="reference" if every_set and fixture == 0 else f"set-{fixture}", observed=observed, verdicts=verdicts,
                                    findings=findings, duration=1.0))
        made.append(ToolResult(id=f"tool-{n}", name=f"Tool {n}", section=SECTIONS[n % len(SECTIONS)],
                               in_source_catalogue=n % 2 == 0, backend="virtualenv", version=f"1.{n}",
                               install=InstallResult(status="pass"), checks=rows))
    run = RunInfo(started=f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}T03:00:00+00:00", host="bench",
                  platform="Linux", python="3.11", harness_version="bench",
                  fixtures={("reference" if every_set and s == 0 else f"set-{s}"): f"{s:064x}" for s in range(sets)})
    return Results(run=run, tools=made)


def timed(results: Path, output: Path, fixtures: Path | None) -> float:
    """Seconds to read ``results`` (parsing and checking every detail file) and render it."""
    start = time.perf_counter()
    render_reports(read_results(results), output, fixtures_root=fixtures)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tools", type=int, default=100)
    parser.add_argument("--checks", type=int, default=30)
    parser.add_argument("--sets", type=int, default=16)
    parser.add_argument("--runs", type=int, default=90)
    parser.add_argument("--every-set", action="store_true",
                        help="--checks check ids, each on every one of --sets sets (the catalogue's shape: 100 tools "
                             "x 6 checks x 40 sets is --tools 100 --checks 6 --sets 40 --every-set)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rtcompat-bench-") as scratch:
        out = Path(scratch)
        committed = ROOT / "reports" / "results.json"
        if committed.is_file():
            shutil.copytree(ROOT / "reports" / "history", out / "committed" / "history", dirs_exist_ok=True)
            seconds = timed(committed, out / "committed", ROOT / "fixtures" / "dicom")
            print(f"committed results ({committed.relative_to(ROOT)}), read and rendered: {seconds:.2f} s")
        for day in range(args.runs - 1):  # fill the history window, untimed
            record_run(out / "big" / "history", synthetic(args.tools, args.checks, args.sets, day, args.every_set))
        written = out / "big-results" / "results.json"
        write_results(synthetic(args.tools, args.checks, args.sets, args.runs - 1, args.every_set), written)
        seconds = timed(written, out / "big", None)
        html = (out / "big" / "index.html").stat().st_size / 1e6
        markdown = (out / "big" / "compatibility.md").stat().st_size / 1e6
        shape = "check ids, each on every one of" if args.every_set else "checks over"
        print(f"synthetic {args.tools} tools x {args.checks} {shape} {args.sets} fixture sets, "
              f"{args.runs} runs of history, read and rendered: {seconds:.2f} s; index.html {html:.1f} MB, compatibility.md {markdown:.1f} MB")


if __name__ == "__main__":
    main()
