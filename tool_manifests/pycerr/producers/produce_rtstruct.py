#!/usr/bin/env python3
"""pyCERR producer: CT + masks -> RT Structure Set (OUTPUT/RS.dcm).

Usage: python3 produce_rtstruct.py INPUTS OUTPUT
Runs in the pycerr manifest's environment (pycerr 2.5.1).

Flow (pyCERR public API only):
  planC = cerr.plan_container.loadDcmDir(INPUTS/ct)
  for each ROI: planC = cerr.plan_container.importStructureMask(mask3M, 0, name, planC)
  cerr.dcm_export.rtstruct_iod.create(structNumV, OUTPUT/RS.dcm, planC)

Axis mapping (done by this script, as a pyCERR user must): pyCERR scan arrays
are (rows, cols, slices) with slices in the order of planC.scan[0].scanInfo;
masks.npz is (slices, rows, cols) with z ascending. Each scanInfo slice is
matched to its npz slice through ImagePositionPatient z.
"""
import json
import os
import sys
import time
import traceback


def main():
    if len(sys.argv) != 3:
        print("usage: produce_rtstruct.py INPUTS OUTPUT", file=sys.stderr)
        return 2
    inputs, output = sys.argv[1], sys.argv[2]
    os.makedirs(output, exist_ok=True)
    t0 = time.time()

    import numpy as np
    from cerr import plan_container as pc
    from cerr.dcm_export import rtstruct_iod

    with open(os.path.join(inputs, "structures.json")) as f:
        meta = json.load(f)
    ct_grid = meta["ct_grid"]
    z0, dz = ct_grid["origin"][2], ct_grid["spacing"][2]

    planC = pc.loadDcmDir(os.path.join(inputs, "ct"))
    if len(planC.scan) != 1:
        raise RuntimeError("expected exactly one scan, got %d" % len(planC.scan))
    scan = planC.scan[0]
    nrows, ncols, nslc = scan.getScanSize()

    masks = np.load(os.path.join(inputs, "masks.npz"))
    # npz slice index for each pyCERR slice (scanInfo order)
    slice_idx = []
    for si in scan.scanInfo:
        k = (float(si.imagePositionPatient[2]) - z0) / dz
        kr = int(round(k))
        if abs(k - kr) > 1e-3:
            raise RuntimeError("scan slice z=%s not on mask grid" % si.imagePositionPatient[2])
        slice_idx.append(kr)

    struct_nums = []
    for s in sorted(meta["structures"], key=lambda s: s["number"]):
        m = masks[s["name"]]  # (slices, rows, cols), z ascending
        if m.shape != (nslc, nrows, ncols):
            raise RuntimeError("mask %s shape %s != scan %s" % (s["name"], m.shape, (nslc, nrows, ncols)))
        mask3M = np.transpose(m[slice_idx, :, :], (1, 2, 0))  # -> (rows, cols, slices in scanInfo order)
        planC = pc.importStructureMask(mask3M, 0, s["name"], planC)
        n = len(planC.structure) - 1
        # user-level metadata on the pyCERR Structure object
        planC.structure[n].structureColor = list(s["color"])
        planC.structure[n].ROIInterpretedType = s["type"]
        planC.structure[n].roiGenerationAlgorithm = "AUTOMATIC"
        planC.structure[n].roiGenerationDescription = "pyCERR importStructureMask"
        struct_nums.append(n)

    out_file = os.path.join(output, "RS.dcm")
    rtstruct_iod.create(struct_nums, out_file, planC,
                        {"seriesDescription": "pyCERR RTSTRUCT producer",
                         "StructureSetLabel": "pyCERR"})
    if not os.path.isfile(out_file):
        raise RuntimeError("pyCERR did not write %s" % out_file)
    print("elapsed_s=%.2f" % (time.time() - t0), file=sys.stderr)
    print(json.dumps({"wrote": [out_file],
                      "api": "cerr.plan_container.loadDcmDir + cerr.plan_container.importStructureMask"
                             " + cerr.dcm_export.rtstruct_iod.create (pycerr 2.5.1)"}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # report tool failure
        traceback.print_exc()
        print("ERROR: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
