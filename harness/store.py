"""The environment cache: content-keyed, locked, built aside and moved into place.

After pre-commit's ``store.py``: a directory is only ever visible complete. Builds
happen in a temporary sibling directory and are published with ``os.replace``; a
file lock per key serialises racing runs, and the cache is re-checked inside the lock
because another process may have finished the same build meanwhile. Each environment
records what built it (``.rtcompat-env.json``), so a change of key builds anew
instead of silently reusing a stale one.
"""

from __future__ import annotations

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
        if _record_matches(final, key_parts):
            return final, True
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
        try:
            build(tmp)
            (tmp / RECORD).write_text(json.dumps(key_parts, indent=2, sort_keys=True))
            if final.exists():
                _remove(final)
            os.replace(tmp, final)
        except BaseException:
            _remove(tmp)
            raise
        return final, False


def _record_matches(final: Path, key_parts: dict[str, Any]) -> bool:
    try:
        return json.loads((final / RECORD).read_text()) == json.loads(json.dumps(key_parts))
    except (OSError, ValueError):
        return False


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` so readers see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
