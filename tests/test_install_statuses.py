"""One rule per install outcome, whichever backend: an installer that could not reach
the internet on an offline machine is a skip with the command that would run it; the
same failure on a connected machine is the testbed's error; neither is the tool's FAIL."""

from __future__ import annotations

import json

import pytest
from standins import write_python_tool

from harness.backends.base import InstallError
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


def _install_fails(monkeypatch, message: str, online: bool) -> None:
    from harness.backends import debian

    def fail(*args, **kwargs):
        raise InstallError(message)

    monkeypatch.setattr(debian, "install", fail)
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
