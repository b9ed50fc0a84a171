"""SIGKILL at any point, then run again: the same results, and nothing left behind.

``rtcompat run`` and ``rtcompat report`` run in processes of their own with TMPDIR and
the cache inside the test's project, and are killed with SIGKILL in the middle of a
check, an install and a report. Whatever the kill left (processes re-parented to init,
their cgroup, scratch directories, a half-built environment, a staging report) must be
gone after the next run, whose results must equal an uninterrupted run's.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from faultkit import GOOD_JSON, harness_process, make_wheel, results_by_key, write_virtualenv_tool
from harness import scratch
from harness.limits import _cgroup_bases
from standins import write_tool

pytestmark = pytest.mark.harness_subprocess


@pytest.fixture
def isolated(project, monkeypatch):
    """TMPDIR inside the project, so leftovers are counted there and nowhere else."""
    tmp = project / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", None)
    return project


def _wait_for(path: Path, proc, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"never reached the kill point: {proc.communicate()[0][-2000:]}")
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)


def _statuses(path: Path) -> dict:
    return {key: value["status"] for key, value in results_by_key(path).items()}


def _cgroups_of(pid: int) -> list[Path]:
    """The check cgroups a harness process made (other runs may be going on beside the test)."""
    return [group for base in _cgroup_bases() for group in base.iterdir()
            if group.is_dir() and group.name.startswith(f"{pid}-")]


def test_a_check_killed_with_its_harness_leaves_nothing_the_next_run_does_not_reclaim(isolated, cgroups):
    project = isolated
    pids = project / "pids"
    write_tool(project, "a-good", GOOD_JSON)
    # the check's own shell, a child in its group and a grandchild that left the session
    write_tool(project, "b-stuck", f"sleep 300 & setsid sleep 301 & echo \"$$ $!\" > {pids}.tmp; "
                                   f"mv {pids}.tmp {pids}; wait\n")
    proc = harness_process(project, "run", "--results", str(project / "killed.json"))
    _wait_for(pids, proc)
    _kill(proc)
    assert _cgroups_of(proc.pid), "test premise: the killed run left its check's cgroup"
    shell, escaped = (int(p) for p in pids.read_text().split())
    time.sleep(0.5)
    assert not _alive(shell), "the check's own process outlived the harness"
    assert _alive(escaped), "test premise: a process that left the session survives the kill"
    assert list((project / "tmp").glob(f"{scratch.PREFIX}*")), "test premise: the killed run left its scratch"

    write_tool(project, "b-stuck", GOOD_JSON)
    again = harness_process(project, "run", "--results", str(project / "again.json"))
    output, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output[-2000:]
    assert not _alive(escaped), "the next run did not reclaim the killed run's processes"
    assert not _cgroups_of(proc.pid), "a cgroup of the killed run is left"
    assert not list((project / "tmp").glob(f"{scratch.PREFIX}*")), "scratch directories are left"
    assert _statuses(project / "again.json") == {("a-good", "install"): "pass", ("a-good", "read"): "pass",
                                                 ("b-stuck", "install"): "pass", ("b-stuck", "read"): "pass"}


def test_an_install_killed_half_way_is_rebuilt_and_leaves_no_partial_environment(isolated, tmp_path_factory):
    project = isolated
    wheel = make_wheel(tmp_path_factory.mktemp("wheel"), payload=300 * 1024**2)
    write_virtualenv_tool(project, "bulky", str(wheel))
    envs = project / "cache" / "envs"
    proc = harness_process(project, "run", "--results", str(project / "killed.json"))
    deadline = time.monotonic() + 120
    while not any(envs.glob(".bulky.*")) if envs.exists() else True:
        assert time.monotonic() < deadline and proc.poll() is None, "the install never started"
        time.sleep(0.02)
    time.sleep(0.3)
    _kill(proc)
    assert any(p.is_dir() for p in envs.glob(".bulky.*")), "test premise: the kill left a half-built environment"

    for name in ("first.json", "second.json"):
        again = harness_process(project, "run", "--results", str(project / name))
        output, _ = again.communicate(timeout=600)
        assert again.returncode == 0, output[-2000:]
    assert sorted(p.name for p in envs.iterdir()) == ["bulky", "bulky.lock"]
    first, second = (results_by_key(project / n) for n in ("first.json", "second.json"))
    assert first[("bulky", "install")]["reason"] == "installed"
    assert second[("bulky", "install")]["reason"] == "reused cached environment"
    assert first[("bulky", "read")]["status"] == second[("bulky", "read")]["status"] == "pass"
    assert not list((project / "tmp").glob(f"{scratch.PREFIX}*"))


def test_a_report_killed_half_way_leaves_the_old_report_whole(isolated):
    project = isolated
    for index in range(40):  # enough rows that rendering takes a moment
        write_tool(project, f"tool-{index:02d}", GOOD_JSON)
    from harness.cli import main

    assert main(["run", "--results", str(project / "results.json")]) == 0
    assert main(["report", "--results", str(project / "results.json")]) == 0
    reports = project / "reports"
    old = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    data = json.loads((project / "results.json").read_text())
    data["run"]["started"] = "2027-01-01T00:00:00+00:00"
    (project / "newer.json").write_text(json.dumps(data))
    for delay in (0.05, 0.2, 0.4, 0.8):
        proc = harness_process(project, "report", "--results", str(project / "newer.json"))
        time.sleep(delay)
        _kill(proc)
        now = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("*") if p.is_file()}
        if now != old:  # the render completed before the kill: then all of it is new
            assert json.loads(now[Path("results.json")])["run"]["started"] == data["run"]["started"]
            assert set(old) <= set(now)
            break
    assert main(["report", "--results", str(project / "newer.json")]) == 0
    assert not list(project.glob(".reports.staging-*")), "a staging directory is left"
