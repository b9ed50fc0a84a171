"""Writing the report files, each atomically, from one Results document."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from harness.fixture_sets import REFERENCE
from harness.history import CLASSES, History, record_run, trends
from harness.judging.conventions import CONVENTIONS
from harness.manifest import CAPABILITIES
from harness.report.findings import convention_titles, findings_of, slug
from harness.report.method import REFERENCES, fixture_method
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
from harness.report.publish import staged
from harness.report.summary import (
    SEVERITIES,
    SEVERITY_LABELS,
    SMOKE_CAPABILITIES,
    capability_by_set,
    changes,
    fmt,
    headlines,
    interop,
    set_infos,
    set_rows,
    short_reason,
    summary_rows,
    verdict_rows,
)
from harness.report.svg import COLOURS, badge_svg, sparkline_svg
from harness.results import Results
from harness.screenshots import png_bytes, thumbnail_data_uri
from harness.store import atomic_write_bytes, atomic_write_text

#: Where a check program can be read, relative to reports/ in the repository.
PROGRAM_URL = "../tool_manifests/"
GLYPHS = {"pass": "✓", "fail": "✗", "error": "!", "skip": "s", "unavailable": "-", "xfail": "x", None: "·"}


@dataclass(frozen=True)
class Rendered:
    """What ``render_reports`` wrote, and what it could not use (one line per problem)."""

    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


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
    env.filters.update(md=markdown_cell, short=short_json, url=safe_url, spark=sparkline_svg, glyphs=glyphs,
                       conventions=convention_titles, when=when,
                       brief=short_reason, fmt=fmt, collapsed=verdict_rows, anchor=anchor_id)
    if markdown:
        env.filters.update(url=markdown_url, code=code_span, fenced=fenced)
    return env


def _markdown_text(value: object) -> object:
    """Every ``{{ value }}`` of the Markdown page: numbers as they are, our markup as it
    is, anything else escaped as text."""
    if isinstance(value, Markup) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return markdown_cell(value)


def markdown_cell(value: object) -> Markup:
    """Text safe inside a Markdown table cell: no pipes, no newlines, no raw HTML, no
    link, emphasis or code span of its own."""
    text = str(value if value is not None else "")
    for char, escaped in (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"),
                          ("`", "\\`"), ("[", "\\["), ("]", "\\]"), ("*", "\\*"), ("_", "\\_")):
        text = text.replace(char, escaped)
    text = " ".join(text.split())
    if text[:1] in ("#", ">") or text[:2] in ("- ", "+ ", "=="):  # a heading, quote, list or rule at a line's start
        text = "\\" + text
    return Markup(text)


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
                   history: bool = True) -> Rendered:
    """Write ``compatibility.md``, ``index.html``, ``results.json`` and ``badges/`` under ``output``.

    With ``history``, the run is first added to ``output/history/`` (once per start time
    and host, the last 90 runs kept) and each check is classified over those runs.
    ``fixtures_root`` (e.g. ``fixtures/dicom``) supplies the analytic DVH curves the
    tools' curves are drawn over. Problems with either become warnings, never errors.
    The directory is published whole (:mod:`harness.report.publish`): all new or all old.
    """
    output = output.absolute()
    with staged(output) as staging:
        rendered = _render_into(results, staging, fixtures_root, history)
    return Rendered([output / path.relative_to(staging) for path in rendered.written],
                    [warning.replace(str(staging), str(output)) for warning in rendered.warnings])


#: Directories rendered wholly from the results: emptied first, so a tool, version or
#: check that is gone leaves no stale badge, plot or screenshot behind (history stays).
DERIVED_DIRECTORIES = ("badges", "plots", "screenshots")


def _render_into(results: Results, output: Path, fixtures_root: Path | None, history: bool) -> Rendered:
    for name in DERIVED_DIRECTORIES:
        shutil.rmtree(output / name, ignore_errors=True)
    warnings: list[str] = []
    window = History([], [])
    if history:
        window = record_run(output / "history", results)
        warnings += window.warnings
    fixture_names = sorted({c.fixture for t in results.tools for c in t.checks} | set(results.run.fixtures),
                           key=lambda name: (name != REFERENCE, name))
    curves, methods = {}, []
    if fixtures_root is not None:
        for fixture in fixture_names:
            curves[fixture], problem = load_curves(fixtures_root, fixture)
            warnings += [problem] if problem else []
            if fixture == REFERENCE and (fixtures_root / fixture).is_dir():
                methods.append(fixture_method(fixtures_root, fixture))
    findings, unexplained = findings_of(results)
    links: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for finding in findings:
        for occurrence in finding.occurrences:
            key = (occurrence.tool.key, occurrence.check.key)
            links[key] = (*links.get(key, ()), (finding.label, finding.anchor))
    by_check = trends(window.runs, results) if history else {}
    sections = build_sections(results, by_check, curves, links)
    anchors = {row.tool.key: row.anchor for section in sections for row in section.rows}
    summary = [(section.name, summary_rows([row.tool for row in section.rows], anchors, links, by_check))
               for section in sections]
    plots = {(row.tool.key, view.check.key, plot.roi): f"plots/{row.slug}--{slug(view.check.key)}--{slug(plot.roi)}.svg"
             for section in sections for row in section.rows for view in row.detailed_checks for plot in view.plots}
    shots, thumbnails = {}, {}  # the screenshot's file, and the page's inline thumbnail of it
    for row in (row for section in sections for row in section.rows):
        for view in (view for view in row.detailed_checks if view.check.screenshot):
            shots[(row.tool.key, view.check.key)] = f"screenshots/{row.slug}--{slug(view.check.key)}.png"
            thumbnails[(row.tool.key, view.check.key)] = thumbnail_data_uri(view.check.screenshot)
    capabilities = [c for c in capabilities_in(results) if c not in SMOKE_CAPABILITIES]
    infos = set_infos(fixtures_root, fixture_names)
    variants = [info for info in infos if info.name != REFERENCE]
    ran = [t for t in results.tools if any(c.fixture != REFERENCE for c in t.checks)]
    grids = {}
    for tool in results.tools:
        grid = capability_by_set(tool, infos, links)
        columns = [i.name for i in infos if any(i.name in cells for cells in grid.values())]
        grids[tool.key] = (columns, grid)
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
               "summary": summary, "headlines": headlines(findings),
               "interop": interop([row for _, rows in summary for row in rows], capabilities),
               "changes": changes(by_check, results.tools, anchors), "methods": methods,
               "fixture_names": fixture_names, "plots": plots, "references": REFERENCES,
               "shots": shots, "thumbnails": thumbnails,
               "ran": sum(1 for t in results.tools if t.install.status == "pass"),
               "program_url": PROGRAM_URL, "variants": variants,
               "set_rows": set_rows(ran, [i for i in infos if i.name in {c.fixture for t in ran for c in t.checks}],
                                    links),
               "set_tools": ran, "grids": grids, "set_titles": {i.name: i.title for i in infos},
               "reference": REFERENCE, "anchors": anchors}
    env = _environment()
    context.update(_script(env))
    written = [_write(output / "compatibility.md", _environment(markdown=True).get_template(
                   "compatibility.md.j2").render(**context)),
               _write(output / "index.html", env.get_template("index.html.j2").render(**context))]
    written.append(_write(output / "results.json", results.model_dump_json(indent=2) + "\n"))
    for section in sections:
        for row in section.rows:
            message, status = row.badge
            written.append(_write(output / "badges" / f"{row.slug}.svg", badge_svg("rtcompat", message, status)))
            for view in row.detailed_checks:  # a variant row that passed is summed up, not drawn
                if view.check.screenshot:
                    written.append(_write_bytes(output / shots[(row.tool.key, view.check.key)],
                                                png_bytes(view.check.screenshot)))
                for plot in view.plots:
                    written.append(_write(output / plots[(row.tool.key, view.check.key, plot.roi)], str(plot.svg)))
    return Rendered(written, warnings)


def _script(env: Environment) -> dict[str, object]:
    """The page's one script, and its hash for the Content-Security-Policy."""
    source, _, _ = env.loader.get_source(env, "filters.js")
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return {"script": Markup(source), "script_hash": f"sha256-{digest}"}


def _write(path: Path, text: str) -> Path:
    atomic_write_text(path, text)
    return path


def _write_bytes(path: Path, data: bytes) -> Path:
    atomic_write_bytes(path, data)
    return path
