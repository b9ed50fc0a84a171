"""Tool pages rendered by forked workers are the pages one process writes, and a worker's
failure is the render's failure: the previous report stays."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from harness.report import render_reports
from harness.report.parallel import ROWS_PER_WORKER, each_row
from harness.results import (
    CheckResult,
    FindingRef,
    InstallResult,
    Results,
    RunInfo,
    ToolResult,
    VerdictRecord,
)

TOOLS = 3 * ROWS_PER_WORKER  # enough rows for two workers


def catalogue() -> Results:
    tools = []
    for n in range(TOOLS):
        checks = []
        for k, fixture in enumerate(("reference", "position-ffs")):
            failing = (n + k) % 3 == 0
            verdicts = [VerdictRecord(key=f"dose.at.p{q}_gy", passed=not failing or q > 0,
                                      outcome="fail" if failing and q == 0 else "pass",
                                      observed=(60.0 + q) * (1e5 if failing and q == 0 else 1), expected=60.0 + q,
                                      tolerance="0.01 Gy", unit="Gy", margin=0.0, deviation="0 Gy", message=f"p{q} <&>")
                        for q in range(4)]
            findings = [FindingRef(id="dose-grid-scaling-not-applied", keys=["dose.at.p0_gy"],
                                   evidence="observed / expected = 1e+05")] if failing else []
            checks.append(CheckResult(id="read-dose", capability="read-dose", status="fail" if failing else "pass",
                                      reason="1 of 4 wrong" if failing else "4 quantities within tolerance",
                                      fixture=fixture, verdicts=verdicts, findings=findings,
                                      observed={v.key: v.observed for v in verdicts}))
        tools.append(ToolResult(id=f"tool-{n}", name=f"Tool {n} | *", section="Python Packages for Medical Physics",
                                in_source_catalogue=True, backend="virtualenv", version=f"1.{n}",
                                install=InstallResult(status="pass"), checks=checks))
    run = RunInfo(started="2026-01-01T00:00:00+00:00", host="h", platform="Linux", python="3.11",
                  harness_version="0.1.0", fixtures={"reference": "ab" * 32, "position-ffs": "cd" * 32})
    return Results(run=run, tools=tools)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_workers_write_the_pages_one_process_writes(tmp_path, monkeypatch):
    import multiprocessing

    forked = []
    context = multiprocessing.get_context
    monkeypatch.setattr("multiprocessing.get_context", lambda method=None: forked.append(method) or context(method))
    one = render_reports(catalogue(), tmp_path / "one", workers=1)
    assert forked == []
    two = render_reports(catalogue(), tmp_path / "two", workers=2)
    assert forked == ["fork"]
    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert sorted(p.relative_to(tmp_path / "one") for p in one.written) == \
        sorted(p.relative_to(tmp_path / "two") for p in two.written)
    assert len([p for p in two.written if p.parent.name == "tools" and p.suffix == ".html"]) == TOOLS


def test_a_worker_that_fails_fails_the_render_and_the_previous_report_stays(tmp_path, monkeypatch):
    render_reports(catalogue(), tmp_path, workers=1)
    before = files(tmp_path)
    from harness.report import render

    original = render._write

    def disk_full_on_one_page(path: Path, text: str) -> Path:
        if path.name == f"tool-{TOOLS - 2}.md":  # a page the second worker writes
            raise OSError(28, "No space left on device", str(path))
        return original(path, text)

    monkeypatch.setattr(render, "_write", disk_full_on_one_page)
    with pytest.raises(OSError, match="No space left"):
        render_reports(catalogue(), tmp_path, workers=2)
    assert files(tmp_path) == before
    assert not [p for p in tmp_path.parent.iterdir() if p.name.startswith(f".{tmp_path.name}.")
                and p.is_dir()]


def test_a_process_with_other_threads_renders_in_itself(monkeypatch):
    def no_fork(*args, **kwargs):
        raise AssertionError("forked while another thread ran")

    monkeypatch.setattr("multiprocessing.get_context", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert each_row(4 * ROWS_PER_WORKER, lambda row: row * 2, workers=2) == \
            [row * 2 for row in range(4 * ROWS_PER_WORKER)]
    finally:
        stop.set()
        other.join()


def test_rows_come_back_in_order_from_the_workers():
    assert each_row(5 * ROWS_PER_WORKER, lambda row: (row, [Path(f"tools/{row}.html")]), workers=2) == \
        [(row, [Path(f"tools/{row}.html")]) for row in range(5 * ROWS_PER_WORKER)]


def test_a_small_report_is_rendered_in_one_process(monkeypatch):
    monkeypatch.setattr("multiprocessing.get_context", lambda *a: (_ for _ in ()).throw(AssertionError("forked")))
    assert each_row(ROWS_PER_WORKER, lambda row: row * 2, workers=2) == [row * 2 for row in range(ROWS_PER_WORKER)]
