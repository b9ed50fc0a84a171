"""Verdicts compare observations with the truth under tolerances and explain themselves."""

from __future__ import annotations

from harness.judge import Quantity, compare, judge, parse_observations
from harness.manifest import Check, Tolerance

THREE_PERCENT = Tolerance(rel=0.03)


def quantity(value, tolerance=THREE_PERCENT, unit="Gy", key="dvh.Sphere.D95_gy"):
    return Quantity(key, value, tolerance, unit)


def test_a_value_within_tolerance_passes_and_says_by_how_much():
    verdict = compare("dvh.Sphere.D95_gy", 60.1, quantity(61.25), THREE_PERCENT)
    assert verdict.passed
    assert verdict.message == "dvh.Sphere.D95_gy 60.1 Gy vs 61.25 Gy (-1.9 %, tolerance 3 %)"


def test_a_value_outside_tolerance_fails():
    assert not compare("k", 58.0, quantity(61.25), THREE_PERCENT).passed


def test_either_bound_suffices_when_both_are_given():
    both = Tolerance(abs=3.0, rel=0.03)
    assert compare("k", 55.5, quantity(58.0, both), both).passed  # 2.5 Gy: inside abs, outside rel


def test_strings_compare_without_dicom_padding():
    label = Quantity("plan.label", "TREATMENT", Tolerance(abs=0))
    assert compare("plan.label", "TREATMENT ", label, label.tolerance).passed
    assert not compare("plan.label", "TREAT", label, label.tolerance).passed


def test_lists_compare_element_by_element_and_name_the_wrong_element():
    spacing = Quantity("ct.pixel_spacing_mm", [1.0, 1.0], Tolerance(abs=0.001), "mm")
    verdict = compare("ct.pixel_spacing_mm", [1.0, 1.2], spacing, spacing.tolerance)
    assert not verdict.passed and "ct.pixel_spacing_mm[1]" in verdict.message


def test_a_non_number_where_a_number_belongs_fails_with_a_reason():
    verdict = compare("k", "seventy", quantity(70.0), THREE_PERCENT)
    assert not verdict.passed and "is not a number" in verdict.message


def test_nan_never_passes():
    assert not compare("k", float("nan"), quantity(70.0), THREE_PERCENT).passed


def make_check(**kwargs) -> Check:
    return Check(id="c", capability="dvh", program="p.py", **{"judge": ["dvh.*"], **kwargs})


def test_an_unreported_quantity_fails_and_carries_the_tools_error():
    truth = {"dvh.Sphere.D95_gy": quantity(61.25)}
    (verdict,) = judge(make_check(), truth, {"_errors": {"dvh.Sphere": "ZeroDivisionError"}})
    assert not verdict.passed
    assert verdict.message == "dvh.Sphere.D95_gy not reported: ZeroDivisionError"


def test_optional_quantities_are_judged_only_when_reported():
    truth = {"dvh.Sphere.D95_gy": quantity(61.25)}
    assert judge(make_check(optional=["dvh.*"]), truth, {}) == []


def test_a_manifest_tolerance_overrides_the_truths():
    truth = {"dvh.Sphere.D95_gy": quantity(61.25)}
    check = make_check(tolerances={"dvh.*": Tolerance(rel=0.10)})
    (verdict,) = judge(check, truth, {"dvh.Sphere.D95_gy": 57.0})
    assert verdict.passed and "tolerance 10 %" in verdict.message


def test_observations_are_the_last_json_object_line_amid_noise():
    stdout = 'Octave says hello\n{"a": 1}\nwarning: something\n{"dvh.x": 2}\nbye\n'
    assert parse_observations(stdout) == {"dvh.x": 2}


def test_no_json_object_means_no_observations():
    assert parse_observations("[1, 2]\nnot json {\n") is None


def test_a_manifest_expectation_is_judged_exactly_beside_the_truth():
    truth = {"dvh.Sphere.D95_gy": quantity(61.25)}
    check = make_check(expect={"qatrack.migrate_ok": True})
    verdicts = {v.key: v for v in judge(check, truth, {"dvh.Sphere.D95_gy": 61.0, "qatrack.migrate_ok": False})}
    assert verdicts["dvh.Sphere.D95_gy"].passed
    assert not verdicts["qatrack.migrate_ok"].passed
    assert verdicts["qatrack.migrate_ok"].message == "qatrack.migrate_ok false vs expected true"
