#!/usr/bin/env python3
"""dicompyler-core producer: RT Dose written through dicompylercore.dose.DoseGrid.

Usage: python3 produce_rtdose.py INPUTS OUTPUT
Runs in the dicompyler-core manifest's environment (dicompyler-core 0.5.6).

dicompyler-core cannot build a dose from an array: DoseGrid is only
constructed from an existing RTDOSE file/dataset. Its write path is
DoseGrid.save_dcm(), reached after its own arithmetic (multiply / add),
which re-quantises the grid (set_pixel_data) and updates UIDs/tags
(update_dicom_tags). The flow used here is a plan sum of two half-doses:

  ref   = DoseGrid(INPUTS/rtdose/RD.dcm)
  a     = ref * 0.5 ; a.save_dcm(tmp/half_a.dcm)     # DoseGrid.__mul__/multiply
  b     = ref * 0.5 ; b.save_dcm(tmp/half_b.dcm)
  total = DoseGrid(tmp/half_a.dcm) + DoseGrid(tmp/half_b.dcm)   # DoseGrid.__add__
  total.save_dcm(OUTPUT/RD.dcm)

The two halves are read back from disk (as a user summing two plan doses
would), they share one grid, so add() takes the DIRECT (non-interpolated)
summation branch. Intermediates live in a temporary directory; only RD.dcm
is written into OUTPUT.
"""
import json
import os
import sys
import tempfile
import time
import traceback


def main():
    if len(sys.argv) != 3:
        print("usage: produce_rtdose.py INPUTS OUTPUT", file=sys.stderr)
        return 2
    inputs, output = sys.argv[1], sys.argv[2]
    os.makedirs(output, exist_ok=True)
    t0 = time.time()

    from dicompylercore.dose import DoseGrid

    ref_path = os.path.join(inputs, "rtdose", "RD.dcm")
    ref = DoseGrid(ref_path)
    with tempfile.TemporaryDirectory(prefix="dcc_plansum_") as tmp:
        pa, pb = os.path.join(tmp, "half_a.dcm"), os.path.join(tmp, "half_b.dcm")
        (ref * 0.5).save_dcm(pa)
        (ref * 0.5).save_dcm(pb)
        ga, gb = DoseGrid(pa), DoseGrid(pb)
        total = ga + gb
        out_file = os.path.join(output, "RD.dcm")
        total.save_dcm(out_file)
    if not os.path.isfile(out_file):
        raise RuntimeError("dicompyler-core did not write %s" % out_file)
    print("summation_type=%s elapsed_s=%.2f" % (total.summation_type, time.time() - t0), file=sys.stderr)
    print(json.dumps({"wrote": [out_file],
                      "api": "dicompylercore.dose.DoseGrid(RD.dcm) * 0.5 -> save_dcm (x2); "
                             "DoseGrid(half_a) + DoseGrid(half_b) [%s sum] -> save_dcm "
                             "(dicompyler-core 0.5.6)" % total.summation_type}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:
        traceback.print_exc()
        print("ERROR: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
