"""pydicom reads the RT Dose: grid geometry, scaling, and dose values in Gy.

Dose at named points is interpolated trilinearly from the decoded grid; the fixture's
dose is linear, so interpolation is exact and any error is in decoding or scaling.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pydicom

fixture = Path(sys.argv[1])
points = json.loads((fixture / "points.json").read_text())
observed, errors = {}, {}


def dose_at(grid, ds, xyz):
    """Trilinear interpolation at a patient point, from the standard's geometry: in-plane
    through ImageOrientationPatient, frames along the image normal at GridFrameOffsetVector
    (relative to ImagePositionPatient, or absolute z when its first value is not 0)."""
    iop = np.array([float(v) for v in ds.ImageOrientationPatient])
    row_dir, col_dir = iop[:3], iop[3:]
    normal = np.cross(row_dir, col_dir)
    origin = np.array([float(v) for v in ds.ImagePositionPatient])
    dy, dx = (float(v) for v in ds.PixelSpacing)
    offsets = np.array([float(v) for v in ds.GridFrameOffsetVector])
    if offsets[0] != 0:  # absolute frame positions (C.8.8.3.2), defined for an axial head-first grid
        offsets = offsets - origin[2]
    d = np.asarray(xyz, dtype=float) - origin
    f = [np.interp(d @ normal, offsets, np.arange(len(offsets))) if offsets[-1] > offsets[0]
         else np.interp(d @ normal, offsets[::-1], np.arange(len(offsets))[::-1]),
         d @ col_dir / dy, d @ row_dir / dx]
    i0 = [int(np.clip(np.floor(v), 0, n - 2)) for v, n in zip(f, grid.shape)]
    t = [v - i for v, i in zip(f, i0)]
    value = 0.0
    for a in (0, 1):
        for b in (0, 1):
            for c in (0, 1):
                w = (t[0] if a else 1 - t[0]) * (t[1] if b else 1 - t[1]) * (t[2] if c else 1 - t[2])
                value += w * grid[i0[0] + a, i0[1] + b, i0[2] + c]
    return float(value)


try:
    ds = pydicom.dcmread(fixture / "RD.dcm")
    offsets = [float(v) for v in ds.GridFrameOffsetVector]
    origin = [float(v) for v in ds.ImagePositionPatient]
    spacing = [float(v) for v in ds.PixelSpacing]
    observed.update({
        "dose.rows": int(ds.Rows), "dose.columns": int(ds.Columns), "dose.frames": int(ds.NumberOfFrames),
        "dose.pixel_spacing_mm": spacing, "dose.origin_mm": origin,
        "dose.orientation": [float(v) for v in ds.ImageOrientationPatient],
        "dose.frame_spacing_mm": float(np.median(np.diff(offsets))) if len(offsets) > 1 else 0.0,
        "dose.size_voxels": [int(ds.Columns), int(ds.Rows), int(ds.NumberOfFrames)],
        "dose.grid_frame_offsets_mm": offsets, "dose.units": str(ds.DoseUnits), "dose.type": str(ds.DoseType),
        "dose.summation_type": str(ds.DoseSummationType), "dose.bits_allocated": int(ds.BitsAllocated),
        "dose.scaling": float(ds.DoseGridScaling),
    })
    grid = ds.pixel_array.astype(np.float64) * float(ds.DoseGridScaling)
    observed["dose.max_gy"] = float(grid.max())
    observed["dose.min_gy"] = float(grid.min())
    for name, xyz in points["dose"].items():
        observed[f"dose.at.{name}_gy"] = dose_at(grid, ds, xyz)
except Exception as exc:
    errors["dose"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
