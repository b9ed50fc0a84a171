"""Produce OUTPUT/RS.dcm from INPUTS with rt-utils (pinned rt-utils==1.2.7).

Usage: python3 produce_rtstruct.py INPUTS OUTPUT

API called: rt_utils.RTStructBuilder.create_new(dicom_series_path=INPUTS/ct),
then RTStruct.add_roi(mask=..., color=[r,g,b], name=...) per structure of
structures.json, then RTStruct.save(OUTPUT/RS.dcm).

Axis mapping: add_roi wants a bool array (rows, columns, slices) where
mask[:, :, i] is the i-th image of the series *as rt-utils sorted it*:
image_helper.load_sorted_image_series sorts by ImagePositionPatient projected
on the slice normal (row x column cosines), ascending -- for this HFS,
identity-orientation CT that is z ascending, regardless of file names or
InstanceNumber. mask[:, :, i] is handed to cv2.findContours, which treats
axis 0 as y (rows) and axis 1 as x (columns). masks.npz holds
(slices, rows, columns) with slice k at z = origin_z + 2k (ascending), so the
mapping is a plain np.transpose(m, (1, 2, 0)); no flips. This program checks
that rt-utils' slice order really is z ascending before adding ROIs.
The API has no parameter for the RT ROI Interpreted Type, so types are not
written (rt-utils writes an empty RTROIInterpretedType). ROI numbers are
assigned by rt-utils as 1..n in add order; structures are added in
structures.json order.
"""
import json
import os
import sys

import numpy as np
from rt_utils import RTStructBuilder

inputs, output = sys.argv[1], sys.argv[2]
os.makedirs(output, exist_ok=True)
spec = json.load(open(os.path.join(inputs, "structures.json")))
masks = np.load(os.path.join(inputs, "masks.npz"))
grid = spec["ct_grid"]

rtstruct = RTStructBuilder.create_new(dicom_series_path=os.path.join(inputs, "ct"))

# Sanity check of the slice-order assumption (reads rt-utils' own sorted list).
z_tool = [float(ds.ImagePositionPatient[2]) for ds in rtstruct.series_data]
z_npz = [grid["origin"][2] + k * grid["spacing"][2] for k in range(grid["size"][2])]
assert np.allclose(z_tool, z_npz), "rt-utils slice order differs from masks.npz"

for s in sorted(spec["structures"], key=lambda s: s["number"]):
    m = masks[s["name"]]                       # (slices, rows, cols), z ascending
    rtstruct.add_roi(mask=np.ascontiguousarray(np.transpose(m, (1, 2, 0))).astype(bool),
                     color=[int(c) for c in s["color"]], name=s["name"])

rtstruct.save(os.path.join(output, "RS.dcm"))
print(json.dumps({"wrote": ["RS.dcm"],
                  "api": "rt_utils.RTStructBuilder.create_new + RTStruct.add_roi + RTStruct.save",
                  "package": "rt-utils==1.2.7",
                  "rois": [s["name"] for s in spec["structures"]]}))
