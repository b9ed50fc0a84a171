"""Stand-in tools for harness tests: shell check programs behind the ``debian`` backend.

coreutils is always installed, so a manifest naming it installs instantly and the
check program is all that varies between tests.
"""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_tool(root: Path, tool_id: str, script: str, *, timeout: float = 30, extra: str = "") -> Path:
    """A manifest whose check is the shell ``script``; coreutils stands in for the tool."""
    manifest = root / "tool_manifests" / f"{tool_id}.yaml"
    program = root / "tool_manifests" / tool_id / "checks" / "check.sh"
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text(textwrap.dedent(script))
    manifest.write_text(textwrap.dedent(f"""\
        id: {tool_id}
        name: {tool_id}
        summary: A stand-in tool for testing the harness.
        homepage: https://example.org/{tool_id}
        licence: MIT
        section: Beyond the source catalogue
        in_source_catalogue: false
        install:
          backend: debian
          packages: [coreutils]
        checks:
          - id: read
            capability: read-rtdose
            program: checks/check.sh
            fixture: tiny
            judge: ["ct.rows", "dose.max_gy"]
            timeout: {timeout}
        """) + extra)
    return manifest
