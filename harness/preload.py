"""Check programs forked from a server that imported the tool once (the harness's side).

A tool whose manifest lists ``preload`` modules gets one server per run (per worker):
:mod:`harness.preload_server`, started with the tool's interpreter, imports them and
forks a fresh child for each check whose command is the default ``{python} {program}``.
The child is a process of its own, in its own session, within the check's cgroup or
rlimits, with the check's environment and working directory; :func:`harness.process.
run_bounded` times, caps, samples and kills it exactly as it does a spawned process
(through :class:`ForkedChild`, which looks like ``subprocess.Popen`` to it).

What is given up, and why that is acceptable: the child inherits the preloaded modules'
state as it was after import (never another check's: each child is forked from the
server, not from an earlier child), and memory those imports allocated is counted in the
server, not in the check's peak. A server that cannot start, or stops before a program
started, costs nothing but time: that check runs as a spawned process, as without
``preload``; one that stops while a program runs makes that check an ``error`` (ours).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import scratch

SERVER = Path(__file__).with_name("preload_server.py")
#: Importing a tool (SimpleITK, VTK) may take a while on a cold page cache.
READY_TIMEOUT = 120.0
_ANSWER_TIMEOUT = 30.0
_MESSAGE_BYTES = 1 << 16


class ServerGone(Exception):
    """The server did not answer as it should; the check can still run the usual way."""


@dataclass
class PreloadServer:
    """One running server: its process and our end of the socket."""

    python: str
    modules: tuple[str, ...]
    process: subprocess.Popen
    channel: socket.socket
    home: Path
    failed: dict[str, str] = field(default_factory=dict)
    busy: bool = False
    #: the server's own anonymous memory once it imported: what each check would have
    #: allocated itself importing the modules, added to its measured peak
    imported_bytes: int = 0

    @classmethod
    def start(cls, python: str, modules: tuple[str, ...], env: dict[str, str]) -> PreloadServer:
        # a home and temporary directory of its own: what an import writes there (a font or
        # config cache) goes with the server, as a check's goes with the check's scratch
        home = scratch.new_run_dir()  # named for this process: swept by a later run if this one is killed
        env = {**env, "HOME": str(home), "TMPDIR": str(home), "TMP": str(home), "TEMP": str(home)}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            process = subprocess.Popen(
                [python, str(SERVER), str(theirs.fileno()), *modules], env=env, cwd=home,
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True,
            )
        except OSError as exc:
            ours.close()
            scratch.remove(home)
            raise ServerGone(f"could not start {python}: {exc}") from None
        finally:
            theirs.close()
        server = cls(python, modules, process, ours, home)
        try:
            ready = server._answer(READY_TIMEOUT)
        except ServerGone:
            server.close()
            raise
        if ready.get("threads", 1) > 1:
            server.close()
            raise ServerGone(f"importing {', '.join(modules)} started {ready['threads'] - 1} thread(s): a fork copies "
                             "only one, so locks the others held would stay held; checks are spawned instead")
        server.failed = dict(ready.get("failed", {}))
        server.imported_bytes = _anonymous_memory(process.pid)
        return server

    def spawn(self, argv: list[str], env: dict[str, str], cwd: Path | None, child_setup: dict) -> ForkedChild:
        """Fork a child running ``argv`` (``python program args``); raise ServerGone if the
        server cannot (the caller then spawns the program itself)."""
        if self.busy or self.process.poll() is not None:
            raise ServerGone("the server is busy or gone")
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        request = {"argv": argv, "env": env, "cwd": str(cwd or "/"), **child_setup}
        try:
            socket.send_fds(self.channel, [json.dumps(request).encode()], [stdout_write, stderr_write])
        except OSError as exc:
            for fd in (stdout_read, stdout_write, stderr_read, stderr_write):
                os.close(fd)
            raise ServerGone(f"could not reach the server: {exc}") from None
        os.close(stdout_write)
        os.close(stderr_write)
        try:
            answer = self._answer(_ANSWER_TIMEOUT)
        except ServerGone:
            os.close(stdout_read)
            os.close(stderr_read)
            raise
        if "pid" not in answer:
            os.close(stdout_read)
            os.close(stderr_read)
            raise ServerGone(f"the server refused the request: {answer.get('error', answer)}")
        self.busy = True
        return ForkedChild(self, answer["pid"], os.fdopen(stdout_read, "rb", buffering=0),
                           os.fdopen(stderr_read, "rb", buffering=0), argv, memory_baseline=self.imported_bytes)

    def _answer(self, timeout: float) -> dict:
        readable, _, _ = select.select([self.channel], [], [], timeout)
        if not readable:
            raise ServerGone(f"no answer from the server in {timeout:.0f} s")
        try:
            data = self.channel.recv(_MESSAGE_BYTES)
        except OSError as exc:
            raise ServerGone(f"lost the server: {exc}") from None
        if not data:
            raise ServerGone(f"the server stopped (exit code {self.process.poll()})")
        return json.loads(data)

    def close(self) -> None:
        self.channel.close()  # the server reads end-of-file and exits
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        scratch.remove(self.home)


@dataclass
class ForkedChild:
    """A check program forked by the server, with the parts of ``subprocess.Popen`` that
    :func:`harness.process.run_bounded` uses: ``pid``, ``stdout``, ``stderr``, ``poll``,
    ``wait`` and ``returncode``."""

    server: PreloadServer
    pid: int
    stdout: object
    stderr: object
    args: list[str]
    returncode: int | None = None
    #: set when the server stopped before saying how the child ended
    lost: str | None = None
    #: memory the child shares with the server (the imports), which its cgroup does not count
    memory_baseline: int = 0

    def poll(self) -> int | None:
        if self.returncode is None and self.lost is None:
            self._collect(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None and self.lost is None:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout)
            self._collect(remaining)
        return self.returncode

    def _collect(self, timeout: float | None) -> None:
        readable, _, _ = select.select([self.server.channel], [], [], timeout)
        if not readable:
            return
        try:
            answer = self.server._answer(0)
        except ServerGone as exc:
            self.lost = f"the preloading server stopped while the check ran ({exc})"
            self.server.busy = False
            return
        if "exit" in answer:
            self.returncode = int(answer["exit"])
            self.server.busy = False


def _anonymous_memory(pid: int) -> int:
    """``RssAnon`` of a process in bytes (0 when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def server_environment(extra: dict[str, str]) -> dict[str, str]:
    """The server's environment: a check's (one thread per numeric library, none of the
    harness's Python settings, no bytecode written), without a check's home and scratch;
    each child takes its check's whole environment before the program runs."""
    from harness.backends.base import harness_free_environment

    return {**harness_free_environment(), **extra}


class Servers:
    """The servers of one harness process, by interpreter and modules; closed at exit."""

    def __init__(self) -> None:
        self._running: dict[tuple[str, tuple[str, ...]], PreloadServer | str] = {}
        atexit.register(self.close_all)

    def get(self, python: str, modules: tuple[str, ...], env: dict[str, str]) -> PreloadServer | None:
        """The running server for ``python`` and ``modules``, started on first use; None when
        it could not start (remembered: the run does not try again for every check)."""
        key = (python, modules)
        server = self._running.get(key)
        if isinstance(server, PreloadServer) and server.process.poll() is not None:
            server.close()
            server = None  # stopped since: start another
        if server is None:
            try:
                server = PreloadServer.start(python, modules, env)
            except ServerGone as exc:
                server = str(exc)
            self._running[key] = server
        return server if isinstance(server, PreloadServer) else None

    def close_all(self) -> None:
        for server in self._running.values():
            if isinstance(server, PreloadServer):
                server.close()
        self._running.clear()


SERVERS = Servers()
