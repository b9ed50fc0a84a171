"""Facts about this machine that decide what can run here, probed once per run."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


NETWORK_PROBE = ("github.com", 443)
#: The workers a run and a report use when none are asked for (e.g. 1 on a shared machine).
WORKERS_VARIABLE = "RTCOMPAT_WORKERS"


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system says)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class Host:
    """Lazily probed machine facts; each property answers one question."""

    engine_dir: Path | None = None

    @property
    def python(self) -> str:
        return f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"

    @property
    def hostname(self) -> str:
        return socket.gethostname()

    @cached_property
    def is_root(self) -> bool:
        return os.geteuid() == 0

    @cached_property
    def uv(self) -> str | None:
        """uv, unless RTCOMPAT_INSTALLER=pip asks for the slower, universal path."""
        if os.environ.get("RTCOMPAT_INSTALLER") == "pip":
            return None
        found = shutil.which("uv")
        if found:
            return found
        try:
            from uv import find_uv_bin

            return find_uv_bin()
        except Exception:
            return None

    @cached_property
    def apt_get(self) -> str | None:
        return shutil.which("apt-get")

    @cached_property
    def xvfb_run(self) -> str | None:
        return shutil.which("xvfb-run")

    @cached_property
    def octave(self) -> str | None:
        return shutil.which("octave-cli") or shutil.which("octave")

    @cached_property
    def git(self) -> str | None:
        return shutil.which("git")

    @property
    def display(self) -> str | None:
        return os.environ.get("DISPLAY")

    @cached_property
    def network(self) -> bool:
        """Whether the internet beyond the package registries answers (GitHub as the probe)."""
        if os.environ.get("RTCOMPAT_OFFLINE"):
            return False
        try:
            with socket.create_connection(NETWORK_PROBE, timeout=3):
                return True
        except OSError:
            return False

    @cached_property
    def docker_url(self) -> str | None:
        """The container engine that answers, found as ``rtcompat engine status`` finds it."""
        from harness import engine

        return engine.status(self.engine_dir or engine.default_dir()).url
