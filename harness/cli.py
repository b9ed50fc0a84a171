"""The ``rtcompat`` command: the same code paths as pytest, for people and CI.

Errors we understand print one line and exit 1; Ctrl-C exits 130; anything else is
"unexpected" and writes a log with versions, ready to paste into a bug report.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

from harness import __version__
from harness.host import WORKERS_VARIABLE, usable_cores
from harness.paths import cache_dir, project_root, reports_dir, results_dir


class FatalError(Exception):
    """Something we know went wrong: one line, exit 1, no traceback."""


EPILOG = """\
typical use:
  rtcompat doctor                    what this machine can run, and how to enable the rest
  rtcompat run --allow-apt --report  run every tool, write results/latest.json and reports/
  rtcompat run --tool pydicom        run one tool
  rtcompat data inspect DIR          the sets found in your own DICOM-RT exports, and what each lacks
  rtcompat run --data DIR --output OUT
                                     every tool on your own exports: vendor DVHs, consensus, outliers
                                     (de-identified; OUT/own-data.md and .json, never reports/)
  rtcompat validate                  check every manifest (file:line: key: message)
  rtcompat new mytool                scaffold tool_manifests/mytool.yaml and a check
  rtcompat fixtures verify           rebuild the fixtures and compare byte for byte
  rtcompat matrix                    the CI job matrix (JSON): one job per tool, with its needs
  rtcompat merge shards/*.json --output results/merged.json
                                     merge CI shards (one per tool job) into one results file
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rtcompat", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Which radiotherapy tools really read the DICOM-RT objects they exchange.")
    parser.add_argument("--version", action="version", version=f"rtcompat {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show tracebacks instead of one-line errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("list", help="list the catalogue's tools, backends and checks")

    validate = sub.add_parser("validate", help="validate manifests; problems as file:line: key: message")
    validate.add_argument("files", nargs="*", type=Path, help="manifests (default: all in tool_manifests/)")

    new = sub.add_parser("new", help="scaffold a manifest and a check program for a new tool")
    new.add_argument("tool_id", help="lower-case id with dashes, e.g. rt-utils")
    new.add_argument("--backend", default="virtualenv", choices=["virtualenv", "debian", "source", "container"])
    new.add_argument("--capability", default="read-ct", metavar="CAPABILITY",
                     help="what the first check exercises: read-ct (default), read-rtstruct, read-rtplan, "
                          "read-rtdose, dvh, startup, qa-analysis")

    schema = sub.add_parser("schema", help="print (or write) the manifest JSON Schema")
    schema.add_argument("--write", action="store_true", help="update the committed schema and docs table")

    run = sub.add_parser("run", help="install and check tools, write a results file")
    run.add_argument("--tool", action="append", default=[], metavar="ID", help="only this tool (repeatable)")
    run.add_argument("--set", action="append", default=[], metavar="NAME", dest="sets",
                     help="only the checks on this fixture set (repeatable; the directories under fixtures/dicom/)")
    run.add_argument("--results", type=Path, help="results file (default: results/latest.json)")
    run.add_argument("--allow-apt", action="store_true", help="apt-get install missing Debian packages (root)")
    run.add_argument("--report", action="store_true", help="render reports/ from the results afterwards")
    run.add_argument("--browser-check", metavar="SCREENSHOT", type=Path,
                     help="with --report: open the page in headless Chromium, check it at desktop and phone width "
                          "and save its first screen (advisory: a machine without Chromium says so and goes on)")
    run.add_argument("-n", "--workers", default=None,
                     help="parallel workers (pytest-xdist), e.g. 2 or auto; default: $RTCOMPAT_WORKERS, else one per "
                          "core for the whole catalogue and one for a run narrowed by --tool, --set or --data")
    run.add_argument("-v", "--verbose", action="store_true",
                     help="pytest's own output too: every item, and the full reason of each failure")
    run.add_argument("--data", type=Path, metavar="DIR",
                     help="run on your own DICOM-RT exports under DIR (recursively) instead of the fixture sets: "
                          "each tool is judged against what the export carries (its DVHs, its plan) and against "
                          "the consensus of the tools; the data is never written, the report names no patient")
    run.add_argument("--output", type=Path, metavar="DIR",
                     help="with --data: where own-data.md and own-data.json go (default: results/own-data/)")
    run.add_argument("--keep-roi-names", action="store_true",
                     help="with --data: keep ROI names in the report (default: ROI-<number>)")
    run.add_argument("pytest_args", nargs="*", help="extra pytest arguments after --, e.g. -- -k read-ct -x")

    interop = sub.add_parser(
        "interop", help="producer -> consumer: tools that write DICOM-RT write the reference phantom, every reader "
                        "reads what they wrote; results in results/interop.json",
        description="Each producer a manifest declares (produces:) writes the reference phantom's RT Structure Set, "
                    "RT Dose or CT through the tool's own API; the object is validated (dciodvfy and structural "
                    "checks), read by a reference reader against the phantom's truth, and becomes a fixture set "
                    "that every tool's checks read. rtcompat report shows the producer x consumer matrix.")
    interop.add_argument("--producer", action="append", default=[], metavar="ID",
                         help="only this producing tool (repeatable; default: every tool with produces:)")
    interop.add_argument("--tool", action="append", default=[], metavar="ID",
                         help="only this reading tool (repeatable; default: every tool)")
    interop.add_argument("--results", type=Path, help="results file (default: results/interop.json)")
    interop.add_argument("--allow-apt", action="store_true", help="apt-get install missing Debian packages (root)")
    interop.add_argument("-n", "--workers", default=None,
                         help="parallel workers for the readers (e.g. 2); default: one per core unless --tool or "
                              "--producer narrows the run; -n 1 for one")
    interop.add_argument("-v", "--verbose", action="store_true", help="pytest's own output too")

    report = sub.add_parser("report", help="render reports/ (Markdown, HTML, JSON) from a results file")
    report.add_argument("--results", type=Path, help="results file (default: results/latest.json)")
    report.add_argument("--output", type=Path, help="report directory (default: reports/)")
    report.add_argument("--browser-check", metavar="SCREENSHOT", type=Path,
                        help="load the HTML in headless Chromium: no console errors, one row per tool, no "
                             "sideways scrolling at phone width; save a PNG of the first screen (1400 x 900)")

    sub.add_parser("doctor", help="what this machine can run, and how to enable the rest")

    check = sub.add_parser("check", help="run one check of one tool and show everything: command, raw output, verdicts")
    check.add_argument("tool_id", metavar="TOOL")
    check.add_argument("check_id", metavar="CHECK")
    check.add_argument("--set", metavar="NAME",
                       help="the fixture set to run it on (default: the reference set, or the one set the check names)")
    check.add_argument("--allow-apt", action="store_true", help="apt-get install missing Debian packages (root)")

    shell = sub.add_parser("shell", help="open the tool's environment: its Python, or a shell in its checkout")
    shell.add_argument("tool_id", metavar="TOOL")
    shell.add_argument("--allow-apt", action="store_true", help="apt-get install missing Debian packages (root)")

    cache = sub.add_parser("cache", help="what the environment cache holds (size per tool); prune what nothing uses")
    cache.add_argument("action", nargs="?", choices=["list", "prune"], default="list")

    fixtures = sub.add_parser("fixtures", help="build or verify the DICOM-RT fixture sets (reference and variants)")
    fixtures_sub = fixtures.add_subparsers(dest="fixtures_command", required=True, metavar="ACTION")
    build = fixtures_sub.add_parser(
        "build", help="write the fixture sets (deterministic); a set too large for git (clinical-size) also gets "
                      "its SHA-256 sums written beside it, fixtures/dicom/<set>.sha256, which are committed")
    build.add_argument("--output", type=Path, help="directory for the sets (default: fixtures/dicom/)")
    build.add_argument("--overwrite", action="store_true", help="replace a directory holding other files")
    build.add_argument("--set", action="append", metavar="NAME", help="only this set (repeatable; default: all)")
    verify = fixtures_sub.add_parser("verify", help="rebuild in a temporary directory and compare byte for byte")
    verify.add_argument("--set", action="append", metavar="NAME", help="only this set (repeatable; default: all)")

    power = sub.add_parser(
        "power", help="plant plausible reader bugs into a correct reader and count how many the fixtures catch",
        description="Runs a reference reader written from the DICOM standard on every fixture set (it must pass "
                    "every judged quantity), then each planted reader bug (a mirror, a transposed dose, "
                    "DoseGridScaling ignored, ...) on the reference set and on the set built to expose it, through "
                    "the same judge as the catalogue. Exit status 1 when a bug passes or the reference reader fails.")
    power.add_argument("--set", action="append", metavar="NAME", dest="sets",
                       help="run the reference reader on this set only (repeatable; default: every set)")

    data = sub.add_parser("data", help="your own DICOM-RT exports: what rtcompat run --data would find")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    inspect = data_sub.add_parser("inspect", help="index DIR (headers only) and print its sets and what each lacks")
    inspect.add_argument("directory", type=Path, metavar="DIR",
                         help="a directory of DICOM files (searched recursively; nothing in it is written)")
    inspect.add_argument("--paths", action="store_true",
                         help="also list each set's files (paths may carry names: kept to your terminal)")

    engine = sub.add_parser("engine", help="bring the container engine up or down (root)")
    engine.add_argument("action", choices=["up", "down", "status"])

    sub.add_parser("matrix", help="print the CI job matrix (one job per tool, with what it needs) as JSON")

    merge = sub.add_parser("merge", help="merge results shards (one per CI job) into one results file")
    merge.add_argument("shards", nargs="+", type=Path, metavar="SHARD", help="results files written by rtcompat run")
    merge.add_argument("--output", type=Path, required=True, help="merged results file to write")
    merge.add_argument("--allow-mixed", action="store_true",
                       help="merge shards of different harness versions or fixtures (a warning, not an error)")
    merge.add_argument("--catalogue", action="store_true",
                       help="give every catalogue tool without a shard an error row (its CI job died)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except FatalError as exc:
        print(f"rtcompat: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rtcompat: interrupted", file=sys.stderr)
        return 130
    except Exception:
        if args.traceback:
            raise
        return _unexpected()


def _unexpected() -> int:
    log = cache_dir() / "rtcompat-crash.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"rtcompat {__version__}\npython {sys.version}\nplatform {platform.platform()}\n"
                   f"argv {sys.argv}\n\n{traceback.format_exc()}")
    print(f"rtcompat: an unexpected error occurred; details in {log} (please attach it to a bug report)",
          file=sys.stderr)
    return 3


def cmd_list(args: argparse.Namespace) -> int:
    from harness.catalogue import load_catalogue

    print(f"{'tool (--tool)':24} {'backend':12} {'listed':10} checks")
    for entry in load_catalogue():
        if entry.manifest is None:
            print(f"{entry.tool_id:24} INVALID  {entry.problems[0]}")
            continue
        for m in entry.manifest.installs():  # one line per version: what --tool takes
            checks = ", ".join(c.id for c in m.checks) or "-"
            writes = ", ".join(p.object for p in m.produces)
            listed = "catalogue" if m.in_source_catalogue else "extra"
            print(f"{m.key:24} {m.backend:12} {listed:10} {checks}" + (f"; writes {writes}" if writes else ""))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from harness.catalogue import manifest_paths
    from harness.manifest_checks import validate_file
    from harness.paths import fixtures_dir

    paths = args.files or manifest_paths()
    if not paths:
        raise FatalError("no manifests found (looked in tool_manifests/)")
    found = {path: validate_file(path, fixtures_dir()) for path in paths}
    for problems in found.values():
        for problem in problems:
            print(problem)
    bad = sum(1 for problems in found.values() if problems)
    print(f"{len(found) - bad} valid, {bad} invalid")
    return 1 if bad else 0


def cmd_new(args: argparse.Namespace) -> int:
    from harness.scaffold import ScaffoldError, scaffold

    try:
        written = scaffold(args.tool_id, args.backend, capability=args.capability)
    except ScaffoldError as exc:
        raise FatalError(str(exc)) from None
    for path in written:
        print(f"created {path}")
    print(f"next: replace each TODO (rtcompat validate {written[0]} names them), then "
          f"rtcompat check {args.tool_id} {args.capability}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from harness.schema_docs import json_schema_text, write_schema_files

    if args.write:
        for path in write_schema_files(project_root()):
            print(f"wrote {path}")
    else:
        print(json_schema_text())
    return 0


def _chosen_tools(paths: list[Path], chosen: list[str]) -> tuple[list[Path], list[str]]:
    """The manifests ``--tool`` names, and the versions it picks: ``itk-snap`` runs every
    version of ITK-SNAP, ``itk-snap@3.6.0`` only that one."""
    from harness.catalogue import load_entry

    known = {p.stem: p for p in paths}
    unknown = [t for t in chosen if t.partition("@")[0] not in known]
    if unknown:
        raise FatalError(f"no manifest for {', '.join(unknown)} (rtcompat list shows the tools)")
    versions = []
    for key in (t for t in chosen if "@" in t):
        manifest = load_entry(known[key.partition("@")[0]]).manifest
        if manifest is not None and manifest.select(key) is None:
            offered = ", ".join(one.key for one in manifest.installs())
            raise FatalError(f"{key}: no such version (the manifest installs {offered})")
        versions.append(key)
    # A bare id next to one of its versions means every version.
    versions = [v for v in versions if v.partition("@")[0] not in chosen]
    return list(dict.fromkeys(known[t.partition("@")[0]] for t in chosen)), versions


def cmd_power(args: argparse.Namespace) -> int:
    from harness.paths import fixtures_dir
    from harness.power.suite import run

    root = fixtures_dir(project_root())
    if args.sets:
        _known_sets(project_root(), args.sets)
    report = run(root, sets=args.sets, progress=lambda line: print(f"  {line}", flush=True))
    for set_name, verdict in report.control_failures:
        print(f"reference reader FAILS on {set_name}: {verdict.message}")
    for result in report.bugs:
        print(f"{'caught' if result.caught else 'MISSED':7s} {result.bug.id}: {result.evidence}")
    print(f"{report.caught} of {len(report.bugs)} planted reader bugs caught; the reference reader passes "
          f"{len(report.control) - len({s for s, _ in report.control_failures})} of {len(report.control)} sets")
    return 0 if report.caught == len(report.bugs) and not report.control_failures else 1


def cmd_run(args: argparse.Namespace) -> int:
    import pytest

    from harness.catalogue import load_catalogue, manifest_paths
    from harness.limits import LimitsError, check_limits
    from harness.progress import Progress

    if args.browser_check and not args.report:
        raise FatalError("--browser-check checks the report: it goes with --report")
    try:
        check_limits()  # a limit no check can live under is our setting, not every tool's failure
    except LimitsError as exc:
        raise FatalError(str(exc)) from None
    root = project_root()
    paths = manifest_paths()
    versions: list[str] = []
    if args.tool:
        paths, versions = _chosen_tools(paths, args.tool)
    if not args.data:
        _built_on_demand(root, args.sets or None)
    if args.sets and not args.data:
        _known_sets(root, args.sets)
    if (args.output or args.keep_roi_names) and not args.data:
        raise FatalError("--output and --keep-roi-names go with --data DIR")
    results = args.results or results_dir(root) / "latest.json"
    pytest_args = _pytest_base(paths, results, root)
    if args.data:
        own_output = _own_data_args(root, args)
        pytest_args += ["--rtcompat-data", str(args.data), "--rtcompat-data-output", str(own_output)]
        pytest_args += ["--rtcompat-keep-roi-names"] if args.keep_roi_names else []
    for name in args.sets:
        pytest_args += ["--rtcompat-set", name]
    if not args.results and not args.data:
        pytest_args += ["--rtcompat-committed", str(reports_dir(root) / "results.json")]
    if (args.tool or args.sets or args.pytest_args) and not args.data:
        pytest_args.append("--rtcompat-update")  # a partial run updates its own rows and keeps the others
    elif not args.data:
        pytest_args.append("--rtcompat-power")  # the whole catalogue: say what its passes are worth
    pytest_args += _pytest_options(args, versions, narrowed=bool(args.tool or args.sets or args.data or args.pytest_args))
    started = time.time()
    with _sigterm_as_interrupt():
        code = pytest.main(pytest_args + list(args.pytest_args), plugins=[Progress(sys.stdout, portable=_portable(root))])
    stopped = _stopped(results) if code == pytest.ExitCode.INTERRUPTED else None
    if stopped:
        raise FatalError(f"run stopped: {stopped}; the partial results are in {results}")
    if code == pytest.ExitCode.INTERRUPTED:
        if results.is_file():
            print(f"rtcompat: the checks the run reached are in {results}; every other row kept its earlier "
                  "result", file=sys.stderr)
        raise KeyboardInterrupt
    if code == pytest.ExitCode.USAGE_ERROR:  # pytest printed why (our own refusals go this way too)
        return 1
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise FatalError(f"pytest could not run the catalogue (exit code {int(code)})")
    if args.data:
        return _own_data_written(own_output, started)
    print(f"rtcompat: results in {results}")
    if args.report:
        _render(results, reports_dir(root))
        if args.browser_check:
            try:
                _browser_check(results, reports_dir(root) / "index.html", args.browser_check)
            except FatalError as exc:
                print(f"rtcompat: browser check not run: {exc}", file=sys.stderr)
    invalid = [entry for entry in load_catalogue(paths) if entry.manifest is None]
    if invalid:  # the run went on without them; the exit status says the catalogue needs fixing
        for entry in invalid:
            for problem in entry.problems:
                print(f"rtcompat: {problem}", file=sys.stderr)
        raise FatalError(f"{len(invalid)} invalid manifest{'s' if len(invalid) != 1 else ''}, not run "
                         f"(each problem above; rtcompat validate checks a fix)")
    # Tool failures are the report's news, not a crash of the run.
    return 0


def _pytest_base(paths: list[Path], results: Path, root: Path) -> list[str]:
    """A catalogue session over ``paths`` writing ``results``: the plugin, and none of the
    project's own test settings."""
    return [*map(str, paths), "-p", "harness.pytest_plugin", "--rtcompat-results", str(results),
            "--rootdir", str(root), "-o", "addopts=", "-o", "testpaths=", "-p", "no:cacheprovider",
            # they collect garbage twice at the end (0.1 s) to catch a test's unraisable exceptions:
            # a catalogue session runs no test code of anyone's, only the plugin
            "-p", "no:unraisableexception", "-p", "no:threadexception"]


def _pytest_options(args: argparse.Namespace, versions: list[str], narrowed: bool) -> list[str]:
    """What ``run`` and ``interop`` both pass on: apt, chosen versions, workers, verbosity."""
    options = ["--allow-apt"] if args.allow_apt else []
    for key in versions:
        options += ["--rtcompat-version", key]
    workers = _workers(args.workers, narrowed)
    if workers:
        options += ["-n", workers, "--dist", "loadgroup"]
    return options + (["-v", "-rfEsx"] if args.verbose else ["-p", "no:terminal"])


def _workers(asked: str | None, narrowed: bool) -> str | None:
    """The ``-n`` to give pytest-xdist (``-n``, else ``$RTCOMPAT_WORKERS``), or None for one
    process. Unasked, a whole run uses every core this process may run on (its work units,
    a tool on a fixture set, are independent), and a narrowed one stays in one process,
    which starts sooner."""
    asked = asked if asked is not None else os.environ.get(WORKERS_VARIABLE) or None
    if asked is not None:
        return None if asked.strip() in ("0", "1") else asked.strip()
    cores = usable_cores()
    if narrowed or cores < 2:
        return None
    print(f"rtcompat: {cores} workers, one per core (-n 1 for one)", file=sys.stderr)
    return str(cores)


def _portable(root: Path):
    """Progress lines name files as the results do (``tool_manifests/...``,
    ``$RTCOMPAT_CACHE/...``, ``<scratch>/...``), whatever this machine's paths are."""
    from harness.redact import Redactor

    return Redactor(root, cache_dir()).text


def _own_data_args(root: Path, args: argparse.Namespace) -> Path:
    """The own-data output directory, after refusing what cannot work before any tool runs."""
    from harness.owndata.run import OwnDataError, check_output_dir
    from harness.paths import fixtures_dir

    if not args.data.is_dir():
        raise FatalError(f"{args.data}: {'not a directory' if args.data.exists() else 'no such directory'}")
    if args.sets:  # a label that names no set would select nothing: say so before any tool runs
        from harness.owndata.grouping import group
        from harness.owndata.index import index_directory

        known = [s.label for s in group(index_directory(args.data)).sets]
        unknown = [name for name in args.sets if name not in known]
        if unknown:
            raise FatalError(f"no set labelled {', '.join(unknown)} in {args.data}; found: {', '.join(known) or 'none'} "
                             f"(rtcompat data inspect {args.data})")
    if args.report or args.results:
        raise FatalError("--data writes its own report (--output); --report and --results are for the fixture sets")
    try:
        return check_output_dir(args.output or results_dir(root) / "own-data", args.data,
                                [reports_dir(root), fixtures_dir(root)])
    except OwnDataError as exc:
        raise FatalError(str(exc)) from None


def _own_data_written(output: Path, started: float) -> int:
    from harness.owndata.run import JSON_NAME, MARKDOWN_NAME

    written = [output / name for name in (MARKDOWN_NAME, JSON_NAME)]
    if not all(p.is_file() and p.stat().st_mtime >= started - 1 for p in written):
        raise FatalError("no own-data report was written (the reason is above)")
    for path in written:
        print(f"rtcompat: own-data report: {path}")
    return 0


def cmd_data(args: argparse.Namespace) -> int:
    from harness.owndata.grouping import group
    from harness.owndata.index import DataDirError, index_directory
    from harness.owndata.run import describe_index

    try:
        index = index_directory(args.directory, progress=lambda n: print(f"  {n} files read", file=sys.stderr))
    except DataDirError as exc:
        raise FatalError(str(exc)) from None
    for line in describe_index(index, group(index), show_paths=args.paths):
        print(line)
    return 0


def _built_on_demand(root: Path, names: list[str] | None) -> None:
    """Build a fixture set kept out of git (clinical-size) when the run needs it and it is
    missing; refuse one that does not match its committed sums."""
    from harness.fixtures.sums_memo import fixture_memo, unverified
    from harness.paths import fixtures_dir

    memo = fixture_memo(cache_dir())
    if not unverified(fixtures_dir(root), names, memo):
        return  # present and unchanged since they matched: no need to load the generator
    from harness.fixtures import FixtureError, ensure_built

    try:
        ensure_built(fixtures_dir(root), names, say=lambda line: print(f"rtcompat: {line}", file=sys.stderr),
                     memo=memo)
    except FixtureError as exc:
        raise FatalError(str(exc)) from None


def _known_sets(root: Path, names: list[str]) -> None:
    """A set name that matches no fixture set would select nothing: say so before pytest runs."""
    from harness.fixture_sets import discover
    from harness.paths import fixtures_dir

    known = [s.name for s in discover(fixtures_dir(root))]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise FatalError(f"no fixture set named {', '.join(unknown)} under {fixtures_dir(root)}; "
                         f"known: {', '.join(known) or 'none'}")


def _stopped(results_path: Path) -> str | None:
    from harness.results import ResultsError, read_results

    try:
        return read_results(results_path).run.stopped
    except ResultsError:
        return None


@contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (CI cancelling a job, a shutdown) ends a run like Ctrl-C does: pytest
    finishes the session, and what completed is written as a partial run."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_interop(args: argparse.Namespace) -> int:
    import pytest

    from harness.catalogue import manifest_paths
    from harness.interop.run import InteropBusy, run_producers
    from harness.progress import Progress

    root = project_root()
    paths = manifest_paths()
    readers, versions = _chosen_tools(paths, args.tool) if args.tool else (paths, [])
    results = args.results or results_dir(root) / "interop.json"
    cache = cache_dir()
    work = cache / "interop"
    if args.producer:
        from harness.catalogue import load_catalogue
        from harness.interop.run import producers_of

        writers = sorted({name for _, m, _ in producers_of(load_catalogue(paths)) for name in (m.key, m.id)})
        unknown = [p for p in args.producer if p not in writers]
        if unknown:
            raise FatalError(f"no producer {', '.join(map(repr, unknown))}: the tools that write DICOM-RT "
                             f"(produces: in their manifest) are {', '.join(writers) or 'none'}")
    print("rtcompat: producing (each producer writes the reference phantom through its own API) ...", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    with _sigterm_as_interrupt():
        try:
            records = run_producers(root, paths, cache, work, allow_apt=args.allow_apt,
                                    chosen=args.producer or None)
        except InteropBusy as exc:
            raise FatalError(str(exc)) from None
    sets = sorted(r.fixture for r in records if r.fixture)
    print(f"rtcompat: {len(records)} producer(s), {len(sets)} object(s) written; now every reader reads them",
          flush=True)
    if not sets:
        raise FatalError("no producer wrote an object: nothing for the readers to read (see the lines above)")
    pytest_args = [*_pytest_base(readers, results, root), "--rtcompat-fixtures", str(work / "sets"),
                   "--rtcompat-productions", str(work / "productions.json"),
                   *_pytest_options(args, versions, narrowed=bool(args.tool or args.producer))]
    with _sigterm_as_interrupt():
        code = pytest.main(pytest_args, plugins=[Progress(sys.stdout, portable=_portable(root))])
    if code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    if code == pytest.ExitCode.USAGE_ERROR:
        return 1
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise FatalError(f"pytest could not run the readers (exit code {int(code)})")
    print(f"rtcompat: interop results in {results}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    root = project_root()
    results = args.results or results_dir(root) / "latest.json"
    output = args.output or reports_dir(root)
    _built_on_demand(root, None)  # its set pages list the set's files
    _render(results, output)
    if args.browser_check:
        return _browser_check(results, output / "index.html", args.browser_check)
    return 0


def _browser_check(results_path: Path, page: Path, screenshot: Path) -> int:
    from harness.report import browser
    from harness.results import read_results

    if not browser.is_available():
        raise FatalError("no Chromium for the browser check (apt-get install chromium)")
    tool_ids = [tool.key for tool in read_results(results_path).tools]
    problems = browser.check_report(page, tool_ids, screenshot=screenshot)
    for problem in problems:
        print(f"browser check: {problem}", file=sys.stderr)
    print(f"browser check: {'ok' if not problems else f'{len(problems)} problem(s)'}; screenshot {screenshot}")
    return 1 if problems else 0


def _render(results_path: Path, output: Path) -> None:
    from harness.paths import fixtures_dir
    from harness.report import render_reports
    from harness.results import ResultsError, read_results

    try:
        results = read_results(results_path)
    except ResultsError as exc:
        raise FatalError(str(exc)) from None
    exchange = None
    for candidate in (results_path.parent / "interop.json", output / "interop.json"):
        if candidate.is_file() and candidate.resolve() != results_path.resolve():
            try:
                exchange = read_results(candidate)
            except ResultsError as exc:
                print(f"rtcompat: warning: producer -> consumer results not shown: {exc}", file=sys.stderr)
            break
    try:
        rendered = render_reports(results, output, fixtures_root=fixtures_dir(), exchange=exchange)
    except OSError as exc:
        where = exc.filename or output
        raise FatalError(f"cannot write the report into {output}: {exc.strerror or exc} ({where})") from None
    for warning in rendered.warnings:
        print(f"rtcompat: warning: {warning}", file=sys.stderr)
    fronts = [path for path in rendered.written if path.parent == output.absolute()
              and path.name in ("index.html", "compatibility.md")]
    for path in fronts:
        print(f"wrote {path}")
    print(f"wrote {len(rendered.written) - len(fronts)} more files under {output} (a page per tool, finding, "
          "fixture set and run; results, plots, screenshots, badges)")


def cmd_check(args: argparse.Namespace) -> int:
    from harness.single import SingleError, run_check

    try:
        result = run_check(args.tool_id, args.check_id, args.allow_apt, fixture_set=args.set)
    except SingleError as exc:
        raise FatalError(str(exc)) from None
    return 0 if result.status in ("pass", "xfail", "skip", "unavailable") else 1


def cmd_shell(args: argparse.Namespace) -> int:
    import os
    import shlex

    from harness.single import SingleError, shell_command

    try:
        argv, env, cwd = shell_command(args.tool_id, args.allow_apt)
    except SingleError as exc:
        raise FatalError(str(exc)) from None
    print(f"rtcompat: {shlex.join(argv)}" + (f"  (in {cwd})" if cwd else ""), file=sys.stderr)
    if cwd:
        os.chdir(cwd)
    os.execvpe(argv[0], argv, env)
    return 0  # not reached


def cmd_cache(args: argparse.Namespace) -> int:
    from harness.cachectl import entries, human, prune

    cache = cache_dir()
    if args.action == "prune":
        removed = prune(cache)
        for entry in removed:
            print(f"removed {entry.path} ({human(entry.size)})")
        print(f"freed {human(sum(e.size for e in removed))} in {cache}")
        return 0
    found = entries(cache)
    for entry in found:
        print(f"{human(entry.size):>10}  {entry.path.relative_to(cache)}  ({entry.what})")
    unused = sum(e.size for e in found if not e.used)
    print(f"{human(sum(e.size for e in found)):>10}  in all, in {cache}"
          + (f"; {human(unused)} no manifest uses (rtcompat cache prune)" if unused else ""))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from harness.doctor import diagnose

    for line in diagnose():
        print(line)
    return 0


def cmd_fixtures(args: argparse.Namespace) -> int:
    from harness import fixtures
    from harness.paths import fixtures_dir

    names = args.set or list(fixtures.SET_NAMES)
    unknown = [n for n in names if n not in fixtures.SET_NAMES]
    if unknown:
        raise FatalError(f"no fixture set named {', '.join(unknown)}; known: {', '.join(fixtures.SET_NAMES)}")
    if args.fixtures_command == "build":
        for name in names:
            target = (args.output or fixtures_dir()) / name
            try:
                written = fixtures.build_set(name, target, overwrite=args.overwrite)
            except fixtures.FixtureError as exc:
                raise FatalError(str(exc)) from None
            except ImportError as exc:  # a compressed set's encoder
                raise FatalError(f"{name}: {exc}; the encoders are in the 'fixtures' extra: "
                                 f"pip install -e '.[fixtures]'") from None
            if name in fixtures.ON_DEMAND:
                from harness.fixtures.on_demand import write_checksums

                root = args.output or fixtures_dir()
                sums = write_checksums(root, name, {p.name: p.read_bytes() for p in written})
                print(f"wrote the SHA-256 sums of {name} to {sums} (commit them; the set itself stays out of git)")
            print(f"wrote {len(written)} files to {target}")
        return 0
    problems = []
    for name in names:
        try:
            found = fixtures.verify_set(fixtures_dir() / name, name)
        except ImportError as exc:  # a compressed set's encoder: say which extra, not a crash log
            raise FatalError(f"{name}: {exc}; the encoders are in the 'fixtures' extra: "
                             f"pip install -e '.[fixtures]'") from None
        print(f"{name}: {'byte-identical to a fresh build' if not found else f'{len(found)} difference(s)'}")
        problems += found
    for problem in problems:
        print(problem)
    print(f"fixtures verified: {len(names)} set(s) byte-identical to a fresh build" if not problems
          else f"{len(problems)} difference(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_engine(args: argparse.Namespace) -> int:
    from harness import engine

    engine_dir = cache_dir() / "engine"
    try:
        state = {"up": engine.up, "down": engine.down, "status": engine.status}[args.action](engine_dir)
    except engine.EngineError as exc:
        raise FatalError(str(exc)) from None
    print(state.describe())
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    import json

    from harness.catalogue import load_catalogue
    from harness.matrix import job_matrix

    entries = load_catalogue()
    if not entries:
        raise FatalError("no manifests found (looked in tool_manifests/)")
    print(json.dumps(job_matrix(entries)))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from harness.catalogue import load_catalogue
    from harness.merge import MergeError, merge_results
    from harness.results import write_results

    try:
        results, warnings = merge_results(args.shards, allow_mixed=args.allow_mixed,
                                          expected=load_catalogue() if args.catalogue else None)
    except MergeError as exc:
        raise FatalError(str(exc)) from None
    for warning in warnings:
        print(f"rtcompat: warning: {warning}", file=sys.stderr)
    write_results(results, args.output)
    print(f"merged {len(args.shards)} shard(s), {len(results.tools)} tools, into {args.output}")
    return 0


COMMANDS = {
    "list": cmd_list, "validate": cmd_validate, "new": cmd_new, "schema": cmd_schema, "run": cmd_run,
    "power": cmd_power,
    "report": cmd_report, "interop": cmd_interop, "doctor": cmd_doctor, "check": cmd_check, "shell": cmd_shell, "cache": cmd_cache, "fixtures": cmd_fixtures, "engine": cmd_engine,
    "matrix": cmd_matrix, "merge": cmd_merge, "data": cmd_data,
}

if __name__ == "__main__":
    sys.exit(main())
