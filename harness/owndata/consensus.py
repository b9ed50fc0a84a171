"""The robust consensus of the tools, for quantities the export gives no reference for.

A consensus is the median of what the tools report, and it is formed only when it
means something: at least :data:`MIN_TOOLS` tools report the quantity, and a strict
majority of them lies within the quantity's tolerance of that median. The consensus is
then the median of that majority; a tool outside it is an *outlier*, named with its
deviation. When the tools scatter with no majority, no consensus is claimed: a
median of disagreeing tools would judge each of them against an artefact.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from harness.judging.judge import (
    Alternative,
    Context,
    Quantity,
    Verdict,
    _finite,
    _normalise,
    compare,
    describe_tolerance,
)
from harness.manifest import Manifest
from harness.owndata.tolerances import Rule

MIN_TOOLS = 3


@dataclass(frozen=True)
class Consensus:
    key: str
    rule: Rule
    #: tool -> what it reported
    reported: dict[str, Any]
    value: Any = None
    formed: bool = False
    #: why no consensus was formed
    why_not: str = ""
    agreeing: tuple[str, ...] = ()
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def outliers(self) -> list[str]:
        return [tool for tool, verdict in self.verdicts.items() if not verdict.passed]

    @property
    def spread(self) -> str:
        """The range of the reported numbers, in the quantity's unit."""
        numbers = [n for n in (_finite(v) for v in self.reported.values()) if n is not None]
        if len(numbers) < 2:
            return ""
        unit = f" {self.rule.unit}" if self.rule.unit else ""
        return f"{min(numbers):.4g} to {max(numbers):.4g}{unit}"

    def describe_outlier(self, tool: str) -> str:
        """``plastimatch: dvh.ROI-2.volume_cc 6.1 % below the other 4 of 5 tools (...)``."""
        verdict = self.verdicts[tool]
        others = f"the other {len([t for t in self.agreeing if t != tool])} of {len(self.reported)} tools"
        number, centre = _finite(self.reported[tool]), _finite(self.value)
        if verdict.deviation.startswith("x "):
            return f"{tool}: {self.key} {_fmt(number)} is {verdict.deviation} {others} ({_fmt(centre)})"
        if number is not None and centre not in (None, 0.0):
            percent = 100 * (number - centre) / abs(centre)
            side = "above" if percent > 0 else "below"
            return f"{tool}: {self.key} {abs(percent):.1f} % {side} {others} ({verdict.deviation})"
        return f"{tool}: {verdict.message} ({others} agree)"


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:.4g}"


def form(key: str, reported: dict[str, Any], rule: Rule, alternatives: tuple[Alternative, ...] = (),
         voices: dict[str, str] | None = None, declared: dict[str, dict[str, str]] | None = None) -> Consensus:
    """The consensus of ``reported`` (tool -> value) for ``key``; a tool off the consensus
    but on one of the named ``alternatives`` follows that convention (not an outlier).

    Tools whose numbers come from the same code speak with one voice (``voices`` maps a
    tool to the implementation it speaks for; by default every tool is its own): an
    application and the library it shows agreeing are one opinion, not a majority. Every
    tool is still judged against the consensus on its own, credited with a convention
    only where its manifest declares it (``declared``: tool -> convention -> source)."""
    voice_of = {tool: (voices or {}).get(tool, tool) for tool in reported}
    spoken: dict[str, list[Any]] = {}
    for tool, value in reported.items():
        spoken.setdefault(voice_of[tool], []).append(value)
    said = {voice: values[0] if len(values) == 1 else _centre(values) for voice, values in spoken.items()}
    count = len(said)
    shared = _shared(voice_of)
    if count < MIN_TOOLS:
        tools = f"{count} independent tool{'s' if count != 1 else ''}" if shared else \
            f"{count} tool{'s' if count != 1 else ''}"
        return Consensus(key, rule, reported, why_not=f"only {tools} report it{shared}; a consensus needs {MIN_TOOLS}")
    if any(value is None for value in said.values()):
        return Consensus(key, rule, reported, why_not="tools sharing their code report values of different kinds")
    centre = _centre(list(said.values()))
    if centre is None:
        return Consensus(key, rule, reported, why_not="the tools report values of different kinds or lengths")
    agreeing_voices = [voice for voice, value in said.items() if _agrees(key, value, centre, rule)]
    agreeing = tuple(tool for tool in reported if voice_of[tool] in agreeing_voices)
    if 2 * len(agreeing_voices) <= count:
        return Consensus(key, rule, reported, agreeing=agreeing,
                         why_not=f"no majority: {len(agreeing_voices)} of {count} {'independent ' if shared else ''}"
                                 f"tools agree within {describe_tolerance(rule.tolerance, rule.unit)} of the median"
                                 f"{shared}")
    value = _centre([said[voice] for voice in agreeing_voices])
    quantity = Quantity(key, value, rule.tolerance, rule.unit, alternatives=alternatives)
    verdicts = {tool: compare(key, got, quantity, rule.tolerance, Context(declared=(declared or {}).get(tool, {})))
                for tool, got in reported.items()}
    return Consensus(key, rule, reported, value=value, formed=True, agreeing=agreeing, verdicts=verdicts)


def _shared(voice_of: dict[str, str]) -> str:
    """`` (dicompyler and dicompyler-core share their code)`` when any tools do."""
    groups: dict[str, list[str]] = {}
    for tool, voice in voice_of.items():
        groups.setdefault(voice, []).append(tool)
    together = [" and ".join(sorted(tools)) for tools in groups.values() if len(tools) > 1]
    return f" ({'; '.join(sorted(together))} share their code)" if together else ""


def independent_voices(manifests: dict[str, Manifest]) -> dict[str, str]:
    """Tool (key and id) -> the implementation it speaks for: the versions of one tool,
    and tools a manifest says share its code (``shares_code_with``), are one voice."""
    parent: dict[str, str] = {}

    def root(tool: str) -> str:
        while parent.setdefault(tool, tool) != tool:
            tool = parent[tool]
        return tool

    for manifest in manifests.values():
        for other in manifest.shares_code_with:
            first, second = sorted((root(manifest.id), root(other)))
            parent[second] = first
    return {name: root(manifest.id) for key, manifest in manifests.items() for name in (key, manifest.id)}


def _centre(values: list[Any]) -> Any:
    """The median of numbers (element-wise for lists of one length), the majority value
    of anything else; None when the values cannot be pooled."""
    numbers = [_finite(v) for v in values]
    if all(n is not None for n in numbers):
        return statistics.median(numbers)
    if all(isinstance(v, list) for v in values):
        lengths = {len(v) for v in values}
        if len(lengths) != 1:
            return None
        columns = list(zip(*values))
        if all(all(_finite(x) is not None for x in column) for column in columns):
            return [statistics.median(float(x) for x in column) for column in columns]
    if any(isinstance(v, (dict, float)) for v in values):
        return None
    counts: dict[str, tuple[int, Any]] = {}
    for value in values:
        marker = repr(_normalise(value) if not isinstance(value, list) else [_normalise(x) for x in value])
        seen, _ = counts.get(marker, (0, value))
        counts[marker] = (seen + 1, _normalise(value) if not isinstance(value, list) else value)
    return max(counts.values(), key=lambda entry: entry[0])[1]


def _agrees(key: str, value: Any, centre: Any, rule: Rule) -> bool:
    return compare(key, value, Quantity(key, centre, rule.tolerance, rule.unit), rule.tolerance).passed

