"""dicompyler-core's plan summary (GetPlan) and referenced beams."""
import json
import sys
from pathlib import Path

from dicompylercore import dicomparser

fixture = Path(sys.argv[1])
observed, errors = {}, {}
try:
    rp = dicomparser.DicomParser(str(fixture / "RP.dcm"))
    plan = rp.GetPlan()
    observed["plan.label"] = plan.get("label")
    if plan.get("rxdose") is not None:
        observed["plan.prescription_gy"] = float(plan["rxdose"]) / 100.0  # dicompyler reports cGy
    beams = rp.GetReferencedBeamsInFraction()
    observed["plan.beam_count"] = len(beams)
    observed["plan.beam_names"] = [beams[n]["name"] for n in sorted(beams)]
    observed["dicompyler.plan"] = {k: v for k, v in plan.items() if isinstance(v, (str, int, float))}
except Exception as exc:
    errors["plan"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}, default=str))
