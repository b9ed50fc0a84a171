"""``ToolRun.run_check`` on its own: the set a check runs on, and what becomes of a set
that is not there or a fault of the harness's own (an error row, never a lost one)."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest
from standins import fixture_set, write_tool

from harness.single import tool_run

GOOD = 'echo \'{"ct.rows": 4, "dose.max_gy": 70.5}\''


@pytest.fixture
def run_of(tmp_path: Path):
    """The run of a tool by id, its scratch copies of the fixture sets removed afterwards."""
    made = []

    def make(tool_id: str):
        made.append(tool_run(tool_id, allow_apt=False, run_dir=tmp_path / "run"))
        return made[-1]

    yield make
    for one in made:
        one.guard.cleanup()


@pytest.fixture
def run(project: Path, run_of):
    write_tool(project, "solo", GOOD)
    fixture_set(project, "reference", {"ct.rows": 4, "dose.max_gy": 70.5})
    return run_of("solo")


def test_a_check_that_names_no_set_runs_on_the_reference_set(run):
    unnamed = run.manifest.checks[0].model_copy(update={"fixture": None})
    result = run.run_check(unnamed)
    assert (result.status, result.fixture, result.id) == ("pass", "reference", "read")


def test_a_set_that_is_not_there_is_an_error_row_naming_it(run, project):
    elsewhere = run.manifest.checks[0].model_copy(update={"fixture": "absent"})
    result = run.run_check(elsewhere)
    assert (result.status, result.fixture, result.reason) == (
        "error", "absent",
        f"fixture set 'absent': no fixture set at {project / 'fixtures' / 'dicom' / 'absent'} (rtcompat fixtures build)")


def test_a_fault_of_the_harness_is_an_error_row_saying_what_it_was(run, monkeypatch):
    def broken(name):
        raise RuntimeError("the scratch disk vanished")

    monkeypatch.setattr(run.guard, "checked_out", broken)
    result = run.run_check(run.manifest.checks[0])
    assert (result.status, result.fixture, result.reason) == (
        "error", "tiny", "harness error while running the check: RuntimeError: the scratch disk vanished")


def test_a_manifest_tolerance_looser_than_the_truths_is_an_error_row_naming_both(run):
    from harness.manifest import Tolerance

    looser = run.manifest.checks[0].model_copy(update={"tolerances": {"dose.*": Tolerance(rel=0.1)}})
    result = run.run_check(looser)
    assert (result.status, result.reason) == (
        "error", ("manifest tolerance 'dose.*' is looser than the truth's derived tolerance for dose.max_gy "
                  "(a manifest may only tighten)"))


def test_a_judged_row_names_the_program_it_came_from(run):
    result = run.run_check(run.manifest.checks[0])
    assert (result.status, result.program) == ("pass", "solo/checks/check.sh")


def test_an_observed_row_names_the_program_it_came_from(run):
    observing = dataclasses.replace(run, observe_only=True)
    result = observing.run_check(run.manifest.checks[0])
    assert (result.status, result.program) == ("observed", "solo/checks/check.sh")


def test_checks_sharing_a_program_run_it_under_the_longest_of_their_timeouts(project, run_of):
    write_tool(project, "patient", "sleep 1.5; " + GOOD, timeout=1)
    manifest = project / "tool_manifests" / "patient.yaml"
    manifest.write_text(manifest.read_text() + textwrap.indent(textwrap.dedent("""\
        - id: again
          capability: read-ct
          program: checks/check.sh
          fixture: tiny
          judge: ["ct.rows"]
          timeout: 30
        """), "  "))
    one = run_of("patient")
    first = one.run_check(one.manifest.checks[0])
    assert (first.status, first.id) == ("pass", "read")


def test_a_failing_verdict_is_explained_by_a_finding_declared_for_this_tool(project, run_of, monkeypatch):
    from harness.judging import findings

    write_tool(project, "solo", 'echo \'{"ct.rows": 4, "dose.max_gy": 141.0}\'')
    fixture_set(project, "tiny", {"ct.rows": 4, "dose.max_gy": 70.5})
    doubled = findings.Declaration(id="solo-doubles-dose", title="t", explanation="e", tools=["solo"],
                                   keys=["dose.*"], rule="wrong", evidence="{observed} for {expected}")
    monkeypatch.setattr(findings, "declarations", lambda: (doubled,))
    one = run_of("solo")
    result = one.run_check(one.manifest.checks[0])
    assert result.status == "fail"
    assert [(f.id, f.keys, f.evidence) for f in result.findings] == [("solo-doubles-dose", ["dose.max_gy"], "141.0 for 70.5")]
