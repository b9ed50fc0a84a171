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
        "ct.origin_mm": [float(v) for v in first.ImagePositionPatient],
        "ct.orientation": [float(v) for v in first.ImageOrientationPatient],
        "ct.size_voxels": [int(first.Columns), int(first.Rows), len(slices)],
        "ct.frame_of_reference_uid": str(first.FrameOfReferenceUID),
        "ct.patient_position": str(first.PatientPosition),
    })
    volume = np.stack([ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept) for ds in slices])
    origin = np.array(observed["ct.origin_mm"])
    spacing = np.array([observed["ct.pixel_spacing_mm"][1], observed["ct.pixel_spacing_mm"][0],
                        observed["ct.slice_spacing_mm"]])
    for name, xyz in points["ct"].items():
        i, j, k = np.rint((np.array(xyz) - origin) / spacing).astype(int)
        observed[f"ct.hu.{name}"] = float(volume[k, j, i])
    centre = ((np.array(points["body_interior"]["centre"]) - origin) / spacing)[:2]
    jj, ii = np.mgrid[0:volume.shape[1], 0:volume.shape[2]]
    inside = np.hypot(ii - centre[0], jj - centre[1]) * spacing[0] <= points["body_interior"]["radius_mm"]
    observed["ct.hu.body_mean"] = float(volume[:, inside].mean())
except Exception as exc:
    errors["ct"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
