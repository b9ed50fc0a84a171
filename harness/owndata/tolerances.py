"""How close two tools must come on own data, with the reason for each tolerance.

Own data has no analytic truth to derive a tolerance from, so the rules here are carried
over by kind of quantity: a header fact keeps the reference set's tolerance for the same
key; a dose at a point, 1 % of the value (0.01 Gy at least: a clinical dose is not
linear, so tools interpolating it differently legitimately disagree beyond the reference
set's exact 0.01 Gy); a DVH value, the published acceptance rule (3 % of the value,
Nelms et al. 2015); a structure volume, the widest tolerance the reference set derived
for any of its shapes (own shapes are not known analytically, so the most forgiving
derivation applies). Each has a clinical floor (:data:`DOSE_FLOOR_GY` and 1 % of the
prescription, :data:`VOLUME_PCT_FLOOR`, :data:`VOLUME_CC_FLOOR`), so that a relative rule
does not turn 0.001 percentage points of a lung V12Gy into a FAIL.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from harness.judging.judge import Quantity, TruthError, load_truth
from harness.manifest import Tolerance

DVH_RULE = 0.03
#: Floors that keep a relative rule meaningful near zero (a lung V12Gy of 0.001 %, a
#: minimum dose of 0.2 Gy): a dose within 0.1 Gy or 1 % of the prescription, whichever is
#: larger, is the same dose for any clinical decision (constraints are stated in whole
#: percent of the prescription); a DVH volume within one percentage point (constraints such
#: as V20Gy < 30 % are stated in whole percent); a structure volume within 0.1 cm3 (a few
#: voxels: how tools voxelise a small structure differs by that much).
DOSE_FLOOR_GY = 0.1
PRESCRIPTION_FLOOR = 0.01
VOLUME_PCT_FLOOR = 1.0
VOLUME_CC_FLOOR = 0.1


def dose_floor(prescription_gy: float | None) -> float:
    """The absolute floor of a DVH dose tolerance, in Gy."""
    return max(DOSE_FLOOR_GY, PRESCRIPTION_FLOOR * (prescription_gy or 0.0))
#: Quantities that are never compared between tools: how a tool chose to compute, not what it read.
#: Labels and descriptions are the user's free text (an RT Plan label often carries the
#: patient's initials): never compared, so never reported, however short.
NOT_COMPARED = ("dvh.bin_width_gy", "*.curve", "_*", "*.frame_of_reference_uid", "*.study_instance_uid",
                "*.patient_name", "*.patient_id", "set.*", "*.label", "*.description", "*_label", "*_description")


@dataclass(frozen=True)
class Rule:
    tolerance: Tolerance | None
    unit: str
    why: str


def compared(key: str) -> bool:
    return not any(fnmatch.fnmatchcase(key, pattern) for pattern in NOT_COMPARED)


@lru_cache(maxsize=4)
def reference_truth(fixtures_root: Path) -> dict[str, Quantity]:
    try:
        return load_truth(fixtures_root / "reference")
    except TruthError:
        return {}


_DVH_DOSE = re.compile(r"^dvh\..+\.(min|max|mean|D[0-9.]+(cc)?)_gy$")
_DVH_VOLUME_PCT = re.compile(r"^dvh\..+\.V[0-9.]+gy_pct$")
_VOLUME = re.compile(r"^(dvh|rtstruct\.roi)\..+\.volume_cc$")
_ROI_FIELD = re.compile(r"^rtstruct\.roi\..+\.(?P<field>[a-z_]+)$")


def rule_for(key: str, reference: dict[str, Quantity], prescription_gy: float | None = None) -> Rule:
    """The tolerance two readings of ``key`` must agree within, and why."""
    if _VOLUME.match(key):
        widest = max((q.tolerance.rel or 0.0 for k, q in reference.items()
                      if fnmatch.fnmatchcase(k, "rtstruct.roi.*.volume_cc") and q.tolerance), default=DVH_RULE)
        return Rule(Tolerance(rel=widest, abs=VOLUME_CC_FLOOR), "cm3",
                    f"{100 * widest:g} %: the widest tolerance the reference set derived for a structure volume (an "
                    f"own shape is not known analytically), {VOLUME_CC_FLOOR:g} cm3 at least (a small structure)")
    if _DVH_DOSE.match(key):
        floor = dose_floor(prescription_gy)
        basis = (f"1 % of the plan's {prescription_gy:g} Gy prescription" if prescription_gy
                 and floor > DOSE_FLOOR_GY else f"{DOSE_FLOOR_GY:g} Gy")
        return Rule(Tolerance(rel=DVH_RULE, abs=round(floor, 4)), "Gy",
                    f"3 % of the value (the published acceptance rule for DVH doses), {basis} at least")
    if _DVH_VOLUME_PCT.match(key):
        return Rule(Tolerance(rel=DVH_RULE, abs=VOLUME_PCT_FLOOR), "%",
                    "3 % of the value (the published acceptance rule for DVH volumes), one percentage point at "
                    "least (constraints are stated in whole percent)")
    if key.startswith("dose.at."):
        return Rule(Tolerance(abs=0.01, rel=0.01), "Gy", "1 % of the value, 0.01 Gy at least (tools interpolate a "
                                                         "clinical dose, which is not linear, differently)")
    for family in ("ct.hu.",):
        if key.startswith(family):
            return _family(reference, family + "*", key)
    if match := _ROI_FIELD.match(key):
        return _family(reference, f"rtstruct.roi.*.{match['field']}", key)
    if key in reference:
        q = reference[key]
        return Rule(q.tolerance, q.unit, "the reference set's tolerance for this quantity")
    return Rule(Tolerance(abs=0), "", "exact: the reference set has no rule for this quantity")


def _family(reference: dict[str, Quantity], pattern: str, key: str) -> Rule:
    members = [q for k, q in reference.items() if fnmatch.fnmatchcase(k, pattern) and q.tolerance]
    if not members:
        return Rule(Tolerance(abs=0), "", "exact: the reference set has no rule for this quantity")
    widest = max(members, key=lambda q: (q.tolerance.rel or 0.0, q.tolerance.abs or 0.0))
    return Rule(widest.tolerance, widest.unit, f"as the reference set's {pattern} quantities")
