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
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


def variants(value: str) -> set[str]:
    """The spellings of one identifying value a tool may print."""
    value = value.strip()
    found = {value}
    if "^" in value or "=" in value:
        found |= {part for part in re.split(r"[\^= ,]+", value) if part}
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

    def __init__(self, identifying: Iterable[str], roi_labels: dict[str, str] | None = None):
        spellings = sorted({v for value in identifying for v in variants(value)}, key=lambda v: (-len(v), v))
        # A date also hides at the head of a date-time (20231105143000): it may be followed by a time.
        self._pattern = _token_pattern(spellings, re.IGNORECASE, tail=r"(?:(?<=\d{8})\d{4,6}(?:\.\d+)?)?")
        labels = {name: label for name, label in (roi_labels or {}).items() if name.strip() and name != label}
        self.roi_labels = labels
        self._roi_pattern = _token_pattern(sorted(labels, key=lambda v: (-len(v), v)), 0)

    def text(self, value: str) -> str:
        if self._roi_pattern is not None:
            value = self._roi_pattern.sub(lambda m: self.roi_labels[m.group(0)], value)
        if self._pattern is not None:
            value = self._pattern.sub(REDACTED, value)
        return value

    def data(self, value: Any) -> Any:
        """``value`` with every string passed through :meth:`text`; mapping keys are the
        model's field names and stay as they are."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    def leaks_in(self, text: str) -> list[str]:
        """Where an identifying value still stands in ``text`` (by offset: the message
        must not repeat the value)."""
        if self._pattern is None:
            return []
        return [f"an identifying value at offset {match.start()}" for match in self._pattern.finditer(text)][:5]


def _token_pattern(alternatives: list[str], flags: int, tail: str = "") -> re.Pattern | None:
    """One alternation matching any of ``alternatives`` as a whole token (not inside a
    longer word or number), optionally followed by ``tail``."""
    if not alternatives:
        return None
    body = "|".join(re.escape(a) for a in alternatives)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body}){tail}(?![A-Za-z0-9])", flags)
