"""A catalogue run through pytest: every misbehaviour of a check becomes a status with a reason.

Stand-in tools are shell programs run through the ``debian`` backend (coreutils is
always installed), against a tiny fixture set; the run goes through ``rtcompat run``
exactly as a person would start it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from standins import write_tool

from harness.cli import main

GOOD_JSON = 'echo \'{"ct.rows": 4, "dose.max_gy": 70.5}\''


def run_catalogue(project: Path, *tools: str) -> dict:
    results = project / "results.json"
    args = ["run", "--results", str(results)] + [a for t in tools for a in ("--tool", t)]
    assert main(args) == 0
    data = json.loads(results.read_text())
    return {(tool["id"], check["id"]): check for tool in data["tools"] for check in tool["checks"]} | {
        (tool["id"], "install"): tool["install"] for tool in data["tools"]}


@pytest.mark.parametrize(
    ("script", "status", "reason_part"),
    [
        (GOOD_JSON, "pass", "2 quantities within tolerance"),
        ('echo \'{"ct.rows": 4, "dose.max_gy": 99}\'', "fail", "dose.max_gy 99 Gy vs 70 Gy (+29 Gy, +41.4 %, tolerance 3 %)"),
        ("exit 0", "fail", "exit code 0 and no output"),
        ("echo this is not json; exit 3", "fail", "printed no JSON observations"),
        ("""python3 -c 'print("{\\"k\\": " + "[" * 10**5 + "]" * 10**5 + "}")'""", "fail",
         "printed no JSON observations"),
        ("kill -SEGV $$", "fail", "crashed (signal 11)"),
        ("sleep 60", "fail", "timed out after 2 s (process group killed)"),
        ("head -c 20000000 /dev/zero | tr '\\0' x", "fail", "(truncated"),
        ('echo \'{"ct.rows": 4, "_errors": {"dose": "cannot decode"}}\'', "fail",
         "dose.max_gy not reported: cannot decode"),
    ],
    ids=["correct", "wrong", "silent", "garbage", "too-deep", "segfault", "hang", "flood", "tool-error"],
)
def test_each_check_outcome_is_a_status_with_its_reason(project, script, status, reason_part):
    write_tool(project, "standin", script, timeout=2)
    check = run_catalogue(project, "standin")[("standin", "read")]
    assert check["status"] == status
    assert reason_part in check["reason"]


def test_a_check_that_writes_into_its_fixture_fails_and_the_fixture_is_untouched(project):
    write_tool(project, "vandal", f'chmod -R u+w "$1"; echo x >> "$1/data.dcm"; {GOOD_JSON}')
    before = (project / "fixtures/dicom/tiny/data.dcm").read_bytes()
    check = run_catalogue(project, "vandal")[("vandal", "read")]
    assert check["status"] == "fail" and "modified the fixture set" in check["reason"]
    assert (project / "fixtures/dicom/tiny/data.dcm").read_bytes() == before


def test_an_invalid_manifest_keeps_its_row_as_an_error_and_the_others_still_run(project, capsys):
    write_tool(project, "fine", GOOD_JSON)
    (project / "tool_manifests" / "broken.yaml").write_text("id: broken\nname: [unclosed\n")
    results = project / "results.json"
    assert main(["run", "--results", str(results)]) == 1
    err = capsys.readouterr().err
    assert f"rtcompat: {project / 'tool_manifests' / 'broken.yaml'}:" in err
    assert err.splitlines()[-1] == ("rtcompat: error: 1 invalid manifest, not run (each problem above; "
                                    "rtcompat validate checks a fix)")
    tools = {t["id"]: t for t in json.loads(results.read_text())["tools"]}
    assert tools["broken"]["install"]["status"] == "error"
    assert tools["broken"]["install"]["reason"].startswith("invalid manifest: ")
    assert tools["fine"]["checks"][0]["status"] == "pass"


def test_a_missing_debian_package_is_a_skip_naming_the_apt_command(project):
    write_tool(project, "absent", GOOD_JSON)
    manifest = project / "tool_manifests" / "absent.yaml"
    manifest.write_text(manifest.read_text().replace("[coreutils]", "[rtcompat-no-such-package]"))
    outcome = run_catalogue(project, "absent")
    assert outcome[("absent", "install")]["status"] == "skip"
    assert outcome[("absent", "install")]["enable"] == (
        "sudo apt-get install -y --no-install-recommends rtcompat-no-such-package")
    assert outcome[("absent", "read")]["status"] == "skip"


def test_an_unavailable_tool_keeps_its_row_with_the_reason(project):
    write_tool(project, "closed", GOOD_JSON)
    manifest = project / "tool_manifests" / "closed.yaml"
    text = manifest.read_text().replace("  backend: debian\n  packages: [coreutils]\n",
                                        "  backend: unavailable\n  reason: needs Windows\n")
    manifest.write_text(text)
    outcome = run_catalogue(project, "closed")
    assert outcome[("closed", "install")]["status"] == "unavailable"
    assert "needs Windows" in outcome[("closed", "install")]["reason"]
    assert outcome[("closed", "read")]["status"] == "unavailable"


def test_a_known_incompatibility_is_xfail_linked_upstream(project):
    write_tool(project, "known", 'echo \'{"ct.rows": 5, "dose.max_gy": 70}\'',
               extra="    xfail:\n      reason: reads rows off by one\n      issue: https://example.org/issues/1\n")
    check = run_catalogue(project, "known")[("known", "read")]
    assert check["status"] == "xfail" and check["xfail_issue"] == "https://example.org/issues/1"


def test_results_record_the_run_and_the_fixture_checksum(project):
    write_tool(project, "fine", GOOD_JSON)
    results = project / "results.json"
    main(["run", "--results", str(results), "--tool", "fine"])
    run = json.loads(results.read_text())["run"]
    assert set(run["fixtures"]) == {"tiny"} and len(run["fixtures"]["tiny"]) == 64
    assert run["partial"] is False and run["harness_version"]


def test_a_whole_catalogue_run_records_the_discriminating_power_and_a_partial_one_does_not(project, monkeypatch):
    from harness.power import suite
    from harness.results import PowerSummary

    summary = PowerSummary(caught=1, planted=1, control_sets=1,
                           bugs=[{"id": "mirror-x", "title": "mirrored", "caught": True, "evidence": "ct.hu"}])
    calls = []
    monkeypatch.setattr(suite, "summary_of", lambda root: calls.append(root) or summary)
    write_tool(project, "fine", GOOD_JSON)
    results = project / "results.json"
    assert main(["run", "--results", str(results)]) == 0
    assert json.loads(results.read_text())["run"]["power"]["caught"] == 1 and len(calls) == 1
    # a partial run keeps the earlier figure (same fixtures) without running the suite again
    assert main(["run", "--results", str(results), "--tool", "fine"]) == 0
    assert json.loads(results.read_text())["run"]["power"]["planted"] == 1 and len(calls) == 1


def test_a_failing_power_suite_leaves_the_rows_and_states_no_figure(project, monkeypatch, capsys):
    from harness.power import suite

    def broken(root):
        raise RuntimeError("no reference set here")

    monkeypatch.setattr(suite, "summary_of", broken)
    write_tool(project, "fine", GOOD_JSON)
    results = project / "results.json"
    assert main(["run", "--results", str(results)]) == 0
    data = json.loads(results.read_text())
    assert data["run"]["power"] is None and data["tools"][0]["checks"][0]["status"] == "pass"


def test_a_reason_is_made_portable_before_it_is_cut_so_no_fragment_of_a_path_remains(project):
    missing = project / "tool_manifests" / ("deep" * 20) / "libopencv_java.so"
    write_tool(project, "cutter", f"echo 'cannot open {missing}: {'x' * 150} no such file' >&2; exit 1")
    check = run_catalogue(project, "cutter")[("cutter", "read")]
    assert check["status"] == "fail"
    assert f"cannot open tool_manifests/{'deep' * 20}/libopencv_java.so" in check["reason"]
    assert str(project.parent.name) not in check["reason"]


def test_a_partial_run_in_a_fresh_clone_starts_from_the_committed_results(project, capsys):
    write_tool(project, "first", GOOD_JSON)
    write_tool(project, "second", GOOD_JSON)
    assert main(["run", "--report"]) == 0  # what a clone finds committed: reports/results.json
    committed = json.loads((project / "reports" / "results.json").read_text())
    (project / "results" / "latest.json").unlink()
    capsys.readouterr()
    assert main(["run", "--tool", "second"]) == 0
    assert "this run's rows were put over" in capsys.readouterr().out
    latest = json.loads((project / "results" / "latest.json").read_text())
    tools = {t["id"]: t for t in latest["tools"]}
    assert set(tools) == {"first", "second"}
    assert tools["first"]["produced"] == committed["run"]["started"]
    assert tools["second"]["produced"] == latest["run"]["started"] != committed["run"]["started"]


FINDING = """\
id: standin-cannot-decode-dose
title: The stand-in cannot decode the RT Dose
explanation: Its decoder stops at the first frame.
tools: ["{tools}"]
keys: ["dose.*"]
rule: tool-error
parameters: {{pattern: "cannot decode"}}
evidence: "{{error}} ({{count}} value(s) not shown)"
source:
  standin: "https://example.org/standin/decoder.py#L10"
"""


def test_a_finding_beside_the_tools_manifest_explains_its_fail(project, capsys):
    write_tool(project, "standin", 'echo \'{"ct.rows": 4, "_errors": {"dose": "cannot decode frame 1"}}\'')
    findings = project / "tool_manifests" / "standin" / "findings"
    findings.mkdir()
    (findings / "standin-cannot-decode-dose.yaml").write_text(FINDING.format(tools="standin"))
    assert main(["validate"]) == 0
    check = run_catalogue(project, "standin")[("standin", "read")]
    assert check["status"] == "fail"
    assert [(f["id"], f["evidence"]) for f in check["findings"]] == [
        ("standin-cannot-decode-dose", "cannot decode frame 1 (1 value(s) not shown)")]


@pytest.mark.parametrize(("tools", "said"), [("pydicom", "are not 'standin'"),
                                            ("*", "are not 'standin'")])
def test_a_finding_beside_a_manifest_may_concern_that_tool_only(project, capsys, tools, said):
    write_tool(project, "standin", GOOD_JSON)
    findings = project / "tool_manifests" / "standin" / "findings"
    findings.mkdir()
    (findings / "standin-cannot-decode-dose.yaml").write_text(FINDING.format(tools=tools))
    capsys.readouterr()
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "standin-cannot-decode-dose.yaml:1: standin-cannot-decode-dose.yaml: " in out and said in out


def test_a_tools_finding_cannot_take_an_id_declared_centrally(project, capsys):
    write_tool(project, "standin", GOOD_JSON)
    findings = project / "tool_manifests" / "standin" / "findings"
    findings.mkdir()
    (findings / "dose-grid-scaling-not-applied.yaml").write_text(
        FINDING.format(tools="standin").replace("standin-cannot-decode-dose", "dose-grid-scaling-not-applied"))
    capsys.readouterr()
    assert main(["validate"]) == 1
    assert "id 'dose-grid-scaling-not-applied' is declared already in findings/" in capsys.readouterr().out


def test_a_set_this_checkout_has_not_built_does_not_count_as_other_fixtures(tmp_path):
    from harness.pytest_plugin import update_rows
    from harness.results import (
        CheckResult,
        InstallResult,
        Results,
        RunInfo,
        ToolResult,
        write_results,
    )

    def run(started: str, fixtures: dict[str, str], tools: list[str]) -> Results:
        rows = [ToolResult(id=t, name=t, section="Beyond the source catalogue", in_source_catalogue=False,
                           backend="virtualenv", install=InstallResult(status="pass"),
                           checks=[CheckResult(id="read", capability="read-ct", status="pass", reason="ok",
                                               fixture=name) for name in fixtures]) for t in tools]
        return Results(run=RunInfo(started=started, host="h", platform="Linux", python="3.11",
                                   harness_version="0", fixtures=fixtures, partial=True), tools=rows)

    earlier = tmp_path / "latest.json"
    write_results(run("2026-01-01T00:00:00+00:00", {"big": "b" * 64, "reference": "a" * 64}, ["first", "second"]),
                  earlier)
    # a fresh clone: the large set is built on demand, and this run did not need it
    merged, notes = update_rows(earlier, run("2026-01-02T00:00:00+00:00", {"reference": "a" * 64}, ["second"]))
    assert notes == [] and [t.id for t in merged.tools] == ["first", "second"]
    assert merged.run.fixtures == {"big": "b" * 64, "reference": "a" * 64}
    assert [c.fixture for c in merged.tools[0].checks] == ["big", "reference"]
    # a set both recorded, with another checksum: the earlier rows were judged against other files
    merged, notes = update_rows(earlier, run("2026-01-02T00:00:00+00:00", {"reference": "c" * 64}, ["second"]))
    assert [t.id for t in merged.tools] == ["second"] and "other fixtures" in notes[0]
    assert merged.run.fixtures == {"reference": "c" * 64}
