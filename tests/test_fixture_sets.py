"""A check runs on every fixture set that probes its capability, is judged there on the
quantities that set has, and a manifest can opt it out of a set with a reason."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from standins import fixture_set, write_manifest

from harness.cli import main
from harness.fixture_sets import discover, plan
from harness.manifest import Check


@pytest.fixture
def sets(project: Path) -> Path:
    fixture_set(project, "reference", {"ct.rows": 4, "plan.label": "P", "dose.max_gy": 70.0})
    fixture_set(project, "no-plan", {"ct.rows": 4, "dose.max_gy": 70.0}, probes=["read-ct", "read-rtdose"])
    fixture_set(project, "dose-only", {"ct.rows": 4, "plan.label": "P", "dose.max_gy": 70.0}, probes=["read-rtdose"])
    return project


def check(capability: str = "read-ct", judge=("ct.rows", "plan.label"), **extra) -> Check:
    return Check(id="c", capability=capability, program="p.py", judge=list(judge), **extra)


def test_the_reference_probes_everything_a_variant_what_it_says_a_bare_set_nothing(sets):
    found = discover(sets / "fixtures" / "dicom")
    assert [s.name for s in found] == ["reference", "dose-only", "no-plan", "tiny"]
    assert [p.fixture for p in plan(check("read-ct"), found)] == ["reference", "no-plan"]
    assert [p.fixture for p in plan(check("read-rtdose"), found)] == ["reference", "dose-only", "no-plan"]
    assert [p.fixture for p in plan(check("dvh"), found)] == ["reference"]
    assert [p.fixture for p in plan(check("dvh", fixture="tiny"), found)] == ["tiny"]


def test_on_a_variant_a_pattern_naming_only_what_it_leaves_out_is_dropped_and_a_typo_is_kept(sets):
    found = discover(sets / "fixtures" / "dicom")
    planned = {p.fixture: p.check for p in plan(check(judge=("ct.rows", "plan.*", "ct.rwos")), found)}
    assert planned["reference"].judge == ["ct.rows", "plan.*", "ct.rwos"]
    assert planned["no-plan"].judge == ["ct.rows", "ct.rwos"]


def test_a_check_requiring_only_what_a_set_leaves_out_is_not_applicable_there(sets):
    found = discover(sets / "fixtures" / "dicom")
    planned = {p.fixture: p for p in plan(check("read-rtdose", judge=("plan.*", "ct.rows"), optional=["ct.rows"]),
                                          found)}
    assert planned["reference"].not_applicable is None and planned["dose-only"].not_applicable is None
    assert planned["no-plan"].not_applicable == "nothing it requires is in this set (plan.*: none here)"
    # a pattern the reference lacks too is a typo, and the check's error says so: it applies
    typo = {p.fixture: p for p in plan(check("read-rtdose", judge=("plan.lable",)), found)}
    assert typo["no-plan"].not_applicable is None


def test_a_check_that_does_not_apply_reads_n_a_with_the_reason(sets):
    stand_in(sets, "beams", '{"plan.label": "P", "dose.max_gy": 70.0}', """\
        - id: beam-table
          capability: read-rtdose
          program: checks/read.py
          judge: [plan.label, dose.max_gy]
          optional: [dose.max_gy]
        """, "A stand-in tool whose check is about the plan.")
    assert main(["run", "--results", str(sets / "results.json"), "--tool", "beams"]) == 0
    (tool,) = json.loads((sets / "results.json").read_text())["tools"]
    by_set = {c["fixture"]: c for c in tool["checks"]}
    assert by_set["reference"]["status"] == "pass" and by_set["dose-only"]["status"] == "pass"
    assert by_set["no-plan"]["status"] == "unavailable"
    assert by_set["no-plan"]["reason"] == "not applicable on the no-plan set: nothing it requires is in this set " \
                                          "(plan.label: none here)"


def stand_in(project: Path, tool_id: str, output: str, checks: str, summary: str) -> None:
    """A tool whose check program prints ``output``, declared with ``checks``."""
    programs = project / "tool_manifests" / tool_id / "checks"
    programs.mkdir(parents=True)
    (programs / "read.py").write_text(f"print({output!r})\n")
    write_manifest(project, tool_id, checks, summary=summary)


def opt_out_tool(project: Path) -> None:
    stand_in(project, "opt", '{"ct.rows": 4}', """\
        - id: read-ct
          capability: read-ct
          program: checks/read.py
          judge: [ct.rows]
          skip_sets: {no-plan: the tool reads a plan first and this set has none}
        """, "A stand-in tool that opts out of one set.")


def run_rows(project: Path, *args: str) -> dict:
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "opt", *args]) == 0
    return {(c["id"], c["fixture"]): c for c in json.loads(results.read_text())["tools"][0]["checks"]}


def test_an_opt_out_is_a_skip_row_with_its_reason_and_the_other_sets_run(sets):
    opt_out_tool(sets)
    rows = run_rows(sets)
    assert rows[("read-ct", "reference")]["status"] == "pass"
    skipped = rows[("read-ct", "no-plan")]
    assert skipped["status"] == "skip"
    assert skipped["reason"] == "not run on the no-plan set: the tool reads a plan first and this set has none"
    assert set(rows) == {("read-ct", "reference"), ("read-ct", "no-plan")}


def test_a_run_restricted_to_one_set_runs_only_that_sets_checks(sets):
    opt_out_tool(sets)
    assert set(run_rows(sets, "--set", "reference")) == {("read-ct", "reference")}


def test_a_set_that_does_not_exist_is_an_error_naming_the_known_sets(sets, capsys):
    opt_out_tool(sets)
    assert main(["run", "--tool", "opt", "--set", "refrence"]) == 1
    err = capsys.readouterr().err
    assert "no fixture set named refrence" in err and "known: reference, dose-only, no-plan, tiny" in err


def test_validate_names_an_opt_out_of_a_set_that_does_not_exist(sets, capsys):
    checks = sets / "tool_manifests" / "typo" / "checks"
    checks.mkdir(parents=True)
    (checks / "read.py").write_text("print('{}')\n")
    manifest = sets / "tool_manifests" / "typo.yaml"
    manifest.write_text(textwrap.dedent("""\
        id: typo
        name: typo
        summary: A stand-in tool.
        homepage: https://example.org/typo
        licence: MIT
        section: Beyond the source catalogue
        in_source_catalogue: false
        install: {backend: debian, packages: [coreutils]}
        checks:
          - id: read-ct
            capability: read-ct
            program: checks/read.py
            judge: [ct.rows]
            skip_sets: {no-plna: a typo}
        """))
    assert main(["validate", str(manifest)]) == 1
    assert "typo.yaml:14: checks.0.skip_sets: no fixture set 'no-plna'" in capsys.readouterr().out


def test_a_parallel_run_spreads_a_tools_sets_over_workers_and_keeps_the_serial_rows_in_order(sets):
    checks = sets / "tool_manifests" / "two" / "checks"
    checks.mkdir(parents=True)
    (checks / "read.py").write_text('print(\'{"ct.rows": 4, "dose.max_gy": 70.0}\')\n')
    write_manifest(sets, "two", """\
        - {id: read-ct, capability: read-ct, program: checks/read.py, judge: [ct.rows]}
        - {id: read-rtdose, capability: read-rtdose, program: checks/read.py, judge: [dose.max_gy]}
        """, summary="A stand-in tool with two checks on several sets.")

    def rows(*workers: str) -> tuple[list, dict]:
        results = sets / "results.json"
        assert main(["run", "--results", str(results), "--tool", "two", *workers]) == 0
        (tool,) = json.loads(results.read_text())["tools"]
        return [(c["id"], c["fixture"], c["status"]) for c in tool["checks"]], tool["install"]

    serial, serial_install = rows()
    parallel, parallel_install = rows("-n", "2")
    assert serial == [("read-ct", "reference", "pass"), ("read-ct", "no-plan", "pass"),
                      ("read-rtdose", "reference", "pass"), ("read-rtdose", "dose-only", "pass"),
                      ("read-rtdose", "no-plan", "pass")]
    assert parallel == serial
    assert parallel_install["status"] == serial_install["status"] == "pass"


def test_a_merge_judges_each_set_against_its_own_truth(sets):
    from harness.merge import merge_results

    fixture_set(sets, "no-plan", {"ct.rows": 5, "dose.max_gy": 70.0}, probes=["read-ct", "read-rtdose"])
    checks = sets / "tool_manifests" / "per-set" / "checks"
    checks.mkdir(parents=True)
    (checks / "read.py").write_text("import sys\nrows = 5 if sys.argv[1].endswith('no-plan') else 4\n"
                                    "print('{\"ct.rows\": %d}' % rows)\n")
    write_manifest(sets, "per-set", """\
        - id: read-ct
          capability: read-ct
          program: checks/read.py
          judge: [ct.rows]
        """, summary="A stand-in tool that reads each set right.")
    shard = sets / "shard.json"
    assert main(["run", "--results", str(shard), "--tool", "per-set"]) == 0
    (tool,) = merge_results([shard])[0].tools
    assert {(c.fixture, c.status) for c in tool.checks} == {("reference", "pass"), ("no-plan", "pass")}


def test_a_row_a_shard_lacks_on_a_set_the_manifest_opts_out_of_is_that_skip(sets):
    from harness.merge import merge_results
    from harness.results import read_results, write_results

    opt_out_tool(sets)
    shard = sets / "shard.json"
    assert main(["run", "--results", str(shard), "--tool", "opt"]) == 0
    results = read_results(shard)
    results.tools[0].checks = [c for c in results.tools[0].checks if c.fixture != "no-plan"]
    write_results(results, shard)
    (tool,) = merge_results([shard])[0].tools
    rows = {c.fixture: (c.status, c.reason) for c in tool.checks}
    assert rows["no-plan"] == ("skip", "not run on the no-plan set: the tool reads a plan first and this set has none")
