"""Verdicts compare observations with the truth under tolerances, recognise named
conventions, are type-strict, and explain themselves."""

from __future__ import annotations

import pytest

from harness.judging.judge import (
    Alternative,
    Context,
    JudgeError,
    Quantity,
    compare,
    describe_deviation,
    judge,
    looser_tolerances,
    parse_observations,
)
from harness.manifest import Check, Tolerance

THREE_PERCENT = Tolerance(rel=0.03)


def quantity(value, tolerance=THREE_PERCENT, unit="Gy", key="dvh.Sphere.D95_gy", **kwargs):
    return Quantity(key, value, tolerance, unit, **kwargs)


def test_a_value_within_tolerance_passes_and_says_by_how_much():
    verdict = compare("dvh.Sphere.D95_gy", 60.1, quantity(61.25), THREE_PERCENT)
    assert verdict.outcome == "pass" and verdict.passed
    assert verdict.message == "dvh.Sphere.D95_gy 60.1 Gy vs 61.25 Gy (-1.15 Gy, -1.9 %, tolerance 3 %)"


def test_a_verdict_keeps_observed_and_expected_apart():
    verdict = compare("dvh.Sphere.D95_gy", 58.0, quantity(61.25), THREE_PERCENT)
    assert (verdict.observed, verdict.expected) == (58.0, 61.25)


def test_a_value_outside_tolerance_fails():
    verdict = compare("k", 58.0, quantity(61.25), THREE_PERCENT)
    assert verdict.outcome == "fail" and not verdict.passed


def test_three_percent_means_three_percent():
    assert compare("k", 100.0 * 1.0299, quantity(100.0), THREE_PERCENT).passed
    assert not compare("k", 100.0 * 1.0301, quantity(100.0), THREE_PERCENT).passed


def test_either_bound_suffices_when_both_are_given():
    both = Tolerance(abs=3.0, rel=0.03)
    assert compare("k", 55.5, quantity(58.0, both), both).passed  # 2.5 Gy: inside abs, outside rel
    assert not compare("k", 54.9, quantity(58.0, both), both).passed


def test_strings_compare_without_dicom_padding_but_case_sensitive():
    label = Quantity("plan.label", "TREATMENT", Tolerance(abs=0))
    assert compare("plan.label", "TREATMENT ", label, label.tolerance).passed
    assert not compare("plan.label", "TREAT", label, label.tolerance).passed
    assert not compare("plan.label", "treatment", label, label.tolerance).passed


def test_lists_compare_element_by_element_and_name_the_wrong_element():
    spacing = Quantity("ct.pixel_spacing_mm", [1.0, 1.0], Tolerance(abs=0.001), "mm")
    verdict = compare("ct.pixel_spacing_mm", [1.0, 1.2], spacing, spacing.tolerance)
    assert not verdict.passed and "ct.pixel_spacing_mm[1]" in verdict.message


@pytest.mark.parametrize("observed", [[1.0], [1.0, 1.0, 1.0], 1.0, "1.0, 1.0"])
def test_a_list_of_the_wrong_length_or_kind_fails(observed):
    spacing = Quantity("ct.pixel_spacing_mm", [1.0, 1.0], Tolerance(abs=0.001), "mm")
    assert not compare("ct.pixel_spacing_mm", observed, spacing, spacing.tolerance).passed


@pytest.mark.parametrize("observed", ["seventy", True, None, float("nan"), float("inf"), 10 ** 400, [70.0]])
def test_only_a_finite_number_can_match_a_number(observed):
    verdict = compare("k", observed, quantity(70.0), THREE_PERCENT)
    assert not verdict.passed


@pytest.mark.parametrize(("expected", "observed"), [(True, 1), (1, True), (False, 0), ("5", 5), (5, "5"),
                                                    (True, "true")])
def test_exact_expectations_are_type_strict(expected, observed):
    check = make_check(judge=[], expect={"k": expected})
    (verdict,) = judge(check, {}, {"k": observed})
    assert not verdict.passed


def test_an_exact_expectation_of_the_right_type_passes():
    check = make_check(judge=[], expect={"ok": True, "status": 200, "name": "x"})
    verdicts = judge(check, {}, {"ok": True, "status": 200, "name": "x"})
    assert [v.passed for v in verdicts] == [True, True, True]


def make_check(**kwargs) -> Check:
    return Check(id="c", capability="dvh", program="p.py", **{"judge": ["dvh.*"], **kwargs})


def test_an_unreported_quantity_fails_and_carries_the_tools_error():
    truth = {"dvh.Sphere.D95_gy": quantity(61.25)}
    (verdict,) = judge(make_check(), truth, {"_errors": {"dvh.Sphere": "ZeroDivisionError"}})
    assert not verdict.passed
    assert verdict.message == "dvh.Sphere.D95_gy not reported: ZeroDivisionError"


def test_optional_quantities_are_judged_only_when_reported():
    truth = {"dvh.Sphere.D95_gy": quantity(61.25)}
    check = make_check(optional=["dvh.*"])
    assert judge(check, truth, {}) == []
    (wrong,) = judge(check, truth, {"dvh.Sphere.D95_gy": 40.0})
    assert not wrong.passed
    (right,) = judge(check, truth, {"dvh.Sphere.D95_gy": 61.0})
    assert right.passed


def test_a_manifest_tolerance_may_tighten_the_truths():
    truth = {"dvh.Sphere.D95_gy": quantity(61.25)}
    check = make_check(tolerances={"dvh.*": Tolerance(rel=0.01)})
    (verdict,) = judge(check, truth, {"dvh.Sphere.D95_gy": 60.0})
    assert not verdict.passed and "tolerance 1 %" in verdict.message
    assert looser_tolerances(check, truth) == []


def test_a_manifest_tolerance_looser_than_the_truths_is_named():
    truth = {"dvh.Sphere.D95_gy": quantity(61.25)}
    check = make_check(tolerances={"dvh.*": Tolerance(rel=0.10)})
    assert looser_tolerances(check, truth) == [("dvh.*", "dvh.Sphere.D95_gy")]


def test_a_judge_pattern_that_names_no_quantity_is_refused():
    truth = {"rtstruct.roi.Sphere.volume_cc": quantity(7.2, unit="cm3", key="rtstruct.roi.Sphere.volume_cc")}
    with pytest.raises(JudgeError, match="rtstruct.roi.\\*.volume'"):
        judge(make_check(judge=["rtstruct.roi.*.volume"]), truth, {})


def volume(value=10.853, no_end_caps=9.949):
    return Quantity("rtstruct.roi.CylinderSI.volume_cc", value, Tolerance(rel=0.03), "cm3",
                    alternatives=(Alternative("no-end-caps", no_end_caps, Tolerance(rel=0.03)),))


def test_a_value_matching_a_declared_convention_is_its_own_outcome():
    declared = Context(declared={"no-end-caps": "tool.py"})
    verdict = compare(volume().key, 9.95, volume(), volume().tolerance, declared)
    assert verdict.outcome == "convention" and verdict.convention == "no-end-caps"
    assert verdict.passed and verdict.expected == 10.853
    assert "under convention no-end-caps (declared: tool.py)" in verdict.message


def test_a_value_matching_an_undeclared_convention_fails():
    verdict = compare(volume().key, 9.95, volume(), volume().tolerance)
    assert verdict.outcome == "fail" and verdict.convention is None


def test_the_truth_itself_takes_precedence_over_a_convention():
    verdict = compare(volume().key, 10.8, volume(), volume().tolerance)
    assert verdict.outcome == "pass" and verdict.convention is None


def test_a_value_matching_no_convention_fails():
    verdict = compare(volume().key, 9.0, volume(), volume().tolerance)
    assert verdict.outcome == "fail" and verdict.convention is None


def extreme():
    return Quantity("dvh.Cone.min_gy", 90.4, Tolerance(abs=3.3), "Gy", bin_convention=True)


def test_a_dvh_extreme_within_half_the_reported_bin_matches_the_histogram_bin_convention():
    verdict = compare("dvh.Cone.min_gy", 93.75, extreme(), extreme().tolerance, Context(bin_width=0.2))
    assert verdict.outcome == "convention" and verdict.convention == "histogram-bin"


def test_without_a_reported_bin_the_same_value_fails():
    assert compare("dvh.Cone.min_gy", 93.75, extreme(), extreme().tolerance, Context()).outcome == "fail"


def test_the_histogram_bin_convention_does_not_reach_beyond_half_a_bin():
    assert compare("dvh.Cone.min_gy", 93.85, extreme(), extreme().tolerance, Context(bin_width=0.2)).outcome == "fail"


def test_a_reported_bin_width_beyond_the_cap_is_ignored():
    observed = {"dvh.Cone.min_gy": 95.0, "dvh.bin_width_gy": 5.0}
    (verdict,) = judge(make_check(), {"dvh.Cone.min_gy": extreme()}, observed)
    assert verdict.outcome == "fail"


def test_a_declared_synonym_of_a_dicom_code_string_passes_and_says_so():
    units = Quantity("dose.units", "GY", Tolerance(abs=0))
    verdict = compare("dose.units", "GRAYS", units, units.tolerance)
    assert verdict.passed and "declared synonym" in verdict.message
    assert not compare("dose.units", "grays", units, units.tolerance).passed
    assert not compare("dose.units", "CGY", units, units.tolerance).passed


def test_synonyms_hold_only_for_the_keys_they_are_declared_for():
    label = Quantity("plan.label", "GY", Tolerance(abs=0))
    assert not compare("plan.label", "GRAYS", label, label.tolerance).passed


def test_a_factor_of_ten_or_more_reads_as_a_factor():
    assert describe_deviation(13000000.0, 130.0, "Gy") == "x 1e+05"
    assert describe_deviation(59.0, 61.25, "Gy") == "-2.25 Gy, -3.7 %"
    assert describe_deviation(84.0, 82.0, "%") == "+2.00 percentage points"
    assert describe_deviation(3.3, 3.4, "cm3") == "-2.94 %"


def test_observations_are_the_last_json_object_line_amid_noise():
    stdout = 'Octave says hello\n{"a": 1}\nwarning: something\n{"dvh.x": 2}\nbye\n'
    assert parse_observations(stdout) == {"dvh.x": 2}


def test_no_json_object_means_no_observations():
    assert parse_observations("[1, 2]\nnot json {\n") is None


def test_a_malformed_last_object_line_gives_way_to_the_valid_one_before_it():
    assert parse_observations('{"dvh.x": 2}\n{"dvh.x": oops}\n') == {"dvh.x": 2}
    assert parse_observations('{"dvh.x": 2}\n{"k": ' + "9" * 5000 + "}\n") == {"dvh.x": 2}


def test_an_object_nested_beyond_the_json_parsers_recursion_limit_is_no_observation():
    deep = '{"k": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert parse_observations(deep) is None
    assert parse_observations('{"dvh.x": 2}\n' + deep + "\n") == {"dvh.x": 2}


def test_an_integer_beyond_pythons_digit_limit_is_no_observation():
    assert parse_observations('{"k": ' + "9" * 5000 + "}") is None


def test_only_a_whole_line_between_braces_is_an_observation():
    assert parse_observations('{"dvh.x": 2}\n{"half": 1\n"half": 1}\n') == {"dvh.x": 2}


def percentage():
    return Quantity("dvh.CylinderSI.V79gy_pct", 9.650254, Tolerance(abs=1.46), "%")


def test_a_value_read_off_a_rounded_label_is_allowed_half_its_display_step_and_says_so():
    shown = Context(displayed_to={"dvh.*.V*gy_pct": 0.01})
    verdict = compare(percentage().key, 8.19, percentage(), percentage().tolerance, shown)
    assert verdict.outcome == "pass"
    assert "within half the 0.01 % step the tool displays it to" in verdict.message
    assert verdict.margin == pytest.approx(1.460254 / 1.465)


def test_without_a_declared_display_step_the_same_label_fails():
    verdict = compare(percentage().key, 8.19, percentage(), percentage().tolerance, Context())
    assert verdict.outcome == "fail"


def test_a_display_step_allows_no_more_than_half_a_step_beyond_the_tolerance():
    shown = Context(displayed_to={"dvh.*.V*gy_pct": 0.01})
    assert compare(percentage().key, 8.18, percentage(), percentage().tolerance, shown).outcome == "fail"


def test_a_coarse_display_step_widens_a_tolerance_by_a_tenth_of_it_at_most():
    shown = Context(displayed_to={"dvh.*.V*gy_pct": 10.0})
    assert compare(percentage().key, 8.10, percentage(), percentage().tolerance, shown).outcome == "pass"
    assert compare(percentage().key, 8.03, percentage(), percentage().tolerance, shown).outcome == "fail"


def test_a_display_step_applies_only_to_the_keys_its_pattern_names():
    shown = Context(displayed_to={"dvh.*.D*_gy": 0.01})
    assert compare(percentage().key, 8.19, percentage(), percentage().tolerance, shown).outcome == "fail"


def test_the_judge_takes_display_steps_from_the_check():
    check = make_check(displayed_to={"dvh.*.V*gy_pct": 0.01})
    (verdict,) = judge(check, {percentage().key: percentage()}, {percentage().key: 8.19})
    assert verdict.outcome == "pass"


def test_a_display_step_pattern_that_names_no_quantity_cannot_be_judged():
    check = make_check(displayed_to={"dvh.*.V*_gy": 0.01})
    with pytest.raises(JudgeError, match="displayed_to pattern 'dvh.\\*.V\\*_gy'"):
        judge(check, {percentage().key: percentage()}, {percentage().key: 8.19})
