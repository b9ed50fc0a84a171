"""Judging what every tool read from own data: against the vendor reference where the
export carries one, against the tools' consensus where it does not. The two sources are
kept apart in every verdict (``source``), since they mean different things: a vendor
verdict says the tool reproduces the planning system; a consensus verdict says it
agrees with the other tools.

Only the quantities a check declares (its ``judge`` and ``optional`` patterns) are
compared, so a tool's private diagnostics never enter a consensus. ROIs are matched by
the structure set's names (a tool that changes a name's case or spacing still matches)
and reported by their label (``ROI-3``) unless the user keeps the names.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.judging.conventions import NO_END_CAPS
from harness.judging.judge import (
    Alternative,
    Context,
    Quantity,
    Verdict,
    compare,
    describe_tolerance,
    with_read_from,
)
from harness.manifest import Check, Manifest
from harness.owndata.consensus import form, independent_voices
from harness.owndata.contours import (
    HALF_SLICE_CAPS,
    structure_volumes,
)
from harness.owndata.grouping import DataSet
from harness.owndata.index import READ_ERRORS
from harness.owndata.model import (
    ConsensusRecord,
    OwnCheck,
    OwnSet,
    OwnVerdict,
    VendorRecord,
)
from harness.owndata.origins import INFERIOR_SLICE, origin_readings
from harness.owndata.tolerances import compared, rule_for
from harness.owndata.vendor import read_vendor_reference, roi_names
from harness.results import CheckResult, ToolResult

ROI_PREFIXES = ("dvh.", "rtstruct.roi.")
_V_KEY = re.compile(r"\.V(?P<level>[0-9.]+)gy_pct$")


@dataclass(frozen=True)
class RoiNames:
    """The structure set's ROI names, and what each is reported as."""

    labels: dict[str, str]

    @classmethod
    def of(cls, set_dir: Path, keep: bool) -> RoiNames:
        return cls({name: name if keep else f"ROI-{number}" for number, name in roi_names(set_dir / "RS.dcm").items()})

    def canonical(self, key: str) -> str | None:
        """``key`` with its ROI name replaced by the ROI's label; None for an ROI the
        structure set does not name (it cannot be matched across tools)."""
        for prefix in ROI_PREFIXES:
            if not key.startswith(prefix):
                continue
            rest = key[len(prefix):]
            for name in sorted(self.labels, key=len, reverse=True):
                if rest.startswith(name + "."):
                    return prefix + self.labels[name] + rest[len(name):]
            normalised = {_norm(name): label for name, label in self.labels.items()}
            parts = rest.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                label = normalised.get(_norm(".".join(parts[:cut])))
                if label is not None:
                    return prefix + label + "." + ".".join(parts[cut:])
            return None
        return key

    def value(self, key: str, value: Any) -> Any:
        """A list of ROI names as labels (in a stable order: tools list them differently)."""
        if key == "rtstruct.roi_names" and isinstance(value, list):
            normalised = {_norm(name): label for name, label in self.labels.items()}
            return sorted(self.labels.get(str(v)) or normalised.get(_norm(str(v))) or "unlisted ROI" for v in value)
        return value


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def dvh_levels(set_dir: Path) -> set[float]:
    """The dose levels the set's points.json names: the V metrics compared."""
    try:
        levels = json.loads((set_dir / "points.json").read_text())["dvh"]["dose_levels_gy"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {float(level) for values in levels.values() for level in values}


def reported_values(check: Check | None, result: CheckResult, rois: RoiNames, levels: set[float]) -> dict[str, Any]:
    """What the check reported that tools are compared on, under canonical keys."""
    if check is None:
        return {}
    observed = with_read_from(check, result.observed)
    patterns = [*check.judge, *check.optional]
    out = {}
    for key, value in observed.items():
        if not compared(key) or not any(fnmatch.fnmatchcase(key, p) for p in patterns):
            continue
        if (level := _V_KEY.search(key)) and float(level["level"]) not in levels:
            continue
        canonical = rois.canonical(key)
        if canonical is not None and canonical not in out:
            out[canonical] = rois.value(key, value)
    return out


def judge_set(dataset: DataSet, set_dir: Path, tools: list[ToolResult], manifests: dict[str, Manifest],
              reference_truth: dict[str, Quantity], keep_roi_names: bool) -> OwnSet:
    """The set's vendor reference, consensus and every tool's checks on it."""
    rois = RoiNames.of(set_dir, keep_roi_names)
    levels = dvh_levels(set_dir)
    vendor = read_vendor_reference(set_dir)
    vendor_values = {}
    for value in vendor.values.values():
        key = rois.canonical(value.key)
        if key is None or ((level := _V_KEY.search(key)) and float(level["level"]) not in levels):
            continue
        vendor_values[key] = value

    conventions = readings(set_dir, rois)
    stated = vendor.values.get("plan.prescription_gy")
    prescription = float(stated.value) if stated is not None else None
    rows: list[tuple[ToolResult, CheckResult, dict[str, Any]]] = []
    for tool in tools:
        manifest = manifests.get(tool.key)
        checks = {c.id: c for c in manifest.checks} if manifest else {}
        for result in tool.checks:
            if result.fixture != dataset.label:
                continue
            values = reported_values(checks.get(result.id), result, rois, levels) if result.status == "observed" else {}
            rows.append((tool, result, values))

    per_key: dict[str, dict[str, Any]] = {}
    for tool, _result, values in rows:
        for key, value in values.items():
            per_key.setdefault(key, {}).setdefault(tool.key, value)

    # the conventions each tool's manifest declares it follows, citing where (see judge.compare),
    # and for every tool the readings the reference sets' truth itself is defined by: on own
    # data the consensus may land on a convention, and a tool reading the file as the
    # standard does is never its outlier for that
    declared = {key: {**STANDARD_READINGS,
                      **{name: source for check in manifest.checks for name, source in check.conventions.items()}}
                for key, manifest in manifests.items() if manifest is not None}
    verdicts: dict[tuple[str, str], OwnVerdict] = {}
    for key, value in vendor_values.items():
        # What the export states is the reference: no reading of ours (our contour volume
        # with or without end caps) may stand in for it and pass a tool by convention.
        quantity = Quantity(key, value.value, value.tolerance, value.unit)
        for tool_key, got in per_key.get(key, {}).items():
            verdicts[(tool_key, key)] = _own(compare(key, got, quantity, value.tolerance,
                                                     Context(declared=declared.get(tool_key, {}))), "vendor")
    consensus_records = []
    voices = independent_voices(manifests)
    for key in sorted(per_key):
        if key in vendor_values:
            continue
        rule = rule_for(key, reference_truth, prescription)
        consensus = form(key, per_key[key], rule, _alternatives(conventions, key, rule.tolerance), voices, declared)
        for tool_key, verdict in consensus.verdicts.items():
            verdicts[(tool_key, key)] = _own(verdict, "consensus")
        consensus_records.append(ConsensusRecord(
            key=key, formed=consensus.formed, value=consensus.value, unit=consensus.rule.unit,
            tolerance=describe_tolerance(consensus.rule.tolerance, consensus.rule.unit), rule=consensus.rule.why,
            tools=len(consensus.reported), agreeing=list(consensus.agreeing),
            outliers=[consensus.describe_outlier(tool) for tool in consensus.outliers], spread=consensus.spread,
            why_not=consensus.why_not))

    referenced = set(vendor_values) | {c.key for c in consensus_records if c.formed}
    checks = [_check(tool, result, values, verdicts, manifests.get(tool.key), _expected(referenced, tool, result,
                                                                                       manifests))
              for tool, result, values in rows]
    return OwnSet(label=dataset.label, description=dataset.describe(), probes=list(dataset.probes),
                  notes=list(dataset.notes), vendor_notes=vendor.notes,
                  vendor=[VendorRecord(key=k, value=v.value, unit=v.unit, rule=v.rule,
                                       tolerance=describe_tolerance(v.tolerance, v.unit))
                          for k, v in sorted(vendor_values.items())],
                  consensus=consensus_records, checks=checks)


#: Readings the reference truth defines its quantities by (see its notes): credited to any tool.
STANDARD_READINGS = {
    INFERIOR_SLICE: "the reference sets' own reading: the most inferior slice's ImagePositionPatient",
    HALF_SLICE_CAPS: "the reference sets' own reading: each contour's area times the slice spacing",
}


def readings(set_dir: Path, rois: RoiNames) -> dict[str, dict[str, Any]]:
    """Key -> {convention: value}: what each reading in clinical use gives, computed from
    the set's own files (a structure's volume with and without end caps, the CT's origin
    three ways). A tool off the consensus but on one of these follows a convention."""
    out: dict[str, dict[str, Any]] = {}
    if (origins := origin_readings(set_dir)):
        out["ct.origin_mm"] = origins
    rs_path = set_dir / "RS.dcm"
    if rs_path.is_file():
        try:
            volumes = structure_volumes(rs_path)
        except READ_ERRORS:  # contours the tools will fail on too; no convention to offer then
            volumes = {}
        for name, found in volumes.items():
            label = rois.labels.get(name)
            if label is not None:
                both = {NO_END_CAPS.name: found.no_end_caps_cc, HALF_SLICE_CAPS: found.end_caps_cc}
                out[f"rtstruct.roi.{label}.volume_cc"] = out[f"dvh.{label}.volume_cc"] = both
    return out


def _alternatives(conventions: dict[str, dict[str, Any]], key: str, tolerance) -> tuple[Alternative, ...]:
    return tuple(Alternative(name, value, tolerance) for name, value in conventions.get(key, {}).items())


def _own(verdict: Verdict, source: str) -> OwnVerdict:
    return OwnVerdict(key=verdict.key, source=source, passed=verdict.passed, convention=verdict.convention,
                      observed=verdict.observed,
                      reference=verdict.expected, tolerance=verdict.tolerance, unit=verdict.unit,
                      deviation=verdict.deviation, message=verdict.message)


def _expected(referenced: set[str], tool: ToolResult, result: CheckResult, manifests: dict[str, Manifest]) -> int:
    """How many quantities with a reference (vendor, or a formed consensus) the check
    declares it judges: what it could have been compared on."""
    manifest = manifests.get(tool.key)
    check = next((c for c in manifest.checks if c.id == result.id), None) if manifest else None
    if check is None:
        return 0
    return sum(1 for key in referenced if any(fnmatch.fnmatchcase(key, p) for p in check.judge))


def _check(tool: ToolResult, result: CheckResult, values: dict[str, Any],
           verdicts: dict[tuple[str, str], OwnVerdict], manifest: Manifest | None, expected: int = 0) -> OwnCheck:
    common = {"tool": tool.key, "check": result.id, "capability": result.capability, "reported": len(values)}
    if result.status != "observed":
        return OwnCheck(status=result.status, reason=result.reason, **common)
    mine = [verdicts[(tool.key, key)] for key in values if (tool.key, key) in verdicts]
    failed = [v for v in mine if not v.passed]
    if failed:
        shown = "; ".join(f"{v.message} [{v.source}]" for v in failed[:3])
        more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
        status, reason = "fail", f"{len(failed)} of {len(mine)} differ: {shown}{more}"
        xfail = next((c.xfail for c in (manifest.checks if manifest else []) if c.id == result.id and c.xfail), None)
        if xfail is not None:
            status, reason = "xfail", f"known: {xfail.reason} ({reason})"
    elif mine:
        sources = sorted({v.source for v in mine})
        under = sorted({v.convention for v in mine if v.convention})
        status = "pass"
        reason = f"{len(mine)} quantities agree with the {' and the '.join(sources)} reference" + \
            (f" ({len([v for v in mine if v.convention])} under convention: {', '.join(under)})" if under else "")
    elif not values and expected:
        # The export or the other tools give what this check reads, and it read none of it.
        status, reason = "fail", f"reported none of the {expected} quantities the export or the other tools give"
    else:
        status = "unjudged"
        reason = (f"{len(values)} quantities reported; none has a vendor reference or a consensus of enough tools"
                  if values else "reported none of the quantities tools are compared on")
    if status != "pass" and "[tool errors:" in result.reason:  # what the tool said went wrong explains it
        reason += " " + result.reason[result.reason.index("[tool errors:"):]
    return OwnCheck(status=status, reason=reason, verdicts=sorted(mine, key=lambda v: v.key), **common)
