"""The results file: one JSON document per run, with a versioned schema.

This is the contract between a run and everything that reads it (the report, the CI
merge, history). It is written atomically: an interrupted run leaves the previous
file intact, or a complete file marked ``partial``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.store import atomic_write_text

SCHEMA_VERSION = 1
Status = Literal["pass", "fail", "error", "skip", "unavailable", "xfail"]
STATUSES: tuple[str, ...] = ("pass", "fail", "error", "skip", "unavailable", "xfail")


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VerdictRecord(Record):
    key: str
    passed: bool
    observed: Any = None
    expected: Any = None
    message: str


class CheckResult(Record):
    id: str
    capability: str
    status: Status
    reason: str
    fixture: str = "reference"
    observed: dict[str, Any] = Field(default_factory=dict)
    expected: dict[str, Any] = Field(default_factory=dict)
    verdicts: list[VerdictRecord] = Field(default_factory=list)
    duration: float = 0.0
    returncode: int | None = None
    stderr_tail: str = ""
    xfail_issue: str | None = None


class InstallResult(Record):
    status: Status
    reason: str = ""
    enable: str | None = Field(None, description="the command that would make a skipped tool run")
    seconds: float = 0.0
    reused: bool = False
    installer: str | None = None


class ToolResult(Record):
    id: str
    name: str
    section: str
    in_source_catalogue: bool
    homepage: str = ""
    summary: str = ""
    backend: str
    version: str | None = None
    dependencies: dict[str, str] = Field(default_factory=dict)
    definition: str | None = Field(None, description="sha256 of the manifest and its check programs")
    install: InstallResult
    checks: list[CheckResult] = Field(default_factory=list)


class RunInfo(Record):
    started: str
    finished: str | None = None
    host: str
    platform: str
    python: str
    harness_version: str
    fixtures: dict[str, str] = Field(default_factory=dict, description="fixture set -> sha256")
    partial: bool = False
    note: str = ""


class Results(Record):
    schema_version: int = SCHEMA_VERSION
    run: RunInfo
    tools: list[ToolResult] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for tool in self.tools:
            for check in tool.checks:
                counts[check.status] += 1
        return counts


class ResultsError(Exception):
    """A results file that cannot be read: names the file and what is wrong."""


def write_results(results: Results, path: Path) -> None:
    atomic_write_text(path, results.model_dump_json(indent=2) + "\n")


def read_results(path: Path) -> Results:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise ResultsError(f"{path}: not JSON (truncated?): {exc}") from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        found = data.get("schema_version") if isinstance(data, dict) else None
        raise ResultsError(f"{path}: results schema version {found!r}, this harness reads {SCHEMA_VERSION}")
    try:
        return Results.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ResultsError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
