"""A check process can hang, flood or fork; the harness still gets its result and moves on."""

from __future__ import annotations

import os
import sys
import time

from harness.process import run_bounded


def test_a_hanging_process_tree_is_killed_at_the_timeout(tmp_path):
    pidfile = tmp_path / "child.pid"
    script = f"sleep 300 & echo $! > {pidfile}; wait"
    done = run_bounded(["bash", "-c", script], timeout=1)
    assert done.timed_out
    child = int(pidfile.read_text())
    time.sleep(0.2)
    assert not _alive(child), "the grandchild survived the timeout"


def test_background_processes_are_reaped_after_a_normal_exit(tmp_path):
    pidfile = tmp_path / "child.pid"
    done = run_bounded(["bash", "-c", f"(sleep 300 &) ; pgrep -n sleep > {pidfile}; echo done"], timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "done"
    time.sleep(0.2)
    assert not _alive(int(pidfile.read_text()))


def test_a_flood_of_output_is_capped_and_counted():
    code = "import sys\nfor _ in range(100): sys.stdout.write('x' * 1048576)"
    done = run_bounded([sys.executable, "-c", code], timeout=60, output_limit=1024 * 1024)
    assert done.output_truncated
    assert len(done.stdout) == 1024 * 1024
    assert done.stdout_bytes == 100 * 1024 * 1024


def test_a_crash_by_signal_is_reported_as_such():
    done = run_bounded([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"],
                       timeout=30)
    assert done.signalled == 11


def test_a_program_that_does_not_exist_is_a_launch_error_not_an_exception():
    done = run_bounded(["/nonexistent/tool"], timeout=5)
    assert done.launch_error and "nonexistent" in done.launch_error


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:  # a zombie is dead for our purpose
        return handle.read().split()[2] != "Z"
