"""The verdict tables a tool page lists, written in Python, say exactly what the template said.

The reference templates below are the lines the tool pages used before the tables moved to
:mod:`harness.report.verdict_table`; each is rendered by the report's own Jinja
environment (HTML autoescape, the Markdown page's escaping of every value) over verdicts
that take every branch: a pass, a convention, each severity, a unit or none, a run of
quantities a crash left unreported (one hidden, several hidden), and values that try to
open markup in either format.
"""

from __future__ import annotations

import pytest

from harness.report.render import _environment, markdown_cell
from harness.report.summary import SEVERITY_LABELS, SEVERITY_ORDER, verdict_rows
from harness.report.verdict_table import html_lines, markdown_lines
from harness.results import VerdictRecord

HTML_REFERENCE = (
    '{% for line in check.verdicts | collapsed %}{% set v = line.verdict %}<tr><th scope="row">{{ v.key }}</th><td>'
    "{% if v.observed is none %}not reported{% else %}{{ v.observed | fmt(v) }}{% endif %}"
    "{% if v.unit and v.observed is not none %} {{ v.unit }}{% endif %}</td><td>{{ v.expected | fmt(v) }}"
    "{% if v.unit %} {{ v.unit }}{% endif %}</td><td>{{ v.deviation }}</td><td>{{ v | tolerance }}</td><td>"
    '{% if v.outcome == "convention" %}within tolerance of {{ [v.convention] | conventions }}'
    "{% elif v.passed %}ok{% else %}<strong>{{ severity_labels[line.severity] }}</strong>{% endif %}"
    "{% if line.hidden %}; and {{ line.hidden }} more quantit{{ \"ies\" if line.hidden != 1 else \"y\" }} "
    "not reported for the same reason{% endif %}</td></tr>\n{% endfor %}")

MARKDOWN_REFERENCE = (
    "{% for line in check.verdicts | collapsed %}{% set v = line.verdict %}\n"
    "| {{ v.key | md }} | {% if v.observed is none %}not reported{% else %}{{ v.observed | fmt(v) | md }}"
    "{% if v.unit %} {{ v.unit | md }}{% endif %}{% endif %} | {{ v.expected | fmt(v) | md }}"
    "{% if v.unit %} {{ v.unit | md }}{% endif %} | {{ v.deviation | md }} | {{ v | tolerance | md }} | "
    '{% if v.outcome == "convention" %}within tolerance of {{ [v.convention] | conventions | md }}'
    "{% elif v.passed %}ok{% else %}**{{ severity_labels[line.severity] }}**{% endif %}"
    "{% if line.hidden %}; and {{ line.hidden }} more not reported for the same reason{% endif %} |\n{% endfor %}")


def verdicts() -> list[VerdictRecord]:
    crash = "not reported: the program stopped at read-dose"
    return [
        VerdictRecord(key="ct.rows", passed=True, observed=120, expected=120, tolerance="exact", message="ok"),
        VerdictRecord(key="dvh.PTV.D95_gy", passed=True, observed=59.87654321, expected=60.0, tolerance="0.2 %",
                      unit="Gy", margin=0.3, deviation="-0.12 Gy", message="ok"),
        VerdictRecord(key="dvh.Body.volume_cm3", passed=True, outcome="convention", convention="no-end-caps",
                      observed=1426.65, expected=1400.0, tolerance="2 %", unit="cm3", message="convention"),
        VerdictRecord(key="dose.max_gy", passed=False, outcome="fail", observed=6.0e6, expected=60.0,
                      tolerance="1 % or 0.01 Gy", unit="Gy", margin=1e7, deviation="x 1e+05", message="scaled"),
        VerdictRecord(key="dose.at.p1_gy", passed=False, outcome="fail", observed=61.5, expected=60.0,
                      tolerance="1 %", unit="Gy", margin=2.5, deviation="+1.5 Gy", message="beyond"),
        VerdictRecord(key="ct.slice_positions_mm", passed=False, outcome="fail", observed=[1.0, 2.0, 3.0, 4.0, 5.0],
                      expected=[1.0, 2.0, 3.0, 4.0, 6.0], tolerance="0.01 mm", unit="mm", message="list"),
        VerdictRecord(key="ct.patient_position", passed=False, outcome="fail", observed="FFS", expected="HFS",
                      tolerance="exact", message="text"),
        VerdictRecord(key="rtstruct.names", passed=False, outcome="fail", observed=[], expected=["Body"],
                      tolerance="exact", message="empty"),
        VerdictRecord(key="dvh.<b>|x*_`[y]`</b>", passed=False, outcome="fail", observed="<script>|`x`",
                      expected="# a heading", tolerance="exact", unit="<i>", deviation="- a | list",
                      message="markup"),
        VerdictRecord(key="dose.shape", passed=False, outcome="fail", observed=None, expected=[10, 12, 14],
                      tolerance="exact", message=f"dose.shape {crash}"),
        VerdictRecord(key="dose.spacing", passed=False, outcome="fail", observed=None, expected=2.5, unit="mm",
                      tolerance="exact", message=f"dose.spacing {crash}"),
        VerdictRecord(key="dose.origin", passed=False, outcome="fail", observed=None, expected=[0.0, 0.0, 0.0],
                      tolerance="exact", message=f"dose.origin {crash}"),
        VerdictRecord(key="dvh.PTV.mean_gy", passed=False, outcome="fail", observed=None, expected=60.0,
                      tolerance="1 %", unit="Gy", message="dvh.PTV.mean_gy not reported: no DVH"),
        VerdictRecord(key="dvh.OAR.mean_gy", passed=False, outcome="fail", observed=None, expected=20.0,
                      tolerance="1 %", unit="Gy", message="dvh.OAR.mean_gy not reported: no DVH"),
        VerdictRecord(key="dvh.Body.mean_gy", passed=False, outcome="fail", observed=0.5, expected=20.0,
                      tolerance="1 %", unit="Gy", margin=None, message="no margin"),
    ]


def reference(markdown: bool, rows: list[VerdictRecord]) -> str:
    env = _environment(markdown=markdown)
    env.filters["collapsed"] = verdict_rows
    return env.from_string(MARKDOWN_REFERENCE if markdown else HTML_REFERENCE).render(
        check={"verdicts": rows}, severity_labels=SEVERITY_LABELS)


@pytest.mark.parametrize("markdown", [False, True], ids=["html", "markdown"])
def test_the_tables_say_what_the_template_said(markdown):
    rows = verdicts()
    written = markdown_lines(rows, markdown_cell) if markdown else html_lines(rows)
    assert str(written) == reference(markdown, rows)


@pytest.mark.parametrize("markdown", [False, True], ids=["html", "markdown"])
def test_every_severity_and_a_collapsed_crash_take_a_line(markdown):
    rows = verdicts()
    text = str(markdown_lines(rows, markdown_cell) if markdown else html_lines(rows))
    shown = [label for name, label in SEVERITY_LABELS.items() if name in SEVERITY_ORDER and label in text]
    assert len(shown) >= 3
    assert text.count("\n") == len(rows) - 3  # the crash hid two quantities, the missing DVH one
    assert ("2 more" in text) and ("1 more" in text)


def test_no_value_opens_markup_in_either_format():
    rows = verdicts()
    assert "<script>" not in str(html_lines(rows)) and "<b>" not in str(html_lines(rows))
    markdown = str(markdown_lines(rows, markdown_cell))
    assert "<script>" not in markdown and "| `x`" not in markdown and "\n| # a" not in markdown


def test_remembered_numbers_print_as_each_value_and_type_would():
    from harness.report.summary import _fmt_plain, fmt, rounded

    cases = [(1, "exact", 1), (1.0, "exact", 1), (True, "exact", True), (-0.0, "exact", 0.0), (0.0, "exact", 0.0),
             (59.87654321, "0.2 %", 60.0), (59.87654321, "0.2 %", 6000.0), ("HFS", "exact", "HFS"), (None, "", 1.0),
             (float("nan"), "1 %", 60.0), (1e-14, "1e-07 %", 1e-14)]
    for _ in range(2):  # the second time from memory
        for value, tolerance, expected in cases:
            verdict = VerdictRecord(key="k", passed=True, observed=value, expected=expected, tolerance=tolerance,
                                    message="m")
            assert fmt(value, verdict) == _fmt_plain(rounded(value, tolerance, expected)), (value, tolerance, expected)
    shown = {fmt(v, VerdictRecord(key="k", passed=True, observed=v, expected=1, message="m")) for v in (1, 1.0, True)}
    assert shown == {"1", "True"} and fmt(-0.0, VerdictRecord(key="k", passed=True, message="m")) == "-0"
