"""Producers that misbehave: each gets a precise row, and none of them can spoil the inputs
the next producer is given, smuggle in a file it did not write, or stop the run."""

from __future__ import annotations

import shutil
import sys
import textwrap

import pytest
from filelock import FileLock
from standins import write_manifest

from harness.cli import main
from harness.paths import fixtures_dir
from harness.results import read_results

pytestmark = pytest.mark.harness_subprocess
REFERENCE = fixtures_dir() / "reference"  # the committed set, resolved before a test moves the root

WRITERS = {
    # writes into its inputs, then copies the dose it was given
    "vandal": """\
import json, pathlib, shutil, sys
(pathlib.Path(sys.argv[1]) / "dose.npz").write_bytes(b"spoiled")
shutil.copyfile(sys.argv[1] + "/rtdose/RD.dcm", sys.argv[2] + "/RD.dcm")
print(json.dumps({"wrote": ["RD.dcm"]}))
""",
    # after the vandal: copies what it is given; must be given the phantom
    "zcopier": """\
import json, shutil, sys
shutil.copyfile(sys.argv[1] + "/rtdose/RD.dcm", sys.argv[2] + "/RD.dcm")
print(json.dumps({"wrote": ["RD.dcm"]}))
""",
    # a link to a file it did not write
    "linker": """\
import json, os, sys
os.symlink("/etc/hostname", sys.argv[2] + "/RD.dcm")
print(json.dumps({"wrote": ["RD.dcm"]}))
""",
    "crasher": "import sys\nsys.exit('cannot write: out of cheese')\n",
    "sleeper": "import time\ntime.sleep(60)\n",
    "silent": "print('{}')\n",
}


@pytest.fixture
def hostile(project):
    shutil.copytree(REFERENCE, project / "fixtures" / "dicom" / "reference")
    for tool_id, source in WRITERS.items():
        program = project / "tool_manifests" / tool_id / "producers" / "write.py"
        program.parent.mkdir(parents=True)
        program.write_text(source)
        write_manifest(project, tool_id, "[]\n", tail=textwrap.dedent("""\
            produces:
              - id: write-rtdose
                object: rtdose
                program: producers/write.py
                command: ["PYTHON", "{program}", "{fixture}", "{output}"]
                timeout: 3
            """).replace("PYTHON", sys.executable))
    program = project / "tool_manifests" / "reader" / "checks" / "read.py"
    program.parent.mkdir(parents=True)
    program.write_text("import json\nprint(json.dumps({'dose.rows': 46}))\n")
    write_manifest(project, "reader", """\
        - id: read-rtdose
          capability: read-rtdose
          program: checks/read.py
          command: ["PYTHON", "{program}", "{fixture}"]
          judge: ["dose.rows"]
        """.replace("PYTHON", sys.executable))
    return project


def test_each_misbehaving_producer_gets_its_own_precise_row(hostile):
    assert main(["interop", "--results", str(hostile / "interop.json")]) == 0
    made = {p.tool: p for p in read_results(hostile / "interop.json").productions}
    assert made["vandal"].status == "fail" and "modified its inputs" in made["vandal"].reason
    assert made["zcopier"].status == "pass", made["zcopier"].reason  # given the phantom again
    assert made["linker"].status == "fail" and "wrote no RTDOSE object" in made["linker"].reason
    assert made["crasher"].status == "fail" and "out of cheese" in made["crasher"].reason
    assert made["sleeper"].status == "fail" and "did not finish within 3 s" in made["sleeper"].reason
    assert made["silent"].status == "fail" and "wrote no RTDOSE object" in made["silent"].reason
    assert {p.fixture for p in made.values() if p.fixture} == {"by-zcopier-write-rtdose"}


def test_a_second_interop_run_at_once_is_refused_with_the_lock_it_waits_for(hostile, capsys):
    cache = hostile / "cache"
    cache.mkdir(exist_ok=True)
    with FileLock(str(cache / "interop.lock")):
        assert main(["interop", "--results", str(hostile / "interop.json")]) == 1
    assert "another rtcompat interop is using" in capsys.readouterr().err
    assert not (hostile / "interop.json").exists()


def test_a_producer_that_is_not_one_is_refused_with_the_ones_there_are(hostile, capsys):
    assert main(["interop", "--producer", "reader", "--results", str(hostile / "interop.json")]) == 1
    err = capsys.readouterr().err
    assert "no producer 'reader'" in err and "crasher" in err and "zcopier" in err
