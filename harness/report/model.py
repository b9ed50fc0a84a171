"""The report's view of a run: the catalogue as a matrix of tools x capabilities.

Plain data computed once from Results, so the Markdown and HTML templates only lay it
out and never decide anything themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from harness.history import Trend
from harness.manifest import CAPABILITIES, SECTIONS
from harness.report.findings import convention_titles, slug
from harness.report.summary import physical, worst_of
from harness.report.svg import Plot, Point, numeric_points
from harness.results import CheckResult, Results, ToolResult

# Worst first: a cell holding several checks shows the most alarming status.
SEVERITY = ("fail", "error", "xfail", "skip", "unavailable", "pass")
LABELS = {"pass": "pass", "fail": "FAIL", "error": "error", "skip": "skip", "unavailable": "n/a",
          "xfail": "xfail"}

#: What each status word means, said once for the legend and the glossary.
STATUS_TEXT = {
    "pass": "the tool ran and every judged quantity was within tolerance of the fixture truth",
    "fail": "the tool ran and was wrong, crashed or timed out: its own behaviour, with the evidence",
    "error": "the testbed broke (an install, the engine, our code); says nothing about the tool",
    "skip": "cannot run on this machine (offline, no container engine, no root); the reason says what would run it",
    "unavailable": "proprietary or platform-bound: no testbed can install it",
    "xfail": "a known incompatibility, declared in the manifest with its upstream report; still judged each run",
}
#: The report's own words, for a reader who meets them first in a table.
WORDS = {
    "fixture set": "a directory of synthetic DICOM-RT files (CT series, RT Structure Set, RT Plan, RT Dose) made by "
                   "rtcompat's generator, with the truth of every quantity computed analytically; the reference set, "
                   "and variants that each change one thing a planning system or scanner changes",
    "check": "one question put to a tool on one fixture set, through the tool's own API or application: a check "
             "program prints what the tool reports, and the harness judges each quantity against the set's truth",
    "observed value": "what the tool reported, as its check program printed it; where the tool has no call for a "
                      "quantity (a mean HU over a disc, a dose at a point), the check program computes it from the "
                      "tool's own arrays and coordinates, as its source shows; the expected value, deviation and "
                      "verdict are computed by the harness, never by the tool or its check program",
    "defect": "a finding the tool's authors would call a bug: a value the DICOM standard defines, read wrong",
    "limitation": "a finding of something the tool does not do (a codec it lacks, a dialog a batch run cannot "
                  "close): not a wrong number, but no number",
    "convention": "a reading real systems use that differs from the standard's strict one (a structure volume "
                  "without end caps, a DVH dose off a histogram bin); credited only where the manifest declares it "
                  "and the tool's own output shows it",
    "smoke test": "a check that an application starts and runs its own analysis; it says \"it runs here\", not that it "
                  "reads DICOM-RT right",
    "runtime": "what a finding depends on besides the tool: the interpreter it ran under (GNU Octave here; CERR and "
               "matRad are also used under MATLAB, which may behave otherwise)",
}
#: The summary's cell states: a capability of one tool over all its checks and quantities.
STATES = {
    "pass": "every quantity of every check of this capability within tolerance",
    "partial": "some quantities right, some wrong",
    "fail": "no quantity right, the tool crashed or timed out, or its release cannot install on any machine "
            "(Python 2 code: the tool's section names the lines)",
    "error": "the testbed failed; nothing is known about the tool",
    "not tested": "skipped on this machine: proprietary, offline, or needing what this machine lacks (the tool's "
                  "section says why and how to run it)",
}


# Trend classes worth flagging in the matrix, most urgent first.
NOTABLE = ("regression", "flaky", "recovered")
SPARK_RUNS = 20


@dataclass(frozen=True)
class Cell:
    status: str | None
    reason: str = ""
    check_ids: tuple[str, ...] = ()
    trend: str = ""
    #: named conventions the passing values follow (shown as "pass (convention: ...)")
    conventions: tuple[str, ...] = ()
    #: (label, anchor) of the findings that explain this cell's failures
    findings: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        if not self.status:
            return ""
        text = LABELS.get(self.status, "")
        if self.status == "pass" and self.conventions:
            text += f" (convention: {convention_titles(list(self.conventions))})"
        return text


@dataclass(frozen=True)
class CheckView:
    """A check as the tool section shows it: its result, its history, its DVH plots."""

    check: CheckResult
    trend: Trend | None = None
    #: the analytic DVH curves of the check's fixture set, by ROI (what its plots are drawn over)
    curves: Mapping[str, tuple[Point, ...]] = field(default_factory=dict, repr=False, compare=False)
    findings: tuple[tuple[str, str], ...] = ()

    @cached_property
    def plots(self) -> tuple[Plot, ...]:
        """Drawn when a page asks (the tool's own, written by a worker), not for every check
        while the model is built."""
        return dvh_plots(self.check, self.curves)

    @property
    def label(self) -> str:
        """The check's status, with the word the summary uses for its quantities: a FAIL
        with some quantities right is the summary's "partial", and says so."""
        text = LABELS[self.check.status]
        if self.check.status == "pass" and self.check.conventions:
            text += f" (convention: {convention_titles(self.check.conventions)})"
        right = sum(1 for v in self.check.verdicts if v.passed)
        if self.check.status in ("fail", "xfail") and 0 < right < len(self.check.verdicts):
            text += " (partial)"
        return text

    @property
    def worst(self) -> str:
        """The wrong value furthest beyond its tolerance, in its unit: what the check's row
        leads with (a check's reason names the first wrong value, not the worst)."""
        wrong = [v for v in self.check.verdicts if not v.passed]
        worst = worst_of([v for v in wrong if v.observed is not None] or wrong)
        if worst is None:
            return ""
        deviation = f" ({worst.deviation})" if worst.deviation and worst.observed is not None else ""
        return f"worst {physical(worst)}{deviation}"

    @property
    def recent(self) -> tuple[tuple[str, str | None], ...]:
        return self.trend.statuses[-SPARK_RUNS:] if self.trend else ()


@dataclass(frozen=True)
class Row:
    tool: ToolResult
    cells: dict[str, Cell]
    status: str
    checks: tuple[CheckView, ...] = ()

    # Cached: the templates ask for these once per line they write, and a tool of many
    # sets has thousands of rows (a row's checks never change after it is built).
    @cached_property
    def main_checks(self) -> tuple[CheckView, ...]:
        """The rows shown in full: each check on the reference set (or on the one set it names)."""
        return tuple(v for v in self.checks if not self._on_variant(v))

    @cached_property
    def variant_checks(self) -> tuple[CheckView, ...]:
        """The same checks on the variant fixture sets."""
        return tuple(v for v in self.checks if self._on_variant(v))

    @cached_property
    def detailed_checks(self) -> tuple[CheckView, ...]:
        """Rows whose verdicts, plots and errors the tool's section shows: the main ones,
        and each variant row that did not pass (a pass there adds nothing to read)."""
        return self.main_checks + tuple(v for v in self.variant_checks if v.check.status in ("fail", "error", "xfail"))

    @cached_property
    def _sets_of_check(self) -> dict[str, int]:
        """How many fixture sets each check id ran on."""
        found: dict[str, set[str]] = {}
        for view in self.checks:
            found.setdefault(view.check.id, set()).add(view.check.fixture)
        return {check_id: len(sets) for check_id, sets in found.items()}

    def _on_variant(self, view: CheckView) -> bool:
        return view.check.fixture != "reference" and self._sets_of_check[view.check.id] > 1

    @property
    def slug(self) -> str:
        return slug(self.tool.key)

    @property
    def anchor(self) -> str:
        return f"tool-{self.slug}"

    @property
    def badge(self) -> tuple[str, str]:
        return badge_message(self.tool)


def badge_message(tool: ToolResult) -> tuple[str, str]:
    """``(message, status)``: how many checks passed, always counted the same way
    (``5/5 pass``, ``2/5 pass``), coloured by the worst status among them; ``skip`` or
    ``n/a`` when nothing ran."""
    if not tool.checks:
        return LABELS[tool.install.status], tool.install.status
    passed = sum(1 for c in tool.checks if c.status == "pass")
    return f"{passed}/{len(tool.checks)} pass", overall_status(tool)


@dataclass
class Section:
    name: str
    rows: list[Row] = field(default_factory=list)


def capabilities_in(results: Results) -> list[str]:
    used = {c.capability for t in results.tools for c in t.checks}
    return [c for c in CAPABILITIES if c in used] or list(CAPABILITIES)


def overall_status(tool: ToolResult) -> str:
    statuses = [c.status for c in tool.checks] or [tool.install.status]
    if tool.install.status in ("skip", "unavailable", "error") and not tool.checks:
        return tool.install.status
    return min(statuses, key=SEVERITY.index)


Trends = Mapping[tuple[str, str], Trend]
Curves = Mapping[str, Mapping[str, tuple[Point, ...]]]  # fixture set -> ROI -> analytic curve
#: (tool key, check id) -> the (label, anchor) of each finding explaining its failures
FindingLinks = Mapping[tuple[str, str], tuple[tuple[str, str], ...]]


def build_sections(results: Results, trends: Trends | None = None, curves: Curves | None = None,
                   links: FindingLinks | None = None) -> list[Section]:
    trends, curves, links = trends or {}, curves or {}, links or {}
    capabilities = capabilities_in(results)
    sections = {name: Section(name) for name in SECTIONS}
    for tool in results.tools:
        views = tuple(CheckView(c, trends.get((tool.key, c.key)), curves.get(c.fixture, {}),
                                links.get((tool.key, c.key), ()))
                      for c in tool.checks)
        cells = {capability: _cell([v for v in views if v.check.capability == capability])
                 for capability in capabilities}
        row = Row(tool, cells, overall_status(tool), views)
        sections.setdefault(tool.section, Section(tool.section)).rows.append(row)
    return [s for s in sections.values() if s.rows]


def _cell(views: list[CheckView]) -> Cell:
    if not views:
        return Cell(None)
    worst = min(views, key=lambda v: SEVERITY.index(v.check.status)).check
    kinds = {v.trend.kind for v in views if v.trend}
    trend = next((k for k in NOTABLE if k in kinds), "")
    conventions = tuple(sorted({c for v in views if v.check.status == "pass" for c in v.check.conventions}))
    findings = tuple(dict.fromkeys(link for v in views for link in v.findings))
    return Cell(worst.status, worst.reason, tuple(v.check.id for v in views), trend, conventions, findings)


_DOSE_AT = re.compile(r"^dvh\.(?P<roi>.+)\.D(?P<pct>\d+(?:\.\d+)?)_gy$")
_VOLUME_AT = re.compile(r"^dvh\.(?P<roi>.+)\.V(?P<gy>\d+(?:\.\d+)?)gy_pct$")


def dvh_plots(check: CheckResult, truth: Mapping[str, tuple[Point, ...]]) -> tuple[Plot, ...]:
    """A plot per ROI the check measured: its ``dvh.<ROI>.curve`` if it reported one,
    else its Dx and Vx values as points, over the analytic curve when known. Only dvh
    checks: some programs print every quantity they read, whatever the check."""
    if check.capability != "dvh":
        return ()
    curves: dict[str, tuple[Point, ...]] = {}
    points: dict[str, list[Point]] = {}
    for key, value in check.observed.items():
        if key.startswith("dvh.") and key.endswith(".curve") and (curve := numeric_points(value)):
            curves[key[4:-6]] = curve
        elif (match := _DOSE_AT.match(key) or _VOLUME_AT.match(key)) and numeric_points([[0, value]]):
            dose, volume = (value, float(match["pct"])) if "pct" in match.groupdict() else (float(match["gy"]), value)
            if numeric_points([[float(dose), float(volume)]]):  # a level like V1e400 is no point to draw
                points.setdefault(match["roi"], []).append((float(dose), float(volume)))
    rois = [r for r in truth if r in curves or r in points]
    rois += sorted(r for r in curves if r not in truth)
    return tuple(Plot(roi, truth.get(roi, ()), curves.get(roi, ()), () if roi in curves else tuple(sorted(points[roi])),
                      judged_text(check, roi))
                 for roi in rois)


def judged_text(check: CheckResult, roi: str) -> str:
    """The pass criterion of one ROI's plot: its judged DVH values, and the worst miss."""
    verdicts = [v for v in check.verdicts if v.key.startswith(f"dvh.{roi}.") and not v.key.endswith(".curve")]
    if not verdicts:
        return ""
    wrong = [v for v in verdicts if not v.passed]
    text = f"{len(verdicts) - len(wrong)} of {len(verdicts)} judged DVH values within tolerance"
    if wrong:
        worst = worst_of(wrong)
        text += f"; worst {physical(worst)}" + (f" (tolerance {worst.tolerance})" if worst.tolerance else "")
    return text


def load_curves(fixtures_root: Path, fixture: str) -> tuple[dict[str, tuple[Point, ...]], str | None]:
    """The analytic DVH curves of one fixture set, or a warning saying why there are none."""
    path = fixtures_root / fixture / "truth.json"
    try:
        data = json.loads(path.read_text())
        curves = {str(roi): numeric_points(points) for roi, points in data.get("curves", {}).items()}
    except (OSError, ValueError, AttributeError) as exc:
        return {}, f"{path}: no analytic DVH curves ({exc})"
    return {roi: c for roi, c in curves.items() if c}, None
