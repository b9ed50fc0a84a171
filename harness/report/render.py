"""Writing the report files, each atomically, from one Results document."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from harness.report.model import LABELS, build_sections, capabilities_in
from harness.results import Results
from harness.store import atomic_write_text


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("harness.report", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html", "html.j2"]), trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["md"] = markdown_cell
    return env


def markdown_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: no pipes, no newlines, no raw HTML."""
    text = str(value if value is not None else "")
    for char, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("`", "\\`"),
                          ("[", "\\["), ("]", "\\]"), ("*", "\\*"), ("_", "\\_")):
        text = text.replace(char, escaped)
    return " ".join(text.split())


def render_reports(results: Results, output: Path) -> list[Path]:
    env = _environment()
    context = dict(results=results, run=results.run, sections=build_sections(results),
                   capabilities=capabilities_in(results), counts=results.counts(), labels=LABELS,
                   tool_count=len(results.tools))
    written = []
    for name in ("compatibility.md", "index.html"):
        text = env.get_template(name + ".j2").render(**context)
        atomic_write_text(output / name, text)
        written.append(output / name)
    atomic_write_text(output / "results.json", results.model_dump_json(indent=2) + "\n")
    written.append(output / "results.json")
    return written
