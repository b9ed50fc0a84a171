"""The discriminating-power suite: every planted reader bug fails a check, a correct
reader passes everything, and a bug that changes nothing is reported as not caught."""

from __future__ import annotations

import json

import re

import pytest

from harness.judging.judge import load_truth
from harness.paths import fixtures_dir, project_root
from harness.power import suite
from harness.power.bugs import BUGS, PlantedBug
from harness.power.reader import LoadedSet, Reader

FIXTURES = fixtures_dir(project_root())


@pytest.fixture(scope="module")
def report() -> suite.PowerReport:
    return suite.run(FIXTURES)


def test_at_least_25_plausible_reader_bugs_are_planted_with_distinct_ids():
    assert len(BUGS) >= 25
    assert len({bug.id for bug in BUGS}) == len(BUGS)
    assert all(bug.reader is not Reader and issubclass(bug.reader, Reader) for bug in BUGS)


def test_every_set_a_bug_concerns_exists():
    assert {bug.concerns for bug in BUGS} <= {p.name for p in FIXTURES.iterdir()}


def test_a_finding_a_bug_was_seen_in_is_named_by_its_id_and_exists():
    """Finding numbers (F1, F2, ...) change with every report; ids do not."""
    known = {path.stem for path in (project_root() / "harness" / "judging" / "findings").glob("*.yaml")}
    named = {name for bug in BUGS for name in re.findall(r"\(finding ([^)]+)\)", bug.seen)}
    assert named and named <= known
    assert not [bug.id for bug in BUGS if re.search(r"\bF\d+\b", bug.seen)]


def test_the_reference_reader_passes_every_judged_quantity_of_every_fixture_set(report):
    assert len(report.control) == len([p for p in FIXTURES.iterdir() if (p / "truth.json").is_file()])
    assert [f"{s}: {v.message}" for s, v in report.control_failures] == []
    # and it was judged on every quantity the set states: DVHs, doses, HU (a CT-only set has only HU
    # and geometry)
    for outcome in report.control:
        truth = json.loads((FIXTURES / outcome.set / "truth.json").read_text())["quantities"]
        measured = [k for k in truth if not k.startswith("set.")]  # identifiers are not what it reads
        assert outcome.judged >= min(len(measured), 20), outcome.set


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.id)
def test_the_fixtures_catch_the_planted_bug(report, bug):
    result = next(r for r in report.bugs if r.bug.id == bug.id)
    assert result.caught, result.evidence
    # caught by a wrong number, not only by the reader falling over
    assert any(v.observed is not None for o in result.outcomes for v in o.failed), result.evidence


class _Unchanged(Reader):
    """A 'bug' that reads exactly as the reference reader does."""


def test_a_bug_that_changes_nothing_is_reported_as_not_caught():
    harmless = PlantedBug("harmless", "nothing wrong", _Unchanged)
    report = suite.run(FIXTURES, sets=["reference"], bugs=(harmless,))
    [result] = report.bugs
    assert not result.caught and report.caught == 0
    assert result.evidence == "every judged quantity within tolerance on reference"
    assert report.summary()["bugs"][0] == {"id": "harmless", "title": "nothing wrong", "concerns": "reference",
                                           "seen": "", "caught": False,
                                           "evidence": "every judged quantity within tolerance on reference"}


def test_a_caught_bug_names_the_quantity_furthest_out():
    data, truth = LoadedSet.read(FIXTURES / "reference"), load_truth(FIXTURES / "reference")
    bug = next(b for b in BUGS if b.id == "dose-scaling-ignored")
    result = suite.BugResult(bug, [suite.run_reader(bug.reader, data, truth)])
    assert result.evidence.startswith("reference: dose.")
    assert "x 1e+05" in result.evidence


def test_the_summary_is_what_the_results_file_records(report):
    summary = suite.PowerSummary.model_validate(report.summary())
    assert (summary.caught, summary.planted) == (report.caught, len(BUGS))
    assert summary.missed == [] and summary.control_failures == []


def test_no_convention_credit_could_be_a_planted_bug_in_disguise():
    """A convention is credited when a value matches its alternative; on these sets no
    planted bug (other than the convention done silently) lands within reach of one, so a
    credited convention cannot be a bug's value. Checked where the conventions live: the
    structures and DVHs of every set, the origins of the reoriented ones."""
    found = suite.ambiguities(FIXTURES, ["reference", "ct-nonuniform-slices", "position-ffs", "position-hfp", "position-hfdl"])
    assert [f"{a.set} {a.key} {a.convention}: {a.bug} {a.bug_value}" for a in found] == []
