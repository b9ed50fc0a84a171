"""History remembers past runs, classifies each check, and names what changed."""

from __future__ import annotations

import re

from report_pages import everything

from harness.history import KEEP, load_history, record_run, trend
from harness.report import render_reports
from harness.results import CheckResult, InstallResult, Results, RunInfo, ToolResult

FIXTURE = "6f64064a166659e4d2681d9bed76cadad3e90ffe4cc606d2f076242611a8b39c"


def run(day: int, status: str = "pass", pydicom: str = "3.0.1", numpy: str = "2.2.6", host: str = "ci",
        hour: int = 10, definition: str | None = None) -> Results:
    checks = [CheckResult(id="read-ct", capability="read-ct", status="pass", reason="12 quantities within tolerance"),
              CheckResult(id="dvh", capability="dvh", status=status, reason=f"dvh {status}")]
    tool = ToolResult(id="pyrt", name="PyRT", section="Python Packages for Medical Physics", in_source_catalogue=True,
                      backend="virtualenv", version="1.0", dependencies={"pydicom": pydicom, "numpy": numpy},
                      definition=definition, install=InstallResult(status="pass", seconds=4.2), checks=checks)
    info = RunInfo(started=f"2026-11-{day:02d}T{hour:02d}:00:00+00:00", host=host, platform="Linux", python="3.11",
                   harness_version="0.1.0", fixtures={"reference": FIXTURE})
    return Results(run=info, tools=[tool])


def dvh_trend(output):
    runs = load_history(output / "history").runs
    return trend(runs, "pyrt", "dvh")


def test_a_broken_check_shows_a_regression_naming_what_changed_then_a_recovery(tmp_path):
    render_reports(run(25), tmp_path)
    assert dvh_trend(tmp_path).kind == "new"

    render_reports(run(26, status="fail", pydicom="3.0.2", numpy="2.4.6"), tmp_path)
    regression = dvh_trend(tmp_path)
    assert regression.kind == "regression"
    assert regression.change == "regression since 2026-11-26 10:00 UTC: numpy 2.2.6 -> 2.4.6; pydicom 3.0.1 -> 3.0.2"
    markdown, html = everything(tmp_path), everything(tmp_path, "html")
    # Both escape ">" (GitHub and browsers show "->").
    assert "- **dvh**: regression since 2026-11-26 10:00 UTC: numpy 2.2.6 -&gt; 2.4.6; pydicom 3.0.1 -&gt; 3.0.2" in markdown
    assert "regression since 2026-11-26 10:00 UTC: numpy 2.2.6 -&gt; 2.4.6; pydicom 3.0.1 -&gt; 3.0.2" in html
    assert "| **FAIL** 0/0 (regression) |" not in markdown  # no verdicts: no tally
    assert re.search(r"\| \*\*FAIL\*\* *\(regression\) \|", markdown)
    assert "[PyRT 1.0](tools/pyrt.md) dvh pass → **FAIL** (regression)." in markdown

    render_reports(run(27, pydicom="3.0.3", numpy="2.4.6"), tmp_path)
    recovered = dvh_trend(tmp_path)
    assert recovered.kind == "recovered"
    assert recovered.change == "recovered since 2026-11-27 10:00 UTC: pydicom 3.0.2 -> 3.0.3"
    assert [s for _, s in recovered.statuses] == ["pass", "fail", "pass"]
    assert trend(load_history(tmp_path / "history").runs, "pyrt", "read-ct").kind == "pass"


def test_a_check_that_keeps_flipping_is_flaky_and_one_that_never_passed_is_always_failing(tmp_path):
    for day, status in enumerate(["pass", "fail", "pass", "fail"], start=1):
        render_reports(run(day, status=status), tmp_path)
    assert dvh_trend(tmp_path).kind == "flaky"

    other = tmp_path / "other"
    for day in (1, 2):
        render_reports(run(day, status="fail"), other)
    assert dvh_trend(other).kind == "always failing"


def test_a_regression_with_nothing_recorded_changing_says_so(tmp_path):
    render_reports(run(1), tmp_path)
    render_reports(run(2, status="fail"), tmp_path)
    assert dvh_trend(tmp_path).change.endswith("no recorded change (same tool, dependencies, checks, fixtures and harness)")


def test_a_regression_after_an_edited_check_program_names_that_edit(tmp_path):
    render_reports(run(1, definition="a" * 64), tmp_path)
    render_reports(run(2, status="fail", definition="b" * 64), tmp_path)
    assert dvh_trend(tmp_path).change.endswith(f"manifest or check programs {'a' * 12} -> {'b' * 12}")


def test_a_run_is_recorded_once_and_the_history_keeps_the_last_90(tmp_path):
    render_reports(run(1), tmp_path)
    render_reports(run(1), tmp_path)
    assert len(list((tmp_path / "history").glob("*.json"))) == 1
    render_reports(run(1, host="other-host"), tmp_path)
    assert len(list((tmp_path / "history").glob("*.json"))) == 2

    directory = tmp_path / "many"
    for i in range(KEEP + 5):
        record_run(directory, run(1 + i // 24, hour=i % 24))
    kept = load_history(directory).runs
    assert len(kept) == KEEP and kept[0].started == "2026-11-01T05:00:00+00:00"


def test_a_history_record_is_small_and_names_versions_and_checksums(tmp_path):
    render_reports(run(25), tmp_path)
    (record,) = (tmp_path / "history").glob("*.json")
    assert re.fullmatch(r"20261125T100000Z-ci-[0-9a-f]{8}\.json", record.name)
    text = record.read_text()
    assert len(text) < 1000 and FIXTURE in text and '"pydicom": "3.0.1"' in text and '"dvh": "pass"' in text


def test_a_corrupt_history_file_is_a_warning_naming_it_and_drops_no_tool(tmp_path):
    render_reports(run(1), tmp_path)
    corrupt = tmp_path / "history" / "20261102T000000Z-ci.json"
    corrupt.write_text('{"started": "2026-11-02T00:00:00+00:00", "tools": {')
    rendered = render_reports(run(3, status="fail"), tmp_path)
    assert len(rendered.warnings) == 1 and rendered.warnings[0].startswith(f"{corrupt}: unreadable history record")
    assert "[PyRT](tools/pyrt.md)" in (tmp_path / "compatibility.md").read_text()
    assert dvh_trend(tmp_path).kind == "regression"


def test_without_history_nothing_is_recorded(tmp_path):
    render_reports(run(1), tmp_path, history=False)
    assert not (tmp_path / "history").exists()
    assert '<th scope="col">history</th>' not in everything(tmp_path, "html")
    assert "rendered without history: no run is recorded" in (tmp_path / "index.html").read_text()
    assert not list(tmp_path.glob("runs/*"))
