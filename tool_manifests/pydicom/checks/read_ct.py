"""pydicom reads the CT series: geometry from the headers, HU from the pixel data."""
import json
import sys
from pathlib import Path

import numpy as np
import pydicom

fixture = Path(sys.argv[1])
points = json.loads((fixture / "points.json").read_text())
observed, errors = {}, {}
try:
    slices = [pydicom.dcmread(p) for p in sorted(fixture.glob("CT_*.dcm"))]
    slices.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
    first = slices[0]
    z = [float(ds.ImagePositionPatient[2]) for ds in slices]
    observed.update({
        "ct.image_count": len(slices), "ct.rows": int(first.Rows), "ct.columns": int(first.Columns),
        "ct.pixel_spacing_mm": [float(v) for v in first.PixelSpacing],
        "ct.slice_thickness_mm": float(first.SliceThickness),
        "ct.slice_spacing_mm": float(np.median(np.diff(z))),
        "ct.slice_positions_mm": z,
        "ct.origin_mm": [float(v) for v in first.ImagePositionPatient],
        "ct.orientation": [float(v) for v in first.ImageOrientationPatient],
        "ct.size_voxels": [int(first.Columns), int(first.Rows), len(slices)],
        "ct.frame_of_reference_uid": str(first.FrameOfReferenceUID),
        "ct.patient_position": str(first.PatientPosition),
    })
    volume = np.stack([ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept) for ds in slices])
    # Patient coordinates of pixel (row r, column c) of a slice: IPP + c * dx * row_dir + r * dy * col_dir
    # (PS3.3 C.7.6.2.1.1); the slice holding a point is the one nearest it along the normal.
    iop = np.array(observed["ct.orientation"])
    row_dir, col_dir = iop[:3], iop[3:]
    normal = np.cross(row_dir, col_dir)
    dy, dx = observed["ct.pixel_spacing_mm"]
    positions = np.array([[float(v) for v in ds.ImagePositionPatient] for ds in slices])

    def voxel(xyz):
        k = int(np.argmin(np.abs((positions - np.asarray(xyz, dtype=float)) @ normal)))
        d = np.asarray(xyz, dtype=float) - positions[k]
        return k, int(np.rint(d @ col_dir / dy)), int(np.rint(d @ row_dir / dx))

    for name, xyz in points["ct"].items():
        k, r, c = voxel(xyz)
        observed[f"ct.hu.{name}"] = float(volume[k, r, c])
    # Mean HU in the body-interior disc (radius about the body axis), over every slice.
    rr, cc = np.mgrid[0:volume.shape[1], 0:volume.shape[2]]
    xyz = positions[0][:, None, None] + (cc * dx)[None] * row_dir[:, None, None] + (rr * dy)[None] * col_dir[:, None, None]
    centre = np.array(points["body_interior"]["centre"])
    inside = np.hypot(xyz[0] - centre[0], xyz[1] - centre[1]) <= points["body_interior"]["radius_mm"]
    observed["ct.hu.body_mean"] = float(volume[:, inside].mean())
except Exception as exc:
    errors["ct"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
