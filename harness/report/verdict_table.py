"""A check's verdict table, one line per judged quantity, for the HTML and the Markdown page.

A tool page lists every quantity its checks judged: a catalogue of 100 tools, 40 sets and
10 versions has millions of such lines. Written by a template, each line costs dozens of
attribute lookups and filter calls; written here, once per line, the same text costs a
few string operations. The templates call :func:`html_lines` and :func:`markdown_lines`
where they list the lines; what each cell says is the template's old wording, kept exactly
(``tests/report/test_verdict_table.py`` renders both ways and compares).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from markupsafe import Markup, escape

from harness.report.findings import convention_titles
from harness.report.summary import SEVERITY_LABELS, fmt, tolerance_text, verdict_rows
from harness.results import VerdictRecord


def html_lines(verdicts: list[VerdictRecord]) -> Markup:
    """The table body's rows, each ``<tr>...</tr>`` and a newline, every value escaped."""
    return Markup("".join(
        f'<tr><th scope="row">{key}</th><td>{observed}</td><td>{expected}</td><td>{deviation}</td>'
        f"<td>{tolerance}</td><td>{verdict}</td></tr>\n"
        for key, observed, expected, deviation, tolerance, verdict in _cells(
            verdicts, escape, "<strong>{}</strong>", "; and {} more quantit{} not reported for the same reason")))


def markdown_lines(verdicts: list[VerdictRecord], cell: Callable[[object], str]) -> Markup:
    """The table's rows, each ``| ... |`` and a newline; ``cell`` makes a value safe
    inside a table cell (:func:`harness.report.render.markdown_cell`)."""
    return Markup("".join(
        f"| {key} | {observed} | {expected} | {deviation} | {tolerance} | {verdict} |\n"
        for key, observed, expected, deviation, tolerance, verdict in _cells(
            verdicts, cell, "**{}**", "; and {} more not reported for the same reason")))


def _cells(verdicts: list[VerdictRecord], cell: Callable[[object], str], strong: str,
           hidden: str) -> Iterator[tuple[str, str, str, str, str, str]]:
    """Each line's six cells, every value made safe by ``cell``; ``strong`` marks a wrong
    verdict's severity, ``hidden`` says how many quantities a collapsed line stands for."""
    for line in verdict_rows(verdicts):
        v = line.verdict
        unit = f" {cell(v.unit)}" if v.unit else ""
        if v.outcome == "convention":
            verdict = f"within tolerance of {cell(convention_titles([v.convention]))}"
        elif v.passed:
            verdict = "ok"
        else:
            verdict = strong.format(cell(SEVERITY_LABELS[line.severity]))
        if line.hidden:
            verdict += hidden.format(line.hidden, "ies" if line.hidden != 1 else "y")
        yield (str(cell(v.key)), "not reported" if v.observed is None else f"{cell(fmt(v.observed, v))}{unit}",
               f"{cell(fmt(v.expected, v))}{unit}", str(cell(v.deviation)), str(cell(tolerance_text(v))), verdict)
