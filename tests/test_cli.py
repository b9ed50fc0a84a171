"""The command line teaches, scaffolds valid manifests, and keeps generated docs in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.manifest_loader import load_manifest
from harness.paths import project_root
from harness.schema_docs import FIELDS_DOC_PATH, SCHEMA_PATH, fields_markdown, json_schema_text


def test_help_lists_every_command_with_examples(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("list", "validate", "new", "run", "report", "doctor", "fixtures", "engine"):
        assert command in out
    assert "rtcompat run --tool pydicom" in out


REFERENCE_TRUTH = project_root(Path(__file__).parent) / "fixtures" / "dicom" / "reference" / "truth.json"


@pytest.mark.parametrize("backend", ["virtualenv", "debian", "source", "container"])
def test_new_scaffolds_a_manifest_whose_only_problems_are_its_todos(project, backend, capsys):
    """The scaffold is schema-valid, and validate names exactly what a person must fill in."""
    reference = project / "fixtures" / "dicom" / "reference"
    reference.mkdir()
    (reference / "truth.json").write_bytes(REFERENCE_TRUTH.read_bytes())
    assert main(["new", "my-tool", "--backend", backend]) == 0
    path = project / "tool_manifests" / "my-tool.yaml"
    manifest = load_manifest(path)
    assert manifest.install.backend == backend
    capsys.readouterr()
    assert main(["validate"]) == 1
    keys = [line.split(": ")[1] for line in capsys.readouterr().out.splitlines()[:-1]]
    expected = ["name", "summary", "homepage", "licence"] + {"virtualenv": ["packages"], "debian": ["packages"],
                                                             "source": ["git", "commit"], "container": []}[backend]
    assert keys == expected


@pytest.mark.parametrize("capability", ["read-ct", "read-rtstruct", "read-rtplan", "read-rtdose", "dvh", "startup",
                                        "qa-analysis"])
def test_new_scaffolds_a_check_for_each_capability(project, capability):
    assert main(["new", "my-tool", "--capability", capability]) == 0
    manifest = load_manifest(project / "tool_manifests" / "my-tool.yaml")
    (check,) = manifest.checks
    assert check.capability == capability and check.id == capability
    assert (project / "tool_manifests" / "my-tool" / check.program).read_text().count("TODO") >= 2


def test_new_refuses_to_overwrite(project, capsys):
    main(["new", "my-tool"])
    assert main(["new", "my-tool"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_the_committed_json_schema_and_field_docs_match_the_models():
    root = project_root(Path(__file__).parent)
    assert (root / SCHEMA_PATH).read_text() == json_schema_text(), "run: rtcompat schema --write"
    assert (root / FIELDS_DOC_PATH).read_text() == fields_markdown(), "run: rtcompat schema --write"


def test_every_committed_manifest_validates_and_its_checks_exist():
    root = project_root(Path(__file__).parent)
    assert main(["validate"]) == 0
    for path in (root / "tool_manifests").glob("*.yaml"):
        manifest = load_manifest(path)
        for check in manifest.checks:
            assert (path.with_suffix("") / check.program).is_file(), f"{path}: {check.program}"


def test_every_judge_pattern_names_some_truth(tmp_path):
    import fnmatch

    from harness.judging.judge import load_truth

    root = project_root(Path(__file__).parent)
    truth = load_truth(root / "fixtures" / "dicom" / "reference")
    for path in (root / "tool_manifests").glob("*.yaml"):
        for check in load_manifest(path).checks:
            for pattern in check.judge:
                assert any(fnmatch.fnmatchcase(k, pattern) for k in truth), f"{path.name} {check.id}: {pattern}"


def test_report_renders_a_results_file_and_names_a_broken_one(project, tmp_path, capsys):
    from harness.results import InstallResult, Results, RunInfo, ToolResult, write_results

    results = tmp_path / "results.json"
    run = RunInfo(started="2026-01-01T00:00:00+00:00", host="h", platform="Linux", python="3.11",
                  harness_version="0.1.0")
    write_results(Results(run=run, tools=[ToolResult(
        id="t", name="T", section="Integration Components", in_source_catalogue=True, backend="unavailable",
        install=InstallResult(status="unavailable", reason="needs Windows"))]), results)
    assert main(["report", "--results", str(results), "--output", str(tmp_path / "reports")]) == 0
    assert (tmp_path / "reports" / "index.html").is_file()
    results.write_text('{"schema_version": 1, "run": ')
    assert main(["report", "--results", str(results), "--output", str(tmp_path / "reports")]) == 1
    assert "not JSON (truncated?)" in capsys.readouterr().err


def test_the_documented_example_manifest_is_a_valid_manifest():
    from ruamel.yaml import YAML

    from harness.manifest import Manifest
    from harness.schema_docs import EXAMPLE_MANIFEST

    manifest = Manifest.model_validate(YAML(typ="safe").load(EXAMPLE_MANIFEST))
    keys = {key for check in manifest.checks for key, value in check.model_dump().items() if value}
    assert {"optional", "tolerances", "read_from", "xfail", "command", "expect"} <= keys
