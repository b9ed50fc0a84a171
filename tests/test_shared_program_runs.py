"""A program that prints everything it read runs once per fixture set, and every check
naming it is judged from that one run: no (tool, fixture set, program) executes twice."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from standins import write_manifest

from harness.cli import main
from harness.scheduling import work_unit


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



def test_with_two_workers_each_set_still_runs_a_shared_program_once(project):
    """A tool's checks on one set stay on one worker (harness/scheduling.py), so with
    ``-n 2`` a program shared by three checks runs once per set, not once per worker."""
    counter = project / "runs.txt"
    sets = ["tiny", "small", "little", "wee"]
    truth = json.loads((project / "fixtures" / "dicom" / "tiny" / "truth.json").read_text())
    for name in sets:
        directory = project / "fixtures" / "dicom" / name
        directory.mkdir(exist_ok=True)
        (directory / "data.dcm").write_bytes(b"\x00" * 128 + b"DICM" + b"\x00" * 64)
        (directory / "truth.json").write_text(json.dumps({**truth, "set": name, "probes": ["read-ct", "read-rtdose",
                                                                                           "read-rtplan"]}))
    checks = project / "tool_manifests" / "shared" / "checks"
    checks.mkdir(parents=True)
    (checks / "read_all.py").write_text(textwrap.dedent(f"""\
        import json, sys
        with open({str(counter)!r}, "a") as runs:
            runs.write(sys.argv[1] + "\\n")
        print(json.dumps({{"ct.rows": 4, "dose.max_gy": 70.0, "plan.label": "TINY"}}))
        """))
    write_manifest(project, "shared", """\
        - {id: read-ct, capability: read-ct, program: checks/read_all.py, judge: [ct.rows]}
        - {id: read-rtdose, capability: read-rtdose, program: checks/read_all.py, judge: [dose.max_gy]}
        - {id: read-rtplan, capability: read-rtplan, program: checks/read_all.py, judge: [plan.label]}
        """)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "shared", "-n", "2"]) == 0
    runs = [Path(line).name for line in counter.read_text().split()]
    assert sorted(runs) == sorted(sets)
    statuses = [c["status"] for c in json.loads(results.read_text())["tools"][0]["checks"]]
    assert statuses == ["pass"] * 12


@pytest.mark.parametrize(("nodeid", "unit"), [
    ("tool_manifests/pydicom.yaml::read-ct[position-ffs]", "pydicom@position-ffs"),
    ("tool_manifests/pydicom.yaml::read-ct", "pydicom@reference"),
    ("tool_manifests/pydicom.yaml::install", "pydicom@reference"),
    ("tool_manifests/pydicom.yaml::read-ct[position-ffs]@pydicom@position-ffs", "pydicom@position-ffs"),
    ("tests/test_judge.py::test_x[a]", "tests/test_judge.py::test_x[a]"),
    # each version of a tool is its own tool: its sets are its own units
    ("tool_manifests/itk-snap.yaml::read-ct@3.6.0[position-ffs]", "itk-snap@3.6.0@position-ffs"),
    ("tool_manifests/itk-snap.yaml::read-ct@3.6.0", "itk-snap@3.6.0@reference"),
    ("tool_manifests/itk-snap.yaml::install@4.2.0", "itk-snap@4.2.0@reference"),
])
def test_the_work_unit_is_the_tool_and_the_set(nodeid, unit):
    assert work_unit(nodeid) == unit
