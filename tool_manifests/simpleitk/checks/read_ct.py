"""SimpleITK reads the CT series as one volume (ImageSeriesReader, GDCM underneath)."""
import json
import sys
from pathlib import Path

import numpy as np
import SimpleITK as sitk

fixture = Path(sys.argv[1])
points = json.loads((fixture / "points.json").read_text())
observed, errors = {}, {}
try:
    reader = sitk.ImageSeriesReader()
    series = reader.GetGDCMSeriesIDs(str(fixture))
    names = reader.GetGDCMSeriesFileNames(str(fixture), series[0])
    reader.SetFileNames(names)
    image = reader.Execute()
    spacing = image.GetSpacing()
    observed.update({
        "ct.image_count": len(names), "ct.size_voxels": list(image.GetSize()),
        "ct.pixel_spacing_mm": [spacing[1], spacing[0]], "ct.slice_spacing_mm": spacing[2],
        "ct.origin_mm": list(image.GetOrigin()),
        "ct.orientation": list(image.GetDirection()[0:3]) + list(image.GetDirection()[3:6]),
    })
    for name, xyz in points["ct"].items():
        observed[f"ct.hu.{name}"] = float(image[image.TransformPhysicalPointToIndex(xyz)])
    array = sitk.GetArrayViewFromImage(image)
    centre = image.TransformPhysicalPointToContinuousIndex(points["body_interior"]["centre"])
    jj, ii = np.mgrid[0:array.shape[1], 0:array.shape[2]]
    inside = np.hypot(ii - centre[0], jj - centre[1]) * spacing[0] <= points["body_interior"]["radius_mm"]
    observed["ct.hu.body_mean"] = float(array[:, inside].mean())
except Exception as exc:
    errors["ct"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
