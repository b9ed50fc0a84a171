"""Finding a local mirror of a git repository, so source checkouts work offline.

Mirror directories come from ``$RTCOMPAT_MIRROR`` (``os.pathsep``-separated) and the
``mirror`` key of ``rtcompat.toml`` (project root) or ``~/.config/rtcompat/config.toml``.
Inside one, a repository ``github.com/OWNER/NAME`` may sit under any of the usual
layouts: ``OWNER+NAME/repo``, ``OWNER+NAME``, ``OWNER+NAME.git``, ``OWNER/NAME.git``,
``NAME.git`` or ``NAME``.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from harness.paths import project_root


def mirror_dirs() -> list[Path]:
    """Configured mirror directories, and the cache's own ``mirror/`` when it exists."""
    from harness.paths import cache_dir

    dirs = [Path(p) for p in os.environ.get("RTCOMPAT_MIRROR", "").split(os.pathsep) if p]
    for config in (project_root() / "rtcompat.toml", Path.home() / ".config" / "rtcompat" / "config.toml"):
        try:
            value = tomllib.loads(config.read_text()).get("mirror")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        dirs += [Path(v).expanduser() for v in ([value] if isinstance(value, str) else value or [])]
    if (cache_dir() / "mirror").is_dir():  # where the hint tells people to put mirrors
        dirs.append(cache_dir() / "mirror")
    return dirs


def owner_and_name(url: str) -> tuple[str, str]:
    match = re.search(r"[:/]([^/:]+)/([^/]+?)(?:\.git)?/?$", url)
    if not match:
        raise ValueError(f"cannot tell owner and name from git URL {url!r}")
    return match.group(1), match.group(2)


def find_mirror(url: str, dirs: list[Path] | None = None) -> Path | None:
    """The first git directory in the mirror dirs that holds ``url``, or None."""
    owner, name = owner_and_name(url)
    layouts = [f"{owner}+{name}/repo", f"{owner}+{name}", f"{owner}+{name}.git",
               f"{owner}/{name}.git", f"{owner}/{name}", f"{name}.git", name]
    for directory in dirs if dirs is not None else mirror_dirs():
        for layout in layouts:
            candidate = directory / layout
            if (candidate / "HEAD").is_file() or (candidate / ".git").exists():
                return candidate
    return None


def suggested_mirror_path(url: str) -> Path:
    """Where to put a mirror of ``url``: the first configured mirror directory, else
    ``mirror/`` in the cache ($RTCOMPAT_CACHE or ~/.cache/rtcompat)."""
    from harness.paths import cache_dir

    owner, name = owner_and_name(url)
    base = (mirror_dirs() or [cache_dir() / "mirror"])[0]
    return base / f"{owner}+{name}.git"
