#!/usr/bin/env python3
"""pyCERR producer: CT + dose array -> RT Dose (OUTPUT/RD.dcm).

Usage: python3 produce_rtdose.py INPUTS OUTPUT
Runs in the pycerr manifest's environment (pycerr 2.5.1).

Flow (pyCERR public API only):
  planC = cerr.plan_container.loadDcmDir(INPUTS/ct)
  planC = cerr.plan_container.importDoseArray(dose3M, xV, yV, zV, planC, 0, doseInfo)
  cerr.dcm_export.rtdose_iod.create(doseNum, OUTPUT/RD.dcm, planC)

Axis mapping (done by this script, as a pyCERR user must): importDoseArray
takes dose3M as (rows, cols, slices) and xV/yV/zV in pyCERR *virtual*
coordinates (cm), i.e. the same convention as planC.scan[0].getScanXYZVals():
xV along columns, yV along rows, zV ascending.  The DICOM (LPS, mm) dose
grid from structures.json is mapped to virtual coordinates with the inverse
of planC.scan[0].cerrToDcmTransM (pyCERR's own virtual->DICOM transform),
and the frames are reordered so zV ascends.
dose.npz is (frames, rows, cols) in Gy on dose_grid (frames z ascending).
"""
import json
import os
import sys
import time
import traceback


def main():
    if len(sys.argv) != 3:
        print("usage: produce_rtdose.py INPUTS OUTPUT", file=sys.stderr)
        return 2
    inputs, output = sys.argv[1], sys.argv[2]
    os.makedirs(output, exist_ok=True)
    t0 = time.time()

    import numpy as np
    from cerr import plan_container as pc
    from cerr.dcm_export import rtdose_iod

    with open(os.path.join(inputs, "structures.json")) as f:
        meta = json.load(f)
    dg = meta["dose_grid"]
    if any(abs(a - b) > 1e-9 for a, b in zip(dg["direction"], [1, 0, 0, 0, 1, 0, 0, 0, 1])):
        raise RuntimeError("producer assumes identity dose-grid direction")
    (nx, ny, nz), (sx, sy, sz), (ox, oy, oz) = dg["size"], dg["spacing"], dg["origin"]

    planC = pc.loadDcmDir(os.path.join(inputs, "ct"))
    if len(planC.scan) != 1:
        raise RuntimeError("expected exactly one scan, got %d" % len(planC.scan))
    scan = planC.scan[0]

    dose = np.load(os.path.join(inputs, "dose.npz"))["dose"].astype(np.float64)  # (frames, rows, cols)
    if dose.shape != (nz, ny, nx):
        raise RuntimeError("dose.npz shape %s != dose_grid %s" % (dose.shape, (nz, ny, nx)))

    # DICOM patient coordinates (mm) of the grid axes -> pyCERR virtual (cm)
    xD = ox + np.arange(nx) * sx
    yD = oy + np.arange(ny) * sy
    zD = oz + np.arange(nz) * sz
    dcm2cerr = np.linalg.inv(scan.cerrToDcmTransM)

    def to_virtual(x, y, z):
        p = np.vstack((x, y, z, np.ones_like(x)))
        return np.matmul(dcm2cerr, p)[:3]

    xV = to_virtual(xD, np.full(nx, oy), np.full(nx, oz))[0]
    yV = to_virtual(np.full(ny, ox), yD, np.full(ny, oz))[1]
    zV = to_virtual(np.full(nz, ox), np.full(nz, oy), zD)[2]
    dose3M = np.transpose(dose, (1, 2, 0))  # (rows, cols, frames)
    if zV[-1] < zV[0]:  # pyCERR wants ascending virtual z
        zV = zV[::-1].copy()
        dose3M = dose3M[:, :, ::-1].copy()

    ct0 = scan.scanInfo[0]
    doseInfo = {"frameOfReferenceUID": ct0.frameOfReferenceUID,
                "doseUnits": "GY", "doseType": "PHYSICAL",
                "doseSummationType": "PLAN",
                "fractionGroupID": "pyCERR RTDOSE producer",
                "doseDescription": "imported from dose.npz via importDoseArray"}
    planC = pc.importDoseArray(dose3M, xV, yV, zV, planC, 0, doseInfo)
    dose_num = len(planC.dose) - 1

    out_file = os.path.join(output, "RD.dcm")
    rtdose_iod.create(dose_num, out_file, planC, {"seriesDescription": "pyCERR RTDOSE producer"})
    if not os.path.isfile(out_file):
        raise RuntimeError("pyCERR did not write %s" % out_file)
    print("elapsed_s=%.2f" % (time.time() - t0), file=sys.stderr)
    print(json.dumps({"wrote": [out_file],
                      "api": "cerr.plan_container.loadDcmDir + cerr.plan_container.importDoseArray"
                             " + cerr.dcm_export.rtdose_iod.create (pycerr 2.5.1)"}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:
        traceback.print_exc()
        print("ERROR: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
