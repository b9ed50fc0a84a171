"""The environment cache: content-keyed, locked, built aside and moved into place.

After pre-commit's ``store.py``: a directory is only ever visible complete. Builds
happen in a temporary sibling directory and are published with ``os.replace``; a
file lock per key serialises racing runs, and the cache is re-checked inside the lock
because another process may have finished the same build meanwhile. Each environment
records what built it (``.rtcompat-env.json``, written last), so a change of key builds
anew instead of silently reusing a stale one.

A run killed with SIGKILL can stop anywhere, so nothing relies on finishing: a stale
environment is first renamed aside (atomically) and only then deleted, so a half-deleted
tree never sits under the cached name; the record counts the files it was published
with, and an environment with fewer is never reused; and the next build of the same
name, holding the lock, removes the temporary and renamed-aside siblings a killed build
left behind.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock

RECORD = ".rtcompat-env.json"


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Read once: os.umask can only be read by setting it.
UMASK = _current_umask()


def content_key(parts: dict[str, Any]) -> str:
    """A short stable hash of everything that determines an environment's content."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@contextmanager
def locked(path: Path, timeout: float = 3600) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", timeout=timeout):
        yield


def cached_build(
    final: Path, key_parts: dict[str, Any], build: Callable[[Path], None]
) -> tuple[Path, bool]:
    """Return ``(final, reused)``, building with ``build(tmpdir)`` when not cached.

    ``build`` receives an empty temporary directory next to ``final``; when it
    returns, the directory is published atomically. If it raises, the temporary
    directory is removed and nothing is published.
    """
    with locked(final):
        _remove_leftovers(final)
        if _record_matches(final, key_parts):
            return final, True
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
        try:
            build(tmp)
            record = {"key": key_parts, "files": _count_files(tmp)}
            (tmp / RECORD).write_text(json.dumps(record, indent=2, sort_keys=True))
            if final.exists() or final.is_symlink():
                _remove(final)
            os.replace(tmp, final)
        except BaseException:
            _remove(tmp)
            raise
        return final, False


def _record_matches(final: Path, key_parts: dict[str, Any]) -> bool:
    """The environment was built from ``key_parts`` and still holds every file it was
    published with (files may be added, e.g. bytecode caches; none may be missing)."""
    try:
        record = json.loads((final / RECORD).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("key") != json.loads(json.dumps(key_parts)):
        return False
    files = record.get("files")
    return isinstance(files, int) and _count_files(final) - 1 >= files


def _count_files(root: Path) -> int:
    return sum(len(files) for _dir, _dirs, files in os.walk(root))


def _remove(path: Path) -> None:
    """Rename aside atomically, then delete: a kill during the delete leaves a trash
    directory the next build removes, never a partial tree under the cached name."""
    trash = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        os.replace(path, trash)
    except OSError:
        trash.rmdir()
        trash = path
    shutil.rmtree(trash, ignore_errors=True)


def _remove_leftovers(final: Path) -> None:
    """Temporary and renamed-aside siblings of ``final`` that killed builds left (the
    caller holds the lock for ``final``, so none of them is in use)."""
    for leftover in final.parent.glob(f".{glob.escape(final.name)}.*"):
        if leftover.is_dir() and not leftover.name.endswith(".lock"):
            shutil.rmtree(leftover, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` so readers see the old file or the new one, never half of it; the
    file gets the permissions the umask gives a new file (a published report must be
    readable), not mkstemp's 0600."""
    atomic_write_bytes(path, text.encode("utf-8"))


def write_staged(path: Path, data: str | bytes) -> None:
    """Write a file of a directory nobody reads until it is published whole (a report's
    staging copy, :mod:`harness.report.publish`): a plain write, no flush to disk per file
    (publishing syncs once). What the old report had at that path is replaced, never
    written through: the staging copy keeps symlinks as symlinks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with open(path, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """:func:`atomic_write_text` for bytes (a screenshot)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
