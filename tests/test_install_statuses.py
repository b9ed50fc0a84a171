"""One rule per install outcome, whichever backend: an installer that could not reach
the internet on an offline machine is a skip with the command that would run it; the
same failure on a connected machine is the testbed's error; neither is the tool's FAIL."""

from __future__ import annotations

import json
import time

import pytest
from standins import debian_install_with, write_python_tool

from harness.backends.base import InstallError, SkipTool, ToolBroken, ToolUnavailable
from harness.cli import main
from harness.host import Host
from harness.runner import network_failure

CORRECT = 'print(\'{"ct.rows": 4}\')'


@pytest.mark.parametrize(("said", "meaning"), [
    ("socket.gaierror: [Errno -2] Name or service not known", "a host name did not resolve"),
    ("fatal: unable to access 'https://github.com/x/y/': Could not resolve host: github.com",
     "a host name did not resolve: github.com"),
    ("Temporary failure in name resolution", "a host name did not resolve"),
    ("[Errno 101] Network is unreachable", "the network is unreachable"),
    ("curl: (7) Failed to connect to files.pythonhosted.org port 443", "a connection failed: files.pythonhosted.org"),
    ("git: Could not resolve host: 'gitlab.com'.", "a host name did not resolve: gitlab.com"),
    ("No matching distribution found for numpy==9.9", None),
    ("E: Unable to locate package foo", None),
])
def test_what_an_installer_failure_says_about_the_network(said, meaning):
    assert network_failure(said) == meaning


def _raises(exc: Exception, after: float = 0.0):
    def raise_it(*args, **kwargs):
        time.sleep(after)
        raise exc
    return raise_it


def _install_fails(monkeypatch, message: str, online: bool) -> None:
    from harness.backends import debian

    monkeypatch.setattr(debian, "install", _raises(InstallError(message)))
    monkeypatch.setattr(Host, "network", property(lambda self: online))


@pytest.mark.parametrize(("online", "status"), [(False, "skip"), (True, "error")])
def test_an_install_that_could_not_reach_the_network(project, monkeypatch, online, status):
    write_python_tool(project, "netty", CORRECT)
    _install_fails(monkeypatch, "uv pip install failed: socket.gaierror: [Errno -2] Name or service not known", online)
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "netty"]) in (0, 1)
    tool = json.loads(results.read_text())["tools"][0]
    assert tool["install"]["status"] == status
    assert [c["status"] for c in tool["checks"]] == [status]
    if online:
        assert tool["install"]["reason"].startswith("install failed:") and tool["install"]["enable"] is None
    else:
        assert tool["install"]["reason"] == ("needs the internet to install (a host name did not resolve); "
                                             "this machine is offline")
        assert tool["install"]["enable"].startswith("rtcompat run --tool netty")


def test_any_other_install_failure_is_an_error_even_offline(project, monkeypatch):
    write_python_tool(project, "broken", CORRECT)
    _install_fails(monkeypatch, "E: Unable to locate package coreutilz", online=False)
    results = project / "results.json"
    main(["run", "--results", str(results), "--tool", "broken"])
    tool = json.loads(results.read_text())["tools"][0]
    assert tool["install"]["status"] == "error" and "Unable to locate package" in tool["install"]["reason"]


def test_a_known_failure_that_could_not_run_still_names_its_upstream_issue(project, monkeypatch):
    write_python_tool(project, "tracked", CORRECT, check_lines="""\
        xfail: {reason: 'scaling ignored', issue: 'https://example.org/issues/7'}
        """)
    _install_fails(monkeypatch, "E: Unable to locate package coreutilz", online=False)
    results = project / "results.json"
    main(["run", "--results", str(results), "--tool", "tracked"])
    (check,) = json.loads(results.read_text())["tools"][0]["checks"]
    assert (check["status"], check["xfail_issue"]) == ("error", "https://example.org/issues/7")


def _run_with(project, monkeypatch, **replaced) -> dict:
    from harness.backends import debian

    write_python_tool(project, "probe", CORRECT)
    for name, behaviour in replaced.items():
        monkeypatch.setattr(debian, name, behaviour)
    results = project / "results.json"
    main(["run", "--results", str(results), "--tool", "probe"])
    return json.loads(results.read_text())["tools"][0]


@pytest.mark.parametrize(("replaced", "status", "reason"), [
    ({"health_check": lambda env: "python3 is missing"}, "error",
     "install failed: fresh environment is unhealthy: python3 is missing"),
    ({"install": _raises(RuntimeError("boom"))}, "error", "install failed unexpectedly: RuntimeError: boom"),
    ({"install": _raises(ToolBroken("the release is Python 2 code"))}, "fail", "the release is Python 2 code"),
    ({"install": _raises(ToolUnavailable("licensed, Windows only"))}, "unavailable", "licensed, Windows only"),
    ({"available": lambda host: "needs a container engine"}, "skip", "needs a container engine"),
], ids=["unhealthy", "our-bug", "broken-release", "unavailable", "not-here"])
def test_each_install_outcome_is_the_status_of_the_tool_and_of_each_of_its_checks(project, monkeypatch, replaced,
                                                                                   status, reason):
    tool = _run_with(project, monkeypatch, **replaced)
    assert (tool["install"]["status"], tool["install"]["reason"], tool["install"]["enable"]) == (status, reason, None)
    assert [(c["status"], c["reason"]) for c in tool["checks"]] == [(status, reason)]
    assert tool["version"] is None and tool["dependencies"] == {}


def test_a_tool_that_needs_the_network_is_skipped_offline_with_the_command_that_runs_it(project, monkeypatch):
    write_python_tool(project, "netted", CORRECT)
    manifest = project / "tool_manifests" / "netted.yaml"
    manifest.write_text(manifest.read_text() + "restrictions: {network: true}\n")
    monkeypatch.setattr(Host, "network", property(lambda self: False))
    results = project / "results.json"
    main(["run", "--results", str(results), "--tool", "netted"])
    tool = json.loads(results.read_text())["tools"][0]
    enable = "rtcompat run --tool netted  (on a machine with internet access)"
    assert (tool["install"]["status"], tool["install"]["reason"], tool["install"]["enable"]) == (
        "skip", "needs the internet to download the tool; this machine is offline", enable)
    assert [c["reason"] for c in tool["checks"]] == [
        f"needs the internet to download the tool; this machine is offline; to enable: {enable}"]


@pytest.mark.parametrize(("raised", "online"), [
    (SkipTool("needs a display"), True),
    (ToolBroken("the release is Python 2 code"), True),
    (InstallError("pip: Name or service not known"), False),
    (InstallError("pip: no matching distribution"), True),
    (RuntimeError("boom"), True),
], ids=["skip", "broken-release", "offline", "error", "our-bug"])
def test_an_install_that_did_not_finish_records_how_long_it_tried(project, monkeypatch, raised, online):
    """The seconds spent before the failure: never nothing, never a clock reading."""
    monkeypatch.setattr(Host, "network", property(lambda self: online))
    began = time.monotonic()
    tool = _run_with(project, monkeypatch, install=_raises(raised, after=0.02))
    assert 0.02 <= tool["install"]["seconds"] <= time.monotonic() - began


@pytest.mark.parametrize(("reused", "reason"), [(True, "reused cached environment"), (False, "installed")])
def test_an_install_that_passed_records_what_the_backend_found(project, monkeypatch, reused, reason):
    install = debian_install_with({"installer": "apt-get 2.6.1"}, reused=reused, install_seconds=1.5)
    tool = _run_with(project, monkeypatch, install=install)
    assert tool["install"] == {"status": "pass", "reason": reason, "enable": None, "seconds": 1.5, "reused": reused,
                               "installer": "apt-get 2.6.1"}
