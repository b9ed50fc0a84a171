"""dicompyler-core's dose grid (GetDoseGrid / GetDoseData)."""
import json
import sys
from pathlib import Path

from dicompylercore import dicomparser

fixture = Path(sys.argv[1])
observed, errors = {}, {}
try:
    rd = dicomparser.DicomParser(str(fixture / "RD.dcm"))
    data = rd.GetDoseData()
    observed["dose.rows"] = int(data["rows"])
    observed["dose.columns"] = int(data["columns"])
    observed["dose.frames"] = int(rd.GetNumberOfFrames())
    observed["dose.pixel_spacing_mm"] = [float(v) for v in data["pixelspacing"]]
    observed["dose.scaling"] = float(data["dosegridscaling"])
    observed["dose.units"] = str(data["doseunits"])
    observed["dose.max_gy"] = float(data["dosemax"]) * float(data["dosegridscaling"])
except Exception as exc:
    errors["dose"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
