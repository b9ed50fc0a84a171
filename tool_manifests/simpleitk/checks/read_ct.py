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
    # The CT series, as a user picks it: GDCM lists every series of the directory (the RT
    # Dose and Structure Set are series too) in UID order, which says nothing of modality.
    candidates = [reader.GetGDCMSeriesFileNames(str(fixture), uid) for uid in reader.GetGDCMSeriesIDs(str(fixture))]
    names = next((n for n in candidates if n and Path(n[0]).name.startswith("CT")), max(candidates, key=len))
    reader.SetFileNames(names)
    image = reader.Execute()
    spacing = image.GetSpacing()
    observed.update({
        "ct.image_count": len(names), "ct.size_voxels": list(image.GetSize()),
        "ct.pixel_spacing_mm": [spacing[1], spacing[0]], "ct.slice_spacing_mm": spacing[2],
        "ct.origin_mm": list(image.GetOrigin()),
        # ITK's direction matrix holds the axes as columns (row-major flat): IOP is columns 0 and 1,
        # and column 2 is the direction the volume's slices run (the evidence for its origin).
        "ct.orientation": [image.GetDirection()[i] for i in (0, 3, 6, 1, 4, 7)],
        "ct.volume_directions": [image.GetDirection()[i] for i in (0, 3, 6, 1, 4, 7, 2, 5, 8)],
    })
    for name, xyz in points["ct"].items():
        observed[f"ct.hu.{name}"] = float(image[image.TransformPhysicalPointToIndex(xyz)])
    array = sitk.GetArrayViewFromImage(image)
    centre = image.TransformPhysicalPointToContinuousIndex(points["body_interior"]["centre"])
    jj, ii = np.mgrid[0:array.shape[1], 0:array.shape[2]]
    inside = np.hypot((ii - centre[0]) * spacing[0], (jj - centre[1]) * spacing[1]) <= points["body_interior"]["radius_mm"]
    observed["ct.hu.body_mean"] = float(array[:, inside].mean())
except Exception as exc:
    errors["ct"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
