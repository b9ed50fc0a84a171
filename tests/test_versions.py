"""A manifest that installs several versions of one tool: each is its own row, everywhere.

The stand-in tool installs coreutils through the ``debian`` backend twice, as "1.0" and
"2.0"; version 2.0 has a check of its own that reports a wrong dose. Every layer that
keys rows must keep the two apart: the run, a partial run, the CI matrix, the merge of
CI shards, history, the report, ``rtcompat check`` and the validator.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from harness.catalogue import load_catalogue
from harness.cli import main
from harness.history import record_of, trend
from harness.manifest_checks import validate_file
from harness.matrix import job_matrix
from harness.merge import merge_results
from harness.report.render import render_reports
from harness.results import read_results, write_results

RIGHT = "echo '{\"ct.rows\": 4, \"dose.max_gy\": 70.5}'"
WRONG = "echo '{\"ct.rows\": 4, \"dose.max_gy\": 99}'"


def write_two_versions(project: Path, tool_id: str = "duo") -> Path:
    checks = project / "tool_manifests" / tool_id / "checks"
    checks.mkdir(parents=True)
    (checks / "right.sh").write_text(RIGHT + "\n")
    (checks / "wrong.sh").write_text(WRONG + "\n")
    manifest = project / "tool_manifests" / f"{tool_id}.yaml"
    manifest.write_text(textwrap.dedent(f"""\
        id: {tool_id}
        name: Duo
        summary: A stand-in tool installed in two versions.
        homepage: https://example.org/{tool_id}
        licence: MIT
        section: Beyond the source catalogue
        in_source_catalogue: false
        versions:
          - id: "1.0"
            install:
              backend: debian
              packages: [coreutils]
          - id: "2.0"
            install:
              backend: debian
              packages: [coreutils]
            checks:
              - id: read
                capability: read-rtdose
                program: checks/wrong.sh
                fixture: tiny
                judge: ["ct.rows", "dose.max_gy"]
        checks:
          - id: read
            capability: read-rtdose
            program: checks/right.sh
            fixture: tiny
            judge: ["ct.rows", "dose.max_gy"]
        """))
    return manifest


def rows(results: Path) -> dict[str, dict]:
    return {f"{t['id']}@{t['variant']}" if t["variant"] else t["id"]: t
            for t in json.loads(results.read_text())["tools"]}


def test_each_version_is_its_own_row_with_its_own_checks(project):
    write_two_versions(project)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "duo"]) == 0
    found = rows(results)
    assert sorted(found) == ["duo@1.0", "duo@2.0"]
    assert found["duo@1.0"]["checks"][0]["status"] == "pass"
    assert found["duo@2.0"]["checks"][0]["status"] == "fail"
    assert {t["id"] for t in found.values()} == {"duo"}  # one tool, two versions


def test_a_run_of_one_version_replaces_only_that_row(project):
    write_two_versions(project)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "duo"]) == 0
    before = rows(results)
    assert main(["run", "--results", str(results), "--tool", "duo@2.0"]) == 0
    after = rows(results)
    assert sorted(after) == ["duo@1.0", "duo@2.0"]
    assert after["duo@1.0"]["produced"] == before["duo@1.0"]["produced"]
    assert after["duo@2.0"]["produced"] != before["duo@2.0"]["produced"]


def test_naming_a_version_the_manifest_does_not_install_is_refused(project, capsys):
    write_two_versions(project)
    assert main(["run", "--results", str(project / "r.json"), "--tool", "duo@3.0"]) != 0
    assert "duo@3.0: no such version (the manifest installs duo@1.0, duo@2.0)" in capsys.readouterr().err


def test_rtcompat_check_asks_which_version(project, capsys):
    write_two_versions(project)
    assert main(["check", "duo", "read"]) != 0
    assert "duo names no installed version; name one of: duo@1.0, duo@2.0" in capsys.readouterr().err
    assert main(["check", "duo@2.0", "read"]) != 0  # it ran: the wrong version's check fails
    assert "dose.max_gy 99 Gy vs 70 Gy" in capsys.readouterr().out


def test_the_ci_matrix_has_one_job_per_version(project):
    write_two_versions(project)
    jobs = job_matrix(load_catalogue())["include"]
    assert [job["tool"] for job in jobs] == ["duo@1.0", "duo@2.0"]
    assert all(job["backend"] == "debian" and job["needs_root"] for job in jobs)


def test_shards_of_two_versions_merge_into_two_rows_and_a_missing_version_is_an_error_row(project):
    write_two_versions(project)
    first, second = project / "a.json", project / "b.json"
    assert main(["run", "--results", str(first), "--tool", "duo@1.0"]) == 0
    assert main(["run", "--results", str(second), "--tool", "duo@2.0"]) == 0
    merged, _ = merge_results([first, second], catalogue=load_catalogue(),
                              fixtures_root=project / "fixtures" / "dicom")
    assert [(t.key, t.checks[0].status) for t in merged.tools] == [("duo@1.0", "pass"), ("duo@2.0", "fail")]
    alone, warnings = merge_results([first], catalogue=load_catalogue(), expected=load_catalogue(),
                                    fixtures_root=project / "fixtures" / "dicom")
    assert [(t.key, t.install.status) for t in alone.tools] == [("duo@1.0", "pass"), ("duo@2.0", "error")]
    assert any(w.startswith("duo@2.0: ") for w in warnings)


def test_history_keeps_the_versions_apart(project):
    write_two_versions(project)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "duo"]) == 0
    record = record_of(read_results(results))
    assert record.tools["duo@1.0"].checks == {"read[tiny]": "pass"}
    assert record.tools["duo@2.0"].checks == {"read[tiny]": "fail"}
    assert trend([record], "duo@2.0", "read[tiny]").kind == "new"


def test_the_report_shows_both_versions_under_the_tool_each_with_its_badge(project):
    write_two_versions(project)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "duo"]) == 0
    report = project / "reports"
    render_reports(read_results(results), report, history=False)
    badges = sorted(p.name for p in (report / "badges").iterdir())
    assert len(badges) == 2 and badges[0].startswith("duo-1-0-") and badges[1].startswith("duo-2-0-")
    lines = [line for line in (report / "compatibility.md").read_text().splitlines() if line.startswith("| [Duo]")]
    # coreutils reports its own version for both: the version id tells the rows apart
    assert [line.split(" | ")[1].rpartition(" ")[2] for line in lines] == ["(1.0)", "(2.0)"]
    html = (report / "index.html").read_text()
    assert 'data-tool="duo@1.0"' in html and 'data-tool="duo@2.0"' in html


@pytest.mark.parametrize(("change", "message"), [
    (lambda text: text.replace("checks:\n  - id: read", "install:\n  backend: debian\n  packages: [coreutils]\n"
                                                     "checks:\n  - id: read", 1),
     "give install or versions, not both"),
    (lambda text: text.replace('id: "2.0"', 'id: "1.0"'), "duplicate version id '1.0'"),
    (lambda text: text.replace('id: "2.0"', 'id: "Two Point O"'), "versions.1.id"),
])
def test_a_malformed_versions_list_is_refused_with_its_line(project, change, message):
    manifest = write_two_versions(project)
    manifest.write_text(change(manifest.read_text()))
    problems = validate_file(manifest, project / "fixtures" / "dicom")
    assert problems and any(message in str(p) for p in problems), problems


def test_a_version_check_problem_points_at_the_version_line(project):
    manifest = write_two_versions(project)
    manifest.write_text(manifest.read_text().replace("program: checks/wrong.sh", "program: checks/absent.sh"))
    (problem,) = validate_file(manifest, project / "fixtures" / "dicom")
    line = next(n for n, text in enumerate(manifest.read_text().splitlines(), 1) if "checks/absent.sh" in text)
    assert (problem.line, problem.key) == (line, "versions.1.checks.0.program")


def test_a_one_version_manifest_keeps_its_plain_key(project):
    manifest = write_two_versions(project, "solo")
    text = manifest.read_text()
    start, end = text.index("versions:"), text.index("checks:\n  - id: read")
    manifest.write_text(text[:start] + "install:\n  backend: debian\n  packages: [coreutils]\n" + text[end:])
    (entry,) = [e for e in load_catalogue() if e.tool_id == "solo"]
    assert [(m.key, m.variant, m.path_name) for m in entry.manifest.installs()] == [("solo", None, "solo")]
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "solo"]) == 0
    assert list(rows(results)) == ["solo"]
    write_results(read_results(results), results)  # the row round-trips without a variant


def test_a_version_named_beside_another_tool_keeps_that_tool(project):
    write_two_versions(project)
    write_two_versions(project, "trio")
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "duo@2.0", "--tool", "trio"]) == 0
    assert sorted(rows(results)) == ["duo@2.0", "trio@1.0", "trio@2.0"]
