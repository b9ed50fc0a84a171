"""Publishing a report directory whole: readers see all of the old report or all of the new.

The report is rendered into a staging directory beside ``reports/`` (a copy of the old
one, history included), then swapped in with one ``renameat2(RENAME_EXCHANGE)`` system
call; a crash, an exception or a kill at any point leaves the old directory untouched
and at most a staging directory that the next render removes. A lock serialises two
renders of the same directory, so their files never mix.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from harness.store import UMASK

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
STAGING_PREFIX = ".{name}.staging-"


@contextmanager
def staged(output: Path, timeout: float = 600) -> Iterator[Path]:
    """A staging copy of ``output`` to render into; published whole when the block ends
    without an exception, discarded otherwise."""
    output = output.absolute()
    if output.exists() and not output.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(output))
    output.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(output.parent / f".{output.name}.lock"), timeout=timeout):
        _remove_stale_staging(output)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX.format(name=output.name), dir=output.parent))
        try:
            os.chmod(staging, 0o777 & ~UMASK)
            if output.is_dir():
                shutil.copytree(output, staging, dirs_exist_ok=True, symlinks=True)
            yield staging
            _sync(staging)  # the pages were written without a flush each: on disk before they are published
            _publish(staging, output)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _sync(directory: Path) -> None:
    """Flush the filesystem that holds ``directory`` (``syncfs``: that one, not every
    filesystem of the machine), or all of them where the call is missing."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    syncfs = getattr(libc, "syncfs", None)
    if syncfs is not None:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()


def _publish(staging: Path, output: Path) -> None:
    if not output.exists():
        os.rename(staging, output)
        return
    if not _exchange(staging, output):
        _replace_each(staging, output)
    # ``staging`` now holds the old report (or what is left of it); the caller removes it.


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically; False where the kernel or filesystem cannot."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _replace_each(staging: Path, output: Path) -> None:
    """Fallback without an atomic swap: every file replaced atomically, one by one."""
    for source in sorted(staging.rglob("*")):
        target = output / source.relative_to(staging)
        if source.is_dir():
            target.mkdir(exist_ok=True)
        else:
            os.replace(source, target)


def _remove_stale_staging(output: Path) -> None:
    """Staging directories a killed render left behind (we hold the lock: none is live)."""
    for leftover in output.parent.glob(STAGING_PREFIX.format(name=output.name) + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
