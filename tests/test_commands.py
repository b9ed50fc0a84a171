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


def test_a_program_in_a_language_the_harness_does_not_know_runs_as_itself_with_the_fixture(project: Path):
    program = project / "tool_manifests" / "plain" / "checks" / "read"
    program.parent.mkdir(parents=True)
    program.write_text(REPORT_ARGUMENTS)
    os.chmod(program, 0o755)
    write_manifest(project, "plain", """\
        - id: read
          capability: read-rtdose
          program: checks/read
          fixture: tiny
          judge: ["ct.rows", "dose.max_gy"]
        """)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "plain"]) == 0
    (check,) = json.loads(results.read_text())["tools"][0]["checks"]
    assert (check["status"], check["observed"]["argc"], check["observed"]["fixture"]) == ("pass", 1, "a directory")


def test_a_tool_home_placeholder_outside_the_source_backend_is_dropped(project: Path):
    program = project / "tool_manifests" / "homeless" / "checks" / "read.sh"
    program.parent.mkdir(parents=True)
    program.write_text(REPORT_ARGUMENTS)
    write_manifest(project, "homeless", """\
        - id: read
          capability: read-rtdose
          program: checks/read.sh
          command: ["sh", "{program}", "{fixture}", "{tool_home}"]
          fixture: tiny
          judge: ["ct.rows", "dose.max_gy"]
        """)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "homeless"]) == 0
    (check,) = json.loads(results.read_text())["tools"][0]["checks"]
    assert (check["status"], check["observed"]["argc"], check["observed"]["fixture"]) == ("pass", 1, "a directory")
