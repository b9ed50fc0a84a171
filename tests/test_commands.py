"""How a check program is started: the command a manifest gives, or the default for the
program's language, or, for a language the harness does not know, the program itself."""

from __future__ import annotations

import json
import os
from pathlib import Path

from standins import write_manifest

from harness.cli import main
from harness.runner import render_command

# prints the observations a stand-in check needs, how many arguments it was given, and
# whether its first argument is the fixture directory
REPORT_ARGUMENTS = """#!/bin/sh
if [ -d "$1" ]; then fixture="a directory"; else fixture="not a directory"; fi
echo "{\\"ct.rows\\": 4, \\"dose.max_gy\\": 70.5, \\"argc\\": $#, \\"fixture\\": \\"$fixture\\"}"
"""


def test_a_placeholder_with_nothing_behind_it_is_dropped_but_a_literal_empty_argument_is_kept():
    argv = render_command(["octave-cli", "{program}", "{tool_home}", "", "--x={fixture}"],
                          {"program": "read.m", "tool_home": "", "fixture": "/f"})
    assert argv == ["octave-cli", "read.m", "", "--x=/f"]
    assert render_command(["octave-cli", "{tool_home}", "{program}"], {"program": "read.m", "tool_home": ""}) == [
        "octave-cli", "read.m"]


def _only_check(project: Path, tool_id: str, program_name: str, command: str = "") -> dict:
    """Run a tool whose one check is REPORT_ARGUMENTS saved as ``program_name``; its row."""
    program = project / "tool_manifests" / tool_id / "checks" / program_name
    program.parent.mkdir(parents=True)
    program.write_text(REPORT_ARGUMENTS)
    os.chmod(program, 0o755)
    write_manifest(project, tool_id, f"""\
        - id: read
          capability: read-rtdose
          program: checks/{program_name}
          fixture: tiny
          judge: ["ct.rows", "dose.max_gy"]
        """ + (f"  command: {command}\n" if command else ""))
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", tool_id]) == 0
    (check,) = json.loads(results.read_text())["tools"][0]["checks"]
    return check


def test_a_program_in_a_language_the_harness_does_not_know_runs_as_itself_with_the_fixture(project: Path):
    check = _only_check(project, "plain", "read")
    assert (check["status"], check["observed"]["argc"], check["observed"]["fixture"]) == ("pass", 1, "a directory")


def test_a_tool_home_placeholder_outside_the_source_backend_is_dropped(project: Path):
    check = _only_check(project, "homeless", "read.sh", command='["sh", "{program}", "{fixture}", "{tool_home}"]')
    assert (check["status"], check["observed"]["argc"], check["observed"]["fixture"]) == ("pass", 1, "a directory")
