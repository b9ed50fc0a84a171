"""A Markdown table cell escapes in one pass exactly what the escapes applied one after another did."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from harness.report.render import markdown_cell

SEQUENTIAL = (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("`", "\\`"),
              ("[", "\\["), ("]", "\\]"), ("*", "\\*"), ("_", "\\_"))


def sequential(value: object) -> str:
    text = str(value if value is not None else "")
    for char, escaped in SEQUENTIAL:
        text = text.replace(char, escaped)
    text = " ".join(text.split())
    if text[:1] in ("#", ">") or text[:2] in ("- ", "+ ", "=="):
        text = "\\" + text
    return text


@given(st.text(alphabet="\\&<>|`[]*_#-+= \n\tab;", max_size=120))
def test_one_pass_escapes_as_the_replacements_in_turn(text):
    assert str(markdown_cell(text)) == sequential(text)
    assert str(markdown_cell(text)) == str(markdown_cell(text))  # remembered or not, the same


def test_long_and_short_cells_and_non_text_values():
    assert str(markdown_cell("a|b" * 100)) == sequential("a|b" * 100)
    assert str(markdown_cell(None)) == "" and str(markdown_cell(12.5)) == "12.5"
    assert str(markdown_cell("- list")) == "\\- list" and str(markdown_cell("x\n| y")) == "x \\| y"
