"""What each check cost: its time and peak memory, per fixture set and per tool.

Why: a physicist choosing a tool for their clinic's exports needs to know whether it
reads a 200-slice CT with 41 structures in seconds or minutes, in 300 MB or 3 GB, next to
whether it reads it right (dicompyler#80: a MemoryError at 650 MB on such a patient). The
figures are what the run measured: wall-clock seconds of the check's process, and the peak
anonymous memory of all its processes together, sampled while it ran
(:mod:`harness.process`); a container's memory is the engine's and is not measured here.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.results import CheckResult, ToolResult

#: The set whose figures the front page shows.
CLINICAL_SET = "clinical-size"
_MIB = 1024 * 1024


@dataclass(frozen=True)
class CheckCost:
    """One check's figures on one set."""

    check: CheckResult
    seconds: float
    memory_bytes: int | None
    #: how many checks the same program run served (they share its time and memory)
    shared_by: int = 1

    @property
    def seconds_text(self) -> str:
        text = f"{self.seconds:.1f} s" if self.seconds >= 0.95 else f"{self.seconds:.2f} s"
        if self.check.process is not None and self.check.process.timed_out:
            text = f"{text} (timed out)"
        return text

    @property
    def memory_text(self) -> str:
        if self.memory_bytes is None:
            return "not measured"
        text = memory_text(self.memory_bytes)
        if self.check.process is not None and self.check.process.limit_hit:
            text = f"{text} ({self.check.process.limit_hit})"
        return text


@dataclass(frozen=True)
class ToolCosts:
    """A tool's checks on one set, and its worst figures there."""

    tool: ToolResult
    costs: tuple[CheckCost, ...]

    @property
    def slowest(self) -> CheckCost:
        return max(self.costs, key=lambda c: c.seconds)

    @property
    def largest_memory(self) -> CheckCost | None:
        measured = [c for c in self.costs if c.memory_bytes is not None]
        return max(measured, key=lambda c: c.memory_bytes or 0) if measured else None

    @property
    def statuses(self) -> str:
        passed = sum(1 for c in self.costs if c.check.status == "pass")
        return f"{passed} of {len(self.costs)} checks pass"


def memory_text(size: int) -> str:
    if size >= 1024 * _MIB:
        return f"{size / (1024 * _MIB):.2f} GiB"
    return f"{size / _MIB:.0f} MiB" if size >= 10 * _MIB else f"{size / _MIB:.1f} MiB"


def check_cost(check: CheckResult, shared_by: int = 1) -> CheckCost:
    process = check.process
    return CheckCost(check, float(process.duration if process is not None else check.duration),
                     process.peak_memory_bytes if process is not None else None, shared_by)


def set_costs(tools: list[ToolResult], set_name: str) -> list[ToolCosts]:
    """Every tool that ran a check on ``set_name`` (skipped and n/a checks ran nothing),
    its checks in the tool's order."""
    return costs_by_set(tools).get(set_name, [])


def costs_by_set(tools: list[ToolResult]) -> dict[str, list[ToolCosts]]:
    """:func:`set_costs` of every set, in one pass over the checks (a set page each would
    read every check of the catalogue again)."""
    out: dict[str, list[ToolCosts]] = {}
    for tool in tools:
        on_set: dict[str, list[CheckResult]] = {}
        for check in tool.checks:
            if check.status not in ("skip", "unavailable") and check.process is not None:
                on_set.setdefault(check.fixture, []).append(check)
        for set_name, ran in on_set.items():
            runs: dict[str, int] = {}
            for check in ran:
                if check.program_run:
                    runs[check.program_run] = runs.get(check.program_run, 0) + 1
            out.setdefault(set_name, []).append(
                ToolCosts(tool, tuple(check_cost(c, runs.get(c.program_run or "", 1)) for c in ran)))
    return out
