"""Merging results shards (one per CI job, one tool each) into one results file.

The merged run spans its shards: started is the earliest start, finished the latest
finish, partial if any shard is partial, and the note lists the shard files. Tools
come out in id order.

Shards only merge when they describe the same experiment: the same harness version
and the same fixture checksums. Anything else is an error naming the files and the
differing values; ``allow_mixed`` turns it into a warning that is also recorded in
the merged run's note. A tool found in two shards is an error naming both files,
never a silent pick: in CI each job writes one tool, so a second copy is a stale or
misplaced file that a person has to look at. With ``expected`` (the catalogue), a
tool no shard reports gets an ``error`` row instead of vanishing from the report:
its CI job died before writing its shard.

A shard's statuses are never taken on trust: every check is judged again from the
observations and process facts it records, against this checkout's manifest and the
truth of the fixture set it names (the checksums must match, or nothing can be
judged). A shard whose statuses or verdicts contradict that judgement is refused, as is
a tool this checkout has no manifest for, and a check that claims a verdict while its
tool did not install. A check the manifest declares but the shard lacks becomes an
``error`` row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from harness.catalogue import Entry, load_catalogue
from harness.fixture_guard import fixture_checksums
from harness.fixture_sets import Planned, discover, not_run, plan
from harness.judging.judge import JudgeError, TruthError, load_truth
from harness.judging.outcome import conclude
from harness.manifest import Check
from harness.paths import fixtures_dir
from harness.results import (
    CheckResult,
    InstallResult,
    Results,
    ResultsError,
    RunInfo,
    ToolResult,
    read_results,
)
from harness.runner import definition_digest

NO_SHARD = "no results: no shard reports this tool (its CI job did not finish, or its artifact is missing)"
CHECKSUM_SHOWN = 12


class MergeError(Exception):
    """Shards that cannot be merged; the message is one line naming the files."""


@dataclass(frozen=True)
class Shard:
    path: Path
    results: Results


def merge_results(paths: list[Path], allow_mixed: bool = False, expected: list[Entry] | None = None,
                  catalogue: list[Entry] | None = None, fixtures_root: Path | None = None,
                  ) -> tuple[Results, list[str]]:
    """The shards at ``paths`` as one Results, and the warnings a person should see.

    ``catalogue`` (default: this checkout's manifests) and ``fixtures_root`` (default:
    ``fixtures/dicom``) are what every shard is judged again against.

    Raises MergeError for an unreadable shard, mixed versions or fixtures (unless
    ``allow_mixed``), a tool found in two shards, and a shard whose statuses its own
    observations contradict.
    """
    unique = list(dict.fromkeys(Path(p) for p in paths))
    if not unique:
        raise MergeError("no shards to merge")
    shards = [read_shard(path) for path in unique]
    warnings = []
    for problem in mixed(shards):
        if not allow_mixed:
            raise MergeError(f"{problem} (--allow-mixed merges them anyway)")
        warnings.append(problem)
    tools = collect_tools(shards)
    audit = Audit(catalogue if catalogue is not None else load_catalogue(), fixtures_root or fixtures_dir())
    origin = {tool.key: shard for shard in shards for tool in shard.results.tools}
    tools = {key: audit.rejudged(tool, origin[key]) for key, tool in tools.items()}
    missing = [(key, entry) for entry in expected or [] for key in installed_keys(entry) if key not in tools]
    for key, entry in missing:
        tools[key] = missing_tool(entry, key)
        warnings.append(f"{key}: {NO_SHARD}")
    run = merged_run(shards, warnings, incomplete=bool(missing))
    return Results(run=run, tools=sorted(tools.values(), key=lambda t: t.key)), warnings


def installed_keys(entry: Entry) -> list[str]:
    """The rows a catalogue entry owes the report: one per installed version."""
    return [one.key for one in entry.manifest.installs()] if entry.manifest else [entry.tool_id]


def read_shard(path: Path) -> Shard:
    try:
        results = read_results(path)
    except ResultsError as exc:
        raise MergeError(str(exc)) from None
    for stamp in (results.run.started, results.run.finished):
        if stamp is not None:
            try:
                _moment(stamp)
            except ValueError:
                raise MergeError(f"{path}: run time {stamp!r} is not an ISO 8601 timestamp") from None
    return Shard(path, results)


def mixed(shards: list[Shard]) -> list[str]:
    """One line per way the shards disagree on what they ran: harness version, fixtures."""
    problems = []
    versions = _group({s.path: s.results.run.harness_version for s in shards})
    if len(versions) > 1:
        problems.append(f"shards from different harness versions: {_describe(versions)}")
    for name in sorted({name for s in shards for name in s.results.run.fixtures}):
        sums = _group({s.path: s.results.run.fixtures[name][:CHECKSUM_SHOWN] + "…"
                       for s in shards if name in s.results.run.fixtures})
        if len(sums) > 1:
            problems.append(f"shards with different checksums of fixture set {name!r}: {_describe(sums)}")
    return problems


def collect_tools(shards: list[Shard]) -> dict[str, ToolResult]:
    """Every row of every shard, by key (a tool, or one of its versions); a row in two
    shards is an error naming both."""
    tools: dict[str, ToolResult] = {}
    origin: dict[str, Path] = {}
    for shard in shards:
        for tool in shard.results.tools:
            if tool.key in tools:
                raise MergeError(f"tool {tool.key!r} is in both {origin[tool.key]} and {shard.path}; "
                                 "remove the stale shard")
            tools[tool.key], origin[tool.key] = tool, shard.path
    return tools


#: Fields of a check result that judging again does not produce: kept from the shard.
CARRIED = ("program_run", "screenshot", "screenshot_note")


class Audit:
    """Judges every check of a shard again, against this checkout's manifests and truth."""

    def __init__(self, catalogue: list[Entry], fixtures_root: Path):
        self.entries = {entry.tool_id: entry for entry in catalogue}
        self.fixtures_root = fixtures_root
        self.checksums = fixture_checksums(fixtures_root)
        self._truth: dict[str, dict] = {}
        self.sets = discover(fixtures_root)

    def rejudged(self, tool: ToolResult, shard: Shard) -> ToolResult:
        entry = self.entries.get(tool.id)
        judged = any(c.status in ("pass", "fail", "xfail") for c in tool.checks)
        manifest = entry.manifest.select(tool.key) if entry is not None and entry.manifest is not None else None
        if manifest is None:
            if tool.install.status == "pass" or judged or any(c.verdicts for c in tool.checks):
                raise MergeError(f"{shard.path}: tool {tool.key!r} has no valid manifest in this checkout, so its "
                                 "results cannot be judged again; merge shards with the checkout that produced them")
            return tool  # an error, skip or n/a row: nothing was judged, nothing to check
        assert entry is not None
        if judged and tool.definition != definition_digest(entry.path):
            raise MergeError(f"{shard.path}: tool {tool.id!r} ran with other check definitions than this "
                             f"checkout's (digest {str(tool.definition)[:12]} vs {definition_digest(entry.path)[:12]})")
        planned = {(p.check.id, p.fixture): p for check in manifest.checks for p in plan(check, self.sets)}
        checks = []
        for result in tool.checks:
            expected = planned.get((result.id, result.fixture))
            if expected is None:
                raise MergeError(f"{shard.path}: {tool.id}/{result.key} is not a check of its manifest on "
                                 f"a fixture set it applies to")
            checks.append(self._check(tool, result, expected.check, shard))
        reported = {(result.id, result.fixture) for result in tool.checks}
        checks += [self._absent(tool, p) for key, p in planned.items() if key not in reported]
        return tool.model_copy(update={"checks": checks})

    def _check(self, tool: ToolResult, result: CheckResult, check: Check, shard: Shard) -> CheckResult:
        where = f"{shard.path}: {tool.id}/{result.key}"
        judged = result.status in ("pass", "fail", "xfail")
        if tool.install.status == "fail" and result.status == "fail" and not result.verdicts and result.process is None:
            return result  # the release itself failed to install (the install row holds the evidence)
        if tool.install.status != "pass" and (judged or result.verdicts):
            raise MergeError(f"{where} claims {result.status} although the tool's install is "
                             f"{tool.install.status}")
        if not judged:
            if result.verdicts:
                raise MergeError(f"{where} claims {result.status} but carries verdicts")
            return result
        if result.process is None:
            raise MergeError(f"{where} claims {result.status} without the process facts to judge it by")
        again = self._conclude(where, tool, result, check, shard)
        if again.status != result.status:
            raise MergeError(f"{where} claims {result.status}; its own observations judge {again.status}: "
                             f"{again.reason[:300]}")
        claimed = {v.key: v.outcome for v in result.verdicts}
        found = {v.key: v.outcome for v in again.verdicts}
        if claimed != found:
            differing = sorted(k for k in claimed.keys() | found.keys() if claimed.get(k) != found.get(k))
            raise MergeError(f"{where} claims verdicts its observations contradict: "
                             + ", ".join(f"{k} {claimed.get(k)} vs {found.get(k)}" for k in differing[:5]))
        # what judging does not decide travels as the shard recorded it
        return again.model_copy(update={name: getattr(result, name) for name in CARRIED})

    def _conclude(self, where: str, tool: ToolResult, result: CheckResult, check: Check, shard: Shard) -> CheckResult:
        named = shard.results.run.fixtures.get(check.fixture)
        local = self.checksums.get(check.fixture)
        if named is None or named != local:
            raise MergeError(f"{where} was judged against fixture set {check.fixture!r} "
                             f"{(named or 'unnamed')[:CHECKSUM_SHOWN]}, this checkout has "
                             f"{(local or 'none')[:CHECKSUM_SHOWN]}; it cannot be judged again here")
        try:
            if check.fixture not in self._truth:
                self._truth[check.fixture] = load_truth(self.fixtures_root / check.fixture)
            truth = self._truth[check.fixture]
            return conclude(check, truth, result.process, result.observed or None, tool_id=tool.id,
                            program=result.program)
        except (TruthError, JudgeError) as exc:
            raise MergeError(f"{where} cannot be judged again: {exc}") from None

    @staticmethod
    def _absent(tool: ToolResult, planned: Planned) -> CheckResult:
        check = planned.check
        if planned.skip_reason is not None or planned.not_applicable is not None:
            status, reason = not_run(planned)
        elif tool.install.status in ("skip", "unavailable", "error", "fail"):
            status, reason = tool.install.status, tool.install.reason
        else:
            status, reason = "error", ""
        return CheckResult(id=check.id, capability=check.capability, fixture=check.fixture, status=status,
                           reason=reason or "the shard has no result for this check")


def missing_tool(entry: Entry, key: str | None = None) -> ToolResult:
    """An error row for a catalogue tool (or one of its versions, ``key``) no shard
    reports, with what the manifest says of it."""
    install = InstallResult(status="error", reason=NO_SHARD)
    manifest = entry.manifest.select(key or entry.tool_id) if entry.manifest else None
    if manifest is None:
        return ToolResult(id=entry.tool_id, name=entry.tool_id, section="Beyond the source catalogue",
                          in_source_catalogue=False, backend="?", install=install)
    return ToolResult(id=manifest.id, variant=manifest.variant, name=manifest.name, section=manifest.section,
                      in_source_catalogue=manifest.in_source_catalogue, homepage=str(manifest.homepage),
                      summary=manifest.summary, backend=manifest.backend, install=install)


def merged_run(shards: list[Shard], warnings: list[str], incomplete: bool = False) -> RunInfo:
    runs = [(shard.path, shard.results.run) for shard in shards]  # times checked by read_shard
    by_start = sorted(runs, key=lambda r: _moment(r[1].started))
    finished = sorted((_moment(run.finished), run.finished) for _, run in runs if run.finished)
    fixtures: dict[str, str] = {}
    for _path, run in sorted(runs, key=lambda r: _moment(r[1].finished or r[1].started)):
        fixtures.update(run.fixtures)  # the last shard to finish wins (differences were warned about)
    return RunInfo(
        started=by_start[0][1].started,
        finished=finished[-1][1] if finished else None,
        host=_joined(run.host for _, run in runs),
        platform=_joined(run.platform for _, run in runs),
        python=_joined(run.python for _, run in runs),
        harness_version=_joined(run.harness_version for _, run in runs),
        fixtures=fixtures,
        partial=incomplete or any(run.partial for _, run in runs),
        note=_note(runs, warnings),
        power=next((run.power for _, run in reversed(by_start) if run.power is not None), None),
    )


def _note(runs: list[tuple[Path, RunInfo]], warnings: list[str]) -> str:
    parts = [f"merged from {len(runs)} shard{'s' if len(runs) != 1 else ''}: "
             + ", ".join(str(path) for path, _ in runs)]
    partial = [str(path) for path, run in runs if run.partial]
    if partial:
        parts.append("partial shards: " + ", ".join(partial))
    parts += [f"{path}: {run.note}" for path, run in runs if run.note]
    parts += [f"warning: {warning}" for warning in warnings]
    return "; ".join(parts)


def _moment(stamp: str) -> dt.datetime:
    """The instant a run time names (ValueError if it is not ISO 8601). Results record UTC
    with an offset; a naive stamp is read as UTC so it still compares."""
    moment = dt.datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _group(values: dict[Path, str]) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path, value in values.items():
        groups.setdefault(value, []).append(path)
    return groups


def _describe(groups: dict[str, list[Path]]) -> str:
    return "; ".join(f"{value} in {', '.join(map(str, paths))}" for value, paths in groups.items())


def _joined(values) -> str:
    return ", ".join(dict.fromkeys(values))
