"""Walking and hashing a directory that a check program may have tampered with.

A check can leave anything in its scratch copy of a fixture set: a file whose name is
not UTF-8, a symlink to a 1.5 GiB file or to /etc, a FIFO that blocks whoever opens it.
Checksums and permission changes must stay bounded and local whatever it left: links
are never followed (a link is hashed by its target's name), only regular files are
read, in chunks, and names are kept as the bytes the filesystem holds.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One non-directory entry below a root: its relative name as bytes, and what it is."""

    name: bytes
    path: Path
    kind: str  # "file", "symlink" or "special"

    @property
    def display(self) -> str:
        """The name as text, undecodable bytes escaped (``\\xff``), for messages and JSON."""
        return self.name.decode("utf-8", "backslashreplace")


def entries(root: Path) -> Iterator[Entry]:
    """Every file, symlink and special file below ``root``, in byte order of their names;
    symlinked directories are listed as links, not entered."""
    base = os.fsencode(root)
    found = []
    for directory, dirs, files in os.walk(base, followlinks=False):
        for name in [*files, *(d for d in dirs if os.path.islink(os.path.join(directory, d)))]:
            full = os.path.join(directory, name)
            mode = os.lstat(full).st_mode
            kind = "symlink" if stat.S_ISLNK(mode) else "file" if stat.S_ISREG(mode) else "special"
            found.append(Entry(os.path.relpath(full, base), Path(os.fsdecode(full)), kind))
    return iter(sorted(found, key=lambda e: e.name))


def digest(entry: Entry) -> str:
    """SHA-256 of a regular file's bytes (read in chunks), of a link's target name, or of
    a special file's type: never blocks on a FIFO, never reads through a link."""
    if entry.kind == "symlink":
        return hashlib.sha256(b"symlink\0" + os.fsencode(os.readlink(entry.path))).hexdigest()
    if entry.kind == "special":
        return hashlib.sha256(b"special\0" + str(stat.S_IFMT(os.lstat(entry.path).st_mode)).encode()).hexdigest()
    h = hashlib.sha256()
    with open(entry.path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def chmod_tree(root: Path, add: int = 0, remove: int = 0) -> None:
    """Add or remove permission bits on ``root`` and everything below it, never on what a
    symlink points to."""
    for path in [root, *(Path(os.fsdecode(os.path.join(d, n))) for d, ds, fs in os.walk(os.fsencode(root))
                         for n in [*ds, *fs])]:
        try:
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode):
                os.chmod(path, (mode | add) & ~remove & 0o7777)
        except OSError:
            pass
