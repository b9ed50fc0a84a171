"""The HTML report, opened in a real headless browser: it renders every tool, logs no
errors, and nothing a tool printed runs as script."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from harness.report import browser, render_reports
from harness.results import (
    CheckResult,
    InstallResult,
    Results,
    RunInfo,
    ToolResult,
    VerdictRecord,
)
from harness.screenshots import scaled

pytestmark = pytest.mark.skipif(not browser.is_available(), reason=browser.REQUIRES)

PAYLOADS = ("<script>document.title='pwned'</script>", "<img src=x onerror=\"document.title='pwned'\">")
SECTIONS = ("Python Packages for Medical Physics", "Integration Components", "Beyond the source catalogue")


def tool(n: int, text: str = "", status: str = "pass") -> ToolResult:
    check = CheckResult(id="read-ct", capability="read-ct", status=status, reason=f"reason {text}",
                        observed={"ct.rows": text or 160}, expected={"ct.rows": 160},
                        verdicts=[VerdictRecord(key="ct.rows", passed=status == "pass", observed=text or 160,
                                                expected=160, message=f"ct.rows {text}")])
    return ToolResult(id=f"tool-{n}", name=f"Tool {n} {text}", section=SECTIONS[n % 3], in_source_catalogue=n % 2 == 0,
                      summary=text, homepage="https://example.org", backend="virtualenv", version=f"1.{n} {text}",
                      install=InstallResult(status="pass", reason=text), checks=[check])


def results(tools: list[ToolResult]) -> Results:
    run = RunInfo(started="2026-11-26T10:00:00+00:00", host="ci", platform="Linux", python="3.11",
                  harness_version="0.1.0", fixtures={"reference": "ab" * 32})
    return Results(run=run, tools=tools)


def test_the_report_renders_every_tool_without_console_errors(tmp_path):
    tools = [tool(n, status=("pass", "fail", "error", "skip")[n % 4]) for n in range(9)]
    # a GUI tool's screenshot (its thumbnail is an inline image the page's policy must allow)
    picture = io.BytesIO()
    Image.new("RGB", (800, 600), (20, 120, 200)).save(picture, format="PNG")
    tools[1].checks[0].screenshot = scaled(picture.getvalue())
    # two versions of one tool: two rows
    tools.append(tools[2].model_copy(update={"variant": "2.0", "version": "2.0"}))
    render_reports(results(tools), tmp_path)
    screenshot = tmp_path / "screenshot.png"
    assert browser.check_report(tmp_path / "index.html", [t.key for t in tools], screenshot) == []
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    page = browser.load(tmp_path / "tools" / f"{tools[1].key}.html")
    assert page.console == []
    assert any(img.attrs.get("src", "").startswith("data:image/jpeg") for img in page.find("img"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_script_payload_in_tool_output_does_not_run(tmp_path, payload):
    render_reports(results([tool(1, payload, status="fail"), tool(2)]), tmp_path)
    page = browser.load(tmp_path / "index.html")
    assert page.title == "rtcompat: DICOM-RT compatibility report"
    assert not page.find("img", src="x")
    assert len(page.find("script")) == 1  # the report's own filter script
    assert page.console == []
    assert page.tool_rows == ["tool-1", "tool-2"]


def test_rtcompat_report_checks_the_page_in_the_browser_and_saves_a_screenshot(tmp_path, capsys):
    from harness.cli import main
    from harness.results import write_results

    path = tmp_path / "results.json"
    write_results(results([tool(n) for n in range(3)]), path)
    screenshot = tmp_path / "shot.png"
    assert main(["report", "--results", str(path), "--output", str(tmp_path / "out"),
                 "--browser-check", str(screenshot)]) == 0
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "browser check: ok" in capsys.readouterr().out


def capability_tool(n: int, capability: str, status: str) -> ToolResult:
    made = tool(n, status=status)
    made.checks[0] = made.checks[0].model_copy(update={"capability": capability})
    return made


def test_a_filter_in_the_address_shows_who_reads_a_capability_correctly(tmp_path):
    tools = [capability_tool(0, "read-rtdose", "pass"), capability_tool(1, "read-rtdose", "fail"),
             capability_tool(2, "read-ct", "pass"), capability_tool(3, "read-rtdose", "pass")]
    render_reports(results(tools), tmp_path)
    page = browser.load(tmp_path / "index.html", fragment="cap=read-rtdose&state=pass")
    shown = [e.attrs["data-tool"] for e in page.find("tr") if "tool-row" in e.attrs.get("class", "")
             and "hidden" not in e.attrs]
    assert shown == ["tool-0", "tool-3"]
    assert page.console == []
    assert "2 of 4 tools shown" in page.dom


def test_at_phone_width_the_tables_scroll_and_the_page_does_not(tmp_path):
    long_words = "x" * 400
    tools = [tool(n, text=long_words if n == 1 else "", status=("pass", "fail")[n % 2]) for n in range(6)]
    render_reports(results(tools), tmp_path)
    page = browser.load(tmp_path / "index.html", window=(390, 844))
    assert page.find("body", data_overflow="no"), "the page is wider than a phone"
    wide = browser.load(tmp_path / "index.html", window=(1400, 900))
    assert wide.find("body", data_overflow="no")


def test_a_fixture_set_filter_shows_the_tools_that_ran_on_it(tmp_path):
    """A row names the sets its tool ran on, or, when that is shorter, the ones it did not:
    the filter reads either."""
    def on(n: int, sets: list[str]) -> ToolResult:
        made = tool(n)
        made.checks = [made.checks[0].model_copy(update={"fixture": s}) for s in sets]
        return made

    everywhere = ["reference", "a", "b", "c"]
    tools = [on(0, everywhere), on(1, ["reference", "a", "b"]), on(2, ["reference"])]
    render_reports(results(tools), tmp_path)
    html = (tmp_path / "index.html").read_text()
    assert 'data-fixtures-but="c"' in html and 'data-fixtures="reference"' in html
    for fixture, expected in (("c", ["tool-0"]), ("a", ["tool-0", "tool-1"]), ("reference", ["tool-0", "tool-1", "tool-2"])):
        page = browser.load(tmp_path / "index.html", fragment=f"fixture={fixture}")
        shown = [e.attrs["data-tool"] for e in page.find("tr") if "tool-row" in e.attrs.get("class", "")
                 and "hidden" not in e.attrs]
        assert shown == expected, fixture
        assert page.console == []
