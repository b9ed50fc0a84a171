"""``ToolRun.run_check`` on its own: the set a check runs on, and what becomes of a set
that is not there or a fault of the harness's own (an error row, never a lost one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from standins import fixture_set, write_tool

from harness.single import tool_run

GOOD = 'echo \'{"ct.rows": 4, "dose.max_gy": 70.5}\''


@pytest.fixture
def run(project: Path, tmp_path: Path):
    write_tool(project, "solo", GOOD)
    fixture_set(project, "reference", {"ct.rows": 4, "dose.max_gy": 70.5})
    one = tool_run("solo", allow_apt=False, run_dir=tmp_path / "run")
    yield one
    one.guard.cleanup()


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
