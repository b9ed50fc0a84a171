"""Every field of a verdict, for every kind of comparison: the rules the report relies on.

A verdict's observed and expected fill the report's columns, its message is the line a
reader sees, its tolerance and unit the method section's figures: each is pinned here,
so a swapped field or a reworded comparison cannot pass unnoticed.
"""

from __future__ import annotations

import json
import math

import pytest

from harness.judging.judge import (
    Alternative,
    Context,
    JudgeError,
    Quantity,
    Verdict,
    _allowance,
    _fmt,
    _normalise,
    _show,
    compare,
    describe_deviation,
    describe_tolerance,
    judge,
    load_truth,
    looser_tolerances,
    stage_error,
)
from harness.manifest import Check, Tolerance

GY = Tolerance(abs=2.0)
MM = Tolerance(abs=0.001)
EXACT = Tolerance(abs=0)


def q(key, value, tolerance, unit="", **kwargs):
    return Quantity(key, value, tolerance, unit, **kwargs)


CASES = [
    # (quantity, observed, context, verdict)
    (q("dvh.S.D95_gy", 61.0, GY, "Gy"), 60.0, Context(),
     Verdict("dvh.S.D95_gy", "pass", 60.0, 61.0, "dvh.S.D95_gy 60 Gy vs 61 Gy (-1 Gy, -1.6 %, tolerance 2 Gy)",
             None, "2 Gy", "Gy", 0.5, "-1 Gy, -1.6 %")),
    (q("dvh.S.D95_gy", 61.0, GY, "Gy"), 58.0, Context(),
     Verdict("dvh.S.D95_gy", "fail", 58.0, 61.0, "dvh.S.D95_gy 58 Gy vs 61 Gy (-3 Gy, -4.9 %, tolerance 2 Gy)",
             None, "2 Gy", "Gy", 1.5, "-3 Gy, -4.9 %")),
    (q("ct.pixel_spacing_mm", [1.0, 1.0], MM, "mm"), [1.0, 1.0], Context(),
     Verdict("ct.pixel_spacing_mm", "pass", [1.0, 1.0], [1.0, 1.0],
             "ct.pixel_spacing_mm [1.0, 1.0] matches [1.0, 1.0]", None, "0.001 mm", "mm", 0.0)),
    (q("ct.pixel_spacing_mm", [1.0, 1.0], MM, "mm"), [1.0, 1.5], Context(),
     Verdict("ct.pixel_spacing_mm", "fail", [1.0, 1.5], [1.0, 1.0],
             "ct.pixel_spacing_mm[1] 1.5 mm vs 1 mm (+0.5 mm, tolerance 0.001 mm)", None, "0.001 mm", "mm",
             pytest.approx(500.0), "+0.5 mm")),
    (q("ct.pixel_spacing_mm", [1.0, 1.0], MM, "mm"), [1.0], Context(),
     Verdict("ct.pixel_spacing_mm", "fail", [1.0], [1.0, 1.0],
             "ct.pixel_spacing_mm [1.0] vs expected [1.0, 1.0] (length 1, expected 2)", None, "0.001 mm", "mm")),
    (q("ct.pixel_spacing_mm", [1.0, 1.0], MM, "mm"), 1.0, Context(),
     Verdict("ct.pixel_spacing_mm", "fail", 1.0, [1.0, 1.0], "ct.pixel_spacing_mm 1.0 vs expected [1.0, 1.0]",
             None, "0.001 mm", "mm")),
    (q("qa.ok", True, None), True, Context(), Verdict("qa.ok", "pass", True, True, "qa.ok true matches true", None,
                                                      "exact", "")),
    (q("qa.ok", True, None), 1, Context(), Verdict("qa.ok", "fail", 1, True, "qa.ok 1 vs expected true", None,
                                                   "exact", "")),
    (q("plan.label", "BOX", EXACT), "BOX \x00", Context(),
     Verdict("plan.label", "pass", "BOX \x00", "BOX", "plan.label 'BOX \\x00' matches 'BOX'", None, "0", "")),
    (q("plan.label", "BOX", EXACT), 5, Context(),
     Verdict("plan.label", "fail", 5, "BOX", "plan.label 5 vs expected 'BOX'", None, "0", "")),
    (q("ct.position", "HFS", EXACT, "code"), 5, Context(),
     Verdict("ct.position", "fail", 5, "HFS", "ct.position 5 vs expected 'HFS'", None, "0 code", "code")),
    (q("dose.units", "GY", EXACT), "GRAYS", Context(),
     Verdict("dose.units", "pass", "GRAYS", "GY", "dose.units 'GRAYS' is a declared synonym of 'GY'", None, "0", "")),
    (q("dose.units", "GY", EXACT, "code"), "GRAYS", Context(),  # a synonym's verdict keeps the unit
     Verdict("dose.units", "pass", "GRAYS", "GY", "dose.units 'GRAYS' is a declared synonym of 'GY'", None, "0 code",
             "code")),
    (q("dose.units", "GY", EXACT), "GY", Context(),
     Verdict("dose.units", "pass", "GY", "GY", "dose.units 'GY' matches 'GY'", None, "0", "")),
    (q("qa.ok", True, None), False, Context(), Verdict("qa.ok", "fail", False, True, "qa.ok false vs expected true",
                                                       None, "exact", "")),
    (q("dvh.V20_pct", 12.0, Tolerance(abs=1.0), "%"), 12.5, Context(),
     Verdict("dvh.V20_pct", "pass", 12.5, 12.0,
             "dvh.V20_pct 12.5% vs 12% (+0.50 percentage points, tolerance 1 percentage points)",
             None, "1 percentage points", "%", 0.5, "+0.50 percentage points")),
    (q("dose.max_gy", 130.0, Tolerance(rel=0.01), "Gy"), float("nan"), Context(),
     Verdict("dose.max_gy", "fail", pytest.approx(float("nan"), nan_ok=True), 130.0,
             "dose.max_gy NaN is not a finite number (expected 130)", None, "1 %", "Gy")),
    (q("dose.max_gy", 130.0, Tolerance(rel=0.01), "Gy"), "130", Context(),
     Verdict("dose.max_gy", "fail", "130", 130.0, "dose.max_gy '130' is not a finite number (expected 130)",
             None, "1 %", "Gy")),
    (q("k", object, EXACT, "mm"), 1, Context(),
     Verdict("k", "fail", 1, object, "k: the expected value <class 'object'> is not something the judge can compare",
             None, "0 mm", "mm")),
    (q("rtstruct.roi.C.volume_cc", 10.0, Tolerance(rel=0.02), "cm3",
       alternatives=(Alternative("no-end-caps", 9.0, Tolerance(rel=0.02)),)), 9.1,
     Context(declared={"no-end-caps": "tool.py: end planes count half"}),
     Verdict("rtstruct.roi.C.volume_cc", "convention", 9.1, 10.0,
             "rtstruct.roi.C.volume_cc 9.1 cm3 vs 9 cm3 (+1.11 %, tolerance 2 %) under convention no-end-caps "
             "(declared: tool.py: end planes count half)",
             # margin against the convention's value, deviation from the truth (the columns a reader compares)
             "no-end-caps", "2 %", "cm3", pytest.approx(0.1 / 0.18), "-9.00 %")),
    # the same value, the convention not declared: a reader's silent choice is a FAIL
    (q("rtstruct.roi.C.volume_cc", 10.0, Tolerance(rel=0.02), "cm3",
       alternatives=(Alternative("no-end-caps", 9.0, Tolerance(rel=0.02)),)), 9.1, Context(),
     Verdict("rtstruct.roi.C.volume_cc", "fail", 9.1, 10.0,
             "rtstruct.roi.C.volume_cc 9.1 cm3 vs 10 cm3 (-9.00 %, tolerance 2 %)", None, "2 %", "cm3",
             pytest.approx(0.9 / 0.2), "-9.00 %")),
    (q("dvh.C.min_gy", 90.0, Tolerance(abs=1.0), "Gy", bin_convention=True), 91.04, Context(bin_width=0.1),
     Verdict("dvh.C.min_gy", "convention", 91.04, 90.0,
             "dvh.C.min_gy 91.04 Gy vs 90 Gy (+1.04 Gy, +1.2 %, tolerance 1.05 Gy) under convention histogram-bin; "
             "within half of the tool's 0.1 Gy bin", "histogram-bin", "1.05 Gy", "Gy", pytest.approx(1.04 / 1.05),
             "+1.04 Gy, +1.2 %")),
    (q("dvh.C.D95_gy", 90.0, Tolerance(abs=1.0), "Gy", bin_convention=True, bin_share=1.0), 91.09,
     Context(bin_width=0.1),
     Verdict("dvh.C.D95_gy", "convention", 91.09, 90.0,
             "dvh.C.D95_gy 91.09 Gy vs 90 Gy (+1.09 Gy, +1.2 %, tolerance 1.1 Gy) under convention histogram-bin; "
             "within one of the tool's 0.1 Gy bin", "histogram-bin", "1.1 Gy", "Gy", pytest.approx(1.09 / 1.1),
             "+1.09 Gy, +1.2 %")),
]


@pytest.mark.parametrize(("quantity", "observed", "context", "verdict"), CASES,
                         ids=[f"{i}-{c[0].key}" for i, c in enumerate(CASES)])
def test_every_field_of_a_verdict(quantity, observed, context, verdict):
    assert compare(quantity.key, observed, quantity, quantity.tolerance, context) == verdict


def test_a_convention_needs_the_evidence_it_names():
    needs = Alternative("no-end-caps", 9.0, Tolerance(rel=0.02), requires=(("dvh.C.volume_cc", 3.0, Tolerance(rel=0.01)),))
    quantity = q("dvh.C.D95_gy", 10.0, Tolerance(rel=0.02), "Gy", alternatives=(needs,))
    declared = {"no-end-caps": "tool.py"}
    assert compare(quantity.key, 9.0, quantity, quantity.tolerance,
                   Context(observed={}, declared=declared)).outcome == "fail"
    wrong_volume = Context(observed={"dvh.C.volume_cc": 3.5}, declared=declared)
    assert compare(quantity.key, 9.0, quantity, quantity.tolerance, wrong_volume).outcome == "fail"
    right_volume = Context(observed={"dvh.C.volume_cc": 3.02}, declared=declared)
    verdict = compare(quantity.key, 9.0, quantity, quantity.tolerance, right_volume)
    assert verdict.outcome == "convention"
    assert verdict.message.endswith("(declared: tool.py; evidence: dvh.C.volume_cc 3.02)")
    undeclared = Context(observed={"dvh.C.volume_cc": 3.02})
    assert compare(quantity.key, 9.0, quantity, quantity.tolerance, undeclared).outcome == "fail"


def test_a_conventions_evidence_may_be_a_declared_synonym():
    needs = Alternative("scaled", 7000.0, Tolerance(rel=0.01), requires=(("dose.units", "GY", EXACT),))
    quantity = q("dose.max_gy", 70.0, Tolerance(rel=0.01), "Gy", alternatives=(needs,))
    grays = Context(observed={"dose.units": "GRAYS"}, declared={"scaled": "tool.py"})
    assert compare(quantity.key, 7000.0, quantity, quantity.tolerance, grays).outcome == "convention"
    cgy = Context(observed={"dose.units": "CGY"}, declared={"scaled": "tool.py"})
    assert compare(quantity.key, 7000.0, quantity, quantity.tolerance, cgy).outcome == "fail"


def test_a_value_exactly_at_the_tolerance_passes_and_just_beyond_fails():
    quantity = q("k", 100.0, Tolerance(abs=2.0), "Gy")
    assert compare("k", 102.0, quantity, quantity.tolerance).passed
    assert not compare("k", 102.0001, quantity, quantity.tolerance).passed
    assert compare("k", 98.0, quantity, quantity.tolerance).passed


@pytest.mark.parametrize(("observed", "expected", "unit", "text"), [
    (1300.0, 130.0, "Gy", "x 10"), (1299.0, 130.0, "Gy", "+1.17e+03 Gy, +899.2 %"), (13.0, 130.0, "Gy", "x 0.1"),
    (14.0, 130.0, "Gy", "-116 Gy, -89.2 %"), (0.0, 130.0, "Gy", "-130 Gy, -100.0 %"), (1.0, 0.0, "Gy", "+1 Gy"),
    (10.5, 10.0, "cm3", "+5.00 %"), (1.0, 0.0, "cm3", "+1 cm3"), (52.0, 50.0, "%", "+2.00 percentage points"),
    (2.2, 2.0, "mm", "+0.2 mm"), (161, 160, "", "+1"), (-20.0, 2.0, "Gy", "x -10"),
])
def test_deviations_read_as_a_physicist_reads_them(observed, expected, unit, text):
    assert describe_deviation(observed, expected, unit) == text


@pytest.mark.parametrize(("tolerance", "unit", "text"), [
    (None, "Gy", "exact"), (Tolerance(rel=0.03), "Gy", "3 %"), (Tolerance(abs=1.5), "Gy", "1.5 Gy"),
    (Tolerance(abs=2.0), "%", "2 percentage points"), (Tolerance(abs=0), "", "0"),
    (Tolerance(abs=0.01, rel=0.01), "Gy", "1 % or 0.01 Gy")])
def test_tolerances_are_described_with_their_unit(tolerance, unit, text):
    assert describe_tolerance(tolerance, unit) == text


def test_the_allowance_of_a_list_is_taken_from_its_largest_number():
    assert _allowance(Tolerance(rel=0.1), [1.0, -30.0, "x"]) == pytest.approx(3.0)
    assert _allowance(Tolerance(rel=0.1, abs=0.5), [1.0]) == 0.5
    assert _allowance(None, 5.0) == 0.0
    assert _allowance(Tolerance(rel=0.1), ["x"]) == 0.0


def test_shown_values_are_cut_at_their_limit():
    assert _show("x" * 78) == repr("x" * 78)
    assert _show("x" * 79) == repr("x" * 79)[:77] + "..."
    assert len(_show(list(range(100)))) == 80 and _show(list(range(100))).endswith("...")
    assert _show([1, 2]) == "[1, 2]"
    assert _fmt(10 ** 23) == str(10 ** 23) and _fmt(10 ** 24) == str(10 ** 24)[:21] + "..."
    assert _fmt(1.23456) == "1.235"


def test_only_trailing_padding_is_normalised():
    assert _normalise("TREATMENT \x00") == "TREATMENT"
    assert _normalise(" LEAD") == " LEAD"
    assert _normalise("XX") == "XX" and _normalise(5) == 5


def test_a_stage_error_is_the_last_line_of_the_stage_the_key_belongs_to():
    errors = {"ct": "ok", "dvh.Sphere": "Traceback (most recent call last):\n  ...\nZeroDivisionError: x\n\n"}
    assert stage_error(errors, "dvh.Sphere.D95_gy") == "ZeroDivisionError: x"
    assert stage_error({"import": "interp3 failed"}, "dose.max_gy") is None
    assert stage_error({"volume": "bad"}, "rtstruct.roi.Sphere.volume_cc") == "bad"
    assert stage_error({"dvh": ""}, "dvh.x") == ""
    assert stage_error({"dvh": "y" * 400}, "dvh.x") == "y" * 297 + "..."


def test_a_stage_error_attaches_by_whole_dotted_parts_and_by_the_capability_it_names():
    assert stage_error({"ct": "CT reader crashed"}, "rtstruct.roi_count") is None
    assert stage_error({"ct": "CT reader crashed"}, "ct.rows") == "CT reader crashed"
    assert stage_error({"Sphere": "no contour"}, "dvh.Sphere.D95_gy") == "no contour"
    assert stage_error({"Sphere": "no contour"}, "dvh.Spheres.D95_gy") is None
    assert stage_error({"read-ct": "TODO: not written yet"}, "ct.image_count") == "TODO: not written yet"
    assert stage_error({"read-rtdose": "no reader"}, "dose.max_gy") == "no reader"
    assert stage_error({"read-rtdose": "no reader"}, "ct.rows") is None


def test_a_multi_line_error_keeps_its_first_line_and_a_traceback_its_exception():
    assert stage_error({"dose": "Error: cannot read RD.dcm\n  hint: the frame count is 0"}, "dose.max_gy") == (
        "Error: cannot read RD.dcm / hint: the frame count is 0")
    check = Check(id="c", capability="read-ct", program="p.py", judge=["ct.rows"])
    truth = {"ct.rows": q("ct.rows", 120, GY)}
    (verdict,) = judge(check, truth, {"_errors": {"ct.rows": "Traceback (most recent call last):\n  File x\n"
                                                             "ValueError: bad rows"}})
    assert verdict.message == "ct.rows not reported: ValueError: bad rows"


def test_a_missing_quantity_carries_its_tolerance_and_unit():
    check = Check(id="c", capability="dvh", program="p.py", judge=["dvh.*"])
    truth = {"dvh.S.D95_gy": q("dvh.S.D95_gy", 61.0, GY, "Gy")}
    (verdict,) = judge(check, truth, {"_errors": {"dvh.S.D95_gy": "no DVH"}})
    assert verdict == Verdict("dvh.S.D95_gy", "fail", None, 61.0, "dvh.S.D95_gy not reported: no DVH", None,
                              "2 Gy", "Gy")


def test_the_judge_takes_a_conventions_evidence_from_the_tools_other_observations():
    needs = Alternative("no-end-caps", 9.0, Tolerance(rel=0.02), requires=(("dvh.C.volume_cc", 3.0, Tolerance(rel=0.01)),))
    check = Check(id="c", capability="dvh", program="p.py", judge=["dvh.C.D95_gy"],
                  conventions={"no-end-caps": "tool.py: the DVH ends at the end contours"})
    truth = {"dvh.C.D95_gy": q("dvh.C.D95_gy", 10.0, Tolerance(rel=0.02), "Gy", alternatives=(needs,))}
    (with_evidence,) = judge(check, truth, {"dvh.C.D95_gy": 9.0, "dvh.C.volume_cc": 3.02})
    assert (with_evidence.outcome, with_evidence.convention) == ("convention", "no-end-caps")
    (without,) = judge(check, truth, {"dvh.C.D95_gy": 9.0})
    assert without.outcome == "fail"
    undeclared = check.model_copy(update={"conventions": {}})
    (silent,) = judge(undeclared, truth, {"dvh.C.D95_gy": 9.0, "dvh.C.volume_cc": 3.02})
    assert silent.outcome == "fail"


def test_a_list_is_judged_by_its_element_furthest_out_and_says_how_many_are_out():
    quantity = q("plan.beam_meterset_mu", [61.2, 57.4, 63.8, 55.9], Tolerance(abs=0.01), "MU")
    verdict = compare("plan.beam_meterset_mu", [61, 57, 64, 56], quantity, quantity.tolerance)
    assert not verdict.passed
    assert verdict.message == ("plan.beam_meterset_mu[1] 57 MU vs 57.4 MU (-0.4 MU, tolerance 0.01 MU)"
                               " (4 of 4 elements wrong)")
    assert verdict.deviation == "-0.4 MU" and verdict.margin == pytest.approx(40.0)


def test_a_program_that_finds_the_testbed_incomplete_makes_an_error_row_never_a_verdict():
    from harness.judging.outcome import conclude
    from harness.results import ProcessFacts

    check = Check(id="c", capability="read-ct", program="p.py", judge=["ct.rows"])
    truth = {"ct.rows": q("ct.rows", 4, EXACT)}
    facts = ProcessFacts(returncode=0, duration=1.0)
    result = conclude(check, truth, facts, {"ct.rows": 4, "_testbed": "this checkout lacks\n lib/x.so"})
    assert (result.status, result.reason, result.verdicts) == ("error", "testbed: this checkout lacks lib/x.so", [])
    for blank in ("", "  ", None, 1):
        assert conclude(check, truth, facts, {"ct.rows": 4, "_testbed": blank}).status == "pass"


def test_a_manifest_expectation_is_judged_exactly_under_its_own_key():
    check = Check(id="c", capability="read-ct", program="p.py", judge=["qa.rows"], expect={"qa.status": 200},
                  tolerances={"qa.*": Tolerance(abs=0)})
    truth = {"qa.rows": q("qa.rows", 4, EXACT)}
    verdicts = judge(check, truth, {"qa.rows": 4, "qa.status": 200})
    assert verdicts[1] == Verdict("qa.status", "pass", 200, 200, "qa.status 200 vs 200 (+0, tolerance 0)", None,
                                  "0", "", 0.0, "+0")


@pytest.mark.parametrize(("width", "outcome"), [(0.1, "convention"), (0.11, "fail"), (0.0, "fail"),
                                                (float("inf"), "fail"), ("0.1", "fail"), (None, "fail")])
def test_the_judge_credits_a_reported_bin_width_of_at_most_a_tenth_of_a_gray(width, outcome):
    check = Check(id="c", capability="dvh", program="p.py", judge=["dvh.C.min_gy"])
    truth = {"dvh.C.min_gy": q("dvh.C.min_gy", 90.0, Tolerance(abs=1.0), "Gy", bin_convention=True)}
    observed = {"dvh.C.min_gy": 91.05} | ({} if width is None else {"dvh.bin_width_gy": width})
    (verdict,) = judge(check, truth, observed)
    assert verdict.outcome == outcome


def test_a_list_with_two_elements_out_counts_them_and_a_non_number_speaks_first():
    quantity = q("plan.beam_meterset_mu", [61.2, 57.4, 63.8], Tolerance(abs=0.5), "MU")
    two = compare(quantity.key, [61.2, 50.0, 70.0], quantity, quantity.tolerance)
    assert two.message == "plan.beam_meterset_mu[1] 50 MU vs 57.4 MU (-7.4 MU, tolerance 0.5 MU) (2 of 3 elements wrong)"
    text = compare(quantity.key, [61.2, "x", 70.0], quantity, quantity.tolerance)
    assert text.message.startswith("plan.beam_meterset_mu[1] 'x' is not a finite number")
    assert text.margin is None


def test_an_optional_key_left_out_does_not_stop_the_keys_after_it_being_judged():
    check = Check(id="c", capability="dvh", program="p.py", judge=["dvh.*"], optional=["dvh.A.*"])
    truth = {"dvh.A.D95_gy": q("dvh.A.D95_gy", 60.0, GY, "Gy"), "dvh.B.D95_gy": q("dvh.B.D95_gy", 61.0, GY, "Gy")}
    (verdict,) = judge(check, truth, {"_errors": {}})
    assert (verdict.key, verdict.message) == ("dvh.B.D95_gy", "dvh.B.D95_gy not reported")


def test_a_read_from_key_takes_its_named_observation_and_the_rest_stay():
    check = Check(id="c", capability="read-ct", program="p.py", judge=["ct.rows", "ct.cols"],
                  read_from={"ct.rows": "ct.rows_displayed"})
    truth = {"ct.rows": q("ct.rows", 4, EXACT), "ct.cols": q("ct.cols", 5, EXACT)}
    verdicts = judge(check, truth, {"ct.rows": 9, "ct.rows_displayed": 4, "ct.cols": 5})
    assert [(v.key, v.observed, v.outcome) for v in verdicts] == [("ct.rows", 4, "pass"), ("ct.cols", 5, "pass")]


def test_a_later_convention_is_tried_when_an_earlier_one_lacks_its_evidence():
    unproven = Alternative("scaled", 6000.0, Tolerance(rel=0.01), requires=(("dose.units", "CGY", EXACT),))
    proven = Alternative("no-end-caps", 59.0, Tolerance(rel=0.01))
    quantity = q("dvh.C.D95_gy", 60.0, Tolerance(rel=0.001), "Gy", alternatives=(unproven, proven))
    declared = {"scaled": "tool.py", "no-end-caps": "tool.py"}
    verdict = compare(quantity.key, 59.1, quantity, quantity.tolerance, Context(observed={}, declared=declared))
    assert (verdict.outcome, verdict.convention) == ("convention", "no-end-caps")


def test_half_a_bin_widens_a_relative_tolerance_taken_at_the_truths_value():
    # 1 % of 60 Gy is 0.6 Gy; half the 1 Gy bin adds 0.5 Gy: 1.1 Gy in all
    quantity = q("dvh.C.max_gy", 60.0, Tolerance(rel=0.01), "Gy", bin_convention=True)
    binned = compare(quantity.key, 61.0, quantity, quantity.tolerance, Context(bin_width=1.0))
    assert (binned.outcome, binned.tolerance) == ("convention", "1.1 Gy")
    assert compare(quantity.key, 61.2, quantity, quantity.tolerance, Context(bin_width=1.0)).outcome == "fail"


@pytest.mark.parametrize(("observed", "expected", "passed", "margin_"), [
    (1e-12, 0.0, True, 0.0),            # at the rounding allowance: a pass
    (1.0 + 1.5e-12, 1.0, False, math.inf),  # the allowance is 1e-12 for values up to 1
    (1e6 + 1e-7, 1e6, True, 0.0),        # and 1e-12 of the value beyond: float rounding of a large number
    (1e6 + 1e-5, 1e6, False, math.inf),
])
def test_an_exact_expectation_allows_float_rounding_and_nothing_more(observed, expected, passed, margin_):
    quantity = q("k", expected, EXACT, "")
    verdict = compare("k", observed, quantity, EXACT)
    assert (verdict.passed, verdict.margin) == (passed, margin_)


def test_an_error_filed_under_the_key_itself_comes_before_its_stages():
    check = Check(id="c", capability="dvh", program="p.py", judge=["dvh.*"])
    truth = {"dvh.S.D95_gy": q("dvh.S.D95_gy", 61.0, GY, "Gy")}
    errors = {"dvh": "the DVH stage failed", "dvh.S.D95_gy": "no D95 for an empty structure"}
    (verdict,) = judge(check, truth, {"_errors": errors})
    assert verdict.message == "dvh.S.D95_gy not reported: no D95 for an empty structure"


def test_two_unmatched_patterns_are_named_together():
    check = Check(id="c", capability="dvh", program="p.py", judge=["dvh.*", "ct.*"], optional=["qa.*"])
    with pytest.raises(JudgeError) as raised:
        judge(check, {"dvh.S.D95_gy": q("dvh.S.D95_gy", 61.0, GY, "Gy")}, {})
    assert str(raised.value) == ("judge pattern 'ct.*' matches no quantity of the truth; "
                                 "optional pattern 'qa.*' matches no quantity of the truth")


@pytest.mark.parametrize(("manifest", "looser"), [
    (Tolerance(abs=0.5), False),   # the truth's own tolerance is not looser than itself
    (Tolerance(abs=0.9), True),    # widened by less than a unit is still widened
    (Tolerance(rel=0.01), True),   # 1 % of 60 Gy is 0.6 Gy
    (Tolerance(abs=0.4), False),
])
def test_a_manifest_tolerance_is_looser_only_when_it_allows_more(manifest, looser):
    check = Check(id="c", capability="dvh", program="p.py", judge=["dvh.*"], tolerances={"dvh.*": manifest})
    truth = {"dvh.S.D95_gy": q("dvh.S.D95_gy", 60.0, Tolerance(abs=0.5), "Gy")}
    assert looser_tolerances(check, truth) == ([("dvh.*", "dvh.S.D95_gy")] if looser else [])


def test_a_truth_quantity_is_read_with_its_conventions_and_the_histogram_bin_only_where_declared(tmp_path):
    (tmp_path / "truth.json").write_text(json.dumps({"quantities": {
        "dvh.C.max_gy": {"value": 60.0, "tolerance": {"abs": 0.5}, "unit": "Gy",
                         "conventions": {"histogram-bin": {"why": "a histogram reports its bin"}}},
        "dvh.C.D95_gy": {"value": 58.0, "tolerance": {"abs": 0.5}, "unit": "Gy", "note": "not read",
                         "conventions": {"no-end-caps": {"value": 57.0, "tolerance": {"rel": 0.01},
                                                         "requires": {"dvh.C.volume_cc": {"value": 3.0, "tolerance": {"rel": 0.02}},
                                                                      "dose.units": {"value": "GY"}}}}},
        "ct.rows": {"value": 4},
    }}))
    truth = load_truth(tmp_path)
    assert truth["dvh.C.max_gy"] == q("dvh.C.max_gy", 60.0, Tolerance(abs=0.5), "Gy", bin_convention=True)
    assert truth["dvh.C.D95_gy"] == q("dvh.C.D95_gy", 58.0, Tolerance(abs=0.5), "Gy", alternatives=(
        Alternative("no-end-caps", 57.0, Tolerance(rel=0.01), requires=(("dvh.C.volume_cc", 3.0, Tolerance(rel=0.02)), ("dose.units", "GY", None))),))
    assert truth["ct.rows"] == q("ct.rows", 4, None)


def test_a_truth_that_cannot_be_read_is_named_with_why(tmp_path):
    from harness.judging.judge import TruthError

    (tmp_path / "truth.json").write_text('{"quantities": [')
    with pytest.raises(TruthError) as unreadable:
        load_truth(tmp_path)
    assert str(unreadable.value).startswith(f"{tmp_path / 'truth.json'}: cannot read the truth: ")
