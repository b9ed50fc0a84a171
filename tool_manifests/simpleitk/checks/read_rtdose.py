"""SimpleITK reads the RT Dose file as a volume.

Reported as SimpleITK returns it: whether it applies DoseGridScaling is part of what
the check finds out (the raw stored values are reported beside the dose).
"""
import json
import sys
from pathlib import Path

import SimpleITK as sitk

fixture = Path(sys.argv[1])
points = json.loads((fixture / "points.json").read_text())
observed, errors = {}, {}
try:
    image = sitk.ReadImage(str(fixture / "RD.dcm"))
    spacing = image.GetSpacing()
    observed.update({
        "dose.size_voxels": list(image.GetSize()), "dose.pixel_spacing_mm": [spacing[1], spacing[0]],
        "dose.frame_spacing_mm": spacing[2], "dose.origin_mm": list(image.GetOrigin()),
        "dose.orientation": [image.GetDirection()[i] for i in (0, 3, 6, 1, 4, 7)],
    })
    stats = sitk.StatisticsImageFilter()
    stats.Execute(image)
    observed["dose.max_gy"] = stats.GetMaximum()
    observed["dose.min_gy"] = stats.GetMinimum()
    for name, xyz in points["dose"].items():
        observed[f"dose.at.{name}_gy"] = image.EvaluateAtPhysicalPoint(xyz, sitk.sitkLinear)
    observed["simpleitk.pixel_type"] = image.GetPixelIDTypeAsString()
except Exception as exc:
    errors["dose"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
