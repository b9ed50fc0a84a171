"""pydicom reads the RT Plan: beams, angles, meterset, prescription, MLC."""
import json
import sys
from pathlib import Path

import pydicom

fixture = Path(sys.argv[1])
observed, errors = {}, {}
try:
    ds = pydicom.dcmread(fixture / "RP.dcm")
    # a brachytherapy plan has no BeamSequence: no beams, not a failure to read them
    beams = sorted(ds.get("BeamSequence", []), key=lambda b: int(b.BeamNumber))
    group = ds.FractionGroupSequence[0]
    metersets = {int(rb.ReferencedBeamNumber): float(rb.BeamMeterset)
                 for rb in group.get("ReferencedBeamSequence", [])}
    observed.update({
        "plan.label": str(ds.RTPlanLabel),
        "plan.beam_count": len(beams),
        "plan.fraction_count": int(group.NumberOfFractionsPlanned),
    })
    if beams:
        observed.update({
            "plan.beam_names": [str(b.BeamName) for b in beams],
            "plan.gantry_angles_deg": [float(b.ControlPointSequence[0].GantryAngle) for b in beams],
            "plan.beam_meterset_mu": [metersets[int(b.BeamNumber)] for b in beams],
            "plan.total_meterset_mu": round(sum(metersets.values()), 6),
            "plan.radiation_type": str(beams[0].RadiationType),
            "plan.energy_mv": float(beams[0].ControlPointSequence[0].NominalBeamEnergy),
            "plan.isocentre_mm": [float(v) for v in beams[0].ControlPointSequence[0].IsocenterPosition],
        })
    targets = [d for d in ds.DoseReferenceSequence if "TargetPrescriptionDose" in d]
    if targets:
        observed["plan.prescription_gy"] = float(targets[0].TargetPrescriptionDose)
    for device in beams[0].BeamLimitingDeviceSequence if beams else []:
        if str(device.RTBeamLimitingDeviceType).startswith("MLC"):
            observed["plan.mlc_leaf_pairs"] = int(device.NumberOfLeafJawPairs)
except Exception as exc:
    errors["plan"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
