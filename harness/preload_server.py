"""A tool's modules imported once, and a fresh process forked from them for each check.

Run by the harness with the tool's own interpreter (so: the standard library only):

    python preload_server.py FD MODULE [MODULE ...]

FD is one end of a SOCK_SEQPACKET socket pair. The server imports the modules and says
which it could (``{"ready": [...], "failed": {...}}``). Then, per request (a JSON object with
``argv``, ``env``, ``cwd`` and the containment to join, plus two descriptors for the
check's stdout and stderr), it forks; the child starts a session of its own, joins the
check's cgroup or sets its rlimits, takes the descriptors as its output, and runs the
program as ``python program args...`` would (``__main__``, ``sys.argv``, ``sys.path[0]``,
exit status). The server answers ``{"pid": N}``, waits for the child, then answers
``{"exit": code}`` (a negative code: killed by that signal).

Why: a check program spends most of its CPU starting the interpreter and importing the
tool (pydicom and numpy: about 0.2 s a check). A forked child starts with those imports
done and with nothing another check did, since every child is a copy of the server as it
was after importing, never of an earlier child.
"""

import atexit
import ctypes
import gc
import importlib
import json
import os
import resource
import runpy
import signal
import socket
import sys
import threading
import traceback

_PR_SET_PDEATHSIG = 1
_MESSAGE_BYTES = 1 << 20


try:  # loaded once, by soname: find_library would run ldconfig -p in every child
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # not glibc Linux
    _LIBC = None


def _die_with_parent() -> None:
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _send(channel: socket.socket, message: dict) -> None:
    channel.send(json.dumps(message).encode())


def _exit_code(exc: SystemExit) -> int:
    """What the interpreter makes of ``sys.exit(value)``."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


def _child(request: dict, fds: list[int], setup: int) -> None:
    """Become the check program; never returns. ``setup`` gets b"1" once the child is a
    check's process (session, limits, output, environment), or what went wrong."""
    code = 1
    try:
        os.setsid()
        for procs in request.get("cgroup_procs", []):  # before any of the program's code runs
            fd = os.open(procs, os.O_WRONLY)
            os.write(fd, b"0")
            os.close(fd)
        _die_with_parent()
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if request.get("memory"):
            resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
        if request.get("nproc"):
            resource.setrlimit(resource.RLIMIT_NPROC, (request["nproc"], request["nproc"]))
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (stdin, *fds):
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if "tempfile" in sys.modules:  # a module may have asked for it at import: the check's TMPDIR now
            sys.modules["tempfile"].tempdir = None
        program = request["argv"][1]
        sys.argv = request["argv"][1:]
        sys.path.insert(0, os.path.dirname(os.path.abspath(program)))
        sys.dont_write_bytecode = True
    except BaseException:
        os.write(setup, b"0" + traceback.format_exc().encode(errors="replace")[-4000:])
        os._exit(125)
    os.write(setup, b"1")
    os.close(setup)
    try:
        runpy.run_path(program, run_name="__main__")
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:
        traceback.print_exc()
        code = 1
    try:  # what an interpreter does on its way out: join threads, run atexit, flush
        threading._shutdown()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    os._exit(code)


def main() -> int:
    channel = socket.socket(fileno=int(sys.argv[1]))
    _die_with_parent()
    del sys.path[0]  # this script's directory: the harness's modules must not shadow the tool's
    ready, failed = [], {}
    for name in sys.argv[2:]:
        try:
            importlib.import_module(name)
            ready.append(name)
        except BaseException as exc:  # the check then imports it itself and meets the same
            failed[name] = f"{type(exc).__name__}: {exc}"
    try:  # a fork copies only the forking thread: locks another thread held would stay held
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        threads = threading.active_count()
    _send(channel, {"ready": ready, "failed": failed, "threads": threads})
    if threads > 1:
        return 0
    gc.freeze()  # the imported objects out of the collector's sight: a child's collections do not copy their pages
    while True:
        try:
            data, fds, _flags, _address = socket.recv_fds(channel, _MESSAGE_BYTES, 2)
        except OSError:
            return 0
        if not data:
            return 0  # the harness closed its end
        request = json.loads(data)
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            _send(channel, {"error": f"expected 2 descriptors, got {len(fds)}"})
            continue
        setup_read, setup_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            channel.close()
            os.close(setup_read)
            _child(request, fds, setup_write)
        os.close(setup_write)
        for fd in fds:
            os.close(fd)
        said = b"".join(iter(lambda: os.read(setup_read, 65536), b""))
        os.close(setup_read)
        if said[:1] != b"1":  # the child could not become the check: ours to report, not the tool's
            os.waitpid(pid, 0)
            _send(channel, {"error": "the forked check could not be set up: "
                                     + said[1:].decode(errors="replace").strip()[-2000:]})
            continue
        _send(channel, {"pid": pid})
        _, status = os.waitpid(pid, 0)
        _send(channel, {"exit": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    sys.exit(main())
