"""What every install backend provides, and the plain data that flows between them.

A backend is a module with four functions (after pre-commit's ``languages/``):

``available(host) -> str | None``
    Why this backend cannot run on this machine (no engine, not root, offline), or None.
``install(manifest, context) -> Env``
    Make the tool ready, reusing a cached environment when its content key matches.
    Raises :class:`SkipTool` when the machine lacks something (the reason says how to
    get it), :class:`InstallError` when the testbed broke, :class:`ToolUnavailable`
    for tools that cannot run on any Linux testbed.
``health_check(env) -> str | None``
    A problem with a built environment, or None. Run right after install.
``run(env, argv, mounts, timeout) -> Completed``
    Run a check program inside the environment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from harness.host import Host
from harness.manifest import Manifest
from harness.process import Completed


class SkipTool(Exception):
    """The tool cannot run on this machine; ``command`` is what would make it run."""

    def __init__(self, reason: str, command: str | None = None):
        self.reason = reason
        self.command = command
        super().__init__(f"{reason} (to enable: {command})" if command else reason)


class InstallError(Exception):
    """The testbed failed to provide the tool (index unreachable, apt broken...).

    Never the tool's fault: it becomes status ``error``, not ``fail``.
    """


class ToolBroken(Exception):
    """The tool itself cannot be installed here, and the evidence says why (a release that
    is Python 2 code): the tool's ``fail``, not the testbed's ``error``."""


class ToolUnavailable(Exception):
    """Proprietary or platform-bound: no Linux testbed can run it."""


@dataclass(frozen=True)
class InstallContext:
    """What a backend may use: the cache, the host facts, and what it is allowed to do."""

    cache: Path
    host: Host
    allow_apt: bool = False
    manifest_path: Path | None = None


@dataclass(frozen=True)
class Mounts:
    """Directories a check sees: the fixture set (read-only), its output (writable)
    and the manifest's directory holding the check programs (read-only)."""

    fixture: Path
    output: Path
    checks: Path


@dataclass(frozen=True)
class Env:
    """An installed tool, ready to run checks."""

    tool_id: str
    backend: str
    location: Path | None
    version: str | None = None
    reused: bool = False
    install_seconds: float = 0.0
    dependencies: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    placeholders: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)


class Backend(Protocol):
    """The module interface each ``harness/backends/<name>.py`` satisfies."""

    NAME: str

    def available(self, host: Host) -> str | None: ...

    def install(self, manifest: Manifest, context: InstallContext) -> Env: ...

    def health_check(self, env: Env) -> str | None: ...

    def run(self, env: Env, argv: list[str], mounts: Mounts, timeout: float) -> Completed: ...

    def visible_mounts(self, env: Env, mounts: Mounts) -> Mounts:
        """The paths as the check sees them (inside a container they differ)."""
        ...


def same_mounts(env: Env, mounts: Mounts) -> Mounts:
    return mounts


def always_available(host: Host) -> str | None:
    return None


def always_healthy(env: Env) -> str | None:
    return None


#: Numeric libraries (OpenBLAS, OpenMP, MKL) start one spinning thread per core. A check
#: is small, and with ``-n`` two run side by side, so those threads only burn the other
#: check's core: each check gets one thread unless the caller's environment sets otherwise.
#: (Measured: the same serial run took 54 CPU seconds with them and 40 without, in the same
#: wall time; see benchmarks/variant_sets.py.)
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                     "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}


def check_environment(extra: dict[str, str], mounts: Mounts) -> dict[str, str]:
    """A clean environment for a check: none of the harness's Python leaks in, and its
    home and temporary directory lie in the run's scratch (``TMPDIR``, ``TMP``, ``TEMP``:
    Python's tempfile, Octave's ``tempdir`` and mktemp all follow them), so whatever a tool
    unpacks there, fixture copies included, goes when the run's scratch goes."""
    env = harness_free_environment()
    home, temporary = mounts.output / "home", mounts.output / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    temporary.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), TMPDIR=str(temporary), TMP=str(temporary), TEMP=str(temporary),
               RTCOMPAT_FIXTURE=str(mounts.fixture), RTCOMPAT_OUTPUT=str(mounts.output))
    env.update(extra)
    return env


def harness_free_environment() -> dict[str, str]:
    """This process's environment without its Python settings (a check's interpreter is the
    tool's), one thread per numeric library, no bytecode written, no user site."""
    env = {**ONE_THREAD, **{k: v for k, v in os.environ.items()
                            if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1")
    return env


def parse_version(text: str, pattern: str | None) -> str | None:
    """The version in a version command's output: the regex's group, else the first line."""
    if pattern:
        found = re.search(pattern, text)
        return found.group(1) if found else None
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else None
