"""A set of a user's export laid out the way check programs read a fixture set.

The files are copied (never moved, never opened for writing) under the names every
check program knows (``CT_001.dcm`` ... in slice order, ``RS.dcm``, ``RP.dcm``,
``RD.dcm``), beside a ``points.json`` whose probe points come from the data itself: CT
voxel centres, the dose grid's hottest voxel and its centre, each structure's centroid.
A voxel centre is where every correct reader must agree exactly; a centroid between
voxels is where their interpolation shows. ``truth.json`` lists what the set probes and
holds no quantities: own data has no analytic truth, and its reference values are kept
away from the check.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pydicom

from harness.owndata.grouping import DataSet
from harness.owndata.index import READ_ERRORS
from harness.redact import head

#: At most this many structures get a centroid probe point (a plan with 80 ROIs would
#: otherwise ask every tool for 80 interpolations).
MAX_CENTROIDS = 20
#: The ball over which the CT's mean HU is taken around the centre voxel.
BODY_RADIUS_MM = 10.0
STAGED_FILES = ("RS.dcm", "RP.dcm", "RD.dcm")


def stage(dataset: DataSet, root: Path) -> Path:
    """Write ``root/<label>/`` for ``dataset``; returns that directory."""
    directory = root / dataset.label
    directory.mkdir(parents=True)
    width = max(3, len(str(len(dataset.ct))))
    for number, ct in enumerate(dataset.ct, start=1):
        shutil.copyfile(ct.path, directory / f"CT_{number:0{width}d}.dcm")
    for instance, name in zip((dataset.structure_set, dataset.plan, dataset.dose), STAGED_FILES):
        if instance is not None:
            shutil.copyfile(instance.path, directory / name)
    points = derive_points(directory)
    (directory / "points.json").write_text(json.dumps(points, indent=2, sort_keys=True) + "\n")
    truth = {"schema_version": 2, "set": dataset.label, "own_data": True, "probes": list(dataset.probes),
             "description": dataset.describe(), "notes": list(dataset.notes), "quantities": {}}
    (directory / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    return directory


def derive_points(directory: Path) -> dict:
    """Probe points from the staged files: where to measure, never what to find."""
    points: dict = {"units": "mm, DICOM patient coordinates (LPS); Gy; percent of the structure's volume",
                    "derived_from": "the data: CT and dose voxel centres, structure centroids"}
    slices = sorted(directory.glob("CT_*.dcm"))
    dose_path = directory / "RD.dcm"
    rs_path = directory / "RS.dcm"
    problems = []
    if slices:
        try:
            points.update(_ct_points(slices, rs_path if rs_path.is_file() else None))
        except READ_ERRORS as exc:
            problems.append(f"CT probe points not derived: {type(exc).__name__}: {_short(exc)}")
    if dose_path.is_file():
        try:
            points["dose"] = _dose_points(dose_path, rs_path if rs_path.is_file() else None)
        except READ_ERRORS as exc:  # the checks then have no dose points: n/a, not a crash of ours
            problems.append(f"dose probe points not derived: {type(exc).__name__}: {_short(exc)}")
            return {**points, "problems": problems}
        levels = _dose_levels(directory / "RP.dcm", points["dose"].pop("_max_gy", None))
        if rs_path.is_file() and levels:
            names = [str(r.ROIName) for r in pydicom.dcmread(rs_path, stop_before_pixels=True, force=True)
                     .get("StructureSetROISequence") or []]
            points["dvh"] = {"dose_levels_gy": {name: levels for name in names},
                             "volume_levels_pct": [99, 95, 50, 5, 1], "volume_levels_cc": [0.03],
                             "keys": "dvh.<ROI>.V<level>gy_pct, dvh.<ROI>.D<pct>_gy, dvh.<ROI>.D<cc>cc_gy"}
    if problems:
        points["problems"] = problems
    return points


def _short(exc: Exception) -> str:
    return head(" ".join(str(exc).split()), 200)


def _geometry(ds) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float]]:
    """Origin, row direction (along a row: columns increase), column direction, spacing
    (between rows, between columns)."""
    orientation = [float(v) for v in ds.ImageOrientationPatient]
    spacing = [float(v) for v in ds.PixelSpacing]
    return (np.array([float(v) for v in ds.ImagePositionPatient]), np.array(orientation[:3]),
            np.array(orientation[3:]), (spacing[0], spacing[1]))


def _voxel(origin, row_dir, col_dir, spacing, row: int, column: int) -> list[float]:
    point = origin + column * spacing[1] * row_dir + row * spacing[0] * col_dir
    return [round(float(v), 4) for v in point]


def _ct_points(slices: list[Path], rs_path: Path | None = None) -> dict:
    first = pydicom.dcmread(slices[0], stop_before_pixels=True, force=True)
    middle = pydicom.dcmread(slices[len(slices) // 2], stop_before_pixels=True, force=True)
    rows, columns = int(middle.Rows), int(middle.Columns)
    centre = _voxel(*_geometry(middle), rows // 2, columns // 2)
    inside, how = _body_centre(slices[len(slices) // 2], rs_path)
    return {"ct": {"first_voxel": _voxel(*_geometry(first), 0, 0),
                   "centre_voxel": centre,
                   "quarter_voxel": _voxel(*_geometry(middle), rows // 4, columns // 4)},
            "body_interior": {"centre": inside or centre, "radius_mm": BODY_RADIUS_MM,
                              "from": how if inside else "the image centre (no body found in the data)"}}


#: ROI names a body outline goes by, where the export does not mark it EXTERNAL.
BODY_NAMES = ("body", "external", "skin", "outline", "patient")
#: Voxels above this are tissue (air and lung are below), for finding the body on a slice.
TISSUE_HU = -300.0


def _body_centre(slice_path: Path, rs_path: Path | None) -> tuple[list[float] | None, str]:
    """A point inside the patient on the middle slice, from the export itself: the
    body outline's contour there (the ROI marked EXTERNAL, or named like one), else the
    centroid of the slice's tissue voxels. A patient is rarely at (0, 0) or at the
    image's centre, and a probe in air measures nothing."""
    ct = pydicom.dcmread(slice_path, force=True)
    z = float(ct.ImagePositionPatient[2])
    if rs_path is not None:
        outline = _outline_on(rs_path, z)
        if outline is not None:
            return [round(float(v), 4) for v in outline], "the body outline's contour on the middle CT slice"
    try:
        hu = ct.pixel_array.astype(float) * float(ct.get("RescaleSlope", 1) or 1) + float(
            ct.get("RescaleIntercept", 0) or 0)
    except Exception:  # a codec this interpreter lacks: the image centre stands in, and says so
        return None, ""
    rows, columns = np.nonzero(hu > TISSUE_HU)
    if rows.size == 0:
        return None, ""
    return (_voxel(*_geometry(ct), int(round(rows.mean())), int(round(columns.mean()))),
            "the centroid of the middle CT slice's tissue voxels (above -300 HU)")


def _outline_on(rs_path: Path, z: float) -> np.ndarray | None:
    """The centroid of the body outline's contour nearest ``z``, or None."""
    ds = pydicom.dcmread(rs_path, force=True)
    external = {int(o.ReferencedROINumber) for o in ds.get("RTROIObservationsSequence") or []
                if str(o.get("RTROIInterpretedType", "")).upper() == "EXTERNAL"}
    named = {int(r.ROINumber) for r in ds.get("StructureSetROISequence") or []
             if str(r.get("ROIName", "")).strip().lower() in BODY_NAMES}
    wanted = external or named
    best = None
    for roi in ds.get("ROIContourSequence") or []:
        if int(roi.get("ReferencedROINumber", -1)) not in wanted:
            continue
        for contour in roi.get("ContourSequence") or []:
            points = np.asarray(contour.get("ContourData") or [], dtype=float).reshape(-1, 3)
            if len(points) >= 3 and (best is None or abs(points[0, 2] - z) < abs(best[0, 2] - z)):
                best = points
    return None if best is None else best.mean(axis=0)


def _frame_positions(ds) -> np.ndarray:
    """Each dose frame's offset along the slice normal from the image position, relative
    or (the older absolute form) as written."""
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    offsets = [float(v) for v in ds.get("GridFrameOffsetVector") or [0.0] * frames]
    origin, row_dir, col_dir, _ = _geometry(ds)
    normal = np.cross(row_dir, col_dir)
    if offsets and offsets[0] != 0 and abs(offsets[0] - float(origin @ normal)) < 1e-3:
        offsets = [o - offsets[0] for o in offsets]
    return np.array(offsets[:frames])


def _dose_points(dose_path: Path, rs_path: Path | None) -> dict:
    ds = pydicom.dcmread(dose_path, force=True)
    origin, row_dir, col_dir, spacing = _geometry(ds)
    normal = np.cross(row_dir, col_dir)
    grid = ds.pixel_array.astype(float) * float(ds.get("DoseGridScaling", 1.0) or 1.0)
    if grid.ndim == 2:
        grid = grid[np.newaxis]
    offsets = _frame_positions(ds)
    frame, row, column = np.unravel_index(int(np.argmax(grid)), grid.shape)

    def at(f: int, r: int, c: int) -> list[float]:
        return [round(float(v), 4) for v in origin + offsets[f] * normal + c * spacing[1] * row_dir
                + r * spacing[0] * col_dir]

    points = {"max_voxel": at(frame, row, column),
              "grid_centre": at(grid.shape[0] // 2, grid.shape[1] // 2, grid.shape[2] // 2),
              "_max_gy": float(grid.max())}
    if rs_path is not None:
        points.update(_centroids(rs_path))
    return points


def _centroids(rs_path: Path) -> dict:
    """The mean of each structure's contour points, named by ROI number (a name is the
    user's free text)."""
    ds = pydicom.dcmread(rs_path, force=True)
    found = {}
    for roi in ds.get("ROIContourSequence") or []:
        coordinates = [np.asarray(c.ContourData, dtype=float).reshape(-1, 3)
                       for c in roi.get("ContourSequence") or [] if c.get("ContourData")]
        if coordinates and len(found) < MAX_CENTROIDS:
            centroid = np.concatenate(coordinates).mean(axis=0)
            found[f"roi{int(roi.ReferencedROINumber)}_centroid"] = [round(float(v), 4) for v in centroid]
    return found


def _dose_levels(plan_path: Path, max_gy: float | None) -> list[int]:
    """Even whole-gray dose levels at 50, 90, 95 and 100 % of the prescription (the
    plan's largest target prescription dose; else the dose maximum)."""
    basis = None
    if plan_path.is_file():
        plan = pydicom.dcmread(plan_path, stop_before_pixels=True, force=True)
        prescribed = [float(r.TargetPrescriptionDose) for r in plan.get("DoseReferenceSequence") or []
                      if r.get("TargetPrescriptionDose") is not None]
        basis = max(prescribed) if prescribed else None
    basis = basis or max_gy
    if not basis or basis <= 0:
        return []
    return sorted({max(2, 2 * round(basis * fraction / 2)) for fraction in (0.5, 0.9, 0.95, 1.0)})
