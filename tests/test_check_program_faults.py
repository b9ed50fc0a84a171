"""The check program is not the tool: its own crash, a misnamed key, or a manifest that
states its own value for a truth quantity is an error of the check, never a FAIL."""

from __future__ import annotations

import pytest

from harness.judging.judge import (
    JudgeError,
    Quantity,
    judge,
    misnamed_keys,
    truth_expectations,
)
from harness.judging.outcome import check_program_crash, conclude
from harness.manifest import Check, Tolerance
from harness.results import ProcessFacts

TRUTH = {"dose.max_gy": Quantity("dose.max_gy", 136.05, Tolerance(abs=0.01), "Gy"),
         "dose.min_gy": Quantity("dose.min_gy", 9.45, Tolerance(abs=0.01), "Gy"),
         "rtstruct.roi.Sphere.volume_cc": Quantity("rtstruct.roi.Sphere.volume_cc", 7.25, Tolerance(rel=0.005), "cm3")}
CHECK = Check(id="read", capability="read-rtdose", program="checks/read.py", judge=["dose.*", "rtstruct.*"])

OWN_CRASH = """Traceback (most recent call last):
  File "/work/tool_manifests/x/checks/read.py", line 12, in <module>
    centre = points["dose"]["origin"]
KeyError: 'dose'
"""
TOOL_CRASH = """Traceback (most recent call last):
  File "/work/tool_manifests/x/checks/read.py", line 9, in <module>
    grid = tool.read_dose(path)
  File "/venv/lib/python3.11/site-packages/tool/dose.py", line 88, in read_dose
    return frames.reshape(rows, columns)
ValueError: cannot reshape array of size 7 into shape (2,3)
"""


@pytest.mark.parametrize(("stderr", "observed", "status", "words"), [
    (OWN_CRASH, None, "error", "the check program failed in its own code: read.py line 12: KeyError: 'dose'"),
    (TOOL_CRASH, None, "fail", "printed no JSON observations"),
    # the tool's values printed, then the program's own code died: still not the tool's failure
    (OWN_CRASH, {"dose.max_gy": 136.05, "dose.min_gy": 9.45, "rtstruct.roi.Sphere.volume_cc": 7.25}, "error",
     "failed in its own code"),
    ("Segmentation fault", None, "fail", "printed no JSON observations"),
])
def test_a_crash_in_the_check_programs_own_code_is_an_error_and_the_tools_a_fail(stderr, observed, status, words):
    facts = ProcessFacts(returncode=1, stdout_bytes=10 if observed is None else 100, stderr_tail=stderr,
                         stdout_last_line="x")
    result = conclude(CHECK, TRUTH, facts, observed, program="x/checks/read.py")
    assert result.status == status and words in result.reason


def test_only_the_innermost_frame_of_the_last_traceback_counts():
    two = TOOL_CRASH + "\nDuring handling of the above exception, another exception occurred:\n\n" + OWN_CRASH
    facts = ProcessFacts(returncode=1, stderr_tail=two)
    assert check_program_crash(facts, "x/checks/read.py") == "read.py line 12: KeyError: 'dose'"
    assert check_program_crash(ProcessFacts(returncode=1, stderr_tail=TOOL_CRASH), "x/checks/read.py") is None
    # another program of the same name elsewhere is not this check
    assert check_program_crash(ProcessFacts(returncode=1, stderr_tail=OWN_CRASH.replace("checks/", "lib/")),
                               "x/checks/read.py") is None
    assert check_program_crash(ProcessFacts(returncode=1, stderr_tail=OWN_CRASH), None) is None


@pytest.mark.parametrize(("reported", "meant"), [
    ("dose.max_cgy", "dose.max_gy"),                                       # another unit
    ("rtstruct.roi.Sphere.volume_mm3", "rtstruct.roi.Sphere.volume_cc"),   # another unit
    ("dose.max_gyy", "dose.max_gy"),                                       # one typo
    ("dose.maximum_gy", "dose.max_gy"),                                    # the word spelt out
    ("dose.minimum_gy", "dose.min_gy"),                                    # the word spelt out
])
def test_a_misnamed_key_is_the_checks_error_with_a_did_you_mean(reported, meant):
    observed = {"dose.max_gy": 136.05, "dose.min_gy": 9.45, "rtstruct.roi.Sphere.volume_cc": 7.25}
    observed[reported] = observed.pop(meant)
    assert misnamed_keys(CHECK, TRUTH, observed) == {meant: reported}
    with pytest.raises(JudgeError, match=f"reported '{reported}'.*did you mean '{meant}'"):
        judge(CHECK, TRUTH, observed)
    # the runner makes its row an error, as for any check that cannot be judged as declared
    with pytest.raises(JudgeError):
        conclude(CHECK, TRUTH, ProcessFacts(returncode=0, stdout_bytes=50), observed, program="x/checks/read.py")


def test_an_extra_quantity_of_the_tools_own_is_not_taken_for_a_misnamed_one():
    """dose.mean_gy is two edits from dose.min_gy: the missing minimum stays the tool's FAIL."""
    observed = {"dose.max_gy": 136.05, "dose.mean_gy": 70.0, "rtstruct.roi.Sphere.volume_cc": 7.25}
    assert misnamed_keys(CHECK, TRUTH, observed) == {}
    verdicts = {v.key: v for v in judge(CHECK, TRUTH, observed)}
    assert verdicts["dose.min_gy"].outcome == "fail" and verdicts["dose.min_gy"].message == "dose.min_gy not reported"


def test_a_bin_width_and_volume_axes_are_evidence_not_misnamed_keys():
    observed = {"dose.max_gy": 136.05, "dvh.bin_width_gy": 0.01, "ct.volume_directions": [1, 0, 0, 0, 1, 0, 0, 0, 1]}
    assert misnamed_keys(CHECK, TRUTH, observed) == {}


def test_a_manifest_cannot_state_its_own_value_for_a_truth_quantity():
    stating = Check(id="read", capability="read-rtdose", program="p.py", judge=["dose.min_gy"],
                    expect={"dose.max_gy": 13605000.0, "tool.ok": True})
    assert truth_expectations(stating, TRUTH) == ["dose.max_gy"]
    with pytest.raises(JudgeError, match="expect names the truth quantity dose.max_gy"):
        judge(stating, TRUTH, {"dose.min_gy": 9.45, "dose.max_gy": 13605000.0, "tool.ok": True})


def _validated(tmp_path, check_lines: str) -> list[str]:
    """Problems validate finds in a one-check manifest judged on the committed reference set."""
    import textwrap

    from standins import write_manifest

    from harness.manifest_checks import validate_file
    from harness.paths import fixtures_dir, project_root

    (tmp_path / "tool_manifests" / "probe" / "checks").mkdir(parents=True)
    (tmp_path / "tool_manifests" / "probe" / "checks" / "read.py").write_text("")
    check = ('- id: read\n  capability: read-ct\n  program: checks/read.py\n  judge: ["ct.*", "plan.*"]\n'
             + textwrap.indent(textwrap.dedent(check_lines), "  "))
    path = write_manifest(tmp_path, "probe", check, summary="A manifest that tries to loosen the truth.")
    return [p.message for p in validate_file(path, fixtures_dir(project_root()))]


def test_validate_refuses_an_expectation_that_states_a_truth_value(tmp_path):
    problems = _validated(tmp_path, "expect: {ct.rows: 9, probe.ok: true}\n")
    assert problems == ["'ct.rows' is a truth quantity: a manifest cannot state its own value for it; judge it instead"]


@pytest.mark.parametrize(("pattern", "tolerance"), [
    ("ct.pixel_spacing_mm", "{abs: 0.5}"), ("ct.origin_mm", "{rel: 0.01}"), ("plan.beam_meterset_mu", "{abs: 1}"),
    ("plan.gantry_angles_deg", "{rel: 0.01}"), ("ct.orientation", "{abs: 0.01}"),
])
def test_validate_refuses_a_looser_tolerance_of_a_list_quantity(tmp_path, pattern, tolerance):
    problems = _validated(tmp_path, f"tolerances: {{\"{pattern}\": {tolerance}}}\n")
    assert problems == [f"'{pattern}' is looser than the derived tolerance of {pattern}; a manifest may tighten a "
                        "tolerance, never widen it"]


def test_a_tighter_tolerance_of_a_list_quantity_is_accepted(tmp_path):
    assert _validated(tmp_path, 'tolerances: {"ct.pixel_spacing_mm": {abs: 0.0005}}\n') == []


def test_another_dose_level_the_tool_reported_is_not_a_typo_of_a_missing_one():
    truth = {"dvh.S.V63gy_pct": Quantity("dvh.S.V63gy_pct", 87.7, Tolerance(abs=0.3), "%")}
    check = Check(id="dvh", capability="dvh", program="p.py", judge=["dvh.*"])
    assert misnamed_keys(check, truth, {"dvh.S.V13gy_pct": 100.0, "dvh.S.V1gy_pct": 100.0}) == {}
    assert misnamed_keys(check, truth, {"dvh.S.V63gy_pcr": 87.7}) == {"dvh.S.V63gy_pct": "dvh.S.V63gy_pcr"}


@pytest.mark.parametrize(("declaration", "words"), [
    ("conventions: {no-end-caps: 'tool.py'}", "at least 20 characters"),
    ("conventions: {end-caps-dropped: 'tool.py: the end contours count half their area'}", "no-end-caps"),
])
def test_a_convention_is_declared_by_a_known_name_citing_where_the_tool_follows_it(tmp_path, declaration, words):
    problems = _validated(tmp_path, declaration + "\n")
    assert len(problems) == 1 and words in problems[0], problems


def test_a_declared_convention_with_its_source_is_accepted(tmp_path):
    assert _validated(tmp_path, "conventions: {volume-origin: 'tool/reader.py: the first voxel in index order'}\n") == []


def test_a_negative_or_decimal_level_is_another_level_not_a_typo():
    truth = {"dvh.S.V71gy_pct": Quantity("dvh.S.V71gy_pct", 14.5, Tolerance(abs=0.7), "%"),
             "dvh.S.D0.03cc_gy": Quantity("dvh.S.D0.03cc_gy", 74.0, Tolerance(abs=0.2), "Gy")}
    check = Check(id="dvh", capability="dvh", program="p.py", judge=["dvh.*"])
    assert misnamed_keys(check, truth, {"dvh.S.V-1gy_pct": 100.0, "dvh.S.D0.05cc_gy": 73.0}) == {}


def test_a_structure_the_tool_renamed_is_the_tools_fail_not_the_programs_typo():
    """matRad replaces every character but letters and digits by a space: 'Femur_Head_L' comes
    back 'Femur Head L'. The program passes on the tool's name, so the quantity is not
    reported under the truth's name, a FAIL of the tool."""
    truth = {"rtstruct.roi.Femur_Head_L.volume_cc": Quantity("rtstruct.roi.Femur_Head_L.volume_cc", 3.1,
                                                             Tolerance(rel=0.01), "cm3")}
    check = Check(id="read", capability="read-rtstruct", program="p.py", judge=["rtstruct.roi.*"])
    observed = {"rtstruct.roi.Femur Head L.volume_cc": 3.1}
    assert misnamed_keys(check, truth, observed) == {}
    (verdict,) = judge(check, truth, observed)
    assert verdict.outcome == "fail" and verdict.message == "rtstruct.roi.Femur_Head_L.volume_cc not reported"
