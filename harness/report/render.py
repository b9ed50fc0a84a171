"""Writing the report files from one Results document, into a staging copy published whole."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from harness.collection import frozen
from harness.fixture_sets import REFERENCE
from harness.history import CLASSES, History, record_run, trends
from harness.interop.matrix import OBJECT_TITLES, matrices
from harness.judging.conventions import CONVENTIONS
from harness.manifest import CAPABILITIES, Manifest
from harness.report.costs import CLINICAL_SET, check_cost, costs_by_set
from harness.report.findings import (
    FindingView,
    convention_titles,
    evidence_lines,
    findings_of,
    slug,
)
from harness.report.method import REFERENCES, FixtureMethod, fixture_method
from harness.report.model import (
    LABELS,
    SPARK_RUNS,
    STATES,
    STATUS_TEXT,
    WORDS,
    build_sections,
    capabilities_in,
    load_curves,
)
from harness.report.parallel import each_row
from harness.report.publish import staged
from harness.report.reproduce import reproduction_script
from harness.report.site import FRONT, Page, link, run_slug, run_views
from harness.report.summary import (
    SEVERITIES,
    SEVERITY_LABELS,
    SMOKE_CAPABILITIES,
    SetInfo,
    SetRow,
    capability_by_set,
    changes,
    fmt,
    headlines,
    interop,
    links_by_tool,
    ranked,
    set_infos,
    set_rows,
    short_reason,
    summary_rows,
    tolerance_text,
)
from harness.report.svg import COLOURS, badge_svg, sparkline_svg
from harness.report.verdict_table import html_lines, markdown_lines
from harness.results import Results, ToolResult
from harness.screenshots import thumbnail_data_uri
from harness.split_results import (
    DETAIL_DIR,
    detail_path,
    screenshot_path,
    write_detail,
    write_index,
)
from harness.store import write_staged

#: Where a check program can be read, relative to reports/ in the repository.
PROGRAM_URL = "../tool_manifests/"
GLYPHS = {"pass": "✓", "fail": "✗", "error": "!", "skip": "s", "unavailable": "-", "xfail": "x", None: "·"}


@dataclass(frozen=True)
class Rendered:
    """What ``render_reports`` wrote, and what it could not use (one line per problem)."""

    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Seconds per step (reading the history, building the model, each kind of page, ...):
    #: what ``benchmarks/report_render.py`` compares across catalogue sizes.
    seconds: dict[str, float] = field(default_factory=dict)


def _environment(markdown: bool = False) -> Environment:
    """The HTML page escapes every value for HTML (Jinja's autoescape). The Markdown page
    escapes every value for Markdown the same way, by default: a value reaches the page
    as text unless a filter made it markup on purpose (:func:`markdown_cell`,
    :func:`code_span`, :func:`fenced`, :func:`anchor_id`, :func:`markdown_url`), so a
    fixture name or an install note from a results file can never open a link, a table
    cell or an HTML element."""
    env = Environment(loader=PackageLoader("harness.report", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html", "html.j2"]), trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, finalize=_markdown_text if markdown else None)
    env.filters.update(cost=lambda check: check_cost(check) if check.process is not None else None,
                       md=markdown_cell, short=short_json, url=safe_url, spark=sparkline_svg, glyphs=glyphs,
                       conventions=convention_titles, when=when, percent=percent,
                       brief=short_reason, fmt=fmt, anchor=anchor_id,
                       href=_href, relurl=relative_url, tolerance=tolerance_text, verdict_lines=html_lines,
                       passed_count=lambda verdicts: sum(1 for v in verdicts if v.passed),
                       wrong_count=lambda verdicts: sum(1 for v in verdicts if not v.passed))
    if markdown:
        env.filters.update(url=markdown_url, code=code_span, fenced=fenced,
                           verdict_lines=lambda verdicts: markdown_lines(verdicts, markdown_cell))
    return env


def _markdown_text(value: object) -> object:
    """Every ``{{ value }}`` of the Markdown page: numbers as they are, our markup as it
    is, anything else escaped as text."""
    if isinstance(value, Markup) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return markdown_cell(value)


@pass_context
def _href(context: Context, anchor: object) -> Markup:
    """The link from the page being written to an anchor's page (:mod:`harness.report.site`)."""
    return relative_url(link(str(anchor), context["page"]))


def relative_url(path: object) -> Markup:
    """A link inside the report: percent-encoded, so no character of a name can end the
    link, open markup or leave the site (``javascript:`` has no place in a relative path)."""
    text = quote(str(path), safe="/.-_~#")
    return Markup(text if ":" not in text.split("/", 1)[0] else "#")


def percent(value: float) -> str:
    """A share as people say it: ``38 %``, ``0.4 %``, ``1200 %``."""
    number = 100 * float(value)
    return f"{number:.0f} %" if number >= 10 else f"{number:.2g} %"


def markdown_cell(value: object) -> Markup:
    """Text safe inside a Markdown table cell: no pipes, no newlines, no raw HTML, no
    link, emphasis or code span of its own."""
    text = str(value if value is not None else "")
    return _markdown_cell_text(text) if len(text) <= _CACHED_CELL_LENGTH else _escaped_cell(text)


#: Cells up to this length are remembered: units, tolerances, keys and labels repeat
#: thousands of times across a catalogue's verdict tables.
_CACHED_CELL_LENGTH = 80
_CELL_ESCAPES = str.maketrans({"\\": "\\\\", "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "\\`",
                               "[": "\\[", "]": "\\]", "*": "\\*", "_": "\\_"})


def _escaped_cell(text: str) -> Markup:
    # one pass: no replacement's output is replaced again (a backslash added before a pipe stays one)
    text = " ".join(text.translate(_CELL_ESCAPES).split())
    if text[:1] in ("#", ">") or text[:2] in ("- ", "+ ", "=="):  # a heading, quote, list or rule at a line's start
        text = "\\" + text
    return Markup(text)


_markdown_cell_text = lru_cache(maxsize=1 << 16)(_escaped_cell)


def code_span(value: object) -> Markup:
    """Text as one Markdown code span: backticks and line breaks cannot end it early, and
    a pipe cannot end the table cell it sits in."""
    text = " ".join(str(value if value is not None else "").split()).replace("`", "'").replace("|", "\\|")
    return Markup(f"`{text}`")


def fenced(value: object) -> Markup:
    """Text for a fenced ``text`` block: lines kept, a fence inside it defused."""
    return Markup(str(value if value is not None else "").replace("```", "'''"))


def anchor_id(value: object) -> Markup:
    """A fixture set's or a tool's name as an anchor both pages share (letters, digits, dashes)."""
    return Markup(slug(str(value)))


def markdown_url(value: str | None) -> Markup:
    """An http(s) link fit inside ``(...)`` or ``<...>``: characters that could end the
    destination are percent-encoded; anything else is no link at all."""
    url = safe_url(value)
    for char, encoded in ((" ", "%20"), ("<", "%3C"), (">", "%3E"), ("(", "%28"), (")", "%29"), ("\n", "%0A"),
                          ('"', "%22"), ("`", "%60"), ("|", "%7C")):
        url = url.replace(char, encoded)
    return Markup(url)


def short_json(value: object, limit: int = 160) -> str:
    """A value as compact JSON, cut to ``limit`` characters (curves are long)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(value: str | None) -> str:
    """Only http(s) links: a manifest's ``javascript:`` homepage must not become a link."""
    return value if value and value.lower().startswith(("https://", "http://")) else ""


def when(stamp: str | None) -> str:
    """An ISO time as people read it: ``2026-11-29 22:39:19 UTC`` (the text itself if unreadable)."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    moment = moment.astimezone(dt.UTC) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def glyphs(statuses: tuple[tuple[str, str | None], ...]) -> str:
    return "".join(GLYPHS.get(s, "?") for _, s in statuses)


def render_reports(results: Results, output: Path, fixtures_root: Path | None = None,
                   history: bool = True, exchange: Results | None = None, workers: int | None = None) -> Rendered:
    """Write ``compatibility.md``, ``index.html``, ``results.json`` and ``badges/`` under ``output``.

    With ``history``, the run is first added to ``output/history/`` (once per start time
    and host, the last 90 runs kept) and each check is classified over those runs.
    ``fixtures_root`` (e.g. ``fixtures/dicom``) supplies the analytic DVH curves the
    tools' curves are drawn over. Problems with either become warnings, never errors.
    The directory is published whole (:mod:`harness.report.publish`): all new or all old.
    The tool pages are rendered by ``workers`` processes (default: one per core,
    :mod:`harness.report.parallel`).
    """
    output = output.absolute()
    with staged(output) as staging, frozen():
        rendered = _render_into(results, staging, fixtures_root, history, exchange, workers)
    return Rendered([output / path.relative_to(staging) for path in rendered.written],
                    [warning.replace(str(staging), str(output)) for warning in rendered.warnings], rendered.seconds)


#: Directories rendered wholly from the results: emptied first, so a tool, version or
#: check that is gone leaves no stale badge, plot or screenshot behind (history stays).
DERIVED_DIRECTORIES = ("badges", "plots", "screenshots", DETAIL_DIR, "findings", "sets", "runs")


#: The producer -> consumer run's results, published beside results.json.
EXCHANGE_RESULTS = "interop.json"


def exchange_context(exchange: Results | None, results: Results) -> dict:
    """What the producer -> consumer page and the front page's line about it show."""
    if exchange is None or not exchange.productions:
        return {"exchange": [], "exchange_producers": [], "exchange_producer_tools": 0, "exchange_consumers": 0,
                "exchange_run": None, "titles": OBJECT_TITLES, "exchange_failures": 0, "exchange_lines": [],
                "writes": {}}
    grids = matrices(exchange, results)
    cells = [cell for m in grids for cell in m.cells.values()]
    return {"exchange": grids, "exchange_producers": exchange.productions,
            "exchange_producer_tools": len({p.tool for p in exchange.productions}),
            "exchange_consumers": len({c.key for m in grids for c in m.consumers}),
            "exchange_run": exchange.run, "titles": OBJECT_TITLES,
            "exchange_failures": sum(1 for c in cells if c.state in ("fail", "partial")),
            "exchange_lines": [exchange_line(m) for m in grids],
            "writes": {tool: [p for p in exchange.productions if p.tool == tool]
                       for tool in {p.tool for p in exchange.productions}}}


def exchange_line(matrix) -> str:
    """One object's matrix in a line: its cells' states and whose fault the FAILs are."""
    states = [c.state for c in matrix.cells.values()]
    counted = ", ".join(f"{states.count(s)} {s.upper() if s == 'fail' else s}"
                        for s in ("pass", "partial", "fail", "error", "not run") if states.count(s))
    parties = [p for c in matrix.cells.values() for p in c.parties]
    blamed = "; ".join(f"{parties.count(p)} cell(s) {p}" for p in dict.fromkeys(parties))
    faulty = [p for p in matrix.producers if p.status == "fail"]
    objects = f"; {len(faulty)} of {len(matrix.producers)} objects invalid or unfaithful" if faulty else ""
    return (f"{matrix.title}: {len(matrix.producers)} producer(s) x {len(matrix.consumers)} reader(s): {counted}"
            + (f" (FAILs: {blamed})" if blamed else "") + objects)


def _render_into(results: Results, output: Path, fixtures_root: Path | None, history: bool,
                 exchange: Results | None = None, workers: int | None = None) -> Rendered:
    steps = Stopwatch()
    for name in DERIVED_DIRECTORIES:
        shutil.rmtree(output / name, ignore_errors=True)
    warnings: list[str] = []
    window = History([], [])
    if history:
        window = record_run(output / "history", results)
        warnings += window.warnings
    steps.lap("history")
    fixture_names = sorted({c.fixture for t in results.tools for c in t.checks} | set(results.run.fixtures),
                           key=lambda name: (name != REFERENCE, name))
    curves = {}
    if fixtures_root is not None:
        for fixture in fixture_names:
            curves[fixture], problem = load_curves(fixtures_root, fixture)
            warnings += [problem] if problem else []
    findings, unexplained = findings_of(results)
    links: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for finding in findings:
        for occurrence in finding.occurrences:
            key = (occurrence.tool.key, occurrence.check.key)
            links[key] = (*links.get(key, ()), (finding.label, finding.anchor))
    steps.lap("findings")
    by_check = trends(window.runs, results) if history else {}
    steps.lap("trends")
    sections = build_sections(results, by_check, curves, links)
    anchors = {row.tool.key: row.anchor for section in sections for row in section.rows}
    summary = [(section.name, summary_rows([row.tool for row in section.rows], anchors, links, by_check))
               for section in sections]
    shots, thumbnails = {}, {}  # the screenshot's file, and the page's inline thumbnail of it
    for row in (row for section in sections for row in section.rows):
        for view in (view for view in row.detailed_checks if view.check.screenshot):
            shots[(row.tool.key, view.check.key)] = screenshot_path(row.slug, slug(view.check.key))
            thumbnails[(row.tool.key, view.check.key)] = thumbnail_data_uri(view.check.screenshot)
    capabilities = [c for c in capabilities_in(results) if c not in SMOKE_CAPABILITIES]
    infos = set_infos(fixtures_root, fixture_names)
    ran = [t for t in results.tools if any(c.fixture != REFERENCE for c in t.checks)]
    grids = {}
    tool_links = links_by_tool(links)
    for tool in results.tools:
        grid = capability_by_set(tool, infos, links, tool_links.get(tool.key, {}))
        columns = [i.name for i in infos if any(i.name in cells for cells in grid.values())]
        grids[tool.key] = (columns, grid)
    lines = headlines(findings)
    silent, loud = ranked(lines)
    rows_by_set = {row.info.name: row for row in set_rows(
        ran, [i for i in infos if i.name in {c.fixture for t in ran for c in t.checks}], links)}
    # The feature view's columns are the tools that ran here: one that did not install is
    # "not tested" on every row, and the summary already says why.
    feature_tools = [t for t in ran if t.install.status == "pass"]
    feature_rows, feature_notes = feature_view(
        [replace(row, cells={t.key: row.cells[t.key] for t in feature_tools})
         for name, row in rows_by_set.items() if name != REFERENCE])
    run_pages = run_views(window.runs) if history else []
    costs_on_set = costs_by_set(results.tools)
    context = {"results": results, "run": results.run, "sections": sections, "counts": results.counts(),
               "findings": findings, "unexplained": unexplained, "conventions": CONVENTIONS,
               "convention_count": sum(1 for t in results.tools for c in t.checks
                                       if c.status == "pass" and c.conventions),
               "capabilities": capabilities, "capability_text": CAPABILITIES,
               "smoke_capabilities": [c for c in SMOKE_CAPABILITIES
                                      if any(ch.capability == c for t in results.tools for ch in t.checks)],
               "labels": LABELS, "status_text": STATUS_TEXT, "words": WORDS, "states": STATES, "severities": SEVERITIES,
               "severity_labels": SEVERITY_LABELS,
               "tool_count": len(results.tools),
               "check_count": sum(len(t.checks) for t in results.tools),
               "unchecked": sum(1 for t in results.tools if not t.checks and t.install.status != "pass"),
               "colours": COLOURS, "classes": CLASSES, "history": history, "runs": len(window.runs),
               "previous": window.runs[-2].label if len(window.runs) > 1 else None,
               "spark_runs": SPARK_RUNS, "glyph_key": GLYPHS,
               "summary": summary, "silent": silent, "loud": loud,
               "headline_of": {h.label: h for h in lines},
               "interop": interop([row for _, rows in summary for row in rows], capabilities),
               "changes": changes(by_check, results.tools, anchors),
               "fixture_names": fixture_names, "references": REFERENCES,
               "shots": shots, "thumbnails": thumbnails,
               "ran": sum(1 for t in results.tools if t.install.status == "pass"),
               "program_url": PROGRAM_URL, "infos": infos,
               "feature_rows": feature_rows, "feature_notes": feature_notes, "feature_tools": feature_tools,
               "feature_absent": [t for t in ran if t.install.status != "pass"],
               "set_tools": ran, "grids": grids, "anchors": anchors, "run_pages": run_pages,
               "current_run": run_pages[0].anchor if run_pages else "runs",
               "clinical": costs_on_set.get(CLINICAL_SET, []), "clinical_set": CLINICAL_SET,
               **exchange_context(exchange, results)}
    envs = {"html": _environment(), "md": _environment(markdown=True)}
    context.update(_script(envs["html"]))
    written: list[Path] = []
    # each set described once (its files hashed once), for its pages and the reproduction scripts
    methods = {info.name: fixture_method(fixtures_root, info.name) if fixtures_root is not None
               else FixtureMethod(info.name) for info in infos}
    per_tool = {finding.label: _per_tool(finding, results, methods) for finding in findings}
    steps.lap("model")

    def rendered(template: str, path: str, **extra: object) -> Path:
        ext = path.rsplit(".", 1)[1]
        text = envs[ext].get_template(template).render(
            **context, **extra, page=Page(path, ext), front=path == FRONT[ext])
        return _write(output / path, text)

    def page(template: str, path: str, **extra: object) -> None:
        written.append(rendered(template, path, **extra))
        steps.lap(f"pages: {template.split('.', 1)[0]}")

    rows = [row for section in sections for row in section.rows]

    def tool_files(number: int) -> tuple[list[Path], dict]:
        """A row's pages, detail file, screenshots, badge and plots; and its results index entry."""
        row = rows[number]
        plots = {(row.tool.key, view.check.key, plot.roi):
                 f"plots/{row.slug}--{slug(view.check.key)}--{slug(plot.roi)}.svg"
                 for view in row.detailed_checks for plot in view.plots}
        files = [rendered(f"tool.{ext}.j2", f"tools/{row.slug}.{ext}", row=row, detail=detail_path(row.slug),
                          plots=plots) for ext in ("html", "md")]
        entry, details = write_detail(row.tool, output, staged=True)
        message, status = row.badge
        files += [*details, _write(output / "badges" / f"{row.slug}.svg", badge_svg("rtcompat", message, status))]
        for view in row.detailed_checks:  # a variant row that passed is summed up, not drawn
            for plot in view.plots:
                files.append(_write(output / plots[(row.tool.key, view.check.key, plot.roi)], str(plot.svg)))
        return files, entry

    for ext in ("html", "md"):  # compiled before the workers start, not once in each
        envs[ext].get_template(f"tool.{ext}.j2")
    by_row = dict(zip((row.tool.key for row in rows), each_row(len(rows), tool_files, workers), strict=True))
    written += [path for files, _ in by_row.values() for path in files]
    steps.lap("tool pages, details, badges, plots")
    for ext in ("html", "md"):
        page(f"{'index' if ext == 'html' else 'compatibility'}.{ext}.j2", FRONT[ext])
        page(f"method.{ext}.j2", f"method.{ext}")
        page(f"exchange.{ext}.j2", f"exchange.{ext}")
        for finding in findings:
            page(f"finding.{ext}.j2", f"findings/{finding.anchor.removeprefix('finding-')}.{ext}", f=finding,
                 h=context["headline_of"][finding.label], evidence=evidence_lines(finding),
                 per_tool=per_tool[finding.label])
        for info in infos:
            page(f"set.{ext}.j2", f"sets/{slug(info.name)}.{ext}", m=methods[info.name], info=info,
                 set_row=rows_by_set.get(info.name), costs=costs_on_set.get(info.name, []),
                 on_demand=fixtures_root is not None and (fixtures_root / f"{info.name}.sha256").is_file())
        for view in run_pages:
            earlier = run_slug(view.previous) if view.previous is not None else ""
            page(f"run.{ext}.j2", f"runs/{run_slug(view.record)}.{ext}", view=view, previous_slug=earlier)
    for entries in per_tool.values():
        for entry in entries:
            if entry.script:
                written.append(_write(output / entry.script_path, entry.script))
    steps.lap("reproduction scripts")
    details = []
    for tool in results.tools:  # the index lists the rows in the results' order
        if tool.key in by_row:
            details.append((by_row[tool.key][1], []))  # its files are in written already
        else:  # a row no section shows
            details.append(write_detail(tool, output, staged=True))
    written += write_index(results, details, output, staged=True)
    steps.lap("results index")
    if exchange is not None:  # the producer -> consumer run, as its own results document
        written.append(_write(output / EXCHANGE_RESULTS, exchange.model_dump_json(indent=2) + "\n"))
    return Rendered(written, warnings, steps.seconds)


class Stopwatch:
    """Seconds per named step, each lap measured from the previous one (a step that
    recurs, as a kind of page does, adds up)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.seconds[step] = self.seconds.get(step, 0.0) + now - self._last
        self._last = now


@dataclass(frozen=True)
class ToolEntry:
    """What a finding's page says about one tool: where in its source, its upstream
    report, or a draft of one with a standalone reproduction script."""

    tool: ToolResult
    source: str
    source_url: str | None
    upstream: str | None
    draft: str = ""
    script: str = ""
    script_path: str = ""


def _per_tool(finding: FindingView, results: Results, methods: dict[str, FixtureMethod]) -> list[ToolEntry]:
    entries = []
    drafts = {o.tool.key: o for o in finding.drafts}
    for tool in finding.tools:
        source, source_url = finding.source(tool)
        upstream = finding.upstream(tool)
        occurrence = drafts.get(tool.key)
        if occurrence is None or upstream:
            entries.append(ToolEntry(tool, source, source_url, upstream))
            continue
        environment = (f"{results.run.platform}, Python {results.run.python}; "
                       + (", ".join(f"{n} {v}" for n, v in sorted(tool.dependencies.items()))
                          or "no resolved dependency list recorded"))
        draft = finding.draft_report(occurrence, results.run.fixtures.get(occurrence.check.fixture), environment)
        method = methods.get(occurrence.check.fixture)
        files = [(name, digest) for name, _, digest in method.files] if method else []
        script = reproduction_script(tool, occurrence.check, occurrence.keys,
                                     f"{finding.label} {finding.declaration.title}", _manifest(tool), files)
        path = f"findings/{finding.anchor.removeprefix('finding-')}--{slug(tool.key)}.sh"
        entries.append(ToolEntry(tool, source, source_url, upstream, draft, script, path))
    return entries


def _manifest(tool: ToolResult) -> Manifest | None:
    """The manifest that installed a row, where this checkout has it (for its install steps)."""
    return _installed_manifests().get(tool.key)


@lru_cache(maxsize=1)
def _installed_manifests() -> dict[str, Manifest]:
    from harness.catalogue import installed, load_catalogue

    try:
        return installed(load_catalogue())
    except Exception:  # noqa: BLE001 - a report without install steps is still a report
        return {}


def feature_view(rows: list[SetRow]) -> tuple[list[FeatureRow], list[str]]:
    """The variant sets as the feature x tool view shows them: each cell that did not
    pass and has no finding to explain it gets a numbered note (one number per text)."""
    notes: dict[str, int] = {}
    shown = []
    for row in rows:
        numbers: dict[str, tuple[int, ...]] = {}
        for key, cell in row.cells.items():
            if not cell.state or cell.state == "pass" or cell.findings:
                continue
            if cell.state in ("not tested", "error"):
                text = f"{cell.state}: {short_reason(cell.reason, 200)}"
            else:
                text = f"no known cause yet: {cell.note}"
            numbers[key] = (notes.setdefault(text, len(notes) + 1),)
        shown.append(FeatureRow(row.info, row.cells, row.interop, numbers))
    return shown, list(notes)


@dataclass(frozen=True)
class FeatureRow:
    info: SetInfo
    cells: dict
    interop: object
    notes: dict[str, tuple[int, ...]]


def _script(env: Environment) -> dict[str, object]:
    """The page's one script, and its hash for the Content-Security-Policy."""
    source, _, _ = env.loader.get_source(env, "filters.js")
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return {"script": Markup(source), "script_hash": f"sha256-{digest}"}


def _write(path: Path, text: str) -> Path:
    """Into the staging copy: published whole, synced once (:mod:`harness.report.publish`)."""
    write_staged(path, text)
    return path

