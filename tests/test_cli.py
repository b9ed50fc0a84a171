"""The command line teaches, scaffolds valid manifests, and keeps generated docs in step."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.cli import build_parser, main
from harness.manifest_loader import load_manifest
from harness.paths import project_root
from harness.schema_docs import (
    FIELDS_DOC_PATH,
    SCHEMA_PATH,
    fields_markdown,
    json_schema_text,
)


def test_help_lists_every_command_with_its_one_line_help_and_examples(capsys):
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    with pytest.raises(SystemExit):
        main(["--help"])
    lines = capsys.readouterr().out.splitlines()
    for name in commands:
        listed = [line for line in lines if line.split()[:1] == [name]]
        assert listed, f"{name} is not listed as a command"
        assert len(listed[0].split()) > 2, f"{name} is listed without its help"
    assert any(line.strip().startswith("rtcompat run --tool pydicom") for line in lines)


REFERENCE_TRUTH = project_root(Path(__file__).parent) / "fixtures" / "dicom" / "reference" / "truth.json"


@pytest.mark.parametrize("backend", ["virtualenv", "debian", "source", "container"])
def test_new_scaffolds_a_manifest_whose_only_problems_are_its_todos(project, backend, capsys):
    """The scaffold is schema-valid, and validate names exactly what a person must fill in,
    in the manifest and in the check program and Dockerfile beside it."""
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
    expected += {"virtualenv": ["read_ct.py"] * 3, "debian": ["read_ct.sh"] * 2, "source": ["read_ct.sh"] * 2,
                 "container": ["Dockerfile", "read_ct.sh", "read_ct.sh"]}[backend]
    assert keys == expected


def test_validate_names_a_todo_left_in_a_check_program_at_its_line(project, capsys):
    reference = project / "fixtures" / "dicom" / "reference"
    reference.mkdir()
    (reference / "truth.json").write_bytes(REFERENCE_TRUTH.read_bytes())
    main(["new", "scaffold-probe"])
    manifest = project / "tool_manifests" / "scaffold-probe.yaml"
    text = manifest.read_text()
    for placeholder, value in (("TODO display name of scaffold-probe", "Probe"), ("TODO one or two", "One or two"),
                               ("https://TODO.example.org", "https://example.org"), ("TODO-SPDX-id", "MIT"),
                               ("TODO-scaffold-probe==0.0.0", "pydicom==3.0.1")):
        text = text.replace(placeholder, value)
    manifest.write_text(text)
    capsys.readouterr()
    assert main(["validate", str(manifest)]) == 1
    out = capsys.readouterr().out.splitlines()
    program = project / "tool_manifests" / "scaffold-probe" / "checks" / "read_ct.py"
    assert out[0].startswith(f"{program}:22: read_ct.py: still a placeholder from rtcompat new: import scaffold_probe")
    assert out[-1] == "0 valid, 1 invalid"


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
    from harness.results import (
        InstallResult,
        Results,
        RunInfo,
        ToolResult,
        write_results,
    )

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


def test_merge_catalogue_gives_a_tool_without_a_shard_an_error_row_through_the_cli(project, capsys):
    from standins import write_tool

    for tool in ("ran", "died"):
        write_tool(project, tool, "echo '{\"ct.rows\": 4, \"dose.max_gy\": 70.5}'")
    shard = project / "ran.json"
    assert main(["run", "--tool", "ran", "--results", str(shard)]) == 0
    merged = project / "merged.json"
    assert main(["merge", str(shard), "--output", str(merged), "--catalogue"]) == 0
    assert "merged 1 shard(s), 2 tools" in capsys.readouterr().out
    tools = {t["id"]: t for t in json.loads(merged.read_text())["tools"]}
    assert tools["ran"]["checks"][0]["status"] == "pass"
    assert tools["died"]["install"]["status"] == "error"
    assert "no shard reports this tool" in tools["died"]["install"]["reason"]
    assert main(["merge", str(shard), "--output", str(project / "plain.json")]) == 0
    assert [t["id"] for t in json.loads((project / "plain.json").read_text())["tools"]] == ["ran"]


def test_merge_of_a_shard_that_is_not_results_is_an_error_naming_it(project, capsys):
    broken = project / "broken.json"
    broken.write_text("{not json")
    assert main(["merge", str(broken), "--output", str(project / "merged.json")]) == 1
    assert str(broken) in capsys.readouterr().err
    assert not (project / "merged.json").exists()


def test_fixtures_verify_through_the_cli_names_a_file_that_differs_from_a_fresh_build(project, capsys):
    committed = REFERENCE_TRUTH.parent.parent / "dose-16bit"
    copy = project / "fixtures" / "dicom" / "dose-16bit"
    shutil.copytree(committed, copy)
    assert main(["fixtures", "verify", "--set", "dose-16bit"]) == 0
    assert "dose-16bit: byte-identical to a fresh build" in capsys.readouterr().out
    dose = copy / "RD.dcm"
    dose.write_bytes(dose.read_bytes()[:-1] + b"\x01")
    assert main(["fixtures", "verify", "--set", "dose-16bit"]) == 1
    captured = capsys.readouterr()
    assert "dose-16bit: 1 difference(s)" in captured.out and f"{dose.as_posix()}:" in captured.out
    assert main(["fixtures", "verify", "--set", "no-such-set"]) == 1
    assert "no fixture set named no-such-set" in capsys.readouterr().err


def test_list_says_what_each_column_is(project, capsys):
    main(["new", "my-tool"])
    capsys.readouterr()
    assert main(["list"]) == 0
    head, row = capsys.readouterr().out.splitlines()[:2]
    assert head.split() == ["tool", "(--tool)", "backend", "listed", "checks"]
    assert row.split()[:2] == ["my-tool", "virtualenv"]


@pytest.mark.parametrize("mirror", [True, False])
def test_doctor_asks_for_a_mirror_only_when_none_is_set(tmp_path, monkeypatch, mirror):
    from harness.doctor import diagnose
    from harness.host import Host

    if mirror:
        monkeypatch.setenv("RTCOMPAT_MIRROR", str(tmp_path))
    else:
        monkeypatch.delenv("RTCOMPAT_MIRROR", raising=False)
        monkeypatch.setenv("RTCOMPAT_CACHE", str(tmp_path / "empty-cache"))
    host = Host()
    host.network = False
    said = "\n".join(diagnose(host))
    assert ("set RTCOMPAT_MIRROR" in said) is not mirror


def test_fixtures_verify_without_the_encoders_names_the_extra(monkeypatch, capsys):
    from harness import fixtures

    def missing_codec(directory, name):
        raise ModuleNotFoundError("No module named 'gdcm'")

    monkeypatch.setattr(fixtures, "verify_set", missing_codec)
    assert main(["fixtures", "verify", "--set", "ct-jpeg-lossless"]) == 1
    assert capsys.readouterr().err.strip() == ("rtcompat: error: ct-jpeg-lossless: No module named 'gdcm'; the "
                                              "encoders are in the 'fixtures' extra: pip install -e '.[fixtures]'")


def test_a_browser_check_without_a_report_is_refused_before_anything_runs(project, capsys):
    assert main(["run", "--browser-check", str(project / "shot.png")]) == 1
    assert "it goes with --report" in capsys.readouterr().err
    assert not (project / "results").exists()


@pytest.mark.parametrize(("asked", "variable", "narrowed", "cores", "expected"), [
    (None, None, False, 2, "2"),        # the whole catalogue: a worker per core
    (None, None, True, 2, None),        # --tool, --set or --data: one process, which starts sooner
    (None, None, False, 1, None),       # one core: nothing to share
    ("1", None, False, 8, None),        # -n 1 is one process
    ("auto", None, True, 2, "auto"),    # what is asked is what runs
    (None, "3", True, 2, "3"),          # $RTCOMPAT_WORKERS when -n is not given
    ("2", "1", False, 2, "2"),          # -n over the variable
])
def test_a_run_uses_the_cores_it_has_unless_narrowed_or_told(monkeypatch, asked, variable, narrowed, cores,
                                                             expected):
    from harness import cli

    monkeypatch.delenv("RTCOMPAT_WORKERS", raising=False)
    if variable is not None:
        monkeypatch.setenv("RTCOMPAT_WORKERS", variable)
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: set(range(cores)))
    assert cli._workers(asked, narrowed) == expected
