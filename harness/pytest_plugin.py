"""pytest collects the catalogue: one item per tool install and per tool x check.

After pytest's "non-python tests" example: a manifest file is a ``pytest.File`` whose
``collect()`` yields items, so ``-k``, ``-m``, ``-x``, ``--junitxml`` and xdist all
work on tools. The work of an item happens in ``setup()`` on purpose: pytest reports
an exception raised there as ERROR, which is exactly how a testbed fault must read,
while a wrong answer from the tool fails in ``runtest()``.

Results travel as ``user_properties`` so they survive the trip from xdist workers;
only the controlling process writes the results file.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from harness import __version__, redact, scratch
from harness.backends.base import InstallContext
from harness.catalogue import (
    Entry,
    installed,
    load_catalogue,
    load_entry,
    manifest_paths,
)
from harness.fixture_guard import FixtureGuard, FixtureTampered, fixture_checksums
from harness.fixture_sets import REFERENCE, Planned, discover, not_run, plan
from harness.fixtures.sums_memo import fixture_memo
from harness.host import Host
from harness.items import item_name
from harness.limits import sweep_stale_cgroups
from harness.manifest import Manifest
from harness.paths import (
    cache_dir,
    fixtures_dir,
    manifests_dir,
    project_root,
    reports_dir,
    results_dir,
)
from harness.preload import SERVERS
from harness.redact import Redactor
from harness.results import (
    CheckResult,
    InstallResult,
    PowerSummary,
    ProductionRecord,
    Results,
    ResultsError,
    RunInfo,
    ToolResult,
    read_results,
    write_results,
)
from harness.runner import ToolRun

if TYPE_CHECKING:
    from harness.owndata.run import OwnDataRun

PROPERTY = "rtcompat"


class HarnessError(Exception):
    """A testbed fault, raised in setup so pytest reports it as ERROR."""


class ToolFailure(Exception):
    """The tool ran and was wrong."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rtcompat", "rtcompat catalogue run")
    group.addoption("--rtcompat-results", metavar="PATH", default=None,
                    help="write the run's results JSON here (default: results/latest.json)")
    group.addoption("--allow-apt", action="store_true", default=False,
                    help="let the debian and source backends apt-get install missing packages (root only)")
    group.addoption("--rtcompat-cache", metavar="DIR", default=None,
                    help="environment cache (default: $RTCOMPAT_CACHE or ~/.cache/rtcompat)")
    group.addoption("--rtcompat-set", metavar="NAME", action="append", default=[],
                    help="only the checks on this fixture set (repeatable; default: every set)")
    group.addoption("--rtcompat-version", metavar="TOOL@VERSION", action="append", default=[],
                    help="of a manifest with several versions, only this one (repeatable; default: every version)")
    group.addoption("--rtcompat-committed", default=None,
                    help="results a partial run starts from when --rtcompat-results does not exist yet "
                         "(rtcompat run passes the committed reports/results.json)")
    group.addoption("--rtcompat-update", action="store_true", default=False,
                    help="a partial run: replace only its own tools' rows in an existing results file")
    group.addoption("--rtcompat-data", metavar="DIR", default=None,
                    help="run on your own DICOM-RT exports under DIR instead of the fixture sets; the report goes "
                         "to --rtcompat-data-output, never into reports/")
    group.addoption("--rtcompat-data-output", metavar="DIR", default=None,
                    help="where the own-data report goes (default: results/own-data/)")
    group.addoption("--rtcompat-keep-roi-names", action="store_true", default=False,
                    help="keep ROI names in the own-data report (default: ROI-<number>)")
    group.addoption("--rtcompat-fixtures", metavar="DIR", default=None,
                    help="read the fixture sets under DIR instead of fixtures/dicom (rtcompat interop points it at "
                         "the sets the producers wrote); patterns are still dropped against the reference set")
    group.addoption("--rtcompat-productions", metavar="FILE", default=None,
                    help="the producers' records (JSON list) the results carry: rtcompat interop writes it")
    group.addoption("--rtcompat-power", action="store_true", default=False,
                    help="after the run, plant reader bugs into a reference reader and record how many the "
                         "fixtures catch (the report's Method states it)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "catalogue: runs a real tool from the catalogue")
    config.addinivalue_line("markers", "xdist_group(name): keep a tool's items on one fixture set on one xdist worker")
    config.stash[_STATE] = _RunState(config)
    config.pluginmanager.register(ResultsCollector(config.stash[_STATE]), "rtcompat-results")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(config.stash[_STATE]), "rtcompat-xdist")


class _XdistHooks:
    """What the xdist controller does for a catalogue run: schedule a tool's checks on one
    fixture set to one worker, and hand the staged own-data sets to each worker."""

    def __init__(self, state: _RunState):
        self.state = state

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log):
        if config.getvalue("dist") != "loadgroup":
            return None
        from harness.scheduling import ToolSetScheduling

        return ToolSetScheduling(config, log)

    def pytest_configure_node(self, node) -> None:
        if self.state.own is not None:
            node.workerinput["rtcompat_staged"] = str(self.state.own.staged_root)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix in (".yaml", ".yml") and file_path.parent.name == "tool_manifests":
        return ManifestFile.from_parent(parent, path=file_path)
    return None


class _RunState:
    """Per-process state: host facts, fixture copies, and tool runs (installed once)."""

    def __init__(self, config: pytest.Config):
        self.config = config
        # to the microsecond: a row of a partial run must not share its run's identity with
        # a row kept from a run that started within the same second
        self.started = dt.datetime.now(dt.UTC).isoformat()
        self.root = project_root(Path(str(config.rootpath)))
        self.host = Host()
        self.tool_runs: dict[str, ToolRun] = {}
        self.records: dict[str, dict] = {}
        self.stopped: str | None = None
        self._guard: FixtureGuard | None = None
        self._run_dir: Path | None = None
        #: own data (--rtcompat-data): staged by the controller, read by every worker
        self.own: OwnDataRun | None = None
        self.fixtures_root = fixtures_dir(self.root)
        #: the set a variant's patterns are dropped against: the committed reference
        self.reference_set = None
        #: the sets are the producers' (rtcompat interop): a check none of them probes has no row
        self.produced_sets = bool(config.getoption("rtcompat_fixtures", None))
        if self.produced_sets:
            self.fixtures_root = Path(config.getoption("rtcompat_fixtures")).absolute()
            self.reference_set = next((s for s in discover(fixtures_dir(self.root)) if s.name == REFERENCE), None)
        staged = getattr(config, "workerinput", {}).get("rtcompat_staged")
        if staged:
            self.fixtures_root = Path(staged)
        elif config.getoption("rtcompat_data", None) and not hasattr(config, "workerinput"):
            self.own = self._prepare_own_data()
            self.fixtures_root = self.own.staged_root
            self._deidentify_progress()
        self.observe_only = bool(staged) or self.own is not None
        #: the fixture sets checks run on, read once at collection
        self.fixture_sets = discover(self.fixtures_root)

    def _deidentify_progress(self) -> None:
        """The console is de-identified like the report: no ROI name or patient's value
        in a progress line (a tool's error names the structure it failed on)."""
        manifests = installed(load_catalogue(manifest_paths(manifests_dir(self.root))))
        self.own.protected = {key for key in manifests} | {m.name for m in manifests.values()}
        scrub = self.own.deidentifier()
        for plugin in progress_printers(self.config):
            plugin.portable = (lambda before: lambda text: scrub.text(before(text)))(plugin.portable)

    def _prepare_own_data(self) -> OwnDataRun:
        # imported here: own data needs pydicom in the harness, a catalogue run does not
        from harness.owndata.index import DataDirError
        from harness.owndata.run import OwnDataError, OwnDataRun, check_output_dir

        data = Path(self.config.getoption("rtcompat_data"))
        output = Path(self.config.getoption("rtcompat_data_output") or results_dir(self.root) / "own-data")
        try:
            output = check_output_dir(output, data, [reports_dir(self.root), fixtures_dir(self.root)])
            return OwnDataRun.prepare(data, output, bool(self.config.getoption("rtcompat_keep_roi_names")),
                                      self.run_dir)
        except (OwnDataError, DataDirError) as exc:
            self.cleanup()  # copies of the user's files never outlive a run that could not start
            raise pytest.UsageError(f"rtcompat: {exc}") from None
        except Exception as exc:  # ours, on the user's data: one line, and nothing of theirs left behind
            self.cleanup()
            raise pytest.UsageError(f"rtcompat: preparing the data failed in the harness, not in any tool: "
                                    f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}") from None

    @property
    def run_dir(self) -> Path:
        """This run's scratch directory; what runs killed before left behind goes first."""
        if self._run_dir is None:
            scratch.sweep_stale_run_dirs()
            sweep_stale_cgroups()
            self._run_dir = scratch.new_run_dir()
            cache = Path(self.config.getoption("rtcompat_cache") or cache_dir())
            redact.activate(Redactor(self.root, cache, self._run_dir))  # texts are made portable, then cut
        return self._run_dir

    @property
    def guard(self) -> FixtureGuard:
        if self._guard is None:
            self._guard = FixtureGuard(self.fixtures_root, scratch=self.run_dir / "fixtures")
        return self._guard

    def cleanup(self) -> None:
        redact.activate(None)
        SERVERS.close_all()  # the run's preloading servers go with the run, and their scratch with them
        if self._run_dir is not None:
            scratch.remove(self._run_dir)
            self._run_dir = None

    def tool_run(self, entry: Entry, manifest: Manifest) -> ToolRun:
        """The run of one installed version (``manifest`` is one of ``entry``'s installs)."""
        if manifest.key not in self.tool_runs:
            cache = Path(self.config.getoption("rtcompat_cache") or cache_dir())
            context = InstallContext(cache=cache, host=self.host, manifest_path=entry.path,
                                     allow_apt=bool(self.config.getoption("allow_apt")))
            outputs = self.run_dir / "outputs"
            self.tool_runs[manifest.key] = ToolRun(manifest, entry.path, context, self.guard, outputs,
                                                   observe_only=self.observe_only)
        return self.tool_runs[manifest.key]


_STATE = pytest.StashKey[_RunState]()


class ManifestFile(pytest.File):
    def collect(self):
        entry = load_entry(self.path)
        if entry.manifest is None:
            yield InvalidManifestItem.from_parent(self, name="manifest", entry=entry)
            return
        chosen = set(self.config.getoption("rtcompat_version") or ())
        for manifest in entry.manifest.installs():
            # a version chosen of another tool says nothing about this one's
            picked = {c for c in chosen if c.partition("@")[0] == manifest.id}
            if picked and not ({manifest.key, manifest.id} & picked):
                continue
            yield from self._items(entry, manifest)

    def _items(self, entry: Entry, manifest: Manifest):
        """The install item and the check items of one installed version; a version's
        items are named ``install@3.6.0``, ``read-ct@3.6.0[position-ffs]``."""
        install = InstallItem.from_parent(self, name=item_name("install", manifest.variant), entry=entry,
                                          manifest=manifest)
        install.add_marker(_group(manifest.key, REFERENCE))
        install.add_marker(pytest.mark.catalogue)
        yield install
        state = self.config.stash[_STATE]
        sets = state.fixture_sets
        known = {s.name for s in sets}
        selected = set(self.config.getoption("rtcompat_set") or ())
        for check_index, check in enumerate(manifest.checks):
            if state.observe_only and check.fixture is not None:
                continue  # a check tied to one of our fixture sets has nothing to read in own data
            for planned in plan(check, sets, state.reference_set):
                if selected and planned.fixture not in selected:
                    continue
                if (state.observe_only or state.produced_sets) and planned.fixture not in known:
                    continue
                on_set = None if check.fixture or planned.fixture == REFERENCE else planned.fixture
                order = (check_index, [s.name for s in sets].index(planned.fixture)
                         if planned.fixture in {s.name for s in sets} else len(sets))
                item = CheckItem.from_parent(self, name=item_name(check.id, manifest.variant, on_set), entry=entry,
                                             manifest=manifest, planned=planned, order=order)
                item.add_marker(_group(manifest.key, planned.fixture))
                item.add_marker(pytest.mark.catalogue)
                yield item


def _group(tool_id: str, fixture_set: str) -> pytest.MarkDecorator:
    """One xdist group per (tool, fixture set): a set's checks share their program runs on
    one worker, while two workers can take two sets of the same tool (the environment
    cache is locked, so the second worker reuses what the first built). The mark says so
    to a reader; :mod:`harness.scheduling` is what enforces it under ``--dist loadgroup``."""
    return pytest.mark.xdist_group(f"{tool_id}@{fixture_set}")


class _ToolItem(pytest.Item):
    def __init__(self, *, entry: Entry, manifest: Manifest | None = None, **kwargs):
        super().__init__(**kwargs)
        self.entry = entry
        #: the installed version this item belongs to (None for an invalid manifest)
        self.manifest = manifest
        self.outcome: dict | None = None

    @property
    def tool_key(self) -> str:
        """``pydicom``, or ``itk-snap@3.6.0`` for one of a manifest's versions."""
        return self.manifest.key if self.manifest is not None else self.entry.tool_id

    @property
    def state(self) -> _RunState:
        return self.config.stash[_STATE]

    def runtest(self) -> None:
        assert self.outcome is not None
        status, reason = self.outcome["status"], self.outcome["reason"]
        if status == "fail":
            raise ToolFailure(reason)
        if status == "xfail":  # here, not in setup: the check ran ("XFAIL", not "XFAIL at setup")
            pytest.xfail(reason)

    def _conclude(self, kind: str, payload: dict, tool: dict | None = None) -> None:
        """Record the outcome, then map the status onto pytest's vocabulary."""
        self.outcome = payload
        record = {"kind": kind, "tool_id": self.tool_key, "path": str(self.entry.path),
                  "tool": tool, "payload": payload, "order": list(getattr(self, "order", (-1, -1)))}
        self.user_properties.append((PROPERTY, json.dumps(record, default=str)))
        status, reason = payload["status"], payload["reason"]
        if status == "error":
            raise HarnessError(reason)
        if status == "skip":
            pytest.skip(reason)
        if status == "unavailable":
            pytest.skip(f"unavailable: {reason}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (ToolFailure, HarnessError)):
            return f"{self.entry.tool_id} {self.name}: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def _repr_failure_py(self, excinfo, style=None):
        """A testbed fault raised in setup reads as one line, like a tool failure: the
        reason as the report gives it; the details are in the results file."""
        if isinstance(excinfo.value, (ToolFailure, HarnessError)):
            return self.repr_failure(excinfo, style)
        return super()._repr_failure_py(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.entry.tool_id}::{self.name}"


class InvalidManifestItem(_ToolItem):
    def setup(self) -> None:
        message = "; ".join(str(p) for p in self.entry.problems)
        self._conclude("invalid", {"status": "error", "reason": f"invalid manifest: {message}"})


class InstallItem(_ToolItem):
    def setup(self) -> None:
        run = self.state.tool_run(self.entry, self.manifest)
        install, _env = run.install()
        self._conclude("install", install.model_dump(), tool=_tool_facts(run))


class CheckItem(_ToolItem):
    """One check on one fixture set."""

    def __init__(self, *, planned: Planned, order: tuple[int, int] = (0, 0), **kwargs):
        super().__init__(**kwargs)
        self.planned = planned
        #: (the check's place in the manifest, the set's place): rows keep this order
        #: whichever worker finishes first
        self.order = order

    def setup(self) -> None:
        check = self.planned.check
        run = self.state.tool_run(self.entry, self.manifest)
        if self.planned.skip_reason is not None or self.planned.not_applicable is not None:
            status, reason = not_run(self.planned)
            result = CheckResult(id=check.id, capability=check.capability, fixture=check.fixture, status=status,
                                 reason=reason)
            self._conclude("check", result.model_dump(), tool=_tool_facts(run))
            return
        try:
            result = run.run_check(check)
        except FixtureTampered as exc:
            # Every later verdict would rest on changed truth: record this row, stop the run.
            self.state.stopped = str(exc)
            self.session.shouldstop = str(exc)
            result = CheckResult(id=check.id, capability=check.capability, fixture=check.fixture,
                                 status="error", reason=f"run stopped: {exc}")
        self._conclude("check", result.model_dump(), tool=_tool_facts(run))


def _tool_facts(run: ToolRun) -> dict:
    """What the results need of the tool; travels with every record, so a run that
    deselected the install item (``-k read-ct``) still reports the version."""
    return run.tool_result().model_dump(exclude={"checks"})


class ResultsCollector:
    """Gathers item records for one pytest session and writes the results file once.

    An object per config, not module state: a catalogue run started inside another
    pytest session (as the tests do) must not leak records into the outer one.
    """

    def __init__(self, state: _RunState):
        self.state = state
        self.records: list[dict] = []
        self.written: Path | None = None
        self.notes: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == PROPERTY:
                self.records.append(json.loads(value))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(session.config, "workerinput") or not self.records:
            return
        partial = (exitstatus == pytest.ExitCode.INTERRUPTED or session.shouldfail is not False
                   or session.shouldstop is not False)
        results = assemble(self.state, self.records, partial=partial or self.state.stopped is not None)
        if self.state.own is not None:
            self._finish_own_data(results, partial)
            return
        path = Path(session.config.getoption("rtcompat_results")
                    or results_dir(self.state.root) / "latest.json")
        if session.config.getoption("rtcompat_power") and not results.run.partial:
            results = results.model_copy(update={"run": results.run.model_copy(
                update={"power": self._power()})})
        if session.config.getoption("rtcompat_update") or results.run.partial:
            # a partial or interrupted run replaces what it ran and keeps every other row; in a
            # fresh clone (no results yet) it starts from the committed report's results
            committed = session.config.getoption("rtcompat_committed")
            results, notes = update_rows(path, results, committed=Path(committed) if committed else None)
            self.notes += notes
        write_results(results, path)
        self.written = path
        self._deliver_notes(session.config)

    def _deliver_notes(self, config: pytest.Config) -> None:
        """Notes reach the person through the progress printer ``rtcompat run`` installs
        (the terminal reporter is off there); a bare pytest run prints them in its summary."""
        printers = progress_printers(config)
        if printers:
            for note in self.notes:
                printers[0].note(note)
            self.notes = []

    def _power(self) -> PowerSummary | None:
        """The discriminating-power suite on this run's fixture sets; a failure of it is
        said, never taken for the tools' (the report then states no figure)."""
        from harness.power.suite import summary_of

        print("rtcompat: planting reader bugs into the reference reader (discriminating power)...", flush=True)
        try:
            return summary_of(self.state.fixtures_root)
        except Exception as exc:  # ours: the tools' rows stand without the figure
            self.notes.append(f"rtcompat: the discriminating-power suite failed: {type(exc).__name__}: {exc}")
            return None

    def _finish_own_data(self, results: Results, partial: bool) -> None:
        from harness.owndata.run import OwnDataError

        own = self.state.own
        assert own is not None
        manifests = installed(load_catalogue(manifest_paths(manifests_dir(self.state.root))))
        try:
            written = own.finish(results, manifests, fixtures_dir(self.state.root), partial=partial)
        except OwnDataError as exc:
            print(f"rtcompat: error: {exc}", file=sys.stderr)
            return
        self.written = written[-1]
        self.notes += [f"rtcompat: own-data report written to {path}" for path in written]
        self._deliver_notes(self.state.config)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.state.cleanup()  # every process (xdist workers too) removes its own scratch

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for note in self.notes:
            terminalreporter.write_line(note)
        if self.written is not None and self.state.own is None:
            terminalreporter.write_line(f"rtcompat: results written to {self.written}")


def assemble(state: _RunState, records: list[dict], partial: bool) -> Results:
    """Group item records into one Results document, tools in id order."""
    tools: dict[str, ToolResult] = {}
    # The install item's facts describe the install; a check on another worker that
    # reused the cached environment only fills in when the install item did not run.
    ordered = sorted(records, key=lambda r: (r["kind"] == "install", tuple(r.get("order", (-1, -1)))))
    for record in ordered:
        tool_id = record["tool_id"]
        if record["tool"]:
            known = tools.get(tool_id)
            tools[tool_id] = ToolResult.model_validate({**record["tool"], "checks": known.checks if known else []})
        elif tool_id not in tools:
            tools[tool_id] = _invalid_tool(tool_id, record["payload"]["reason"])
        if record["kind"] == "check":
            tools[tool_id].checks.append(CheckResult.model_validate(record["payload"]))
    cache = Path(state.config.getoption("rtcompat_cache") or cache_dir())
    fixtures = fixture_checksums(state.fixtures_root, fixture_memo(cache))
    info = RunInfo(started=state.started, finished=_now(), host=socket.gethostname(),
                   platform=platform.platform(), python=platform.python_version(),
                   harness_version=__version__, fixtures=fixtures, partial=partial, stopped=state.stopped)
    redactor = Redactor(state.root, cache, state._run_dir)
    rows = [redactor.tool(tool).model_copy(update={"produced": state.started}) for tool in tools.values()]
    productions = []
    if state.config.getoption("rtcompat_productions", None):
        listed = json.loads(Path(state.config.getoption("rtcompat_productions")).read_text())
        productions = [ProductionRecord.model_validate(p) for p in listed]
    return Results(run=info, tools=sorted(rows, key=lambda t: t.key), productions=productions)


def progress_printers(config: pytest.Config) -> list:
    """The progress printer ``rtcompat run`` installs, if this run has one."""
    from harness.progress import Progress

    return [p for p in config.pluginmanager.get_plugins() if isinstance(p, Progress)]


def update_rows(path: Path, results: Results, committed: Path | None = None) -> tuple[Results, list[str]]:
    """A partial run's results over an earlier results file: this run's tools replace their
    rows, the others keep theirs with the date of the run that produced them. Without an
    earlier file, ``committed`` (the committed report's results) is the starting point.
    An interrupted run replaces only the checks it reached: a tool's other checks keep
    their earlier results, each with its date. Rows judged against other fixture sets
    than this run's are dropped, and said so; a set only one side recorded (one this
    checkout has not built) is not another set."""
    notes = []
    try:
        earlier = read_results(path)
    except ResultsError:
        if committed is None or not committed.is_file():
            return results, []
        try:
            earlier = read_results(committed)
        except ResultsError as exc:
            return results, [f"rtcompat: {committed} could not be read, so only this run's rows are kept: {exc}"]
        notes.append(f"rtcompat: no earlier results at {path}: this run's rows were put over {committed}")
    mine, before = results.run.fixtures, earlier.run.fixtures
    if any(mine[name] != before[name] for name in mine.keys() & before.keys()):
        return results, [*notes, f"{path}: earlier rows were judged against other fixtures; "
                                 "only this run's rows are kept"]
    if before.keys() - mine.keys():
        # a set this checkout has not built (clinical-size is built on demand) is no other
        # fixture: the earlier rows on it keep the checksum they were judged against
        fixtures = dict(sorted({**{n: before[n] for n in before.keys() - mine.keys()}, **mine}.items()))
        results = results.model_copy(update={"run": results.run.model_copy(update={"fixtures": fixtures})})
    if results.run.power is None and earlier.run.power is not None:  # same fixtures: the figure holds
        results = results.model_copy(update={"run": results.run.model_copy(update={"power": earlier.run.power})})
    mine = {tool.key: tool for tool in results.tools}
    kept = [tool.model_copy(update={"produced": tool.produced or earlier.run.started})
            for tool in earlier.tools if tool.key not in mine]
    tools = [*kept]
    for tool in results.tools:
        before = next((t for t in earlier.tools if t.key == tool.key), None)
        if results.run.partial and before is not None:
            reached = {check.key for check in tool.checks}
            older = [check.model_copy(update={"produced": check.produced or before.produced or earlier.run.started})
                     for check in before.checks if check.key not in reached]
            tool = tool.model_copy(update={"checks": [*tool.checks, *older]})
        tools.append(tool)
    return results.model_copy(update={"tools": sorted(tools, key=lambda t: t.key)}), notes


def _invalid_tool(tool_id: str, reason: str) -> ToolResult:
    return ToolResult(id=tool_id, name=tool_id, section="Beyond the source catalogue",
                      in_source_catalogue=False, backend="?",
                      install=InstallResult(status="error", reason=reason))


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
