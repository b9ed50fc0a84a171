"""A tool's row in the results: what its manifest says of it and what its install found,
field by field, with every check's row under it."""

from __future__ import annotations

import json
import subprocess

from standins import debian_install_with, write_tool

from harness.cli import main

GOOD = 'echo \'{"ct.rows": 4, "dose.max_gy": 70.5}\''


def test_a_tool_row_carries_its_manifest_and_what_its_install_found(project, monkeypatch):
    from harness.backends import debian

    monkeypatch.setattr(debian, "install", debian_install_with({"runtime": "GNU Octave 7.3.0"}))
    write_tool(project, "rowed", GOOD)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "rowed"]) == 0
    (tool,) = json.loads(results.read_text())["tools"]
    coreutils = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "coreutils"], capture_output=True,
                               text=True, check=True).stdout
    assert {k: tool[k] for k in ("id", "name", "homepage", "summary", "backend", "runtime", "dependencies")} == {
        "id": "rowed", "name": "rowed", "homepage": "https://example.org/rowed",
        "summary": "A stand-in tool for testing the harness.", "backend": "debian", "runtime": "GNU Octave 7.3.0",
        "dependencies": {"coreutils": coreutils}}
    assert [(c["id"], c["status"]) for c in tool["checks"]] == [("read", "pass")]
    assert len(tool["definition"]) == 64


def test_a_tool_that_did_not_install_names_no_runtime_and_no_dependencies(project, monkeypatch):
    from harness.backends import debian
    from harness.backends.base import ToolUnavailable

    def unavailable(manifest, context):
        raise ToolUnavailable("not packaged for this release")

    monkeypatch.setattr(debian, "install", unavailable)
    write_tool(project, "absent", GOOD)
    results = project / "results.json"
    main(["run", "--results", str(results), "--tool", "absent"])
    (tool,) = json.loads(results.read_text())["tools"]
    assert (tool["runtime"], tool["dependencies"], tool["version"]) == (None, {}, None)
    assert tool["install"]["status"] == "unavailable"
