"""Manifest problems read as file:line: key: message, with the fix where we can guess it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import harness.manifest_loader as loader
from harness.catalogue import load_catalogue, manifest_paths
from harness.cli import main
from harness.manifest_loader import ManifestError, load_manifest

GOOD = """\
id: good
name: Good
summary: A tool that reads everything.
homepage: https://example.org
licence: MIT
section: Beyond the source catalogue
in_source_catalogue: false
install:
  backend: virtualenv
  packages: ["good==1.0"]
checks:
  - id: read-ct
    capability: read-ct
    program: checks/read_ct.py
    judge: ["ct.*"]
"""


def write(tmp_path: Path, text: str, name: str = "good.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    return [str(p) for p in caught.value.problems]


def test_a_valid_manifest_loads(tmp_path):
    manifest = load_manifest(write(tmp_path, GOOD))
    assert manifest.checks[0].timeout == 300


# GOOD holds 19 values: the root, its 7 scalars, install and its 3 values (backend, the
# packages list and its one item), checks, the one check and its 5 (id, capability,
# program, the judge list and its one pattern). Its deepest container, the judge list,
# sits 3 levels below the root.
GOOD_VALUES, GOOD_DEPTH = 19, 3
# A second check whose judge list is an alias of the first's: 6 values more once expanded.
ALIASED = GOOD.replace('judge: ["ct.*"]', 'judge: &patterns ["ct.*"]') + (
    "  - id: read-ct-again\n    capability: read-ct\n    program: checks/read_ct.py\n    judge: *patterns\n")


@pytest.mark.parametrize(("text", "values"), [(GOOD, GOOD_VALUES), (ALIASED, GOOD_VALUES + 6)])
def test_the_value_budget_counts_every_value_each_time_an_alias_expands_it(tmp_path, monkeypatch, text, values):
    path = write(tmp_path, text)
    monkeypatch.setattr(loader, "MAX_VALUES", values)
    assert load_manifest(path).id == "good"
    monkeypatch.setattr(loader, "MAX_VALUES", values - 1)
    assert problems(path) == [
        f"{path}:1: <file>: more than {values - 1} values once aliases are expanded (a YAML alias bomb?)"]


def test_the_depth_bound_counts_levels_below_the_root(tmp_path, monkeypatch):
    path = write(tmp_path, GOOD)
    monkeypatch.setattr(loader, "MAX_DEPTH", GOOD_DEPTH)
    assert load_manifest(path).id == "good"
    monkeypatch.setattr(loader, "MAX_DEPTH", GOOD_DEPTH - 1)
    assert problems(path) == [f"{path}:1: <file>: nested deeper than {GOOD_DEPTH - 1} levels"]


def test_a_misspelt_key_names_its_line_and_the_key_meant(tmp_path):
    path = write(tmp_path, GOOD.replace("    judge:", "    timout: 5\n    judge:"))
    assert problems(path) == [f"{path}:15: checks.0.timout: unknown key (did you mean 'timeout'?)"]


def test_a_misspelt_install_key_suggests_the_backend_field(tmp_path):
    path = write(tmp_path, GOOD.replace("  packages:", "  pakages:"))
    found = problems(path)
    assert f"{path}:10: install.pakages: unknown key (did you mean 'packages'?)" in found
    assert f"{path}:8: install.packages: required key is missing" in found


def test_a_missing_field_is_named(tmp_path):
    path = write(tmp_path, GOOD.replace("licence: MIT\n", ""))
    assert problems(path) == [f"{path}:1: licence: required key is missing"]


def test_an_unknown_capability_lists_the_valid_ones(tmp_path):
    path = write(tmp_path, GOOD.replace("capability: read-ct", "capability: read-xray"))
    (message,) = problems(path)
    assert message.startswith(f"{path}:13: checks.0.capability: 'read-xray' is not one of")


@pytest.mark.parametrize(("broken", "line", "problem"), [
    (GOOD.replace("licence: MIT", "licence: MIT: GPL"), 5, "mapping values are not allowed here"),
    (GOOD.replace("  backend: virtualenv", "  backend: virtualenv\n bad: 1"), 10,
     "expected <block end>, but found '<block mapping start>'"),
])
def test_broken_yaml_reports_the_line_where_the_parser_found_the_problem(tmp_path, broken, line, problem):
    path = write(tmp_path, broken)
    assert problems(path) == [f"{path}:{line}: <file>: invalid YAML: {problem}"]


def test_a_scalar_file_is_not_a_manifest(tmp_path):
    assert problems(write(tmp_path, "just text\n")) == [
        f"{tmp_path / 'good.yaml'}:1: <file>: expected a mapping of keys (id, name, install, checks ...)"]


def test_the_id_must_match_the_file_name(tmp_path):
    path = write(tmp_path, GOOD, name="other.yaml")
    assert problems(path) == [f"{path}:1: id: 'good' must match the file name 'other'"]


def test_validate_prints_every_problem_and_exits_non_zero(tmp_path, capsys):
    bad = write(tmp_path, GOOD.replace("  packages:", "  pakages:"))
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:10: install.pakages: unknown key (did you mean 'packages'?)" in out


def test_one_bad_manifest_does_not_hide_the_others(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, "id: [\n", name="broken.yaml")
    entries = load_catalogue(manifest_paths(tmp_path))
    assert {e.tool_id: bool(e.manifest) for e in entries} == {"broken": False, "good": True}


def test_a_file_that_cannot_be_read_as_text_is_one_problem_on_its_first_line(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"id: \xff\xfe\n")
    assert problems(path) == [(f"{path}:1: <file>: cannot read: 'utf-8' codec can't decode byte 0xff in position 4: "
                               "invalid start byte")]
    directory = tmp_path / "dir.yaml"
    directory.mkdir()
    assert problems(directory) == [f"{directory}:1: <file>: cannot read: [Errno 21] Is a directory: '{directory}'"]


def test_a_file_beyond_the_size_limit_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, GOOD + "#" * (256 * 1024))
    assert problems(path) == [f"{path}:1: <file>: larger than 256 KiB; a manifest is a few KiB"]


def test_a_file_exactly_at_the_size_limit_is_read(tmp_path):
    path = write(tmp_path, GOOD)
    text = path.read_text()
    path.write_text(text + "#" * (256 * 1024 - len(text.encode()) - 1) + "\n")
    assert path.stat().st_size == 256 * 1024
    assert load_manifest(path).id == "good"


def test_an_endless_file_is_refused_without_being_read_whole(tmp_path, monkeypatch):
    class Endless:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, size=-1):
            if size is None or size < 0:
                raise AssertionError("read an endless file whole")
            return b"#" * size

    monkeypatch.setattr(loader, "open", lambda *args, **kwargs: Endless(), raising=False)
    path = tmp_path / "endless.yaml"
    assert problems(path) == [f"{path}:1: <file>: larger than 256 KiB; a manifest is a few KiB"]


def test_a_forbidden_character_is_placed_on_its_line_counting_a_leading_blank_line(tmp_path):
    path = write(tmp_path, "\n" + GOOD.replace("name: Good", "name: Go\x07od"))
    assert problems(path) == [f"{path}:3: <file>: invalid YAML: character #x0007 is not allowed"]


@pytest.mark.parametrize(("text", "line"), [
    ("a: " + "[" * 64 + "]" * 64 + "\n", None),  # at the limit
    ("a: 1\nb: " + "[" * 65 + "]" * 65 + "\n", 2),  # one beyond
    ("a: '" + "[" * 65 + "'\n", None),  # inside quotes
    ("a: 'x" + "[" * 65 + "'\n", None),
    ('a: "x"\nb: ' + "{" * 65 + "\n", 2),  # after a closed quote
    ("a: don't\nb: " + "[" * 65 + "\n", 2),  # an apostrophe opens no quote
    ("a: " + "X" * 100 + "\n", None),
    ("a: X'" + "[" * 65 + "'\n", 1),  # a quote inside a word opens nothing
    ("a: X" + "[" * 65 + "\n", 1),  # nor does a letter
    ("a: [b,'" + "[" * 65 + "']\n", None),  # a quote after a comma does
    ("'" + "[" * 65 + "'", None),  # a quote at the very start does
    ("a: " + "[]" * 70 + "\n", None),  # each bracket closed: never deeper than one
    ("a: " + "[X" * 65 + "\n", 1),  # only brackets close
    ("a: [[]" + "[" * 64 + "\n", 1),  # a close takes off one level
    ("a: ]][]" + "[" * 64 + "\n", None),  # and never below zero
])
def test_flow_nesting_is_bounded_at_sixty_four_levels_outside_quotes(text, line):
    from harness.manifest_loader import MAX_DEPTH, _flow_nesting_beyond

    assert MAX_DEPTH == 64
    assert _flow_nesting_beyond(text, MAX_DEPTH) == line


def test_nesting_beyond_the_limit_is_a_problem_on_its_line(tmp_path):
    path = write(tmp_path, GOOD.replace("name: Good", "name: " + "[" * 65 + "]" * 65))
    assert problems(path) == [f"{path}:2: <file>: nested deeper than 64 levels"]


def test_a_misspelt_key_in_a_versions_install_names_the_version_without_the_backend_tag(tmp_path):
    versioned = GOOD.replace("install:\n  backend: virtualenv\n  packages: [\"good==1.0\"]\n",
                             "versions:\n  - id: \"1.0\"\n    install:\n      backend: virtualenv\n"
                             "      pakages: [\"good==1.0\"]\n")
    path = write(tmp_path, versioned)
    assert problems(path) == [f"{path}:10: versions.0.install.packages: required key is missing",
                              f"{path}:12: versions.0.install.pakages: unknown key (did you mean 'packages'?)"]
    typo = write(tmp_path, versioned.replace("    install:", "    instal: {}\n    install:"))
    assert f"{typo}:10: versions.0.instal: unknown key (did you mean 'install'?)" in problems(typo)


@pytest.mark.parametrize("nesting", ["mapping", "list"])
def test_block_nesting_beyond_the_limit_is_one_problem_not_a_crash(tmp_path, nesting):
    if nesting == "mapping":
        deep = "".join(f"{'  ' * i}k:\n" for i in range(70)) + "  " * 70 + "k: 1\n"
    else:
        deep = "k:\n" + "".join(f"{'  ' * i}- \n" for i in range(1, 70)).replace("- \n", "-\n") + "  " * 70 + "- 1\n"
    path = write(tmp_path, GOOD + "extra:\n" + textwrap.indent(deep, "  "))
    assert problems(path) == [f"{path}:1: <file>: nested deeper than 64 levels"]


def test_the_id_problem_points_at_the_id_line(tmp_path):
    path = write(tmp_path, "name: Good\n" + GOOD.replace("name: Good\n", ""), name="other.yaml")
    assert problems(path) == [f"{path}:2: id: 'good' must match the file name 'other'"]


def test_an_unknown_key_under_a_field_that_is_not_a_model_has_no_suggestion(tmp_path):
    path = write(tmp_path, GOOD.replace('    judge: ["ct.*"]', '    judge: ["ct.*"]\n    xfail: {reason: r, isue: 1}'))
    assert problems(path) == [f"{path}:16: checks.0.xfail.isue: unknown key (did you mean 'issue'?)"]
    path = write(tmp_path, GOOD.replace('    judge: ["ct.*"]', '    judge: ["ct.*"]\n    tolerances: {"ct.*": {rel: 0.1, zz: 1}}'))
    assert problems(path) == [f"{path}:16: checks.0.tolerances.ct.*.zz: unknown key"]


def test_a_manifest_is_parsed_once_per_content_and_again_once_edited(tmp_path, monkeypatch):
    from harness import catalogue

    parsed = []
    real = catalogue.load_manifest
    monkeypatch.setattr(catalogue, "load_manifest", lambda path: parsed.append(path) or real(path))
    from harness.paths import manifests_dir

    source = manifests_dir() / "pydicom.yaml"
    path = tmp_path / "pydicom.yaml"
    path.write_text(source.read_text())
    first = catalogue.load_entry(path)
    assert catalogue.load_entry(path) is first and len(parsed) == 1
    path.write_text(source.read_text().replace("name: pydicom", "name: pydicom (edited)", 1))
    edited = catalogue.load_entry(path)
    assert len(parsed) == 2 and edited.manifest is not None and edited.manifest.name == "pydicom (edited)"
    path.write_text("id: pydicom\n")
    assert catalogue.load_entry(path).manifest is None and len(parsed) == 3
