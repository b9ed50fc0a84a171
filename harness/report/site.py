"""Where each part of the report lives, and how one page links to another.

The report is a small site, not one long page: a front page that answers at a glance
(``index.html`` / ``compatibility.md``), then a page per tool, per finding, per fixture
set and per recorded run, each in HTML and in Markdown for GitHub. Every link in every
template goes through :func:`link`, which turns an anchor (``tool-pydicom``,
``finding-dose-scaling``, ``method-position-ffs``) into the page that holds it, relative
to the page being written, so a page moved to a folder never breaks a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.history import RunRecord, what_changed

FRONT = {"html": "index.html", "md": "compatibility.md"}
#: The anchor prefixes that are pages of their own, and the folder each lives in.
FOLDERS = {"tool-": "tools", "finding-": "findings", "method-": "sets", "run-": "runs"}
#: Anchors of the method page (not a fixture set of their own).
METHOD_ANCHORS = ("method-power",)


@dataclass(frozen=True)
class Page:
    """A page being written: its folder depth and format decide every link on it."""

    path: str  # relative to reports/, e.g. tools/pydicom.html
    ext: str  # html or md

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")


def page_of(anchor: str, ext: str) -> tuple[str, str]:
    """(page path relative to reports/, fragment) of an anchor."""
    if anchor in METHOD_ANCHORS:
        return f"method.{ext}", anchor
    if anchor == "exchange" or anchor.startswith("exchange-"):
        return f"exchange.{ext}", anchor
    for prefix, folder in FOLDERS.items():
        if anchor.startswith(prefix) and len(anchor) > len(prefix):
            return f"{folder}/{anchor[len(prefix):]}.{ext}", ""
    return FRONT[ext], anchor


def link(anchor: str, page: Page) -> str:
    """The href from ``page`` to ``anchor``: a fragment alone when it is on the same page."""
    anchor = anchor.removeprefix("#")
    path, fragment = page_of(anchor, page.ext)
    if path == page.path:
        return f"#{fragment}" if fragment else "#top"
    return page.root + path + (f"#{fragment}" if fragment else "")


def path_link(path: str, page: Page) -> str:
    """A file of the report (a screenshot, a plot, a badge, a results detail) from ``page``."""
    return page.root + path


@dataclass(frozen=True)
class ToolChange:
    """One tool's checks that changed status between two recorded runs, and what changed
    around them: the tool itself, its check programs, the fixtures or the harness."""

    tool: str
    checks: tuple[tuple[str, str | None, str | None], ...]  # (check key, before, now)
    causes: tuple[str, ...]
    what: str


@dataclass
class RunView:
    """A recorded run as its permalink page shows it."""

    record: RunRecord
    previous: RunRecord | None
    counts: dict[str, int] = field(default_factory=dict)
    changes: list[ToolChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"run-{run_slug(self.record)}"

    @property
    def history_file(self) -> str:
        """The record's file under history/, by the name it has on disk."""
        path = getattr(self.record, "_path", None)
        return path.name if path is not None else self.record.filename

    @property
    def changed_checks(self) -> int:
        return sum(len(c.checks) for c in self.changes)


def run_slug(record: RunRecord) -> str:
    return record.filename.removesuffix(".json")


def causes_between(before: RunRecord, after: RunRecord, tool: str) -> tuple[str, ...]:
    """Which of tool, check programs, fixtures and harness differ between two runs."""
    old, new = before.tools.get(tool), after.tools.get(tool)
    causes = []
    if old and new and (old.version != new.version or old.dependencies != new.dependencies):
        causes.append("tool")
    if old and new and old.definition and new.definition and old.definition != new.definition:
        causes.append("check programs")
    if before.fixtures != after.fixtures:
        causes.append("fixtures")
    if before.harness_version != after.harness_version:
        causes.append("harness")
    return tuple(causes)


def run_views(runs: list[RunRecord]) -> list[RunView]:
    """Every recorded run, newest first, each against the run before it."""
    views = []
    for index, record in enumerate(runs):
        previous = runs[index - 1] if index else None
        view = RunView(record, previous, _counts(record))
        if previous is not None:
            view.added = sorted(record.tools.keys() - previous.tools.keys())
            view.removed = sorted(previous.tools.keys() - record.tools.keys())
            for tool in sorted(record.tools.keys() & previous.tools.keys()):
                old, new = previous.tools[tool].checks, record.tools[tool].checks
                changed = tuple((key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys())
                                if old.get(key) != new.get(key))
                if changed:
                    view.changes.append(ToolChange(tool, changed, causes_between(previous, record, tool),
                                                   what_changed(previous, record, tool)))
        views.append(view)
    return views[::-1]


def _counts(record: RunRecord) -> dict[str, int]:
    counts: dict[str, int] = {}
    for tool in record.tools.values():
        statuses = list(tool.checks.values()) or ([tool.install] if tool.install != "pass" else [])
        for status in statuses:
            counts[status] = counts.get(status, 0) + 1
    return counts
