"""The report's list of findings: each known root cause once, with every verdict it explains.

A finding groups occurrences across tools (``DoseGridScaling not applied`` in ImageJ and
SimpleITK), states the evidence each tool's numbers give, points at the tool's source line
and upstream report, and where no upstream report exists, drafts one from the run: the
fixture, the call, what was expected and what came back. Failing verdicts no finding
explains are listed too, so nothing reads as explained that is not.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from harness.judging.conventions import CONVENTIONS
from harness.judging.findings import Declaration, by_id
from harness.results import CheckResult, Results, ToolResult

_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Occurrence:
    """One tool x check where a finding explains some failing verdicts."""

    tool: ToolResult
    check: CheckResult
    keys: tuple[str, ...]
    evidence: str

    @property
    def anchor(self) -> str:
        return f"tool-{slug(self.tool.key)}"


@dataclass
class FindingView:
    number: int
    declaration: Declaration
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"finding-{self.declaration.id}"

    @property
    def label(self) -> str:
        return f"F{self.number}"

    @property
    def tools(self) -> list[ToolResult]:
        return list({o.tool.key: o.tool for o in self.occurrences}.values())

    @property
    def verdict_count(self) -> int:
        return sum(len(o.keys) for o in self.occurrences)

    def source(self, tool: ToolResult) -> tuple[str, str | None]:
        """(text, first URL in it) of the tool's source reference."""
        text = self.declaration.source.get(tool.id, "")
        match = _URL.search(text)
        return text, match.group(0) if match else None

    def upstream(self, tool: ToolResult) -> str | None:
        url = self.declaration.upstream.get(tool.id)
        return str(url) if url else None

    @property
    def drafts(self) -> list[Occurrence]:
        """One occurrence per tool without an upstream report: the one a draft is written from."""
        first: dict[str, Occurrence] = {}
        for occurrence in self.occurrences:
            if not self.upstream(occurrence.tool):
                first.setdefault(occurrence.tool.key, occurrence)
        return list(first.values())

    def draft_report(self, occurrence: Occurrence, fixture_checksum: str | None, environment: str = "") -> str:
        """A ready-to-file upstream report for a tool without one, over all its occurrences."""
        tool, check = occurrence.tool, occurrence.check
        mine = [o for o in self.occurrences if o.tool.key == tool.key]
        wrong = {v.key: v for o in mine for v in o.check.verdicts if v.key in o.keys}
        keys = [key for o in mine for key in o.keys]
        lines = [f"Title: {self.declaration.title}", "",
                 f"Version: {tool.name} {tool.shown_version or '?'}" + (f" on {tool.runtime}" if tool.runtime else ""),
                 f"Data: the rtcompat '{check.fixture}' fixture set (synthetic, public domain)"
                 + (f", sha256 {fixture_checksum}" if fixture_checksum else "")
                 + f", fixtures/dicom/{check.fixture}/ in the rtcompat repository."]
        if environment:
            lines.append(f"Environment: {environment}")
        if call := self.declaration.call.get(tool.id):
            lines.append(f"Call: {call}")
        lines.append("Expected and observed:")
        for key in keys[:6]:
            verdict = wrong.get(key)
            if verdict is not None:
                got = "not reported" if verdict.observed is None else f"got {shown(verdict.observed)}"
                lines.append(f"  {key}: expected {shown(verdict.expected)}, {got}")
        if len(keys) > 6:
            lines.append(f"  ... and {len(keys) - 6} more")
        lines += ["", " ".join(self.declaration.explanation.split()),
                  *(f"Evidence ({o.check.key}): {o.evidence}" for o in mine)]
        if source := self.declaration.source.get(tool.id):
            lines.append(f"Where: {source}")
        return "\n".join(lines)


@dataclass(frozen=True)
class EvidenceLine:
    """One row of a finding's evidence table: a tool's check and what its numbers show,
    with every fixture set on which they show the same."""

    tool: str
    anchor: str
    check: str
    check_key: str
    fixtures: tuple[str, ...]
    values: int
    worst: str
    evidence: str


def shown(value: object) -> str:
    """A value for a draft report: as Python writes it, an empty one said in words."""
    if value == [] or value == "":
        return "none (an empty list)" if value == [] else "an empty text"
    return repr(value)


def evidence_lines(finding: FindingView) -> list[EvidenceLine]:
    """The finding's occurrences as a table: one row per tool, check and evidence text,
    the sets it holds on gathered in that row rather than one sentence per set."""
    from harness.report.summary import physical, worst_of

    groups: dict[tuple[str, str, str], list[Occurrence]] = {}
    for occurrence in finding.occurrences:
        groups.setdefault((occurrence.tool.key, occurrence.check.id, occurrence.evidence), []).append(occurrence)
    lines = []
    for (_, check_id, evidence), occurrences in groups.items():
        first = occurrences[0]
        wrong = [v for o in occurrences for v in o.check.verdicts if v.key in o.keys and not v.passed]
        worst = worst_of([v for v in wrong if v.observed is not None] or wrong)
        lines.append(EvidenceLine(first.tool.label, first.anchor, check_id, first.check.key,
                                  tuple(dict.fromkeys(o.check.fixture for o in occurrences)),
                                  len(wrong), physical(worst) if worst else "", evidence))
    return lines


@dataclass(frozen=True)
class Unexplained:
    tool: ToolResult
    check: CheckResult
    keys: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return f"tool-{slug(self.tool.key)}"


def slug(text: str, limit: int = 64) -> str:
    """A tool key fit for a file name or an anchor. Ids are short slugs already and map
    to themselves; anything else (a variant's ``@``, upper case, a results file that
    lies) gets a digest of the original, so two keys never share a badge or an anchor."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:limit].strip("-") or "tool"
    if cleaned == text:
        return cleaned
    return f"{cleaned[:limit - 9].strip('-')}-{hashlib.sha256(text.encode('utf-8', 'backslashreplace')).hexdigest()[:8]}"


def findings_of(results: Results) -> tuple[list[FindingView], list[Unexplained]]:
    """The findings that occur in a run, numbered (most verdicts first), and the failing
    verdicts no finding explains."""
    declared = by_id()
    views: dict[str, FindingView] = {}
    unexplained = []
    for tool in results.tools:
        for check in tool.checks:
            covered: set[str] = set()
            for ref in check.findings:
                declaration = declared.get(ref.id)
                if declaration is None:
                    continue
                view = views.setdefault(ref.id, FindingView(0, declaration))
                view.occurrences.append(Occurrence(tool, check, tuple(ref.keys), ref.evidence))
                covered.update(ref.keys)
            # a failed install says why; an xfail's cause is known (its upstream issue)
            if check.status == "fail" and tool.install.status != "fail":
                left = tuple(v.key for v in check.verdicts if not v.passed and v.key not in covered)
                if left or (not check.verdicts and not check.findings):
                    unexplained.append(Unexplained(tool, check, left))
    ordered = sorted(views.values(), key=lambda v: (v.declaration.severity != "defect", -len(v.tools),
                                                    -v.verdict_count, v.declaration.id))
    for number, view in enumerate(ordered, start=1):
        view.number = number
    return ordered, unexplained


def convention_titles(names: list[str]) -> str:
    """``no end caps, histogram bin`` for the report's cells."""
    return ", ".join(CONVENTIONS[n].title if n in CONVENTIONS else n for n in names)
