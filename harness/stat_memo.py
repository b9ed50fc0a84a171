"""Digests of a directory remembered by what ``lstat`` says of its files.

Why: every run recorded the checksum of every fixture set (82 MB read and hashed, even for
``--set reference``) and re-verified the 100 MB clinical-size set against its sums, though
nothing had changed since the last run. A directory's *status signature* (each entry's
relative name, mode, size, modification and change time, inode) is cheap to take, and a
changed byte changes it: a write moves the modification time, and resetting that time
(``touch -d``) moves the change time, which no unprivileged process can set. So a digest
is recomputed only when the signature differs from the one it was computed under.

The memo is a small JSON file in the cache. Anything wrong with it (missing, corrupt,
written by another version) only means recomputing; a value is stored only when the
signature was the same before and after computing it, so a directory changing while it
is hashed is never remembered.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

_FORMAT = 1
#: Entries kept at most: a memo is for the handful of directories a run rereads.
_MAX_ENTRIES = 512


def statuses(directory: Path) -> dict[bytes, tuple[int, int, int, int, int]]:
    """Relative name (bytes) -> (mode, size, mtime, ctime, inode) of every entry below
    ``directory`` that is not a directory (a symlink is an entry; never followed)."""
    found = {}
    base = os.fsencode(directory)
    skip = len(os.path.join(base, b""))  # entry paths start with the directory and a separator
    stack = [base]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                        continue
                    st = entry.stat(follow_symlinks=False)
                    found[entry.path[skip:]] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        except OSError:
            continue
    return found


def signature(directory: Path) -> str:
    """SHA-256 over :func:`statuses`: changes with any content change."""
    h = hashlib.sha256()
    for name, numbers in sorted(statuses(directory).items()):
        h.update(name + b"\0" + ",".join(map(str, numbers)).encode() + b"\n")
    return h.hexdigest()


class StatMemo:
    """``key`` -> (signature, value), persisted in ``path``."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._entries = self._load()

    def value(self, key: str, directory: Path, compute: Callable[[], str],
              sign: Callable[[Path], str] = signature) -> str:
        """The remembered value for ``key`` if ``directory`` has not changed since it was
        computed, else ``compute()`` (remembered when the directory held still meanwhile).
        ``sign`` takes the signature: by default every file's status, or a narrower one
        over just the files the value is read from."""
        before = sign(directory)
        held = self._entries.get(key)
        if held is not None and held[0] == before:
            return held[1]
        result = compute()
        if result and sign(directory) == before:
            self._entries[key] = (before, result)
            self._save()
        return result

    def holds(self, key: str, directory: Path, value: str) -> bool:
        """True when ``value`` was remembered for ``key`` under the directory's present state."""
        held = self._entries.get(key)
        return held is not None and held == (signature(directory), value)

    def remember(self, key: str, directory: Path, value: str, since: str) -> None:
        """Keep ``value`` for ``key`` if the directory's signature is still ``since`` (the
        one taken before the value was established)."""
        if signature(directory) == since:
            self._entries[key] = (since, value)
            self._save()

    def _load(self) -> dict[str, tuple[str, str]]:
        try:
            data = json.loads(self.path.read_text())
            if data.get("format") != _FORMAT:
                return {}
            return {str(k): (str(v[0]), str(v[1])) for k, v in data["entries"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            return {}

    def _save(self) -> None:
        entries = dict(list(self._entries.items())[-_MAX_ENTRIES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        except OSError:
            return  # a memo that cannot be written costs only time
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump({"format": _FORMAT, "entries": {k: list(v) for k, v in entries.items()}}, handle)
            os.replace(temporary, self.path)  # workers may save at once: last one wins, none half-written
        except OSError:
            Path(temporary).unlink(missing_ok=True)
