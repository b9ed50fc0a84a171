"""``rtcompat run --data``: the whole path on an export nobody here wrote by hand, with
stand-in tools (the machinery under test is ours, not a tool's): honest readers, one
that reads the dose 10 % high, and a hostile one that prints the patient's identity
everywhere it can and then crashes."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import textwrap
from pathlib import Path

import pydicom
import pytest
from export import IDENTIFYING, make_export
from standins import write_manifest

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]

READER = """\
    import json, sys
    from pathlib import Path
    import pydicom
    fixture = Path(sys.argv[1])
    dose, rs, plan = (pydicom.dcmread(fixture / name) for name in ("RD.dcm", "RS.dcm", "RP.dcm"))
    factor = {factor}
    names = [str(r.ROIName) for r in rs.StructureSetROISequence]
    observed = {{"dose.max_gy": float(dose.pixel_array.max() * dose.DoseGridScaling) * factor,
                "plan.prescription_gy": float(plan.DoseReferenceSequence[0].TargetPrescriptionDose) * factor,
                "rtstruct.roi_count": len(names), "rtstruct.roi_names": names}}
    {extra}
    print(json.dumps(observed))
    """

HOSTILE = """\
    who = dose.PatientName
    observed.update({"ct.patient_name": str(who), "plan.label": str(plan.RTPlanLabel),
                     "set.patient_id": str(dose.PatientID), "_errors": {
                         "dose": f"cannot read {who} ({dose.PatientID}), born {dose.PatientBirthDate}, "
                                 f"study {dose.StudyInstanceUID} at {dose.InstitutionName} / {dose.StationName}"}})
    print(f"patient {who} {str(who).title()} {dose.StudyDate} {plan.RTPlanLabel}", file=sys.stderr)
    from PIL import Image  # a GUI tool's screenshot of the patient cannot be de-identified
    Image.new("RGB", (64, 48), (9, 9, 9)).save(Path(sys.argv[2]) / "screenshot.png")
    print(json.dumps(observed))
    sys.exit(3)
    """


def add_reader(project: Path, tool_id: str, *, factor: float = 1.0, hostile: bool = False) -> None:
    program = project / "tool_manifests" / tool_id / "checks" / "read.py"
    program.parent.mkdir(parents=True)
    extra = textwrap.indent(textwrap.dedent(HOSTILE), "    ").strip() if hostile else ""
    program.write_text(textwrap.dedent(READER.format(factor=factor, extra=extra)))
    judge = '["dose.max_gy", "plan.prescription_gy", "rtstruct.roi_count", "rtstruct.roi_names"]'
    optional = '["ct.patient_name", "plan.label", "set.patient_id"]'
    write_manifest(project, tool_id, f"""\
        - id: read
          capability: read-rtdose
          program: checks/read.py
          command: [{json.dumps(sys.executable)}, "{{program}}", "{{fixture}}", "{{output}}"]
          judge: {judge}
          optional: {optional}
          timeout: 60
        """)


@pytest.fixture
def readers(project: Path) -> Path:
    reference = project / "fixtures" / "dicom" / "reference"
    reference.mkdir()
    shutil.copyfile(ROOT / "fixtures" / "dicom" / "reference" / "truth.json", reference / "truth.json")
    for tool_id in ("alpha", "beta", "gamma"):
        add_reader(project, tool_id)
    add_reader(project, "skewed", factor=1.1)
    add_reader(project, "hostile", hostile=True)
    return project


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, list[str]]:
    data = tmp_path / "exports"
    uids = make_export("reference", data)
    return data, uids


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run_own(project: Path, data: Path, *extra: str) -> tuple[Path, dict]:
    output = project / "own"
    assert main(["run", "--data", str(data), "--output", str(output), *extra]) == 0
    return output, json.loads((output / "own-data.json").read_text())


def test_nothing_that_identifies_the_patient_reaches_any_output_file(readers, export):
    data, uids = export
    before = tree_digest(data)
    output, _ = run_own(readers, data)
    assert tree_digest(data) == before  # the user's files: unchanged, nothing added
    written = sorted(p for p in output.rglob("*") if p.is_file())
    assert [p.name for p in written] == ["own-data.json", "own-data.md"]
    for path in written:
        text = path.read_text().casefold()
        found = [v for v in [*IDENTIFYING, *uids, data.name, "KOWALSKI_ANNA_PID7730219"] if v.casefold() in text]
        assert found == [], f"{path.name} holds {found}"
    assert not (readers / "results").exists() and not (readers / "reports").exists()


def test_the_tools_are_judged_against_the_plan_and_against_each_other(readers, export):
    _, results = run_own(readers, export[0])
    (own_set,) = results["sets"]
    status = {c["tool"]: c["status"] for c in own_set["checks"]}
    assert status == {"alpha": "pass", "beta": "pass", "gamma": "pass", "skewed": "fail", "hostile": "fail"}
    consensus = {c["key"]: c for c in own_set["consensus"]}
    assert consensus["dose.max_gy"]["formed"] and consensus["dose.max_gy"]["value"] == pytest.approx(136.05)
    assert consensus["dose.max_gy"]["outliers"] == [
        "skewed: dose.max_gy 10.0 % above the other 3 of 4 tools (+13.6 Gy, +10.0 %)"]  # a crashed run adds no value
    assert consensus["rtstruct.roi_names"]["value"] == [f"ROI-{n}" for n in (1, 2, 3, 4, 5)]
    skewed = next(c for c in own_set["checks"] if c["tool"] == "skewed")
    vendor = {v["key"]: v for v in skewed["verdicts"] if v["source"] == "vendor"}
    assert not vendor["plan.prescription_gy"]["passed"] and vendor["plan.prescription_gy"]["reference"] == 70.0
    hostile = next(c for c in own_set["checks"] if c["tool"] == "hostile")
    assert hostile["reason"].startswith("reported, but the program then exited with code 3")


def test_roi_names_stay_when_asked(readers, export):
    _, results = run_own(readers, export[0], "--keep-roi-names", "--tool", "alpha", "--tool", "beta", "--tool", "gamma")
    consensus = {c["key"]: c for c in results["sets"][0]["consensus"]}
    assert consensus["rtstruct.roi_names"]["value"] == sorted(["BODY", "Sphere", "CylinderSI", "CylinderAP", "Cone"])


@pytest.mark.parametrize("where", ["inside the data", "reports"])
def test_an_output_that_would_write_into_the_data_or_the_reports_is_refused(readers, export, where, capsys):
    data = export[0]
    output = data / "out" if where == "inside the data" else readers / "reports" / "mine"
    assert main(["run", "--data", str(data), "--output", str(output)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("rtcompat: error: ") and str(output) in error
    assert not output.exists()


def test_a_directory_without_dicom_says_so(readers, tmp_path, capsys):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "readme.txt").write_text("no images here")
    assert main(["run", "--data", str(empty), "--output", str(tmp_path / "out")]) == 1
    assert "no CT series or DICOM-RT object found among 1 files" in capsys.readouterr().err


def test_two_workers_read_the_sets_the_controller_staged(readers, export):
    _, results = run_own(readers, export[0], "-n", "2", "--tool", "alpha", "--tool", "beta", "--tool", "gamma")
    assert [c["status"] for c in results["sets"][0]["checks"]] == ["pass", "pass", "pass"]


def test_the_pytest_plugin_takes_the_same_options(readers, export):
    import pytest as runner

    output = readers / "via-pytest"
    manifests = [str(readers / "tool_manifests" / f"{t}.yaml") for t in ("alpha", "beta", "gamma")]
    code = runner.main([*manifests, "-p", "harness.pytest_plugin", "--rootdir", str(readers), "-o", "addopts=",
                        "-p", "no:cacheprovider", "-q", "--rtcompat-data", str(export[0]),
                        "--rtcompat-data-output", str(output)])
    assert code == 0
    assert json.loads((output / "own-data.json").read_text())["sets"][0]["checks"][0]["status"] == "pass"


def test_a_file_changed_behind_the_runs_back_stops_the_report(readers, export, tmp_path):
    from harness.owndata.run import OwnDataError, OwnDataRun
    from harness.results import Results, RunInfo

    data = export[0]
    run = OwnDataRun.prepare(data, tmp_path / "out", False, tmp_path / "scratch")
    victim = next(data.rglob("RTPLAN.*.dcm"))
    victim.write_bytes(victim.read_bytes() + b"\0")
    empty = Results(run=RunInfo(started="now", host="h", platform="p", python="3", harness_version="0"))
    with pytest.raises(OwnDataError, match=f"the data changed during the run: {victim}; nothing was reported"):
        run.finish(empty, {}, ROOT / "fixtures" / "dicom")
    assert not (tmp_path / "out").exists()


def test_a_tool_that_reads_nothing_others_read_fails_with_its_own_error(readers, export):
    program = readers / "tool_manifests" / "mute" / "checks" / "read.py"
    program.parent.mkdir(parents=True)
    program.write_text('import json\nprint(json.dumps({"_errors": {"import": "nonconformant arguments"}}))\n')
    write_manifest(readers, "mute", f"""\
        - id: read
          capability: read-rtdose
          program: checks/read.py
          command: [{json.dumps(sys.executable)}, "{{program}}", "{{fixture}}", "{{output}}"]
          judge: ["dose.max_gy", "plan.prescription_gy"]
        """)
    _, results = run_own(readers, export[0], *[a for t in ("alpha", "beta", "gamma", "mute") for a in ("--tool", t)])
    mute = next(c for c in results["sets"][0]["checks"] if c["tool"] == "mute")
    assert mute["status"] == "fail"
    assert mute["reason"] == ("reported none of the 2 quantities the export or the other tools give "
                              "[tool errors: import: nonconformant arguments]")


def test_a_set_label_that_names_no_set_is_refused_with_the_labels_found(readers, export, capsys):
    assert main(["run", "--data", str(export[0]), "--output", str(readers / "out"), "--set", "set-000000"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("rtcompat: error: no set labelled set-000000 in ") and "found: set-" in error
    _, results = run_own(readers, export[0], "--set", error.split("found: ")[1].split()[0], "--tool", "alpha")
    assert [(c["tool"], c["status"]) for c in results["sets"][0]["checks"]] == [("alpha", "pass")]  # the plan is its reference


def _scratch_of_this_process() -> list[Path]:
    import tempfile

    from harness import scratch

    return sorted(Path(tempfile.gettempdir()).glob(f"{scratch.PREFIX}{scratch.owner_tag()}-*"))


def test_a_truncated_dose_is_accounted_for_and_the_run_ends_cleanly(readers, export, tmp_path, capsys):
    data = tmp_path / "truncated"
    shutil.copytree(export[0], data)
    dose = next(data.rglob("RTDOSE.*.dcm"))
    dose.write_bytes(dose.read_bytes()[:-10240])
    _, results = run_own(readers, data, "--tool", "alpha")
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "INTERNALERROR" not in out.out + out.err
    assert results["index"]["truncated"] == 1
    assert any(line.startswith(f"{dose.name}: truncated: pixel data ") for line in results["index"]["accounts"])
    assert _scratch_of_this_process() == []


def test_a_failure_of_ours_while_staging_is_one_line_and_leaves_no_copy_of_the_data(readers, export, monkeypatch,
                                                                                     capsys):
    from harness.owndata import run as own_run

    def broken_stage(dataset, root):
        (root / dataset.label).mkdir(parents=True)
        (root / dataset.label / "RD.dcm").write_bytes(b"a copy of the patient's dose")
        raise ValueError("The number of bytes of pixel data is less than expected")

    monkeypatch.setattr(own_run, "stage", broken_stage)
    assert main(["run", "--data", str(export[0]), "--output", str(readers / "out"), "--tool", "alpha"]) == 1
    err = capsys.readouterr().err
    assert "preparing the data failed in the harness, not in any tool: ValueError: The number of bytes" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert _scratch_of_this_process() == []


def test_the_console_names_no_roi_of_the_patient(readers, export, capsys):
    program = readers / "tool_manifests" / "alpha" / "checks" / "read.py"
    program.write_text(program.read_text().replace(
        'print(json.dumps(observed))',
        'observed["_errors"] = {f"rtstruct_volume.{names[-1]}": f"Error: empty {names[-1]}"}\n'
        'print(json.dumps(observed))', 1))
    roi = str(pydicom.dcmread(next(export[0].rglob("RTSTRUCT.*.dcm"))).StructureSetROISequence[-1].ROIName)
    run_own(readers, export[0], "--tool", "alpha")
    out = capsys.readouterr().out
    assert "tool errors: rtstruct_volume.ROI-" in out and roi not in out


def test_a_vendor_reference_is_never_replaced_by_our_own_reading_of_the_contours(readers, export):
    """A tool whose structure volumes are our contour volumes without end caps, where the
    planning system's DVH states other volumes, is judged against the planning system."""
    from harness.owndata.contours import structure_volumes

    rs = next(export[0].rglob("RTSTRUCT.*.dcm"))
    ours = {name: found.no_end_caps_cc for name, found in structure_volumes(rs).items()}
    program = readers / "tool_manifests" / "capless" / "checks" / "read.py"
    program.parent.mkdir(parents=True)
    program.write_text("import json\nprint(json.dumps({" + ", ".join(
        f'"dvh.{name}.volume_cc": {value!r}' for name, value in ours.items()) + "}))\n")
    write_manifest(readers, "capless", f"""\
        - id: read
          capability: dvh
          program: checks/read.py
          command: [{json.dumps(sys.executable)}, "{{program}}", "{{fixture}}", "{{output}}"]
          judge: ["dvh.*.volume_cc"]
          conventions: {{no-end-caps: "a stand-in that integrates contours without end caps"}}
        """)
    _, results = run_own(readers, export[0], "--tool", "capless")
    verdicts = [v for c in results["sets"][0]["checks"] if c["tool"] == "capless" for v in c["verdicts"]]
    vendor = [v for v in verdicts if v["source"] == "vendor"]
    assert vendor and all(v["convention"] is None for v in vendor)
    missed = [v for v in vendor if abs(v["observed"] - v["reference"]) > max(0.1, 0.03 * v["reference"])]
    assert missed and not any(v["passed"] for v in missed)


def test_a_plan_without_preamble_is_staged_read_and_judged(readers, export, tmp_path):
    data = tmp_path / "no-preamble"
    shutil.copytree(export[0], data)
    plan_path = next(data.rglob("RTPLAN.*.dcm"))
    plan = pydicom.dcmread(plan_path)
    plan.preamble = None
    del plan.file_meta
    plan.save_as(plan_path, enforce_file_format=False)
    program = readers / "tool_manifests" / "alpha" / "checks" / "read.py"  # a reader that accepts such files
    program.write_text(program.read_text().replace("pydicom.dcmread(fixture / name)",
                                                   "pydicom.dcmread(fixture / name, force=True)"))
    _, results = run_own(readers, data, "--tool", "alpha")
    (data_set,) = results["sets"]
    assert "read-rtplan" in data_set["probes"]
    assert any(v["key"] == "plan.prescription_gy" for v in data_set["vendor"])
    (alpha,) = [c for c in data_set["checks"] if c["tool"] == "alpha"]
    assert any(v["key"] == "plan.prescription_gy" and v["passed"] for v in alpha["verdicts"])
    assert any("no DICOM preamble" in line for line in results["index"]["accounts"])
