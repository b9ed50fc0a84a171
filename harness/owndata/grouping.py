"""From indexed objects to the sets a check can run on.

A set is anchored on the most complete object chain the references allow: an RT Dose,
the RT Plan it references, the plan's RT Structure Set, and the CT series that structure
set was drawn on. Objects no dose reaches form smaller sets (a plan with its structures,
a structure set with its CT, a CT series alone), so nothing is skipped silently. What a
set lacks (a dangling reference, a partial series, another frame of reference, sibling
doses) is one note each.

A set is named by a short label derived from its anchor's UID (``set-3f9a2c``): stable
from one run to the next, and never a patient's name or ID.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from harness.owndata.index import DataIndex, Instance

RT_KINDS = {"RTSTRUCT": "RT Structure Set", "RTPLAN": "RT Plan", "RTIONPLAN": "RT Ion Plan", "RTDOSE": "RT Dose"}
#: A gap between slices this many times the usual spacing marks a series with slices missing.
GAP_FACTOR = 1.5


@dataclass(frozen=True)
class DataSet:
    """Objects that belong together, and what they lack."""

    label: str
    ct: tuple[Instance, ...] = ()
    structure_set: Instance | None = None
    plan: Instance | None = None
    dose: Instance | None = None
    notes: tuple[str, ...] = ()

    @property
    def probes(self) -> tuple[str, ...]:
        """The capabilities the set can be read for: a structure set is read with its CT
        (several tools import contours onto the image), a DVH needs structures and dose."""
        probes = []
        if self.ct:
            probes.append("read-ct")
        if self.structure_set and self.ct:
            probes.append("read-rtstruct")
        if self.plan:
            probes.append("read-rtplan")
        if self.dose:
            probes.append("read-rtdose")
        if self.structure_set and self.dose and self.ct:
            probes.append("dvh")
        return tuple(probes)

    @property
    def objects(self) -> list[Instance]:
        return [*self.ct, *(o for o in (self.structure_set, self.plan, self.dose) if o is not None)]

    def describe(self) -> str:
        parts = []
        if self.ct:
            parts.append(f"CT ({len(self.ct)} slice{'s' if len(self.ct) != 1 else ''})")
        if self.structure_set:
            parts.append(f"RT Structure Set ({self.structure_set.roi_count} ROIs)")
        if self.plan:
            parts.append(RT_KINDS.get(self.plan.modality, "RT Plan"))
        if self.dose:
            dvhs = f", {self.dose.dvh_count} DVHs" if self.dose.dvh_count else ""
            parts.append(f"RT Dose ({self.dose.summation or 'summation unknown'}{dvhs})")
        return ", ".join(parts) or "nothing readable"


@dataclass
class Grouping:
    sets: list[DataSet] = field(default_factory=list)
    #: objects no set could use (another modality), one line each
    unused: list[str] = field(default_factory=list)


def label_for(anchor_uid: str, taken: set[str]) -> str:
    digest = hashlib.sha256(anchor_uid.encode()).hexdigest()
    for length in (6, 8, 12, 64):
        label = f"set-{digest[:length]}"
        if label not in taken:
            return label
    raise AssertionError("a 64-hex-digit label collided")  # not reachable: labels are sha256 of distinct UIDs


def group(index: DataIndex) -> Grouping:
    """The sets of ``index``: doses first, then plans, structure sets and CT series no
    dose reached, each in UID order (so labels and order are stable)."""
    by_kind: dict[str, list[Instance]] = defaultdict(list)
    for instance in index.instances:
        by_kind[instance.modality].append(instance)
    series: dict[str, list[Instance]] = defaultdict(list)
    for ct in by_kind["CT"]:
        series[ct.series].append(ct)
    structure_sets = {i.sop_instance: i for i in by_kind["RTSTRUCT"]}
    plans = {i.sop_instance: i for i in [*by_kind["RTPLAN"], *by_kind["RTIONPLAN"]]}
    doses = sorted(by_kind["RTDOSE"], key=lambda i: i.sop_instance)
    doses_of_plan: dict[str, list[Instance]] = defaultdict(list)
    for dose in doses:
        for plan_uid in dose.referenced_plans:
            doses_of_plan[plan_uid].append(dose)

    out, taken = Grouping(), set()
    used: set[str] = set()

    def add(anchor: Instance, ct_series: str | None, rs: Instance | None, rp: Instance | None,
            rd: Instance | None, notes: list[str]) -> None:
        slices, series_notes = _series(series.get(ct_series, []) if ct_series else [])
        if rs is not None and slices and rs.referenced_images:
            present = {s.sop_instance for s in slices}
            missing = len(set(rs.referenced_images) - present)
            if missing:
                series_notes.append(f"partial series: the structure set lists {len(set(rs.referenced_images))} CT "
                                    f"images, {missing} of them are not in the directory")
        frames = {o.frame_of_reference for o in (slices[:1] + [x for x in (rs, rp, rd) if x]) if o.frame_of_reference}
        if len(frames) > 1:
            notes.append(f"mixed frames of reference: its objects name {len(frames)} different ones, so positions "
                         f"may not line up")
        label = label_for(anchor.sop_instance, taken)
        taken.add(label)
        used.update(o.sop_instance for o in [*slices, *(x for x in (rs, rp, rd) if x)])
        out.sets.append(DataSet(label, tuple(slices), rs, rp, rd, tuple(notes + series_notes)))

    for dose in doses:
        notes: list[str] = []
        rp = _first(plans, dose.referenced_plans, "RT Plan", notes)
        if not dose.referenced_plans:
            notes.append("the RT Dose references no RT Plan")
        siblings = doses_of_plan.get(rp.sop_instance, []) if rp else []
        if len(siblings) > 1:
            kinds = ", ".join(sorted({d.summation or "?" for d in siblings}))
            notes.append(f"its plan has {len(siblings)} doses ({kinds}); this set holds the "
                         f"{dose.summation or 'unknown'}-summation dose {siblings.index(dose) + 1} of "
                         f"{len(siblings)}, each dose is a set")
        rs_uids = (rp.referenced_structure_sets if rp else ()) or dose.referenced_structure_sets
        rs = _first(structure_sets, rs_uids, "RT Structure Set", notes)
        if rs is None and not rs_uids:
            rs = _by_frame(structure_sets, dose.frame_of_reference, notes)
        ct_series = _ct_series_for(rs, dose, series, notes)
        add(dose, ct_series, rs, rp, dose, notes)

    for rp in sorted(plans.values(), key=lambda i: i.sop_instance):
        if rp.sop_instance in used:
            continue
        notes = ["no RT Dose references this plan"]
        rs = _first(structure_sets, rp.referenced_structure_sets, "RT Structure Set", notes)
        add(rp, _ct_series_for(rs, rp, series, notes), rs, rp, None, notes)

    for rs in sorted(structure_sets.values(), key=lambda i: i.sop_instance):
        if rs.sop_instance in used:
            continue
        notes = ["no plan or dose references this structure set"]
        add(rs, _ct_series_for(rs, rs, series, notes), rs, None, None, notes)

    for uid in sorted(series):
        slices = series[uid]
        if any(s.sop_instance in used for s in slices):
            continue
        first = min(slices, key=lambda s: s.sop_instance)
        add(first, uid, None, None, None, ["no structure set references this CT series"])

    for modality in sorted(set(by_kind) - {"CT", "RTSTRUCT", "RTPLAN", "RTIONPLAN", "RTDOSE"}):
        count = len(by_kind[modality])
        out.unused.append(f"{count} {modality or 'modality-less'} object(s): the checks read CT and DICOM-RT only")
    return out


def _first(objects: dict[str, Instance], uids: tuple[str, ...], what: str, notes: list[str]) -> Instance | None:
    for uid in uids:
        if uid in objects:
            return objects[uid]
    if uids:
        notes.append(f"the referenced {what} is not in the directory (dangling reference)")
    return None


def _by_frame(structure_sets: dict[str, Instance], frame: str, notes: list[str]) -> Instance | None:
    """The one structure set sharing a dose's frame of reference when nothing references
    one (a dose exported without its plan), said in a note."""
    candidates = sorted((rs for rs in structure_sets.values() if frame and rs.frame_of_reference == frame),
                        key=lambda rs: rs.sop_instance)
    if len(candidates) == 1:
        notes.append("no RT Structure Set is referenced; the one sharing the dose's frame of reference is used")
        return candidates[0]
    notes.append("no RT Structure Set is referenced" + (f" and {len(candidates)} share the dose's frame of "
                                                          f"reference" if candidates else ""))
    return None


def _ct_series_for(rs: Instance | None, anchor: Instance, series: dict[str, list[Instance]],
                   notes: list[str]) -> str | None:
    """The CT series the structure set names; failing that, the one CT series sharing the
    anchor's frame of reference (said in a note)."""
    if rs is not None:
        for uid in rs.referenced_series:
            if uid in series:
                return uid
        if rs.referenced_series:
            notes.append("the CT series the structure set was drawn on is not in the directory (dangling reference)")
            return None
    frame = (rs or anchor).frame_of_reference
    candidates = [uid for uid, slices in series.items() if frame and slices[0].frame_of_reference == frame]
    if len(candidates) == 1:
        if rs is not None:
            notes.append("the structure set names no CT series; the CT was matched by frame of reference")
        return candidates[0]
    if len(candidates) > 1:
        notes.append(f"{len(candidates)} CT series share the frame of reference and none is referenced; "
                     f"no CT in this set")
    else:
        notes.append("no CT series in the directory matches")
    return None


def _series(slices: list[Instance]) -> tuple[list[Instance], list[str]]:
    """The slices in order along the slice normal, and what is odd about them."""
    if not slices:
        return [], []
    notes = []
    located = [s for s in slices if s.position and s.orientation]
    if len(located) < len(slices):
        notes.append(f"partial series: {len(slices) - len(located)} of {len(slices)} CT slices have no image "
                     f"position or orientation")
    orientations = {tuple(round(v, 4) for v in s.orientation) for s in located}
    if len(orientations) > 1:
        notes.append("the CT slices do not share one orientation")
    if not located:
        return sorted(slices, key=lambda s: s.sop_instance), notes
    row, col = located[0].orientation[:3], located[0].orientation[3:]
    normal = (row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0])

    def along(s: Instance) -> float:
        return sum(p * n for p, n in zip(s.position, normal))

    ordered = sorted(located, key=lambda s: (along(s), s.sop_instance))
    heights = [along(s) for s in ordered]
    steps = [b - a for a, b in pairwise(heights)]
    if any(abs(step) < 1e-3 for step in steps):
        notes.append("two or more CT slices share one position")
    positive = sorted(step for step in steps if step > 1e-3)
    if positive:
        usual = positive[len(positive) // 2]
        gaps = [(i, step) for i, step in enumerate(steps) if step > GAP_FACTOR * usual]
        if gaps:
            i, step = gaps[0]
            notes.append(f"partial series: {len(gaps)} gap(s) between CT slices, the first {step:.1f} mm after "
                         f"slice {i + 1} of {len(ordered)} (usual spacing {usual:.1f} mm)")
    return ordered + [s for s in slices if s not in located], notes
