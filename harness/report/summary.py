"""The report's first screen: capability by tool, each cell in physical terms.

A physicist choosing tools asks per capability "who reads RT Dose correctly?", not per
check. A cell gathers a tool's checks of one capability and says pass, partial (some
quantities right, some wrong), FAIL (none right), not tested (skipped or n/a) or error;
how many quantities the verdict rests on; and the worst deviation in physical units with
its severity: within tolerance, beyond it, or beyond the action level (ten tolerances,
or a factor of ten and more: a unit error). Smoke tests of whole applications (startup,
QA analysis) are kept apart: they say "it runs", not "it reads DICOM-RT right".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from harness.manifest import CAPABILITIES
from harness.results import CheckResult, ToolResult, VerdictRecord

SMOKE_CAPABILITIES = ("startup", "qa-analysis")
JUDGED_CAPABILITIES = tuple(c for c in CAPABILITIES if c not in SMOKE_CAPABILITIES)
#: Beyond this many tolerances, and this share of the value, a deviation is at the action
#: level (as is a factor of 10: a unit error). A 0.3 MU rounding of 238 MU is 30 tolerances
#: of an exact field but 0.1 % of the value: beyond tolerance, not an action level.
ACTION_MARGIN = 10.0
ACTION_RELATIVE = 0.05

SEVERITIES: dict[str, str] = {
    "within": "within tolerance",
    "convention": "within tolerance of a named convention",
    "beyond": "beyond tolerance, under 10 tolerances",
    "action": "beyond the action level: 10 tolerances or more and at least 5 % of the value, or off by a "
              "factor of 10 (a unit error)",
    "wrong": "an exact value (a name, a count, a code string) that differs",
    "missing": "not reported: the tool gave no value",
}
#: A verdict table's words for each severity.
SEVERITY_LABELS = {"within": "ok", "convention": "convention", "beyond": "beyond tolerance",
                   "action": "beyond the action level", "wrong": "wrong", "missing": "not reported"}
#: Worst first, for a row's overall state.
STATE_ORDER = ("fail", "partial", "error", "not tested", "pass")
#: Worst first, for choosing the deviation a cell shows.
SEVERITY_ORDER = ("action", "wrong", "missing", "beyond", "convention", "within")


def severity(verdict: VerdictRecord) -> str:
    """How bad one verdict is, by its margin in tolerances."""
    if verdict.outcome == "convention":
        return "convention"
    if verdict.passed:
        return "within"
    if verdict.observed is None:
        return "missing"
    if verdict.deviation.startswith("x "):
        return "action"
    if verdict.margin is None:
        return "wrong"
    relative = relative_deviation(verdict)
    if verdict.margin >= ACTION_MARGIN and (relative is None or relative >= ACTION_RELATIVE):
        return "action"
    return "beyond"


def relative_deviation(verdict: VerdictRecord) -> float | None:
    """|observed - expected| / |expected|, the largest over a list's elements; None when
    not numeric or the expected value is zero."""
    pairs = (list(zip(verdict.observed, verdict.expected))
             if isinstance(verdict.observed, list) and isinstance(verdict.expected, list)
             else [(verdict.observed, verdict.expected)])
    found = [abs(o - e) / abs(e) for o, e in pairs
             if _numeric(o) and _numeric(e) and e != 0]
    return max(found) if found else None


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_DVH_KEY = re.compile(r"^dvh\.(?P<roi>.+?)\.(?P<metric>[DV][\d.]+\w*|min_gy|max_gy|mean_gy|curve)$")
_UNIT_SUFFIXES = ("_cc", "_gy", "_pct", "_mm", "_mu", "_deg", "_voxels", "_hu")
_DOMAINS = {"ct": "CT", "dose": "dose", "plan": "", "rtstruct": ""}


def short_key(key: str) -> str:
    """A truth key as a reader says it: ``rtstruct.roi.Sphere.volume_cc`` -> ``Sphere volume``,
    ``dose.max_gy`` -> ``dose max``, ``plan.total_meterset_mu`` -> ``total meterset``."""
    parts = key.split(".")
    if key.startswith("rtstruct.roi.") and len(parts) >= 4:
        return f"{'.'.join(parts[2:-1])} {_bare(parts[-1])}"
    if match := _DVH_KEY.match(key):
        metric = _bare(match["metric"])
        return f"{match['roi']} {metric[:-2] + 'Gy' if metric.startswith('V') and metric.endswith('gy') else metric}"
    if len(parts) < 2:
        return key
    prefix = _DOMAINS.get(parts[0], parts[0])
    words = " ".join([prefix, *(_bare(p) for p in parts[1:])]).strip()
    return words or key


def _bare(part: str) -> str:
    for suffix in _UNIT_SUFFIXES:
        part = part.removesuffix(suffix)
    return part.replace("_", " ")


@dataclass(frozen=True)
class SummaryCell:
    """One tool's checks of one capability, summed up."""

    state: str = ""  # pass, partial, fail, not tested, error; "" when the tool has no such check
    judged: int = 0
    right: int = 0
    worst: VerdictRecord | None = None
    reason: str = ""
    conventions: tuple[str, ...] = ()
    findings: tuple[tuple[str, str], ...] = ()
    check_ids: tuple[str, ...] = ()
    missing: int = 0
    #: the most urgent history class among the cell's checks (regression, flaky, recovered)
    trend: str = ""

    @property
    def label(self) -> str:
        return {"fail": "FAIL"}.get(self.state, self.state)

    @property
    def worst_severity(self) -> str:
        return severity(self.worst) if self.worst else ""

    @property
    def css(self) -> str:
        """The status colour the cell borrows: partial is a FAIL colour with a lighter pattern."""
        return {"not tested": "skip", "partial": "partial"}.get(self.state, self.state)

    @property
    def tally(self) -> str:
        """``15/17``: quantities within tolerance of those judged."""
        return f"{self.right}/{self.judged}" if self.judged else ""

    @property
    def brief(self) -> str:
        """The cell's second line, a few words: the worst miss, or why it was not tested."""
        if self.state in ("not tested", "error"):
            return short_reason(self.reason, 44)
        worst = self.worst
        if worst is None or worst.passed:
            return "named convention" if self.conventions else ""
        if worst.observed is None:
            return f"{self.missing} not reported"
        deviation = worst.deviation.split(", ")[0] if worst.deviation else "wrong"
        return f"{deviation} {short_key(worst.key)}"

    @property
    def note(self) -> str:
        """``15/17 right; worst -9.22 % (Sphere volume)``, or why it was not tested."""
        if self.state in ("not tested", "error"):
            return self.reason
        if not self.judged:
            return ""
        text = f"{self.right}/{self.judged} right"
        if self.worst is not None and not self.worst.passed:
            if self.worst.observed is None:
                text += f"; {self.missing} not reported"
            else:
                shown = self.worst.deviation or "wrong value"
                text += f"; worst {shown} ({short_key(self.worst.key)})"
        elif self.conventions:
            text += "; under a named convention"
        return text


def summary_cell(checks: list[CheckResult], links: dict[str, tuple[tuple[str, str], ...]]) -> SummaryCell:
    """The cell for one tool's checks of one capability (``links``: check id -> findings)."""
    if not checks:
        return SummaryCell()
    ids = tuple(c.key for c in checks)
    found = tuple(dict.fromkeys(link for c in checks for link in links.get(c.key, ())))
    judged = [c for c in checks if c.status in ("pass", "fail", "xfail")]
    if not judged:
        errored = [c for c in checks if c.status == "error"]
        state = "error" if errored else "not tested"
        return SummaryCell(state, reason=(errored or checks)[0].reason, check_ids=ids)
    verdicts = [v for c in judged for v in c.verdicts]
    right = sum(1 for v in verdicts if v.passed)
    # a check that failed with every verdict right crashed after its output: not a pass
    crashed = any(c.status in ("fail", "xfail") and all(v.passed for v in c.verdicts) for c in judged)
    if all(c.status == "pass" for c in judged):
        state = "pass"
    elif right == 0 or crashed:
        state = "fail"
    else:
        state = "partial"
    worst = worst_of(verdicts)
    conventions = tuple(sorted({name for c in judged for name in c.conventions}))
    reason = next((c.reason for c in judged if c.status != "pass"), "")
    missing = sum(1 for v in verdicts if v.observed is None and not v.passed)
    return SummaryCell(state, len(verdicts), right, worst, reason, conventions, found, ids, missing)


@dataclass(frozen=True)
class Interop:
    """A capability across the catalogue: how many of the tools tested on it pass (wpt.fyi's
    interop score)."""

    capability: str
    passing: int
    tested: int

    @property
    def text(self) -> str:
        return f"{self.passing}/{self.tested}" if self.tested else "-"


def interop(rows: list[SummaryRow], capabilities: list[str]) -> list[Interop]:
    """Per capability, the tools whose cell is pass among those judged on it."""
    cells = {c: [row.cells[c].state for row in rows if c in row.cells] for c in capabilities}
    return [Interop(c, sum(1 for s in states if s == "pass"),
                    sum(1 for s in states if s in ("pass", "partial", "fail"))) for c, states in cells.items()]


@dataclass
class SummaryRow:
    tool: ToolResult
    anchor: str
    cells: dict[str, SummaryCell] = field(default_factory=dict)
    smoke: dict[str, SummaryCell] = field(default_factory=dict)

    @property
    def judged_any(self) -> bool:
        return any(cell.state for cell in self.cells.values())

    @property
    def state(self) -> str:
        """The row's worst cell state; a tool without checks is "not tested" or "error"."""
        states = [c.state for c in (*self.cells.values(), *self.smoke.values()) if c.state]
        if not states:
            return "error" if self.tool.install.status == "error" else "not tested"
        return min(states, key=STATE_ORDER.index)

    @property
    def fixtures(self) -> str:
        return " ".join(sorted({c.fixture for c in self.tool.checks}))

    @property
    def finding_labels(self) -> str:
        cells = (*self.cells.values(), *self.smoke.values())
        return " ".join(dict.fromkeys(label for cell in cells for label, _ in cell.findings))


#: History classes worth flagging in a cell, most urgent first.
NOTABLE_TRENDS = ("regression", "flaky", "recovered")


def links_by_tool(links: dict[tuple[str, str], tuple[tuple[str, str], ...]]) -> dict[str, dict[str, tuple]]:
    """The finding links of each tool, by check key: built once, so a page with many tools
    does not scan every tool's links for each one."""
    index: dict[str, dict[str, tuple]] = {}
    for (tool_key, check_key), found in links.items():
        index.setdefault(tool_key, {})[check_key] = found
    return index


def summary_rows(tools: list[ToolResult], anchors: dict[str, str],
                 links: dict[tuple[str, str], tuple[tuple[str, str], ...]],
                 trends: dict | None = None, fixture: str = "reference") -> list[SummaryRow]:
    """The summary's rows on one fixture set (the reference by default; a check that names
    another set alone counts there too); ``trends`` maps (tool id, check key) to its history."""
    rows = []
    index = links_by_tool(links)
    for tool in tools:
        by_check = index.get(tool.key, {})
        row = SummaryRow(tool, anchors[tool.key])
        sets_of: dict[str, set[str]] = {}
        for check in tool.checks:
            sets_of.setdefault(check.id, set()).add(check.fixture)
        own = [c for c in tool.checks if c.fixture == fixture]
        ids_here = {c.id for c in own}
        own += [c for c in tool.checks if c.id not in ids_here and len(sets_of[c.id]) == 1]
        for capability in CAPABILITIES:
            checks = [c for c in own if c.capability == capability]
            cell = summary_cell(checks, by_check)
            kinds = {trends[(tool.key, c.key)].kind for c in checks if trends and (tool.key, c.key) in trends}
            if trend := next((k for k in NOTABLE_TRENDS if k in kinds), ""):
                cell = replace(cell, trend=trend)
            target = row.smoke if capability in SMOKE_CAPABILITIES else row.cells
            target[capability] = cell
        rows.append(row)
    return rows


@dataclass(frozen=True)
class VerdictRow:
    """A line of a check's verdict table; a crash's run of 'not reported' is one line."""

    verdict: VerdictRecord
    hidden: int = 0

    @property
    def severity(self) -> str:
        return severity(self.verdict)


def verdict_rows(verdicts: list[VerdictRecord]) -> list[VerdictRow]:
    """Consecutive 'not reported' verdicts with the same reason collapse into one row
    that says how many quantities the one failure hid."""
    rows: list[VerdictRow] = []
    for verdict in verdicts:
        reason = verdict.message.split(" not reported", 1)[-1] if verdict.observed is None else None
        previous = rows[-1] if rows else None
        if (reason is not None and previous is not None and previous.verdict.observed is None
                and not previous.verdict.passed
                and previous.verdict.message.split(" not reported", 1)[-1] == reason):
            rows[-1] = VerdictRow(previous.verdict, previous.hidden + 1)
        else:
            rows.append(VerdictRow(verdict))
    return rows


def rounded(value: object, tolerance: str, expected: object) -> object:
    """A number shown to the precision its tolerance makes meaningful (a volume of
    1426.6544146 cm3 judged within 0.2 % reads 1426.7)."""
    if isinstance(value, list):
        # every element kept, whatever the expected list's length (['2dview'] against [] must not read [])
        pairs = expected if isinstance(expected, list) and len(expected) == len(value) else [
            expected if not isinstance(expected, list) else None] * len(value)
        return [rounded(v, tolerance, e) for v, e in zip(value, pairs)]
    if not isinstance(value, float):
        return value
    allowed = _allowed(tolerance, expected)
    if not allowed or allowed <= 0:
        return round(value, 6)
    decimals = max(0, 1 - math.floor(math.log10(allowed)))
    return round(value, decimals)


def _allowed(tolerance: str, expected: object) -> float | None:
    """The allowance a tolerance text states (``0.2 %``, ``2 Gy``, ``1 % or 0.01 Gy``)."""
    best = None
    for number, share in _tolerance_parts(tolerance):
        if share and isinstance(expected, (int, float)):
            number = number / 100 * abs(expected)
        best = number if best is None else max(best, number)
    return best


@lru_cache(maxsize=4096)
def _tolerance_parts(tolerance: str) -> tuple[tuple[float, bool], ...]:
    """Each alternative of a tolerance text as (number, is a share): parsed once per text,
    as a catalogue repeats a few dozen texts over millions of verdicts."""
    parts = []
    for part in tolerance.split(" or "):
        words = part.split()
        if not words:
            continue
        try:
            number = float(words[0])
        except ValueError:
            continue
        parts.append((number, len(words) > 1 and words[1] == "%"))
    return tuple(parts)


def fmt(value: object, verdict: VerdictRecord | None = None) -> str:
    """A value as the report prints it: rounded to its tolerance, lists shortened."""
    if verdict is not None:
        # -0.0 equals 0.0 as a key, yet prints "-0": zero is not remembered
        if type(value) in _SCALARS and type(verdict.expected) in _SCALARS and value != 0:
            return _fmt_scalar(value, verdict.tolerance, verdict.expected)
        value = rounded(value, verdict.tolerance, verdict.expected)
    return _fmt_plain(value)


#: Values whose text :func:`_fmt_scalar` remembers: a catalogue prints each expected value
#: once per tool and version, and a right observed value is the same number.
_SCALARS = frozenset({float, int, str, bool, type(None)})


@lru_cache(maxsize=1 << 16, typed=True)  # typed: True, 1 and 1.0 print differently
def _fmt_scalar(value: object, tolerance: str, expected: object) -> str:
    return _fmt_plain(rounded(value, tolerance, expected))


def _fmt_plain(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.6g}"
    elif value == [] or value == "":
        # "expected []" reads as a value missing from the report, not as "expected none"
        text = "none (an empty list)" if value == [] else "an empty text"
    elif isinstance(value, list):
        inner = ", ".join(fmt(v) for v in value[:4])
        text = f"[{inner}{', …' if len(value) > 4 else ''}]"
    elif isinstance(value, str):
        text = repr(value)
    else:
        text = str(value)
    return text


_PERCENT_ONLY = re.compile(r"^(?P<share>[0-9.e+-]+) %$")


def tolerance_text(verdict: VerdictRecord) -> str:
    """A verdict's tolerance as a table shows it. A share alone also says what it allows
    in the quantity's unit (``1e-07 % (1e-14 Gy)``): a share of a tiny value says
    nothing by itself."""
    text = verdict.tolerance
    match = _PERCENT_ONLY.match(text or "")
    expected = verdict.expected
    if match and verdict.unit and verdict.unit != "%" and _numeric(expected) and expected:
        allowed = abs(expected) * float(match["share"]) / 100
        return f"{text} ({allowed:.2g} {verdict.unit})"
    return text


def physical(verdict: VerdictRecord) -> str:
    """``Sphere D99: 0 Gy, expected 60.3 Gy`` or ``Sphere volume not reported``."""
    name = short_key(verdict.key)
    if verdict.observed is None:
        return f"{name} not reported"
    unit = f" {verdict.unit}" if verdict.unit and verdict.unit != "%" else ("%" if verdict.unit == "%" else "")
    return f"{name}: {fmt(verdict.observed, verdict)}{unit}, expected {fmt(verdict.expected, verdict)}{unit}"


@dataclass(frozen=True)
class Headline:
    """A finding in one line of physical terms, for the first screen."""

    label: str
    anchor: str
    title: str
    tools: str
    severity: str
    worst: str
    values: int
    checks: int = 0
    #: the tool reported a value, and it is wrong: nothing warns its user
    silent: bool = False
    #: the worst wrong value's distance from the true value, as a share of it
    relative: float | None = None

    @property
    def shown_share(self) -> bool:
        """Whether the share says more than the worst value does (a factor of 10 or more
        is already written as ``x 1000``)."""
        return self.relative is not None and "(x " not in self.worst


def worst_of(verdicts: list[VerdictRecord]) -> VerdictRecord | None:
    """The verdict furthest from right: by severity, then by margin in tolerances."""
    return min(verdicts, key=lambda v: (SEVERITY_ORDER.index(severity(v)), -(v.margin or 0.0)), default=None)


def headlines(findings: list) -> list[Headline]:
    """The findings of a run (:func:`harness.report.findings.findings_of`) in their order,
    each with the value furthest beyond its tolerance, in the quantity's own unit. A
    finding is silent when the tool reported at least one wrong value (rather than
    stopping or reporting nothing): that is the risk a clinic does not see coming."""
    lines = []
    for finding in findings:
        wrong = [v for o in finding.occurrences for v in o.check.verdicts if v.key in o.keys and not v.passed]
        reported = [v for v in wrong if v.observed is not None]
        worst = worst_of(reported or wrong)
        shown = ""
        if worst is not None:
            shown = physical(worst) + (f" ({worst.deviation})" if worst.deviation.startswith("x ") else "")
        size = relative_deviation(worst) if worst is not None and worst.observed is not None else None
        tools = ", ".join(t.label for t in finding.tools)
        lines.append(Headline(finding.label, finding.anchor, finding.declaration.title, tools,
                              severity(worst) if worst else "", shown, len(wrong), len(finding.occurrences),
                              bool(reported), size))
    return lines


def ranked(lines: list[Headline]) -> tuple[list[Headline], list[Headline]]:
    """(silent, loud): silent wrong numbers first, the largest (as a share of the true
    value) first, then those whose size has no share (a wrong name or count) by how many
    values they touch; loud failures by how many values and checks they stop."""
    silent = sorted((h for h in lines if h.silent),
                    key=lambda h: (h.relative is None, -(h.relative or 0.0), -h.values, h.label))
    loud = sorted((h for h in lines if not h.silent), key=lambda h: (-h.values, -h.checks, h.label))
    return silent, loud


@dataclass(frozen=True)
class Change:
    tool: str
    anchor: str
    check: str
    before: str
    now: str
    kind: str = ""


def changes(trends: dict, tools: list[ToolResult], anchors: dict[str, str]) -> list[Change]:
    """Checks whose status differs from the previous recorded run in which they ran."""
    found = []
    for tool in tools:
        for check in tool.checks:
            trend = trends.get((tool.key, check.key))
            if trend is None:
                continue
            earlier = [s for _, s in trend.statuses[:-1] if s is not None]
            if earlier and earlier[-1] != check.status:
                kind = trend.kind if trend.kind in NOTABLE_TRENDS else ""
                found.append(Change(tool.label, anchors[tool.key], check.key, earlier[-1], check.status, kind))
    return found


def short_reason(text: str, limit: int = 70) -> str:
    """The first clause of a reason, cut at a word: a matrix cell says what, the tool's
    section says everything."""
    first = text.split("\n", 1)[0]
    for stop in ("; ", ". ", " | "):
        head = first.split(stop, 1)[0]
        if len(head) >= 12:
            first = head
            break
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


@dataclass(frozen=True)
class SetInfo:
    """A fixture set as the report names it (read from its truth.json)."""

    name: str
    title: str = ""
    differs: str = ""
    reports: tuple[tuple[str, str], ...] = ()  # (label, url)
    probes: tuple[str, ...] = ()


def set_infos(fixtures_root, names: list[str]) -> list[SetInfo]:
    """What each fixture set of the run is, the reference first; a set whose truth cannot
    be read is named without a title."""
    import json

    infos = []
    for name in names:
        try:
            truth = json.loads((fixtures_root / name / "truth.json").read_text()) if fixtures_root else {}
        except (OSError, ValueError):
            truth = {}
        variant = truth.get("variant") or {} if isinstance(truth, dict) else {}
        reports = tuple((str(r.get("label", "")), str(r.get("url", ""))) for r in variant.get("reports", [])
                        if isinstance(r, dict))
        infos.append(SetInfo(name, str(variant.get("title") or ("the reference export" if name == "reference" else "")),
                             str(variant.get("differs", "")), reports, tuple(truth.get("probes") or ())))
    return sorted(infos, key=lambda s: (s.name != "reference", names.index(s.name)))


@dataclass
class SetRow:
    """One fixture set across the tools: each tool's result on it, and its interop score."""

    info: SetInfo
    cells: dict[str, SummaryCell] = field(default_factory=dict)  # tool key -> all its checks on the set

    @property
    def interop(self) -> Interop:
        states = [c.state for c in self.cells.values()]
        return Interop(self.info.name, sum(1 for s in states if s == "pass"),
                       sum(1 for s in states if s in ("pass", "partial", "fail")))


def set_rows(tools: list[ToolResult], infos: list[SetInfo],
             links: dict[tuple[str, str], tuple[tuple[str, str], ...]]) -> list[SetRow]:
    """Per fixture set, each tool's checks on it summed up (smoke tests left out)."""
    index = links_by_tool(links)
    on_set: dict[str, dict[str, list[CheckResult]]] = {}  # tool -> set -> its checks there, in order
    for tool in tools:
        grouped = on_set.setdefault(tool.key, {})
        for check in tool.checks:
            if check.capability not in SMOKE_CAPABILITIES:
                grouped.setdefault(check.fixture, []).append(check)
    rows = []
    for info in infos:
        row = SetRow(info)
        for tool in tools:
            row.cells[tool.key] = summary_cell(on_set[tool.key].get(info.name, []), index.get(tool.key, {}))
        rows.append(row)
    return rows


def capability_by_set(tool: ToolResult, infos: list[SetInfo],
                      links: dict[tuple[str, str], tuple[tuple[str, str], ...]],
                      by_check: dict[str, tuple] | None = None) -> dict[str, dict[str, SummaryCell]]:
    """A tool's capability x fixture-set grid: capability -> set -> cell (only what ran).
    ``by_check`` is the tool's own links where the caller has them indexed already."""
    if by_check is None:
        by_check = {check_key: found for (key, check_key), found in links.items() if key == tool.key}
    grouped: dict[tuple[str, str], list[CheckResult]] = {}
    for check in tool.checks:
        grouped.setdefault((check.capability, check.fixture), []).append(check)
    grid: dict[str, dict[str, SummaryCell]] = {}
    for capability in CAPABILITIES:
        for info in infos:
            checks = grouped.get((capability, info.name))
            if checks:
                grid.setdefault(capability, {})[info.name] = summary_cell(checks, by_check)
    return grid
