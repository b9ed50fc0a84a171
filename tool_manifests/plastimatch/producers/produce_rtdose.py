#!/usr/bin/env python3
"""Producer: RT Dose from a dose image via the plastimatch CLI.

usage: python3 produce_rtdose.py INPUTS OUTPUT

  plastimatch convert --input-dose-img INPUTS/dose.mha
                      --referenced-ct INPUTS/ct --output-dicom TMP

The dose_*.dcm that plastimatch writes is moved to OUTPUT/RD.dcm; anything else
is discarded.  The dose keeps its own grid (no --resize-dose).
"""
import json
import sys
from pathlib import Path

from _plastimatch import convert, require_ct


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: produce_rtdose.py INPUTS OUTPUT")
    inputs, output = Path(sys.argv[1]), Path(sys.argv[2])
    output.mkdir(parents=True, exist_ok=True)
    ct_dir = require_ct("produce_rtdose", inputs)
    dose = inputs / "dose.mha"
    if not dose.is_file():
        sys.exit(f"produce_rtdose: {dose} not found")
    command, written = convert("produce_rtdose", ["--input-dose-img", str(dose), "--referenced-ct", str(ct_dir)],
                               "dose*.dcm", output / "RD.dcm")
    print(json.dumps({"wrote": ["RD.dcm"], "command": command, "plastimatch_file": written}))


if __name__ == "__main__":
    main()
