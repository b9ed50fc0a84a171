"""``rtcompat cache``: what the environment cache holds, and pruning what nothing uses.

One catalogue run can leave several GB (Octave packages are system-wide, but pyCERR's
virtualenv alone is 1 GB), and a tool that left the catalogue leaves its environment
behind. Like ``uv cache`` and ``pre-commit gc``: list sizes per entry, and remove the
entries no manifest references, plus whatever killed builds left (dot-directories).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from harness.catalogue import load_catalogue

#: Cache sub-directories whose entries are named for a tool id.
PER_TOOL = ("envs", "src")


@dataclass(frozen=True)
class CacheEntry:
    path: Path
    size: int
    tool: str | None
    used: bool

    @property
    def what(self) -> str:
        if self.tool is None:
            return "shared"
        return "in use" if self.used else "no manifest uses it"


def size_of(path: Path) -> int:
    """Bytes on disk below ``path`` (links not followed)."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    total = 0
    for directory, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except OSError:
                pass
    return total


def entries(cache: Path) -> list[CacheEntry]:
    catalogue = load_catalogue()  # a cache directory is named by an installed version's path_name
    tools = {one.path_name for entry in catalogue if entry.manifest for one in entry.manifest.installs()}
    tools |= {entry.tool_id for entry in catalogue if entry.manifest is None}
    found = []
    for area in sorted(p for p in cache.iterdir() if p.is_dir()) if cache.is_dir() else []:
        if area.name in PER_TOOL:
            for item in sorted(area.iterdir()):
                if item.name.endswith(".lock"):
                    continue
                tool = item.name.lstrip(".").split(".")[0]
                used = item.name in tools  # a dot-name is a killed build's leftover: never used
                found.append(CacheEntry(item, size_of(item), tool, used))
        else:
            found.append(CacheEntry(area, size_of(area), None, True))
    return found


def prune(cache: Path) -> list[CacheEntry]:
    """Remove the per-tool entries no manifest uses; return them."""
    removed = [entry for entry in entries(cache) if not entry.used]
    for entry in removed:
        if entry.path.is_dir() and not entry.path.is_symlink():
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            entry.path.unlink(missing_ok=True)
        lock = entry.path.with_name(entry.path.name + ".lock")
        lock.unlink(missing_ok=True)
    return removed


def human(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"
