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
