"""Produce OUTPUT/RS.dcm from INPUTS with platipy (pinned platipy==0.7.2).

Usage: python3 produce_rtstruct.py INPUTS OUTPUT

API called: platipy.dicom.io.nifti_to_rtstruct.convert_nifti(dcm_path,
mask_input, output_file, color_map) -- platipy's mask-file -> RTSTRUCT
converter. mask_input is {name: "INPUTS/masks/<name>.mha"} straight from
structures.json; convert_nifti reads each file with SimpleITK and (in 0.7.2)
delegates to rt-utils: RTStructBuilder.create_new(INPUTS/ct) + add_roi.

Axis mapping: done inside convert_nifti, nothing to remap here.
sitk.GetArrayFromImage gives (z, y, x) = (slices, rows, columns) in the
image's index order; convert_nifti transposes it to (rows, columns, slices)
and rt-utils pairs slice index i with the i-th CT image sorted by position
along the slice normal, ascending. convert_nifti does NOT look at the mask's
origin/spacing/direction, so a careful user must make sure the mask files are
on the CT grid with index z ascending; this program checks that
(.mha geometry == structures.json ct_grid, direction identity, and the
sorted CT positions == origin_z + 2k) and stops otherwise.

Colours: the only colour hook is color_map, called as
color_map(hash(name) % 256) -> RGBA in 0..1 (hash() of str is randomised per
process). We pass a 256-entry matplotlib ListedColormap whose entry
hash(name) % 256 is the structures.json colour (same process, so the hash
agrees). If two names collide, the later colour wins (reported). ROI types
cannot be passed (no parameter).
"""
import glob
import json
import os
import sys

import numpy as np
import pydicom
import SimpleITK as sitk
from matplotlib.colors import ListedColormap
from platipy.dicom.io.nifti_to_rtstruct import convert_nifti

inputs, output = sys.argv[1], sys.argv[2]
os.makedirs(output, exist_ok=True)
spec = json.load(open(os.path.join(inputs, "structures.json")))
g = spec["ct_grid"]
structs = sorted(spec["structures"], key=lambda s: s["number"])

# Check the assumption convert_nifti silently makes: mask index grid == CT grid.
ct_z = sorted(float(pydicom.dcmread(f, stop_before_pixels=True).ImagePositionPatient[2])
              for f in glob.glob(os.path.join(inputs, "ct", "*.dcm")))
assert np.allclose(ct_z, [g["origin"][2] + k * g["spacing"][2] for k in range(g["size"][2])])
mask_input = {}
for s in structs:
    path = os.path.join(inputs, s["mask"])
    r = sitk.ImageFileReader(); r.SetFileName(path); r.ReadImageInformation()
    assert list(r.GetSize()) == g["size"] and np.allclose(r.GetSpacing(), g["spacing"]) \
        and np.allclose(r.GetOrigin(), g["origin"]) and np.allclose(r.GetDirection(), np.eye(3).ravel()), path
    mask_input[s["name"]] = path

lut = np.tile([0.5, 0.5, 0.5, 1.0], (256, 1))
slots = {}
for s in structs:
    i = hash(s["name"]) % 256
    slots.setdefault(i, []).append(s["name"])
    lut[i, :3] = np.array(s["color"]) / 255.0
collisions = [v for v in slots.values() if len(v) > 1]

convert_nifti(os.path.join(inputs, "ct"), mask_input, os.path.join(output, "RS.dcm"),
              color_map=ListedColormap(lut))
print(json.dumps({"wrote": ["RS.dcm"],
                  "api": "platipy.dicom.io.nifti_to_rtstruct.convert_nifti (-> rt_utils 1.2.7)",
                  "package": "platipy==0.7.2",
                  "rois": [s["name"] for s in structs],
                  "colour_hash_collisions": collisions}))
