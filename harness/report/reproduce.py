"""A finding's standalone reproduction: a shell script a tool's maintainers can run
without rtcompat.

An upstream report is taken seriously when the maintainer can see the failure on their own
machine in a minute. The script installs the tool the way the manifest does (the same
pinned packages, Debian packages or git commit), checks the fixture files by their
sha256, runs the same check program the catalogue ran (a plain script that imports only
the tool), and prints beside it the values the fixture's truth gives and the values the
catalogue observed. It needs a checkout of the rtcompat repository for the fixture files
and the check program; nothing of the harness is imported.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from harness.manifest import (
    ContainerInstall,
    DebianInstall,
    Manifest,
    SourceInstall,
    VirtualenvInstall,
)
from harness.report.findings import shown
from harness.results import CheckResult, ToolResult
from harness.runner import DEFAULT_COMMANDS


def reproduction_script(tool: ToolResult, check: CheckResult, keys: tuple[str, ...], title: str,
                        manifest: Manifest | None, fixture_files: list[tuple[str, str]]) -> str:
    """The script for one tool x check; ``fixture_files`` are (name, sha256) of its set."""
    fixture = f"fixtures/dicom/{check.fixture}"
    lines = ["#!/bin/sh",
             f"# Reproduces, without rtcompat: {title}",
             f"# Tool: {tool.label}; check program tool_manifests/{check.program}; fixture set {check.fixture!r}.",
             "# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).",
             "set -eu",
             'work="${TMPDIR:-/tmp}/rtcompat-reproduce"',
             'mkdir -p "$work/out"', "",
             "# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).",
             f"cd {shlex.quote(fixture)}",
             "sha256sum -c <<'SUMS'",
             *(f"{digest}  {name}" for name, digest in fixture_files),
             "SUMS",
             "cd - >/dev/null",
             "# the program reads a copy without the truth, as in the catalogue",
             f'rm -rf "$work/set" && cp -r {shlex.quote(fixture)} "$work/set" && rm -f "$work/set/truth.json"', ""]
    install, values = _install(tool, manifest)
    lines += ["# 2. The tool, installed as the catalogue installed it.", *install, ""]
    template = (manifest_check_command(manifest, check) or DEFAULT_COMMANDS.get(Path(check.program or "").suffix)
                or ["{program}", "{fixture}"])
    values |= {"program": f"tool_manifests/{check.program}", "fixture": "$work/set", "output": "$work/out"}
    argv = [part.format_map(_Keep(values)) for part in template]
    lines += ["# 3. The call: the check program prints what the tool read, one JSON object.",
              " ".join(_quote(part) for part in argv if part), ""]
    wrong = {v.key: v for v in check.verdicts if v.key in keys}
    if wrong:
        lines.append("# 4. Compare: what the fixture's truth gives, and what the catalogue observed.")
        for key in keys:
            verdict = wrong.get(key)
            if verdict is not None:
                unit = f" {verdict.unit}" if verdict.unit else ""
                seen = "not reported" if verdict.observed is None else f"{shown(verdict.observed)}{unit}"
                lines.append(f"#   {key}: expected {shown(verdict.expected)}{unit} (tolerance {verdict.tolerance}), "
                             f"observed {seen}")
    return "\n".join(lines) + "\n"


def manifest_check_command(manifest: Manifest | None, check: CheckResult) -> list[str] | None:
    if manifest is None:
        return None
    for declared in manifest.checks:
        if declared.id == check.id:
            return declared.command
    return None


def _install(tool: ToolResult, manifest: Manifest | None) -> tuple[list[str], dict[str, str]]:
    install = manifest.install if manifest is not None else None
    if isinstance(install, VirtualenvInstall):
        pins = [f"{name}=={version}" for name, version in sorted(tool.dependencies.items())] or install.packages
        return (["python3 -m venv \"$work/env\"",
                 f"\"$work/env/bin/pip\" install {' '.join(shlex.quote(p) for p in pins)}"],
                {"python": "$work/env/bin/python"})
    if isinstance(install, DebianInstall):
        return ([f"apt-get install -y {' '.join(shlex.quote(p) for p in install.packages)}  # as root"],
                {"python": "python3"})
    if isinstance(install, SourceInstall):
        lines = [f"git clone {shlex.quote(install.git)} \"$work/src\"",
                 f"git -C \"$work/src\" checkout {install.commit}"]
        if install.runtime_packages:
            lines.append(f"apt-get install -y {' '.join(shlex.quote(p) for p in install.runtime_packages)}  # as root")
        return lines, {"python": "python3", "tool_home": "$work/src"}
    if isinstance(install, ContainerInstall):
        where = f"tool_manifests/{tool.id}/{install.dockerfile}" if install.dockerfile else install.image
        return ([f"# the tool runs in a container: build {where} and run the call below inside it,",
                 "# with the fixture directory mounted at the same path"], {"python": "python3"})
    return ([f"# install {tool.name} {tool.shown_version or ''} as tool_manifests/{tool.id}.yaml describes"],
            {"python": "python3"})


class _Keep(dict):
    """Leaves a placeholder this script cannot fill (a container's own path) as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _quote(part: str) -> str:
    """Quoted for the shell, with ``$work`` left to expand."""
    if part.startswith("$work") and all(c.isalnum() or c in "/._-$" for c in part):
        return f'"{part}"'
    return shlex.quote(part)
