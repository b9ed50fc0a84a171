"""The first screen's judgement of a capability: one state per cell, the worst deviation
in its unit with its severity, and numbers no more precise than their tolerance."""

from __future__ import annotations

import pytest

from harness.history import Trend
from harness.report.summary import (
    changes,
    headlines,
    physical,
    rounded,
    severity,
    short_key,
    short_reason,
    summary_cell,
    summary_rows,
    verdict_rows,
)
from harness.results import CheckResult, InstallResult, ToolResult, VerdictRecord


def verdict(key="dose.max_gy", passed=True, observed=129.7, expected=129.7, margin=0.0, deviation="", unit="Gy",
            tolerance="1 % or 0.01 Gy", outcome=None, convention=None, message="m") -> VerdictRecord:
    return VerdictRecord(key=key, passed=passed, outcome=outcome or ("pass" if passed else "fail"),
                         convention=convention, observed=observed, expected=expected, margin=margin,
                         deviation=deviation, unit=unit, tolerance=tolerance, message=message)


def check(status="pass", verdicts=(), capability="read-rtdose", id="c", reason="r") -> CheckResult:
    return CheckResult(id=id, capability=capability, status=status, reason=reason, verdicts=list(verdicts))


@pytest.mark.parametrize(("record", "expected"), [
    (verdict(), "within"),
    (verdict(passed=True, outcome="convention", convention="no-end-caps"), "convention"),
    (verdict(passed=False, observed=None, margin=None), "missing"),
    (verdict(passed=False, observed=1.297e7, margin=9999900.0, deviation="x 1e+05"), "action"),
    (verdict(passed=False, observed="", expected="HFS", margin=None, unit=""), "wrong"),
    (verdict(passed=False, observed=131.0, margin=9.99, deviation="+1.3 Gy"), "beyond"),
    (verdict(passed=False, observed=142.7, margin=10.0, deviation="+13 Gy"), "action"),
    (verdict(key="plan.total_meterset_mu", passed=False, observed=238, expected=238.3, margin=30.0, unit="MU",
             deviation="-0.3 MU"), "beyond"),  # 30 tolerances of an exact field, 0.1 % of the value
    (verdict(passed=False, observed=[57, 61], expected=[57.4, 61.2], margin=40.0, deviation="-0.4 MU"), "beyond"),
    (verdict(passed=False, observed=[0, 2.0], expected=[2.0, 2.0], margin=2000.0, deviation="-2 mm"), "action"),
])
def test_severity_by_margin_in_tolerances(record, expected):
    assert severity(record) == expected


def test_a_capability_whose_checks_all_pass_is_pass_with_the_count_it_rests_on():
    cell = summary_cell([check(verdicts=[verdict()] * 3), check(verdicts=[verdict()] * 2)], {})
    assert (cell.state, cell.tally, cell.brief) == ("pass", "5/5", "")


def test_some_right_some_wrong_is_partial_and_shows_the_worst_miss_in_its_unit():
    beyond = verdict(key="dvh.Sphere.D95_gy", passed=False, observed=59.0, expected=61.6, margin=1.4,
                     deviation="-2.6 Gy, -4.2 %")
    action = verdict(key="dvh.Sphere.D99_gy", passed=False, observed=0.0, expected=59.8, margin=33.0,
                     deviation="-59.8 Gy, -100.0 %")
    cell = summary_cell([check("fail", [verdict(), beyond, action], capability="dvh")], {"c": (("F3", "f3"),)})
    assert (cell.state, cell.tally, cell.brief) == ("partial", "1/3", "-59.8 Gy Sphere D99")
    assert cell.worst_severity == "action" and cell.findings == (("F3", "f3"),)


def test_nothing_right_is_fail_and_a_crash_after_right_values_is_fail_too():
    wrong = verdict(passed=False, observed=None, margin=None)
    assert summary_cell([check("fail", [wrong, wrong])], {}).brief == "2 not reported"
    assert summary_cell([check("fail", [wrong, wrong])], {}).state == "fail"
    crashed = summary_cell([check("fail", [verdict(), verdict()])], {})
    assert crashed.state == "fail" and crashed.tally == "2/2"


@pytest.mark.parametrize(("statuses", "state"), [(("skip",), "not tested"), (("unavailable",), "not tested"),
                                                  (("skip", "error"), "error")])
def test_checks_that_did_not_run_are_not_tested_or_an_error_never_a_pass(statuses, state):
    cell = summary_cell([check(s, reason=f"{s}: needs the internet; this machine is offline") for s in statuses], {})
    assert cell.state == state and cell.tally == ""
    assert cell.brief.startswith(("skip: needs the internet", "unavailable: needs", "error: needs"))


def test_a_row_is_as_bad_as_its_worst_cell_and_a_tool_without_checks_says_why():
    tool = ToolResult(id="t", name="T", section="s", in_source_catalogue=True, backend="debian",
                      install=InstallResult(status="pass"),
                      checks=[check(verdicts=[verdict()]), check("fail", [verdict(), verdict(passed=False, margin=2.0)],
                                                                  capability="dvh", id="dvh")])
    [row] = summary_rows([tool], {"t": "tool-t"}, {}, {("t", "dvh"): Trend("regression", ())})
    assert row.state == "partial" and row.cells["dvh"].trend == "regression" and row.cells["read-rtdose"].trend == ""
    offline = tool.model_copy(update={"checks": [], "install": InstallResult(status="skip", reason="offline")})
    assert summary_rows([offline], {"t": "tool-t"}, {})[0].state == "not tested"


def test_numbers_are_rounded_to_what_their_tolerance_makes_meaningful():
    assert rounded(1426.6544146480014, "0.2 %", 1426.6544) == 1426.7
    assert rounded(61.648409, "1.85 Gy", 61.648409) == 61.6
    assert rounded(0.30000000000000004, "0.001 mm", 0.3) == 0.3
    assert rounded([61.2, 57.40000001], "0.01 MU", [61.2, 57.4]) == [61.2, 57.4]
    assert rounded("HFS", "", "HFS") == "HFS"


def test_a_factor_reads_as_a_factor_and_a_quantity_as_its_name_and_unit():
    unscaled = verdict(passed=False, observed=12970000, expected=129.7, margin=9999900.0, deviation="x 1e+05")
    assert physical(unscaled) == "dose max: 12970000 Gy, expected 129.7 Gy"
    assert physical(verdict(key="rtstruct.roi.Sphere.volume_cc", observed=None, passed=False)) == \
        "Sphere volume not reported"
    assert short_key("dvh.PTV.1.D0.03cc_gy") == "PTV.1 D0.03cc" and short_key("dvh.Cone.V70gy_pct") == "Cone V70Gy"
    # a percentage is written against its number, a count has no unit
    assert physical(verdict(key="dvh.Cone.V70gy_pct", passed=False, observed=95.5, expected=99.0, unit="%")) == \
        "Cone V70Gy: 95.5%, expected 99%"
    assert physical(verdict(key="ct.rows", passed=False, observed=100, expected=120, unit="")) == \
        "CT rows: 100, expected 120"
    # both values rounded to the tolerance, as the report prints them
    assert physical(verdict(key="dvh.Sphere.D95_gy", passed=False, observed=61.648409, expected=63.351234,
                            tolerance="1.85 Gy")) == "Sphere D95: 61.6 Gy, expected 63.4 Gy"


def test_one_crash_is_one_line_with_the_count_of_quantities_it_hid():
    missing = [verdict(key=f"dvh.S.D{n}_gy", passed=False, observed=None, margin=None,
                       message=f"dvh.S.D{n}_gy not reported") for n in range(32)]
    rows = verdict_rows([verdict(), *missing, verdict()])
    assert [r.hidden for r in rows] == [0, 31, 0]
    assert rows[1].severity == "missing"


def test_a_reason_in_a_cell_is_its_first_clause_cut_at_a_word():
    assert short_reason("needs the internet to download the tool; this machine is offline") == \
        "needs the internet to download the tool"
    cut = short_reason("proprietary and needs a licensed Varian Eclipse installation on Windows with COM", 40)
    assert cut == "proprietary and needs a licensed Varian …" and len(cut) <= 42


def test_changes_since_the_previous_run_name_the_check_and_both_statuses():
    tool = ToolResult(id="t", name="T", version="2", section="s", in_source_catalogue=True, backend="debian",
                      install=InstallResult(status="pass"), checks=[check("fail", id="dvh"), check(id="same")])
    trends = {("t", "dvh"): Trend("regression", (("a", "pass"), ("b", None), ("c", "fail"))),
              ("t", "same"): Trend("pass", (("a", "pass"), ("c", "pass")))}
    [change] = changes(trends, [tool], {"t": "tool-t"})
    assert (change.tool, change.check, change.before, change.now, change.kind) == ("T 2", "dvh", "pass", "fail",
                                                                                   "regression")


def test_a_headline_names_the_tools_and_the_worst_value_in_physical_terms():
    from harness.judging.findings import by_id
    from harness.report.findings import FindingView, Occurrence

    declaration = by_id()["dose-grid-scaling-not-applied"]
    wrong = verdict(passed=False, observed=12970000, expected=129.7, margin=9999900.0, deviation="x 1e+05")
    tool = ToolResult(id="imagej", name="ImageJ", version="1.53t", section="s", in_source_catalogue=True,
                      backend="debian", install=InstallResult(status="pass"))
    finding = FindingView(1, declaration, [Occurrence(tool, check("fail", [wrong]), ("dose.max_gy",), "x")])
    [line] = headlines([finding])
    assert line.tools == "ImageJ 1.53t" and line.severity == "action" and line.values == 1
    assert line.worst == "dose max: 12970000 Gy, expected 129.7 Gy (x 1e+05)"


def test_the_interop_score_counts_passing_tools_among_those_judged_on_a_capability():
    from harness.report.summary import SummaryCell, SummaryRow, interop

    def row(state):
        made = SummaryRow(tool=None, anchor="")  # type: ignore[arg-type]
        made.cells["dvh"] = SummaryCell(state)
        return made

    [score] = interop([row("pass"), row("partial"), row("fail"), row("not tested"), row("error"), row("")], ["dvh"])
    assert (score.passing, score.tested, score.text) == (1, 3, "1/3")


def test_one_passing_and_one_failing_check_of_a_capability_is_partial_never_pass():
    wrong = verdict(passed=False, observed=131.0, margin=9.99, deviation="+1.3 Gy")
    cell = summary_cell([check(verdicts=[verdict(), verdict()], id="a"), check("fail", [wrong], id="b")], {})
    assert (cell.state, cell.tally) == ("partial", "2/3")


def test_a_cell_whose_only_check_is_xfail_is_judged_not_untested():
    wrong = verdict(passed=False, observed=131.0, margin=9.99, deviation="+1.3 Gy")
    cell = summary_cell([check("xfail", [wrong, wrong])], {})
    assert cell.state == "fail" and cell.tally == "0/2"


def test_a_pass_beside_an_xfail_is_not_a_pass():
    wrong = verdict(passed=False, observed=131.0, margin=9.99, deviation="+1.3 Gy")
    cell = summary_cell([check(verdicts=[verdict()], id="a"), check("xfail", [wrong], id="b")], {})
    assert cell.state == "partial"


@pytest.mark.parametrize(("history", "listed"), [
    (("pass", "fail", "pass"), ("fail", "pass")),  # a recovery is news
    (("pass", "fail", "fail"), None),              # nothing changed since the previous run
    (("fail", None, "pass"), ("fail", "pass")),    # a run in which the check did not run is skipped
])
def test_since_the_previous_run_compares_with_the_latest_run_before_this_one(history, listed):
    now = history[-1]
    tool = ToolResult(id="t", name="T", version="2", section="s", in_source_catalogue=True, backend="debian",
                      install=InstallResult(status="pass"), checks=[check(now, id="dvh")])
    trends = {("t", "dvh"): Trend("flaky", tuple((f"run{i}", s) for i, s in enumerate(history)))}
    found = [(c.before, c.now) for c in changes(trends, [tool], {"t": "tool-t"})]
    assert found == ([listed] if listed else [])


def test_a_list_is_shown_whole_whatever_the_length_of_the_expected_list():
    wrong = verdict(key="dicompyler.plugins_not_loaded", passed=False, observed=["2dview"], expected=[], unit="",
                    tolerance="exact")
    assert physical(wrong) == "dicompyler plugins not loaded: ['2dview'], expected none (an empty list)"
    assert rounded([1.23456, 2.0], "0.01 mm", [1.0, 2.0]) == [1.235, 2.0]


def test_a_share_alone_as_tolerance_also_says_what_it_allows_in_the_unit():
    from harness.report.summary import tolerance_text

    assert tolerance_text(verdict(key="dose.scaling", expected=1e-5, tolerance="1e-07 %")) == "1e-07 % (1e-14 Gy)"
    assert tolerance_text(verdict(tolerance="1 % or 0.01 Gy")) == "1 % or 0.01 Gy"
    assert tolerance_text(verdict(expected=[1.0, 2.0], tolerance="1 %")) == "1 %"
    assert tolerance_text(verdict(unit="%", expected=50.0, tolerance="1 %")) == "1 %"
