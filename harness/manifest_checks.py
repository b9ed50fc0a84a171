"""What ``rtcompat validate`` checks beyond the schema: that each check can be judged.

The schema cannot know the fixture sets. These checks can, and each problem points at
the line to edit: a judge pattern that names no truth quantity (a typo there silently
dropped what it was meant to judge), a fixture set that does not exist, a manifest
tolerance looser than the truth's derived one, a check program that is not there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.judging.judge import (
    TruthError,
    load_truth,
    looser_tolerances,
    truth_expectations,
    unmatched_patterns,
)
from harness.manifest import Check, Manifest, manifest_dir
from harness.scaffold import PLACEHOLDER
from harness.manifest_loader import (
    ManifestError,
    Problem,
    line_of,
    load_manifest_and_lines,
)


def check_problems(path: Path, manifest: Manifest, data: Any, fixtures_root: Path) -> list[Problem]:
    """Problems that make a check impossible to judge as declared, sorted by line."""
    problems = []
    truths: dict[str, dict | None] = {}
    for where, check in _located_checks(manifest):
        at = ".".join(map(str, where))
        if not (manifest_dir(path) / check.program).is_file():
            problems.append(Problem(path, line_of(data, (*where, "program")), f"{at}.program",
                                    f"{check.program!r} does not exist in {manifest_dir(path).name}/"))
        # Patterns are checked against the set the check names, else the reference set
        # (on a variant, a pattern naming only what the variant leaves out is dropped).
        fixture = check.fixture or "reference"
        if fixture not in truths:
            try:
                truths[fixture] = load_truth(fixtures_root / fixture)
            except TruthError:
                truths[fixture] = None
        truth = truths[fixture]
        if truth is None:
            problems.append(Problem(path, line_of(data, (*where, "fixture")), f"{at}.fixture",
                                    f"no fixture set {fixture!r} with a truth.json under {fixtures_root}"))
            continue
        for name in check.skip_sets:
            if not (fixtures_root / name / "truth.json").is_file():
                problems.append(Problem(path, line_of(data, (*where, "skip_sets", name)), f"{at}.skip_sets",
                                        f"no fixture set {name!r} under {fixtures_root}"))
        for field, pattern in unmatched_patterns(check, truth):
            items = list(getattr(check, field))
            problems.append(Problem(path, line_of(data, (*where, field, _position(field, items, pattern))),
                                    f"{at}.{field}",
                                    f"pattern {pattern!r} matches no quantity of fixture set {fixture!r}"))
        for key in truth_expectations(check, truth):
            problems.append(Problem(path, line_of(data, (*where, "expect", key)), f"{at}.expect",
                                    f"{key!r} is a truth quantity: a manifest cannot state its own value for it; "
                                    "judge it instead"))
        for pattern, key in looser_tolerances(check, truth):
            problems.append(Problem(path, line_of(data, (*where, "tolerances", pattern)), f"{at}.tolerances",
                                    f"{pattern!r} is looser than the derived tolerance of {key}; "
                                    "a manifest may tighten a tolerance, never widen it"))
    for index, producer in enumerate(manifest.produces):
        if not (manifest_dir(path) / producer.program).is_file():
            problems.append(Problem(path, line_of(data, ("produces", index, "program")),
                                    f"produces.{index}.program",
                                    f"{producer.program!r} does not exist in {manifest_dir(path).name}/"))
    return sorted(problems, key=lambda p: p.line)


def _located_checks(manifest: Manifest) -> list[tuple[tuple, Check]]:
    """Every check with where it stands in the file: the tool's checks, then each
    version's own (``("versions", 1, "checks", 0)``)."""
    located = [(("checks", index), check) for index, check in enumerate(manifest.checks)]
    for number, version in enumerate(manifest.versions):
        located += [(("versions", number, "checks", index), check) for index, check in enumerate(version.checks or [])]
    return located


def placeholder_problems(path: Path) -> list[Problem]:
    """The scaffold's TODO placeholders still in a manifest, each at its line: a name, a
    licence or a release only a person can fill in must not reach the catalogue."""
    problems = []
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        content = line.split(" #", 1)[0]
        if content.lstrip().startswith("#") or not any(mark in content for mark in ("TODO", "==0.0.0", '"0000000"')):
            continue
        key = content.split(":", 1)[0].strip(" -") if ":" in content else ""
        problems.append(Problem(path, number, key, "still a placeholder from rtcompat new: replace the TODO"))
    return problems


def program_placeholder_problems(path: Path, manifest: Manifest) -> list[Problem]:
    """The scaffold's TODOs left in a check program or a Dockerfile, each at its file and
    line: a check that still imports a guessed module would be run, and its tool blamed."""
    files = {manifest_dir(path) / check.program for _, check in _located_checks(manifest) if check.program}
    files |= {p for p in (manifest_dir(path) / "Dockerfile",) if p.is_file()}
    problems = []
    for file in sorted(f for f in files if f.is_file()):
        try:
            text = file.read_text(errors="replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if PLACEHOLDER in line:
                problems.append(Problem(file, number, file.name, "still a placeholder from rtcompat new: "
                                                                 + " ".join(line.split())[:100]))
    return problems


def finding_problems(path: Path) -> list[Problem]:
    """The tool's own findings (``tool_manifests/<tool>/findings/*.yaml``), each loaded as a
    run would load it: schema, id = file name, a known rule, the tool's own, a new id."""
    from harness.judging.findings import FindingError, declarations, load_declaration

    directory = manifest_dir(path) / "findings"
    if not directory.is_dir():
        return []
    tool = path.stem
    problems = []
    for file in sorted(directory.iterdir()):
        if file.suffix not in (".yaml", ".yml"):
            continue
        try:
            load_declaration(f"tool_manifests/{tool}/findings/{file.name}", file.read_text(errors="replace"), tool)
        except FindingError as exc:
            problems.append(Problem(file, 1, file.name, str(exc)))
    if not problems:
        try:
            declarations()  # all findings together: an id declared twice
        except FindingError as exc:
            problems.append(Problem(directory, 1, "findings", str(exc)))
    return problems


def _position(field: str, items: list, pattern: str) -> int | str:
    return pattern if field == "tolerances" else items.index(pattern)


def validate_file(path: Path, fixtures_root: Path) -> list[Problem]:
    """Every problem of one manifest: schema first; judging checks once the schema holds."""
    from harness.catalogue import clash_problems

    try:
        manifest, data = load_manifest_and_lines(path)
    except ManifestError as exc:
        return [*clash_problems(path), *exc.problems]
    return [*clash_problems(path),
            *sorted([*check_problems(path, manifest, data, fixtures_root), *placeholder_problems(path)],
                    key=lambda p: p.line),
            *program_placeholder_problems(path, manifest), *finding_problems(path)]
