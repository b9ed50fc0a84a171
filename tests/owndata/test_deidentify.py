"""What counts as the patient's identity in text a tool or the harness wrote, and what
must stay readable (the report's numbers and words)."""

from __future__ import annotations

import pytest

from harness.owndata.deidentify import REDACTED, Deidentifier

IDENTITY = ["KOWALSKI^ANNA^MARIA", "PID7730219", "20231105", "St Aldhelm Cancer Centre", "1.2.826.0.1.3680043.10.5",
            "RT Dose", "7", "123"]


@pytest.mark.parametrize("text", [
    "KOWALSKI^ANNA^MARIA", "Kowalski, Anna", "anna maria kowalski", "KOWALSKI ANNA MARIA", "id PID7730219",
    "2023-11-05", "05.11.2023", "2023/11/05", "at 20231105143000", "20231105143000.25", "st aldhelm cancer centre",
    "uid 1.2.826.0.1.3680043.10.5",
])
def test_every_spelling_of_the_identity_is_redacted(text):
    cleaned = Deidentifier(IDENTITY).text(text)
    assert REDACTED in cleaned
    assert not any(part in cleaned.casefold() for part in ("kowalski", "anna", "maria", "7730219", "2023", "aldhelm",
                                                           "3680043"))


@pytest.mark.parametrize("text", [
    "dose.max_gy 70.0 Gy vs 72.1 Gy", "120231105", "1.2.826.0.1.3680043.10.55", "RT Dose (PLAN)", "7 of 12 differ",
    "ROI 123 is", "Annapurna", "mariachi",
])
def test_the_reports_own_numbers_and_words_stay(text):
    assert Deidentifier(IDENTITY).text(text) == text


def test_roi_names_become_labels_and_data_keeps_its_field_names():
    scrub = Deidentifier(IDENTITY, {"PTV Kowalski": "ROI-2", "Bladder": "ROI-3"})
    cleaned = scrub.data({"reason": "dvh.PTV Kowalski.D95_gy and Bladder", "anna": ["Anna", 7]})
    assert cleaned == {"reason": "dvh.ROI-2.D95_gy and ROI-3", "anna": [REDACTED, 7]}


def test_a_value_left_in_text_is_found_without_repeating_it():
    scrub = Deidentifier(IDENTITY)
    assert scrub.leaks_in("all clear") == []
    assert scrub.leaks_in("x KOWALSKI") == ["an identifying value at offset 2"]


HOSTILE = ["Dose^Max", "CERR", "RTCOMPAT^Reference", "Smith^Jane"]
PROTECTED = {"cerr", "CERR", "pycerr", "matrad", "dose.max_gy", "dvh.ROI-1.max_gy"}


@pytest.mark.parametrize("text", [
    "dose.max_gy 70 Gy vs 72 Gy", "cerr read-rtdose: FAIL", "matRad (CERR-based) on Octave",
    "dvh.ROI-1.max_gy not reported", "the vendor reference", "tool said: max dose",
])
def test_hostile_names_never_take_a_tool_a_key_or_a_word_of_the_report(text):
    assert Deidentifier(HOSTILE, protected=PROTECTED).text(text) == text


@pytest.mark.parametrize("text", ["Patient Dose Max", "DOSE^MAX", "Jane Smith.", "SMITH^JANE", "at /data/SMITH_JANE/"])
def test_hostile_names_are_still_redacted_where_they_name_the_patient(text):
    cleaned = Deidentifier(HOSTILE, protected=PROTECTED).text(text)
    assert REDACTED in cleaned and "smith" not in cleaned.casefold()


def test_fields_the_harness_names_are_never_redacted_only_relabelled():
    scrub = Deidentifier(HOSTILE, {"Smith PTV": "ROI-1"}, protected=PROTECTED)
    cleaned = scrub.data({"key": "dvh.Smith PTV.max_gy", "tool": "cerr", "name": "CERR",
                          "reason": "CERR crashed on Dose^Max"})
    assert cleaned == {"key": "dvh.ROI-1.max_gy", "tool": "cerr", "name": "CERR",
                       "reason": f"CERR crashed on {REDACTED}"}
