"""harness.engine: the pure parts everywhere, the daemon lifecycle where dockerd may run.

The lifecycle test starts its own daemon in a short private directory (unix socket
paths are limited to 108 bytes) and stops it again, so it never touches an engine
someone else, or the container backend's tests, are using.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from harness import engine


def _engine_skip_reason() -> str | None:
    if shutil.which("dockerd") is None:
        return "dockerd is not installed (apt-get install docker.io)"
    if os.geteuid() != 0:
        return "starting a container engine needs root"
    return None


needs_dockerd = pytest.mark.skipif(_engine_skip_reason() is not None, reason=str(_engine_skip_reason()))


@pytest.fixture
def no_other_engine(monkeypatch, tmp_path):
    """status() must only see the directory under test."""
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setattr(engine, "SYSTEM_SOCKET", f"unix://{tmp_path}/absent.sock")


def test_dockerd_argv_keeps_everything_in_the_engine_dir(tmp_path):
    argv = engine.dockerd_argv(tmp_path, "overlay2")
    assert argv[0] == "dockerd"
    assert argv[argv.index("--host") + 1] == f"unix://{tmp_path}/docker.sock"
    assert argv[argv.index("--data-root") + 1] == str(tmp_path / "data")
    assert argv[argv.index("--exec-root") + 1] == str(tmp_path / "exec")
    assert argv[argv.index("--pidfile") + 1] == str(tmp_path / "dockerd.pid")
    assert "--storage-driver=overlay2" in argv


def test_storage_driver_follows_the_backing_filesystem(monkeypatch, tmp_path):
    monkeypatch.setattr(engine, "filesystem_type", lambda path: "ext4")
    assert engine.storage_driver_for(tmp_path) == "overlay2"
    monkeypatch.setattr(engine, "filesystem_type", lambda path: "overlay")
    assert engine.storage_driver_for(tmp_path) == "vfs"
    monkeypatch.setattr(engine, "filesystem_type", lambda path: None)
    assert engine.storage_driver_for(tmp_path) == "vfs"


def test_filesystem_type_of_a_path_not_yet_created():
    assert engine.filesystem_type(Path("/proc/self/no/such/dir")) == "proc"
    if Path("/dev/shm").is_dir():
        assert engine.filesystem_type(Path("/dev/shm/rtcompat-not-there")) == "tmpfs"


def test_missing_dockerd_says_which_package(monkeypatch, tmp_path, no_other_engine):
    monkeypatch.setattr(engine.shutil, "which", lambda name: None)
    with pytest.raises(engine.EngineError, match="apt-get install docker.io"):
        engine.up(tmp_path / "engine")


def test_not_root_is_one_clear_line(monkeypatch, tmp_path, no_other_engine):
    monkeypatch.setattr(engine.shutil, "which", lambda name: "/usr/sbin/dockerd")
    monkeypatch.setattr(engine.os, "geteuid", lambda: 1000)
    with pytest.raises(engine.EngineError, match="needs root") as raised:
        engine.up(tmp_path / "engine")
    assert "\n" not in str(raised.value)


def test_status_without_engine(tmp_path, no_other_engine):
    state = engine.status(tmp_path)
    assert not state.running and not state.managed
    assert "rtcompat engine up" in state.describe()


def test_down_without_pidfile_is_a_no_op(tmp_path, no_other_engine):
    state = engine.down(tmp_path)
    assert not state.stopped and not state.running


def test_down_never_signals_a_process_that_is_not_dockerd(tmp_path, no_other_engine):
    """A stale pidfile whose pid was reused by another program must not kill it."""
    (tmp_path / "dockerd.pid").write_text(str(os.getpid()))
    state = engine.down(tmp_path)
    assert not state.stopped  # and we are still alive to assert it


def test_describe_names_owner_and_url(tmp_path):
    ours = engine.EngineState(tmp_path, "unix:///x.sock", pid=42, managed=True, started=True,
                              storage_driver="overlay2", server_version="20.10", seconds=0.5)
    assert ours.describe() == ("engine started in 0.5 s at unix:///x.sock "
                               "(rtcompat pid 42, docker 20.10, overlay2)")
    theirs = engine.EngineState(tmp_path, engine.SYSTEM_SOCKET)
    assert "not started by rtcompat" in theirs.describe()
    stopped = engine.EngineState(tmp_path, None, pid=42, managed=True, stopped=True, seconds=1.0)
    assert stopped.describe() == "engine stopped (pid 42) in 1.0 s"


@pytest.mark.engine
@needs_dockerd
def test_up_down_idempotent(no_other_engine):
    engine_dir = Path(tempfile.mkdtemp(prefix="rte-", dir="/tmp"))
    try:
        first = engine.up(engine_dir)
        assert first.started and first.managed and first.running, first.describe()
        again = engine.up(engine_dir)
        assert again.running and not again.started and again.pid == first.pid
        assert engine.status(engine_dir).managed
        stopped = engine.down(engine_dir)
        assert stopped.stopped and stopped.pid == first.pid
        assert not Path(f"/proc/{first.pid}").exists() or engine._alive(first.pid) is False
        assert not engine.status(engine_dir).running
        assert not engine.down(engine_dir).stopped
    finally:
        engine.down(engine_dir)
        shutil.rmtree(engine_dir, ignore_errors=True)


@pytest.mark.engine
@needs_dockerd
def test_an_answering_engine_is_reported_not_replaced(monkeypatch, no_other_engine):
    """With one engine up, ``up`` on a directory pointing at it starts nothing new."""
    engine_dir = Path(tempfile.mkdtemp(prefix="rte-", dir="/tmp"))
    try:
        ours = engine.up(engine_dir)
        elsewhere = Path(tempfile.mkdtemp(prefix="rte-", dir="/tmp"))
        monkeypatch.setenv("DOCKER_HOST", ours.url)
        seen = engine.up(elsewhere)
        monkeypatch.delenv("DOCKER_HOST")
        assert seen.url == ours.url and not seen.started and not seen.managed
        assert "not started by rtcompat" in seen.describe()
        assert not engine.down(elsewhere).stopped  # not ours to stop
        assert engine.status(engine_dir).running
        shutil.rmtree(elsewhere, ignore_errors=True)
    finally:
        engine.down(engine_dir)
        shutil.rmtree(engine_dir, ignore_errors=True)


@pytest.mark.engine
@needs_dockerd
def test_an_engine_killed_hard_comes_back_with_its_storage_driver(no_other_engine):
    """SIGKILL leaves containerd behind on our exec root; the next ``up`` clears it
    instead of timing out and wrongly falling back to vfs (which hides every image)."""
    import signal

    engine_dir = Path(tempfile.mkdtemp(prefix="rte-", dir="/tmp"))
    try:
        first = engine.up(engine_dir)
        os.kill(first.pid, signal.SIGKILL)
        again = engine.up(engine_dir)
        assert again.started and again.running
        assert again.storage_driver == first.storage_driver
        assert again.seconds < 10
    finally:
        engine.down(engine_dir)
        shutil.rmtree(engine_dir, ignore_errors=True)
