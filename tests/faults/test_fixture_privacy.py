"""The committed fixtures carry no real patient data.

Every file under ``fixtures/`` is walked: DICOM files (by pydicom) may hold only the
synthetic identities below, no private tags and no other person names; every other
file may name a person only as one of those identities. The scanner itself is shown
to catch a realistic name, a private tag and a birth date injected into a copy.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pydicom
import pytest
from pydicom.errors import InvalidDicomError

from harness.fixtures.export_variants import LATIN1_PATIENT, UTF8_PATIENT

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# the reference's, and the same name in Latin-1 and in UTF-8 (the character-set sets)
SYNTHETIC_NAMES = {"", "RTCOMPAT^Reference", LATIN1_PATIENT, UTF8_PATIENT}
# Attributes that identify a patient, a person or a site, and the values allowed in them.
IDENTIFYING = {
    "PatientName": lambda v: str(v) in SYNTHETIC_NAMES,
    "PatientID": lambda v: str(v).startswith("RTCOMPAT-"),
    "OtherPatientIDs": lambda v: not v, "OtherPatientNames": lambda v: not v,
    "OtherPatientIDsSequence": lambda v: not v, "PatientBirthName": lambda v: not v,
    "PatientMotherBirthName": lambda v: not v, "PatientBirthDate": lambda v: not v,
    "PatientBirthTime": lambda v: not v, "PatientAddress": lambda v: not v,
    "PatientTelephoneNumbers": lambda v: not v, "IssuerOfPatientID": lambda v: not v,
    "MedicalRecordLocator": lambda v: not v, "PatientAge": lambda v: not v,
    "ReferringPhysicianName": lambda v: not v, "PerformingPhysicianName": lambda v: not v,
    "NameOfPhysiciansReadingStudy": lambda v: not v, "PhysiciansOfRecord": lambda v: not v,
    "OperatorsName": lambda v: not v, "InstitutionName": lambda v: v == "rtcompat synthetic data",
    "InstitutionAddress": lambda v: not v, "InstitutionalDepartmentName": lambda v: not v,
    "StationName": lambda v: v == "RTCOMPAT", "DeviceSerialNumber": lambda v: not v,
}
NUMERIC_VRS = {"DS", "IS", "FL", "FD", "US", "SS", "UL", "SL", "AT", "OB", "OW", "OF", "OD", "OL", "UV", "SV"}
PERSON_NAME = re.compile(r"\b[A-Z][A-Za-z'-]+\^[A-Z][A-Za-z'-]*")


def privacy_problems(root: Path) -> list[str]:
    """Every trace of possibly real personal data under ``root``."""
    problems = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:  # a .dcm may be a bare data set (no-file-meta): read it as one
            dataset = pydicom.dcmread(path, force=path.suffix == ".dcm")
        except (InvalidDicomError, OSError):
            problems += [f"{path}: {m}" for m in _text_problems(path.read_bytes())]
            continue
        problems += [f"{path}: {m}" for m in _dicom_problems(dataset)]
    return problems


def _dicom_problems(dataset: pydicom.Dataset) -> list[str]:
    problems = []
    for tag, vr, value in _elements(dataset):
        name = pydicom.datadict.keyword_for_tag(tag) or str(tag)
        if tag.is_private:
            problems.append(f"private tag {tag}")
        elif name in IDENTIFYING and not IDENTIFYING[name](value):
            problems.append(f"{name} = {value!r} is not synthetic")
        elif vr == "PN" and str(value or "") not in SYNTHETIC_NAMES:
            problems.append(f"person name {name} = {value!r}")
    return problems


def _elements(dataset: pydicom.Dataset):
    """(tag, VR, value) of every element, nested ones too; numbers are not decoded
    (the contour and dose data would cost seconds and cannot hold a name)."""
    for tag in dataset.keys():
        raw = dataset.get_item(tag)
        if raw.VR == "SQ":
            yield tag, "SQ", dataset[tag].value
            for item in dataset[tag].value:
                yield from _elements(item)
        elif raw.VR in NUMERIC_VRS:
            yield tag, raw.VR, None
        else:
            yield tag, raw.VR, dataset[tag].value


def _text_problems(content: bytes) -> list[str]:
    text = content.decode("utf-8", errors="replace")
    problems = [f"person name {m!r}" for m in PERSON_NAME.findall(text)
                if m not in SYNTHETIC_NAMES and not m.startswith("RTCOMPAT^")]  # the synthetic family
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    for where, value in _identity_values(document):
        if "RTCOMPAT" not in value:
            problems.append(f"{where} = {value!r} is not synthetic")
    return problems


def _identity_values(node, where: str = ""):
    """String values a JSON document files under a patient name or id (``set.patient_name.value``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _identity_values(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for value in node:
            yield from _identity_values(value, where)
    elif isinstance(node, str) and re.search(r"patient_?(name|id)(\.value)?$", where, re.I):
        yield where, node


def test_the_committed_fixtures_hold_only_synthetic_identities():
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    assert len(files) > 60, f"expected the reference set under {FIXTURES}"
    assert privacy_problems(FIXTURES) == []


@pytest.mark.parametrize("inject", ["name", "private tag", "birth date", "nested person", "text file"])
def test_the_scan_catches_realistic_data_injected_into_a_copy(tmp_path, inject):
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    ct = copy / "dicom" / "reference" / "CT_1.dcm"
    dataset = pydicom.dcmread(ct)
    if inject == "name":
        dataset.PatientName = "Smith^John"
    elif inject == "private tag":
        dataset.add_new(0x00091010, "LO", "site data")
    elif inject == "birth date":
        dataset.PatientBirthDate = "19580312"
    elif inject == "nested person":
        plan = copy / "dicom" / "reference" / "RP.dcm"
        dataset = pydicom.dcmread(plan)
        dataset.BeamSequence[0].add_new(0x0008_1070, "PN", "Doe^Jane")  # OperatorsName inside a beam
        ct = plan
    else:
        truth = copy / "dicom" / "reference" / "truth.json"
        data = json.loads(truth.read_text())
        data["quantities"]["set.patient_name"]["value"] = "Mustermann^Erika"
        truth.write_text(json.dumps(data))
    dataset.save_as(ct)
    assert privacy_problems(copy), f"the scan missed an injected {inject}"
