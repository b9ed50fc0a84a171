"""The method section is read from the fixture set itself, and a set it cannot fully
read still gets a section that says what is missing."""

from __future__ import annotations

import json

from harness.fixtures import fixture_set_checksum
from harness.paths import fixtures_dir
from harness.report.method import fixture_method


def test_the_reference_set_is_described_from_its_own_files():
    root = fixtures_dir()
    method = fixture_method(root, "reference")
    assert method.problems == []
    assert method.checksum == fixture_set_checksum(root / "reference")
    facts = dict(method.facts)
    assert facts["patient position"] == "HFS"
    assert "Explicit VR Little Endian" in facts["transfer syntax"]
    assert "DoseGridScaling" in facts["RT Dose"]
    families = {row.family: row for row in method.tolerances}
    truth = json.loads((root / "reference" / "truth.json").read_text())["quantities"]
    volumes = [k for k in truth if k.endswith(".volume_cc")]
    assert families["structure volumes"].count == len(volumes)
    assert families["structure volumes"].example.startswith(volumes[0] + ": largest deviation")
    assert families["DVH volumes (Vx)"].unit == "percentage points"
    assert {name for name, *_ in method.volume_rows} == {k.split(".")[2] for k in volumes}
    assert method.figure.startswith("<svg") and "Sphere" in method.figure


def test_a_set_with_odd_files_gets_what_can_be_said_and_the_problems(tmp_path):
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "truth.json").write_text(json.dumps({"description": "odd", "quantities": {"ct.rows": 3}}))
    (odd / "data.dcm").write_bytes(b"\x00" * 128 + b"DICM" + b"\x00" * 64)
    method = fixture_method(tmp_path, "odd")
    assert method.description == "odd" and method.facts == [] and method.figure == ""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "truth.json").write_text("[1, 2")
    assert fixture_method(tmp_path, "broken").problems[0].startswith(str(broken / "truth.json"))


def test_contour_coordinates_read_from_the_bytes_are_pydicoms_numbers():
    import pydicom

    from harness.report.method import _contour_numbers

    rs = pydicom.dcmread(next((fixtures_dir() / "reference").glob("RS*.dcm")))
    contours = [c for roi in rs.ROIContourSequence for c in roi.ContourSequence]
    fast = [_contour_numbers(c) for c in contours]  # before pydicom converts anything
    assert fast == [[float(v) for v in c.ContourData] for c in contours]
    assert _contour_numbers(contours[0]) == fast[0]  # and once converted, the same
    assert _contour_numbers(pydicom.Dataset()) == []
