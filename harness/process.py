"""Running a tool's process so that nothing it does can take the harness down with it.

Each program starts in its own session (process group). At the timeout the whole group
is killed, not only the direct child, so a shell that started Java or Octave leaves no
orphan behind; after a normal exit the group is killed as well, which reaps background
processes a check forgot. Output is read concurrently and capped: a tool that floods
stdout costs us a bounded amount of memory and we still record how much it printed.

While a contained check runs, its cgroup's anonymous memory (every process of the check
together: a shell, the Java or Octave it started, an X server) is sampled, and the peak
recorded: the figure a user compares with their workstation's memory. ``ru_maxrss`` would
not do: a child forked from the harness starts with the harness's resident set as its
high-water mark, so every small tool would report the harness's size.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.limits import Containment, Limits, contain

DEFAULT_OUTPUT_LIMIT = 4 * 1024 * 1024
#: Starts a check's process some other way than ``subprocess.Popen`` (argv, env, cwd, the
#: containment), returning a Popen-like handle, or None to have it spawned as usual.
Launcher = Callable[[list[str], "dict[str, str] | None", "Path | None", "Containment | None"], Any]
_KILL_GRACE_SECONDS = 3.0


@dataclass(frozen=True)
class Completed:
    """What a finished (or killed) process left behind."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    output_truncated: bool = False
    launch_error: str | None = None
    limit_hit: str | None = None
    contained_by: str | None = None
    #: peak anonymous memory in bytes of all the check's processes together, sampled while
    #: it ran (None: not measured, as without a cgroup)
    peak_memory_bytes: int | None = None

    @property
    def signalled(self) -> int | None:
        """The signal that ended the process, if one did (negative return code)."""
        return -self.returncode if self.returncode is not None and self.returncode < 0 else None

    def tail(self, stream: str = "stderr", lines: int = 5) -> str:
        """The last ``lines`` lines of ``stream`` ("stdout" or "stderr"; any other name is
        a KeyError, never silently the other stream)."""
        text = {"stdout": self.stdout, "stderr": self.stderr}[stream]
        return "\n".join(text.strip().splitlines()[-lines:])


@dataclass
class _Capture:
    limit: int
    chunks: list[bytes] = field(default_factory=list)
    kept: int = 0
    total: int = 0

    def drain(self, stream) -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            self.total += len(chunk)
            room = self.limit - self.kept
            if room > 0:
                self.chunks.append(chunk[:room])
                self.kept += min(room, len(chunk))
        stream.close()

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


def run_bounded(
    argv: list[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    output_limit: int = DEFAULT_OUTPUT_LIMIT,
    limits: Limits | None = None,
    launcher: Launcher | None = None,
) -> Completed:
    """Run ``argv`` with a timeout over its whole process group and capped output;
    within ``limits`` (memory, processes) when given. A ``launcher`` may start the process
    instead of ``subprocess.Popen`` (a preloading server's fork, :mod:`harness.preload`);
    when it returns None the process is spawned as usual."""
    sandbox = contain(limits) if limits is not None else None
    try:
        return _run(argv, timeout, env, cwd, output_limit, sandbox, launcher)
    finally:
        if sandbox is not None:
            sandbox.close()


def _run(argv: list[str], timeout: float, env: dict[str, str] | None, cwd: Path | None,
         output_limit: int, sandbox: Containment | None, launcher: Launcher | None = None) -> Completed:
    start = time.monotonic()
    contained_by = sandbox.description if sandbox else None
    forked = launcher(argv, env, cwd, sandbox) if launcher is not None else None
    try:
        proc = forked or subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=sandbox.preexec if sandbox else None,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        return Completed(tuple(argv), None, "", "", 0.0, launch_error=f"{argv[0]}: {reason}", contained_by=contained_by)
    out, err = _Capture(output_limit), _Capture(output_limit)
    peak = _Peak(sandbox.memory_now if sandbox is not None else None)
    readers = [threading.Thread(target=c.drain, args=(s,), daemon=True)
               for c, s in ((out, proc.stdout), (err, proc.stderr))]
    for reader in readers:
        reader.start()
    timed_out = False
    launch_error = None
    try:
        if sandbox is not None:
            try:
                sandbox.adopt(proc.pid)
            except OSError as exc:
                launch_error = f"could not apply the check limits ({sandbox.description}): {exc}"
                timeout = 0
        if not _wait(proc, timeout, peak):
            raise subprocess.TimeoutExpired(argv, timeout)
        launch_error = launch_error or getattr(proc, "lost", None)  # a forked check whose server stopped
    except subprocess.TimeoutExpired:
        timed_out = launch_error is None
    finally:
        peak.sample()
        _kill_group(proc)
        if sandbox is not None:
            sandbox.kill_all()  # what left the group (setsid, daemons) is still in the cgroup
    for reader in readers:
        reader.join(timeout=_KILL_GRACE_SECONDS)
    return Completed(
        argv=tuple(argv), returncode=proc.returncode, stdout=out.text(), stderr=err.text(),
        duration=time.monotonic() - start, timed_out=timed_out, stdout_bytes=out.total,
        stderr_bytes=err.total, output_truncated=out.total > out.kept or err.total > err.kept,
        launch_error=launch_error, limit_hit=sandbox.limit_hit() if sandbox else None, contained_by=contained_by,
        # a forked check shares its preloaded imports with the server: count them as its own
        peak_memory_bytes=None if peak.bytes is None else peak.bytes + getattr(proc, "memory_baseline", 0),
    )


@dataclass
class _Peak:
    """The largest memory figure ``read`` gave while the check ran."""

    read: Callable[[], int | None] | None
    bytes: int | None = None

    def sample(self) -> None:
        if self.read is not None and (now := self.read()) is not None:
            self.bytes = max(self.bytes or 0, now)


#: The longest pause between two memory samples (seconds); the first come sooner.
SAMPLE_INTERVAL = 0.05


def _wait(proc: subprocess.Popen, timeout: float, peak: _Peak) -> bool:
    """Wait up to ``timeout`` seconds for ``proc``, sampling its memory; True when it exited."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while proc.poll() is None and not getattr(proc, "lost", None):  # lost: a forked check's server stopped
        peak.sample()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, SAMPLE_INTERVAL)
    return True


def _kill_group(proc: subprocess.Popen) -> None:
    """TERM then KILL the whole group; a no-op when it has already gone."""
    for sig, wait in ((signal.SIGTERM, 0.5), (signal.SIGKILL, _KILL_GRACE_SECONDS)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        if not _group_alive(proc.pid):
            break
    if proc.returncode is None:
        proc.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
