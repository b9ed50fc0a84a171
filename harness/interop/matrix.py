"""The producer x consumer matrix, and whose fault each FAIL in it is.

A cell is one reader (consumer) on one producer's object: its checks on the set made
from that object. Its state is ``pass`` (every check passed), ``partial`` (some
passed, some did not), ``fail`` (none passed), ``error`` (ours: nothing judged) or
``not run`` (the reader did not run here: skipped, not installed). Its worst deviation is
the judged quantity nearest to, or furthest beyond, its tolerance, in its unit.

Every FAIL is attributed, quantity by quantity:

- **consumer, as on the reference set**: the reader fails the same quantity on the
  committed reference set, which our generator wrote: its own defect, not the exchange;
- **producer**: the reference reader (written from the standard) fails quantities of the
  produced object, so the object does not hold the phantom (a contour written in the
  wrong place also changes what a rasterising reader finds inside the image, so no
  deviation of a reader can be told apart from it); or the reader could not read an
  object the validators call invalid (it crashed, or reported nothing for the quantity);
- **consumer**: the object holds the phantom and is valid, the reader reads the reference
  set right, and still misreads this object: an exchange defect of the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.results import (
    CheckResult,
    ProductionRecord,
    Results,
    ToolResult,
    VerdictRecord,
)

PRODUCER, CONSUMER, CONSUMER_ALSO = "producer", "consumer", "consumer (as on the reference set)"
OBJECT_TITLES = {"rtstruct": "RT Structure Set", "rtdose": "RT Dose", "ct": "CT series"}


@dataclass
class Blame:
    """One failed quantity (or a failed check without quantities) and whose fault it is."""

    key: str
    message: str
    party: str


@dataclass
class Cell:
    production: ProductionRecord
    consumer: ToolResult
    checks: list[CheckResult]
    state: str
    worst: str = ""
    blames: list[Blame] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"exchange-{self.production.fixture}--{self.consumer.key}".replace("@", "-").replace(".", "_")

    @property
    def parties(self) -> list[str]:
        return sorted({b.party for b in self.blames})


@dataclass
class ObjectMatrix:
    """One object type's matrix: producers as rows, consumers as columns."""

    object: str
    title: str
    producers: list[ProductionRecord]
    consumers: list[ToolResult]
    cells: dict[tuple[str, str], Cell]

    def cell(self, production: ProductionRecord, consumer: ToolResult) -> Cell | None:
        return self.cells.get((production.fixture or "", consumer.key))


def cell_state(checks: list[CheckResult]) -> str:
    statuses = [c.status for c in checks]
    judged = [s for s in statuses if s in ("pass", "fail", "xfail")]
    if not judged:
        return "error" if "error" in statuses else "not run"
    if all(s == "pass" for s in judged) and "error" not in statuses:
        return "pass"
    if any(s == "pass" for s in judged):
        return "partial"
    return "fail"


def worst_deviation(checks: list[CheckResult]) -> str:
    """The judged quantity with the largest share of its tolerance used: its deviation."""
    verdicts: list[VerdictRecord] = [v for c in checks for v in c.verdicts if v.margin is not None]
    if not verdicts:
        return ""
    worst = max(verdicts, key=lambda v: v.margin)
    return f"{worst.deviation or worst.message} ({worst.key})" if worst.deviation else worst.message


def _reference_failures(reference: ToolResult | None, capability: str) -> tuple[set[str], bool]:
    """The keys the reader fails on the reference set for ``capability``, and whether its
    check there failed as a whole (crashed, printed nothing)."""
    if reference is None:
        return set(), False
    rows = [c for c in reference.checks if c.fixture == "reference" and c.capability == capability]
    keys = {v.key for c in rows for v in c.verdicts if not v.passed}
    whole = any(c.status == "fail" and not c.verdicts for c in rows)
    return keys, whole


def blames(checks: list[CheckResult], production: ProductionRecord, reference: ToolResult | None) -> list[Blame]:
    """Whose fault each failed quantity of ``checks`` is (see the module's rules)."""
    unfaithful = set((production.fidelity or {}).get("failed", []))
    invalid = bool(production.validation) and not production.validation.get("valid", True)
    out = []
    for check in checks:
        if check.status not in ("fail", "error", "xfail"):  # an xfail is a known FAIL: attributed as well
            continue
        ref_keys, ref_whole = _reference_failures(reference, check.capability)
        failed = [v for v in check.verdicts if not v.passed]
        if check.status == "error" and not failed:
            continue  # ours, not a FAIL: shown as an error, blamed on no one
        if not failed:  # the reader crashed, timed out or printed nothing on this object
            party = CONSUMER_ALSO if ref_whole else PRODUCER if invalid or unfaithful else CONSUMER
            out.append(Blame(check.id, check.reason, party))
            continue
        for verdict in failed:
            if verdict.key in ref_keys:
                party = CONSUMER_ALSO
            elif unfaithful or (invalid and verdict.observed is None):
                # the object does not hold the phantom (here or elsewhere: a structure moved off the
                # grid loses volume in a rasterising reader), or an invalid object gave nothing
                party = PRODUCER
            else:
                party = CONSUMER
            out.append(Blame(verdict.key, verdict.message, party))
    return out


def matrices(exchange: Results, main: Results | None) -> list[ObjectMatrix]:
    """One matrix per object type the producers wrote, consumers that read anything."""
    reference_rows = {t.key: t for t in main.tools} if main is not None else {}
    out = []
    for kind in OBJECT_TITLES:
        producers = sorted((p for p in exchange.productions if p.object == kind), key=lambda p: (p.tool, p.producer))
        if not producers:
            continue
        sets = {p.fixture for p in producers if p.fixture}
        consumers = [t for t in exchange.tools if any(c.fixture in sets for c in t.checks)]
        cells = {}
        for production in producers:
            for consumer in consumers:
                checks = [c for c in consumer.checks if c.fixture == production.fixture]
                if not checks:
                    continue
                cells[(production.fixture, consumer.key)] = Cell(
                    production, consumer, checks, cell_state(checks), worst_deviation(checks),
                    blames(checks, production, reference_rows.get(consumer.key)))
        out.append(ObjectMatrix(kind, OBJECT_TITLES[kind], producers, consumers, cells))
    return out
