"""Where a CT volume begins, under each reading in use.

DICOM puts each slice's first pixel at its ImagePositionPatient; "the origin" of a
series is a choice. The reference set names the most inferior slice's; ITK and its
kin name the first voxel in index order along the image normal (``volume-origin``);
matRad the voxel centre with the lowest x, y and z (``lowest-corner``). On own data the
consensus of the tools can land on any of them, so each is computed from the CT here
and a tool matching one follows that convention (see harness/judging/conventions.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom

from harness.judging.conventions import LOWEST_CORNER, VOLUME_ORIGIN
from harness.owndata.index import READ_ERRORS

INFERIOR_SLICE = "inferior-slice"


def origin_readings(set_dir: Path) -> dict[str, list[float]]:
    """Convention name -> the origin it gives the staged CT (empty without a usable CT)."""
    slices = []
    for path in sorted(set_dir.glob("CT_*.dcm")):
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
            slices.append((np.array([float(v) for v in ds.ImagePositionPatient]),
                           np.array([float(v) for v in ds.ImageOrientationPatient]),
                           int(ds.Rows), int(ds.Columns), [float(v) for v in ds.PixelSpacing]))
        except READ_ERRORS:
            return {}
    if not slices:
        return {}
    row, col = slices[0][1][:3], slices[0][1][3:]
    normal = np.cross(row, col)
    inferior = min(slices, key=lambda s: s[0][2])[0]
    first = min(slices, key=lambda s: float(s[0] @ normal))[0]
    corners = [position + i * (columns - 1) * spacing[1] * row + j * (rows - 1) * spacing[0] * col
               for position, _, rows, columns, spacing in (slices[0], slices[-1]) for i in (0, 1) for j in (0, 1)]
    lowest = np.min(np.array(corners), axis=0)
    return {INFERIOR_SLICE: _rounded(inferior), VOLUME_ORIGIN.name: _rounded(first),
            LOWEST_CORNER.name: _rounded(lowest)}


def _rounded(point: np.ndarray) -> list[float]:
    return [round(float(v), 4) for v in point]
