"""The report's view of a run: the catalogue as a matrix of tools x capabilities.

Plain data computed once from Results, so the Markdown and HTML templates only lay it
out and never decide anything themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.manifest import CAPABILITIES, SECTIONS
from harness.results import Results, ToolResult

# Worst first: a cell holding several checks shows the most alarming status.
SEVERITY = ("fail", "error", "xfail", "skip", "unavailable", "pass")
LABELS = {"pass": "pass", "fail": "FAIL", "error": "error", "skip": "skip", "unavailable": "n/a",
          "xfail": "xfail"}


@dataclass(frozen=True)
class Cell:
    status: str | None
    reason: str = ""
    check_ids: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return LABELS.get(self.status, "") if self.status else ""


@dataclass(frozen=True)
class Row:
    tool: ToolResult
    cells: dict[str, Cell]
    status: str

    @property
    def anchor(self) -> str:
        return f"tool-{self.tool.id}"


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


def build_sections(results: Results) -> list[Section]:
    capabilities = capabilities_in(results)
    sections = {name: Section(name) for name in SECTIONS}
    for tool in results.tools:
        cells = {}
        for capability in capabilities:
            checks = [c for c in tool.checks if c.capability == capability]
            if not checks:
                cells[capability] = Cell(None)
                continue
            worst = min(checks, key=lambda c: SEVERITY.index(c.status))
            cells[capability] = Cell(worst.status, worst.reason, tuple(c.id for c in checks))
        row = Row(tool, cells, overall_status(tool))
        sections.setdefault(tool.section, Section(tool.section)).rows.append(row)
    return [s for s in sections.values() if s.rows]
