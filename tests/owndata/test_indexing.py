"""Indexing an export into sets: by UID references, never by file names; every oddity a
note, nothing fatal, nothing skipped silently; labels that name no patient."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
import pytest
from export import IDENTIFYING, make_export

from harness.cli import main
from harness.owndata.grouping import group
from harness.owndata.index import index_directory


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("export")
    make_export("reference", target)
    return target


def files_of(root: Path, modality: str) -> list[Path]:
    return sorted(p for p in root.rglob("*.dcm") if p.name.startswith(modality + "."))


def test_a_whole_export_is_one_set_probing_every_capability(export):
    index = index_directory(export)
    (dataset,) = group(index).sets
    assert dataset.describe() == "CT (60 slices), RT Structure Set (5 ROIs), RT Plan, RT Dose (PLAN, 4 DVHs)"
    assert dataset.probes == ("read-ct", "read-rtstruct", "read-rtplan", "read-rtdose", "dvh")
    assert dataset.notes == ()
    assert index.not_dicom == [next(export.rglob("export-log.txt"))]
    heights = [s.position[2] for s in dataset.ct]
    assert heights == sorted(heights)


def test_the_label_comes_from_uids_not_from_names_or_places(export, tmp_path):
    moved = tmp_path / "elsewhere" / "renamed"
    shutil.copytree(export, moved)
    for number, path in enumerate(sorted(moved.rglob("*.dcm"))):
        path.rename(path.with_name(f"{number:05d}.bin"))
    assert [s.label for s in group(index_directory(moved)).sets] == [s.label for s in group(index_directory(export)).sets]
    label = group(index_directory(export)).sets[0].label
    assert label.startswith("set-") and not any(v.casefold() in label.casefold() for v in IDENTIFYING)


def test_every_oddity_of_a_messy_directory_is_a_note(export, tmp_path):
    messy = tmp_path / "messy"
    shutil.copytree(export, messy)
    ct = files_of(messy, "CT")
    ct[30].unlink()                                                # a slice lost in transfer
    (messy / "notes.pdf").write_bytes(b"%PDF-1.4 not dicom")       # a file that is not DICOM
    truncated = messy / "broken.dcm"
    truncated.write_bytes(ct[0].read_bytes()[:400])               # a DICOM file cut short
    shutil.copyfile(ct[1], messy / "copy-of-a-slice.dcm")          # the same instance twice
    dose = pydicom.dcmread(files_of(messy, "RTDOSE")[0])
    dose.SOPInstanceUID = "1.2.826.0.1.3680043.10.5432.9001"      # a second dose of the plan
    dose.DoseSummationType = "BEAM"
    dose.save_as(messy / "beam-dose.dcm")
    orphan = pydicom.dcmread(files_of(messy, "RTDOSE")[0])
    orphan.SOPInstanceUID = "1.2.826.0.1.3680043.10.5432.9002"    # a dose of a plan not exported
    orphan.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.10.5432.9999"
    orphan.save_as(messy / "orphan-dose.dcm")
    redrawn = pydicom.dcmread(files_of(messy, "RTSTRUCT")[0])
    redrawn.SOPInstanceUID = "1.2.826.0.1.3680043.10.5432.9003"   # contours in another frame of reference
    redrawn.FrameOfReferenceUID = "1.2.826.0.1.3680043.10.5432.9004"
    redrawn.save_as(messy / "redrawn.dcm")

    index = index_directory(messy)
    assert sorted(p.name for p in index.not_dicom) == ["export-log.txt", "notes.pdf"]
    assert [p.name for p, _ in index.unreadable] == ["broken.dcm"]
    assert len(index.duplicates) == 1
    notes = {s.label: s.notes for s in group(index).sets}
    assert len(notes) == 4
    everything = " | ".join(n for ns in notes.values() for n in ns)
    for expected in ("partial series: 1 gap(s) between CT slices", "its plan has 2 doses (BEAM, PLAN)",
                     "the referenced RT Plan is not in the directory (dangling reference)",
                     "mixed frames of reference", "the structure set lists 60 CT images, 1 of them are not in"):
        assert expected in everything, expected

    assert main(["data", "inspect", str(messy)]) == 0


def test_inspect_names_no_patient_unless_asked_for_paths(export, capsys):
    assert main(["data", "inspect", str(export)]) == 0
    shown = capsys.readouterr().out
    assert "set-" in shown and "probes: read-ct, read-rtstruct, read-rtplan, read-rtdose, dvh" in shown
    hidden = shown.replace(str(export), "")
    assert not [v for v in IDENTIFYING if v.casefold() in hidden.casefold()]


def test_a_missing_directory_is_one_line(tmp_path, capsys):
    assert main(["data", "inspect", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().err.strip() == f"rtcompat: error: {tmp_path / 'nowhere'}: no such directory"


def _copy(export: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(export, target)
    return target


def test_a_file_without_preamble_and_file_meta_is_read_and_said(export, tmp_path):
    data = _copy(export, tmp_path)
    plan_path = files_of(data, "RTPLAN")[0]
    plan = pydicom.dcmread(plan_path)
    plan.preamble = None
    del plan.file_meta
    plan.save_as(plan_path, enforce_file_format=False)  # as some planning systems write RT Plans
    assert plan_path.read_bytes()[128:132] != b"DICM"
    index = index_directory(data)
    (dataset,) = group(index).sets
    assert dataset.plan is not None and dataset.plan.path == plan_path.resolve()
    assert index.accounts() == [f"{next(data.rglob('export-log.txt')).name}: not DICOM",
                                f"{plan_path.name}: no DICOM preamble or file meta information; read all the same"]


def test_duplicates_are_told_apart_by_content_and_the_used_one_is_named(export, tmp_path):
    data = _copy(export, tmp_path)
    ct = files_of(data, "CT")[0]
    later = data / "zzz-later"  # walked after the export's own directories
    later.mkdir()
    shutil.copyfile(ct, later / "same.dcm")
    other = pydicom.dcmread(ct)
    other.InstanceNumber = 999
    other.save_as(later / "other.dcm")
    index = index_directory(data)
    assert f"same.dcm: duplicate of {ct.name} (same SOP Instance UID, same bytes)" in index.accounts()
    assert f"other.dcm: same SOP Instance UID as {ct.name} but other content; that one was used" in index.accounts()
    assert index.file_count == sum(1 for p in data.rglob("*") if p.is_file())


@pytest.mark.parametrize("modality", ["RTDOSE", "CT"])
def test_a_file_whose_pixel_data_is_cut_short_is_truncated_and_left_out(export, tmp_path, modality):
    data = _copy(export, tmp_path)
    victim = files_of(data, modality)[0]
    victim.write_bytes(victim.read_bytes()[:-1000])
    index = index_directory(data)
    assert [p for p, _ in index.truncated] == [victim]
    (line,) = [a for a in index.accounts() if "truncated" in a]
    assert line.startswith(f"{victim.name}: truncated: pixel data ") and line.endswith("; left out")
    assert victim.resolve() not in {i.path for i in index.instances}


@pytest.mark.parametrize("with_structures", [True, False])
def test_the_body_probe_is_found_in_the_data_not_assumed_at_the_image_centre(tmp_path, with_structures):
    import json

    import numpy as np

    from harness.owndata.stage import derive_points

    source = Path(__file__).resolve().parents[2] / "fixtures" / "dicom" / "reference"
    for path in source.glob("*.dcm"):
        if with_structures or path.name != "RS.dcm":
            shutil.copyfile(path, tmp_path / path.name)
    found = derive_points(tmp_path)["body_interior"]
    body = json.loads((source / "points.json").read_text())["body_interior"]["centre"]  # the generator's own
    assert np.hypot(found["centre"][0] - body[0], found["centre"][1] - body[1]) < 5.0
    assert found["from"] == ("the body outline's contour on the middle CT slice" if with_structures else
                             "the centroid of the middle CT slice's tissue voxels (above -300 HU)")
    image_centre = derive_points(tmp_path)["ct"]["centre_voxel"]
    assert found["centre"] != image_centre
