"""What a check process finds in its environment: none of the harness's Python, a home
of its own, and one thread for numeric libraries unless the caller asked otherwise."""

from __future__ import annotations

import pytest

from harness.backends.base import ONE_THREAD, Mounts, check_environment


@pytest.fixture
def mounts(tmp_path):
    return Mounts(fixture=tmp_path / "fixture", output=tmp_path / "output", checks=tmp_path / "checks")


def test_numeric_libraries_get_one_thread(mounts, monkeypatch):
    for name in ONE_THREAD:
        monkeypatch.delenv(name, raising=False)
    env = check_environment({}, mounts)
    assert {name: env[name] for name in ONE_THREAD} == dict.fromkeys(ONE_THREAD, "1")
    assert "OPENBLAS_NUM_THREADS" in ONE_THREAD and "OMP_NUM_THREADS" in ONE_THREAD


def test_the_callers_thread_setting_wins(mounts, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert check_environment({}, mounts)["OMP_NUM_THREADS"] == "4"


def test_the_harness_python_does_not_leak_and_home_is_the_checks_own(mounts, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    env = check_environment({"VIRTUAL_ENV": "/env"}, mounts)
    assert "PYTHONPATH" not in env and env["VIRTUAL_ENV"] == "/env"
    assert env["HOME"] == str(mounts.output / "home") and (mounts.output / "home").is_dir()


def test_temporary_files_land_in_the_checks_own_scratch(mounts, monkeypatch):
    monkeypatch.setenv("TMPDIR", "/tmp")
    env = check_environment({}, mounts)
    temporary = str(mounts.output / "tmp")
    assert (env["TMPDIR"], env["TMP"], env["TEMP"]) == (temporary, temporary, temporary)
    assert (mounts.output / "tmp").is_dir()
