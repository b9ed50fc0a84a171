"""A program that prints everything it read runs once per fixture set, and every check
naming it is judged from that one run: no (tool, fixture set, program) executes twice."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from standins import write_manifest

from harness.cli import main


def write_shared_tool(project: Path, counter: Path, *, second_program: bool = False) -> None:
    checks = project / "tool_manifests" / "shared" / "checks"
    checks.mkdir(parents=True)
    source = f"""\
        import json
        with open({str(counter)!r}, "a") as runs:
            runs.write("run\\n")
        print(json.dumps({{"ct.rows": 4, "dose.max_gy": 70.0, "plan.label": "WRONG"}}))
        """
    (checks / "read_all.py").write_text(textwrap.dedent(source))
    (checks / "other.py").write_text(textwrap.dedent(source))
    second = "other" if second_program else "read_all"
    write_manifest(project, "shared", f"""\
        - {{id: read-ct, capability: read-ct, program: checks/read_all.py, fixture: tiny, judge: [ct.rows]}}
        - {{id: read-rtdose, capability: read-rtdose, program: checks/read_all.py, fixture: tiny,
            judge: [dose.max_gy], timeout: 60}}
        - {{id: read-rtplan, capability: read-rtplan, program: checks/{second}.py, fixture: tiny, judge: [plan.label]}}
        """, summary="A stand-in tool whose one program prints every quantity.")


def run(project: Path) -> dict:
    results = project / "results.json"
    main(["run", "--results", str(results), "--tool", "shared"])
    return {c["id"]: c for c in json.loads(results.read_text())["tools"][0]["checks"]}


def test_checks_sharing_a_program_share_one_run_and_are_judged_apart(project):
    counter = project / "runs.txt"
    write_shared_tool(project, counter)
    checks = run(project)
    assert counter.read_text().count("run") == 1
    assert {k: c["status"] for k, c in checks.items()} == {"read-ct": "pass", "read-rtdose": "pass",
                                                          "read-rtplan": "fail"}
    assert {c["program_run"] for c in checks.values()} == {"checks/read_all.py@tiny"}


def test_another_program_is_another_run(project):
    counter = project / "runs.txt"
    write_shared_tool(project, counter, second_program=True)
    checks = run(project)
    assert counter.read_text().count("run") == 2
    assert checks["read-rtplan"]["program_run"] == "checks/other.py@tiny"
