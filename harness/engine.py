"""Bringing a Docker engine up and down for the ``container`` backend, by its pid.

Debian's ``docker.io`` does not start a daemon by itself on a test machine, and no
one should have to remember the half-dozen ``dockerd`` flags. ``up`` starts one whose
socket, data, state and log all live in one directory (the harness cache by default),
so it never touches ``/var/lib/docker``; ``down`` stops only a daemon that ``up``
started, found through the pidfile ``dockerd`` writes. Both are idempotent: ``up``
on a running engine reports it, ``down`` on a stopped one says so. An engine someone
else runs (``/var/run/docker.sock``, ``$DOCKER_HOST``) is reported and never
replaced or stopped.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from harness.paths import cache_dir
from harness.store import locked

SYSTEM_SOCKET = "unix:///var/run/docker.sock"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
# overlay2 needs a backing filesystem with d_type and no overlay below it; these are
# the ones Docker documents as supported. Elsewhere vfs (slow, copies layers) works.
OVERLAY_BACKINGS = ("ext4", "xfs")
INSTALL_HINT = "apt-get install docker.io"


class EngineError(Exception):
    """The engine could not be brought up or down; the message is one actionable line."""


@dataclass(frozen=True)
class EngineState:
    """What answers where, and whether this harness owns it."""

    engine_dir: Path
    url: str | None
    pid: int | None = None
    managed: bool = False
    started: bool = False
    stopped: bool = False
    storage_driver: str | None = None
    server_version: str | None = None
    seconds: float = 0.0

    @property
    def running(self) -> bool:
        return self.url is not None

    @property
    def log(self) -> Path:
        return log_path(self.engine_dir)

    def describe(self) -> str:
        """One line for the CLI: what happened, where, and whose engine it is."""
        if self.stopped:
            return f"engine stopped (pid {self.pid}) in {self.seconds:.1f} s"
        if not self.running:
            return f"no engine running (start one: rtcompat engine up; dir {self.engine_dir})"
        owner = f"rtcompat pid {self.pid}" if self.managed else "not started by rtcompat; left alone"
        verb = f"started in {self.seconds:.1f} s" if self.started else "running"
        extras = ", ".join(filter(None, [f"docker {self.server_version}" if self.server_version else None,
                                         self.storage_driver]))
        return f"engine {verb} at {self.url} ({owner}{', ' + extras if extras else ''})"


def default_dir() -> Path:
    """Where the harness keeps the engine it starts: the cache's ``engine/``."""
    return cache_dir() / "engine"


def socket_url(engine_dir: Path) -> str:
    return f"unix://{engine_dir / 'docker.sock'}"


def pid_path(engine_dir: Path) -> Path:
    return engine_dir / "dockerd.pid"


def log_path(engine_dir: Path) -> Path:
    return engine_dir / "dockerd.log"


def status(engine_dir: Path | None = None) -> EngineState:
    """Which engine answers (ours first, then $DOCKER_HOST, then the system socket)."""
    engine_dir = engine_dir or default_dir()
    own = socket_url(engine_dir)
    pid = _managed_pid(engine_dir)
    for url in _candidates(engine_dir):
        info = _server_info(url)
        if info is not None:
            managed = url == own and pid is not None
            return EngineState(engine_dir, url, pid=pid if managed else None, managed=managed,
                               storage_driver=info.get("Driver"), server_version=info.get("ServerVersion"))
    return EngineState(engine_dir, None, pid=pid, managed=pid is not None)


def up(engine_dir: Path | None = None, timeout: float = START_TIMEOUT) -> EngineState:
    """Make an engine answer; start ``dockerd`` in ``engine_dir`` only when none does."""
    engine_dir = engine_dir or default_dir()
    state = status(engine_dir)
    if state.running:
        return state
    _require_can_start()
    engine_dir.mkdir(parents=True, exist_ok=True)
    with locked(engine_dir / "engine", timeout=timeout + STOP_TIMEOUT):
        # Another process may have started it while we waited for the lock.
        state = status(engine_dir)
        if state.running:
            return state
        if state.pid is not None:  # alive but not answering: starting, stopping, or wedged
            state = _wait_until_answers(engine_dir, state.pid, timeout)
            if state.running:
                return state
            if _alive(state.pid):
                raise EngineError(f"dockerd pid {state.pid} runs but does not answer; "
                                  f"see {log_path(engine_dir)} (rtcompat engine down, then up)")
        return _start(engine_dir, timeout)


def down(engine_dir: Path | None = None, timeout: float = STOP_TIMEOUT) -> EngineState:
    """Stop the daemon ``up`` started (SIGTERM, then SIGKILL), and wait until it exits."""
    engine_dir = engine_dir or default_dir()
    if _managed_pid(engine_dir) is None:
        _unmount_leftovers(engine_dir)
        return status(engine_dir)
    with locked(engine_dir / "engine", timeout=START_TIMEOUT + timeout):
        pid = _managed_pid(engine_dir)  # re-read: another process may have stopped it
        if pid is None:
            _unmount_leftovers(engine_dir)
            return status(engine_dir)
        start = time.monotonic()
        _signal(pid, signal.SIGTERM)
        if not _wait_exit(pid, timeout):
            _signal(pid, signal.SIGKILL)
            if not _wait_exit(pid, 10):
                raise EngineError(f"dockerd pid {pid} survived SIGKILL; see {log_path(engine_dir)}")
        pid_path(engine_dir).unlink(missing_ok=True)
        _unmount_leftovers(engine_dir)
    return EngineState(engine_dir, None, pid=pid, managed=True, stopped=True,
                       seconds=time.monotonic() - start)


def _unmount_leftovers(engine_dir: Path) -> None:
    """Mounts a daemon that died hard left under its directories (dockerd bind-mounts
    its data root onto itself); left alone they keep the directory from being removed."""
    if os.geteuid() != 0:
        return
    root = str(engine_dir.resolve())
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    points = [line.split()[4] for line in lines if len(line.split()) > 4]
    ours = sorted((p for p in points if p == root or p.startswith(root + "/")), key=len, reverse=True)
    for point in ours:
        subprocess.run(["umount", "-l", point], capture_output=True, timeout=30)


def dockerd_argv(engine_dir: Path, storage_driver: str) -> list[str]:
    """The daemon command line: everything it owns lives under ``engine_dir``."""
    return [
        "dockerd", "--host", socket_url(engine_dir), "--data-root", str(engine_dir / "data"),
        "--exec-root", str(engine_dir / "exec"), "--pidfile", str(pid_path(engine_dir)),
        f"--storage-driver={storage_driver}",
    ]


def storage_driver_for(path: Path) -> str:
    """overlay2 where the backing filesystem supports it, else vfs."""
    return "overlay2" if filesystem_type(path) in OVERLAY_BACKINGS else "vfs"


def filesystem_type(path: Path) -> str | None:
    """The type of the filesystem holding ``path`` (longest mount point that contains it)."""
    target = _existing_ancestor(path.resolve())
    best, kind = "", None
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if _contains(point, target) and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def _start(engine_dir: Path, timeout: float) -> EngineState:
    driver = storage_driver_for(engine_dir)
    started = time.monotonic()
    _stop_orphaned_containerd(engine_dir)
    proc = _spawn(engine_dir, driver)
    state = _wait_until_answers(engine_dir, proc.pid, timeout, proc)
    if not state.running and proc.poll() is not None and driver != "vfs" and _overlay_refused(engine_dir):
        # overlay2 refused (nested overlay, odd kernel): vfs always works, only slower.
        _note(engine_dir, f"overlay2 failed (exit {proc.returncode}); retrying with vfs")
        proc = _spawn(engine_dir, "vfs")
        state = _wait_until_answers(engine_dir, proc.pid, timeout, proc)
    if not state.running:
        _stop_failed_start(proc)
        raise EngineError(f"dockerd did not answer within {timeout:.0f} s; see {log_path(engine_dir)}")
    return EngineState(engine_dir, state.url, pid=proc.pid, managed=True, started=True,
                       storage_driver=state.storage_driver, server_version=state.server_version,
                       seconds=time.monotonic() - started)


def _stop_orphaned_containerd(engine_dir: Path) -> None:
    """Clear what a dockerd that died hard (SIGKILL, a crashed session) left on our exec
    root: a containerd still running, or its pidfile naming a process that is gone or a
    zombie. Either way a new dockerd would wait for that containerd and time out."""
    pidfile = engine_dir / "exec" / "containerd" / "containerd.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    if _is_live_containerd(pid, engine_dir):
        _note(engine_dir, f"stopping orphaned containerd (pid {pid})")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for _ in range(50):
            if not _is_live_containerd(pid, engine_dir):
                break
            time.sleep(0.1)
    pidfile.unlink(missing_ok=True)


def _is_live_containerd(pid: int, engine_dir: Path) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    zombie = stat.rsplit(")", 1)[-1].split()[0] == "Z"
    return not zombie and "containerd" in cmdline and str(engine_dir / "exec") in cmdline


def _overlay_refused(engine_dir: Path) -> bool:
    """Whether the last start failed on the storage driver (not on something vfs cannot fix)."""
    try:
        log = log_path(engine_dir).read_text(errors="replace")[-50000:]
    except OSError:
        return True
    last_start = log.rsplit("--- rtcompat", 1)[-1].split("\n", 1)[-1]  # without our own header line
    failures = [line.lower() for line in last_start.splitlines()
                if "level=error" in line or "level=fatal" in line or line.startswith("failed to start")]
    return any("overlay" in line or "storage driver" in line or "graphdriver" in line for line in failures)


def _spawn(engine_dir: Path, driver: str) -> subprocess.Popen:
    """Start dockerd detached from our session, its output appended to the log."""
    for stale in (engine_dir / "docker.sock", pid_path(engine_dir)):
        stale.unlink(missing_ok=True)
    _note(engine_dir, "starting: " + " ".join(dockerd_argv(engine_dir, driver)))
    with open(log_path(engine_dir), "ab") as log:
        return subprocess.Popen(dockerd_argv(engine_dir, driver), stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _wait_until_answers(engine_dir: Path, pid: int, timeout: float,
                        proc: subprocess.Popen | None = None) -> EngineState:
    deadline = time.monotonic() + timeout
    url = socket_url(engine_dir)
    while time.monotonic() < deadline:
        if (engine_dir / "docker.sock").exists():
            info = _server_info(url)
            if info is not None:
                return EngineState(engine_dir, url, pid=pid, managed=True, storage_driver=info.get("Driver"),
                                   server_version=info.get("ServerVersion"))
        exited = proc.poll() is not None if proc is not None else not _alive(pid)
        if exited:
            break
        time.sleep(0.2)
    return EngineState(engine_dir, None, pid=pid, managed=True)


def _stop_failed_start(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _require_can_start() -> None:
    if shutil.which("dockerd") is None:
        raise EngineError(f"dockerd is not installed: {INSTALL_HINT} (as root)")
    if os.geteuid() != 0:
        raise EngineError("starting a container engine needs root: run 'sudo rtcompat engine up' "
                          f"(or start your own and set DOCKER_HOST); package: {INSTALL_HINT}")


def _candidates(engine_dir: Path) -> list[str]:
    urls = [socket_url(engine_dir), os.environ.get("DOCKER_HOST"), SYSTEM_SOCKET]
    seen: list[str] = []
    for url in filter(None, urls):
        if url not in seen and not (url.startswith("unix://") and not Path(url[7:]).exists()):
            seen.append(url)
    return seen


def _server_info(url: str) -> dict | None:
    """``docker version`` of the engine at ``url``, or None when it does not answer."""
    try:
        import docker

        client = docker.DockerClient(base_url=url, timeout=5)
        try:
            client.ping()
            info = client.info()
            return {"Driver": info.get("Driver"), "ServerVersion": info.get("ServerVersion")}
        finally:
            client.close()
    except Exception:
        return None


def _managed_pid(engine_dir: Path) -> int | None:
    """The pid in our pidfile when that process is alive and is a dockerd."""
    try:
        pid = int(pid_path(engine_dir).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) and _is_dockerd(pid) else None


def _is_dockerd(pid: int) -> bool:
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
    except OSError:
        return False
    return Path(argv0.decode(errors="replace")).name == "dockerd"


def _alive(pid: int) -> bool:
    """Running, and not a zombie (a daemon we spawned in this process becomes one)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rpartition(")")[2].split()[0] == "Z":
        _reap(pid)
        return False
    return True


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return not _alive(pid)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _note(engine_dir: Path, line: str) -> None:
    with open(log_path(engine_dir), "a", encoding="utf-8") as log:
        log.write(f"--- rtcompat {time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _contains(point: str, target: Path) -> bool:
    return point == "/" or str(target) == point or str(target).startswith(point.rstrip("/") + "/")
