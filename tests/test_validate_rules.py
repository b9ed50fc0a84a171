"""What ``rtcompat validate`` says, line by line, and the reasons a check's status gives."""

from __future__ import annotations

import textwrap

import pytest
from standins import write_manifest

from harness.cli import main
from harness.judging.outcome import no_output_reason
from harness.redact import error_summary
from harness.manifest_checks import validate_file
from harness.paths import fixtures_dir
from harness.results import ProcessFacts
from harness.runner import _short

MANIFEST = """\
id: many
name: many
summary: A manifest with one of each judging problem.
homepage: https://example.org/many
licence: MIT
section: Beyond the source catalogue
in_source_catalogue: false
install:
  backend: debian
  packages: [coreutils]
checks:
  - id: one
    capability: read-rtdose
    program: checks/absent.py
    fixture: tiny
    judge: ["ct.rows", "rtstruct.roi.*.volume"]
    optional: ["dose.nothing"]
    tolerances:
      "dose.max_gy": {rel: 0.5}
      "dose.min*": {abs: 1}
  - id: two
    capability: read-ct
    program: checks/present.py
    fixture: elsewhere
    judge: ["ct.rows"]
"""


def test_validate_names_each_judging_problem_at_its_line(project, capsys):
    manifest = project / "tool_manifests" / "many.yaml"
    manifest.write_text(MANIFEST)
    (project / "tool_manifests" / "many" / "checks").mkdir(parents=True)
    (project / "tool_manifests" / "many" / "checks" / "present.py").write_text("")
    problems = [str(p) for p in validate_file(manifest, fixtures_dir())]
    assert problems == [
        f"{manifest}:14: checks.0.program: 'checks/absent.py' does not exist in many/",
        f"{manifest}:16: checks.0.judge: pattern 'rtstruct.roi.*.volume' matches no quantity of fixture set 'tiny'",
        f"{manifest}:17: checks.0.optional: pattern 'dose.nothing' matches no quantity of fixture set 'tiny'",
        f"{manifest}:19: checks.0.tolerances: 'dose.max_gy' is looser than the derived tolerance of dose.max_gy; "
        "a manifest may tighten a tolerance, never widen it",
        f"{manifest}:20: checks.0.tolerances: pattern 'dose.min*' matches no quantity of fixture set 'tiny'",
        f"{manifest}:24: checks.1.fixture: no fixture set 'elsewhere' with a truth.json under {fixtures_dir()}",
    ]
    assert main(["validate", str(manifest)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [*problems, "0 valid, 1 invalid"] and captured.err == ""


def test_validate_says_so_when_all_is_well(project, capsys):
    from standins import write_tool

    write_tool(project, "fine", "exit 0")
    assert main(["validate"]) == 0
    assert capsys.readouterr() == ("1 valid, 0 invalid\n", "")


def manifest_with(project, text: str):
    path = project / "tool_manifests" / "typo.yaml"
    path.write_text(textwrap.dedent(text))
    return [str(p).split(": ", 1)[1] for p in validate_file(path, fixtures_dir())]


BASE = """\
    id: typo
    name: typo
    summary: A manifest with a misspelt key somewhere.
    homepage: https://example.org/typo
    licence: MIT
    section: Beyond the source catalogue
    in_source_catalogue: false
"""


@pytest.mark.parametrize(("tail", "said"), [
    ("install: {backend: debian, pakages: [x]}\n", "install.pakages: unknown key (did you mean 'packages'?)"),
    ("install: {backend: source, git: g, commit: abcdef1, runtime_pakages: []}\n",
     "install.runtime_pakages: unknown key (did you mean 'runtime_packages'?)"),
    ("install: {backend: container, dockerfile: D, memroy: 1g}\n",
     "install.memroy: unknown key (did you mean 'memory'?)"),
    ("install: {backend: unavailable, reason: r, reasn: r}\n", "install.reasn: unknown key (did you mean 'reason'?)"),
    ("install: {backend: virtualenv, packages: [x==1], pyhton: x}\n",
     "install.pyhton: unknown key (did you mean 'python'?)"),
    ("install: {backend: debian, packages: [x]}\nrestrictions: {netwrk: true}\n",
     "restrictions.netwrk: unknown key (did you mean 'network'?)"),
    ("install: {backend: debian, packages: [x]}\nversion: {distrbution: x}\n",
     "version.distrbution: unknown key (did you mean 'distribution'?)"),
    ("install: {backend: debian, packages: [x]}\nchecks:\n  - {id: c, capability: dvh, program: p.py, judge: [x], "
     "timout: 3}\n", "checks.0.timout: unknown key (did you mean 'timeout'?)"),
    ("install: {backend: debian, packages: [x]}\nchecks:\n  - {id: c, capability: dvh, program: p.py, judge: [x], "
     "xfail: {reasn: r}}\n", "checks.0.xfail.reasn: unknown key (did you mean 'reason'?)"),
    ("install: {backend: debian, packages: [x]}\nzzzzzz: 1\n", "zzzzzz: unknown key"),
], ids=["debian", "source", "container", "unavailable", "virtualenv", "restrictions", "version", "check", "xfail",
        "nothing-close"])
def test_a_misspelt_key_gets_the_closest_valid_key_of_its_own_section(project, tail, said):
    problems = manifest_with(project, BASE + textwrap.indent(tail, "    "))
    assert said in problems


def test_problems_come_out_in_line_order(project):
    problems = manifest_with(project, BASE + textwrap.indent(
        "install: {backend: debian, packages: [x]}\nchecks:\n  - {id: c, capability: dvh, program: p.py, judge: [x], "
        "timout: 3}\nrestrictions: {netwrk: true}\n", "    "))
    lines = [int(p.split(":")[0]) for p in
             [str(p).rsplit("typo.yaml:", 1)[1] for p in validate_file(project / "tool_manifests" / "typo.yaml",
                                                                         fixtures_dir())]]
    assert lines == sorted(lines) and len(lines) == 2 and len(problems) == 2


@pytest.mark.parametrize(("facts", "reason"), [
    (ProcessFacts(returncode=0), "exit code 0 and no output"),
    (ProcessFacts(returncode=2, stderr_tail="first\nlast words"), "exit code 2 and no output; stderr: last words"),
    (ProcessFacts(returncode=-11, signal=11, stderr_tail="x" * 400),
     "crashed (signal 11) without observations; stderr: " + "x" * 300),
    (ProcessFacts(returncode=1, stdout_bytes=12, stdout_last_line="not json"),
     "printed no JSON observations (12 bytes, exit code 1); last line: 'not json'"),
    (ProcessFacts(returncode=0, stdout_bytes=9, output_truncated=True, stdout_last_line="y" * 300),
     f"printed no JSON observations (9 bytes (truncated), exit code 0); last line: {'y' * 200!r}"),
    (ProcessFacts(returncode=-9, signal=9, limit_hit="killed: memory limit 64 MiB", stderr_tail="oom"),
     "killed: memory limit 64 MiB; stderr: oom"),
])
def test_the_reason_a_check_printed_nothing_useful(facts, reason):
    assert no_output_reason(facts) == reason


def test_the_telling_line_of_a_traceback_is_its_exception_and_of_a_message_all_its_lines():
    assert error_summary("Traceback:\n  frame\nValueError: bad\n\n") == "ValueError: bad"
    assert error_summary("cannot read RD.dcm\n\n  (frame count 0)") == "cannot read RD.dcm / (frame count 0)"
    assert error_summary("") == "" and error_summary(None) == "None"
    assert error_summary("z" * 400) == "z" * 297 + "..."


def test_a_harness_error_is_told_in_one_short_line():
    assert _short(ValueError("a\nb   c")) == "a b c"
    assert _short(ValueError("x" * 400)) == "x" * 297 + "..."
    assert _short(ValueError("x" * 300)) == "x" * 300


VERSIONED = """\
id: multi
name: multi
summary: A manifest whose tool checks and version checks each have a problem.
homepage: https://example.org/multi
licence: MIT
section: Beyond the source catalogue
in_source_catalogue: false
versions:
  - id: "1.0"
    install: {backend: debian, packages: [coreutils]}
    checks:
      - id: own
        capability: read-ct
        program: checks/gone.py
        fixture: tiny
        judge: ["ct.rows"]
checks:
  - id: first
    capability: read-ct
    program: checks/present.py
    fixture: elsewhere
    judge: ["ct.rows"]
  - id: second
    capability: read-ct
    program: checks/present.py
    fixture: tiny
    judge: ["ct.rows"]
    skip_sets: {tiny: not this one, bare: no truth here}
"""


def test_every_check_is_checked_the_tools_and_each_versions_after_a_check_on_a_missing_set(project):
    manifest = project / "tool_manifests" / "multi.yaml"
    manifest.write_text(VERSIONED)
    (project / "tool_manifests" / "multi" / "checks").mkdir(parents=True)
    (project / "tool_manifests" / "multi" / "checks" / "present.py").write_text("")
    (project / "fixtures" / "dicom" / "bare").mkdir()
    assert [str(p) for p in validate_file(manifest, fixtures_dir())] == [
        f"{manifest}:14: versions.0.checks.0.program: 'checks/gone.py' does not exist in multi/",
        f"{manifest}:21: checks.0.fixture: no fixture set 'elsewhere' with a truth.json under {fixtures_dir()}",
        f"{manifest}:28: checks.1.skip_sets: no fixture set 'bare' under {fixtures_dir()}",
    ]


def test_placeholders_are_found_outside_comments_with_their_key_and_line(project):
    path = project / "tool_manifests" / "scaffold.yaml"
    path.write_bytes("\n".join([
        "id: scaffold  # TODO in a comment is fine",
        "  # TODO: an indented comment is fine too",
        "summary: TODO say what it does",
        "  - name: TODO",
        '    packages: ["tool==0.0.0"]',
        '    commit: "0000000"',
        "  - TODO",
        "  - 'TODO' # a: b # c",
        "homepage: https://example.org:8080/TODO",
        "licence: MIT  # caf\xe9",
        "\t# TODO in a tab-indented comment is fine",
        "Xlicence: TODO",
    ]).encode("latin-1") + b"\n")
    from harness.manifest_checks import placeholder_problems

    said = "still a placeholder from rtcompat new: replace the TODO"
    assert [(p.file, p.line, p.key, p.message) for p in placeholder_problems(path)] == [
        (path, 3, "summary", said), (path, 4, "name", said), (path, 5, "packages", said), (path, 6, "commit", said),
        (path, 7, "", said), (path, 8, "", said), (path, 9, "homepage", said), (path, 12, "Xlicence", said)]


def test_an_unmatched_pattern_in_a_block_list_is_placed_on_its_own_line(project):
    manifest = write_manifest(project, "block", """\
        - id: read
          capability: read-rtdose
          program: checks/present.py
          fixture: tiny
          judge:
            - ct.rows
            - dose.nothing
        """)
    (project / "tool_manifests" / "block" / "checks").mkdir(parents=True)
    (project / "tool_manifests" / "block" / "checks" / "present.py").write_text("")
    assert manifest.read_text().splitlines()[17] == "      - dose.nothing"
    assert [str(p) for p in validate_file(manifest, fixtures_dir())] == [
        f"{manifest}:18: checks.0.judge: pattern 'dose.nothing' matches no quantity of fixture set 'tiny'"]


def test_validate_names_a_producer_program_that_does_not_exist_at_its_line(project):
    manifest = project / "tool_manifests" / "writer.yaml"
    manifest.write_text(MANIFEST.split("checks:")[0].replace("id: many", "id: writer") + textwrap.dedent("""\
        produces:
          - id: write-rtstruct
            object: rtstruct
            program: producers/missing.py
        """))
    problems = [str(p) for p in validate_file(manifest, fixtures_dir())]
    line = manifest.read_text().splitlines().index("    program: producers/missing.py") + 1
    assert problems == [f"{manifest}:{line}: produces.0.program: 'producers/missing.py' does not exist in writer/"]


def test_a_producer_of_an_object_no_reader_reads_is_refused_with_the_choices():
    from pydantic import ValidationError

    from harness.manifest import Producer

    with pytest.raises(ValidationError, match="'rtstruct', 'rtdose' or 'ct'"):
        Producer(id="write-plan", object="rtplan", program="producers/p.py")
