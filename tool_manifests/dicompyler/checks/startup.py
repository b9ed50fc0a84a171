"""dicompyler starts: import the application package and its DICOM parser on the set."""
import json
import sys
from pathlib import Path

fixture = Path(sys.argv[1])
observed, errors = {}, {}
try:
    from dicompyler import dicomparser

    observed["set.patient_id"] = dicomparser.DicomParser(filename=str(fixture / "RS.dcm")).GetDemographics()["id"]
except Exception as exc:
    errors["startup"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
