"""Past runs, kept small, and what they say about each tool x check.

One compact JSON file per run under ``reports/history/`` (date, harness version,
fixture checksums, and per installed version of a tool (``pydicom``,
``itk-snap@3.6.0``) its version, resolved dependencies and check statuses), bounded to the last ``KEEP`` runs. From that window each tool x check gets
a class after Debian's CI: new, pass, regression, recovered, always failing, flaky;
a regression or recovery names what changed between the two runs around it.

Only ``pass`` and ``fail`` are outcomes here: ``error`` is the testbed's fault, and
``skip``, ``unavailable`` and ``xfail`` say nothing new about the tool, so they are
kept in the sparkline but never count as a change.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from harness.results import Results, Status
from harness.store import atomic_write_text

HISTORY_VERSION = 1
KEEP = 90
# Pass, fail, pass, fail: three changes in the window. A single failure followed by a
# fix is a regression and then a recovery, not flakiness.
FLAKY_CHANGES = 3
CLASSES: dict[str, str] = {
    "new": "first run with a pass or fail verdict",
    "pass": "passes, as it did before",
    "regression": "passed before, fails now",
    "recovered": "failed in the previous run, passes now",
    "always failing": "has not passed in any recorded run",
    "flaky": f"changed between pass and fail {FLAKY_CHANGES} or more times in the recorded runs",
    "neutral": "no pass or fail verdict in this run: error, skip, n/a or xfail",
}
OUTCOMES = {"pass": "pass", "fail": "fail"}


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolRecord(Record):
    version: str | None = None
    dependencies: dict[str, str] = Field(default_factory=dict)
    definition: str | None = None
    install: Status
    checks: dict[str, Status] = Field(default_factory=dict, description="check key (id, and [fixture set] off the "
                                                                        "reference set) -> status")


class RunRecord(Record):
    _path: Path | None = PrivateAttr(default=None)
    history_version: int = HISTORY_VERSION
    started: str
    host: str
    harness_version: str
    fixtures: dict[str, str] = Field(default_factory=dict)
    partial: bool = False
    tools: dict[str, ToolRecord] = Field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.started, self.host

    @property
    def when(self) -> datetime:
        return _parse_time(self.started)

    @property
    def label(self) -> str:
        """The run's start as people read it: ``2026-11-26 16:33 UTC``."""
        when = self.when
        return when.strftime("%Y-%m-%d %H:%M UTC") if when != _EPOCH else self.started

    @property
    def filename(self) -> str:
        """``<UTC time>-<host>-<digest of start and host>.json``: two runs never share a file,
        even from hosts whose names read alike or that start in the same second."""
        when = self.when
        stamp = when.strftime("%Y%m%dT%H%M%SZ") if when != _EPOCH else _slug(self.started)
        digest = hashlib.sha256(f"{self.started}\0{self.host}".encode()).hexdigest()[:8]
        return f"{stamp}-{_slug(self.host)}-{digest}.json"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _parse_time(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return _EPOCH
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-.")[:40] or "run"


def record_of(results: Results) -> RunRecord:
    run = results.run
    tools = {t.key: ToolRecord(version=t.version, dependencies=t.dependencies, definition=t.definition,
                              install=t.install.status,
                              checks={c.key: c.status for c in t.checks})
             for t in results.tools}
    return RunRecord(started=run.started, host=run.host, harness_version=run.harness_version,
                     fixtures=run.fixtures, partial=run.partial, tools=tools)


@dataclass(frozen=True)
class History:
    """The recorded runs, oldest first, and a warning per file that could not be read."""

    runs: list[RunRecord]
    warnings: list[str]


def load_history(directory: Path) -> History:
    runs, warnings = [], []
    for path in sorted(directory.glob("*.json")):
        try:
            run = RunRecord.model_validate_json(path.read_bytes())
            run._path = path  # pruned by the name it has, whatever naming wrote it
            runs.append(run)
        except (OSError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            first = str(exc).strip().splitlines()[0]
            warnings.append(f"{path}: unreadable history record, ignored ({first})")
    return History(sorted(runs, key=_order), warnings)


def _order(run: RunRecord) -> tuple[datetime, str, str]:
    return run.when, run.started, run.host


def record_run(directory: Path, results: Results, keep: int = KEEP) -> History:
    """Add this run to the history (once: keyed by start time and host), keep the last
    ``keep`` runs, and return the window that ends with this run."""
    record = record_of(results)
    history = load_history(directory)
    recorded = {r.key: r for r in history.runs}
    if record.key in recorded:
        record = recorded[record.key]
    else:
        atomic_write_text(directory / record.filename, _dump(record))
        history = History(sorted([*history.runs, record], key=_order), history.warnings)
    for old in history.runs[:-keep]:
        (getattr(old, "_path", None) or directory / old.filename).unlink(missing_ok=True)
    window = [r for r in history.runs if _order(r) <= _order(record)][-keep:]
    return History(window, history.warnings)


def _dump(record: RunRecord) -> str:
    return json.dumps(record.model_dump(), indent=1, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Trend:
    """One tool x check across the recorded runs."""

    kind: str
    statuses: tuple[tuple[str, str | None], ...]  # (run label, status or None when not run), oldest first
    change: str = ""  # for a regression or recovery: since when, and what changed

    @property
    def description(self) -> str:
        return CLASSES[self.kind]


def trend(runs: list[RunRecord], tool_id: str, check_id: str) -> Trend:
    """Classify a check by its statuses over ``runs`` (oldest first, the current run last)."""
    statuses = tuple((r.label, _status(r, tool_id, check_id)) for r in runs)
    judged = [(i, OUTCOMES[s]) for i, (_, s) in enumerate(statuses) if s in OUTCOMES]
    current = statuses[-1][1] if statuses else None
    if current not in OUTCOMES:
        return Trend("neutral", statuses)
    changes = sum(1 for a, b in pairwise(judged) if a[1] != b[1])
    if len(judged) == 1:
        return Trend("new", statuses)
    if changes >= FLAKY_CHANGES:
        return Trend("flaky", statuses)
    if current == "fail" and not any(o == "pass" for _, o in judged):
        return Trend("always failing", statuses)
    if current == "pass" and changes == 0:
        return Trend("pass", statuses)
    # The latest change: the last judged run before it, and the first after it.
    (before, _), (after, outcome) = next(
        (a, b) for a, b in reversed(list(pairwise(judged))) if a[1] != b[1])
    if current == "pass" and after != len(statuses) - 1:
        return Trend("pass", statuses)
    kind = "regression" if outcome == "fail" else "recovered"
    what = what_changed(runs[before], runs[after], tool_id)
    return Trend(kind, statuses, f"{kind} since {runs[after].label}: {what}")


def _status(run: RunRecord, tool_id: str, check_id: str) -> str | None:
    tool = run.tools.get(tool_id)
    return tool.checks.get(check_id) if tool else None


def what_changed(before: RunRecord, after: RunRecord, tool_id: str) -> str:
    """Tool version, dependency versions, fixture checksums and harness version between two runs."""
    old, new = before.tools.get(tool_id), after.tools.get(tool_id)
    changes = []
    if old and new and old.version != new.version:
        changes.append(f"{tool_id} {old.version or 'unknown'} -> {new.version or 'unknown'}")
    if old and new:
        changes += _mapping_changes(old.dependencies, new.dependencies, skip={tool_id} if changes else set())
    if old and new and old.definition and new.definition and old.definition != new.definition:
        changes.append(f"manifest or check programs {old.definition[:12]} -> {new.definition[:12]}")
    changes += [f"fixture {c}" for c in _mapping_changes(before.fixtures, after.fixtures, short=True)]
    if before.harness_version != after.harness_version:
        changes.append(f"rtcompat {before.harness_version} -> {after.harness_version}")
    return "; ".join(changes) or "no recorded change (same tool, dependencies, checks, fixtures and harness)"


def _mapping_changes(old: dict[str, str], new: dict[str, str], skip: set[str] = frozenset(),
                     short: bool = False) -> list[str]:
    def v(text: str) -> str:
        return text[:12] if short else text

    out = []
    for name in sorted(old.keys() | new.keys()):
        if name in skip or old.get(name) == new.get(name):
            continue
        if name not in old:
            out.append(f"{name} {v(new[name])} added")
        elif name not in new:
            out.append(f"{name} {v(old[name])} removed")
        else:
            out.append(f"{name} {v(old[name])} -> {v(new[name])}")
    return out


def trends(runs: list[RunRecord], results: Results) -> dict[tuple[str, str], Trend]:
    """Every tool x check of ``results``, classified over ``runs``."""
    return {(t.key, c.key): trend(runs, t.key, c.key) for t in results.tools for c in t.checks}

