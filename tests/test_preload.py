"""A check forked from a preloading server behaves as the same program started afresh:
same output, exit status, arguments, working directory and environment; killed at its
timeout, capped when it floods, contained by the check's limits; and nothing one check
does to the preloaded modules reaches the next. A server in trouble never costs a check
its result, and never makes the tool look wrong."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harness import limits as limits_module
from harness.limits import Limits, contain
from harness.preload import PreloadServer, ServerGone, Servers, server_environment
from harness.process import run_bounded

SMALL = Limits(memory=256 * 1024**2, pids=64)


@pytest.fixture
def server():
    """A server on the harness's own interpreter, with json preloaded."""
    started = PreloadServer.start(sys.executable, ("json",), server_environment({}))
    yield started
    started.close()


def forked(server: PreloadServer):
    """A launcher that forks every program from ``server`` (None: spawn it)."""
    def launch(argv, env, cwd, sandbox):
        try:
            return server.spawn(argv, env, cwd, sandbox.child_setup() if sandbox else {})
        except ServerGone:
            return None
    return launch


def program(tmp_path: Path, code: str, name: str = "check.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return path


def run(server, path: Path, *args: str, timeout: float = 30, cwd: Path | None = None, env=None, limits=None):
    env = env if env is not None else {**server_environment({}), "CHECK_VALUE": "seen"}
    return run_bounded([sys.executable, str(path), *args], timeout=timeout, env=env, cwd=cwd or path.parent,
                       limits=limits, launcher=forked(server))


def test_a_forked_check_sees_its_arguments_directory_environment_and_siblings(server, tmp_path):
    program(tmp_path, "ANSWER = 42\n", name="helper.py")
    work = tmp_path / "work"
    work.mkdir()
    path = program(tmp_path, """
        import json, os, sys, tempfile
        import helper  # a module beside the program, as `python program.py` finds it
        print(json.dumps({"argv": sys.argv, "cwd": os.getcwd(), "value": os.environ.get("CHECK_VALUE"),
                          "helper": helper.ANSWER, "tmp": tempfile.gettempdir(), "name": __name__}))
    """)
    env = {**server_environment({}), "CHECK_VALUE": "seen", "TMPDIR": str(work)}
    done = run(server, path, "fixture", "output", cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    import json
    seen = json.loads(done.stdout)
    assert seen == {"argv": [str(path), "fixture", "output"], "cwd": str(work), "value": "seen", "helper": 42,
                    "tmp": str(work), "name": "__main__"}


@pytest.mark.parametrize("code, status", [
    ("import sys; sys.exit(3)", 3),
    ("import sys; sys.exit()", 0),
    ("raise RuntimeError('the tool broke')", 1),
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", -signal.SIGSEGV),
])
def test_exit_statuses_are_those_of_a_fresh_interpreter(server, tmp_path, code, status):
    done = run(server, program(tmp_path, code))
    fresh = run_bounded([sys.executable, str(program(tmp_path, code, "fresh.py"))], timeout=30)
    assert done.returncode == fresh.returncode == status
    assert ("RuntimeError: the tool broke" in done.stderr) == ("RuntimeError" in code)


def test_atexit_handlers_and_buffered_output_are_not_lost(server, tmp_path):
    done = run(server, program(tmp_path, """
        import atexit, sys
        atexit.register(lambda: print("goodbye"))
        sys.stdout.write("no newline at the end")
    """))
    assert done.stdout == "no newline at the endgoodbye\n"


def test_what_one_check_does_to_a_preloaded_module_does_not_reach_the_next(server, tmp_path):
    spoil = program(tmp_path, "import json; json.dumps = None; json.SPOILED = True; print('spoiled')", "spoil.py")
    look = program(tmp_path, "import json; print(json.dumps({'spoiled': hasattr(json, 'SPOILED')}))", "look.py")
    assert run(server, spoil).stdout.strip() == "spoiled"
    assert run(server, look).stdout.strip() == '{"spoiled": false}'


def test_a_hanging_check_is_killed_at_its_timeout_and_the_server_serves_the_next(server, tmp_path):
    start = time.monotonic()
    done = run(server, program(tmp_path, "import time; time.sleep(300)"), timeout=1)
    assert done.timed_out and time.monotonic() - start < 20
    assert run(server, program(tmp_path, "print('next')", "next.py")).stdout == "next\n"


def test_a_background_process_a_check_forgot_is_reaped(server, tmp_path):
    pidfile = tmp_path / "child.pid"
    done = run(server, program(tmp_path, f"""
        import subprocess
        child = subprocess.Popen(["sleep", "300"])
        open({str(pidfile)!r}, "w").write(str(child.pid))
    """))
    assert done.returncode == 0
    time.sleep(0.3)
    assert not _alive(int(pidfile.read_text()))


def test_a_flood_of_output_is_capped_and_counted(server, tmp_path):
    done = run(server, program(tmp_path, "import sys\nfor _ in range(50): sys.stdout.write('x' * 1048576)"))
    assert done.output_truncated and done.stdout_bytes == 50 * 1048576 and len(done.stdout) == 4 * 1048576


def test_a_forked_check_is_held_to_the_checks_memory_limit(server, tmp_path):
    done = run(server, program(tmp_path, "chunks = [bytearray(16 * 1024 * 1024) for _ in range(64)]; print('ok')"),
               limits=SMALL)
    assert done.returncode != 0 and "ok" not in done.stdout
    probe = contain(SMALL)
    probe.close()
    if isinstance(probe, limits_module.CgroupContainment):
        assert done.limit_hit and "memory" in done.limit_hit


def test_a_server_that_is_gone_before_the_check_leaves_it_to_be_spawned(server, tmp_path):
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    done = run(server, program(tmp_path, "print('spawned instead')"))
    assert done.returncode == 0 and done.stdout == "spawned instead\n" and done.launch_error is None


def test_a_server_that_dies_during_a_check_is_our_error_not_the_tools(server, tmp_path):
    started = tmp_path / "started"
    path = program(tmp_path, f"import time; open({str(started)!r}, 'w').close(); time.sleep(300)")

    def kill_server_once_started():
        deadline = time.monotonic() + 20
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(server.process.pid, signal.SIGKILL)

    import threading
    killer = threading.Thread(target=kill_server_once_started)
    killer.start()
    done = run(server, path, timeout=60)
    killer.join()
    assert done.launch_error and "preloading server stopped" in done.launch_error
    assert not done.timed_out


def test_a_module_that_cannot_be_preloaded_is_the_checks_own_import_again(tmp_path):
    started = PreloadServer.start(sys.executable, ("json", "no_such_module_here"), server_environment({}))
    try:
        assert "no_such_module_here" in started.failed
        done = run(started, program(tmp_path, "import no_such_module_here"))
        assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr
    finally:
        started.close()


def test_an_interpreter_that_does_not_start_means_no_server_and_each_check_spawned(tmp_path):
    servers = Servers()
    try:
        assert servers.get(str(tmp_path / "no-python"), ("json",), server_environment({})) is None
    finally:
        servers.close_all()


def test_a_manifest_names_modules_to_preload_or_is_told_what_a_module_name_is():
    from pydantic import ValidationError

    from harness.manifest import VirtualenvInstall

    assert VirtualenvInstall(backend="virtualenv", packages=["pydicom==3.0.1"],
                             preload=["pydicom", "numpy.linalg"]).preload == ["pydicom", "numpy.linalg"]
    with pytest.raises(ValidationError, match="not a Python module name"):
        VirtualenvInstall(backend="virtualenv", packages=["pydicom==3.0.1"], preload=["pydicom; rm -rf /"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_modules_that_start_threads_on_import_are_not_forked_from(tmp_path):
    (tmp_path / "threaded_module.py").write_text("import threading, time\n"
                                                 "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n")
    env = server_environment({"PYTHONPATH": str(tmp_path)})
    with pytest.raises(ServerGone, match="started 1 thread"):
        PreloadServer.start(sys.executable, ("threaded_module",), env)


def test_what_an_import_writes_to_home_goes_with_the_server(tmp_path):
    (tmp_path / "writes_home.py").write_text("import os, pathlib\n"
                                             "pathlib.Path(os.environ['HOME'], 'cache').write_text('x')\n")
    started = PreloadServer.start(sys.executable, ("writes_home",),
                                  server_environment({"PYTHONPATH": str(tmp_path)}))
    home = started.home
    assert (home / "cache").is_file() and home != Path.home()
    started.close()
    assert not home.exists()


def test_a_harness_killed_with_sigkill_takes_its_server_and_the_forked_check_with_it(tmp_path):
    import json
    import subprocess

    check = program(tmp_path, "import time; time.sleep(300)")
    harness = program(tmp_path, f"""
        import json, sys, time
        from harness.preload import PreloadServer, server_environment
        server = PreloadServer.start(sys.executable, ("json",), server_environment({{}}))
        child = server.spawn([sys.executable, {str(check)!r}], dict(server_environment({{}})), None, {{}})
        print(json.dumps([server.process.pid, child.pid, str(server.home)]), flush=True)
        time.sleep(300)
    """, "harness_process.py")
    process = subprocess.Popen([sys.executable, str(harness)], stdout=subprocess.PIPE, text=True,
                               cwd=Path(__file__).resolve().parent.parent)
    server_pid, child_pid, home = json.loads(process.stdout.readline())
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while (_alive(server_pid) or _alive(child_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(server_pid) and not _alive(child_pid)
    from harness.scratch import sweep_stale_run_dirs
    assert Path(home) in sweep_stale_run_dirs(Path(home).parent) and not Path(home).exists()
