"""The report says what was observed, escapes what tools print, and is never half-written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from report_pages import everything, pages, tool_page

from harness.report import render_reports
from harness.results import (
    CheckResult,
    InstallResult,
    Results,
    ResultsError,
    RunInfo,
    ToolResult,
    VerdictRecord,
    read_results,
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


def test_markdown_has_the_counts_and_one_matrix_with_a_row_group_per_section(tmp_path):
    render_reports(results_with(), tmp_path)
    text = (tmp_path / "compatibility.md").read_text()
    # the skipped tool has no check rows, yet the reader sees its skip: it is counted
    assert ("**2 tools; 2 results (1 check and 1 tool without checks): 1 pass, 0 FAIL, 0 error, 1 skip, 0 n/a, "
            "0 xfail.**") in text
    assert text.count("| tool | version |") == 1
    groups = [line.split(" | ")[0] for line in text.splitlines() if line.startswith("| **") and "tools passing" not in line]
    assert groups == ["| **Python Packages for Medical Physics**", "| **Integration Components**"]
    assert "to run it: `git clone --mirror URL DIR`" in tool_page(tmp_path, "other")


def test_tool_output_cannot_inject_html_or_break_markdown_tables(tmp_path):
    render_reports(results_with(reason=PAYLOAD, status="fail"), tmp_path)
    html = (tmp_path / "index.html").read_text()
    markdown = (tmp_path / "compatibility.md").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<script>alert" not in markdown
    for line in markdown.splitlines():
        if line.startswith("| read-ct"):
            assert line.count(" | ") == 4, line  # the payload's pipe did not add a column


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

    from harness.store import write_staged

    written = []

    def interrupted_halfway(path, data):  # Ctrl-C after a few pages were written
        if len(written) == 3:
            raise KeyboardInterrupt
        written.append(path)
        write_staged(path, data)

    monkeypatch.setattr("harness.report.render.write_staged", interrupted_halfway)
    with pytest.raises(KeyboardInterrupt):
        render_reports(results_with(reason="newer", status="fail"), tmp_path)
    assert (tmp_path / "index.html").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def badge(tmp_path, tool_id: str) -> str:
    return (tmp_path / "badges" / f"{tool_id}.svg").read_text()


def test_each_tool_gets_a_deterministic_badge_counting_its_passes_coloured_by_its_worst_status(tmp_path):
    results = results_with()
    results.tools[0].checks.append(results.tools[0].checks[0].model_copy(update={"id": "dvh", "status": "fail"}))
    render_reports(results, tmp_path)
    first = badge(tmp_path, "tool")
    assert ">rtcompat</text>" in first and ">1/2 pass</text>" in first and 'aria-label="rtcompat: 1/2 pass"' in first
    assert 'fill="#D55E00"' in first  # the FAIL colour: the worst of the two
    assert ">skip</text>" in badge(tmp_path, "other")
    render_reports(results, tmp_path / "again")
    assert badge(tmp_path / "again", "tool") == first


@pytest.mark.parametrize("status, install, message, colour", [
    ("pass", "pass", "1/1 pass", "pass"), ("error", "pass", "0/1 pass", "error"),
    ("xfail", "pass", "0/1 pass", "xfail"), (None, "unavailable", "n/a", "unavailable"), (None, "skip", "skip", "skip"),
])
def test_badge_messages(tmp_path, status, install, message, colour):
    from harness.report.model import badge_message

    tool = results_with().tools[0].model_copy(update={"install": InstallResult(status=install)})
    tool.checks = [tool.checks[0].model_copy(update={"status": status})] if status else []
    assert badge_message(tool) == (message, colour)


def test_a_tool_id_cannot_escape_the_badges_directory_or_the_svg(tmp_path):
    results = results_with()
    results.tools[0].id = "../<evil>"
    render_reports(results, tmp_path)
    badges = sorted(p.name for p in (tmp_path / "badges").iterdir())
    assert len(badges) == 2 and badges[0].startswith("evil-") and badges[1] == "other.svg"
    assert "<evil>" not in (tmp_path / "badges" / badges[0]).read_text()


def test_a_javascript_homepage_is_not_a_link(tmp_path):
    results = results_with()
    results.tools[0].homepage = "javascript:alert(1)"
    render_reports(results, tmp_path)
    assert "javascript:" not in (tmp_path / "index.html").read_text()
    assert "javascript:" not in (tmp_path / "compatibility.md").read_text()


def dvh_results(observed: dict) -> Results:
    results = results_with()
    results.tools[0].checks = [CheckResult(id="dvh", capability="dvh", status="pass", reason="ok", observed=observed)]
    return results


def truth_root(tmp_path: Path) -> Path:
    reference = tmp_path / "fixtures" / "reference"
    reference.mkdir(parents=True)
    curve = [[d, 100.0 - 2 * max(0, d - 40)] for d in range(0, 91, 5)]
    (reference / "truth.json").write_text(json.dumps({"quantities": {}, "curves": {"PTV": curve}}))
    return tmp_path / "fixtures"


def test_a_reported_dvh_curve_is_drawn_over_the_analytic_one(tmp_path):
    curve = [[d, 100.0 - 2 * max(0, d - 42)] for d in range(0, 91, 2)]
    rendered = render_reports(dvh_results({"dvh.PTV.curve": curve}), tmp_path / "out", fixtures_root=truth_root(tmp_path))
    html = everything(tmp_path / "out", "html")
    assert rendered.warnings == []
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" viewBox') == 1
    assert "<title>analytic</title>" in html and "<title>tool</title>" in html
    assert "<strong>PTV</strong>: largest volume difference of the curve (shown, not judged): 4.0 percentage points at " in html
    assert (tmp_path / "out" / "plots").is_dir()
    [plot] = (tmp_path / "out" / "plots").iterdir()
    assert plot.read_text().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert f"![PTV DVH](../plots/{plot.name})" in everything(tmp_path / "out")


def test_without_a_curve_the_dx_and_vx_values_are_plotted_as_points(tmp_path):
    observed = {"dvh.PTV.D95_gy": 42.5, "dvh.PTV.D50_gy": 65.0, "dvh.PTV.V60gy_pct": 60.0, "dvh.PTV.mean_gy": 64.0}
    render_reports(dvh_results(observed), tmp_path / "out", fixtures_root=truth_root(tmp_path))
    html = everything(tmp_path / "out", "html")
    # three points, their three differences from the analytic curve below, and the legend's marker
    assert html.count("<circle") == 3 + 3 + 1
    assert "3 reported points" in html


def test_a_hostile_curve_draws_nothing_and_a_missing_truth_is_a_warning(tmp_path):
    observed = {"dvh.PTV.curve": [["<script>", 1]], "dvh.<img src=x>.D95_gy": "<b>"}
    rendered = render_reports(dvh_results(observed), tmp_path / "out", fixtures_root=tmp_path / "nowhere")
    html = everything(tmp_path / "out", "html")
    tools = "".join(p.read_text() for p in (tmp_path / "out" / "tools").glob("*.html"))
    assert "<svg" not in tools.replace('<svg xmlns="http://www.w3.org/2000/svg" width', "")
    assert not (tmp_path / "out" / "plots").exists()
    assert "<img src=x>" not in html
    assert len(rendered.warnings) == 1 and "nowhere/reference/truth.json: no analytic DVH curves" in rendered.warnings[0]


def test_a_tool_without_checks_shows_its_install_status_and_reason_across_the_matrix(tmp_path):
    render_reports(results_with(), tmp_path, history=False)
    html = (tmp_path / "index.html").read_text()
    markdown = (tmp_path / "compatibility.md").read_text()
    row = next(line for line in markdown.splitlines() if line.startswith("| [Other]"))
    assert "**skip**: no mirror" in row
    assert 'colspan="' in html and "no mirror" in html


def _with_power(missed: bool) -> Results:
    from harness.results import PlantedBugRecord, PowerSummary

    bugs = [PlantedBugRecord(id="mirror-x", title="images mirrored left/right", caught=True,
                             seen="rt-utils#84", evidence="reference: ct.hu.bone_insert 0 HU vs 1000 HU"),
            PlantedBugRecord(id="transposed-dose", title="dose rows and columns " + PAYLOAD, caught=not missed,
                             evidence="reference: dose.at.origin_gy 60 Gy vs 70 Gy" if not missed else "")]
    power = PowerSummary(caught=1 if missed else 2, planted=2, control_sets=20, bugs=bugs)
    results = results_with()
    return results.model_copy(update={"run": results.run.model_copy(update={"power": power})})


def test_the_method_states_how_many_planted_reader_bugs_the_fixtures_catch(tmp_path):
    render_reports(_with_power(missed=False), tmp_path)
    assert "What a pass is worth: 2 of 2 planted reader bugs caught" in (tmp_path / "compatibility.md").read_text()
    markdown = (tmp_path / "method.md").read_text()
    assert "What a pass is worth: 2 of 2 planted reader bugs caught" in markdown
    assert "passes every judged quantity of 20 of 20 fixture sets" in markdown
    assert ("| `mirror-x` | images mirrored left/right | rt-utils#84 | [`reference`](sets/reference.md) "
            "| reference: ct.hu.bone\\_insert 0 HU vs 1000 HU |") in markdown
    assert "| `transposed-dose` | dose rows and columns " in markdown and "| - | [`reference`]" in markdown
    html = (tmp_path / "method.html").read_text()
    assert "2 of 2 planted reader bugs caught" in html and "<td>rt-utils#84</td>" in html


def test_a_bug_the_fixtures_miss_is_named_in_the_method(tmp_path):
    render_reports(_with_power(missed=True), tmp_path)
    markdown = (tmp_path / "method.md").read_text()
    html = (tmp_path / "method.html").read_text()
    assert "1 of 2 planted reader bugs caught" in markdown and "**Not caught: transposed-dose (" in markdown
    assert "<script>alert" not in html and "<strong>Not caught: transposed-dose" in html
    assert "| **not caught** |" in markdown


def test_a_run_without_the_suite_states_no_figure(tmp_path):
    render_reports(results_with(), tmp_path)
    assert "planted reader bugs" not in everything(tmp_path)


HOSTILE = 'x](https://evil.example/a) <img src=x onerror=alert(1)> | `code` *em* <b>b</b>\n# heading'


def _hostile_results() -> Results:
    """Every free-text field a results file carries, set to Markdown and HTML."""
    check = CheckResult(id="read-ct " + HOSTILE, capability="read-ct", status="fail", reason=HOSTILE,
                        fixture="set " + HOSTILE, program="tool/checks/" + HOSTILE,
                        verdicts=[VerdictRecord(key="ct.rows " + HOSTILE, passed=False, observed=HOSTILE,
                                                expected=HOSTILE, message=HOSTILE, unit=HOSTILE)],
                        observed={"_errors": {HOSTILE: HOSTILE}})
    tool = ToolResult(id="tool", name="Tool " + HOSTILE, section="Python Packages for Medical Physics",
                      in_source_catalogue=True, homepage="https://example.org/" + HOSTILE, summary=HOSTILE,
                      backend="virtualenv", version=HOSTILE, runtime=HOSTILE, dependencies={HOSTILE: HOSTILE},
                      install=InstallResult(status="pass", reason=HOSTILE), checks=[check])
    skipped = ToolResult(id="other", name="Other", section="Integration Components", in_source_catalogue=True,
                         backend="source", install=InstallResult(status="skip", reason="note " + HOSTILE,
                                                                 enable="run " + HOSTILE))
    run = RunInfo(started="2026-01-01T00:00:00+00:00", host=HOSTILE, platform=HOSTILE, python=HOSTILE,
                  harness_version=HOSTILE, fixtures={"reference": "ab" * 32, "set " + HOSTILE: "cd" * 32})
    return Results(run=run, tools=[tool, skipped])


def test_no_field_of_a_results_file_becomes_markdown_or_html_of_the_page(tmp_path):

    render_reports(_hostile_results(), tmp_path)
    for page in pages(tmp_path):
        _assert_no_markup_from_fields(page.read_text())


def _assert_no_markup_from_fields(markdown: str) -> None:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    inline = [t for block in tokens for t in [block, *(block.children or [])]]
    links = [t.attrGet("href") for t in inline if t.type == "link_open"]
    # a link that leaves the report; a page's own file name may carry a field's letters
    assert not [href for href in links if "evil.example" in str(href) and "example.org" not in str(href)
                and ":" in str(href).split("/", 1)[0]]
    raw_html = [t.content for t in inline if t.type in ("html_inline", "html_block")]
    assert not [h for h in raw_html if "<img" in h or "<b>" in h], raw_html
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not [h for h in headings if h.startswith("heading")], headings
    header_cells = 0
    for line in markdown.splitlines():  # every row of a table has as many cells as its header
        cells = len(re.findall(r"(?<!\\)\|", line))
        if line.startswith("|") and not line.startswith("|-") and not line.startswith("|---"):
            header_cells = header_cells or cells
            assert cells == header_cells, line
        elif not line.startswith("|"):
            header_cells = 0


def test_a_run_whose_fails_have_no_known_cause_never_says_no_fail(tmp_path):
    render_reports(results_with(reason="dose.max_gy 99 Gy vs 70 Gy", status="fail"), tmp_path)
    markdown = (tmp_path / "compatibility.md").read_text()
    html = (tmp_path / "index.html").read_text()
    assert "No FAIL in this run." not in markdown and "No FAIL in this run." not in html
    assert "No FAIL of this run has a known cause yet: 1 failing check, listed under" in markdown
    assert "No FAIL of this run has a known cause yet: 1 failing check, listed under" in html


def test_an_xfail_is_not_a_failure_without_a_known_cause(tmp_path):
    from harness.report.findings import findings_of

    results = results_with(reason="known", status="xfail")
    assert findings_of(results)[1] == []
    results = results_with(reason="unknown", status="fail")
    assert [u.check.id for u in findings_of(results)[1]] == ["read-ct"]


@pytest.mark.parametrize("page", ["compatibility.md", "index.html"])
def test_the_glossary_defines_the_words_a_reader_meets_in_the_tables(tmp_path, page):
    render_reports(results_with(), tmp_path)
    text = (tmp_path / page).read_text()
    glossary = text[text.index("Glossary</h2>" if page.endswith("html") else "Glossary\n\nWords:"):]
    for word in ("fixture set", "defect", "limitation", "convention", "smoke test", "observed value", "runtime"):
        assert word in glossary, word
    assert "computed by the harness, never by the tool" in glossary


def test_a_steep_curve_a_little_off_in_dose_says_both_its_volume_gap_and_its_dose_shift():
    """A 0.2 Gy shift of a DVH falling 50 % per Gy is a 10-point volume gap: the plot's text
    gives the shift too, which is what the judged D values (all within tolerance) measure."""
    from harness.report.svg import Plot

    truth = tuple((d / 10, max(0.0, min(100.0, 100 - (d / 10 - 60) * 50))) for d in range(800))
    curve = tuple((d + 0.2, v) for d, v in truth)
    summary = Plot("Cone", truth, curve, (), "12 of 12 judged DVH values within tolerance").summary
    assert "largest volume difference of the curve (shown, not judged): 10.0 percentage points" in summary
    assert "at equal volume the curves are at most 0.2 Gy apart" in summary


def test_a_wrong_value_deep_in_a_row_is_named_by_its_place_in_the_whole_document(tmp_path):
    path = tmp_path / "results.json"
    write_results(results_with(), path)
    data = json.loads(path.read_text())
    data["tools"][0]["checks"][0]["verdicts"][0]["passed"] = "perhaps"
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsError, match=r"results\.json: tools\.0\.checks\.0\.verdicts\.0\.passed: Input should "
                                           r"be a valid boolean"):
        read_results(path)
    data["tools"] = {"not": "a list"}
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsError, match=r"results\.json: tools: Input should be a valid list"):
        read_results(path)


def test_rows_read_back_share_their_field_name_sets_and_copies_stay_their_own(tmp_path):
    path = tmp_path / "results.json"
    results = results_with()
    results.tools[0].checks.append(results.tools[0].checks[0].model_copy(update={"id": "read-ct-2"}))
    write_results(results, path)
    read = read_results(path)
    first, second = read.tools[0].checks
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    assert first.verdicts[0].__pydantic_fields_set__ is second.verdicts[0].__pydantic_fields_set__
    changed = first.model_copy(update={"reason": "changed"})
    assert changed.reason == "changed" and second.reason == first.reason != "changed"
    assert read == results


@pytest.mark.parametrize("ext", ["md", "html"])
def test_a_tool_page_counts_the_quantities_a_check_got_right_and_wrong(tmp_path, ext):
    results = results_with(status="fail")
    check = results.tools[0].checks[0]
    check.verdicts[:] = [VerdictRecord(key=f"ct.q{n}", passed=n != 2, outcome="pass" if n != 2 else "fail",
                                       observed=n, expected=2 if n == 2 else n, message="m") for n in range(4)]
    render_reports(results, tmp_path)
    page = tool_page(tmp_path, "tool", ext)
    assert ("| 3/4 |" if ext == "md" else "<td>3/4</td>") in page
    assert ("4 quantities judged, 1 wrong" if ext == "md" else "4 quantities, observed against expected (1 wrong)") in page
