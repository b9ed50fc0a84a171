"""Keeping fixtures untouchable, and their truth out of the checks' sight.

Checks never see the committed fixture tree. Each set is copied once per run into a
scratch directory holding only what a check may read: the DICOM files and
``points.json`` (where to measure). ``truth.json`` and the README, which states the
truth values too, stay behind: a check that could read them could pass by printing
them. The copy is checksummed when made and looked at after every check: by the status of
its files (mode, size, modification and change time, inode), and byte for byte when that
moved; a check that writes into it is reported and the copy restored, so one misbehaving
tool cannot skew the next. (A write moves the modification time; setting that back moves
the change time, which only the clock can: the status catches what the hash would, at the
cost of a directory walk instead of reading every file twice per check.)

The committed set is checksummed when the run first uses it, and its truth is read
then, once, together with the set's bytes: verdicts are judged against that snapshot.
Before each check is judged the committed files are looked at again in the same way; a change is
undone from the snapshot (changed files rewritten, added ones removed) and stops the run
with an error naming the file and the tool whose check ran last
(:class:`FixtureTampered`), since every later verdict would be suspect. The working
tree is left as the run found it, whoever wrote into it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from harness.fixtures.checksum import fixture_set_checksum
from harness.judging.judge import Quantity, load_truth
from harness.stat_memo import StatMemo, signature, statuses
from harness.tree import chmod_tree, digest, entries

#: Files a check may read besides DICOM files.
CHECK_VISIBLE = ("points.json",)
_DICOM_MAGIC_OFFSET = 128


def file_digests(directory: Path) -> dict[str, str]:
    """Relative name (undecodable bytes escaped) -> digest; links and FIFOs are not followed."""
    return {entry.display: digest(entry) for entry in entries(directory)}


def fixture_checksums(fixtures_root: Path, memo: StatMemo | None = None) -> dict[str, str]:
    """Checksum of every set under ``fixtures_root``, recorded with each run; with a
    ``memo``, a set unchanged since its checksum was last computed is not read again."""
    if not fixtures_root.is_dir():
        return {}
    sets = [d for d in sorted(fixtures_root.iterdir()) if d.is_dir()]
    if memo is None:
        return {d.name: fixture_set_checksum(d) for d in sets}
    return {d.name: memo.value(f"fixture-set-checksum {d.resolve()}", d, lambda d=d: fixture_set_checksum(d))
            for d in sets}


def is_check_visible(path: Path) -> bool:
    """A DICOM Part 10 file (``DICM`` after the preamble), a ``.dcm`` file (an export may
    hold DICOM without preamble and file meta: the tools must meet it as it is), or a
    named helper file."""
    if path.name in CHECK_VISIBLE or (path.suffix.lower() == ".dcm" and path.is_file()):
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
        #: the status signature of each copy as made: a copy whose files did not move is not hashed
        self._copy_signatures: dict[str, str] = {}
        self._committed: dict[str, dict[str, str]] = {}
        self._committed_bytes: dict[str, dict[str, bytes]] = {}
        self._stats = _stat_snapshot(fixtures_root)
        self._truth: dict[str, dict[str, Quantity]] = {}

    def source_dir(self, name: str) -> Path:
        path = self.fixtures_root / name
        if not path.is_dir():
            raise FileNotFoundError(f"no fixture set at {path} (rtcompat fixtures build)")
        return path

    def truth(self, name: str) -> dict[str, Quantity]:
        """The set's truth as it was when the run first used the set."""
        if name not in self._truth:
            self._committed[name], self._committed_bytes[name] = _snapshot(self.source_dir(name))
            self._truth[name] = load_truth(self.source_dir(name))
        return self._truth[name]

    def verify_committed(self, name: str, suspect: str | None = None) -> None:
        """Raise FixtureTampered if a committed set differs from when the run began, after
        putting it back as it was; ``suspect`` names the check that ran last. Every set is
        compared by the mode, size, times and inode of its files (a set the run has not used
        yet is as much the truth of a later check); one whose files moved is compared byte
        for byte with the snapshot taken when the run first used it."""
        now = _stat_snapshot(self.fixtures_root)
        if now == self._stats:
            return  # nothing under the fixtures root moved: the usual case, decided in C
        moved = _moved(self._stats, now)
        messages = []
        for set_name in sorted(moved):
            if set_name in self._committed:
                current = file_digests(self.fixtures_root / set_name) if (self.fixtures_root / set_name).is_dir() else {}
                before = self._committed[set_name]
                changed = sorted(k for k in before.keys() | current.keys() if before.get(k) != current.get(k))
                restored = bool(changed) and self._restore_committed(set_name, changed)
                source = "the snapshot taken when the run began"
            else:
                changed = sorted(moved[set_name])
                restored = bool(changed) and _restore_from_generator(self.fixtures_root / set_name, set_name, changed)
                source = "the fixture generator"
            if changed:
                shown = ", ".join(str(self.fixtures_root / set_name / k) for k in changed[:5])
                messages.append(f"the committed fixture set {set_name!r} changed during the run"
                                + (f", after {suspect}" if suspect else "") + f": {shown}"
                                + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
                                + (f"; restored from {source}" if restored else
                                   f" (restore it with: rtcompat fixtures build --set {set_name} --overwrite)"))
        if messages:
            raise FixtureTampered("; ".join(messages))
        self._stats = now  # moved but byte-identical (a touch): not hashed again next time

    def _restore_committed(self, name: str, changed: list[str]) -> bool:
        """Rewrite changed files from the snapshot and remove added ones; True if the set
        now checksums as it did when the run began."""
        root = self.fixtures_root / name
        saved = self._committed_bytes[name]
        _put_back(root, {relative: saved.get(relative) for relative in changed})
        try:
            return file_digests(root) == self._committed[name]
        except OSError:
            return False

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
        if not copy.is_symlink() and copy.is_dir() and signature(copy) == self._copy_signatures[name]:
            return None  # no file's size, times or inode moved: its bytes cannot have changed
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
        self._copy_signatures[name] = signature(copy)


def _stat_snapshot(fixtures_root: Path) -> dict[bytes, tuple[int, int, int, int, int]]:
    """The status of every entry under the fixtures root (:func:`harness.stat_memo.statuses`):
    a change anywhere is seen at the cost of a directory walk (ms), not a hash of every set.
    Names stay bytes: the walk runs after every program run, and only what moved is decoded
    (:func:`_moved`)."""
    return statuses(fixtures_root)


def _moved(before: dict[bytes, tuple], now: dict[bytes, tuple]) -> dict[str, list[str]]:
    """Set name -> the names in it whose status differs between two snapshots (a file at the
    fixtures root counts as a set of its own name)."""
    moved: dict[str, list[str]] = {}
    for key in before.keys() | now.keys():
        if before.get(key) != now.get(key):
            set_name, _, inside = os.fsdecode(key).partition(os.sep)
            moved.setdefault(set_name, []).append(inside or set_name)
    return moved


def _put_back(root: Path, contents: dict[str, bytes | None]) -> None:
    """Each relative name replaced by its bytes, or removed where there are none."""
    for relative, data in contents.items():
        path = root / relative
        try:
            if path.is_symlink() or path.is_file() or (path.exists() and not path.is_dir()):
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
            if data is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        except OSError:
            continue


def _restore_from_generator(root: Path, set_name: str, changed: list[str]) -> bool:
    """A set the run had not read yet, put back from the generator that made it (the
    committed files are byte-identical to its output: ``rtcompat fixtures verify``).
    False where the generator does not know the set or cannot run here."""
    try:
        from harness.fixtures.build import render_set

        files = render_set(set_name)
    except Exception:  # an unknown set, or an optional codec missing: say how instead
        return False
    _put_back(root, {relative: files.get(relative) for relative in changed})
    return all((root / relative).is_file() and (root / relative).read_bytes() == files[relative]
               for relative in changed if relative in files) and not any(
        (root / relative).exists() for relative in changed if relative not in files)


def _snapshot(directory: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """Digests of every entry, and the bytes of every regular file (a set is a few MB),
    so a tampered committed set can be put back without regenerating it."""
    digests, contents = {}, {}
    for entry in entries(directory):
        if entry.kind == "file":  # read once: the digest is of the bytes kept
            contents[entry.display] = entry.path.read_bytes()
            digests[entry.display] = hashlib.sha256(contents[entry.display]).hexdigest()
        else:
            digests[entry.display] = digest(entry)
    return digests, contents


def _make_read_only(directory: Path) -> None:
    chmod_tree(directory, remove=stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def _make_writable(directory: Path) -> None:
    if directory.exists():
        chmod_tree(directory, add=stat.S_IWUSR)
