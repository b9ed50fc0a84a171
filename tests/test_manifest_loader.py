"""Manifest problems read as file:line: key: message, with the fix where we can guess it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

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


def test_broken_yaml_reports_the_line(tmp_path):
    path = write(tmp_path, GOOD.replace("name: Good", "name: [Good"))
    (message,) = problems(path)
    assert message.startswith(f"{path}:") and "invalid YAML" in message


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
