"""Judging what a tool reported against a fixture set's truth.

Check programs only observe; every verdict is made here, under named tolerances, and
explains itself in one line (``dvh.Sphere.D95_gy 15.1 Gy vs 15.4 Gy (-1.9 %,
tolerance 3 %)``) so a reader of the report never has to re-run anything to see why.
"""

from __future__ import annotations

import fnmatch
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.manifest import Check, Tolerance

ERRORS_KEY = "_errors"


@dataclass(frozen=True)
class Quantity:
    """One value a correct reader must find, with how close it must come."""

    key: str
    value: Any
    tolerance: Tolerance | None
    unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    key: str
    passed: bool
    observed: Any
    expected: Any
    message: str


class TruthError(Exception):
    """A truth file that cannot be used (missing, corrupt, wrong schema)."""


def load_truth(set_dir: Path) -> dict[str, Quantity]:
    path = set_dir / "truth.json"
    try:
        data = json.loads(path.read_text())
        quantities = data["quantities"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TruthError(f"{path}: cannot read the truth: {exc}") from None
    return {key: Quantity(key, q["value"], Tolerance(**q["tolerance"]) if q.get("tolerance") else None,
                          q.get("unit", ""), q.get("note", ""))
            for key, q in quantities.items()}


def parse_observations(stdout: str) -> dict[str, Any] | None:
    """The last stdout line that is a JSON object; tools may print anything before it."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def judged_keys(check: Check, truth: dict[str, Quantity]) -> list[str]:
    return [key for key in truth if any(fnmatch.fnmatchcase(key, p) for p in check.judge)]


def expectations(check: Check) -> dict[str, Quantity]:
    """The check's own exact expectations, judged like truth quantities."""
    return {key: Quantity(key, value, None, "", "expected by the manifest") for key, value in check.expect.items()}


def judge(check: Check, truth: dict[str, Quantity], observed: dict[str, Any]) -> list[Verdict]:
    """One verdict per judged truth key and expectation; optional keys only if reported."""
    errors = observed.get(ERRORS_KEY) if isinstance(observed.get(ERRORS_KEY), dict) else {}
    quantities = {**{k: truth[k] for k in judged_keys(check, truth)}, **expectations(check)}
    verdicts = []
    for key, quantity in quantities.items():
        if key not in observed:
            if any(fnmatch.fnmatchcase(key, p) for p in check.optional):
                continue
            why = errors.get(key) or _stage_error(errors, key)
            verdicts.append(Verdict(key, False, None, quantity.value,
                                    f"{key} not reported" + (f": {why}" if why else "")))
            continue
        tolerance = _tolerance_for(check, quantity)
        verdicts.append(compare(key, observed[key], quantity, tolerance))
    return verdicts


def _stage_error(errors: dict, key: str) -> str | None:
    for stage, message in errors.items():
        if key.startswith(str(stage)) or str(stage) in key:
            lines = [line.strip() for line in str(message).splitlines() if line.strip()]
            return (lines[-1] if lines else "")[:300]
    return None


def _tolerance_for(check: Check, quantity: Quantity) -> Tolerance | None:
    for pattern, tolerance in check.tolerances.items():
        if fnmatch.fnmatchcase(quantity.key, pattern):
            return tolerance
    return quantity.tolerance


def compare(key: str, observed: Any, quantity: Quantity, tolerance: Tolerance | None) -> Verdict:
    expected = quantity.value
    if isinstance(expected, list):
        return _compare_lists(key, observed, quantity, tolerance)
    if isinstance(expected, bool) or isinstance(expected, str):
        same = _normalise(observed) == _normalise(expected)
        return Verdict(key, same, observed, expected,
                       f"{key} {_show(observed)} {'matches' if same else 'vs expected'} {_show(expected)}")
    if not _is_number(observed):
        return Verdict(key, False, observed, expected, f"{key} {_show(observed)} is not a number (expected {expected})")
    passed, deviation = _within(float(observed), float(expected), tolerance)
    unit = f" {quantity.unit}" if quantity.unit else ""
    return Verdict(key, passed, observed, expected,
                   f"{key} {_fmt(observed)}{unit} vs {_fmt(expected)}{unit}"
                   f" ({deviation}, tolerance {_describe_tolerance(tolerance)})")


def _compare_lists(key: str, observed: Any, quantity: Quantity, tolerance: Tolerance | None) -> Verdict:
    expected = quantity.value
    if not isinstance(observed, list) or len(observed) != len(expected):
        return Verdict(key, False, observed, expected, f"{key} {_show(observed)} vs expected {_show(expected)}")
    for index, (got, want) in enumerate(zip(observed, expected)):
        item = compare(f"{key}[{index}]", got, Quantity(key, want, tolerance, quantity.unit), tolerance)
        if not item.passed:
            return Verdict(key, False, observed, expected, item.message)
    return Verdict(key, True, observed, expected, f"{key} {_show(observed)} matches {_show(expected)}")


def _within(observed: float, expected: float, tolerance: Tolerance | None) -> tuple[bool, str]:
    if math.isnan(observed):
        return False, "NaN"
    diff = observed - expected
    allowed = 0.0
    if tolerance:
        allowed = max(tolerance.abs or 0.0, (tolerance.rel or 0.0) * abs(expected))
    passed = abs(diff) <= allowed + 1e-12 * max(1.0, abs(expected))
    if expected != 0 and tolerance and tolerance.rel is not None:
        return passed, f"{100 * diff / abs(expected):+.1f} %"
    return passed, f"{diff:+.4g}"


def _describe_tolerance(tolerance: Tolerance | None) -> str:
    if tolerance is None:
        return "exact"
    parts = []
    if tolerance.rel is not None:
        parts.append(f"{100 * tolerance.rel:g} %")
    if tolerance.abs is not None:
        parts.append(f"{tolerance.abs:g}")
    return " or ".join(parts)


def _normalise(value: Any) -> Any:
    return value.rstrip(" \x00") if isinstance(value, str) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _show(value: Any, limit: int = 80) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
