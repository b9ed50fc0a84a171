"""Stopping a run half-way, and two runs at once.

``rtcompat run`` runs in a process of its own here, on a throwaway project whose
second tool hangs; once the hanging check has started (it writes its pid), the run
gets SIGINT or SIGTERM. The results file must then be complete JSON marked partial
holding the first tool, the previous reports untouched, the hanging check killed,
and the next run must start cleanly and complete.
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from faultkit import GOOD_JSON, harness_process, make_wheel, results_by_key, write_virtualenv_tool
from harness.cli import main
from standins import write_tool

# These tests start the harness as a separate process.
pytestmark = pytest.mark.harness_subprocess


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_complete_partial_results_and_the_next_run_completes(project, sig):
    pidfile = project / "hanging.pid"
    write_tool(project, "a-first", GOOD_JSON)
    write_tool(project, "b-hangs", f"sleep 300 & echo $! > {pidfile}.tmp; mv {pidfile}.tmp {pidfile}; wait\n")
    assert main(["run", "--tool", "a-first", "--report"]) == 0
    reports = {p: p.read_bytes() for p in (project / "reports").rglob("*") if p.is_file()}
    assert reports

    proc = harness_process(project, "run", "--report")
    _wait_for(pidfile, proc)
    proc.send_signal(sig)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130, output[-2000:]

    results = project / "results" / "latest.json"
    data = json.loads(results.read_text())
    assert data["run"]["partial"] is True
    assert results_by_key(results)[("a-first", "read")]["status"] == "pass"
    assert [p.name for p in results.parent.iterdir()] == ["latest.json"], "a temporary file was left behind"
    assert {p: p.read_bytes() for p in (project / "reports").rglob("*") if p.is_file()} == reports
    assert not _alive(int(pidfile.read_text())), "the hanging check outlived the interrupted run"

    write_tool(project, "b-hangs", GOOD_JSON)
    assert main(["run"]) == 0
    data = json.loads(results.read_text())
    assert data["run"]["partial"] is False
    assert {c["status"] for t in data["tools"] for c in t["checks"]} == {"pass"}


def test_an_interrupted_run_keeps_every_row_it_did_not_reach_with_its_date(project):
    pidfile = project / "hanging.pid"
    write_tool(project, "a-first", GOOD_JSON)
    write_tool(project, "b-hangs", GOOD_JSON)
    write_tool(project, "c-after", GOOD_JSON)
    assert main(["run"]) == 0
    results = project / "results" / "latest.json"
    first = json.loads(results.read_text())["run"]["started"]

    write_tool(project, "b-hangs", f"sleep 300 & echo $! > {pidfile}.tmp; mv {pidfile}.tmp {pidfile}; wait\n")
    proc = harness_process(project, "run")
    _wait_for(pidfile, proc)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130, output[-2000:]
    assert f"the checks the run reached are in {results}" in output

    data = json.loads(results.read_text())
    tools = {t["id"]: t for t in data["tools"]}
    assert data["run"]["partial"] is True and data["run"]["started"] != first
    assert set(tools) == {"a-first", "b-hangs", "c-after"}
    assert tools["a-first"]["produced"] == data["run"]["started"]
    assert tools["c-after"]["produced"] == first and tools["c-after"]["checks"][0]["status"] == "pass"
    (kept,) = tools["b-hangs"]["checks"]
    assert kept["status"] == "pass" and kept["produced"] == first


def test_two_runs_sharing_the_cache_build_once_and_both_pass(project, tmp_path_factory):
    wheel = make_wheel(tmp_path_factory.mktemp("wheel"))
    write_virtualenv_tool(project, "pyreader", str(wheel))
    runs = [harness_process(project, "run", "--results", str(project / f"run{i}.json")) for i in (1, 2)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    outcomes = [results_by_key(project / f"run{i}.json") for i in (1, 2)]
    assert sorted(o[("pyreader", "install")]["reason"] for o in outcomes) == [
        "installed", "reused cached environment"]
    assert all(o[("pyreader", "read")]["status"] == "pass" for o in outcomes)
    assert sorted(p.name for p in (project / "cache" / "envs").iterdir()) == ["pyreader", "pyreader.lock"]


def _wait_for(path, proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the hanging check never started: {proc.communicate()[0][-2000:]}")
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
