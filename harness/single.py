"""``rtcompat check TOOL CHECK``: one check, shown in full; ``rtcompat shell TOOL``: its environment.

What ``pre-commit run --verbose`` does for a hook: the install, the exact command line,
the environment it ran with, the program's raw stdout and stderr, the observations
parsed from them and every verdict, so a contributor sees what the harness did without
reading it. The results file is not touched.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from harness import scratch
from harness.backends.base import Env, InstallContext
from harness.catalogue import load_entry
from harness.fixture_guard import FixtureGuard
from harness.fixture_sets import discover, plan
from harness.host import Host
from harness.paths import cache_dir, fixtures_dir, manifests_dir
from harness.process import Completed
from harness.results import CheckResult
from harness.runner import ToolRun

LIMIT = 4000


class SingleError(Exception):
    """The tool or check does not exist, or the manifest is invalid (one line)."""


def tool_run(tool_id: str, allow_apt: bool, run_dir: Path,
             observer: Callable[[list[str], Env, Completed], None] | None = None) -> ToolRun:
    """The run of ``tool_id``: a tool, or one version of it (``itk-snap@3.6.0``); a tool of
    several versions must name one."""
    path = manifests_dir() / f"{tool_id.partition('@')[0]}.yaml"
    if not path.exists():
        raise SingleError(f"no manifest for {tool_id!r} (rtcompat list shows the tools)")
    entry = load_entry(path)
    if entry.manifest is None:
        raise SingleError(f"invalid manifest: {entry.problems[0]}")
    manifest = entry.manifest.select(tool_id)
    if manifest is None:
        offered = ", ".join(one.key for one in entry.manifest.installs())
        raise SingleError(f"{tool_id} names no installed version; name one of: {offered}")
    context = InstallContext(cache=cache_dir(), host=Host(), manifest_path=path, allow_apt=allow_apt)
    guard = FixtureGuard(fixtures_dir(), scratch=run_dir / "fixtures")
    return ToolRun(manifest, path, context, guard, run_dir / "outputs", observer=observer)


def run_check(tool_id: str, check_id: str, allow_apt: bool, out: TextIO | None = None,
              fixture_set: str | None = None) -> CheckResult:
    """Install the tool, run one check on one fixture set with everything shown, return its result.

    ``out`` defaults to the standard output of the moment of the call, not of the import
    (a test's captured stream, swapped after import, must receive it)."""
    out = out or sys.stdout
    run_dir = scratch.new_run_dir()
    try:
        run = tool_run(tool_id, allow_apt, run_dir, observer=lambda argv, env, done: _show_process(argv, env, done, out))
        check = next((c for c in run.manifest.checks if c.id == check_id), None)
        if check is None:
            known = ", ".join(c.id for c in run.manifest.checks) or "none"
            raise SingleError(f"{tool_id} has no check {check_id!r} (its checks: {known})")
        planned = {p.fixture: p for p in plan(check, discover(fixtures_dir()))}
        fixture_set = fixture_set or next(iter(planned), "reference")
        if fixture_set not in planned:
            raise SingleError(f"{tool_id} {check_id} does not run on the fixture set {fixture_set!r} "
                              f"(it runs on: {', '.join(planned) or 'none'})")
        check = planned[fixture_set].check
        install, env = run.install()
        out.write(f"install: {install.status} - {install.reason} ({install.seconds:.1f} s)\n")
        if install.enable:
            out.write(f"to enable: {install.enable}\n")
        result = run.run_check(check)
        _show_result(result, out)
        return result
    finally:
        scratch.remove(run_dir)


def _show_process(argv: list[str], env: Env, done: Completed, out: TextIO) -> None:
    out.write(f"command: {shlex.join(argv)}\n")
    if env.variables:
        out.write("environment: " + " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env.variables.items())) + "\n")
    out.write(f"exit: {done.returncode}" + (" (timed out)" if done.timed_out else "")
              + (f"; {done.limit_hit}" if done.limit_hit else "") + f"; {done.duration:.1f} s\n")
    for name, text in (("stdout", done.stdout), ("stderr", done.stderr)):
        shown = text if len(text) <= LIMIT else "..." + text[-LIMIT:]
        out.write(f"--- {name} ({len(text)} characters{', last ' + str(LIMIT) if len(text) > LIMIT else ''})\n")
        out.write(shown.rstrip() + "\n" if shown.strip() else "(empty)\n")


def _show_result(result: CheckResult, out: TextIO) -> None:
    out.write(f"--- verdicts\n")
    for verdict in result.verdicts:
        mark = {"pass": "ok  ", "convention": "conv", "fail": "WRONG"}[verdict.outcome]
        out.write(f"{mark} {verdict.message}\n")
    for finding in result.findings:
        out.write(f"finding {finding.id}: {finding.evidence}\n")
    out.write(f"--- status: {result.status} - {result.reason}\n")


def shell_command(tool_id: str, allow_apt: bool) -> tuple[list[str], dict[str, str], Path | None]:
    """The command that opens the tool's environment: its interpreter for a virtualenv,
    a shell in the checkout for a source tool, a shell for a Debian tool, and the
    ``docker run`` line for a container."""
    run_dir = scratch.new_run_dir()
    try:
        run = tool_run(tool_id, allow_apt, run_dir)
        install, env = run.install()
    finally:
        scratch.remove(run_dir)
    if env is None:
        raise SingleError(f"{tool_id} is not installed here: {install.status}: {install.reason}"
                          + (f" (to enable: {install.enable})" if install.enable else ""))
    variables = {**os.environ, **env.variables}
    if env.backend == "virtualenv":
        variables["PATH"] = f"{env.location}/bin{os.pathsep}{os.environ.get('PATH', '')}"
        return [env.placeholders["python"]], variables, None
    if env.backend == "container":
        image = env.details.get("image", "?")
        return ["docker", "run", "--rm", "-it", "--network", "none", image, "bash"], variables, None
    return [os.environ.get("SHELL", "bash")], variables, env.location
