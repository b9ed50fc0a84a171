"""Keeping the patient out of every file a run of own data writes.

Every identifying value the index read (names, IDs, dates, places, descriptions, UIDs;
see :data:`harness.owndata.index.IDENTIFYING`) is replaced by ``[redacted]`` wherever it
appears in the output, whoever put it there: a tool that prints the patient's name in
its observations or its error output is redacted like our own text. A person's name is
also matched by its parts (``DOE^JANE`` as ``Doe``, ``Jane``) and a date in its usual
spellings (``20240102``, ``2024-01-02``, ``02.01.2024``). ROI names, which are the
user's free text, become ``ROI-<number>`` unless the user keeps them.

Values too short to tell from the numbers a report is made of (an ID ``7``) cannot be
matched safely; the attributes they come from are never reported in the first place.
Before anything is written, :meth:`Deidentifier.leaks_in` searches the rendered text
again, and the run refuses to write a file where any identifying value is still there.

Redaction goes by structure, not by substring. What the harness names (quantity keys,
tool ids and names, capabilities, units, rules: :data:`HARNESS_FIELDS`) is never
redacted, and in free text neither is a tool's name or a quantity key, nor a part of a
person's name that is a word of the report's own (a patient called ``Dose^Max`` must
not turn ``dose.max_gy`` into ``dose.[redacted]_gy``, which would tell the reader the
name); the whole name is still matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

REDACTED = "[redacted]"
#: Shorter values are not matched (they cannot be told from numbers and words of the report).
MIN_LENGTH = 3
#: Digit-only values shorter than this are not matched either (a dose of 70 is not ID 70).
MIN_DIGITS = 6
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{6}(\.\d+)?)?$")


#: Values that name a kind of object, not a person or place: exporters write them as
#: series descriptions ("RT Dose"), and they are the report's own vocabulary.
HARMLESS = frozenset(v.casefold() for v in (
    "CT", "RT Dose", "RT Plan", "RT Ion Plan", "RT Structure Set", "RT Image", "RTDOSE", "RTPLAN", "RTSTRUCT",
    "RTIMAGE", "RTRECORD", "Dose", "Plan", "Structure Set", "Structures", "Planning CT"))


#: Fields of an own-data report the harness writes from its own vocabulary: quantity
#: keys (ROI names in them are relabelled, never redacted), tool ids and names, statuses.
HARNESS_FIELDS = frozenset({"key", "tool", "check", "capability", "status", "source", "unit", "tolerance", "rule",
                            "deviation", "convention", "name", "version", "install", "harness_version", "started",
                            "finished", "label", "probes", "kind", "schema_version", "agreeing", "spread"})


@lru_cache(maxsize=1)
def report_words() -> frozenset[str]:
    """Every word (three letters or more) the harness's own code writes: the report's
    vocabulary, which a part of a person's name must not take away from it."""
    words: set[str] = set()
    for package in ("harness.owndata", "harness.judging", "harness.report"):
        for entry in resources.files(package).iterdir():
            if entry.name.endswith((".py", ".j2", ".yaml")) and entry.name != "deidentify.py":  # its examples
                words |= {w.casefold() for w in re.findall(r"[A-Za-z]{3,}", entry.read_text(errors="replace"))}
    return frozenset(words)


def variants(value: str) -> set[str]:
    """The spellings of one identifying value a tool may print. A part of a person's
    name that is one of the report's own words is not matched alone."""
    value = value.strip()
    found = {value}
    if "^" in value or "=" in value:
        found |= {part for part in re.split(r"[\^= ,]+", value) if part and part.casefold() not in report_words()}
        found.add(" ".join(part for part in re.split(r"[\^=]+", value) if part))
    if match := _DATE.match(value):
        year, month, day = match.groups()[:3]
        found |= {f"{year}{month}{day}", f"{year}-{month}-{day}", f"{year}/{month}/{day}", f"{day}.{month}.{year}", f"{day}/{month}/{year}"}
    return {v for v in found if _matchable(v)}


def _matchable(value: str) -> bool:
    if len(value) < MIN_LENGTH or value.casefold() in HARMLESS:
        return False
    return not (value.isdigit() and len(value) < MIN_DIGITS)


class Deidentifier:
    """Replaces identifying values, and ROI names by their labels, in text and data."""

    def __init__(self, identifying: Iterable[str], roi_labels: dict[str, str] | None = None,
                 protected: Iterable[str] = ()):
        spellings = sorted({v for value in identifying for v in variants(value)}, key=lambda v: (-len(v), v))
        # A date also hides at the head of a date-time (20231105143000): it may be followed by a time.
        self._pattern = _token_pattern(spellings, re.IGNORECASE, tail=r"(?:(?<=\d{8})\d{4,6}(?:\.\d+)?)?")
        labels = {name: label for name, label in (roi_labels or {}).items() if name.strip() and name != label}
        self.roi_labels = labels
        self._roi_pattern = _token_pattern(sorted(labels, key=lambda v: (-len(v), v)), 0)
        #: tool ids and names, quantity keys: never redacted where free text names them
        self._protected = _token_pattern(sorted({p for p in protected if len(p) >= MIN_LENGTH},
                                                key=lambda v: (-len(v), v)), re.IGNORECASE)

    def text(self, value: str) -> str:
        if self._roi_pattern is not None:
            value = self._roi_pattern.sub(lambda m: self.roi_labels[m.group(0)], value)
        if self._pattern is not None:
            kept = self._protected_spans(value)
            value = self._pattern.sub(lambda m: m.group(0) if _inside(m.span(), kept) else REDACTED, value)
        return value

    def relabel(self, value: str) -> str:
        """ROI names replaced by their labels, nothing else (a quantity key)."""
        return self._roi_pattern.sub(lambda m: self.roi_labels[m.group(0)], value) if self._roi_pattern else value

    def data(self, value: Any, field: str | None = None) -> Any:
        """``value`` with every string passed through :meth:`text`, except the fields the
        harness names from its own vocabulary (:data:`HARNESS_FIELDS`: ROI names in them
        are relabelled, nothing is redacted); mapping keys are field names and stay."""
        if isinstance(value, str):
            return self.relabel(value) if field in HARNESS_FIELDS else self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v, field) for v in value]
        return value

    def leaks_in(self, text: str) -> list[str]:
        """Where an identifying value still stands in ``text`` (by offset: the message
        must not repeat the value)."""
        if self._pattern is None:
            return []
        kept = self._protected_spans(text)
        return [f"an identifying value at offset {match.start()}" for match in self._pattern.finditer(text)
                if not _inside(match.span(), kept)][:5]

    def _protected_spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in self._protected.finditer(text)] if self._protected is not None else []


def free_text(value: Any, field: str | None = None) -> list[str]:
    """The strings of a report's data that :meth:`Deidentifier.data` redacts (the leak
    check reads these: the harness's own fields hold no patient's data)."""
    if isinstance(value, str):
        return [] if field in HARNESS_FIELDS else [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in free_text(v, k)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in free_text(v, field)]
    return []


def _inside(span: tuple[int, int], protected: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in protected)


def _token_pattern(alternatives: list[str], flags: int, tail: str = "") -> re.Pattern | None:
    """One alternation matching any of ``alternatives`` as a whole token (not inside a
    longer word or number; ``_`` separates, as in a directory named ``DOE_JANE``),
    optionally followed by ``tail``."""
    if not alternatives:
        return None
    body = "|".join(re.escape(a) for a in alternatives)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body}){tail}(?![A-Za-z0-9])", flags)
