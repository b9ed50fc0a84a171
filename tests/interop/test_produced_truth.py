"""What a set a producer wrote must read as: the phantom's values, with each tolerance
widened by exactly what the producer's representation may lose, and nothing judged that
is the producer's to choose."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from harness.interop.truth import contour_band_voxels, produced_truth, widened
from harness.paths import fixtures_dir

REFERENCE = json.loads((fixtures_dir() / "reference" / "truth.json").read_text())


def test_the_band_of_a_square_is_what_picks_theorem_leaves_out():
    # a 3 x 3 square: the polygon through its boundary pixels' centres encloses 2 x 2 pixels
    mask = np.zeros((1, 7, 7), dtype=bool)
    mask[0, 2:5, 2:5] = True
    assert contour_band_voxels(mask) == 9 - 4


def test_the_band_counts_every_region_of_a_slice_and_every_slice():
    mask = np.zeros((2, 9, 9), dtype=bool)
    mask[0, 1:4, 1:4] = True
    mask[0, 5:8, 5:8] = True  # a second region on the same slice
    mask[1, 1:4, 1:4] = True
    assert contour_band_voxels(mask) == 3 * 5


def test_a_widened_tolerance_adds_to_the_derived_one_and_to_every_convention():
    quantity = {"value": 10.0, "tolerance": {"rel": 0.01}, "unit": "cm3", "method": "derived",
                "conventions": {"no-end-caps": {"value": 9.0, "tolerance": {"abs": 0.2}}}}
    out = widened(quantity, 0.5, "the band")
    assert out["tolerance"] == {"abs": pytest.approx(0.6)}
    assert out["conventions"]["no-end-caps"]["tolerance"] == {"abs": pytest.approx(0.7)}
    assert out["method"].startswith("derived; plus 0.5 cm3 for the band")
    assert quantity["tolerance"] == {"rel": 0.01}  # the reference's truth is not touched


def _masks():
    from harness.interop.inputs import masks
    from harness.power.reader import LoadedSet, Reader

    data = LoadedSet.read(fixtures_dir() / "reference")
    reader = Reader(data)
    return masks(data, reader, reader.ct_grid()[0])


@pytest.fixture(scope="module")
def structure_truth():
    return produced_truth(REFERENCE, "rtstruct", masks=_masks(), voxel_mm=(1.25, 1.0, 2.0),
                          gradient_gy_per_mm=(0.3, -0.2, 0.5))


def test_a_structure_set_from_masks_judges_volumes_and_doses_not_the_producers_choices(structure_truth):
    keys = set(structure_truth["quantities"])
    assert "rtstruct.roi.Sphere.volume_cc" in keys and "dvh.Sphere.mean_gy" in keys
    assert "rtstruct.roi_count" in keys
    for chosen in ("rtstruct.roi_names", "rtstruct.roi.Sphere.number", "rtstruct.roi.Sphere.type",
                   "rtstruct.roi.Sphere.contour_count", "dvh.Sphere.V67gy_pct", "dose.max_gy", "ct.rows"):
        assert chosen not in keys
    assert structure_truth["probes"] == ["read-rtstruct", "dvh"]


def test_a_volume_keeps_the_phantoms_value_with_the_masks_error_and_the_contour_band(structure_truth):
    sphere = structure_truth["quantities"]["rtstruct.roi.Sphere.volume_cc"]
    reference = REFERENCE["quantities"]["rtstruct.roi.Sphere.volume_cc"]
    assert sphere["value"] == reference["value"]
    mask = _masks()["Sphere"]
    expected = (reference["tolerance"]["rel"] * reference["value"] + abs(mask.sum() * 0.0025 - reference["value"])
                + contour_band_voxels(mask) * 0.0025)
    assert sphere["tolerance"]["abs"] == pytest.approx(expected, abs=1e-5)
    assert "half the boundary pixels" in sphere["method"]


def test_a_dose_a_dvh_reports_gets_the_gradient_times_the_pixel_diagonal(structure_truth):
    mean = structure_truth["quantities"]["dvh.Sphere.mean_gy"]
    room = math.hypot(0.3, 0.2) * math.hypot(1.25, 1.0)
    assert mean["tolerance"]["abs"] == pytest.approx(REFERENCE["quantities"]["dvh.Sphere.mean_gy"]["tolerance"]["abs"]
                                                     + room, abs=1e-5)


def test_a_dose_from_an_array_allows_a_faithful_16_bit_storage_and_nothing_more():
    truth = produced_truth(REFERENCE, "rtdose", dose_max_gy=136.05)
    quantities = truth["quantities"]
    delta = 136.05 / (2 * 65535)
    assert quantities["dose.at.sphere_centre_gy"]["tolerance"]["abs"] == pytest.approx(0.01 + delta, abs=1e-7)
    assert quantities["dose.origin_mm"]["tolerance"] == REFERENCE["quantities"]["dose.origin_mm"]["tolerance"]
    for chosen in ("dose.scaling", "dose.type", "dose.bits_allocated", "dose.grid_frame_offsets_mm",
                   "dose.summation_type", "rtstruct.roi_count"):
        assert chosen not in quantities
    v = quantities["dvh.Sphere.V67gy_pct"]
    assert v["tolerance"]["abs"] > REFERENCE["quantities"]["dvh.Sphere.V67gy_pct"]["tolerance"]["abs"]
    assert truth["probes"] == ["read-rtdose", "dvh"]


def test_a_ct_series_is_judged_on_geometry_and_hu_only():
    quantities = produced_truth(REFERENCE, "ct")["quantities"]
    assert "ct.hu.bone_insert" in quantities and "ct.origin_mm" in quantities
    assert not any(k.startswith(("set.", "dose.", "rtstruct.", "dvh.")) for k in quantities)
    assert "ct.frame_of_reference_uid" not in quantities
