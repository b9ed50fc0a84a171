"""dicompyler-core parses the RT Structure Set and computes each structure's volume."""
import json
import sys
from pathlib import Path

from dicompylercore import dicomparser

fixture = Path(sys.argv[1])
observed, errors = {}, {}
try:
    rs = dicomparser.DicomParser(str(fixture / "RS.dcm"))
    structures = rs.GetStructures()
    observed["rtstruct.roi_count"] = len(structures)
    observed["rtstruct.roi_names"] = [structures[n]["name"] for n in sorted(structures)]
    for number, s in structures.items():
        name = s["name"]
        observed[f"rtstruct.roi.{name}.number"] = int(number)
        if s.get("type"):
            observed[f"rtstruct.roi.{name}.type"] = s["type"]
        try:
            coords = rs.GetStructureCoordinates(number)
            thickness = rs.CalculatePlaneThickness(coords)
            observed[f"rtstruct.roi.{name}.volume_cc"] = float(rs.CalculateStructureVolume(coords, thickness))
        except Exception as exc:
            errors[f"rtstruct.roi.{name}.volume_cc"] = f"{type(exc).__name__}: {exc}"
except Exception as exc:
    errors["rtstruct"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
