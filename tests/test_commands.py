"""How a check program is started: the command a manifest gives, or the default for the
program's language, or, for a language the harness does not know, the program itself."""

from __future__ import annotations

import json
import os
from pathlib import Path

from standins import write_manifest

from harness.cli import main
from harness.runner import render_command


def test_a_placeholder_with_nothing_behind_it_is_dropped_but_a_literal_empty_argument_is_kept():
    argv = render_command(["octave-cli", "{program}", "{tool_home}", "", "--x={fixture}"],
                          {"program": "read.m", "tool_home": "", "fixture": "/f"})
    assert argv == ["octave-cli", "read.m", "", "--x=/f"]


def test_a_program_in_a_language_the_harness_does_not_know_runs_as_itself_with_the_fixture(project: Path):
    program = project / "tool_manifests" / "plain" / "checks" / "read"
    program.parent.mkdir(parents=True)
    program.write_text('#!/bin/sh\necho "{\\"ct.rows\\": 4, \\"dose.max_gy\\": 70.5, \\"argc\\": $#}"\n')
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
    assert (check["status"], check["observed"]["argc"]) == ("pass", 1)
