"""A check process can hang, flood or fork; the harness still gets its result and moves on."""

from __future__ import annotations

import os
import resource
import sys
import time

import pytest

from harness import limits as limits_module
from harness.limits import Limits, LimitsError, contain
from harness.process import Completed, run_bounded

SMALL = Limits(memory=64 * 1024**2, pids=32)
# A fork bomb with a ceiling: if the limit ever breaks, the test fails instead of the machine.
BOUNDED_FORK_BOMB = """
import os, time
children = 0
for _ in range(300):
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
    except OSError:
        break
print(children)
"""
EAT_MEMORY = "chunks = [bytearray(16 * 1024 * 1024) for _ in range(32)]; print('survived', len(chunks))"


def _cgroups_or_skip() -> None:
    probe = contain(SMALL)
    probe.close()
    if not isinstance(probe, limits_module.CgroupContainment):
        pytest.skip(f"no cgroup containment here: {probe.description}")


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


def test_a_memory_eater_is_killed_at_the_memory_limit_and_says_so():
    _cgroups_or_skip()
    done = run_bounded([sys.executable, "-c", EAT_MEMORY], timeout=30, limits=SMALL)
    assert "survived" not in done.stdout
    assert done.limit_hit == "killed: memory limit 64 MiB"


def test_a_fork_bomb_hits_the_process_limit():
    _cgroups_or_skip()
    done = run_bounded([sys.executable, "-c", BOUNDED_FORK_BOMB], timeout=30, limits=SMALL)
    assert int(done.stdout) < SMALL.pids
    assert done.limit_hit == "forks refused: process limit 32"


def test_a_process_that_left_the_session_is_killed_with_the_check(tmp_path):
    _cgroups_or_skip()
    pidfile = tmp_path / "escaped.pid"
    script = f"setsid sleep 300 > /dev/null 2>&1 < /dev/null & echo $! > {pidfile}; echo done"
    done = run_bounded(["bash", "-c", script], timeout=30, limits=SMALL)
    assert done.stdout.strip() == "done"
    time.sleep(0.2)
    assert not _alive(int(pidfile.read_text())), "a setsid background process outlived its check"


def test_each_check_cgroup_is_removed_afterwards():
    _cgroups_or_skip()
    probe = contain(SMALL)
    parents = {probe.memory_dir.parent, probe.pids_dir.parent}
    probe.close()
    mine = f"{os.getpid()}-"  # other harness processes may run beside this test
    before = {p for parent in parents for p in parent.iterdir() if p.is_dir() and p.name.startswith(mine)}
    run_bounded(["true"], timeout=30, limits=SMALL)
    assert {p for parent in parents for p in parent.iterdir() if p.is_dir() and p.name.startswith(mine)} == before


def test_limited_checks_write_no_core_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))  # the machine's default may already be 0
    try:
        done = run_bounded(["bash", "-c", "ulimit -c"], timeout=30, limits=SMALL)
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))
    assert done.stdout.strip() == "0"


def test_without_cgroups_the_fallback_limits_address_space_and_says_what_it_cannot(monkeypatch):
    monkeypatch.setattr(limits_module, "_cgroup_v1", lambda limits: "not here")
    monkeypatch.setattr(limits_module, "_cgroup_v2", lambda limits: "not here")
    done = run_bounded([sys.executable, "-c", EAT_MEMORY], timeout=30, limits=Limits(memory=256 * 1024**2))
    assert "MemoryError" in done.stderr
    assert done.contained_by.startswith("setrlimit: address space 256 MiB")
    if os.geteuid() == 0:
        assert "RLIMIT_NPROC is not enforced for root" in done.contained_by


def test_limits_come_from_the_environment_with_generous_defaults():
    assert Limits.from_environment({}) == Limits(memory=8 * 1024**3, pids=1024)
    assert Limits.from_environment({"RTCOMPAT_CHECK_MEMORY": "512M", "RTCOMPAT_CHECK_PIDS": "64"}) == Limits(
        memory=512 * 1024**2, pids=64)
    with pytest.raises(LimitsError, match="RTCOMPAT_CHECK_MEMORY='lots'"):
        Limits.from_environment({"RTCOMPAT_CHECK_MEMORY": "lots"})


def test_cgroup_v2_is_used_only_where_memory_and_pids_are_delegated(tmp_path, monkeypatch):
    mine = tmp_path / "user.slice"
    mine.mkdir()
    (mine / "cgroup.subtree_control").write_text("cpu\n")
    monkeypatch.setattr(limits_module, "_mount_points", lambda: {"cgroup2": ("/", tmp_path)})
    monkeypatch.setattr(limits_module, "_own_cgroups", lambda: {"": "/user.slice"})
    assert "does not delegate memory and pids" in limits_module._cgroup_v2(SMALL)
    (mine / "cgroup.subtree_control").write_text("memory pids\n")
    made = limits_module._cgroup_v2(SMALL)
    assert made.memory_dir.parent == mine / "rtcompat"
    assert (made.memory_dir / "memory.max").read_text() == str(64 * 1024**2)
    assert (made.memory_dir / "pids.max").read_text() == "32"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:  # a zombie is dead for our purpose
        return handle.read().split()[2] != "Z"


def test_a_tail_is_the_last_lines_of_the_stream_named_and_only_that_stream():
    done = Completed(argv=("tool",), returncode=0, stdout="a\nb\nc\n", stderr="x\ny\n\n", duration=0.1)
    assert done.tail("stdout", 2) == "b\nc"
    assert done.tail() == "x\ny" and done.tail("stderr", 1) == "y"
    with pytest.raises(KeyError):
        done.tail("STDOUT")


HOLD_MEMORY = ("import time; block = bytearray({mib} * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]); "
               "time.sleep(0.3)")


def test_the_peak_memory_of_a_check_is_what_its_processes_held():
    _cgroups_or_skip()
    big = run_bounded([sys.executable, "-c", HOLD_MEMORY.format(mib=160)], timeout=30, limits=Limits())
    small = run_bounded([sys.executable, "-c", HOLD_MEMORY.format(mib=1)], timeout=30, limits=Limits())
    assert 160 * 1024**2 <= big.peak_memory_bytes < 260 * 1024**2
    # not the harness's own size: a child forked from it starts with the harness's pages
    assert small.peak_memory_bytes < 60 * 1024**2


def test_the_memory_of_a_grandchild_counts_too():
    _cgroups_or_skip()
    inner = f"{sys.executable} -c \"{HOLD_MEMORY.format(mib=120)}\""
    done = run_bounded(["sh", "-c", f"{inner}; true"], timeout=30, limits=Limits())
    assert done.peak_memory_bytes >= 120 * 1024**2


def test_without_containment_the_peak_memory_is_not_measured():
    done = run_bounded([sys.executable, "-c", "print(1)"], timeout=30)
    assert done.peak_memory_bytes is None
