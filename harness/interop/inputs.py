"""What a producer is given: the reference phantom as its users hold it before export.

A planning or research tool writes an RT Structure Set from masks on the CT grid, an
RT Dose from a dose array, a CT series from an image. The producer inputs are those,
made from the reference set by the harness (never from its truth.json):

    ct/CT_*.dcm          the reference CT series, as committed
    rtdose/RD.dcm        the reference RT Dose (tools that write a dose by editing one)
    masks/<ROI>.mha      each structure as a 0/1 uint8 MetaImage on the CT grid (LPS)
    masks.npz            the same masks as bool arrays (slices, rows, columns), z ascending
    dose.mha, dose.npz   the RT Dose's values in Gy (float32) on its own grid
    structures.json      names, numbers, types and colours; both grids' geometry

A mask holds the CT pixel centres inside the structure's written contour on that slice
(each slice stands for a slab one slice thick, the reference's convention), so the
mask's voxel count times the voxel volume is the structure's volume as the reference
reads it, up to the rasterisation the volume tolerance was derived for.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import SimpleITK as sitk

from harness.power.reader import Grid, LoadedSet, Reader, inside_polygon

#: Bumped when the inputs' layout or content changes (a produced object's cache key).
INPUTS_VERSION = 1


def _grid_geometry(grid: Grid) -> dict:
    normal = grid.normal
    along = grid.positions @ normal
    step = float(np.median(np.diff(along))) if len(along) > 1 else 0.0
    return {"size": [int(grid.values.shape[2]), int(grid.values.shape[1]), int(grid.values.shape[0])],
            "spacing": [grid.column_spacing, grid.row_spacing, step],
            "origin": [float(v) for v in grid.positions[0]],
            "direction": [float(v) for v in (*grid.row_dir, *grid.col_dir, *normal)]}


def _image(array: np.ndarray, geometry: dict) -> sitk.Image:
    image = sitk.GetImageFromArray(array)
    image.SetSpacing(geometry["spacing"])
    image.SetOrigin(geometry["origin"])
    row, col, normal = (geometry["direction"][i:i + 3] for i in (0, 3, 6))
    # ITK's direction matrix holds the axes as columns
    image.SetDirection([row[0], col[0], normal[0], row[1], col[1], normal[1], row[2], col[2], normal[2]])
    return image


def masks(data: LoadedSet, reader: Reader, ct: Grid) -> dict[str, np.ndarray]:
    """Each ROI with contours: CT pixel centres inside its contour on each slice (even-odd
    rule, so a hole stays a hole), as (slices, rows, columns) in the CT grid's order."""
    rows, columns = ct.values.shape[1:]
    r, c = np.mgrid[0:rows, 0:columns]
    out = {}
    names = reader.roi_names()
    for roi in data.rtstruct.ROIContourSequence:
        planes = reader.contour_planes(roi)
        if not planes:
            continue
        mask = np.zeros(ct.values.shape, dtype=bool)
        along = ct.positions @ ct.normal
        for z, polygon in planes:
            k = int(np.argmin(np.abs(along - z)))
            if abs(along[k] - z) > 1e-3:
                continue  # a contour between slices is no mask voxel of this grid
            corner = ct.positions[k]
            x = corner[0] + c * ct.column_spacing * ct.row_dir[0] + r * ct.row_spacing * ct.col_dir[0]
            y = corner[1] + c * ct.column_spacing * ct.row_dir[1] + r * ct.row_spacing * ct.col_dir[1]
            mask[k] ^= inside_polygon(polygon, x, y)
        out[names[int(roi.ReferencedROINumber)]] = mask
    return out


def write_inputs(reference: Path, destination: Path) -> Path:
    """The producer inputs of ``reference`` under ``destination`` (replaced if present)."""
    data = LoadedSet.read(reference)
    reader = Reader(data)
    ct, _ = reader.ct_grid()
    dose = reader.dose_grid()
    if destination.exists():
        shutil.rmtree(destination)
    (destination / "ct").mkdir(parents=True)
    (destination / "rtdose").mkdir()
    (destination / "masks").mkdir()
    for name, _, _ in data.ct:
        shutil.copyfile(reference / name, destination / "ct" / name)
    dose_name = reader.plan_dose()[0]
    shutil.copyfile(reference / dose_name, destination / "rtdose" / "RD.dcm")
    ct_geometry, dose_geometry = _grid_geometry(ct), _grid_geometry(dose)
    found = masks(data, reader, ct)
    for name, mask in found.items():
        sitk.WriteImage(_image(mask.astype(np.uint8), ct_geometry), str(destination / "masks" / f"{name}.mha"),
                        useCompression=True)
    np.savez_compressed(destination / "masks.npz", **found)
    sitk.WriteImage(_image(dose.values.astype(np.float32), dose_geometry), str(destination / "dose.mha"),
                    useCompression=True)
    np.savez_compressed(destination / "dose.npz", dose=dose.values.astype(np.float32))
    rs = data.rtstruct
    names = reader.roi_names()
    kinds = {int(o.ReferencedROINumber): str(o.RTROIInterpretedType) for o in rs.RTROIObservationsSequence}
    colours = {int(r.ReferencedROINumber): [int(v) for v in getattr(r, "ROIDisplayColor", [255, 0, 0])]
               for r in rs.ROIContourSequence}
    structures = [{"name": names[n], "number": n, "type": kinds.get(n, ""), "color": colours.get(n, [255, 0, 0]),
                   "mask": f"masks/{names[n]}.mha", "voxels": int(found[names[n]].sum())}
                  for n in sorted(names) if names[n] in found]
    (destination / "structures.json").write_text(json.dumps({
        "inputs_version": INPUTS_VERSION,
        "structures": structures,
        "ct_grid": ct_geometry,
        "dose_grid": dose_geometry,
        "npz": "masks.npz: bool arrays (slices, rows, columns), slice k at origin + k * spacing[2] along the "
               "normal; dose.npz 'dose' in Gy (frames, rows, columns) on dose_grid",
    }, indent=2) + "\n")
    return destination
