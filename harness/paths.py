"""Where things live: the project tree, the cache, the mirror of source checkouts.

Every location has an environment override so CI, tests and a newcomer can point the
harness elsewhere without editing code.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root(start: Path | None = None) -> Path:
    """The directory holding ``tool_manifests/``: $RTCOMPAT_ROOT, else the nearest parent."""
    if env := os.environ.get("RTCOMPAT_ROOT"):
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "tool_manifests").is_dir():
            return candidate
    return Path(__file__).resolve().parent.parent


def manifests_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "tool_manifests"


def fixtures_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "fixtures" / "dicom"


def reports_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "reports"


def results_dir(root: Path | None = None) -> Path:
    """Raw results of runs; ``latest.json`` is what ``rtcompat report`` renders."""
    return (root or project_root()) / "results"


def cache_dir() -> Path:
    """Tool environments, images and checkouts: $RTCOMPAT_CACHE, else the XDG cache."""
    if env := os.environ.get("RTCOMPAT_CACHE"):
        return Path(env).absolute()  # checks run elsewhere; a relative path would point nowhere
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "rtcompat"
