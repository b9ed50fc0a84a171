"""A real-looking export of a planning system, made from a committed fixture set.

Every identifying attribute gets a realistic value (a patient's name, ID and birth
date, an institution, a station, operators, dates, descriptions), every UID is replaced
(references stay consistent), files get the names and folders an export uses (the
patient's name in the folder), and the RT Dose can carry a DVH Sequence built from the
set's analytic curves: the "planning system's own DVHs". The truth stays with the test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dicom"

IDENTITY = {
    "PatientName": "KOWALSKI^ANNA^MARIA", "PatientID": "PID7730219", "PatientBirthDate": "19610314",
    "InstitutionName": "St Aldhelm Cancer Centre", "StationName": "ECLWS07", "OperatorsName": "NGUYEN^THANH",
    "ReferringPhysicianName": "MBEKI^SIPHO", "AccessionNumber": "ACC23110577", "StudyID": "STU8841",
    "StudyDescription": "Pelvis IMRT boost", "SeriesDescription": "Planning CT 2mm",
}
DATES = ("StudyDate", "SeriesDate", "ContentDate", "InstanceCreationDate", "StructureSetDate", "RTPlanDate")
STUDY_DATE = "20231105"
PLAN_LABEL, STRUCTURE_SET_LABEL = "ANNA PELVIS", "KOWALSKI RS"
UID_ROOT = "1.2.826.0.1.3680043.10.5432."
#: What no output file may contain (checked case-insensitively).
IDENTIFYING = [*IDENTITY.values(), "KOWALSKI", "ANNA", "MARIA", "NGUYEN", "MBEKI", "SIPHO", STUDY_DATE,
               "2023-11-05", "19610314", "1961-03-14", PLAN_LABEL, STRUCTURE_SET_LABEL]


def make_export(source_set: str, target: Path, *, vendor_dvh: bool = True, bin_gy: float = 0.1) -> list[str]:
    """Write the export under ``target``; returns the UIDs it holds (none may be reported)."""
    source = FIXTURES / source_set
    truth = json.loads((source / "truth.json").read_text())
    mapping: dict[str, str] = {}
    folder = target / "KOWALSKI_ANNA_PID7730219"
    for path in sorted(source.glob("*.dcm")):
        ds = pydicom.dcmread(path)
        _reidentify(ds, mapping)
        if vendor_dvh and ds.Modality == "RTDOSE":
            _add_dvhs(ds, truth, source / "RS.dcm", bin_gy)
        name = f"{ds.Modality}.{ds.SOPInstanceUID}.dcm"
        out = folder / ("CT" if ds.Modality == "CT" else "RT") / name
        out.parent.mkdir(parents=True, exist_ok=True)
        ds.save_as(out, enforce_file_format=True)
    (folder / "export-log.txt").write_text(f"Exported {IDENTITY['PatientName']} on {STUDY_DATE}\n")
    return sorted(mapping.values())


def _reidentify(ds: Dataset, mapping: dict[str, str]) -> None:
    for keyword, value in IDENTITY.items():
        setattr(ds, keyword, value)
    for keyword in DATES:
        if keyword in ds:
            setattr(ds, keyword, STUDY_DATE)
    if "RTPlanLabel" in ds:
        ds.RTPlanLabel = PLAN_LABEL
    if "StructureSetLabel" in ds:
        ds.StructureSetLabel = STRUCTURE_SET_LABEL

    def remap(dataset: Dataset) -> None:
        for element in dataset:
            if element.VR == "SQ":
                for item in element.value:
                    remap(item)
            elif element.VR == "UI" and element.keyword not in ("SOPClassUID", "ReferencedSOPClassUID",
                                                                 "TransferSyntaxUID", "ImplementationClassUID",
                                                                 "MediaStorageSOPClassUID"):
                old = str(element.value)
                if old not in mapping:
                    mapping[old] = f"{UID_ROOT}{len(mapping) + 1}"
                element.value = mapping[old]

    remap(ds)
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID


def _add_dvhs(ds: Dataset, truth: dict, rs_path: Path, bin_gy: float) -> None:
    """Cumulative DVHs in cm3 from the set's analytic curves, as a planning system writes them."""
    rs = pydicom.dcmread(rs_path, stop_before_pixels=True)
    numbers = {str(r.ROIName): int(r.ROINumber) for r in rs.StructureSetROISequence}
    items = []
    for roi, curve in (truth.get("curves") or {}).items():
        volume = truth["quantities"].get(f"dvh.{roi}.volume_cc") or truth["quantities"][f"rtstruct.roi.{roi}.volume_cc"]
        points = np.asarray(curve, dtype=float)
        edges = np.arange(0.0, points[-1, 0] + bin_gy, bin_gy)
        percent = np.interp(edges, points[:, 0], points[:, 1], left=100.0, right=0.0)
        item = Dataset()
        item.DVHReferencedROISequence = Sequence([Dataset()])
        item.DVHReferencedROISequence[0].ReferencedROINumber = numbers[roi]
        item.DVHReferencedROISequence[0].DVHROIContributionType = "INCLUDED"
        item.DVHType, item.DoseUnits, item.DoseType, item.DVHDoseScaling = "CUMULATIVE", "GY", "PHYSICAL", 1.0
        item.DVHVolumeUnits, item.DVHNumberOfBins = "CM3", len(edges)
        item.DVHData = [round(float(x), 6) for pair in zip([bin_gy] * len(edges), percent / 100 * volume["value"])
                        for x in pair]
        items.append(item)
    ds.DVHSequence = Sequence(items)


def copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target)
