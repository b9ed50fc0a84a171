"""The report says what was observed, escapes what tools print, and is never half-written."""

from __future__ import annotations

import json

import pytest

from harness.report import render_reports
from harness.results import (
    CheckResult, InstallResult, Results, ResultsError, RunInfo, ToolResult, VerdictRecord, read_results,
    write_results,
)

PAYLOAD = '<script>alert("x")</script> | **bold** [link](http://evil)'


def results_with(reason: str = "ok", status: str = "pass") -> Results:
    check = CheckResult(id="read-ct", capability="read-ct", status=status, reason=reason,
                        verdicts=[VerdictRecord(key="ct.rows", passed=status == "pass", observed=PAYLOAD,
                                                expected=160, message=reason)])
    tool = ToolResult(id="tool", name="Tool " + PAYLOAD, section="Python Packages for Medical Physics",
                      in_source_catalogue=True, homepage="https://example.org", summary=PAYLOAD, backend="virtualenv",
                      version="1.0", install=InstallResult(status="pass"), checks=[check])
    skipped = ToolResult(id="other", name="Other", section="Integration Components", in_source_catalogue=True,
                         backend="source", install=InstallResult(status="skip", reason="no mirror",
                                                                 enable="git clone --mirror URL DIR"))
    run = RunInfo(started="2026-01-01T00:00:00+00:00", host="h", platform="Linux", python="3.11",
                  harness_version="0.1.0", fixtures={"reference": "ab" * 32})
    return Results(run=run, tools=[tool, skipped])


def test_markdown_has_the_summary_line_and_a_table_per_section(tmp_path):
    render_reports(results_with(), tmp_path)
    text = (tmp_path / "compatibility.md").read_text()
    assert "**2 tools, 1 checks: 1 pass, 0 fail, 0 error, 0 skip, 0 unavailable, 0 xfail.**" in text
    assert "## Python Packages for Medical Physics" in text and "## Integration Components" in text
    assert "to enable: `git clone --mirror URL DIR`" in text


def test_tool_output_cannot_inject_html_or_break_markdown_tables(tmp_path):
    render_reports(results_with(reason=PAYLOAD, status="fail"), tmp_path)
    html = (tmp_path / "index.html").read_text()
    markdown = (tmp_path / "compatibility.md").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<script>alert" not in markdown
    for line in markdown.splitlines():
        if line.startswith("| read-ct"):
            assert line.count(" | ") == 3, line  # the payload's pipe did not add a column


def test_the_html_report_is_one_self_contained_file(tmp_path):
    render_reports(results_with(), tmp_path)
    html = (tmp_path / "index.html").read_text()
    assert "<link" not in html and 'src="http' not in html


def test_results_json_round_trips(tmp_path):
    path = tmp_path / "results.json"
    write_results(results_with(), path)
    assert read_results(path) == results_with()


@pytest.mark.parametrize("content, message", [
    ('{"schema_version": 1, "run": {', "not JSON (truncated?)"),
    ('{"schema_version": 99}', "results schema version 99"),
    ('{"schema_version": 1, "run": {}}', "run.started: Field required"),
])
def test_a_broken_results_file_is_named_with_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "results.json"
    path.write_text(content)
    with pytest.raises(ResultsError) as caught:
        read_results(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_an_interrupted_write_leaves_the_previous_report(tmp_path, monkeypatch):
    render_reports(results_with(), tmp_path)
    before = (tmp_path / "index.html").read_text()

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", explode)
    with pytest.raises(KeyboardInterrupt):
        render_reports(results_with(reason="newer", status="fail"), tmp_path)
    assert (tmp_path / "index.html").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
