"""The discriminating-power suite: how many plausible reader bugs the fixtures catch.

Why: a pass is earned only if a wrong reader would have failed. The suite runs the
correct reference reader (:mod:`harness.power.reader`) on every fixture set - it must
pass every judged quantity, or the fixtures or their tolerances are wrong - and then
each planted bug (:mod:`harness.power.bugs`) on the reference set and on the set it
concerns, through the same judge the catalogue uses. A bug is caught when at least
one quantity FAILs; the suite says which one and by how much, so the report's Method
can state "K of N planted reader bugs caught" and name any that were not.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field
from pathlib import Path

from harness.judging.judge import Verdict, judge, load_truth
from harness.manifest import Check
from harness.results import PowerSummary

from .bugs import BUGS, PlantedBug
from .reader import LoadedSet, Reader

#: What each capability of the reference reader is judged on (the pydicom checks' patterns,
#: plus the DVH metrics no pydicom check computes).
JUDGED: dict[str, list[str]] = {
    "read-ct": ["ct.*"],
    "read-rtstruct": ["rtstruct.roi_count", "rtstruct.roi_names", "rtstruct.roi.*.number", "rtstruct.roi.*.type",
                      "rtstruct.roi.*.contour_count", "rtstruct.roi.*.volume_cc"],
    "read-rtdose": ["dose.*"],
    "read-rtplan": ["plan.*"],
    "dvh": ["dvh.*"],
}


@dataclass(frozen=True)
class SetOutcome:
    """One reader on one set: the verdicts that failed, over all capabilities."""

    set: str
    failed: tuple[Verdict, ...]
    judged: int


@dataclass
class BugResult:
    bug: PlantedBug
    outcomes: list[SetOutcome] = field(default_factory=list)

    @property
    def caught(self) -> bool:
        return any(o.failed for o in self.outcomes)

    @property
    def evidence(self) -> str:
        """The most telling failure: a wrong value before a missing one, the furthest out first."""
        failures = [(o.set, v) for o in self.outcomes for v in o.failed]
        if not failures:
            return "every judged quantity within tolerance on " + ", ".join(o.set for o in self.outcomes)
        # a number out of tolerance tells most, then any wrong value, then a missing one
        numbers = [f for f in failures if f[1].margin is not None and math.isfinite(f[1].margin)]
        wrong = numbers or [f for f in failures if f[1].observed is not None] or failures
        set_name, verdict = max(wrong, key=lambda f: f[1].margin if f[1].margin is not None else 0.0)
        count = len(failures)
        return f"{set_name}: {verdict.message} ({count} quantities FAIL)"


@dataclass
class PowerReport:
    """The control's outcome on every set, and every bug's."""

    control: list[SetOutcome]
    bugs: list[BugResult]

    @property
    def caught(self) -> int:
        return sum(1 for b in self.bugs if b.caught)

    @property
    def control_failures(self) -> list[tuple[str, Verdict]]:
        return [(o.set, v) for o in self.control for v in o.failed]

    def summary(self) -> dict:
        """Plain data for results.json and the report's Method section."""
        return {
            "caught": self.caught,
            "planted": len(self.bugs),
            "control_sets": len(self.control),
            "control_failures": [f"{s}: {v.message}" for s, v in self.control_failures],
            "bugs": [{"id": b.bug.id, "title": b.bug.title, "concerns": b.bug.concerns, "seen": b.bug.seen,
                      "caught": b.caught, "evidence": b.evidence} for b in self.bugs],
        }


def checks_for(truth: dict) -> list[Check]:
    """One check per capability whose patterns name something in this set's truth."""
    checks = []
    for capability, patterns in JUDGED.items():
        present = [p for p in patterns if any(fnmatch.fnmatchcase(k, p) for k in truth)]
        if present:
            checks.append(Check(id=capability, capability=capability, program="reader.py", judge=present))
    return checks


def run_reader(reader_type: type[Reader], data: LoadedSet, truth: dict) -> SetOutcome:
    """Judge one reader on one set, capability by capability."""
    failed, judged = [], 0
    for check in checks_for(truth):
        observed = reader_type(data).read(check.capability)
        verdicts = judge(check, truth, observed)
        judged += len(verdicts)
        failed += [v for v in verdicts if not v.passed]
    return SetOutcome(data.directory.name, tuple(failed), judged)


@dataclass(frozen=True)
class Ambiguity:
    """A planted bug whose value lies so near a convention's alternative that a tool
    following the convention could not be told from one with the bug."""

    set: str
    key: str
    convention: str
    bug: str
    bug_value: object
    alternative: object


def observations(reader_type: type[Reader], data: LoadedSet, truth: dict) -> dict:
    """Everything one reader reports on one set, over all capabilities."""
    out: dict = {}
    for check in checks_for(truth):
        out.update({k: v for k, v in reader_type(data).read(check.capability).items() if not k.startswith("_")})
    return out


def ambiguities(fixtures_root: Path, sets: list[str], bugs: tuple[PlantedBug, ...] = BUGS) -> list[Ambiguity]:
    """Every place where a planted bug's value FAILs against the truth but lies within a
    convention's tolerance of its alternative, with the evidence the convention asks for:
    a tool declaring the convention could then have the bug and be credited. A bug that
    is the convention done silently (``no-end-caps``) is left out: a declared convention
    is what tells them apart."""
    from harness.judging.judge import _allowance, compare

    found = []
    for name in sets:
        data, truth = LoadedSet.read(Path(fixtures_root) / name), load_truth(Path(fixtures_root) / name)
        with_alternatives = {k: q for k, q in truth.items() if q.alternatives}
        for bug in bugs:
            observed = observations(bug.reader, data, truth)
            for key, quantity in with_alternatives.items():
                value = observed.get(key)
                if value is None or compare(key, value, quantity, quantity.tolerance).passed:
                    continue  # a value right by the truth needs no convention
                for alternative in quantity.alternatives:
                    if alternative.name == bug.id or not alternative.evidenced_by(observed):
                        continue
                    if _near(value, alternative.value, _allowance(alternative.tolerance, alternative.value)):
                        found.append(Ambiguity(name, key, alternative.name, bug.id, value, alternative.value))
    return found


def _near(value, target, room: float) -> bool:
    values = value if isinstance(value, list) else [value]
    targets = target if isinstance(target, list) else [target]
    if len(values) != len(targets):
        return False
    try:
        return all(abs(float(v) - float(t)) <= room for v, t in zip(values, targets))
    except (TypeError, ValueError):
        return False


def run(fixtures_root: Path, sets: list[str] | None = None, bugs: tuple[PlantedBug, ...] = BUGS,
        progress=None) -> PowerReport:
    """The control on every set (or ``sets``), each bug on the reference set and its own."""
    fixtures_root = Path(fixtures_root)
    names = sets or sorted(p.name for p in fixtures_root.iterdir() if (p / "truth.json").is_file())
    loaded: dict[str, tuple[LoadedSet, dict]] = {}

    def get(name: str) -> tuple[LoadedSet, dict]:
        if name not in loaded:
            loaded[name] = (LoadedSet.read(fixtures_root / name), load_truth(fixtures_root / name))
        return loaded[name]

    control = []
    for name in names:
        control.append(run_reader(Reader, *get(name)))
        if progress:
            progress(f"control on {name}")
    results = []
    for bug in bugs:
        result = BugResult(bug)
        for name in dict.fromkeys(("reference", bug.concerns)):
            result.outcomes.append(run_reader(bug.reader, *get(name)))
        results.append(result)
        if progress:
            progress(f"{bug.id}: {'caught' if result.caught else 'NOT caught'}")
    return PowerReport(control, results)


def summary_of(fixtures_root: Path) -> PowerSummary:
    """Run the suite on ``fixtures_root`` and keep what the results file records."""
    return PowerSummary.model_validate(run(fixtures_root).summary())
