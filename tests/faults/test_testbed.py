"""Testbed faults are ``error``, never ``fail``: the tool did nothing wrong.

The package index unreachable, and the disk under the cache full (a 2 MiB tmpfs
mounted as RTCOMPAT_CACHE; root only). The engine stopping mid-run is in
``tests/backends/test_container.py::test_engine_stopping_mid_run_is_an_engine_error``.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from faultkit import make_wheel, results_by_key, write_virtualenv_tool
from harness.cli import main


def run(project) -> dict:
    results = project / "results.json"
    assert main(["run", "--results", str(results)]) == 0
    return results_by_key(results)


def test_an_unreachable_package_index_is_an_install_error(project, monkeypatch):
    for name in [v for v in os.environ if v.startswith(("PIP_", "UV_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no index or find-links from pip.conf
    monkeypatch.setenv("UV_NO_CONFIG", "1")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")  # the discard port: refused
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    write_virtualenv_tool(project, "offline", "rtcompat-standin-absent==1.0")
    outcome = run(project)
    install = outcome[("offline", "install")]
    assert install["status"] == "error"
    assert install["reason"].startswith("install failed: ")
    assert "Connection refused" in install["reason"] or "127.0.0.1:9" in install["reason"], install["reason"]
    assert outcome[("offline", "read")]["status"] == "error"
    assert not [p for p in (project / "cache" / "envs").iterdir() if p.is_dir()], "a half-built env was left"


@pytest.fixture
def tiny_cache(project):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    cache = project / "cache"
    cache.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(cache)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield cache
    subprocess.run(["umount", "-l", str(cache)], check=True)


def test_a_full_disk_is_an_install_error_and_the_next_run_recovers(project, tiny_cache, tmp_path_factory):
    wheel = make_wheel(tmp_path_factory.mktemp("wheel"), payload=4 * 1024 * 1024)
    write_virtualenv_tool(project, "bulky", str(wheel))
    outcome = run(project)
    install = outcome[("bulky", "install")]
    assert install["status"] == "error" and install["reason"].startswith("install failed: ")
    assert "space" in install["reason"].lower(), install["reason"]
    print(install["reason"])
    assert outcome[("bulky", "read")]["status"] == "error"
    assert not [p for p in (tiny_cache / "envs").iterdir() if p.is_dir()], "a half-built env was left"

    subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_cache)], check=True)
    outcome = run(project)
    assert outcome[("bulky", "install")]["reason"] == "installed"
    assert outcome[("bulky", "read")]["status"] == "pass"


@pytest.mark.parametrize(("value", "said"), [("lots", "expected a size such as 512M"),
                                             ("4K", "below the 64 MiB any check needs")])
def test_a_limit_setting_no_check_can_run_under_stops_the_run_before_any_tool_is_blamed(
        project, monkeypatch, capsys, value, said):
    from harness.cli import main
    from standins import write_tool

    monkeypatch.setenv("RTCOMPAT_CHECK_MEMORY", value)
    write_tool(project, "limited", "echo '{\"ct.rows\": 4, \"dose.max_gy\": 70}'")
    results = project / "results.json"
    assert main(["run", "--tool", "limited", "--results", str(results)]) == 1
    err = capsys.readouterr().err
    assert f"RTCOMPAT_CHECK_MEMORY={value!r}" in err and said in err
    assert not results.exists()


def test_a_malformed_limit_setting_under_plain_pytest_is_an_error_row_not_a_lost_tool(project, monkeypatch):
    import pytest as pytest_module
    from standins import write_tool

    monkeypatch.setenv("RTCOMPAT_CHECK_MEMORY", "lots")
    write_tool(project, "limited", "echo '{\"ct.rows\": 4, \"dose.max_gy\": 70}'")
    results = project / "results.json"
    pytest_module.main([str(project / "tool_manifests" / "limited.yaml"), "-p", "harness.pytest_plugin",
                        "--rtcompat-results", str(results), "--rootdir", str(project), "-o", "addopts=",
                        "-p", "no:cacheprovider", "-q"])
    (tool,) = json.loads(results.read_text())["tools"]
    (check,) = tool["checks"]
    assert check["status"] == "error" and "RTCOMPAT_CHECK_MEMORY" in check["reason"]
