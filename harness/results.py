"""The results file: one JSON document per run, with a versioned schema.

This is the contract between a run and everything that reads it (the report, the CI
merge, history). It is written atomically: an interrupted run leaves the previous
file intact, or a complete file marked ``partial``.

A row of the report is one installed version of a tool (``ToolResult.key``: the tool id,
plus the variant when a manifest installs several versions) on one runtime; each of
its checks ran against one fixture set. Everything a verdict rests on is recorded (the
observations and what the process did), so ``rtcompat merge`` can judge a shard again
instead of trusting the statuses it claims.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import from_json

from harness.collection import paused
from harness.split_results import SplitError, detail_rows, is_split
from harness.store import atomic_write_text

SCHEMA_VERSION = 2
#: Older schemas this harness still reads (every field added since has a default).
READABLE_VERSIONS = (1, 2)
Status = Literal["pass", "fail", "error", "skip", "unavailable", "xfail", "observed"]
#: The statuses of a catalogue run, as reports count them.
STATUSES: tuple[str, ...] = ("pass", "fail", "error", "skip", "unavailable", "xfail")
#: ``observed`` is a check run on own data before judging (see harness.owndata): the
#: catalogue's runs never produce it, progress lines show it.
RUN_STATUSES: tuple[str, ...] = (*STATUSES, "observed")


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


Outcome = Literal["pass", "convention", "fail"]


class VerdictRecord(Record):
    """One judged quantity. ``outcome`` is ``convention`` when the value misses the truth
    but matches the named alternative ``convention`` (never a plain pass, never FAIL)."""

    key: str
    passed: bool
    outcome: Outcome = "pass"
    convention: str | None = None
    observed: Any = None
    expected: Any = None
    tolerance: str = ""
    unit: str = ""
    margin: float | None = Field(None, description="|observed - expected| / allowed; None when not numeric")
    deviation: str = ""
    message: str

    @model_validator(mode="before")
    @classmethod
    def _outcome_from_v1(cls, data: Any) -> Any:
        if isinstance(data, dict) and "outcome" not in data and "passed" in data:
            data = {**data, "outcome": "pass" if data["passed"] else "fail"}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> VerdictRecord:
        if self.passed != (self.outcome != "fail"):
            raise ValueError(f"verdict {self.key}: passed={self.passed} contradicts outcome {self.outcome!r}")
        if (self.outcome == "convention") != (self.convention is not None):
            raise ValueError(f"verdict {self.key}: outcome {self.outcome!r} with convention {self.convention!r}")
        return self


class ProcessFacts(Record):
    """What the check process did, as far as judging needs it."""

    returncode: int | None = None
    signal: int | None = None
    timed_out: bool = False
    limit_hit: str | None = None
    launch_error: str | None = None
    output_truncated: bool = False
    stdout_bytes: int = 0
    stdout_last_line: str = ""
    stderr_tail: str = ""
    duration: float = 0.0
    peak_memory_bytes: int | None = Field(None, description="peak anonymous memory of all the check's processes "
                                                            "together, sampled while it ran; None: not measured")


class FindingRef(Record):
    """A known root cause that explains some of a check's failing verdicts."""

    id: str
    keys: list[str] = Field(default_factory=list)
    evidence: str = ""


class ScreenshotRecord(Record):
    """What a GUI tool displayed during the check (:mod:`harness.screenshots`)."""

    png_base64: str = Field(description="PNG, at most 640 pixels wide, base64")
    width: int
    height: int
    original: list[int] = Field(default_factory=list, description="the saved screenshot's width and height")


class CheckResult(Record):
    id: str
    capability: str
    status: Status
    reason: str
    fixture: str = "reference"
    program: str | None = Field(None, description="the check program, relative to tool_manifests/")
    conventions: list[str] = Field(default_factory=list, description="named conventions the passing values follow")
    findings: list[FindingRef] = Field(default_factory=list)
    observed: dict[str, Any] = Field(default_factory=dict)
    expected: dict[str, Any] = Field(default_factory=dict)
    verdicts: list[VerdictRecord] = Field(default_factory=list)
    duration: float = 0.0
    returncode: int | None = None
    stderr_tail: str = ""
    process: ProcessFacts | None = None
    xfail_issue: str | None = None
    program_run: str | None = Field(None, description="the program run the check was judged from: program@fixture "
                                                      "set; checks sharing one shared its process and duration")
    screenshot: ScreenshotRecord | None = Field(None, description="what the tool displayed (GUI tools), on the "
                                                                  "reference set and wherever the check did not pass")
    screenshot_note: str | None = Field(None, description="why a screenshot the check saved was not kept")
    produced: str | None = Field(None, description="start of an earlier run that produced this check, where an "
                                                   "interrupted run did not reach it and kept its earlier result")

    @property
    def key(self) -> str:
        """The row's identity within its tool: ``read-ct`` on the reference set,
        ``read-ct[position-ffs]`` on a variant (history keeps reference rows as before)."""
        return self.id if self.fixture == "reference" else f"{self.id}[{self.fixture}]"


class InstallResult(Record):
    status: Status
    reason: str = ""
    enable: str | None = Field(None, description="the command that would make a skipped tool run")
    seconds: float = 0.0
    reused: bool = False
    installer: str | None = None


class ToolResult(Record):
    id: str
    variant: str | None = Field(None, description="which of several versions a manifest installs")
    name: str
    section: str
    in_source_catalogue: bool
    homepage: str = ""
    summary: str = ""
    backend: str
    version: str | None = None
    runtime: str | None = Field(None, description="what runs the tool where it matters, e.g. GNU Octave 7.3.0")
    dependencies: dict[str, str] = Field(default_factory=dict)
    definition: str | None = Field(None, description="sha256 of the manifest and its check programs")
    install: InstallResult
    checks: list[CheckResult] = Field(default_factory=list)
    produced: str | None = Field(None, description="start of the run that produced this row (partial runs update rows)")

    @property
    def key(self) -> str:
        """The row's identity: the tool id, and the variant when there are several."""
        return f"{self.id}@{self.variant}" if self.variant else self.id

    @property
    def shown_version(self) -> str | None:
        """The version as the report shows it: what the installed tool says, with the
        manifest's version id when that says more (a tool of several versions that did
        not install, or a branch: ``0.4.2-72-gffba3a8 (main)``)."""
        if not self.variant:
            return self.version
        if not self.version:
            return self.variant
        return self.version if self.version.startswith(self.variant) else f"{self.version} ({self.variant})"

    @property
    def label(self) -> str:
        """How the report names the row: ``matRad v3.2.2 on GNU Octave 7.3.0``."""
        text = self.name + (f" {self.shown_version}" if self.shown_version else "")
        return text + (f" on {self.runtime}" if self.runtime else "")


class PlantedBugRecord(Record):
    """One planted reader bug and whether the fixtures caught it."""

    id: str
    title: str
    concerns: str = "reference"
    seen: str = ""
    caught: bool
    evidence: str = ""


class PowerSummary(Record):
    """The discriminating-power suite on this run's fixtures (harness.power)."""

    caught: int
    planted: int
    control_sets: int
    control_failures: list[str] = Field(default_factory=list)
    bugs: list[PlantedBugRecord] = Field(default_factory=list)

    @property
    def missed(self) -> list[PlantedBugRecord]:
        return [b for b in self.bugs if not b.caught]


class RunInfo(Record):
    started: str
    finished: str | None = None
    host: str
    platform: str
    python: str
    harness_version: str
    fixtures: dict[str, str] = Field(default_factory=dict, description="fixture set -> sha256")
    partial: bool = False
    stopped: str | None = Field(None, description="why the run stopped early (a tampered fixture set)")
    note: str = ""
    power: PowerSummary | None = Field(None, description="how many planted reader bugs the fixtures catch")


class ProductionRecord(Record):
    """One producer's object: what it wrote, what the validators and the reference reader
    said of it, and the fixture set its readers read (see :mod:`harness.interop`)."""

    tool: str = Field(description="the producing tool's key, e.g. plastimatch or itk-snap@3.6.0")
    tool_name: str = ""
    version: str | None = None
    producer: str = Field(description="the producer's id in the manifest")
    object: str = Field(description="rtstruct, rtdose or ct")
    api: str = ""
    status: Status
    reason: str = ""
    fixture: str | None = Field(None, description="the fixture set assembled from the object (None: nothing written)")
    files: list[str] = Field(default_factory=list)
    validation: dict[str, Any] | None = Field(None, description="dciodvfy's errors and the structural checks")
    fidelity: dict[str, Any] | None = Field(None, description="the reference reader's verdicts on the object "
                                                               "against the phantom: judged, failed keys, messages")
    seconds: float = 0.0
    cached: bool = Field(False, description="the object came from the cache (same producer version, definition "
                                            "and inputs)")
    process: ProcessFacts | None = None
    program: str | None = None


class Results(Record):
    schema_version: int = SCHEMA_VERSION
    run: RunInfo
    tools: list[ToolResult] = Field(default_factory=list)
    productions: list[ProductionRecord] = Field(default_factory=list, description="producer -> consumer runs: the "
                                                "objects tools wrote; the tools' rows read them")

    def counts(self) -> dict[str, int]:
        """Statuses as a reader of the report sees them: one per check, and one for each
        tool that has no check rows (a proprietary tool's n/a, an invalid manifest's error)."""
        counts = dict.fromkeys(STATUSES, 0)
        for tool in self.tools:
            for check in tool.checks:
                counts[check.status] += 1
            if not tool.checks and tool.install.status != "pass":
                counts[tool.install.status] += 1
        return counts


class ResultsError(Exception):
    """A results file that cannot be read: names the file and what is wrong."""


#: A full catalogue's results are a few MiB; anything far larger is not a results file.
MAX_RESULTS_BYTES = 256 * 1024**2


def write_results(results: Results, path: Path) -> None:
    """One line of compact JSON: a narrowed run reads and writes the whole catalogue's
    results, and indentation doubled their size and the time to write them (a catalogue's
    27 MB: 0.29 s indented, 15 MB and 0.12 s compact). People read the report, or
    ``python -m json.tool``."""
    atomic_write_text(path, results.model_dump_json() + "\n")


def read_results(path: Path) -> Results:
    """A results document: a run's own file, or a published report's split index with
    its detail files (:mod:`harness.split_results`)."""
    try:
        if not path.is_file():
            raise ResultsError(f"{path}: not a regular file" if path.exists() else f"{path}: cannot read: no such file")
        if path.stat().st_size > MAX_RESULTS_BYTES:
            raise ResultsError(f"{path}: larger than {MAX_RESULTS_BYTES // 1024**2} MiB; not a results file")
        with paused():
            data = from_json(path.read_bytes())  # pydantic-core's parser: the same values, in half the time
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise ResultsError(f"{path}: not JSON (truncated?): {exc}") from None
    if not isinstance(data, dict) or data.get("schema_version") not in READABLE_VERSIONS:
        found = data.get("schema_version") if isinstance(data, dict) else None
        raise ResultsError(f"{path}: results schema version {found!r}, this harness reads "
                           f"{', '.join(map(str, READABLE_VERSIONS))}")
    try:
        with paused():
            if is_split(data):
                rows = detail_rows(data, path, MAX_RESULTS_BYTES)
            elif isinstance(data.get("tools"), list):
                rows = _taken(data["tools"])
            else:  # no rows, or not a list of them: the model says what is wrong
                return Results.model_validate({**data, "schema_version": SCHEMA_VERSION})
            tools = [shared_field_sets(_row(raw, position, path)) for position, raw in enumerate(rows)]
            return Results.model_validate({**{k: v for k, v in data.items() if k not in ("layout", "tools")},
                                           "schema_version": SCHEMA_VERSION, "tools": tools})
    except SplitError as exc:
        raise ResultsError(str(exc)) from None
    except ValidationError as exc:
        raise ResultsError(_first_problem(path, exc)) from None


def _taken(rows: list) -> Iterator[object]:
    """Each raw row of a one-file document, dropped from the document once handed out, so
    the raw data and the validated rows are not both held whole."""
    for position in range(len(rows)):
        raw, rows[position] = rows[position], None
        yield raw


def _row(raw: object, position: int, path: Path) -> ToolResult:
    """One row validated; a problem is located as in the whole document (``tools.3.checks...``)."""
    try:
        return ToolResult.model_validate(raw)
    except ValidationError as exc:
        raise ResultsError(_first_problem(path, exc, ("tools", position))) from None


def _first_problem(path: Path, exc: ValidationError, within: tuple = ()) -> str:
    first = exc.errors()[0]
    return f"{path}: {'.'.join(map(str, (*within, *first['loc'])))}: {first['msg']}"


def shared_field_sets(tool: ToolResult) -> ToolResult:
    """The same row in about half the memory: pydantic gives every model its own set of the
    field names it was given (``model_fields_set``, 728 bytes for a verdict's ten, more than
    the verdict's values), though a catalogue's verdicts and checks carry a handful of
    distinct ones. Equal sets become one shared set; nothing here reads them (no
    ``exclude_unset``), and a set only ever grows by a name its model already has."""
    for check in tool.checks:
        _share(check)
        for verdict in check.verdicts:
            _share(verdict)
    return tool


#: The distinct field-name sets shared so far (a few dozen in a catalogue; bounded all the same).
_SHARED_FIELD_SETS: dict[frozenset[str], set[str]] = {}


def _share(model: BaseModel) -> None:
    names = model.__pydantic_fields_set__
    key = frozenset(names)
    shared = _SHARED_FIELD_SETS.get(key)
    if shared is None:
        if len(_SHARED_FIELD_SETS) >= 1024:
            return
        shared = _SHARED_FIELD_SETS[key] = set(names)
    object.__setattr__(model, "__pydantic_fields_set__", shared)
