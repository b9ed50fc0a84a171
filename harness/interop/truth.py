"""What a set made by a producer must read as: the reference phantom's analytic truth,
with each tolerance widened by exactly what the producer's representation may lose.

A consumer reading a produced object is judged end to end, against the phantom, not
against the producer's bytes: a user exchanging files wants the phantom back. The room
added to each derived tolerance is a bound, stated in each quantity's ``method``:

- **RT Structure Set from masks.** A producer is given each structure as a mask on the
  CT grid (CT pixel centres inside the reference contour, :mod:`.inputs`). A faithful
  contour of a mask lies between the polygon through its boundary pixels' centres and
  the polygon along its pixels' outer edges; by Pick's theorem the first encloses
  ``B/2 + 1`` pixels less than the mask per connected region (B: the mask's boundary
  pixels), the second exactly the mask. So a volume may be off by the mask's own
  rasterisation error (known exactly: the mask is ours) plus that band; a dose a DVH
  reports, by the dose gradient times the in-plane pixel diagonal (how far such a
  contour can lie from the solid's surface). Volume fractions at a dose (V-values) have
  no useful bound at this resolution and are not judged; neither are ROI numbers, types,
  contour counts or the names' order, which are the producer's to choose.
- **RT Dose from a dose array.** The producer stores the given float doses as integers
  times DoseGridScaling: a faithful 16-bit encoding of the grid's maximum is within
  ``max / (2 x 65535)``, a 32-bit one far closer; every dose value gets that room, and a
  V-value that room times the steepest slope of its analytic DVH curve. The scaling,
  bit depth, frame offset style (relative or absolute) and summation type are the
  producer's choice and not judged.
- **CT series.** Geometry and HU are judged as in the reference set (HU are integers in
  both); UIDs and the frame of reference are new in a series a tool writes.
"""

from __future__ import annotations

import copy
import fnmatch
import math

import numpy as np
import SimpleITK as sitk

#: What each produced object's set judges, by truth key pattern (everything else of the
#: reference is dropped: it is the producer's choice or another object's).
JUDGED = {
    "rtstruct": ("rtstruct.roi_count", "rtstruct.roi.*.volume_cc", "dvh.*.min_gy", "dvh.*.max_gy",
                 "dvh.*.mean_gy", "dvh.*.D*_gy", "set.patient_id"),
    "rtdose": ("dose.rows", "dose.columns", "dose.frames", "dose.pixel_spacing_mm", "dose.frame_spacing_mm",
               "dose.origin_mm", "dose.orientation", "dose.size_voxels", "dose.units", "dose.max_gy", "dose.min_gy",
               "dose.at.*", "dvh.*"),
    "ct": ("ct.image_count", "ct.rows", "ct.columns", "ct.pixel_spacing_mm", "ct.slice_spacing_mm", "ct.origin_mm",
           "ct.orientation", "ct.size_voxels", "ct.patient_position", "ct.hu.*"),
}
#: The capabilities a produced set probes: the object's reader, and DVHs where they depend on it.
PROBES = {"rtstruct": ["read-rtstruct", "dvh"], "rtdose": ["read-rtdose", "dvh"], "ct": ["read-ct"]}
#: Quantities that are never judged on a produced set even where a pattern above matches.
NOT_JUDGED = ("rtstruct.roi.*.volume_cc_analytic", "dvh.*.volume_cc")


def _judged(kind: str, key: str) -> bool:
    return (any(fnmatch.fnmatchcase(key, p) for p in JUDGED[kind])
            and not any(fnmatch.fnmatchcase(key, p) for p in NOT_JUDGED))


def _as_abs(tolerance: dict, value) -> float:
    bounds = [tolerance.get("abs")]
    if tolerance.get("rel") is not None and isinstance(value, (int, float)):
        bounds.append(tolerance["rel"] * abs(value))
    bounds = [b for b in bounds if b is not None]
    return max(bounds) if bounds else 0.0


def widened(quantity: dict, extra: float, why: str, digits: int = 6) -> dict:
    """The quantity with ``extra`` added to its tolerance (and every convention's)."""
    out = copy.deepcopy(quantity)
    base = _as_abs(out["tolerance"], out["value"])
    out["tolerance"] = {"abs": round(base + extra, digits)}
    out["method"] = (f"{out.get('method', 'as the reference set')}; plus {extra:.{min(digits, 4)}g} "
                     f"{out.get('unit', '')}".rstrip() + f" for {why}")
    out.pop("derivation", None)
    for convention in (out.get("conventions") or {}).values():
        if isinstance(convention, dict) and "tolerance" in convention:
            cbase = _as_abs(convention["tolerance"], convention.get("value"))
            convention["tolerance"] = {"abs": round(cbase + extra, digits)}
    return out


def contour_band_voxels(mask: np.ndarray) -> int:
    """Pixels a faithful contour of ``mask`` may leave out, over all slices: per connected
    region of a slice, half its boundary pixels plus one (Pick's theorem for the polygon
    through the boundary pixels' centres; the outer-edge polygon leaves out none)."""
    total = 0
    for plane in mask:
        if not plane.any():
            continue
        padded = np.pad(plane, 1)
        inner = (padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1]
                 & padded[1:-1, :-2] & padded[1:-1, 2:])
        boundary = int((plane & ~inner).sum())
        labelled = sitk.ConnectedComponent(sitk.GetImageFromArray(plane.astype(np.uint8)), True)
        regions = int(sitk.GetArrayFromImage(labelled).max())  # a copy: a view dies with its image
        total += boundary // 2 + (boundary % 2) + regions
    return total


def _curve_slope(curve) -> float:
    """Steepest slope of an analytic cumulative DVH curve, in percentage points per Gy."""
    points = np.asarray(curve, dtype=float)
    if len(points) < 2:
        return 0.0
    steps = np.diff(points[:, 0])
    rises = np.abs(np.diff(points[:, 1]))
    ok = steps > 0
    return float((rises[ok] / steps[ok]).max()) if ok.any() else 0.0


def produced_truth(reference: dict, kind: str, *, masks: dict[str, np.ndarray] | None = None,
                   voxel_mm: tuple[float, float, float] | None = None, gradient_gy_per_mm: tuple | None = None,
                   dose_max_gy: float | None = None) -> dict:
    """The truth document of a set whose ``kind`` object a producer wrote, from the
    reference truth document (its analytic values) and the producer inputs."""
    truth = copy.deepcopy(reference)
    quantities = {}
    curves = reference.get("curves", {})
    if kind == "rtstruct":
        dx, dy, dz = voxel_mm
        voxel_cc = dx * dy * dz / 1000.0
        gx, gy = gradient_gy_per_mm[0], gradient_gy_per_mm[1]
        dose_room = math.hypot(gx, gy) * math.hypot(dx, dy)
    delta = (dose_max_gy or 0.0) / (2 * 65535)
    for key, quantity in reference["quantities"].items():
        if not _judged(kind, key):
            continue
        if kind == "rtstruct" and key.startswith("rtstruct.roi.") and key.endswith(".volume_cc"):
            name = key[len("rtstruct.roi."):-len(".volume_cc")]
            if name not in masks:
                continue
            mask = masks[name]
            mask_cc = float(mask.sum()) * voxel_cc
            band_cc = contour_band_voxels(mask) * voxel_cc
            rasterised = abs(mask_cc - float(quantity["value"]))
            quantity = widened(quantity, rasterised + band_cc,
                               f"the mask the producer was given ({mask_cc:.4f} cm3, {rasterised:.4f} from this value) "
                               f"and the band a faithful contour of it may leave out ({band_cc:.4f} cm3: half the "
                               f"boundary pixels plus one per region and slice)")
        elif kind == "rtstruct" and key.startswith("dvh."):
            name = key.split(".")[1]
            if name not in masks:
                continue
            quantity = widened(quantity, dose_room, f"a contour drawn from the mask lying up to one in-plane pixel "
                                                    f"diagonal ({math.hypot(dx, dy):.3f} mm) from the solid's "
                                                    f"surface in a gradient of {math.hypot(gx, gy):.3f} Gy/mm")
        elif kind == "rtdose" and (key.startswith("dose.at.") or key in ("dose.max_gy", "dose.min_gy")
                                   or (key.startswith("dvh.") and key.endswith("_gy"))):
            quantity = widened(quantity, delta, f"a faithful 16-bit storage of doses up to {dose_max_gy:g} Gy "
                                                f"(half of max / 65535)", digits=7)
        elif kind == "rtdose" and key.startswith("dvh.") and key.endswith("_pct"):
            name = key.split(".")[1]
            slope = _curve_slope(curves.get(name, []))
            quantity = widened(quantity, delta * slope, f"{delta:.2g} Gy of storage error on a DVH curve rising at "
                                                        f"most {slope:.3g} percentage points per Gy", digits=7)
        quantities[key] = quantity
    truth["quantities"] = quantities
    truth["probes"] = PROBES[kind]
    if kind == "ct":  # a CT series alone has no DVH to draw
        truth.pop("curves", None)
    return truth
