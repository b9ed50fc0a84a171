"""What a manifest problem reads like: one line, control characters shown, long text cut
at its limit, the line of the deepest part that exists, at most one suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from harness.manifest_loader import ManifestError, Problem, _codepoint, _one_line, line_of

DOC = YAML(typ="rt").load("id: x\nchecks:\n  - id: a\n    judge: [p, q]\n  - id: b\n")


@pytest.mark.parametrize(("text", "limit", "shown"), [
    ("short", 5, "short"),
    ("sixchr", 5, "si..."),
    ("a\nb\tc", 50, "a b c"),
    ("bell\x07here", 50, "bell\\x07here"),
    ("nul\x00", 50, "nul\\x00"),
    ("back\\slash 'quoted'", 50, "back\\slash 'quoted'"),
    ("x" * 600, 500, "x" * 497 + "..."),
])
def test_one_line_text(text, limit, shown):
    assert _one_line(text, limit) == shown


def test_a_problem_is_file_line_key_and_message_with_each_cut_at_its_own_limit():
    problem = Problem(Path("m.yaml"), 7, "k" * 130, "m" * 510)
    assert str(problem) == f"m.yaml:7: {'k' * 117}...: {'m' * 497}..."
    assert str(Problem(Path("m.yaml"), 1, "k" * 120, "m" * 500)) == f"m.yaml:1: {'k' * 120}: {'m' * 500}"
    assert str(Problem(Path("m.yaml"), 1, "", "bad")) == "m.yaml:1: <file>: bad"


def test_a_manifest_error_lists_every_problem_one_per_line():
    problems = [Problem(Path("a.yaml"), 2, "id", "one"), Problem(Path("a.yaml"), 5, "name", "two")]
    assert str(ManifestError(problems)) == "a.yaml:2: id: one\na.yaml:5: name: two"


@pytest.mark.parametrize(("loc", "line"), [
    (("checks", 0, "judge", 0), 4), (("checks", 0, "judge", 1), 4), (("checks", 1), 5), (("checks", 0), 3),
    (("checks", 2), 2),  # past the end: the list's own line
    (("checks", -1), 2),  # no negative indexing into the YAML
    (("checks", 0, "absent"), 3), (("nowhere",), 1),
])
def test_the_line_is_that_of_the_deepest_part_that_exists(loc, line):
    assert line_of(DOC, loc) == line


def test_a_disallowed_character_is_named_by_code_point():
    assert _codepoint(7) == "#x0007" and _codepoint("\x1b") == "#x001b"
