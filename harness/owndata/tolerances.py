"""How close two tools must come on own data, with the reason for each tolerance.

Own data has no analytic truth to derive a tolerance from, so the rules here are carried
over by kind of quantity: a header fact keeps the reference set's tolerance for the same
key; a dose at a point, 1 % of the value (0.01 Gy at least: a clinical dose is not
linear, so tools interpolating it differently legitimately disagree beyond the reference
set's exact 0.01 Gy); a DVH value, the published acceptance rule (3 % of the value,
Nelms et al. 2015); a structure volume, the widest tolerance the reference set derived
for any of its shapes (own shapes are not known analytically, so the most forgiving
derivation applies).
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
#: Quantities that are never compared between tools: how a tool chose to compute, not what it read.
NOT_COMPARED = ("dvh.bin_width_gy", "*.curve", "_*", "*.frame_of_reference_uid", "*.study_instance_uid",
                "*.patient_name", "*.patient_id", "set.*")


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


def rule_for(key: str, reference: dict[str, Quantity]) -> Rule:
    """The tolerance two readings of ``key`` must agree within, and why."""
    if _VOLUME.match(key):
        widest = max((q.tolerance.rel or 0.0 for k, q in reference.items()
                      if fnmatch.fnmatchcase(k, "rtstruct.roi.*.volume_cc") and q.tolerance), default=DVH_RULE)
        return Rule(Tolerance(rel=widest), "cm3", f"{100 * widest:g} %: the widest tolerance the reference set "
                                                  f"derived for a structure volume (an own shape is not known "
                                                  f"analytically)")
    if _DVH_DOSE.match(key):
        return Rule(Tolerance(rel=DVH_RULE), "Gy", "3 % of the value (the published acceptance rule for DVH doses)")
    if _DVH_VOLUME_PCT.match(key):
        return Rule(Tolerance(rel=DVH_RULE), "%", "3 % of the value (the published acceptance rule for DVH volumes)")
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
