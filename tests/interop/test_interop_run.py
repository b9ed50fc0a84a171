"""``rtcompat interop`` end to end: stand-in writers (run through the ``debian`` backend
like every harness test's tools) write the phantom's RT Dose, a stand-in reader reads
what they wrote through the ordinary catalogue run, and the report's matrix shows each
cell with whose fault its FAIL is."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap

import pytest
from standins import write_manifest

from harness.cli import main
from harness.paths import fixtures_dir
from harness.report.render import render_reports
from harness.results import read_results

pytestmark = pytest.mark.harness_subprocess
REFERENCE = fixtures_dir() / "reference"  # the committed set, resolved before a test moves the root

#: Copies the dose it was given: a faithful writer.
COPY = """\
import json, shutil, sys
shutil.copyfile(sys.argv[1] + "/rtdose/RD.dcm", sys.argv[2] + "/RD.dcm")
print(json.dumps({"wrote": ["RD.dcm"]}))
"""
#: Stores the same doses with twice the scaling: faithful, but not as our generator writes it.
RESCALE = """\
import json, sys
import numpy as np, pydicom
ds = pydicom.dcmread(sys.argv[1] + "/rtdose/RD.dcm")
ds.PixelData = (ds.pixel_array // 2).astype("<u4").tobytes()
ds.DoseGridScaling = f"{float(ds.DoseGridScaling) * 2:.10g}"
ds.save_as(sys.argv[2] + "/RD.dcm")
print(json.dumps({"wrote": ["RD.dcm"]}))
"""
#: Writes every dose 10 % high: unfaithful.
HOT = RESCALE.replace("(ds.pixel_array // 2)", "(ds.pixel_array * 1.1)").replace("* 2:", "* 1:")
#: Reports the grid maximum assuming the reference's scaling of 1e-5 Gy: right on our
#: files, wrong on any other faithful writer's.
READER = """\
import json, sys
import pydicom
from pathlib import Path
ds = next(pydicom.dcmread(p) for p in Path(sys.argv[1]).glob("*.dcm")
          if pydicom.dcmread(p, stop_before_pixels=True).Modality == "RTDOSE")
print(json.dumps({"dose.max_gy": float(ds.pixel_array.max()) * 1e-5, "dose.rows": int(ds.Rows)}))
"""


def _writer(project, tool_id, source):
    program = project / "tool_manifests" / tool_id / "producers" / "write.py"
    program.parent.mkdir(parents=True)
    program.write_text(source)
    write_manifest(project, tool_id, "[]\n", tail=textwrap.dedent("""\
        produces:
          - id: write-rtdose
            object: rtdose
            program: producers/write.py
            command: ["PYTHON", "{program}", "{fixture}", "{output}"]
            api: "a stand-in writer"
        """).replace("PYTHON", sys.executable))


@pytest.fixture
def exchange(project):
    shutil.copytree(REFERENCE, project / "fixtures" / "dicom" / "reference")
    for tool_id, source in (("copier", COPY), ("rescaler", RESCALE), ("hot", HOT)):
        _writer(project, tool_id, source)
    program = project / "tool_manifests" / "reader" / "checks" / "read.py"
    program.parent.mkdir(parents=True)
    program.write_text(READER)
    write_manifest(project, "reader", """\
        - id: read-rtdose
          capability: read-rtdose
          program: checks/read.py
          command: ["PYTHON", "{program}", "{fixture}"]
          judge: ["dose.max_gy", "dose.rows"]
        """.replace("PYTHON", sys.executable))
    assert main(["run", "--tool", "reader", "--set", "reference", "--results", str(project / "main.json")]) == 0
    assert main(["interop", "--tool", "reader", "--results", str(project / "interop.json")]) == 0
    return project


def test_each_writer_is_validated_and_read_by_the_reference_reader(exchange):
    results = read_results(exchange / "interop.json")
    made = {p.tool: p for p in results.productions}
    assert set(made) == {"copier", "rescaler", "hot"}
    assert made["copier"].fidelity["failed"] == [] and made["rescaler"].fidelity["failed"] == []
    assert "dose.max_gy" in made["hot"].fidelity["failed"] and made["hot"].status == "fail"
    assert all(p.validation is not None for p in made.values())
    assert made["copier"].fixture == "by-copier-write-rtdose"


def test_the_reader_reads_every_writers_set_and_nothing_else(exchange):
    (reader,) = read_results(exchange / "interop.json").tools
    assert sorted(c.fixture for c in reader.checks) == ["by-copier-write-rtdose", "by-hot-write-rtdose",
                                                        "by-rescaler-write-rtdose"]
    status = {c.fixture: c.status for c in reader.checks}
    assert status == {"by-copier-write-rtdose": "pass", "by-hot-write-rtdose": "fail",
                      "by-rescaler-write-rtdose": "fail"}


def test_a_second_run_takes_each_object_from_the_cache(exchange, capsys):
    capsys.readouterr()
    assert main(["interop", "--tool", "reader", "--results", str(exchange / "again.json")]) == 0
    assert all(p.cached for p in read_results(exchange / "again.json").productions)


def test_the_matrix_says_whose_fault_each_fail_is(exchange):
    out = exchange / "report"
    render_reports(read_results(exchange / "main.json"), out, fixtures_root=exchange / "fixtures" / "dicom",
                   exchange=read_results(exchange / "interop.json"))
    page = (out / "exchange.md").read_text()
    matrix = page.split("RT Dose: 3 producer(s) × 1 reader(s)", 1)[1].split("## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in matrix.splitlines() if line.startswith("| ")}
    assert "[pass]" in rows["copier"]
    assert "[FAIL]" in rows["hot (object FAIL)"] and " producer" in rows["hot (object FAIL)"]
    assert "[FAIL]" in rows["rescaler"] and " consumer" in rows["rescaler"]
    assert "- consumer: dose.max\\_gy 68.03 Gy vs 136.1 Gy" in page
    front = (out / "compatibility.md").read_text()
    assert "RT Dose: 3 producer(s) x 1 reader(s): 1 pass, 2 FAIL" in front
    assert json.loads((out / "interop.json").read_text())["productions"]
    tool_page = (out / "tools" / "reader.md").read_text()
    assert "exchange" not in tool_page.split("# reader", 1)[1].split("\n\n", 2)[1]  # a reader writes nothing
