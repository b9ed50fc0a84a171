"""Nothing outside the scratch area is touched, and hostile leftovers cost nothing.

Manifests that point outside the project, ids that would write outside
``tool_manifests/``, and check programs that leave odd things in their fixture copy (a
name that is not UTF-8, a symlink to a huge file or to a file they may not touch, a
FIFO), each meeting the real harness.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys

import pytest

from faultkit import GOOD_JSON
from harness.cli import main
from standins import write_python_tool, write_tool


def run(project, *tools, exit_code=0):
    results = project / "results.json"
    assert main(["run", "--results", str(results), *[a for t in tools for a in ("--tool", t)]]) == exit_code
    data = json.loads(results.read_text())
    return {(t["id"], c["id"]): c for t in data["tools"] for c in t["checks"]} | {
        (t["id"], "install"): t["install"] for t in data["tools"]}


@pytest.mark.parametrize("fixture", ["{victim}", "../../../victim", "tiny/../../victim"])
def test_a_fixture_that_is_a_path_is_refused_and_the_directory_it_names_survives(project, tmp_path_factory,
                                                                                  capsys, fixture):
    victim = tmp_path_factory.mktemp("outside") / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    manifest = write_tool(project, "escapee", GOOD_JSON)
    manifest.write_text(manifest.read_text().replace("fixture: tiny", f"fixture: {fixture.format(victim=victim)}"))
    assert main(["validate", str(manifest)]) == 1
    assert "checks.0.fixture" in capsys.readouterr().out
    outcome = run(project, "escapee", exit_code=1)  # an invalid manifest: the run says so in its exit status
    assert outcome[("escapee", "install")]["status"] == "error"
    assert (victim / "precious.txt").read_text() == "keep me"
    assert not (project.parent / "victim").exists()


@pytest.mark.parametrize("tool_id", ["../../x", "Bad<script>", "x" * 300, "Upper", "a/b"])
def test_new_refuses_an_id_that_is_not_a_slug_and_writes_nothing(project, capsys, tool_id):
    before = sorted(p for p in project.parent.rglob("*"))
    assert main(["new", tool_id]) == 1
    assert "is not a tool id" in capsys.readouterr().err
    assert sorted(p for p in project.parent.rglob("*")) == before


def test_a_file_name_that_is_not_utf8_in_the_fixture_copy_is_reported_and_the_run_completes(project):
    write_python_tool(project, "odd-name", """\
        import os, stat, sys
        os.chmod(sys.argv[1], stat.S_IRWXU)
        open(os.path.join(os.fsencode(sys.argv[1]), b"caf\\xe9.dcm"), "wb").close()
        print('{"ct.rows": 4, "dose.max_gy": 70.5}')
        """)
    check = run(project, "odd-name")[("odd-name", "read")]
    assert check["status"] == "fail"
    assert "modified the fixture set: 1 file(s) changed: caf\\xe9.dcm" in check["reason"]


def test_links_and_fifos_left_in_the_fixture_copy_are_never_followed_or_opened(project, tmp_path_factory):
    """A link to someone else's file, a FIFO, and a link to a FIFO outside: hashing or
    restoring permissions through any of them would change a file that is not ours or
    block the harness for ever (the alarm turns a hang into a failure)."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "someone-elses.txt").write_text("not yours")
    (outside / "someone-elses.txt").chmod(0o444)
    os.mkfifo(outside / "a-fifo")
    write_python_tool(project, "linker", f"""\
        import os, stat, sys
        os.chmod(sys.argv[1], stat.S_IRWXU)
        os.symlink({str(outside / "someone-elses.txt")!r}, os.path.join(sys.argv[1], "link.dcm"))
        os.symlink({str(outside / "a-fifo")!r}, os.path.join(sys.argv[1], "fifo-link.dcm"))
        os.mkfifo(os.path.join(sys.argv[1], "pipe.dcm"))
        print('{{"ct.rows": 4, "dose.max_gy": 70.5}}')
        """)

    def hung(signum, frame):
        raise TimeoutError("the harness blocked on a FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        check = run(project, "linker")[("linker", "read")]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    outside = outside / "someone-elses.txt"
    assert check["status"] == "fail" and "link.dcm" in check["reason"] and "pipe.dcm" in check["reason"]
    assert stat.S_IMODE(outside.stat().st_mode) == 0o444, "a symlink was followed to change permissions"
    assert outside.read_text() == "not yours"


@pytest.mark.harness_subprocess
def test_a_symlink_to_a_huge_file_costs_the_harness_no_memory(project, tmp_path_factory):
    """A 1.5 GiB sparse file behind a link in the fixture copy: the harness hashes the
    link, not the file, and its peak memory stays where a plain run leaves it."""
    huge = tmp_path_factory.mktemp("outside") / "huge.bin"
    with open(huge, "wb") as handle:
        handle.truncate(1536 * 1024**2)
    write_tool(project, "plain", GOOD_JSON)
    write_python_tool(project, "hoarder", f"""\
        import os, stat, sys
        os.chmod(sys.argv[1], stat.S_IRWXU)
        os.symlink({str(huge)!r}, os.path.join(sys.argv[1], "big.dcm"))
        print('{{"ct.rows": 4, "dose.max_gy": 70.5}}')
        """)
    code = ("import json, resource; from harness.cli import main; peaks = []\n"
            "for tool in ('plain', 'hoarder'):\n"
            f"    assert main(['run', '--tool', tool, '--results', {str(project)!r} + f'/{{tool}}.json']) == 0\n"
            "    peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
            "print(json.dumps(peaks))")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "RTCOMPAT_ROOT": str(project)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    plain, hostile = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"harness peak RSS: plain run {plain // 1024} MiB, with a link to a 1.5 GiB file {hostile // 1024} MiB")
    assert hostile - plain < 64 * 1024, f"the harness grew by {(hostile - plain) // 1024} MiB"


def test_what_a_tool_unpacks_into_its_temporary_directory_goes_with_the_run(project, tmp_path_factory):
    seen = tmp_path_factory.mktemp("seen") / "where"
    write_tool(project, "unpacker", f'd=$(mktemp -d); cp -r "$1" "$d/copy"; '
                                    f'python3 -c "import tempfile; print(tempfile.mkdtemp())" > {seen}; '
                                    f'echo "$d" >> {seen}; {GOOD_JSON}')
    assert run(project, "unpacker")[("unpacker", "read")]["status"] == "pass"
    left = seen.read_text().split()
    assert len(left) == 2 and all("/rtcompat-run-" in path and not os.path.exists(path) for path in left), left
