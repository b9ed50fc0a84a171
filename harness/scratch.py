"""A run's throw-away directories, and reclaiming what a killed run left behind.

Each run keeps its fixture copies and check outputs under one directory in the system
temp directory, named for the process that owns it (pid and start time, so a reused
pid is not mistaken for the owner). A normal end removes it; a run killed with SIGKILL
cannot, so every run begins by removing the run directories whose owner is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

from harness.tree import chmod_tree

PREFIX = "rtcompat-run-"
_NAME = re.compile(rf"^{PREFIX}(\d+)-(\d+)-")


def process_start(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (None: no such process)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def owner_tag(pid: int | None = None) -> str:
    """``<pid>-<start time>``: who owns a directory or a cgroup."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}-{process_start(pid) or 0}"


def owner_alive(tag: str) -> bool:
    """Whether the process a ``<pid>-<start time>`` tag names is still running."""
    pid, _, start = tag.partition("-")
    if not pid.isdigit():
        return False
    return str(process_start(int(pid)) or "") == start


def new_run_dir(base: Path | None = None) -> Path:
    """A fresh run directory owned by this process."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{owner_tag()}-", dir=base))


def remove(directory: Path) -> None:
    """Remove a run directory even where a check left files read-only."""
    if directory.exists():
        chmod_tree(directory, add=stat.S_IWUSR | stat.S_IXUSR)
        shutil.rmtree(directory, ignore_errors=True)


def sweep_stale_run_dirs(base: Path | None = None) -> list[Path]:
    """Remove run directories whose owning process has gone; return what was removed."""
    base = Path(base or tempfile.gettempdir())
    removed = []
    for candidate in base.glob(f"{PREFIX}*"):
        match = _NAME.match(candidate.name)
        if match and candidate.is_dir() and not owner_alive(f"{match.group(1)}-{match.group(2)}"):
            remove(candidate)
            removed.append(candidate)
    return removed
