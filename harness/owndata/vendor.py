"""What the export itself says: the planning system's DVHs and plan values.

An RT Dose may carry the planning system's own DVHs (DVH Sequence, 3004,0050); an RT
Plan carries its prescription, fractions and metersets. These are the *vendor
reference*: each tool's numbers are judged against them with the reference set's rule
(3 % of the value for DVH quantities), widened by what the vendor's histogram can
resolve, since a value read off a histogram is only known to within its bin.

The DVH Data stream holds (bin width, volume) pairs. A cumulative DVH gives, per bin,
the volume receiving at least the dose at the bin's lower edge (PS3.3 C.8.8.4; the
reading dicompyler-core and pymedphys share); a differential one, the volume within the
bin, summed here from the top to make it cumulative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydicom

from harness.manifest import Tolerance
from harness.owndata.index import READ_ERRORS
from harness.owndata.tolerances import DVH_RULE, VOLUME_CC_FLOOR, VOLUME_PCT_FLOOR, dose_floor

D_PERCENTS = (99, 95, 50, 5, 1)
D_VOLUMES_CC = (0.03,)


@dataclass(frozen=True)
class VendorValue:
    """One reference value from the export, with the tolerance it allows and why."""

    key: str
    value: object
    tolerance: Tolerance | None
    unit: str
    rule: str


@dataclass
class VendorReference:
    values: dict[str, VendorValue] = field(default_factory=dict)
    #: what the export carries that could not be used, one line each
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CumulativeDvh:
    """Dose edges (Gy) and the volume receiving at least each (cm3, or percent when the
    export gives only percent)."""

    doses: np.ndarray
    volumes: np.ndarray
    in_percent: bool
    bin_width: float
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    #: stated statistics the curve contradicts, replaced by the curve's: (attribute, stated, from the curve)
    contradicted: tuple[tuple[str, float, float], ...] = ()

    @property
    def percent(self) -> np.ndarray:
        total = self.volumes[0] if len(self.volumes) else 0.0
        return self.volumes if self.in_percent else 100.0 * self.volumes / total if total > 0 else self.volumes * 0

    def volume_at(self, dose: float) -> float:
        """Percent of the structure receiving at least ``dose`` (linear between edges)."""
        return float(np.interp(dose, self.doses, self.percent, left=100.0, right=0.0))

    def dose_at_percent(self, percent: float) -> float:
        """The dose at which the curve falls to ``percent`` of the volume."""
        curve = self.percent
        # np.interp needs increasing x: the curve falls, so read it backwards.
        return float(np.interp(percent, curve[::-1], self.doses[::-1]))

    def dose_at_cc(self, cc: float) -> float | None:
        if self.in_percent:
            return None
        return float(np.interp(cc, self.volumes[::-1], self.doses[::-1]))


def parse_dvh(item) -> CumulativeDvh | str:
    """One DVH Sequence item as a cumulative curve in Gy, or why it cannot be used."""
    units = str(item.get("DoseUnits", "")).upper()
    scale = {"GY": 1.0, "CGY": 0.01}.get(units)
    if scale is None:
        return f"dose units {units or 'missing'} (only absolute GY DVHs are compared)"
    volume_units = str(item.get("DVHVolumeUnits", "")).upper()
    if volume_units not in ("CM3", "PERCENT"):
        return f"volume units {volume_units or 'missing'} (CM3 or PERCENT are compared)"
    try:
        data = np.asarray([float(v) for v in item.DVHData], dtype=float)
    except (AttributeError, TypeError, ValueError):
        return "no readable DVH Data"
    if len(data) < 4 or len(data) % 2:
        return "DVH Data holds fewer than two (width, volume) pairs"
    scaling = float(item.get("DVHDoseScaling", 1.0) or 1.0) * scale
    widths, volumes = data[0::2] * scaling, data[1::2]
    # Exporters write rounding noise (-2.9e-13 cm3) where a curve reaches zero.
    volumes = np.where((volumes < 0) & (volumes > -1e-9 * max(1.0, float(volumes.max()))), 0.0, volumes)
    if np.any(widths < 0) or np.any(volumes < 0):
        return "negative bin widths or volumes in DVH Data"
    doses = np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    kind = str(item.get("DVHType", "")).upper()
    if kind == "DIFFERENTIAL":
        volumes = np.cumsum(volumes[::-1])[::-1]
    elif kind != "CUMULATIVE":
        return f"DVH type {kind or 'missing'} (CUMULATIVE or DIFFERENTIAL are compared)"
    if np.any(np.diff(volumes) > 1e-6 * max(1.0, float(volumes.max()))):
        return "the cumulative volumes rise with dose"

    def attribute(name: str) -> float | None:
        value = item.get(name)
        return float(value) * scale if value is not None else None

    curve = CumulativeDvh(doses, volumes, volume_units == "PERCENT", float(widths.max()))
    if volumes[0] <= 0:
        return "the DVH holds no volume"
    full = np.nonzero(volumes >= volumes[0] * (1 - 1e-9))[0]
    some = np.nonzero(volumes > 0)[0]
    from_curve = {"DVHMinimumDose": float(doses[full[-1]]),
                  "DVHMaximumDose": float(doses[some[-1]] + widths[some[-1]]),
                  "DVHMeanDose": _mean(curve)}
    chosen, contradicted = {}, []
    for name, derived in from_curve.items():
        stated = attribute(name)
        # The curve locates each statistic to within a bin or two; a stated value further off
        # is in other units (Eclipse writes them in percent of the prescription) or wrong.
        if stated is not None and abs(stated - derived) <= 2 * curve.bin_width + 0.01 * abs(derived):
            chosen[name] = stated
        else:
            chosen[name] = derived
            if stated is not None:
                contradicted.append((name, stated, derived))
    return CumulativeDvh(doses, volumes, curve.in_percent, curve.bin_width, chosen["DVHMinimumDose"],
                         chosen["DVHMaximumDose"], chosen["DVHMeanDose"], tuple(contradicted))


def contradiction_note(found: list[tuple[int, str, float, float, float]], prescription: float | None) -> str:
    """One line for every stated statistic the curves contradict: (ROI, attribute,
    stated, from the curve, bin width). When they read as percent of the plan's
    prescription, that is said too (Eclipse's convention)."""
    rois = sorted({roi for roi, *_ in found})
    names = sorted({name for _, name, *_ in found})
    roi, name, stated, derived, _ = found[0]
    why = ""
    if prescription:
        as_percent = [abs(s - 100 * d / prescription) <= 100 * 2 * w / prescription + 0.01 * abs(s)
                      for _, _, s, d, w in found]
        if all(as_percent):
            why = f"; all read as percent of the plan's {prescription:g} Gy prescription"
        elif any(as_percent):
            why = f"; {sum(as_percent)} of {len(found)} read as percent of the plan's {prescription:g} Gy prescription"
    return (f"the vendor DVHs of {len(rois)} ROI{'s' if len(rois) != 1 else ''} state {', '.join(names)} that "
            f"their own DVH Data contradict ({len(found)} value{'s' if len(found) != 1 else ''}; ROI {roi}: {name} {stated:g} vs {derived:.4g} Gy "
            f"from the curve){why}; the curves' values are used")


def dvh_values(name: str, dvh: CumulativeDvh, prescription_gy: float | None = None) -> list[VendorValue]:
    """The DVH quantities the tools report, read off the vendor's curve, each with the
    reference set's 3 % rule plus what reading a histogram costs, never below the clinical
    floors of :mod:`harness.owndata.tolerances`."""
    width = dvh.bin_width
    floor = dose_floor(prescription_gy)
    rule = (f"3 % of the value (the reference set's rule) plus the vendor DVH's bin width {width:g} Gy: a value "
            f"read off its histogram is known to one bin; {floor:g} Gy at least")
    out = []

    def dose(key: str, value: float | None, how: str) -> None:
        if value is not None and np.isfinite(value):
            out.append(VendorValue(f"dvh.{name}.{key}", round(value, 4),
                                   Tolerance(abs=round(max(DVH_RULE * abs(value) + width, floor), 4)), "Gy",
                                   rule + how))

    dose("min_gy", dvh.minimum, "")
    dose("max_gy", dvh.maximum, "")
    dose("mean_gy", dvh.mean, "")
    for percent in D_PERCENTS:
        dose(f"D{percent}_gy", dvh.dose_at_percent(percent), "")
    for cc in D_VOLUMES_CC:
        dose(f"D{cc:g}cc_gy", dvh.dose_at_cc(cc), "")
    if not dvh.in_percent:
        out.append(VendorValue(f"dvh.{name}.volume_cc", round(float(dvh.volumes[0]), 4),
                               Tolerance(rel=DVH_RULE, abs=VOLUME_CC_FLOOR), "cm3",
                               f"3 % of the value (the reference set's rule), {VOLUME_CC_FLOOR:g} cm3 at least"))
    top = float(dvh.doses[-1]) + width
    for level in range(int(top) + 2):
        value = dvh.volume_at(level)
        resolution = abs(dvh.volume_at(level - width) - dvh.volume_at(level + width)) / 2
        out.append(VendorValue(f"dvh.{name}.V{level}gy_pct", round(value, 4),
                               Tolerance(abs=max(round(DVH_RULE * value + resolution, 4), VOLUME_PCT_FLOOR)), "%",
                               "3 % of the value (the reference set's rule) plus the change of the vendor curve "
                               "over one bin; one percentage point at least"))
    return out


def _mean(dvh: CumulativeDvh) -> float | None:
    total = dvh.volumes[0]
    if total <= 0:
        return None
    edges = np.append(dvh.doses, dvh.doses[-1] + dvh.bin_width)
    within = -np.diff(np.append(dvh.volumes, 0.0))
    return float(np.sum(within * (edges[:-1] + edges[1:]) / 2) / total)


def read_vendor_reference(set_dir: Path) -> VendorReference:
    """The vendor reference of a staged set: DVHs of its RT Dose (named by the structure
    set's ROI names), prescription, fractions and metersets of its RT Plan."""
    reference = VendorReference()
    contradicted: list[tuple[int, str, float, float, float]] = []
    parsed_dvhs: list[tuple[str, CumulativeDvh]] = []
    rs_names = roi_names(set_dir / "RS.dcm")
    dose_path = set_dir / "RD.dcm"
    if dose_path.is_file():
        try:
            ds = pydicom.dcmread(dose_path, stop_before_pixels=True, force=True)
        except READ_ERRORS as exc:  # a dose the tools will also fail on: the run shows it
            reference.notes.append(f"RT Dose unreadable for its DVHs: {type(exc).__name__}")
            ds = None
        for number, item in enumerate(ds.get("DVHSequence") or [] if ds is not None else [], start=1):
            rois = item.get("DVHReferencedROISequence") or []
            roi = int(rois[0].ReferencedROINumber) if rois and rois[0].get("ReferencedROINumber") is not None \
                else None
            name = rs_names.get(roi) if roi is not None else None
            if name is None:
                reference.notes.append(f"vendor DVH {number}: its ROI number {roi} is not in the structure set")
                continue
            parsed = parse_dvh(item)
            if isinstance(parsed, str):
                reference.notes.append(f"vendor DVH of ROI {roi}: not compared, {parsed}")
                continue
            contradicted += [(roi, *c, parsed.bin_width) for c in parsed.contradicted]
            parsed_dvhs.append((name, parsed))
    plan_path = set_dir / "RP.dcm"
    if plan_path.is_file():
        for value in plan_values(plan_path):
            reference.values[value.key] = value
    stated = reference.values.get("plan.prescription_gy")
    for name, parsed in parsed_dvhs:  # once the prescription is known: the tolerances' floor
        for value in dvh_values(name, parsed, stated.value if stated else None):
            reference.values[value.key] = value
    if contradicted:
        prescription = reference.values.get("plan.prescription_gy")
        reference.notes.append(contradiction_note(contradicted, prescription.value if prescription else None))
    return reference


def plan_values(plan_path: Path) -> list[VendorValue]:
    """Prescription, fraction count and metersets as the plan states them."""
    try:
        ds = pydicom.dcmread(plan_path, stop_before_pixels=True, force=True)
    except READ_ERRORS:
        return []
    out = []
    exact = "as the plan states it (the reference set's tolerance)"
    prescribed = [float(r.TargetPrescriptionDose) for r in ds.get("DoseReferenceSequence") or []
                  if r.get("TargetPrescriptionDose") is not None]
    if prescribed:
        out.append(VendorValue("plan.prescription_gy", max(prescribed), Tolerance(abs=0.01), "Gy", exact))
    groups = ds.get("FractionGroupSequence") or []
    if groups:
        group = groups[0]
        if group.get("NumberOfFractionsPlanned") is not None:
            out.append(VendorValue("plan.fraction_count", int(group.NumberOfFractionsPlanned), Tolerance(abs=0),
                                   "", exact))
        metersets = [float(b.BeamMeterset) for b in group.get("ReferencedBeamSequence") or []
                     if b.get("BeamMeterset") is not None]
        if metersets:
            out.append(VendorValue("plan.beam_meterset_mu", [round(m, 4) for m in metersets], Tolerance(abs=0.01),
                                   "MU", exact))
            out.append(VendorValue("plan.total_meterset_mu", round(sum(metersets), 4), Tolerance(abs=0.01), "MU",
                                   exact))
    beams = ds.get("BeamSequence")
    if beams is not None:
        out.append(VendorValue("plan.beam_count", len(beams), Tolerance(abs=0), "", exact))
    return out


def roi_names(rs_path: Path) -> dict[int, str]:
    if not rs_path.is_file():
        return {}
    try:
        ds = pydicom.dcmread(rs_path, stop_before_pixels=True, force=True,
                             specific_tags=[pydicom.tag.Tag("StructureSetROISequence")])
    except READ_ERRORS:
        return {}
    return {int(r.ROINumber): str(r.ROIName) for r in ds.get("StructureSetROISequence") or []
            if r.get("ROINumber") is not None and r.get("ROIName") is not None}
