"""The report as a site: where each anchor lives, what a run's permalink says changed and
why, which findings come first, the feature view's notes, and a reproduction script that
runs without rtcompat."""

from __future__ import annotations

import json
import subprocess

import pytest

from harness.history import RunRecord, ToolRecord
from harness.report.render import feature_view
from harness.report.reproduce import reproduction_script
from harness.report.site import Page, link, run_views
from harness.report.summary import Headline, SetInfo, SetRow, SummaryCell, ranked
from harness.results import CheckResult, InstallResult, ToolResult, VerdictRecord


@pytest.mark.parametrize(("anchor", "page", "href"), [
    ("tool-pydicom", "index.html", "tools/pydicom.html"),
    ("tool-pydicom", "tools/cerr.html", "../tools/pydicom.html"),
    ("tool-pydicom", "tools/pydicom.md", "#top"),
    ("finding-dose-grid-scaling-not-applied", "compatibility.md", "findings/dose-grid-scaling-not-applied.md"),
    ("method-position-ffs", "findings/x.html", "../sets/position-ffs.html"),
    ("method-power", "index.html", "method.html#method-power"),
    ("glossary", "sets/reference.md", "../compatibility.md#glossary"),
    ("summary", "index.html", "#summary"),
    ("run-20261207T084046Z-vm-1234abcd", "index.html", "runs/20261207T084046Z-vm-1234abcd.html"),
])
def test_an_anchor_links_to_the_page_that_holds_it_relative_to_the_page_being_written(anchor, page, href):
    assert link(anchor, Page(page, page.rsplit(".", 1)[1])) == href


def record(day: int, checks: dict, version="1.0", harness="0.1.0", fixtures="aa", definition="d1",
           tools=("pyrt",)) -> RunRecord:
    return RunRecord(started=f"2026-11-{day:02d}T10:00:00+00:00", host="ci", harness_version=harness,
                     fixtures={"reference": fixtures},
                     tools={t: ToolRecord(version=version, definition=definition, install="pass", checks=checks)
                            for t in tools})


def test_a_run_page_lists_the_checks_that_changed_and_attributes_them():
    runs = [record(1, {"dvh": "pass", "read-ct": "pass"}),
            record(2, {"dvh": "fail", "read-ct": "pass"}, version="1.1"),
            record(3, {"dvh": "pass", "read-ct": "pass"}, version="1.1", harness="0.2.0"),
            record(4, {"dvh": "fail", "read-ct": "pass"}, version="1.1", harness="0.2.0", fixtures="bb",
                   definition="d2"),
            record(5, {"dvh": "pass", "read-ct": "pass"}, version="1.1", harness="0.2.0", fixtures="bb",
                   definition="d2")]
    views = run_views(runs)
    assert [v.record.started[8:10] for v in views] == ["05", "04", "03", "02", "01"]  # newest first
    by_day = {v.record.started[8:10]: v for v in views}
    assert by_day["01"].previous is None and by_day["01"].changes == []
    (change,) = by_day["02"].changes
    assert change.checks == (("dvh", "pass", "fail"),) and change.causes == ("tool",)
    assert by_day["03"].changes[0].causes == ("harness",)
    assert by_day["04"].changes[0].causes == ("check programs", "fixtures")
    assert by_day["05"].changes[0].causes == ()  # nothing recorded changed: a flaky tool or machine
    assert "no recorded change" in by_day["05"].changes[0].what


def test_a_run_page_names_rows_that_came_and_went_and_counts_statuses():
    before = record(1, {"dvh": "pass"}, tools=("pyrt", "old"))
    after = record(2, {"dvh": "fail"}, tools=("pyrt", "new"))
    (view, _) = run_views([before, after])
    assert view.added == ["new"] and view.removed == ["old"]
    assert view.counts == {"fail": 2} and view.changed_checks == 1


def line(label, silent, relative=None, values=1, checks=1) -> Headline:
    return Headline(label, f"finding-{label}", "t", "tool", "beyond", "worst (x 10)" if relative == 99 else "worst",
                    values, checks, silent, relative)


def test_silent_wrong_numbers_come_first_largest_share_first_then_loud_failures_by_reach():
    silent, loud = ranked([line("F1", False, values=3), line("F2", True, 0.05, values=90), line("F3", True, 0.6),
                           line("F4", True, None, values=9), line("F5", False, values=0, checks=4),
                           line("F6", True, 99)])
    assert [h.label for h in silent] == ["F6", "F3", "F2", "F4"]
    assert [h.label for h in loud] == ["F1", "F5"]
    assert not silent[0].shown_share and silent[1].shown_share  # a factor is already said as "x 10"


def test_a_cell_without_a_finding_gets_a_numbered_note_shared_by_the_same_text():
    cells = {"a": SummaryCell("not tested", reason="no root for apt"),
             "b": SummaryCell("not tested", reason="no root for apt"),
             "c": SummaryCell("fail", judged=2, right=0, findings=(("F1", "finding-x"),)),
             "d": SummaryCell("pass", judged=2, right=2),
             "e": SummaryCell("error", reason="the check timed out")}
    rows, notes = feature_view([SetRow(SetInfo("ct-big-endian", "Big endian"), cells)])
    assert rows[0].notes == {"a": (1,), "b": (1,), "e": (2,)}
    assert notes == ["not tested: no root for apt", "error: the check timed out"]


def test_the_reproduction_script_runs_the_check_program_on_a_copy_without_the_truth(tmp_path):
    """Run from a checkout: it verifies the files, runs the program, and imports nothing of rtcompat."""
    fixture = tmp_path / "fixtures" / "dicom" / "reference"
    fixture.mkdir(parents=True)
    (fixture / "RD.dcm").write_bytes(b"dose")
    (fixture / "truth.json").write_text("{}")
    program = tmp_path / "tool_manifests" / "pyrt" / "checks" / "read.sh"
    program.parent.mkdir(parents=True)
    program.write_text('ls "$1" | tr "\\n" " "; echo "{\\"dose.max_gy\\": 1}"\n')
    import hashlib

    files = [("RD.dcm", hashlib.sha256(b"dose").hexdigest()), ("truth.json", hashlib.sha256(b"{}").hexdigest())]
    verdict = VerdictRecord(key="dose.max_gy", passed=False, outcome="fail", observed=1, expected=70, unit="Gy",
                            tolerance="0.01 Gy", message="m")
    check = CheckResult(id="read", capability="read-rtdose", status="fail", reason="", program="pyrt/checks/read.sh",
                        verdicts=[verdict])
    tool = ToolResult(id="pyrt", name="PyRT", section="s", in_source_catalogue=True, backend="virtualenv",
                      version="1.0", install=InstallResult(status="pass"), checks=[check])
    script = reproduction_script(tool, check, ("dose.max_gy",), "F1 dose", None, files)
    assert "#   dose.max_gy: expected 70 Gy (tolerance 0.01 Gy), observed 1 Gy" in script
    (tmp_path / "repro.sh").write_text(script)
    done = subprocess.run(["sh", str(tmp_path / "repro.sh")], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "RD.dcm: OK" in done.stdout
    listed, printed = done.stdout.strip().splitlines()[-1].split("{", 1)
    assert listed.split() == ["RD.dcm"]  # the program never sees the truth
    assert json.loads("{" + printed) == {"dose.max_gy": 1}


def test_a_changed_fixture_file_stops_the_reproduction(tmp_path):
    fixture = tmp_path / "fixtures" / "dicom" / "reference"
    fixture.mkdir(parents=True)
    (fixture / "RD.dcm").write_bytes(b"changed")
    check = CheckResult(id="read", capability="read-rtdose", status="fail", reason="", program="pyrt/checks/read.sh")
    tool = ToolResult(id="pyrt", name="PyRT", section="s", in_source_catalogue=True, backend="virtualenv",
                      install=InstallResult(status="pass"), checks=[check])
    script = reproduction_script(tool, check, (), "F1", None, [("RD.dcm", "0" * 64)])
    (tmp_path / "repro.sh").write_text(script)
    done = subprocess.run(["sh", str(tmp_path / "repro.sh")], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}, timeout=60)
    assert done.returncode != 0 and "FAILED" in done.stdout
