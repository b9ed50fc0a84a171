"""Check programs that misbehave on the host backends, run through ``rtcompat run``.

The simpler faults (hang, segfault, silence, garbage, a 20 MB flood, a write into the
fixture) are in ``tests/test_catalogue_run.py``; the process-level ones in
``tests/test_process.py``. Here: fork bombs and memory eaters contained by the check
limits, processes that escape their session, the harness's own memory while a check
prints 100 MB, and fixture tampering that deletes and adds files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from faultkit import GOOD_JSON, results_by_key
from harness.cli import main
from harness.fixture_guard import fixture_checksums
from standins import write_tool

BOUNDED_FORK_BOMB = """\
python3 - <<'PY'
import json, os, time
children = 0
for _ in range(300):  # a ceiling, so that a broken limit fails the test, not the machine
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
    except OSError:
        break
print(json.dumps({"ct.rows": 4, "dose.max_gy": 70.0, "children": children}))
PY
"""
MEMORY_EATER = "python3 -c 'x = [bytearray(16 << 20) for _ in range(64)]; print(\"{}\")'\n"


def run(project, *tools: str) -> dict:
    results = project / "results.json"
    assert main(["run", "--results", str(results), *(a for t in tools for a in ("--tool", t))]) == 0
    return results_by_key(results)


def test_a_fork_bomb_is_held_at_the_process_limit_and_the_next_tool_runs(project, cgroups, monkeypatch):
    monkeypatch.setenv("RTCOMPAT_CHECK_PIDS", "32")
    write_tool(project, "bomb", BOUNDED_FORK_BOMB)
    write_tool(project, "next", GOOD_JSON)
    outcome = run(project, "bomb", "next")
    assert outcome[("bomb", "read")]["observed"]["children"] < 32
    assert outcome[("next", "read")]["status"] == "pass"


def test_a_memory_eater_is_killed_and_fails(project, cgroups, monkeypatch):
    monkeypatch.setenv("RTCOMPAT_CHECK_MEMORY", "64M")
    write_tool(project, "eater", MEMORY_EATER)
    check = run(project, "eater")[("eater", "read")]
    assert check["status"] == "fail"
    assert check["returncode"] == 137  # bash reports its child's SIGKILL


def test_a_memory_eater_reads_as_killed_by_the_memory_limit(project, cgroups, monkeypatch):
    monkeypatch.setenv("RTCOMPAT_CHECK_MEMORY", "64M")
    write_tool(project, "eater", MEMORY_EATER)
    check = run(project, "eater")[("eater", "read")]
    assert check["status"] == "fail" and check["reason"].startswith("killed: memory limit 64 MiB")


def test_a_process_that_escaped_its_session_does_not_outlive_the_check(project, cgroups):
    pidfile = project / "escaped.pid"
    write_tool(project, "daemon", f"setsid sleep 300 >/dev/null 2>&1 </dev/null & echo $! > {pidfile}\n{GOOD_JSON}")
    assert run(project, "daemon")[("daemon", "read")]["status"] == "pass"
    time.sleep(0.2)
    assert not _alive(int(pidfile.read_text()))


def test_a_server_the_check_left_running_gets_term_and_cleans_up_before_it_is_killed(project, cgroups,
                                                                                    tmp_path_factory):
    """Xvfb started in a session of its own removes its /tmp/.X<n>-lock on TERM, never on KILL:
    what is left of a check is asked to go first."""
    lock = tmp_path_factory.mktemp("x") / ".X99-lock"
    server = (f"setsid sh -c 'echo $$ > {lock}; trap \"rm -f {lock}; exit 0\" TERM; "
              f"while :; do sleep 0.05; done' >/dev/null 2>&1 </dev/null &\n"
              f"while [ ! -s {lock} ]; do sleep 0.05; done\n{GOOD_JSON}")
    write_tool(project, "server", server)
    assert run(project, "server")[("server", "read")]["status"] == "pass"
    assert not lock.exists(), "the server was killed without a TERM: its lock file stayed"


@pytest.mark.harness_subprocess
def test_the_harness_memory_stays_bounded_while_a_check_prints_100_mb(project):
    write_tool(project, "quiet", GOOD_JSON)
    write_tool(project, "flood", "head -c 100000000 /dev/zero | tr '\\0' x\n" + GOOD_JSON)
    quiet, flood = _peak_rss_kib(project, "quiet", "flood")
    print(f"peak harness RSS: quiet check {quiet // 1024} MiB, then 100 MB flood {flood // 1024} MiB")
    assert flood - quiet < 48 * 1024, f"harness grew by {(flood - quiet) // 1024} MiB while reading 100 MB"
    check = results_by_key(project / "flood.json")[("flood", "read")]
    assert check["status"] == "fail"
    assert "(truncated)" in check["reason"]


def test_deleting_and_adding_fixture_files_is_reported_and_undone(project):
    extra = ("  - id: after\n    capability: read-rtdose\n    program: checks/after.sh\n"
             "    fixture: tiny\n    judge: [\"ct.rows\", \"dose.max_gy\"]\n")
    write_tool(project, "vandal", f'chmod -R u+w "$1"; rm "$1/data.dcm"; echo x > "$1/new.dcm"; {GOOD_JSON}',
               extra=extra)
    (project / "tool_manifests/vandal/checks/after.sh").write_text(
        f'test -f "$1/data.dcm" && test ! -e "$1/new.dcm" && {GOOD_JSON}\n')
    before = fixture_checksums(project / "fixtures" / "dicom")
    outcome = run(project, "vandal")
    assert outcome[("vandal", "read")]["status"] == "fail"
    assert outcome[("vandal", "read")]["reason"] == "modified the fixture set: 2 file(s) changed: data.dcm, new.dcm"
    assert outcome[("vandal", "after")]["status"] == "pass", "the next check saw the vandalised copy"
    assert fixture_checksums(project / "fixtures" / "dicom") == before


def test_a_check_that_rewrites_the_committed_truth_stops_the_run_and_the_truth_is_put_back(project):
    truth = project / "fixtures" / "dicom" / "tiny" / "truth.json"
    before = truth.read_bytes()
    write_tool(project, "forger", f"chmod u+w {truth}; echo '{{\"quantities\": {{}}}}' > {truth}; {GOOD_JSON}")
    results = project / "results.json"
    assert main(["run", "--results", str(results), "--tool", "forger"]) != 0
    outcome = results_by_key(results)
    assert outcome[("forger", "read")]["status"] == "error"
    assert outcome[("forger", "read")]["reason"].startswith(
        "run stopped: the committed fixture set 'tiny' changed during the run, after forger's check 'read': ")
    assert "truth.json; restored from the snapshot" in outcome[("forger", "read")]["reason"]
    assert truth.read_bytes() == before


def _peak_rss_kib(project, *tools: str) -> list[int]:
    """The harness's peak RSS after running each tool in turn, in one process of its own."""
    code = ("import json, resource, sys; from harness.cli import main; peaks = []\n"
            f"for tool in {list(tools)!r}:\n"
            f"    assert main(['run', '--tool', tool, '--results', {str(project)!r} + f'/{{tool}}.json']) == 0\n"
            "    peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
            "print(json.dumps(peaks))")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "RTCOMPAT_ROOT": str(project)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split()[2] != "Z"
