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


def trilinear(grid, origin, spacing, xyz):
    f = (np.asarray(xyz, dtype=float) - origin) / spacing  # (x, y, z) fractional index
    i0 = np.clip(np.floor(f).astype(int), 0, np.array(grid.shape[::-1]) - 2)
    t = f - i0
    value = 0.0
    for dx in (0, 1):
        for dy in (0, 1):
            for dz in (0, 1):
                w = (t[0] if dx else 1 - t[0]) * (t[1] if dy else 1 - t[1]) * (t[2] if dz else 1 - t[2])
                value += w * grid[i0[2] + dz, i0[1] + dy, i0[0] + dx]
    return float(value)


try:
    ds = pydicom.dcmread(fixture / "RD.dcm")
    offsets = [float(v) for v in ds.GridFrameOffsetVector]
    origin = [float(v) for v in ds.ImagePositionPatient]
    spacing = [float(v) for v in ds.PixelSpacing]
    observed.update({
        "dose.rows": int(ds.Rows), "dose.columns": int(ds.Columns), "dose.frames": int(ds.NumberOfFrames),
        "dose.pixel_spacing_mm": spacing, "dose.origin_mm": origin,
        "dose.frame_spacing_mm": float(np.median(np.diff(offsets))) if len(offsets) > 1 else 0.0,
        "dose.size_voxels": [int(ds.Columns), int(ds.Rows), int(ds.NumberOfFrames)],
        "dose.grid_frame_offsets_mm": offsets, "dose.units": str(ds.DoseUnits), "dose.type": str(ds.DoseType),
        "dose.summation_type": str(ds.DoseSummationType), "dose.bits_allocated": int(ds.BitsAllocated),
        "dose.scaling": float(ds.DoseGridScaling),
    })
    grid = ds.pixel_array.astype(np.float64) * float(ds.DoseGridScaling)
    observed["dose.max_gy"] = float(grid.max())
    observed["dose.min_gy"] = float(grid.min())
    # Frame 0 lies at ImagePositionPatient whether the offsets are relative or absolute.
    grid_origin = np.array(origin)
    grid_spacing = np.array([spacing[1], spacing[0], observed["dose.frame_spacing_mm"]])
    for name, xyz in points["dose"].items():
        observed[f"dose.at.{name}_gy"] = trilinear(grid, grid_origin, grid_spacing, xyz)
except Exception as exc:
    errors["dose"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
