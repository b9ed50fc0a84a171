"""No pass without earning it: each way a check could pass without reading the files right.

Stand-in tools are small Python programs run through the real harness (``rtcompat run``
in-process, the ``debian`` backend, the tiny fixture set). Each test names the class of
attack it closes; each fails when that protection is removed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from standins import write_python_tool

from harness.cli import main
from harness.merge import MergeError, merge_results
from harness.report.model import overall_status
from harness.results import read_results, write_results

CORRECT = 'print(\'{"ct.rows": 4, "dose.max_gy": 70.5}\')'


def run(project: Path, *tools: str, expect_code: int = 0) -> dict:
    results = project / "results.json"
    args = ["run", "--results", str(results)] + [a for t in tools for a in ("--tool", t)]
    assert main(args) == expect_code
    return json.loads(results.read_text())


def checks_of(data: dict) -> dict:
    return {(t["id"], c["id"]): c for t in data["tools"] for c in t["checks"]}


def test_a_check_cannot_find_the_truth_beside_the_dicom_files(project):
    """The fixture copy holds DICOM files and points.json only: printing truth.json or the
    README, the two files that state the answers, is impossible."""
    write_python_tool(project, "cheat", """\
        import json, os, sys
        fixture = sys.argv[1]
        seen = sorted(os.listdir(fixture))
        truth = os.path.join(fixture, "truth.json")
        out = {k: q["value"] for k, q in json.load(open(truth))["quantities"].items()} if os.path.exists(truth) else {}
        out["seen"] = seen
        print(json.dumps(out))
        """)
    (project / "fixtures/dicom/tiny/README.md").write_text("ct.rows = 4\n")
    (project / "fixtures/dicom/tiny/points.json").write_text("{}")
    check = checks_of(run(project, "cheat"))[("cheat", "read")]
    assert check["status"] == "fail"
    assert check["observed"]["seen"] == ["data.dcm", "points.json"]


def test_rewriting_the_committed_truth_stops_the_run_naming_the_file(project, capsys):
    """A check that finds the committed truth.json and rewrites it: the run stops with an
    error naming the file, and no later verdict is judged against the changed truth."""
    truth = project / "fixtures/dicom/tiny/truth.json"
    write_python_tool(project, "a-forger", f"""\
        import json
        path = {str(truth)!r}
        data = json.load(open(path))
        data["quantities"]["dose.max_gy"]["value"] = 999.0
        open(path, "w").write(json.dumps(data))
        print('{{"ct.rows": 4, "dose.max_gy": 999.0}}')
        """)
    write_python_tool(project, "b-later", 'print(\'{"ct.rows": 4, "dose.max_gy": 999.0}\')')
    data = run(project, "a-forger", "b-later", expect_code=1)
    err = capsys.readouterr().err
    assert "run stopped" in err and str(truth) in err
    assert data["run"]["stopped"] and data["run"]["partial"] is True
    checks = checks_of(data)
    assert checks[("a-forger", "read")]["status"] == "error"
    assert ("b-later", "read") not in checks or checks[("b-later", "read")]["status"] != "pass"


def test_a_judge_pattern_that_names_nothing_is_a_validate_error_with_its_line(project, capsys):
    manifest = write_python_tool(project, "typo", CORRECT,
                                 judge='["ct.rows", "rtstruct.roi.*.volume"]')
    assert main(["validate", str(manifest)]) == 1
    out = capsys.readouterr().out
    line = next(n for n, text in enumerate(manifest.read_text().splitlines(), 1) if "judge:" in text)
    assert f"typo.yaml:{line}: checks.0.judge: pattern 'rtstruct.roi.*.volume' matches no quantity" in out


def test_a_judge_pattern_that_names_nothing_is_an_error_row_at_run_time(project):
    write_python_tool(project, "typo", CORRECT, judge='["ct.rows", "rtstruct.roi.*.volume"]')
    check = checks_of(run(project, "typo"))[("typo", "read")]
    assert check["status"] == "error" and "matches no quantity" in check["reason"]


@pytest.mark.parametrize(("check_lines", "message"), [
    ("expect: {k: null}\n", "an expectation must be a boolean, a finite number, a string"),
    ('command: ["{pythn}", "{program}"]\n', "unknown placeholder {pythn}"),
], ids=["null-expectation", "placeholder-typo"])
def test_a_check_that_cannot_run_as_declared_is_refused_by_validate(project, capsys, check_lines, message):
    manifest = write_python_tool(project, "odd", CORRECT, check_lines=check_lines)
    assert main(["validate", str(manifest)]) == 1
    assert message in capsys.readouterr().out


def test_an_over_long_check_id_is_refused_by_validate(project, capsys):
    manifest = write_python_tool(project, "long", CORRECT)
    manifest.write_text(manifest.read_text().replace("- id: read", "- id: " + "r" * 300))
    assert main(["validate", str(manifest)]) == 1
    assert "checks.0.id" in capsys.readouterr().out


def test_an_exception_while_judging_is_the_checks_error_row_and_the_tool_is_not_a_pass(project, monkeypatch):
    import harness.runner

    def explode(*args, **kwargs):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(harness.runner, "conclude", explode)
    write_python_tool(project, "boom", CORRECT)
    data = run(project, "boom")
    check = checks_of(data)[("boom", "read")]
    assert check["status"] == "error" and "OverflowError" in check["reason"]
    tool = read_results(project / "results.json").tools[0]
    assert overall_status(tool) == "error"


def test_true_is_not_one(project):
    write_python_tool(project, "truthy", 'print(\'{"ok": 1}\')', judge="[]", check_lines="expect: {ok: true}\n")
    check = checks_of(run(project, "truthy"))[("truthy", "read")]
    assert check["status"] == "fail"


@pytest.mark.parametrize(("ending", "said"), [
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", "crashed (signal 11)"),
    ("raise SystemExit(1)", "exited with code 1"),
], ids=["segfault", "exit-1"])
def test_correct_output_followed_by_a_crash_is_a_failure_with_the_observations_kept(project, ending, said):
    write_python_tool(project, "crashy", f"import sys\n{CORRECT}\nsys.stdout.flush()\n{ending}\n")
    check = checks_of(run(project, "crashy"))[("crashy", "read")]
    assert check["status"] == "fail" and said in check["reason"]
    assert check["observed"]["dose.max_gy"] == 70.5
    assert all(v["passed"] for v in check["verdicts"])


# --- merge: a shard's statuses are judged again, never trusted ----------------------

@pytest.fixture
def shard(project) -> Path:
    """A genuine shard: a correct stand-in tool, run for real."""
    write_python_tool(project, "honest", CORRECT)
    run(project, "honest")
    return project / "results.json"


def _tamper(path: Path, change) -> Path:
    results = read_results(path)
    change(results.tools[0])
    out = path.with_name("tampered.json")
    write_results(results, out)
    return out


def test_a_genuine_shard_merges(shard):
    merged, _ = merge_results([shard])
    assert merged.tools[0].checks[0].status == "pass"


def test_merge_refuses_a_pass_with_no_observations(shard):
    def empty(tool):
        check = tool.checks[0]
        check.observed.clear()
        check.verdicts.clear()
    with pytest.raises(MergeError, match="claims pass; its own observations judge fail"):
        merge_results([_tamper(shard, empty)])


def test_merge_refuses_a_pass_whose_observations_are_wrong(shard):
    def wrong(tool):
        tool.checks[0].observed["dose.max_gy"] = 999.0
    with pytest.raises(MergeError, match="claims pass; its own observations judge fail"):
        merge_results([_tamper(shard, wrong)])


def test_merge_refuses_a_pass_whose_verdicts_all_failed(shard):
    def failed(tool):
        for verdict in tool.checks[0].verdicts:
            verdict.__dict__.update(passed=False, outcome="fail")
    with pytest.raises(MergeError, match="claims verdicts its observations contradict"):
        merge_results([_tamper(shard, failed)])


def test_merge_refuses_a_verdict_on_a_tool_that_did_not_install(shard):
    def broken(tool):
        tool.install.__dict__.update(status="error", reason="install failed")
    with pytest.raises(MergeError, match="although the tool's install is error"):
        merge_results([_tamper(shard, broken)])


def test_merge_refuses_a_shard_judged_against_another_truth(shard, project):
    truth = project / "fixtures/dicom/tiny/truth.json"
    truth.write_text(truth.read_text().replace("70.0", "71.0"))
    with pytest.raises(MergeError, match="cannot be judged again here"):
        merge_results([shard])
