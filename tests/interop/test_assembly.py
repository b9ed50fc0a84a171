"""A producer's object becomes a set of its own, validated and read by the reference
reader: a faithful object holds the phantom, and the bugs users report of writers (a
mirror, exchanged pixel spacings, another frame of reference, decimal strings past 16
characters) are each found and named."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest

from harness.interop.produce import Producing, _assemble
from harness.judging.judge import load_truth
from harness.manifest import Producer
from harness.paths import fixtures_dir
from harness.results import ProductionRecord

REFERENCE = fixtures_dir() / "reference"


@pytest.fixture(scope="module")
def where(tmp_path_factory):
    root = tmp_path_factory.mktemp("interop")
    return Producing(REFERENCE, root / "work", root / "sets", root / "cache")


class Writer:
    """A stand-in manifest: only its key, path name and name reach the set."""

    key = id = name = path_name = "writer"


def assemble(where: Producing, tmp_path: Path, kind: str, files: dict[str, pydicom.Dataset | Path]):
    produced = tmp_path / "files"
    produced.mkdir(exist_ok=True)
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, produced / name)
        else:
            content.save_as(produced / name, enforce_file_format=False)
    producer = Producer(id=f"write-{kind}", object=kind, program="p.py")
    record = ProductionRecord(tool="writer", producer=producer.id, object=kind, status="pass", reason="wrote",
                              files=sorted(files))
    return _assemble(Writer(), producer, record, produced, where)


def edited_structures(edit) -> pydicom.Dataset:
    ds = pydicom.dcmread(REFERENCE / "RS.dcm")
    for roi in ds.ROIContourSequence:
        for contour in roi.ContourSequence:
            points = np.array([float(v) for v in contour.ContourData]).reshape(-1, 3)
            contour.ContourData = [f"{v:.6g}" for v in edit(points).ravel()]
    return ds


def test_a_producer_keeps_only_its_object_of_what_the_export_wrote(tmp_path):
    from harness.interop.produce import _of_kind

    shutil.copyfile(REFERENCE / "RS.dcm", tmp_path / "RTstruct.dcm")
    for path in sorted(REFERENCE.glob("CT_1*.dcm")):
        shutil.copyfile(path, tmp_path / f"ct_slice_{path.name}")
    mine, other = _of_kind(tmp_path, "rtstruct")
    assert [p.name for p in mine] == ["RTstruct.dcm"] and len(other) == 11
    mine, other = _of_kind(tmp_path, "ct")
    assert len(mine) == 11 and other == ["RTstruct.dcm"]


def test_a_faithful_structure_set_holds_the_phantom_and_its_set_replaces_only_that_object(where, tmp_path):
    record = assemble(where, tmp_path, "rtstruct", {"RS_written.dcm": REFERENCE / "RS.dcm"})
    assert record.status == "pass", record.reason
    assert record.fidelity["failed"] == [] and record.fidelity["judged"] > 30
    assert record.validation["valid"]
    made = where.sets_root / record.fixture
    # stored under the set's own name: the check programs find objects by name, a tool's naming is no
    # part of its object
    assert (made / "RS.dcm").is_file() and not (made / "RS_written.dcm").exists()
    assert pydicom.dcmread(made / "RS.dcm").SOPInstanceUID == pydicom.dcmread(REFERENCE / "RS.dcm").SOPInstanceUID
    assert (made / "RD.dcm").is_file() and (made / "points.json").is_file()
    assert record.fixture == "by-writer-write-rtstruct"
    assert load_truth(made)["rtstruct.roi.Sphere.volume_cc"].value == pytest.approx(7.248378)


def test_a_mirrored_structure_set_is_unfaithful(where, tmp_path):
    def mirror(points):
        points[:, 0] = -points[:, 0]
        return points

    record = assemble(where, tmp_path, "rtstruct", {"RS.dcm": edited_structures(mirror)})
    assert record.status == "fail" and "unfaithful" in record.reason
    assert "dvh.Sphere.mean_gy" in record.fidelity["failed"]


def test_exchanged_in_plane_spacings_keep_the_volumes_and_are_still_caught(where, tmp_path):
    # rt-utils#92, pyCERR: x stepped by the row spacing, y by the column spacing
    origin = np.array([-73.75, -66.5])

    def exchanged(points):
        index = (points[:, :2] - origin) / np.array([1.25, 1.0])
        points[:, :2] = origin + index * np.array([1.0, 1.25])
        return points

    record = assemble(where, tmp_path, "rtstruct", {"RS.dcm": edited_structures(exchanged)})
    assert record.status == "fail"
    assert not any(k.endswith("volume_cc") for k in record.fidelity["failed"])
    assert any(k.startswith("dvh.") for k in record.fidelity["failed"])


def test_a_structure_set_in_another_frame_of_reference_is_invalid(where, tmp_path):
    ds = pydicom.dcmread(REFERENCE / "RS.dcm")
    ds.ReferencedFrameOfReferenceSequence[0].FrameOfReferenceUID = "2.25.1"
    record = assemble(where, tmp_path, "rtstruct", {"RS.dcm": ds})
    assert record.status == "fail"
    assert any("not the CT's frame of reference" in p for p in record.validation["structural"])


def test_decimal_strings_longer_than_16_characters_are_named(where, tmp_path):
    ds = edited_structures(lambda points: points)
    contour = ds.ROIContourSequence[1].ContourSequence[0]
    values = [f"{float(v):.15f}" for v in contour.ContourData]
    contour["ContourData"].value = values
    record = assemble(where, tmp_path, "rtstruct", {"RS.dcm": ds})
    assert record.status == "fail"
    assert any("longer than 16 characters" in p and "ContourData" in p for p in record.validation["structural"])


def test_a_faithful_dose_holds_the_phantom(where, tmp_path):
    record = assemble(where, tmp_path, "rtdose", {"RD.dcm": REFERENCE / "RD.dcm"})
    assert record.status == "pass", record.reason
    assert "16-bit copy" in record.validation["note"] or shutil.which("dciodvfy") is None


def test_a_dose_stored_16_bit_is_as_faithful_as_the_bound_allows(where, tmp_path):
    ds = pydicom.dcmread(REFERENCE / "RD.dcm")
    gy = ds.pixel_array.astype(float) * float(ds.DoseGridScaling)
    scaling = gy.max() / 65535
    ds.PixelData = np.round(gy / scaling).astype("<u2").tobytes()
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.DoseGridScaling = f"{scaling:.10g}"
    record = assemble(where, tmp_path, "rtdose", {"RD.dcm": ds})
    assert record.fidelity["failed"] == [], record.fidelity["messages"]


def test_a_dose_with_its_pixel_spacing_exchanged_is_unfaithful(where, tmp_path):
    ds = pydicom.dcmread(REFERENCE / "RD.dcm")
    ds.PixelSpacing = [ds.PixelSpacing[1], ds.PixelSpacing[0]]
    record = assemble(where, tmp_path, "rtdose", {"RD.dcm": ds})
    assert record.status == "fail"
    assert "dose.pixel_spacing_mm" in record.fidelity["failed"]
    assert "dose.at.sphere_centre_gy" in record.fidelity["failed"]


def test_a_ct_series_stands_alone_in_its_set_under_the_sets_names(where, tmp_path):
    files = {f"slice_{p.name}": p for p in sorted(REFERENCE.glob("CT_*.dcm"))}
    record = assemble(where, tmp_path, "ct", files)
    assert record.status == "pass", record.reason
    made = sorted(p.name for p in (where.sets_root / record.fixture).iterdir())
    assert not any(name.startswith(("RS", "RD", "RP")) for name in made)
    assert sum(name.startswith("CT_") for name in made) == 60


def test_a_producer_that_wrote_nothing_of_its_kind_is_failed_with_what_it_said():
    from harness.interop.produce import _said

    assert _said('noise\n{"wrote": [], "_errors": {"rtstruct": "not written: skipped under Octave"}}\n') == \
        "rtstruct: not written: skipped under Octave"
    assert _said("not json") == "" and _said("") == ""
