"""Keeping fixtures untouchable, and their truth out of the checks' sight.

Checks never see the committed fixture tree. Each set is copied once per run into a
scratch directory holding only what a check may read: the DICOM files and
``points.json`` (where to measure). ``truth.json`` and the README, which states the
truth values too, stay behind: a check that could read them could pass by printing
them. The copy is checksummed before and after every check; a check that writes into
it is reported and the copy restored, so one misbehaving tool cannot skew the next.

The committed set is checksummed when the run first uses it, and its truth is read
then, once: verdicts are judged against that snapshot. Before each check is judged the
committed files are checksummed again, and a change stops the run with an error
naming the file (:class:`FixtureTampered`), since every later verdict would be suspect.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
from pathlib import Path

from harness.fixtures import fixture_set_checksum
from harness.judging.judge import Quantity, load_truth
from harness.tree import chmod_tree, digest, entries

#: Files a check may read besides DICOM files.
CHECK_VISIBLE = ("points.json",)
_DICOM_MAGIC_OFFSET = 128


def file_digests(directory: Path) -> dict[str, str]:
    """Relative name (undecodable bytes escaped) -> digest; links and FIFOs are not followed."""
    return {entry.display: digest(entry) for entry in entries(directory)}


def fixture_checksums(fixtures_root: Path) -> dict[str, str]:
    """Checksum of every set under ``fixtures_root``, recorded with each run."""
    if not fixtures_root.is_dir():
        return {}
    return {d.name: fixture_set_checksum(d) for d in sorted(fixtures_root.iterdir()) if d.is_dir()}


def is_check_visible(path: Path) -> bool:
    """A DICOM Part 10 file (``DICM`` after the preamble) or a named helper file."""
    if path.name in CHECK_VISIBLE:
        return True
    try:
        with open(path, "rb") as handle:
            handle.seek(_DICOM_MAGIC_OFFSET)
            return handle.read(4) == b"DICM"
    except OSError:
        return False


class FixtureTampered(Exception):
    """A committed fixture set changed during the run; every later verdict is suspect."""


class FixtureGuard:
    """Scratch copies of fixture sets without their truth, verified after every check."""

    def __init__(self, fixtures_root: Path, scratch: Path | None = None):
        self.fixtures_root = fixtures_root
        self.scratch = scratch or Path(tempfile.mkdtemp(prefix="rtcompat-fixtures-"))
        self._digests: dict[str, dict[str, str]] = {}
        self._committed: dict[str, dict[str, str]] = {}
        self._truth: dict[str, dict[str, Quantity]] = {}

    def source_dir(self, name: str) -> Path:
        path = self.fixtures_root / name
        if not path.is_dir():
            raise FileNotFoundError(f"no fixture set at {path} (rtcompat fixtures build)")
        return path

    def truth(self, name: str) -> dict[str, Quantity]:
        """The set's truth as it was when the run first used the set."""
        if name not in self._truth:
            self._committed[name] = file_digests(self.source_dir(name))
            self._truth[name] = load_truth(self.source_dir(name))
        return self._truth[name]

    def verify_committed(self, name: str) -> None:
        """Raise FixtureTampered if the committed set differs from when the run began."""
        if name not in self._committed:
            return
        now = file_digests(self.source_dir(name))
        before = self._committed[name]
        changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
        if changed:
            shown = ", ".join(str(self.source_dir(name) / k) for k in changed[:5])
            raise FixtureTampered(f"the committed fixture set {name!r} changed during the run: {shown}"
                                  + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
                                  + " (restore it with: rtcompat fixtures build --overwrite)")

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
        # a copy removed, or replaced by a file or a link (even to identical files), has lost every file
        now = file_digests(copy) if copy.is_dir() and not copy.is_symlink() else {}
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
        if copy.is_dir() and not copy.is_symlink():
            _make_writable(copy)
            shutil.rmtree(copy)
        elif copy.exists() or copy.is_symlink():  # a check replaced its copy with a file or a link
            copy.unlink()
        source = self.source_dir(name)

        def hidden(directory: str, names: list[str]) -> list[str]:
            return [n for n in names if (Path(directory) / n).is_file() and not is_check_visible(Path(directory) / n)]

        shutil.copytree(source, copy, ignore=hidden)
        self._digests[name] = file_digests(copy)
        _make_read_only(copy)


def _make_read_only(directory: Path) -> None:
    chmod_tree(directory, remove=stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def _make_writable(directory: Path) -> None:
    if directory.exists():
        chmod_tree(directory, add=stat.S_IWUSR)
