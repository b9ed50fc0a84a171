"""Keeping fixtures untouchable while tools run against them.

Checks never see the committed fixture tree: each set is copied once per run into a
scratch directory (mounted read-only where the backend can), and its files are
checksummed before and after every check. A check that writes into its fixture is
reported, and the copy is restored before the next check, so one misbehaving tool
cannot skew the verdicts of the next.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import tempfile
from pathlib import Path

from harness.fixtures import fixture_set_checksum


def file_digests(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def fixture_checksums(fixtures_root: Path) -> dict[str, str]:
    """Checksum of every set under ``fixtures_root``, recorded with each run."""
    if not fixtures_root.is_dir():
        return {}
    return {d.name: fixture_set_checksum(d) for d in sorted(fixtures_root.iterdir()) if d.is_dir()}


class FixtureGuard:
    """Scratch copies of fixture sets, verified after every check."""

    def __init__(self, fixtures_root: Path, scratch: Path | None = None):
        self.fixtures_root = fixtures_root
        self.scratch = scratch or Path(tempfile.mkdtemp(prefix="rtcompat-fixtures-"))
        self._digests: dict[str, dict[str, str]] = {}

    def source_dir(self, name: str) -> Path:
        path = self.fixtures_root / name
        if not path.is_dir():
            raise FileNotFoundError(f"no fixture set at {path} (rtcompat fixtures build)")
        return path

    def checked_out(self, name: str) -> Path:
        copy = self.scratch / name
        if name not in self._digests:
            self._copy(name)
        return copy

    def verify_and_restore(self, name: str) -> str | None:
        """What changed in the copy since it was made (None if nothing); restores it."""
        copy = self.scratch / name
        if name not in self._digests:
            return None
        now = file_digests(copy) if copy.is_dir() else {}
        before = self._digests[name]
        changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
        if not changed:
            return None
        self._copy(name)
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        return f"{len(changed)} file(s) changed: {shown}"

    def cleanup(self) -> None:
        _make_writable(self.scratch)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _copy(self, name: str) -> None:
        copy = self.scratch / name
        if copy.exists():
            _make_writable(copy)
            shutil.rmtree(copy)
        shutil.copytree(self.source_dir(name), copy)
        self._digests[name] = file_digests(copy)
        _make_read_only(copy)


def _make_read_only(directory: Path) -> None:
    for path in [*directory.rglob("*"), directory]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _make_writable(directory: Path) -> None:
    if directory.exists():
        for path in [directory, *directory.rglob("*")]:
            try:
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
            except OSError:
                pass
