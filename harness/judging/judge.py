"""Judging what a tool reported against a fixture set's truth.

Check programs only observe; every verdict is made here and explains itself in one
line (``dvh.Sphere.D95_gy 60.1 Gy vs 61.65 Gy (-1.55 Gy, tolerance 1.85 Gy)``), so a
reader of the report never has to re-run anything to see why.

A value passes within the truth's tolerance. Otherwise it may still match a named
convention the truth carries for that quantity (no end caps; a DVH extreme given as a
histogram bin): that is its own outcome, ``convention``, never a plain pass and never
FAIL. Comparisons are type-strict: ``true`` is not ``1``, ``"5"`` is not ``5``.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.judging.conventions import (
    AUXILIARY_KEYS,
    BIN_WIDTH_KEY,
    HISTOGRAM_BIN,
    MAX_BIN_WIDTH_GY,
    synonym_of,
)
from harness.manifest import Check, Tolerance
from harness.redact import error_summary

ERRORS_KEY = "_errors"


@dataclass(frozen=True)
class Alternative:
    """A named convention's value for one quantity, and what else the tool must have
    reported for the convention to be credited (``requires``: key -> (value, tolerance))."""

    name: str
    value: Any
    tolerance: Tolerance | None
    requires: tuple[tuple[str, Any, Tolerance | None], ...] = ()

    def evidenced_by(self, observed: dict[str, Any]) -> bool:
        """Whether the tool's other observations show it follows this convention."""
        return all(key in observed and _compare_value(key, observed[key], value, tolerance, "").passed
                   for key, value, tolerance in self.requires)

    def evidence(self, observed: dict[str, Any]) -> str:
        """The observations that show it, as the verdict quotes them."""
        return ", ".join(f"{key} {_show(observed.get(key), 40)}" for key, _value, _tolerance in self.requires)


@dataclass(frozen=True)
class Quantity:
    """One value a correct reader must find, with how close it must come."""

    key: str
    value: Any
    tolerance: Tolerance | None
    unit: str = ""
    alternatives: tuple[Alternative, ...] = ()
    #: the histogram-bin convention applies (a DVH dose read off a histogram)
    bin_convention: bool = False
    #: how much of the tool's bin width the convention adds: half for an extreme (a bin
    #: centre or edge), one for a Dx or a mean (read anywhere within a bin)
    bin_share: float = 0.5


@dataclass(frozen=True)
class Verdict:
    key: str
    outcome: str  # "pass", "convention" or "fail"
    observed: Any
    expected: Any
    message: str
    convention: str | None = None
    tolerance: str = ""
    unit: str = ""
    #: |observed - expected| / allowed (the worst element of a list); None when not numeric
    margin: float | None = None
    #: the deviation as the message states it (``-3 Gy, -4.9 %``, ``x 1e+05``)
    deviation: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome != "fail"


class TruthError(Exception):
    """A truth file that cannot be used (missing, corrupt, wrong schema)."""


class JudgeError(Exception):
    """A check that cannot be judged as declared (a pattern that matches no quantity)."""


def load_truth(set_dir: Path) -> dict[str, Quantity]:
    """The quantities of ``set_dir/truth.json`` (schema 1 or 2)."""
    path = set_dir / "truth.json"
    try:
        data = json.loads(path.read_text())
        quantities = data["quantities"]
        return {key: _quantity(key, q) for key, q in quantities.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TruthError(f"{path}: cannot read the truth: {exc}") from None


def _quantity(key: str, q: dict) -> Quantity:
    alternatives, binned, share = [], False, 0.5
    for name, alt in (q.get("conventions") or {}).items():
        if name == HISTOGRAM_BIN.name:
            binned, share = True, (1.0 if "widen_by_one_of" in alt else 0.5)
        elif "value" in alt:
            requires = tuple((key, need["value"], _tolerance(need.get("tolerance")))
                             for key, need in (alt.get("requires") or {}).items())
            alternatives.append(Alternative(name, alt["value"], _tolerance(alt.get("tolerance")), requires))
    return Quantity(key, q["value"], _tolerance(q.get("tolerance")), q.get("unit", ""), tuple(alternatives), binned,
                    share)


def _tolerance(spec: dict | None) -> Tolerance | None:
    return Tolerance(**spec) if spec else None


def parse_observations(stdout: str) -> dict[str, Any] | None:
    """The last stdout line that is a JSON object; tools may print anything before it."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):  # malformed, an integer beyond Python's digit
                continue  # limit, or nested deeper than the parser recurses: a tool's output, not our fault
            if isinstance(value, dict):
                return value
    return None


def judged_keys(check: Check, truth: dict[str, Quantity]) -> list[str]:
    return [key for key in truth if any(fnmatch.fnmatchcase(key, p) for p in check.judge)]


def unmatched_patterns(check: Check, truth: dict[str, Quantity]) -> list[tuple[str, str]]:
    """``(field, pattern)`` for every judge, optional or tolerance pattern that names no
    quantity of the truth: a typo there would silently drop what it was meant to judge."""
    fields = {"judge": check.judge, "optional": check.optional, "tolerances": list(check.tolerances),
              "displayed_to": list(check.displayed_to)}
    return [(name, pattern) for name, patterns in fields.items() for pattern in patterns
            if not any(fnmatch.fnmatchcase(key, pattern) for key in truth)]


def looser_tolerances(check: Check, truth: dict[str, Quantity]) -> list[tuple[str, str]]:
    """``(pattern, key)`` where a manifest tolerance would let more through than the
    truth's derived tolerance: a manifest may tighten a tolerance, never widen it."""
    out = []
    for pattern, tolerance in check.tolerances.items():
        for key, quantity in truth.items():
            if fnmatch.fnmatchcase(key, pattern) and isinstance(quantity.value, (int, float, list)):
                if _allowance(tolerance, quantity.value) > _allowance(quantity.tolerance, quantity.value) + 1e-12:
                    out.append((pattern, key))
    return out


def _allowance(tolerance: Tolerance | None, value: Any) -> float:
    values = value if isinstance(value, list) else [value]
    magnitude = max((abs(v) for v in values if _is_number(v)), default=0.0)
    if tolerance is None:
        return 0.0
    return max(tolerance.abs or 0.0, (tolerance.rel or 0.0) * magnitude)


def truth_expectations(check: Check, truth: dict[str, Quantity]) -> list[str]:
    """``expect`` keys that name a truth quantity: an exact expectation of the manifest's
    own would replace the truth's value, so a manifest could declare a wrong value right."""
    return [key for key in check.expect if key in truth]


def expectations(check: Check) -> dict[str, Quantity]:
    """The check's own exact expectations, judged like truth quantities."""
    return {key: Quantity(key, value, None) for key, value in check.expect.items()}


def judge(check: Check, truth: dict[str, Quantity], observed: dict[str, Any]) -> list[Verdict]:
    """One verdict per judged truth key and expectation; optional keys only if reported.

    Raises JudgeError when a pattern of the check names no quantity of the truth.
    """
    missing = unmatched_patterns(check, truth)
    if missing:
        raise JudgeError("; ".join(f"{name} pattern {pattern!r} matches no quantity of the truth"
                                   for name, pattern in missing))
    if overriding := truth_expectations(check, truth):
        raise JudgeError(f"expect names the truth quantity {', '.join(overriding)}: a manifest cannot state "
                         "its own value for it (judge it instead)")
    observed = with_read_from(check, observed)
    if misnamed := misnamed_keys(check, truth, observed):
        raise JudgeError("; ".join(f"the check program reported {wrong!r}, which names no quantity of the truth, "
                                   f"instead of {key!r}: did you mean {key!r}? (the check's mistake, not the tool's)"
                                   for key, wrong in misnamed.items()))
    errors = observed.get(ERRORS_KEY) if isinstance(observed.get(ERRORS_KEY), dict) else {}
    context = Context(bin_width=_reported_bin_width(observed), observed=observed, declared=dict(check.conventions),
                      displayed_to=dict(check.displayed_to))
    quantities = {**{k: truth[k] for k in judged_keys(check, truth)}, **expectations(check)}
    verdicts = []
    for key, quantity in quantities.items():
        if key not in observed:
            if any(fnmatch.fnmatchcase(key, p) for p in check.optional):
                continue
            why = error_summary(errors[key]) if key in errors else stage_error(errors, key)
            verdicts.append(Verdict(key, "fail", None, quantity.value,
                                    f"{key} not reported" + (f": {why}" if why else ""),
                                    tolerance=describe_tolerance(quantity.tolerance, quantity.unit),
                                    unit=quantity.unit))
            continue
        tolerance = tolerance_for(check, quantity)
        verdicts.append(compare(key, observed[key], quantity, tolerance, context))
    return verdicts


def misnamed_keys(check: Check, truth: dict[str, Quantity], observed: dict[str, Any]) -> dict[str, str]:
    """Judged truth keys the check did not report, each with the observed key that names
    no quantity and is so close to it that it must have been meant (``dose.max_cgy`` for
    ``dose.max_gy``): the check program's typo would otherwise read as the tool's FAIL."""
    stray = [k for k in observed if isinstance(k, str) and not k.startswith("_") and k not in truth
             and k not in AUXILIARY_KEYS and k not in check.expect]
    if not stray:
        return {}
    out = {}
    for key in judged_keys(check, truth):
        if key in observed or any(fnmatch.fnmatchcase(key, p) for p in check.optional):
            continue
        close = [k for k in difflib.get_close_matches(key, stray, n=3, cutoff=0.8) if _misspelt(key, k)]
        if close:
            out[key] = close[0]
    return out


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _misspelt(meant: str, written: str) -> bool:
    """One typo (an edit of one character), the same quantity in another unit
    (``volume_cc`` written ``volume_mm3``), or its name spelt out or cut short in the same
    unit (``dose.maximum_gy``); ``dose.mean_gy`` is not ``dose.min_gy``."""
    if _NUMBER.sub("#", meant) == _NUMBER.sub("#", written):
        return False  # the same quantity at another level (V13gy for V63gy, V-1gy for V71gy)
    if _other_structure(meant, written):
        return False  # the tool's name for the structure (matRad writes 'Femur Head L'), not a typo
    stem, _, unit = meant.rpartition("_")
    other_stem, _, other_unit = written.rpartition("_")
    if stem and stem == other_stem and unit != other_unit and {unit, other_unit} <= _UNITS:
        return True
    parent, _, leaf = stem.rpartition(".")
    other_parent, _, other_leaf = other_stem.rpartition(".")
    if (unit == other_unit and unit in _UNITS and parent == other_parent and leaf and other_leaf
            and leaf != other_leaf and (leaf.startswith(other_leaf) or other_leaf.startswith(leaf))):
        return True  # the word spelt out or cut short: dose.maximum_gy for dose.max_gy
    return _one_edit(meant, written)


#: Keys scoped by a structure's name: the name is the tool's data, whatever the program.
STRUCTURE_SCOPES = ("rtstruct.roi.", "dvh.")


def _other_structure(meant: str, written: str) -> bool:
    """The same quantity of a structure whose name differs: the check program passes on the
    name the tool gives the structure, so a name the tool changed is the tool's doing."""
    for scope in STRUCTURE_SCOPES:
        if meant.startswith(scope) and written.startswith(scope):
            name, _, leaf = meant[len(scope):].rpartition(".")
            other, _, other_leaf = written[len(scope):].rpartition(".")
            return bool(name) and bool(other) and leaf == other_leaf and name != other
    return False


#: Unit suffixes of observation keys: the same stem with another of these is the same quantity.
_UNITS = {"gy", "cgy", "mgy", "cc", "ml", "mm3", "cm3", "mm", "cm", "m", "pct", "percent", "fraction", "deg", "rad",
          "mu", "hu"}


def _one_edit(a: str, b: str) -> bool:
    """One character changed, added or dropped, and not a digit: ``V13gy_pct`` beside a
    missing ``V63gy_pct`` is another dose level the tool reported, not a typo."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        changed = [(x, y) for x, y in zip(a, b) if x != y]
        return len(changed) == 1 and not (changed[0][0].isdigit() and changed[0][1].isdigit())
    short, long = sorted((a, b), key=len)
    for i in range(len(long)):
        if long[:i] + long[i + 1:] == short:
            return not long[i].isdigit()
    return False


def with_read_from(check: Check, observed: dict[str, Any]) -> dict[str, Any]:
    """The observations with each ``read_from`` truth key taken from its named observation
    (absent when the tool did not report that observation)."""
    if not check.read_from:
        return observed
    remapped = {k: v for k, v in observed.items() if k not in check.read_from}
    for key, source in check.read_from.items():
        if source in observed:
            remapped[key] = observed[source]
    return remapped


@dataclass(frozen=True)
class Context:
    """What the tool said about how it computed its values: its histogram bin width, and
    everything it reported (a convention may need evidence from other observations)."""

    bin_width: float | None = None
    observed: dict[str, Any] | None = None
    #: convention name -> where the tool is documented to follow it (the check's manifest)
    declared: dict[str, str] | None = None
    #: key pattern -> the step the tool displays a value to (the check's manifest)
    displayed_to: dict[str, float] | None = None

    def display_step(self, key: str) -> float | None:
        return next((step for pattern, step in (self.displayed_to or {}).items()
                     if fnmatch.fnmatchcase(key, pattern)), None)


def _reported_bin_width(observed: dict[str, Any]) -> float | None:
    width = observed.get(BIN_WIDTH_KEY)
    if _is_number(width) and math.isfinite(width) and 0 < width <= MAX_BIN_WIDTH_GY:
        return float(width)
    return None


#: A check may file its error under the capability it was reading (the scaffold does):
#: the quantities of that capability are the ones it concerns.
CAPABILITY_PREFIXES = {"read-ct": "ct", "read-rtstruct": "rtstruct", "read-rtplan": "plan",
                       "read-rtdose": "dose", "dvh": "dvh"}


def stage_error(errors: dict, key: str) -> str | None:
    """The tool's error for the stage a key belongs to, matched by whole dotted parts:
    ``dvh.Sphere`` or ``Sphere`` for ``dvh.Sphere.D95_gy``, ``volume`` for
    ``rtstruct.roi.Sphere.volume_cc``, ``read-ct`` for ``ct.rows``; never ``ct`` for
    ``rtstruct.roi_count`` (a CT reader's crash says nothing of the structure set)."""
    parts = {*key.split("."), *re.split(r"[._]", key)}
    for stage, message in errors.items():
        stage = CAPABILITY_PREFIXES.get(str(stage), str(stage))
        if key == stage or key.startswith(stage + ".") or stage in parts:
            return error_summary(message)
    return None


def tolerance_for(check: Check, quantity: Quantity) -> Tolerance | None:
    """The manifest's tolerance for the key if it names one, else the truth's."""
    for pattern, tolerance in check.tolerances.items():
        if fnmatch.fnmatchcase(quantity.key, pattern):
            return tolerance
    return quantity.tolerance


def compare(key: str, observed: Any, quantity: Quantity, tolerance: Tolerance | None,
            context: Context = Context()) -> Verdict:
    """The verdict on one reported value."""
    plain = _compare_value(key, observed, quantity.value, tolerance, quantity.unit)
    if plain.passed:
        return plain
    if (step := context.display_step(key)) and _is_number(observed) and tolerance is not None:
        # a value read off a label rounded to ``step`` is known to half a step, no better:
        # allowed on top of the truth's tolerance, never more than a tenth of it
        allowance = _allowance(tolerance, quantity.value)
        shown = _compare_value(key, observed, quantity.value,
                               Tolerance(abs=allowance + min(step / 2, allowance / 10)), quantity.unit)
        if shown.passed:
            return Verdict(key, "pass", observed, quantity.value,
                           f"{plain.message}; within half the {step:g} {quantity.unit} step the tool displays it to",
                           tolerance=plain.tolerance, unit=quantity.unit, margin=shown.margin,
                           deviation=shown.deviation)
    declared = context.declared or {}
    for alternative in quantity.alternatives:
        # credited only when the manifest says, citing the tool, that it follows the
        # convention, and the tool's own other observations show it
        if alternative.name not in declared or not alternative.evidenced_by(context.observed or {}):
            continue
        alt = _compare_value(key, observed, alternative.value, alternative.tolerance, quantity.unit)
        if alt.passed:
            evidence = alternative.evidence(context.observed or {})
            return _as_convention(alt, alternative.name, quantity.value,
                                  f" (declared: {_show(declared[alternative.name], 120)[1:-1]}"
                                  + (f"; evidence: {evidence}" if evidence else "") + ")")
    if quantity.bin_convention and context.bin_width and _is_number(observed) and tolerance is not None:
        widened = Tolerance(abs=_allowance(tolerance, quantity.value) + context.bin_width * quantity.bin_share)
        binned = _compare_value(key, observed, quantity.value, widened, quantity.unit)
        if binned.passed:
            share = "half" if quantity.bin_share == 0.5 else "one"
            return _as_convention(binned, HISTOGRAM_BIN.name, quantity.value,
                                  f"; within {share} of the tool's {context.bin_width:g} Gy bin")
    return plain


def _as_convention(verdict: Verdict, name: str, truth_value: Any, extra: str = "") -> Verdict:
    """A pass under a named convention. Its margin is against the convention's value;
    its deviation is from the truth, as a reader compares the columns."""
    number, truth = _finite(verdict.observed), _finite(truth_value)
    deviation = (describe_deviation(number, truth, verdict.unit)
                 if number is not None and truth is not None else verdict.deviation)
    return Verdict(verdict.key, "convention", verdict.observed, truth_value,
                   f"{verdict.message} under convention {name}{extra}", convention=name,
                   tolerance=verdict.tolerance, unit=verdict.unit, margin=verdict.margin,
                   deviation=deviation)


def _compare_value(key: str, observed: Any, expected: Any, tolerance: Tolerance | None, unit: str) -> Verdict:
    described = describe_tolerance(tolerance, unit)
    if isinstance(expected, list):
        return _compare_lists(key, observed, expected, tolerance, unit)
    if isinstance(expected, bool):
        same = isinstance(observed, bool) and observed is expected
        return _exact(key, observed, expected, same, described, unit)
    if isinstance(expected, str):
        if not isinstance(observed, str):
            return _exact(key, observed, expected, False, described, unit)
        same = _normalise(observed) == _normalise(expected)
        synonym = None if same else synonym_of(key, _normalise(expected), _normalise(observed))
        verdict = _exact(key, observed, expected, same or synonym is not None, described, unit)
        if synonym is not None:
            verdict = Verdict(key, "pass", observed, expected,
                              f"{key} {_show(observed)} is a declared synonym of {_show(expected)}",
                              tolerance=described, unit=unit)
        return verdict
    if not _is_number(expected):
        return Verdict(key, "fail", observed, expected,
                       f"{key}: the expected value {_show(expected)} is not something the judge can compare",
                       tolerance=described, unit=unit)
    number = _finite(observed)
    if number is None:
        return Verdict(key, "fail", observed, expected,
                       f"{key} {_show(observed)} is not a finite number (expected {_fmt(expected)})",
                       tolerance=described, unit=unit)
    passed, deviation = _within(number, float(expected), tolerance, unit)
    shown_unit = f" {unit}" if unit and unit != "%" else ("%" if unit == "%" else "")
    return Verdict(key, "pass" if passed else "fail", observed, expected,
                   f"{key} {_fmt(observed)}{shown_unit} vs {_fmt(expected)}{shown_unit}"
                   f" ({deviation}, tolerance {described})", tolerance=described, unit=unit,
                   margin=margin(number, float(expected), tolerance), deviation=deviation)


def _exact(key: str, observed: Any, expected: Any, same: bool, described: str, unit: str) -> Verdict:
    return Verdict(key, "pass" if same else "fail", observed, expected,
                   f"{key} {_show(observed)} {'matches' if same else 'vs expected'} {_show(expected)}",
                   tolerance=described, unit=unit)


def _compare_lists(key: str, observed: Any, expected: list, tolerance: Tolerance | None, unit: str) -> Verdict:
    described = describe_tolerance(tolerance, unit)
    if not isinstance(observed, list) or len(observed) != len(expected):
        length = f" (length {len(observed)}, expected {len(expected)})" if isinstance(observed, list) else ""
        return Verdict(key, "fail", observed, expected, f"{key} {_show(observed)} vs expected {_show(expected)}{length}",
                       tolerance=described, unit=unit)
    items = [_compare_value(f"{key}[{index}]", got, want, tolerance, unit)
             for index, (got, want) in enumerate(zip(observed, expected))]
    wrong = [item for item in items if not item.passed]
    if wrong:
        # The element furthest out speaks for the list; the count says how many are out.
        item = max(wrong, key=lambda v: math.inf if v.margin is None else v.margin)
        count = f" ({len(wrong)} of {len(items)} elements wrong)" if len(wrong) > 1 else ""
        return Verdict(key, "fail", observed, expected, item.message + count, tolerance=described, unit=unit,
                       margin=item.margin, deviation=item.deviation)
    margins = [item.margin for item in items]
    worst = max((m for m in margins if m is not None), default=None)
    return Verdict(key, "pass", observed, expected, f"{key} {_show(observed)} matches {_show(expected)}",
                   tolerance=described, unit=unit, margin=worst)


def margin(observed: float, expected: float, tolerance: Tolerance | None) -> float:
    """How many tolerances away ``observed`` is: 1.0 at the edge; infinite when the
    tolerance is exact and the values differ."""
    diff = abs(observed - expected)
    allowed = _allowance(tolerance, expected)
    if allowed > 0:
        return diff / allowed
    return 0.0 if diff <= 1e-12 * max(1.0, abs(expected)) else math.inf


def _within(observed: float, expected: float, tolerance: Tolerance | None, unit: str) -> tuple[bool, str]:
    diff = observed - expected
    allowed = _allowance(tolerance, expected)
    passed = abs(diff) <= allowed + 1e-12 * max(1.0, abs(expected))
    return passed, describe_deviation(observed, expected, unit)


def describe_deviation(observed: float, expected: float, unit: str) -> str:
    """The deviation as a physicist reads it: ``-1.55 Gy (-2.2 %)`` for doses, ``-0.42 %``
    for volumes, ``+1.2 percentage points`` for V metrics, a plain difference otherwise;
    a value off by an order of magnitude or more as a factor, ``x 1e+05``."""
    diff = observed - expected
    if expected != 0 and observed != 0 and (abs(observed / expected) >= 10 or abs(observed / expected) <= 0.1):
        return f"x {observed / expected:.3g}"
    if unit == "cm3" and expected != 0:
        return f"{100 * diff / abs(expected):+.2f} %"
    if unit == "%":
        return f"{diff:+.2f} percentage points"
    if unit == "Gy" and expected != 0:
        return f"{diff:+.3g} Gy, {100 * diff / abs(expected):+.1f} %"
    return f"{diff:+.4g}" + (f" {unit}" if unit else "")


def describe_tolerance(tolerance: Tolerance | None, unit: str) -> str:
    if tolerance is None:
        return "exact"
    parts = []
    if tolerance.rel is not None:
        parts.append(f"{100 * tolerance.rel:g} %")
    if tolerance.abs is not None:
        shown = {"%": " percentage points", "": ""}.get(unit, f" {unit}")
        parts.append(f"{tolerance.abs:g}{shown}")
    return " or ".join(parts)


def _normalise(value: Any) -> Any:
    return value.rstrip(" \x00") if isinstance(value, str) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None (a bool, a string, NaN, infinity, an integer
    too large for a float are not numbers a tool can have measured)."""
    if not _is_number(value):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 24 else text[:21] + "..."


def _show(value: Any, limit: int = 80) -> str:
    try:
        text = json.dumps(value) if not isinstance(value, str) else repr(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
