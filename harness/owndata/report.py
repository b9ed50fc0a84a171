"""The own-data report in Markdown: which tools read each set, how they compare with
what the export says (vendor) and with each other (consensus), and who stands apart.

Rendered from the already de-identified :class:`OwnDataResults`; nothing here reads
the data.
"""

from __future__ import annotations

from harness.owndata.model import OwnCheck, OwnDataResults, OwnSet

SHOWN_CONSENSUS = 40


def render_markdown(results: OwnDataResults) -> str:
    run, index = results.run, results.index
    partial = " (partial: the run was interrupted)" if run.partial else ""
    roi_names = ("ROI names are kept (--keep-roi-names)." if run.keep_roi_names else
                 "ROIs by their number (ROI-<number>; --keep-roi-names keeps the names).")
    lines = ["# rtcompat: own data", "",
             f"Run started {run.started}, finished {run.finished}, harness {run.harness_version}{partial}.", "",
             (f"Indexed {index.files} files: {index.dicom_objects} DICOM objects, {index.not_dicom} not DICOM, "
              f"{len(index.unreadable)} unreadable, {index.truncated} truncated, {index.duplicates} duplicate "
              "instances."), ""]
    accounted = index.accounts or index.unreadable  # results written before files were accounted one by one
    lines += [f"- {line}" for line in accounted + index.unused] + ([""] if accounted or index.unused else [])
    lines += [("This report names no patient, person, place, date, UID or description: sets are labelled by a "
               f"digest of their anchor object, {roi_names}"), "",
              ("Two references, kept apart: **vendor** values are what the export itself carries (the planning "
               "system's DVHs in the RT Dose, prescription and metersets in the RT Plan); **consensus** is the "
               "median of at least three tools, formed only when most of them agree within the quantity's "
               "tolerance."), ""]
    lines += ["## Sets", "", "| set | objects | probes | notes |", "|---|---|---|---|"]
    for s in results.sets:
        lines.append(f"| {s.label} | {s.description} | {', '.join(s.probes) or '-'} | {'; '.join(s.notes) or '-'} |")
    lines += ["", "## Tools by set", ""]
    lines += _matrix(results)
    for s in results.sets:
        lines += ["", f"## {s.label}", "", f"{s.description}. Probes: {', '.join(s.probes) or 'none'}."]
        lines += [f"- {note}" for note in s.notes + s.vendor_notes]
        lines += ["", "### Decision table", ""]
        lines += decision_table(s)
        lines += ["", "### Vendor reference", ""]
        lines += _vendor(s)
        lines += ["", "### Consensus", ""]
        lines += _consensus(s)
        lines += ["", "### Checks", "", "| tool | check | status | reason |", "|---|---|---|---|"]
        for check in s.checks:
            lines.append(f"| {check.tool} | {check.check} | {_status(check)} | {_cell(check.reason)} |")
    tools = [t for t in results.tools if t.install != "pass"]
    if tools:
        lines += ["", "## Tools that did not run", ""]
        lines += [f"- {t.name}: {t.install}: {t.reason}" for t in tools]
    return "\n".join(lines) + "\n"


def decision_table(s: OwnSet) -> list[str]:
    """Tool x capability: the result and the largest difference from the reference, in
    the quantity's unit and, for doses, in percent of the plan's prescription: what a
    physicist needs to decide whether a tool can be used on this kind of export."""
    stated = next((v.value for v in s.vendor if v.key == "plan.prescription_gy"), None)
    prescription = float(stated) if isinstance(stated, int | float) and stated > 0 else None
    capabilities = sorted({c.capability for c in s.checks})
    if not capabilities:
        return ["No tool ran a check on this set."]
    out = ["| tool | " + " | ".join(capabilities) + " |", "|---|" + "---|" * len(capabilities)]
    for tool in sorted({c.tool for c in s.checks}):
        cells = []
        for capability in capabilities:
            mine = [c for c in s.checks if c.tool == tool and c.capability == capability]
            cells.append(_decision(mine, prescription) if mine else "·")
        out.append(f"| {tool} | " + " | ".join(cells) + " |")
    basis = f"the plan's {prescription:g} Gy prescription" if prescription else "no prescription in the export"
    out += ["", f"Each cell: the result, then the largest difference from the reference (vendor or consensus) "
                f"and the quantity it is in; doses also in percent of {basis}."]
    return out


def _decision(checks: list[OwnCheck], prescription: float | None) -> str:
    status = _summary(checks).split(" (")[0]
    worst = None
    for verdict in (v for c in checks for v in c.verdicts):
        if isinstance(verdict.observed, int | float) and isinstance(verdict.reference, int | float) \
                and not isinstance(verdict.observed, bool):
            difference = float(verdict.observed) - float(verdict.reference)
            if worst is None or abs(difference) > abs(worst[0]):
                worst = (difference, verdict)
    if worst is None or abs(worst[0]) <= 1e-9 * max(1.0, abs(float(worst[1].reference))):
        return status  # every value equal to its reference: nothing to size
    difference, verdict = worst
    if verdict.unit == "Gy":
        size = f"{difference:+.3g} Gy" + (f" ({100 * difference / prescription:+.2g} % of Rx)" if prescription else "")
    elif verdict.unit == "%":
        size = f"{difference:+.3g} percentage points"
    elif verdict.reference:
        size = f"{difference:+.3g} {verdict.unit} ({100 * difference / float(verdict.reference):+.2g} %)".replace(
            "  ", " ")
    else:
        size = f"{difference:+.3g} {verdict.unit}".strip()
    return f"{status}: {size}, {_cell(verdict.key, 60)}"


def _matrix(results: OwnDataResults) -> list[str]:
    labels = [s.label for s in results.sets]
    out = ["| tool | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for tool in results.tools:
        cells = []
        for s in results.sets:
            mine = [c for c in s.checks if c.tool == tool.key]
            if mine:
                cells.append(_summary(mine))
            else:
                cells.append({"pass": "no check reads this set", "unavailable": "n/a"}.get(tool.install, tool.install))
        out.append(f"| {tool.name}{' ' + tool.version if tool.version else ''} | " + " | ".join(cells) + " |")
    return out


def _summary(checks: list[OwnCheck]) -> str:
    statuses = [c.status for c in checks]
    judged = sum(len(c.verdicts) for c in checks)
    wrong = sum(1 for c in checks for v in c.verdicts if not v.passed)
    for status in ("error", "fail", "xfail"):
        if status in statuses:
            detail = f" ({wrong} of {judged} differ)" if wrong else " (read none of what the others read)" \
                if status == "fail" else ""
            return f"{'FAIL' if status == 'fail' else status}{detail}"
    if "pass" in statuses:
        return f"pass ({judged} compared)"
    return statuses[0] if len(set(statuses)) == 1 else ", ".join(sorted(set(statuses)))


def _vendor(s: OwnSet) -> list[str]:
    if not s.vendor:
        return ["The export carries no vendor reference for this set (no DVH Sequence in an RT Dose, no RT Plan)."]
    dvh = sorted({v.key.split(".")[1] for v in s.vendor if v.key.startswith("dvh.")})
    plan = [v for v in s.vendor if v.key.startswith("plan.")]
    out = [f"{len(s.vendor)} values: DVHs of {len(dvh)} ROIs ({', '.join(dvh) or '-'}), {len(plan)} plan values.", "",
           "| tool | compared | within | first difference |", "|---|---|---|---|"]
    for check in s.checks:
        vendor = [v for v in check.verdicts if v.source == "vendor"]
        if not vendor:
            continue
        wrong = [v for v in vendor if not v.passed]
        first = wrong[0].message if wrong else "-"
        out.append(f"| {check.tool} ({check.check}) | {len(vendor)} | {len(vendor) - len(wrong)} | {_cell(first)} |")
    return out


def _consensus(s: OwnSet) -> list[str]:
    formed = [c for c in s.consensus if c.formed]
    refused = [c for c in s.consensus if not c.formed]
    out = [f"Formed for {len(formed)} quantities; none for {len(refused)} "
           f"({_reasons(refused)})." if s.consensus else "No quantity was reported by any tool."]
    outliers = [line for c in formed for line in c.outliers]
    if outliers:
        out += ["", "Outliers:", ""] + [f"- {line}" for line in outliers]
    if formed:
        out += ["", "| quantity | consensus | tools | agreeing | spread | tolerance |", "|---|---|---|---|---|---|"]
        shown = sorted(formed, key=lambda c: (not c.outliers, c.key))[:SHOWN_CONSENSUS]
        for c in shown:
            value = f"{c.value:.4g}" if isinstance(c.value, float) else _cell(str(c.value))
            out.append(f"| {c.key} | {value} {c.unit} | {c.tools} | {len(c.agreeing)} | {c.spread or '-'} | "
                       f"{c.tolerance} |")
        if len(formed) > SHOWN_CONSENSUS:
            out.append(f"\n{len(formed) - SHOWN_CONSENSUS} more in own-data.json.")
    return out


def _reasons(refused) -> str:
    counts: dict[str, int] = {}
    for c in refused:
        reason = "too few tools" if c.why_not.startswith("only") else "no majority" \
            if c.why_not.startswith("no majority") else c.why_not
        counts[reason] = counts.get(reason, 0) + 1
    return ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items())) or "-"


def _status(check: OwnCheck) -> str:
    return "FAIL" if check.status == "fail" else check.status


def _cell(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 3] + "..."
