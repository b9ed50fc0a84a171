"""Findings and conventions, tested against what real tools printed in a catalogue run.

``tests/data/recorded_outputs.json`` holds observations recorded from a real run of the
catalogue on the reference set; each is judged again here with the committed truth and
manifests, and must come out with exactly the findings and conventions a physicist
would sign: every FAIL explained by its root cause, every convention credited only
where the tool follows it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.catalogue import installed, load_catalogue
from harness.fixture_sets import discover, plan
from harness.judging import findings
from harness.judging.judge import load_truth
from harness.judging.outcome import conclude
from harness.paths import fixtures_dir, manifests_dir, project_root
from harness.results import ProcessFacts

ROOT = project_root(Path(__file__).parent)
RECORDED = json.loads((Path(__file__).parent / "data" / "recorded_outputs.json").read_text())["outputs"]


def case_of(item: dict) -> tuple[str, str] | tuple[str, str, str]:
    fixture = item.get("fixture", "reference")
    return (item["tool"], item["check"]) if fixture == "reference" else (item["tool"], item["check"], fixture)


class Judged:
    """Each recorded output judged when a test asks for it (not once for the module: a
    mutation test must see every rule run inside the tests that check it). A case is
    (tool, check) on the reference set, (tool, check, fixture set) on a variant."""

    def __init__(self):
        self.sets = discover(fixtures_dir(ROOT))
        # by key: a tool of several versions is recorded as one of them ("dicompyler@main")
        self.manifests = installed(load_catalogue(sorted(manifests_dir(ROOT).glob("*.yaml"))))

    def __getitem__(self, case: tuple):
        item = next(i for i in RECORDED if case_of(i) == case)
        fixture = item.get("fixture", "reference")
        declared = next(c for c in self.manifests[item["tool"]].checks if c.id == item["check"])
        check = next(p.check for p in plan(declared, self.sets) if p.fixture == fixture)
        truth = load_truth(fixtures_dir(ROOT) / fixture)
        return conclude(check, truth, ProcessFacts(**item["process"]), item["observed"],
                        tool_id=item["tool"].partition("@")[0])

    def items(self):
        return [(case_of(i), self[case_of(i)]) for i in RECORDED]


@pytest.fixture
def judged() -> Judged:
    return Judged()


def explained(result) -> dict[str, int]:
    return {ref.id: len(ref.keys) for ref in result.findings}


# (tool, check[, fixture set]) -> (status, findings and how many verdicts each explains, conventions)
EXPECTED = {
    ("imagej", "read-rtdose"): ("fail", {"dose-grid-scaling-not-applied": 10,
                                         "dose-frame-spacing-from-slice-thickness": 1}, []),
    ("simpleitk", "dose-values"): ("fail", {"dose-grid-scaling-not-applied": 10}, []),
    ("dicompyler-core", "read-rtstruct"): ("fail", {"contour-planes-sorted-as-strings": 1}, ["no-end-caps"]),
    ("dicompyler-core", "read-rtstruct", "contours-interpolated"): (
        "fail", {"interpolated-planar-contours-skipped": 1}, ["no-end-caps"]),
    ("dicompyler-core", "dvh"): ("fail", {"dx-from-nearest-volume-bin": 4}, ["histogram-bin"]),
    # the application over the same library: its DVH plugin shows the library's Dx, and
    # its main window never fills a structure's labels on wxPython 4
    ("dicompyler@main", "dvh"): ("fail", {"dvh-plugin-slider-rejects-numpy-float": 12,
                                          "dx-from-nearest-volume-bin": 2}, []),
    ("dicompyler@main", "read-rtstruct"): ("fail", {"dvh-plugin-slider-rejects-numpy-float": 5}, []),
    ("dicompyler@main", "plugins"): ("fail", {"matplotlib-cntr-removed": 1}, []),
    # nothing shown at all: why it was not shown, never how a shown value would be wrong
    ("dicompyler@main", "dvh", "ct-jpeg-lossless"): ("fail", {"importer-stops-at-undecodable-ct": 44}, []),
    ("dicompyler@main", "dvh", "ct-jpeg2000"): ("fail", {"importer-stops-at-undecodable-ct": 44}, []),
    ("dicompyler@main", "dvh", "dose-absolute-offsets"): ("fail", {"dvh-plugin-slider-rejects-numpy-float": 6,
                                                              "absolute-frame-offsets-read-as-relative": 38}, []),
    # a beam's dose preselected: what went wrong on that set, not the Dx method error made everywhere
    ("dicompyler@main", "dvh", "dose-summation-beam"): ("fail", {"dvh-plugin-slider-rejects-numpy-float": 12,
                                                            "importer-preselects-the-last-dose": 32}, []),
    ("itk-snap@3.6.0", "read-ct", "ct-nonuniform-slices"): ("fail", {"series-split-by-slice-thickness": 3}, []),
    ("pycerr", "read-ct"): ("fail", {"patient-position-not-read": 1, "pixel-spacing-read-as-column-row": 3}, []),
    ("pycerr", "read-rtdose"): ("fail", {"dose-grid-placed-through-exchanged-spacing": 9}, []),
    ("pycerr", "dvh"): ("fail", {"dose-grid-placed-through-exchanged-spacing": 48}, []),
    ("pycerr", "dvh", "position-hfdl"): ("fail", {"dose-grid-placed-through-exchanged-spacing": 44}, []),
    ("matrad", "read-ct"): ("fail", {"resolution-x-from-row-spacing": 3}, []),
    # the Cone's 0 cm3 is its own cause, not the 1.5 times a slice thickness makes
    ("matrad", "read-rtstruct"): ("fail", {"slice-thickness-from-one-image": 4,
                                           "structure-dropped-when-one-contour-fails": 1}, []),
    ("matrad", "read-ct", "position-ffs"): ("fail", {"grid-vectors-flipped-without-the-cube": 2,
                                                     "resolution-x-from-row-spacing": 2}, []),
    ("matrad", "read-ct", "position-hfp"): ("fail", {"grid-vectors-flipped-without-the-cube": 2,
                                                     "resolution-x-from-row-spacing": 2}, []),
    ("matrad", "read-rtplan"): ("fail", {"octave-padded-treatment-delivery-type": 3}, []),
    ("matrad", "read-rtdose"): ("fail", {"octave-3d-dose-array": 4}, []),
    ("matrad", "dvh"): ("fail", {"octave-3d-dose-array": 32}, []),
    ("cerr", "read-ct"): ("fail", {"pixel-spacing-read-as-column-row": 3}, []),
    ("cerr", "read-rtdose"): ("pass", {}, []),
    ("cerr", "read-rtdose", "position-hfdl"): ("fail", {"decubitus-grids-scaled-by-exchanged-spacing": 9}, []),
    ("cerr", "read-rtplan"): ("pass", {}, []),
    ("cerr", "beam-table"): ("fail", {"beam-table-rounds-monitor-units": 2}, []),
    ("cerr", "dvh"): ("pass", {}, ["histogram-bin"]),
    ("cerr", "dvh", "position-hfdl"): ("fail", {"decubitus-grids-scaled-by-exchanged-spacing": 25}, ["histogram-bin"]),
    # the body has one outline on every plane: its volume is off by the spacing, not the plane choice
    ("cerr", "read-rtstruct", "ct-nonuniform-slices"): ("fail", {"contour-plane-chosen-by-point-count": 1,
                                                                 "pixel-spacing-read-as-column-row": 1}, []),
    ("plastimatch", "dvh"): ("pass", {}, []),
    ("slicer-core", "read-ct"): ("fail", {"archetype-reader-stacks-files-by-name": 5}, []),
    # variant sets: (tool, check, fixture set)
    ("cerr", "read-rtstruct", "references-missing"): ("fail", {"rtreferencedstudysequence-required": 7}, []),
    ("pycerr", "read-rtstruct", "references-missing"): ("fail", {"rtreferencedstudysequence-required": 7}, []),
    ("matrad", "read-rtstruct", "references-missing"): ("fail", {"rtreferencedstudysequence-required": 7}, []),
    ("dicompyler-core", "dvh", "dose-absolute-offsets"): ("fail", {"absolute-frame-offsets-read-as-relative": 48}, []),
    ("pycerr", "read-rtdose", "dose-absolute-offsets"): ("fail", {"absolute-frame-offsets-stop-the-import": 15}, []),
    ("plastimatch", "read-rtdose", "dose-summation-beam"): ("fail", {"beam-dose-read-as-plan-dose": 10}, []),
    ("plastimatch", "read-rtdose", "position-hfdl"): ("fail", {"decubitus-dose-directions-negated": 9}, []),
    ("pycerr", "read-rtdose", "dose-summation-beam"): ("fail", {"beam-doses-stop-the-import": 15}, []),
    ("pycerr", "read-rtstruct", "roi-without-contours"): ("fail", {"roi-without-contours-dropped": 2,
                                                                   "pixel-spacing-read-as-column-row": 1}, []),
    ("pycerr", "read-rtstruct", "ct-nonuniform-slices"): ("fail", {"contours-between-slices-dropped": 5}, []),
    ("matrad", "read-rtstruct", "ct-nonuniform-slices"): ("fail", {"slice-thickness-from-one-image": 3,
                                                                   "structure-dropped-when-one-contour-fails": 1}, []),
    ("matrad", "read-rtstruct", "position-hfdl"): ("fail", {"decubitus-grid-collapses": 5}, []),
    # a name matRad changed: the quantity is there under the new name, not missing for a 1.5x slab
    ("matrad", "read-rtstruct", "names-utf8"): ("fail", {"slice-thickness-from-one-image": 3,
                                                         "structure-names-non-alphanumerics-replaced": 3}, []),
    ("plastimatch", "read-ct", "ct-jpeg-ls"): ("fail", {"plastimatch-cannot-decode-jpeg-ls-or-jpeg2000": 9}, []),
    # the sheared stack of a gantry-tilted CT read as a box along the image normal
    ("simpleitk", "read-ct", "ct-gantry-tilt"): ("fail", {"gantry-tilt-read-as-a-box-along-the-normal": 2}, []),
    # a hang explains the whole check, not verdicts: none were judged
    ("imagej", "read-ct", "ct-jpeg2000"): ("fail", {"compressed-dicom-dialog-hangs-batch-mode": 0}, []),
    # ImageJ's pixels and a check program that follows the orientation: a prone series reads right
    ("imagej", "read-ct", "position-hfp"): ("pass", {}, []),
}


@pytest.mark.parametrize("case", sorted(EXPECTED), ids=lambda c: "-".join(c))
def test_recorded_outputs_are_judged_with_their_root_causes(judged, case):
    status, expected_findings, conventions = EXPECTED[case]
    result = judged[case]
    assert result.status == status, result.reason
    assert explained(result) == expected_findings
    assert result.conventions == conventions


def test_every_failing_verdict_of_the_recorded_run_has_a_finding(judged):
    for case, result in judged.items():
        assert findings.unexplained([v for v in result.verdicts], result.findings) == [], case


def test_the_unscaled_dose_evidence_states_the_factor(judged):
    (ref,) = [r for r in judged["imagej", "read-rtdose"].findings if r.id == "dose-grid-scaling-not-applied"]
    assert ref.evidence == "observed / expected = 1e+05 = 1 / DoseGridScaling (1e-05) for 10 dose value(s)"


def test_the_no_end_caps_convention_is_credited_where_the_tools_volumes_follow_it(judged):
    verdicts = {v.key: v for v in judged["dicompyler-core", "read-rtstruct"].verdicts}
    assert verdicts["rtstruct.roi.BODY.volume_cc"].convention == "no-end-caps"
    assert verdicts["rtstruct.roi.Sphere.volume_cc"].outcome == "fail"


def test_a_dvh_value_at_the_no_end_caps_alternative_is_not_credited_without_evidence():
    """dicompyler-core's DVHs use full slabs (its DVH volume is the end-capped one), so a
    D1 at the no-end-caps value would be a failure, not the convention it lands on, even
    were the convention declared for its DVH check as it is for its structure volumes."""
    item = next(i for i in RECORDED if (i["tool"], i["check"], i.get("fixture", "reference"))
                == ("dicompyler-core", "dvh", "reference"))
    judged = Judged()
    truth = load_truth(fixtures_dir(ROOT) / "reference")
    alternative = next(a for a in truth["dvh.CylinderSI.D1_gy"].alternatives if a.name == "no-end-caps")
    declared = next(c for c in judged.manifests["dicompyler-core"].checks if c.id == "dvh")
    check = next(p.check for p in plan(declared, judged.sets) if p.fixture == "reference")
    check = check.model_copy(update={"conventions": {"no-end-caps": "dicompylercore/dicomparser.py, as declared"}})
    observed = {**item["observed"], "dvh.CylinderSI.D1_gy": alternative.value}
    result = conclude(check, truth, ProcessFacts(**item["process"]), observed, tool_id="dicompyler-core")
    verdicts = {v.key: v for v in result.verdicts}
    assert observed["dvh.CylinderSI.volume_cc"] > 10.3  # its DVH volume: the end-capped one, not 9.95
    assert verdicts["dvh.CylinderSI.D1_gy"].outcome == "fail"


def test_cerrs_grays_is_a_declared_synonym_of_gy(judged):
    verdicts = {v.key: v for v in judged["pycerr", "read-rtdose"].verdicts}
    assert verdicts["dose.units"].observed == "GRAYS" and verdicts["dose.units"].outcome == "pass"


def test_cerrs_rounded_beam_table_and_exact_plan_structure_are_told_apart(judged):
    table = {v.key: v for v in judged["cerr", "beam-table"].verdicts}
    plan = {v.key: v for v in judged["cerr", "read-rtplan"].verdicts}
    assert table["plan.beam_meterset_mu"].observed == [61, 57, 64, 56]
    assert plan["plan.beam_meterset_mu"].passed


def test_every_declared_finding_loads_and_names_a_known_rule():
    declared = findings.declarations()
    assert {d.id for d in declared} >= {ids for _, found, _ in EXPECTED.values() for ids in found}
    for declaration in declared:
        assert declaration.rule in findings.RULES
        assert set(declaration.source) | set(declaration.upstream) | set(declaration.call), declaration.id


def test_every_declared_finding_is_exercised_by_a_recorded_output():
    exercised = {ids for _, found, _ in EXPECTED.values() for ids in found}
    assert {d.id for d in findings.declarations()} == exercised


def test_a_finding_file_whose_id_differs_from_its_name_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "findings"
    bad.mkdir()
    (bad / "one.yaml").write_text("id: two\ntitle: t\nexplanation: e\ntools: ['*']\nkeys: ['*']\n"
                                  "rule: wrong\nevidence: x\n")

    class Files:
        def joinpath(self, name):
            return bad

    monkeypatch.setattr(findings.resources, "files", lambda package: Files())
    findings.declarations.cache_clear()
    try:
        with pytest.raises(findings.FindingError, match="one.yaml: id 'two' must match the file name"):
            findings.declarations()
    finally:
        findings.declarations.cache_clear()


def test_every_rule_is_documented_for_contributors():
    text = (ROOT / "docs" / "findings.md").read_text()
    for rule in findings.RULES:
        assert f"| `{rule}` |" in text, rule
