"""The report's findings list: numbered by weight, every failing verdict either explained or
listed as unexplained, and an upstream report drafted from the run for a tool without one."""

from __future__ import annotations

from report_pages import everything

from harness.report.findings import convention_titles, findings_of
from harness.results import (
    CheckResult,
    FindingRef,
    InstallResult,
    Results,
    RunInfo,
    ToolResult,
    VerdictRecord,
)

SCALING = "dose-grid-scaling-not-applied"  # declared with a source for imagej and simpleitk, upstream for simpleitk
JPEG = "plastimatch-cannot-decode-jpeg-ls-or-jpeg2000"  # a limitation, not a defect


def wrong(key: str, observed, expected) -> VerdictRecord:
    return VerdictRecord(key=key, passed=False, outcome="fail", observed=observed, expected=expected,
                         message=f"{key} wrong")


def check(fixture: str = "reference", verdicts=(), findings=(), status: str = "fail",
          id: str = "read-rtdose") -> CheckResult:
    return CheckResult(id=id, capability="read-rtdose", status=status, reason="", fixture=fixture,
                       verdicts=list(verdicts), findings=list(findings))


def tool(id: str, checks, runtime: str | None = None, install: str = "pass") -> ToolResult:
    return ToolResult(id=id, name=id.upper(), section="s", in_source_catalogue=True, backend="virtualenv",
                      version="1.0", runtime=runtime, install=InstallResult(status=install), checks=checks)


def results(*tools: ToolResult) -> Results:
    run = RunInfo(started="2026-01-01T00:00:00+00:00", host="h", platform="Linux", python="3.11",
                  harness_version="0.1.0", fixtures={"reference": "ab" * 32})
    return Results(run=run, tools=list(tools))


def scaled(fixture: str = "reference", keys=("dose.max_gy", "dose.min_gy")) -> CheckResult:
    return check(fixture, [wrong(k, 1000.0 + n, 10.0 + n) for n, k in enumerate(keys)],
                 [FindingRef(id=SCALING, keys=list(keys), evidence=f"x 100 on {fixture}")])


IMAGEJ = tool("imagej", [scaled(), scaled("dose-16bit", ("dose.max_gy",))], runtime="Java 17")
SIMPLEITK = tool("simpleitk", [scaled()])
PLASTIMATCH = tool("plastimatch", [check("ct-jpeg-ls", [wrong("ct.rows", None, 120)],
                                         [FindingRef(id=JPEG, keys=["ct.rows"], evidence="empty image")])])


def test_findings_are_numbered_defects_first_then_by_how_many_tools_they_reach():
    views, unexplained = findings_of(results(PLASTIMATCH, IMAGEJ, SIMPLEITK))
    assert [(v.label, v.declaration.id) for v in views] == [("F1", SCALING), ("F2", JPEG)]
    assert [t.key for t in views[0].tools] == ["imagej", "simpleitk"]
    assert views[0].verdict_count == 5 and views[0].anchor == f"finding-{SCALING}"
    assert unexplained == []
    # a limitation reaching more tools still comes after a defect
    undecoded = [check("ct-jpeg-ls", [wrong("ct.rows", None, 120)], [FindingRef(id=JPEG, keys=["ct.rows"])])]
    views, _ = findings_of(results(tool("a", undecoded), tool("b", undecoded), tool("c", undecoded), SIMPLEITK))
    assert [v.declaration.id for v in views] == [SCALING, JPEG]
    beam_keys = ["dose.max_gy", "dose.min_gy", "dose.units"]
    views, _ = findings_of(results(
        tool("simpleitk", [scaled(keys=("dose.max_gy",))]), tool("a", [scaled(keys=("dose.max_gy",))]),
        tool("plastimatch", [check(verdicts=[wrong(k, 1, 2) for k in beam_keys],
                                   findings=[FindingRef(id="beam-dose-read-as-plan-dose", keys=beam_keys)])])))
    # two tools and two verdicts before one tool and three verdicts
    assert [(v.declaration.id, v.verdict_count) for v in views] == [(SCALING, 2), ("beam-dose-read-as-plan-dose", 3)]


def test_among_findings_reaching_as_many_tools_more_verdicts_come_first_then_the_id():
    two_keys = tool("simpleitk", [scaled()])
    one_key = tool("imagej", [check(verdicts=[wrong("dose.max_gy", 1, 2)],
                                    findings=[FindingRef(id="beam-dose-read-as-plan-dose", keys=["dose.max_gy"])])])
    views, _ = findings_of(results(one_key, two_keys))
    assert [v.declaration.id for v in views] == [SCALING, "beam-dose-read-as-plan-dose"]
    views, _ = findings_of(results(one_key, tool("simpleitk", [scaled(keys=("dose.max_gy",))])))
    assert [v.declaration.id for v in views] == ["beam-dose-read-as-plan-dose", SCALING]


def test_a_failing_verdict_no_finding_covers_is_listed_as_unexplained():
    partly = check(verdicts=[wrong("dose.max_gy", 1, 2), wrong("dose.units", "X", "GY"),
                             VerdictRecord(key="dose.type", passed=True, message="ok")],
                   findings=[FindingRef(id=SCALING, keys=["dose.max_gy"])])
    _, unexplained = findings_of(results(tool("imagej", [partly])))
    assert [(u.tool.key, u.check.key, u.keys, u.anchor) for u in unexplained] == [
        ("imagej", "read-rtdose", ("dose.units",), "tool-imagej")]


def test_a_finding_the_run_names_but_nobody_declared_explains_nothing():
    ghost = check(verdicts=[wrong("dose.max_gy", 1, 2)], findings=[FindingRef(id="no-such-finding",
                                                                             keys=["dose.max_gy"])])
    views, unexplained = findings_of(results(tool("imagej", [ghost])))
    assert views == [] and [u.keys for u in unexplained] == [("dose.max_gy",)]


def test_a_failed_check_without_verdicts_or_findings_is_unexplained_unless_the_install_failed():
    silent = check(status="fail")
    _, unexplained = findings_of(results(tool("imagej", [silent]), tool("other", [silent], install="fail"),
                                         tool("passing", [check(status="pass")])))
    assert [(u.tool.key, u.keys) for u in unexplained] == [("imagej", ())]


def test_an_xfail_has_a_known_cause_its_upstream_issue_and_is_not_unexplained():
    _, unexplained = findings_of(results(tool("imagej", [check(verdicts=[wrong("dose.max_gy", 1, 2)],
                                                                 status="xfail")])))
    assert unexplained == []


def test_the_source_reference_gives_its_text_and_its_first_link():
    view = findings_of(results(IMAGEJ, SIMPLEITK, PLASTIMATCH))[0][0]
    text, url = view.source(IMAGEJ)
    assert text.startswith("https://github.com/imagej/ImageJ/blob/v1.53t/ij/plugin/DICOM.java#L115-L142 (only")
    assert url == "https://github.com/imagej/ImageJ/blob/v1.53t/ij/plugin/DICOM.java#L115-L142"
    text, url = view.source(SIMPLEITK)
    assert text.startswith("SimpleITK/GDCM read the pixel data") and url is None
    assert view.source(tool("dicompyler", [])) == ("", None)


def test_only_a_tool_without_an_upstream_report_gets_one_draft():
    view = findings_of(results(IMAGEJ, SIMPLEITK))[0][0]
    assert view.upstream(SIMPLEITK) == "https://github.com/SimpleITK/SimpleITK/issues/435"
    assert view.upstream(IMAGEJ) is None
    assert [(o.tool.key, o.check.key) for o in view.drafts] == [("imagej", "read-rtdose")]


def test_the_draft_report_states_version_data_call_values_explanation_evidence_and_source():
    view = findings_of(results(IMAGEJ, SIMPLEITK))[0][0]
    lines = view.draft_report(view.drafts[0], "cd" * 32).splitlines()
    assert lines[:7] == [
        "Title: DoseGridScaling not applied",
        "",
        "Version: IMAGEJ 1.0 on Java 17",
        "Data: the rtcompat 'reference' fixture set (synthetic, public domain), sha256 " + "cd" * 32
        + ", fixtures/dicom/reference/ in the rtcompat repository.",
        'Call: open("RD.dcm") in a batch macro, then getPixel(x, y) per frame',
        "Expected and observed:",
        "  dose.max_gy: expected 10.0, got 1000.0",
    ]
    assert lines[7:9] == ["  dose.min_gy: expected 11.0, got 1001.0", "  dose.max_gy: expected 10.0, got 1000.0"]
    assert lines[9] == ""
    assert lines[10].startswith("An RT Dose stores integers; the dose in Gy is the stored value times")
    assert lines[11:] == [
        "Evidence (read-rtdose): x 100 on reference",
        "Evidence (read-rtdose[dose-16bit]): x 100 on dose-16bit",
        "Where: https://github.com/imagej/ImageJ/blob/v1.53t/ij/plugin/DICOM.java#L115-L142 (only Rescale "
        "Slope/Intercept are applied; 3004,000E is never read)",
    ]


def test_a_draft_lists_six_values_then_says_how_many_more_and_marks_what_was_not_reported():
    keys = ("dose.max_gy", "dose.min_gy", "dose.mean_gy", "dose.at.a_gy", "dose.at.b_gy", "dose.at.c_gy",
            "dose.at.d_gy", "dose.at.e_gy")
    many = check(verdicts=[wrong(k, None if k == "dose.mean_gy" else 5.0, 1.0) for k in keys],
                 findings=[FindingRef(id=SCALING, keys=list(keys))])
    solo = tool("imagej", [many])
    view = findings_of(results(solo))[0][0]
    text = view.draft_report(view.drafts[0], None)
    assert "Version: IMAGEJ 1.0\n" in text and ", sha256" not in text
    assert "  dose.mean_gy: expected 1.0, not reported\n" in text
    assert "  dose.at.c_gy: expected 1.0, got 5.0\n  ... and 2 more\n" in text
    assert "dose.at.d_gy:" not in text


def test_a_draft_for_a_tool_without_a_declared_call_or_source_leaves_those_lines_out():
    other = tool("dicompyler", [scaled()])
    view = findings_of(results(other))[0][0]
    text = view.draft_report(view.drafts[0], None)
    assert "Call:" not in text and "Where:" not in text
    assert text.splitlines()[2:4] == [
        "Version: DICOMPYLER 1.0",
        "Data: the rtcompat 'reference' fixture set (synthetic, public domain), fixtures/dicom/reference/ in the "
        "rtcompat repository."]


def test_a_draft_for_a_tool_of_unknown_version_says_so():
    unknown = tool("dicompyler", [scaled()]).model_copy(update={"version": None})
    view = findings_of(results(unknown))[0][0]
    assert view.draft_report(view.drafts[0], None).splitlines()[2] == "Version: DICOMPYLER ?"


def test_six_values_are_all_listed_and_the_seventh_is_counted():
    def draft(count: int) -> str:
        keys = [f"dose.at.p{n}_gy" for n in range(count)]
        solo = tool("imagej", [check(verdicts=[wrong(k, 5.0, 1.0) for k in keys],
                                     findings=[FindingRef(id=SCALING, keys=keys)])])
        view = findings_of(results(solo))[0][0]
        return view.draft_report(view.drafts[0], None)

    assert "dose.at.p5_gy" in draft(6) and "more" not in draft(6)
    assert "  dose.at.p5_gy: expected 1.0, got 5.0\n  ... and 1 more\n" in draft(7)


def test_convention_titles_name_known_conventions_and_keep_unknown_names():
    assert convention_titles(["no-end-caps", "histogram-bin", "made-up"]) == "no end caps, histogram bin, made-up"
    assert convention_titles([]) == ""


def test_a_finding_that_explains_timeouts_counts_checks_not_zero_verdicts(tmp_path):
    from harness.report import render_reports

    hung = [check(f"ct-{n}", findings=[FindingRef(id="compressed-dicom-dialog-hangs-batch-mode", keys=[],
                                                  evidence="no answer within 60 s")], id="read-ct")
            for n in ("rle", "jpeg-ls")]
    render_reports(results(tool("imagej", hung)), tmp_path)
    for ext in ("md", "html"):
        text = everything(tmp_path, ext)
        assert "0 verdicts" not in text and "2 checks that gave no value to judge in" in text
