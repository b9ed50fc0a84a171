"""Each finding rule, exactly: which verdicts it explains and the figures it states."""

from __future__ import annotations

import pytest

from harness.judging.findings import (
    RULES,
    Declaration,
    Evidence,
    _round_half_away,
    explain,
    unexplained,
)
from harness.judging.judge import Alternative, Quantity, Verdict
from harness.manifest import Check, Tolerance


def declaration(rule: str, **parameters) -> Declaration:
    return Declaration(id="x", title="t", explanation="e", tools=["*"], keys=["*"], rule=rule,
                       parameters=parameters, evidence="{count}")


def wrong(key: str, observed, expected) -> Verdict:
    return Verdict(key, "fail", observed, expected, f"{key} wrong")


SCALING = {"dose.scaling": Quantity("dose.scaling", 1e-5, Tolerance(rel=1e-9))}


def test_ratio_names_the_values_off_by_the_factor_and_only_those():
    verdicts = [wrong("dose.max_gy", 12970000.0, 129.7), wrong("dose.min_gy", 9.7, 9.8),
                wrong("dose.at.a_gy", "high", 70.0), wrong("dose.at.b_gy", 7000000, 70.0),
                wrong("dose.at.c_gy", 1.0, 0)]
    evidence = RULES["ratio"](declaration("ratio", of="dose.scaling", inverse=True), verdicts, SCALING, {})
    assert evidence == Evidence(["dose.max_gy", "dose.at.b_gy"],
                                {"factor": pytest.approx(100000.0), "base": 1e-5, "base_key": "dose.scaling",
                                 "count": 2})


def test_ratio_without_inverse_uses_the_value_itself_and_respects_within():
    verdicts = [wrong("k", 2.0e-5 * 70, 70.0)]
    plain = RULES["ratio"](declaration("ratio", of="dose.scaling", within=0.01), [wrong("k", 70e-5, 70.0)], SCALING, {})
    assert plain.keys == ["k"] and plain.figures["factor"] == 1e-5
    assert RULES["ratio"](declaration("ratio", of="dose.scaling"), verdicts, SCALING, {}) is None
    loose = RULES["ratio"](declaration("ratio", of="dose.scaling", within=1.5), verdicts, SCALING, {})
    assert loose is not None


@pytest.mark.parametrize("truth", [{}, {"dose.scaling": Quantity("dose.scaling", 0, None)},
                                   {"dose.scaling": Quantity("dose.scaling", "1e-5", None)}])
def test_ratio_needs_a_usable_base(truth):
    assert RULES["ratio"](declaration("ratio", of="dose.scaling", inverse=True),
                          [wrong("k", 7e6, 70.0)], truth, {}) is None


def test_value_matches_type_and_value():
    verdicts = [wrong("a", 0, 2.0), wrong("b", 0.0, 2.0), wrong("c", False, 2.0), wrong("d", "", "HFS"),
                wrong("e", None, 2.0), wrong("f", 1, 2.0)]
    evidence = RULES["value"](declaration("value", values=[0, ""]), verdicts, {}, {})
    assert evidence == Evidence(["a", "d"], {"observed": 0, "expected": 2.0, "key": "a", "count": 2,
                                            "pairs": "a 0 (expected 2), d '' (expected 'HFS')"})
    assert RULES["value"](declaration("value", values=[7]), verdicts, {}, {}) is None


def test_tool_error_takes_the_matching_line_and_the_unreported_keys():
    observed = {"_errors": {"other": "fine", "import": "Traceback\n  at x\ninterp3: V must be a 3-D array [at 161]\n"}}
    verdicts = [wrong("dose.max_gy", None, 70.0), wrong("dose.min_gy", 5.0, 9.7)]
    evidence = RULES["tool-error"](declaration("tool-error", pattern="V must be a 3-D"), verdicts, {}, observed)
    assert evidence == Evidence(["dose.max_gy"], {"error": "interp3: V must be a 3-D array [at 161]", "count": 1})
    assert RULES["tool-error"](declaration("tool-error", pattern="nothing like it"), verdicts, {}, observed) is None
    assert RULES["tool-error"](declaration("tool-error", pattern="V must"), verdicts, {}, {"_errors": "text"}) is None
    reported = [wrong("dose.min_gy", 5.0, 9.7)]
    assert RULES["tool-error"](declaration("tool-error", pattern="V must be"), reported, {}, observed) is None


def test_rounded_recognises_whole_values_and_lists_of_them():
    verdicts = [wrong("plan.beam_meterset_mu", [61, 57, 64, 56], [61.2, 57.4, 63.8, 55.9]),
                wrong("plan.total_meterset_mu", 238, 238.3), wrong("a", [61, 57], [61.2, 57.4, 63.8]),
                wrong("b", 60, 61.2), wrong("c", "61", 61.2), wrong("d", 62, 61.5)]
    evidence = RULES["rounded"](declaration("rounded"), verdicts, {}, {})
    assert evidence.keys == ["plan.beam_meterset_mu", "plan.total_meterset_mu", "d"]
    assert evidence.figures == {"observed": [61, 57, 64, 56], "expected": [61.2, 57.4, 63.8, 55.9],
                                "key": "plan.beam_meterset_mu", "count": 3}
    tenths = RULES["rounded"](declaration("rounded", decimals=1), [wrong("k", 61.2, 61.23)], {}, {})
    assert tenths.keys == ["k"]
    assert RULES["rounded"](declaration("rounded"), [wrong("k", 61.2, 61.23)], {}, {}) is None


def test_rounding_is_half_away_from_zero_as_in_matlab():
    assert [_round_half_away(v, 0) for v in (0.5, 1.5, 2.5, -0.5, 2.4)] == [1.0, 2.0, 3.0, -1.0, 2.0]
    assert _round_half_away(0.25, 1) == 0.3


def test_wrong_states_the_first_verdict_its_deviation_and_the_no_end_caps_one():
    quantity = Quantity("v", 10.0, Tolerance(rel=0.01), "cm3", alternatives=(Alternative("no-end-caps", 9.0, None),))
    verdicts = [wrong("v", 8.0, 10.0), wrong("w", "x", 1.0)]
    evidence = RULES["wrong"](declaration("wrong"), verdicts, {"v": quantity}, {})
    assert evidence == Evidence(["v", "w"], {
        "observed": 8.0, "expected": 10.0, "key": "v", "count": 2, "pairs": "v 8 (expected 10), w 'x' (expected 1)",
        "deviation": -20.0, "no_end_caps": 9.0, "no_end_caps_deviation": pytest.approx(-100 / 9)})
    bare = RULES["wrong"](declaration("wrong"), [wrong("w", 2.0, 1.0)], {}, {})
    assert bare.figures["no_end_caps"] is None and bare.figures["deviation"] == 100.0
    assert RULES["wrong"](declaration("wrong"), [], {}, {}) is None


def test_pairs_are_shortened_after_six():
    verdicts = [wrong(f"dvh.R.D{i}_gy", float(i), float(i + 1)) for i in range(8)]
    pairs = RULES["wrong"](declaration("wrong"), verdicts, {}, {}).figures["pairs"]
    assert pairs.startswith("R.D0_gy 0 (expected 1), R.D1_gy 1 (expected 2)")
    assert pairs.endswith("R.D5_gy 5 (expected 6) and 2 more")
    six = RULES["wrong"](declaration("wrong"), verdicts[:6], {}, {}).figures["pairs"]
    assert six.endswith("R.D5_gy 5 (expected 6)")


def test_a_deviation_is_stated_only_between_two_numbers_against_a_non_zero_truth():
    assert RULES["wrong"](declaration("wrong"), [wrong("w", "x", 1.0)], {}, {}).figures["deviation"] is None
    assert RULES["wrong"](declaration("wrong"), [wrong("w", 1.0, 0.0)], {}, {}).figures["deviation"] is None
    assert RULES["wrong"](declaration("wrong"), [wrong("w", 1.5, -2.0)], {}, {}).figures["deviation"] == 175.0


def test_a_tool_error_line_is_quoted_up_to_two_hundred_characters():
    observed = {"_errors": {"import": "E" * 250}}
    evidence = RULES["tool-error"](declaration("tool-error", pattern="E"), [wrong("k", None, 1.0)], {}, observed)
    assert evidence.figures["error"] == "E" * 200


def test_a_value_rounded_to_zero_is_recognised_though_the_tool_printed_a_float_residue():
    assert RULES["rounded"](declaration("rounded"), [wrong("k", 1e-12, 0.4)], {}, {}).keys == ["k"]


def test_each_failing_verdict_goes_to_the_first_finding_that_recognises_it_and_passes_are_ignored():
    check = Check(id="c", capability="read-rtdose", program="p.py", judge=["dose.*"])
    verdicts = [wrong("dose.max_gy", 12970000.0, 129.7), Verdict("dose.min_gy", "pass", 9.7, 9.7, "ok"),
                wrong("dose.frame_spacing_mm", 0, 2.0), wrong("dose.units", "X", "GY")]
    refs = explain("imagej", check, SCALING, {}, verdicts)
    assert [(r.id, r.keys) for r in refs] == [("dose-frame-spacing-from-slice-thickness", ["dose.frame_spacing_mm"]),
                                              ("dose-grid-scaling-not-applied", ["dose.max_gy"])]
    assert unexplained(verdicts, refs) == ["dose.units"]
    assert explain("simpleitk", check, SCALING, {}, verdicts)[0].id == "dose-grid-scaling-not-applied"
    assert [r.id for r in explain("simpleitk", check, SCALING, {}, verdicts)] == ["dose-grid-scaling-not-applied"]


def test_a_finding_covers_only_its_tools_and_keys():
    scoped = Declaration(id="x", title="t", explanation="e", tools=["dicompyler-*"], keys=["dvh.*.D*_gy"],
                         rule="wrong", evidence="e")
    assert scoped.covers("dicompyler-core", "dvh.Sphere.D95_gy", "reference")
    assert not scoped.covers("dicompyler-core", "dvh.Sphere.mean_gy", "reference")
    assert not scoped.covers("plastimatch", "dvh.Sphere.D95_gy", "reference")


def test_an_evidence_template_that_names_a_missing_figure_says_so_instead_of_crashing():
    from harness.judging.findings import _format

    assert _format("{count} of {nothing}", {"count": 2}) == "{count} of {nothing} (figures {'count': 2}; KeyError)"
    assert _format("{count} value(s)", {"count": 2}) == "2 value(s)"


def test_a_finding_explains_only_on_the_fixture_sets_it_names(monkeypatch):
    from harness.judging import findings

    scoped = Declaration(id="s", title="t", explanation="e", tools=["tool"], keys=["dvh.*"], sets=["dose-*"],
                         rule="wrong", evidence="{count}")
    monkeypatch.setattr(findings, "declarations", lambda: [scoped])
    verdicts = [wrong("dvh.S.D95_gy", 1.0, 60.0)]
    on = Check(id="c", capability="dvh", program="p.py", judge=["dvh.*"], fixture="dose-16bit")
    off = on.model_copy(update={"fixture": "reference"})
    assert [r.id for r in explain("tool", on, {}, {}, verdicts)] == ["s"]
    assert explain("tool", off, {}, {}, verdicts) == []
    assert scoped.covers("tool", "dvh.x", "dose-16bit") and not scoped.covers("tool", "dvh.x", "reference")


def test_a_check_without_a_set_is_explained_as_on_the_reference(monkeypatch):
    from harness.judging import findings

    on_reference = Declaration(id="r", title="t", explanation="e", tools=["tool"], keys=["dvh.*"], sets=["reference"],
                               rule="wrong", evidence="{count}")
    monkeypatch.setattr(findings, "declarations", lambda: [on_reference])
    unpinned = Check(id="c", capability="dvh", program="p.py", judge=["dvh.*"])
    assert [r.id for r in explain("tool", unpinned, {}, {}, [wrong("dvh.S.D95_gy", 1.0, 60.0)])] == ["r"]


def test_a_timeout_finding_explains_a_timed_out_check_on_its_sets_only(monkeypatch):
    from harness.judging import findings

    hang = Declaration(id="h", title="t", explanation="e", tools=["imagej"], keys=["*"], sets=["ct-jpeg*"],
                       rule="timeout", evidence="no answer in {seconds:g} s on {fixture}")
    monkeypatch.setattr(findings, "declarations", lambda: [hang])
    check = Check(id="c", capability="read-ct", program="p.ijm", judge=["ct.*"], fixture="ct-jpeg2000", timeout=60)
    [ref] = findings.explain_timeout("imagej", check)
    assert (ref.id, ref.keys, ref.evidence) == ("h", [], "no answer in 60 s on ct-jpeg2000")
    assert findings.explain_timeout("imagej", check.model_copy(update={"fixture": "reference"})) == []
    assert findings.explain_timeout("imagej", check.model_copy(update={"fixture": None})) == []
    assert findings.explain_timeout("pydicom", check) == []
    assert RULES["timeout"](hang, [wrong("ct.rows", 1, 2)], {}, {}) is None


def test_a_check_without_a_set_times_out_on_the_reference(monkeypatch):
    from harness.judging import findings

    hang = Declaration(id="h", title="t", explanation="e", tools=["imagej"], keys=["*"], sets=["reference"],
                       rule="timeout", evidence="no answer in {seconds:g} s on {fixture}")
    monkeypatch.setattr(findings, "declarations", lambda: [hang])
    check = Check(id="c", capability="read-ct", program="p.ijm", judge=["ct.*"], timeout=60)
    assert [r.evidence for r in findings.explain_timeout("imagej", check)] == ["no answer in 60 s on reference"]


def test_a_finding_declared_for_the_checks_sets_comes_before_one_declared_for_every_set(monkeypatch):
    from harness.judging import findings

    everywhere = Declaration(id="a-method-error", title="t", explanation="e", tools=["tool"], keys=["dvh.*"],
                             rule="wrong", evidence="{count}")
    on_the_set = Declaration(id="z-beam-dose-taken", title="t", explanation="e", tools=["tool"], keys=["dvh.*"],
                             sets=["dose-summation-beam"], rule="wrong", evidence="{count}")
    monkeypatch.setattr(findings, "declarations", lambda: [everywhere, on_the_set])
    verdicts = [wrong("dvh.S.D95_gy", 15.4, 61.8)]
    beam = Check(id="c", capability="dvh", program="p.py", judge=["dvh.*"], fixture="dose-summation-beam")
    assert [r.id for r in explain("tool", beam, {}, {}, verdicts)] == ["z-beam-dose-taken"]
    reference = beam.model_copy(update={"fixture": "reference"})
    assert [r.id for r in explain("tool", reference, {}, {}, verdicts)] == ["a-method-error"]


def test_wrong_with_a_ratio_explains_only_the_numbers_the_cause_can_produce():
    too_deep = declaration("wrong", ratio=[1.0, 1.6])
    verdicts = [wrong("rtstruct.roi.Sphere.volume_cc", 10.88, 7.248), wrong("rtstruct.roi.Cone.volume_cc", 0, 3.434),
                wrong("ct.size_voxels", [128, 120, 40], [128, 120, 60])]
    evidence = RULES["wrong"](too_deep, verdicts, {}, {})
    assert evidence.keys == ["rtstruct.roi.Sphere.volume_cc", "ct.size_voxels"]
    assert RULES["wrong"](too_deep, verdicts[1:2], {}, {}) is None
    assert RULES["wrong"](declaration("wrong"), verdicts[1:2], {}, {}).keys == ["rtstruct.roi.Cone.volume_cc"]


def test_renamed_explains_the_names_a_tool_changed_and_quantities_found_under_them():
    rule = declaration("renamed", pattern="[^a-zA-Z0-9]", by=" ")
    names = wrong("rtstruct.roi_names", ["BODY", "Femur Head L  "], ["BODY", "Femur_Head_L"])
    missing = wrong("rtstruct.roi.Femur_Head_L.volume_cc", None, 3.1)
    dvh = wrong("dvh.Femur_Head_L.mean_gy", None, 70.0)
    elsewhere = wrong("rtstruct.roi.Lens_R.volume_cc", None, 0.2)  # not under its changed name either
    observed = {"rtstruct.roi.Femur Head L.volume_cc": 3.1, "dvh.Femur Head L.mean_gy": 70.0}
    evidence = RULES["renamed"](rule, [names, missing, dvh, elsewhere], {}, observed)
    assert evidence.keys == ["rtstruct.roi_names", "rtstruct.roi.Femur_Head_L.volume_cc", "dvh.Femur_Head_L.mean_gy"]
    assert evidence.figures["names"] == "'Femur_Head_L' as 'Femur Head L'"


def test_renamed_leaves_a_names_list_that_differs_otherwise():
    rule = declaration("renamed", pattern="[^a-zA-Z0-9]", by=" ")
    reordered = wrong("rtstruct.roi_names", ["Femur Head L", "BODY"], ["BODY", "Femur_Head_L"])
    wrong_name = wrong("rtstruct.roi_names", ["BODY", "Femur_Head_R"], ["BODY", "Femur_Head_L"])
    assert RULES["renamed"](rule, [reordered, wrong_name], {}, {}) is None


def test_wrong_with_a_ratio_leaves_a_value_not_reported_to_another_cause():
    rule = declaration("wrong", ratio=[1.0, 1.6])
    verdicts = [wrong("rtstruct.roi.A.volume_cc", 15.0, 10.0), wrong("rtstruct.roi.B.volume_cc", None, 10.0)]
    assert RULES["wrong"](rule, verdicts, {}, {}).keys == ["rtstruct.roi.A.volume_cc"]
