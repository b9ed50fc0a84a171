"""A newcomer's first hour, scripted: the real CLI on a fresh project, with stand-in tools.

Scaffold a tool, validate it (and see each documented rule caught at its line), run one
check verbosely, run the catalogue and read its log (one line per row, no tracebacks),
then a partial run followed by a report that keeps the other tools' rows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from report_pages import everything

from harness.cli import main
from harness.paths import project_root

REFERENCE = project_root(Path(__file__).parent) / "fixtures" / "dicom" / "reference"


def test_a_newcomers_first_hour(project, capsys):
    shutil.copytree(REFERENCE, project / "fixtures" / "dicom" / "reference")
    manifests = project / "tool_manifests"

    # 1. scaffold a tool: validate names every TODO left to fill in; fill them, write the check
    assert main(["new", "mytool", "--backend", "debian"]) == 0
    manifest = manifests / "mytool.yaml"
    capsys.readouterr()
    assert main(["validate"]) == 1
    todo = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[1] for line in todo[:-1]] == ["name", "summary", "homepage", "licence", "packages",
                                                          "read_ct.sh", "read_ct.sh"]
    text = manifest.read_text()
    for old, new in (("TODO display name of mytool", "My tool"), ("TODO one or two", "A stand-in tool, in"),
                     ("https://TODO.example.org/mytool", "https://example.org/mytool"),
                     ("TODO-SPDX-id", "MIT"), ("[TODO-mytool]", "[coreutils]")):
        text = text.replace(old, new)
    manifest.write_text(text.replace(text[text.index("    judge:"):text.index("    timeout")],
                                     '    judge: ["ct.image_count"]\n'))
    (manifests / "mytool" / "checks" / "read_ct.sh").write_text(
        'n=$(ls "$1"/CT_*.dcm | wc -l)\necho "{\\"ct.image_count\\": $n, \\"_errors\\": {}}"\n')
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 valid, 0 invalid"

    # 2. validate catches each documented rule, at its line
    good = manifest.read_text()

    def problems_after(old: str, new: str) -> str:
        manifest.write_text(good.replace(old, new))
        assert main(["validate", str(manifest)]) == 1
        return capsys.readouterr().out

    def line_of(text: str) -> int:
        return next(n for n, line in enumerate(manifest.read_text().splitlines(), 1) if text in line)

    out = problems_after('judge: ["ct.image_count"]', 'judge: ["ct.image_cuont"]')
    assert f"mytool.yaml:{line_of('judge:')}: checks.0.judge: pattern 'ct.image_cuont' matches no quantity" in out
    out = problems_after("program: checks/read_ct.sh", "program: checks/absent.sh")
    assert f"mytool.yaml:{line_of('program:')}: checks.0.program: 'checks/absent.sh' does not exist" in out
    out = problems_after("    timeout: 300", "    timout: 300")
    assert f"mytool.yaml:{line_of('timout')}: checks.0.timout: unknown key (did you mean 'timeout'?)" in out
    out = problems_after("    timeout: 300", "    timeout: 300\n    tolerances: {ct.image_count: {abs: 5}}")
    assert "is looser than the derived tolerance of ct.image_count" in out
    out = problems_after("  backend: debian\n  packages: [coreutils]",
                         '  backend: virtualenv\n  packages: ["mytool>=1.0"]')
    assert "install.packages: Value error, not pinned to one release: 'mytool>=1.0'" in out
    manifest.write_text(good)

    # 3. one check, shown in full
    assert main(["check", "mytool", "read-ct"]) == 0
    out = capsys.readouterr().out
    for part in ("install: pass", "command: bash ", "--- stdout", '"ct.image_count": 60', "--- verdicts",
                 "ok   ct.image_count 60 vs 60", "--- status: pass"):
        assert part in out

    # 4. the catalogue, with a second tool whose check program is missing: one line per row
    (manifests / "broken.yaml").write_text(good.replace("id: mytool", "id: broken")
                                           .replace("name: mytool", "name: broken"))
    assert main(["run"]) == 0
    log = capsys.readouterr().out
    assert "Traceback" not in log and "pluggy" not in log and "_pytest" not in log
    broken = [line for line in log.splitlines() if "broken" in line]
    assert len(broken) == 4, log  # installing, installed, the check's one line, its summary row
    assert broken[2] == "        broken read-ct: error - check program missing: checks/read_ct.sh"
    assert broken[3].split() == ["broken", "pass", "0", "1", "0.0"]
    assert any(line.startswith("mytool") for line in log.splitlines())  # the summary table

    # 5. a partial run updates its own rows and keeps the others; the report shows both
    first = json.loads((project / "results" / "latest.json").read_text())
    assert main(["run", "--tool", "mytool"]) == 0
    capsys.readouterr()
    latest = json.loads((project / "results" / "latest.json").read_text())
    tools = {t["id"]: t for t in latest["tools"]}
    assert sorted(tools) == ["broken", "mytool"]
    assert tools["broken"]["produced"] == first["run"]["started"]
    assert tools["mytool"]["produced"] == latest["run"]["started"]
    assert main(["report"]) == 0
    report = (project / "reports" / "compatibility.md").read_text()
    summary = next(line for line in report.splitlines() if line.startswith("**2 tools"))
    assert summary.startswith("**2 tools; 2 checks: 1 pass, 0 FAIL, 1 error"), summary
    assert "from an earlier run" in everything(project / "reports")
