"""Each check's time and peak memory, as measured by the run, on the set's page, the
tool's page and, for the clinical-size set, the front page."""

from __future__ import annotations

from standins import _program, fixture_set, write_manifest

from harness.cli import main
from harness.report.costs import CheckCost, memory_text
from harness.report.render import render_reports
from harness.results import CheckResult, ProcessFacts, read_results

#: Holds about 150 MiB while it reports: a figure no harness overhead could make up.
HUNGRY = """\
import json, sys, time
block = bytearray(150 * 1024 * 1024)
block[::4096] = b"x" * len(block[::4096])
time.sleep(0.3)
print(json.dumps({"ct.rows": 4}))
"""


def test_the_clinical_size_figures_are_what_the_run_measured(project):
    fixture_set(project, "clinical-size", {"ct.rows": 4})
    _program(project, "hungry", "read.py", HUNGRY)
    write_manifest(project, "hungry", """\
        - id: read
          capability: read-ct
          program: checks/read.py
          fixture: clinical-size
          judge: ["ct.rows"]
        """)
    assert main(["run", "--results", str(project / "results.json"), "--tool", "hungry"]) == 0
    results = read_results(project / "results.json")
    (check,) = results.tools[0].checks
    assert check.status == "pass"
    assert 150 * 1024**2 <= check.process.peak_memory_bytes < 400 * 1024**2
    out = project / "out"
    render_reports(results, out, fixtures_root=project / "fixtures" / "dicom")
    front = (out / "compatibility.md").read_text()
    section = front.split('<a id="clinical-costs"></a>', 1)[1]
    row = next(line for line in section.splitlines() if line.startswith("| [hungry"))
    assert "1 of 1 checks pass" in row and "MiB (read-ct)" in row
    assert f"{check.process.duration:.2f} s (read-ct)" in row or f"{check.process.duration:.1f} s (read-ct)" in row
    set_page = (out / "sets" / "clinical-size.md").read_text()
    assert "## <a id=\"costs\"></a>Time and memory" in set_page
    assert memory_text(check.process.peak_memory_bytes) in set_page
    assert memory_text(check.process.peak_memory_bytes) in (out / "tools" / "hungry.html").read_text()


def test_a_check_that_hit_a_limit_says_so_beside_its_figure():
    facts = ProcessFacts(duration=300.0, timed_out=True, peak_memory_bytes=3 * 1024**3,
                         limit_hit="killed: memory limit 8 GiB")
    cost = CheckCost(CheckResult(id="read", capability="read-ct", status="fail", reason="r", process=facts),
                     300.0, 3 * 1024**3)
    assert cost.seconds_text == "300.0 s (timed out)"
    assert cost.memory_text == "3.00 GiB (killed: memory limit 8 GiB)"


def test_memory_not_measured_says_so():
    cost = CheckCost(CheckResult(id="read", capability="read-ct", status="pass", reason="r",
                                 process=ProcessFacts(duration=0.04)), 0.04, None)
    assert (cost.seconds_text, cost.memory_text) == ("0.04 s", "not measured")


def test_checks_that_share_one_program_run_say_so_on_their_sets_cost_table():
    from harness.report.costs import costs_by_set, set_costs
    from harness.results import InstallResult, ToolResult

    def check(check_id: str, fixture: str, run: str | None, status: str = "pass") -> CheckResult:
        return CheckResult(id=check_id, capability="read-ct", status=status, reason="r", fixture=fixture,
                           program_run=run, process=ProcessFacts(duration=1.5, peak_memory_bytes=2 * 1024**2))

    tool = ToolResult(id="t", name="T", section="Beyond the source catalogue", in_source_catalogue=False,
                      backend="virtualenv", install=InstallResult(status="pass"),
                      checks=[check("a", "reference", "p.py@reference"), check("b", "reference", "p.py@reference"),
                              check("c", "reference", None), check("a", "position-ffs", "p.py@position-ffs"),
                              check("d", "reference", "q.py@reference", status="skip")])
    by_set = costs_by_set([tool])
    assert [(c.check.id, c.shared_by) for c in by_set["reference"][0].costs] == [("a", 2), ("b", 2), ("c", 1)]
    assert [(c.check.id, c.shared_by) for c in by_set["position-ffs"][0].costs] == [("a", 1)]
    assert set_costs([tool], "reference") == by_set["reference"] and set_costs([tool], "absent") == []
