"""pydicom reads the RT Structure Set: ROIs, their types, contours, and the contoured volume.

The volume is the sum of polygon areas times the slice spacing (end contours extended
half a slice), computed from the ContourData pydicom decodes: it tests the decoding of
every coordinate, not an algorithm of pydicom's.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pydicom

fixture = Path(sys.argv[1])
observed, errors = {}, {}


def polygon_area(points):
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


try:
    ds = pydicom.dcmread(fixture / "RS.dcm")
    rois = sorted(ds.StructureSetROISequence, key=lambda r: int(r.ROINumber))
    names = {int(r.ROINumber): str(r.ROIName) for r in rois}
    observed["rtstruct.roi_count"] = len(rois)
    observed["rtstruct.roi_names"] = [names[n] for n in sorted(names)]
    for obs in ds.RTROIObservationsSequence:
        name = names[int(obs.ReferencedROINumber)]
        observed[f"rtstruct.roi.{name}.type"] = str(obs.RTROIInterpretedType)
    for number, name in names.items():
        observed[f"rtstruct.roi.{name}.number"] = number
    for roi in ds.ROIContourSequence:
        name = names[int(roi.ReferencedROINumber)]
        contours = list(getattr(roi, "ContourSequence", []))
        observed[f"rtstruct.roi.{name}.contour_count"] = len(contours)
        planes = sorted({round(float(c.ContourData[2]), 3) for c in contours})
        spacing = float(np.median(np.diff(planes))) if len(planes) > 1 else 0.0
        area = sum(polygon_area(np.array(c.ContourData, dtype=float).reshape(-1, 3)) for c in contours)
        observed[f"rtstruct.roi.{name}.volume_cc"] = area * spacing / 1000.0
except Exception as exc:
    errors["rtstruct"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
