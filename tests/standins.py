"""Stand-in tools for harness tests: check programs behind the ``debian`` backend.

coreutils is always installed, so a manifest naming it installs instantly and the
check program is all that varies between tests: a shell script (:func:`write_tool`) or
a Python program run by the harness's own interpreter (:func:`write_python_tool`).
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path


def write_manifest(root: Path, tool_id: str, checks: str, *,
                   summary: str = "A stand-in tool for testing the harness.", tail: str = "") -> Path:
    """A manifest installing coreutils through the ``debian`` backend, with ``checks``
    (YAML list items, unindented) as its checks and ``tail`` appended as it is."""
    manifest = root / "tool_manifests" / f"{tool_id}.yaml"
    manifest.write_text(textwrap.dedent(f"""\
        id: {tool_id}
        name: {tool_id}
        summary: {summary}
        homepage: https://example.org/{tool_id}
        licence: MIT
        section: Beyond the source catalogue
        in_source_catalogue: false
        install:
          backend: debian
          packages: [coreutils]
        checks:
        """) + textwrap.indent(textwrap.dedent(checks), "  ") + tail)
    return manifest


def _manifest(root: Path, tool_id: str, program: str, judge: str, timeout: float, extra: str) -> Path:
    return write_manifest(root, tool_id, f"""\
        - id: read
          capability: read-rtdose
          program: checks/{program}
          fixture: tiny
          judge: {judge}
          timeout: {timeout}
        """, tail=extra)


def _program(root: Path, tool_id: str, name: str, source: str) -> None:
    program = root / "tool_manifests" / tool_id / "checks" / name
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text(textwrap.dedent(source))


def write_tool(root: Path, tool_id: str, script: str, *, timeout: float = 30, extra: str = "") -> Path:
    """A manifest whose check is the shell ``script``; coreutils stands in for the tool."""
    _program(root, tool_id, "check.sh", script)
    return _manifest(root, tool_id, "check.sh", '["ct.rows", "dose.max_gy"]', timeout, extra)


def write_python_tool(root: Path, tool_id: str, source: str, *, judge: str = '["ct.rows", "dose.max_gy"]',
                      check_lines: str = "", timeout: float = 30) -> Path:
    """A manifest whose check is the Python program ``source`` (run by the harness's own
    interpreter through the ``debian`` backend); ``check_lines`` adds keys to the check."""
    _program(root, tool_id, "check.py", source)
    extra = textwrap.indent(textwrap.dedent(check_lines), " " * 4) if check_lines else ""
    return _manifest(root, tool_id, "check.py", judge, timeout, extra)


def fixture_set(root: Path, name: str, keys: dict, probes: list[str] | None = None) -> None:
    """A fixture set whose truth holds ``keys`` exactly; ``probes`` names the capabilities
    it probes (all, like the reference set, when None)."""
    directory = root / "fixtures" / "dicom" / name
    directory.mkdir(parents=True, exist_ok=True)
    quantities = {k: {"value": v, "tolerance": {"abs": 0}, "unit": "", "note": "n"} for k, v in keys.items()}
    truth = {"schema_version": 2, "set": name, "quantities": quantities}
    if probes is not None:
        truth["probes"] = probes
    (directory / "truth.json").write_text(json.dumps(truth))
    (directory / "data.dcm").write_bytes(b"\x00" * 128 + b"DICM" + b"\x00" * 64)


def debian_install_with(details: dict | None = None, **fields):
    """The ``debian`` backend's real install, its environment then given ``fields`` and
    the extra ``details``: what a test needs a backend to have found (a runtime, reuse)."""
    from harness.backends import debian

    real_install = debian.install

    def install(manifest, context):
        env = real_install(manifest, context)
        return dataclasses.replace(env, **fields, details={**env.details, **(details or {})})

    return install
