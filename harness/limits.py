"""Memory and process limits for check programs that run as host processes.

The container backend has the engine enforce ``memory`` and ``pids``; the virtualenv,
debian and source backends run checks on the host, where a fork bomb or a runaway
allocation would take the harness (and the machine) down with the check. Each check
therefore gets its own cgroup when we can make one (root, cgroup v1 or a delegated v2
tree): a memory limit, a pids limit, and a list of every process the check started,
so even one that left its session with ``setsid`` is killed at the end. Without
cgroups we fall back to ``setrlimit``, which is weaker, and say how (``description``).

Installs are not limited: compilers and resolvers legitimately need more, and a
failed install is already an ``error``.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from harness.scratch import owner_alive, owner_tag

MEMORY_VARIABLE = "RTCOMPAT_CHECK_MEMORY"
PIDS_VARIABLE = "RTCOMPAT_CHECK_PIDS"
# Generous on purpose: Java (ImageJ), Octave and pyCERR load whole CT volumes.
DEFAULT_MEMORY = 8 * 1024**3
DEFAULT_PIDS = 1024
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
#: How long what is left of a check gets to exit on TERM before it is killed.
_TERM_GRACE_SECONDS = 0.5
_KILL_DEADLINE_SECONDS = 5.0
#: Below these no check program (not even a shell) can start: a setting that small is a
#: mistake in the testbed, and obeying it would blame every tool for it.
MIN_MEMORY = 64 * 1024**2
MIN_PIDS = 16


class LimitsError(ValueError):
    """A limit variable that cannot be read; the message names the variable."""


@dataclass(frozen=True)
class Limits:
    """What one check may use: bytes of memory and number of processes (threads count too)."""

    memory: int = DEFAULT_MEMORY
    pids: int = DEFAULT_PIDS

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Limits:
        """The defaults, overridden by ``RTCOMPAT_CHECK_MEMORY`` (``512M``, ``8G``) and
        ``RTCOMPAT_CHECK_PIDS``."""
        environ = os.environ if environ is None else environ
        memory = parse_size(environ[MEMORY_VARIABLE], MEMORY_VARIABLE) if environ.get(MEMORY_VARIABLE) else DEFAULT_MEMORY
        pids = _parse_count(environ[PIDS_VARIABLE], PIDS_VARIABLE) if environ.get(PIDS_VARIABLE) else DEFAULT_PIDS
        if memory < MIN_MEMORY:
            raise LimitsError(f"{MEMORY_VARIABLE}={environ[MEMORY_VARIABLE]!r} is below the {format_size(MIN_MEMORY)} "
                              "any check needs to start; set at least 64M")
        if pids < MIN_PIDS:
            raise LimitsError(f"{PIDS_VARIABLE}={environ[PIDS_VARIABLE]!r} is below the {MIN_PIDS} processes "
                              "any check needs to start")
        return cls(memory=memory, pids=pids)

    def describe(self) -> str:
        return f"memory {format_size(self.memory)}, {self.pids} processes"


def check_limits() -> Limits:
    """The limits every check on a host backend runs under."""
    return Limits.from_environment()


def parse_size(text: str, name: str = "size") -> int:
    """``8G``, ``512MiB``, ``1048576`` -> bytes (binary units)."""
    match = re.fullmatch(r"\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*", text, re.I)
    if not match or int(match.group(1)) == 0:
        raise LimitsError(f"{name}={text!r}: expected a size such as 512M or 8G")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def format_size(size: int) -> str:
    for unit in ("TiB", "GiB", "MiB", "KiB"):
        scale = _UNITS[unit[0].lower()]
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def _parse_count(text: str, name: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise LimitsError(f"{name}={text!r}: expected a positive whole number")
    return int(text)


class Containment:
    """Limits applied to one process tree; the rlimit fallback. See :func:`contain`."""

    def __init__(self, limits: Limits, description: str):
        self.limits = limits
        self.description = description
        self._nproc = _nproc_limit(limits)

    def preexec(self) -> None:
        """Runs in the child between fork and exec: system calls only, nothing that locks."""
        die_with_parent()
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_AS, (self.limits.memory, self.limits.memory))
        if self._nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (self._nproc, self._nproc))

    def child_setup(self) -> dict:
        """What :meth:`preexec` does, as data, for a check forked by a preloading server
        (:mod:`harness.preload_server` applies it in the child before the program runs)."""
        return {"memory": self.limits.memory, "nproc": self._nproc}

    def adopt(self, pid: int) -> None:
        """Called in the parent right after the spawn."""

    def kill_all(self) -> None:
        """Kill whatever is left of the check (beyond its process group)."""

    def limit_hit(self) -> str | None:
        """The limit that stopped the check, if one did and we can tell."""
        return None

    def memory_now(self) -> int | None:
        """Anonymous memory of all the check's processes now, in bytes (None: cannot tell)."""
        return None

    def close(self) -> None:
        """Release what :func:`contain` made."""


class CgroupContainment(Containment):
    """One cgroup per check (v1: one per controller hierarchy; v2: one directory)."""

    def __init__(self, limits: Limits, description: str, memory_dir: Path, pids_dir: Path, version: int):
        super().__init__(limits, description)
        self.memory_dir, self.pids_dir, self.version = memory_dir, pids_dir, version
        self._procs = sorted({str(memory_dir / "cgroup.procs"), str(pids_dir / "cgroup.procs")})

    def preexec(self) -> None:
        die_with_parent()
        # Joining before exec means not even the check's first fork escapes the limits.
        for procs in self._procs:
            try:
                fd = os.open(procs, os.O_WRONLY)
                os.write(fd, b"0")
                os.close(fd)
            except OSError:
                pass  # adopt() in the parent tries again and reports a failure
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def child_setup(self) -> dict:
        return {"cgroup_procs": self._procs}

    def adopt(self, pid: int) -> None:
        for procs in self._procs:
            Path(procs).write_text(str(pid))

    def kill_all(self) -> None:
        # TERM first, as the process group got: a server the check started in a session of its
        # own (Xvfb) removes its /tmp/.X<n>-lock and socket on TERM, never on KILL.
        if pids := self._members():
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            grace = time.monotonic() + _TERM_GRACE_SECONDS
            while self._members() and time.monotonic() < grace:
                time.sleep(0.02)
        deadline = time.monotonic() + _KILL_DEADLINE_SECONDS
        kill_file = self.memory_dir / "cgroup.kill"
        while (pids := self._members()) and time.monotonic() < deadline:
            if kill_file.exists():
                _write(kill_file, "1")
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def limit_hit(self) -> str | None:
        hits = []
        memory_events = (_read_counters(self.memory_dir / "memory.oom_control") if self.version == 1
                         else _read_counters(self.memory_dir / "memory.events"))
        if memory_events.get("oom_kill", 0) > 0:
            hits.append(f"killed: memory limit {format_size(self.limits.memory)}")
        elif "oom_kill" not in memory_events and _read_int(self.memory_dir / "memory.failcnt") > 0:
            hits.append(f"memory limit {format_size(self.limits.memory)} reached")  # kernels before 4.13
        if _read_counters(self.pids_dir / "pids.events").get("max", 0) > 0:
            hits.append(f"forks refused: process limit {self.limits.pids}")
        return "; ".join(hits) or None

    def memory_now(self) -> int | None:
        # Anonymous memory only: file pages a check read are charged to whichever cgroup read
        # them first, so counting them would make a figure depend on what ran before.
        counters = _read_counters(self.memory_dir / "memory.stat")
        key = "rss" if self.version == 1 else "anon"
        return counters.get(key)

    def close(self) -> None:
        self.kill_all()
        for directory in {self.memory_dir, self.pids_dir}:
            for _ in range(50):  # the last member may still be exiting
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)

    def _members(self) -> list[int]:
        members: set[int] = set()
        for procs in self._procs:
            try:
                members.update(int(p) for p in Path(procs).read_text().split())
            except OSError:
                pass
        return sorted(members)


def _cgroup_bases() -> list[Path]:
    """The ``rtcompat`` directories our cgroups live in (v1 memory and pids, v2)."""
    mounts, own = _mount_points(), _own_cgroups()
    bases = []
    for controller in ("memory", "pids"):
        if controller in mounts:
            root, point = mounts[controller]
            bases.append(point / _relative(own.get(controller, "/"), root) / "rtcompat")
    if "cgroup2" in mounts:
        root, point = mounts["cgroup2"]
        bases.append(point / _relative(own.get("", "/"), root) / "rtcompat")
    return [b for b in bases if b.is_dir()]


def sweep_stale_cgroups() -> list[Path]:
    """Kill what is left in the cgroups of runs that were killed (SIGKILL leaves their
    check processes running, re-parented) and remove those cgroups."""
    removed = []
    for base in _cgroup_bases():
        for group in base.iterdir():
            match = re.match(r"^(\d+)-(?:(\d+)-)?[0-9a-f]+$", group.name)  # pid-start-id, or pid-id
            if not group.is_dir() or not match:
                continue
            pid, start = match.groups()
            alive = owner_alive(f"{pid}-{start}") if start else os.path.exists(f"/proc/{pid}")
            if alive:
                continue
            # Only close() is used: it kills every member and removes the group (v1 or v2).
            CgroupContainment(Limits(), "left by a killed run", group, group, version=0).close()
            if not group.exists():
                removed.append(group)
    return removed


def contain(limits: Limits) -> Containment:
    """The strongest containment this machine allows for one check."""
    made = _cgroup_v1(limits)
    if isinstance(made, Containment):
        return made
    v2 = _cgroup_v2(limits)
    if isinstance(v2, Containment):
        return v2
    return rlimit_fallback(limits, f"no usable cgroup ({made}; {v2})")


def rlimit_fallback(limits: Limits, why: str) -> Containment:
    nproc = ("RLIMIT_NPROC is not enforced for root, so a fork bomb is not contained" if os.geteuid() == 0
             else f"RLIMIT_NPROC {limits.pids} more processes for this user")
    return Containment(limits, f"setrlimit: address space {format_size(limits.memory)}, {nproc}, "
                               f"no core files; escaped processes not tracked ({why})")


def _cgroup_v1(limits: Limits) -> Containment | str:
    mounts, own = _mount_points(), _own_cgroups()
    bases = {}
    for controller in ("memory", "pids"):
        if controller not in mounts:
            return f"cgroup v1 {controller} controller not mounted"
        root, point = mounts[controller]
        bases[controller] = point / _relative(own.get(controller, "/"), root) / "rtcompat"
    name = f"{owner_tag()}-{uuid.uuid4().hex[:8]}"
    made: list[Path] = []
    try:
        for controller, base in bases.items():
            base.mkdir(exist_ok=True)
            (base / name).mkdir()
            made.append(base / name)
        memory_dir, pids_dir = bases["memory"] / name, bases["pids"] / name
        _write(memory_dir / "memory.limit_in_bytes", str(limits.memory))
        if (memory_dir / "memory.memsw.limit_in_bytes").exists():  # swap counts too, when accounted
            _write(memory_dir / "memory.memsw.limit_in_bytes", str(limits.memory))
        _write(pids_dir / "pids.max", str(limits.pids))
    except OSError as exc:
        for directory in made:
            _rmdir(directory)
        return f"cgroup v1: {exc.strerror or exc}: {getattr(exc, 'filename', '')}"
    return CgroupContainment(limits, f"cgroup v1 ({limits.describe()})", memory_dir, pids_dir, version=1)


def _cgroup_v2(limits: Limits) -> Containment | str:
    mounts, own = _mount_points(), _own_cgroups()
    if "cgroup2" not in mounts:
        return "no cgroup v2 mount"
    root, point = mounts["cgroup2"]
    mine = point / _relative(own.get("", "/"), root)
    try:
        delegated = set((mine / "cgroup.subtree_control").read_text().split())
    except OSError as exc:
        return f"cgroup v2: {exc.strerror or exc}"
    if not {"memory", "pids"} <= delegated:
        return (f"cgroup v2: {mine} does not delegate memory and pids to sub-groups "
                "(start the harness in a delegated scope, e.g. systemd-run --scope -p Delegate=yes)")
    base, directory = mine / "rtcompat", mine / "rtcompat" / f"{owner_tag()}-{uuid.uuid4().hex[:8]}"
    try:
        base.mkdir(exist_ok=True)
        _write(base / "cgroup.subtree_control", "+memory +pids")
        directory.mkdir()
        _write(directory / "memory.max", str(limits.memory))
        if (directory / "memory.swap.max").exists():
            _write(directory / "memory.swap.max", "0")
        _write(directory / "pids.max", str(limits.pids))
    except OSError as exc:
        _rmdir(directory)
        return f"cgroup v2: {exc.strerror or exc}: {getattr(exc, 'filename', '')}"
    return CgroupContainment(limits, f"cgroup v2 ({limits.describe()})", directory, directory, version=2)


def _mount_points() -> dict[str, tuple[str, Path]]:
    """controller (or ``cgroup2``) -> (root of the mount inside the hierarchy, mount point)."""
    found: dict[str, tuple[str, Path]] = {}
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        if tail[0] == "cgroup2":
            found.setdefault("cgroup2", (fields[3], Path(fields[4])))
        elif tail[0] == "cgroup":
            for option in tail[2].split(","):
                found.setdefault(option, (fields[3], Path(fields[4])))
    return found


def _own_cgroups() -> dict[str, str]:
    """controller -> this process's cgroup path; ``""`` is the v2 path."""
    own: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return own
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            own[controller] = path
    return own


def _relative(path: str, mount_root: str) -> str:
    """Our cgroup below the mount (nested under our own group, so its limits still apply)."""
    if mount_root != "/" and (path == mount_root or path.startswith(mount_root + "/")):
        path = path[len(mount_root):]
    return path.strip("/")


def _nproc_limit(limits: Limits) -> int | None:
    if os.geteuid() == 0:
        return None  # not enforced for root (CAP_SYS_RESOURCE)
    uid = os.getuid()
    running = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                running += 1
        except OSError:
            pass
    return running + limits.pids


_PR_SET_PDEATHSIG = 1
try:  # libc by its soname: find_library would run ldconfig -p on every start
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # not glibc Linux
    _LIBC = None


def die_with_parent() -> None:
    """In the child: be killed when the harness dies, even by SIGKILL (Linux prctl)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _write(path: Path, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _read_counters(path: Path) -> dict[str, int]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    pairs = (line.split() for line in lines)
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}


def _read_int(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return 0


def _rmdir(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass
