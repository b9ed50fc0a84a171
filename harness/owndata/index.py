"""Indexing a directory of DICOM files by their headers: what each file is and what it
references, by UID, never by file name.

Only the attributes grouping needs are parsed (``specific_tags``), pixel data is never
read, and long values (contour data) are deferred, so a directory of ten thousand CT
slices indexes in seconds (``benchmarks/index_data.py``). A file that is not DICOM, or
cannot be read, is counted and named, never fatal.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.tag import Tag

#: The top-level attributes grouping reads (sequences are read whole, their contents are small
#: except the DVH data, which is deferred).
HEADER_TAGS = [Tag(name) for name in (
    "SOPClassUID", "SOPInstanceUID", "Modality", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID",
    "ImagePositionPatient", "ImageOrientationPatient", "InstanceNumber", "Rows", "Columns", "NumberOfFrames",
    "ReferencedFrameOfReferenceSequence", "ReferencedStructureSetSequence", "ReferencedRTPlanSequence",
    "DoseSummationType", "StructureSetROISequence", "DVHSequence")]
#: Attributes that identify a patient, a person, a place or a study: never in a report of
#: own data (:mod:`harness.owndata.deidentify` removes every value read here from it).
IDENTIFYING = (
    "PatientName", "PatientID", "OtherPatientIDs", "PatientBirthDate", "PatientBirthName", "PatientMotherBirthName",
    "PatientAddress", "PatientTelephoneNumbers", "IssuerOfPatientID", "InstitutionName", "InstitutionAddress",
    "InstitutionalDepartmentName", "StationName", "OperatorsName", "ReferringPhysicianName",
    "PerformingPhysicianName", "PhysiciansOfRecord", "NameOfPhysiciansReadingStudy", "ReviewerName",
    "DeviceSerialNumber", "AccessionNumber", "StudyID", "StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate",
    "AcquisitionDateTime",
    "InstanceCreationDate", "StructureSetDate", "RTPlanDate", "ReviewDate", "StudyDescription", "SeriesDescription",
    "StructureSetLabel", "StructureSetName", "StructureSetDescription", "RTPlanLabel", "RTPlanName",
    "RTPlanDescription", "PrescriptionDescription", "ImageComments", "RequestingPhysician", "PatientComments")
HEADER_TAGS += [Tag(name) for name in IDENTIFYING]
#: What reading a damaged or unusual DICOM file raises (pydicom's own errors included).
READ_ERRORS = (InvalidDicomError, OSError, ValueError, TypeError, AttributeError, KeyError, IndexError, EOFError)
#: Values longer than this are read only when used (the DVH curves, never here).
DEFER_SIZE = 256


@dataclass(frozen=True)
class Instance:
    """One DICOM file, as far as grouping needs it."""

    path: Path
    modality: str
    sop_class: str
    sop_instance: str
    study: str = ""
    series: str = ""
    frame_of_reference: str = ""
    #: image position and orientation (CT slices), None elsewhere
    position: tuple[float, float, float] | None = None
    orientation: tuple[float, ...] | None = None
    instance_number: int | None = None
    #: the CT series and frames of reference a structure set says it was drawn on
    referenced_series: tuple[str, ...] = ()
    referenced_frames: tuple[str, ...] = ()
    #: the CT images a structure set lists as contoured on (Contour Image Sequence)
    referenced_images: tuple[str, ...] = ()
    #: the structure sets (a plan's, a dose's) and plans (a dose's) it references
    referenced_structure_sets: tuple[str, ...] = ()
    referenced_plans: tuple[str, ...] = ()
    #: an RT Dose's DoseSummationType (PLAN, BEAM, FRACTION, ...)
    summation: str = ""
    #: an RT Structure Set's ROI count; an RT Dose's DVH count
    roi_count: int = 0
    dvh_count: int = 0
    #: the values of its identifying attributes, its UIDs and ROI names (see IDENTIFYING)
    identifying: frozenset[str] = frozenset()
    roi_names: tuple[str, ...] = ()


@dataclass
class DataIndex:
    """Everything found under ``root``."""

    root: Path
    instances: list[Instance] = field(default_factory=list)
    #: files without a DICOM header (a README, a .zip, a DICOMDIR's neighbours)
    not_dicom: list[Path] = field(default_factory=list)
    #: files that looked like DICOM but could not be read: (path, why)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    #: a second file holding an SOP Instance UID already seen (the first one is used)
    duplicates: list[Path] = field(default_factory=list)

    @property
    def file_count(self) -> int:
        return len(self.instances) + len(self.not_dicom) + len(self.unreadable) + len(self.duplicates)


class DataDirError(Exception):
    """The directory to index is missing or not a directory."""


def walk_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root`` in a stable order; symbolic links to directories
    are not followed (an export tree with a link back to its parent must still end)."""
    for directory, subdirs, files in os.walk(root, followlinks=False):
        subdirs.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file():
                yield path


def index_directory(root: Path, progress: Callable[[int], None] | None = None) -> DataIndex:
    """The index of every file under ``root``; ``progress`` is called with the count read."""
    root = Path(root)
    if not root.exists():
        raise DataDirError(f"{root}: no such directory")
    if not root.is_dir():
        raise DataDirError(f"{root}: not a directory")
    index = DataIndex(root=root.resolve())
    seen: set[str] = set()
    for count, path in enumerate(walk_files(root), start=1):
        if path.name == "DICOMDIR":
            index.not_dicom.append(path)
            continue
        read = read_instance(path)
        if isinstance(read, Instance):
            if read.sop_instance in seen:
                index.duplicates.append(path)
            else:
                seen.add(read.sop_instance)
                index.instances.append(read)
        elif read is None:
            index.not_dicom.append(path)
        else:
            index.unreadable.append((path, read))
        if progress is not None and count % 500 == 0:
            progress(count)
    return index


def read_instance(path: Path) -> Instance | str | None:
    """The file's :class:`Instance`; None when it is not DICOM; a one-line reason when it
    claims to be DICOM but cannot be read (truncated, no SOP Instance UID)."""
    try:
        with open(path, "rb") as handle, warnings.catch_warnings():
            # An export's invalid values (a UID with leading zeros) are the tools' concern, not the index's.
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(handle, stop_before_pixels=True, specific_tags=HEADER_TAGS,
                                 defer_size=DEFER_SIZE)
            return _instance(path, ds)
    except InvalidDicomError:
        return None
    except (OSError, ValueError, TypeError, AttributeError, KeyError, IndexError, EOFError) as exc:
        return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def _instance(path: Path, ds) -> Instance | str:
    sop_instance = _text(ds, "SOPInstanceUID")
    if not sop_instance:
        return "no SOP Instance UID"
    modality = _text(ds, "Modality").upper()
    return Instance(
        path=path.resolve(), modality=modality, sop_class=_text(ds, "SOPClassUID"), sop_instance=sop_instance,
        study=_text(ds, "StudyInstanceUID"), series=_text(ds, "SeriesInstanceUID"),
        frame_of_reference=_text(ds, "FrameOfReferenceUID"),
        position=_floats(ds, "ImagePositionPatient", 3), orientation=_floats(ds, "ImageOrientationPatient", 6),
        instance_number=_int(ds, "InstanceNumber"),
        referenced_series=tuple(_referenced_series(ds)),
        referenced_images=tuple(_referenced_images(ds)),
        referenced_frames=tuple(_uids(ds.get("ReferencedFrameOfReferenceSequence"), "FrameOfReferenceUID")),
        referenced_structure_sets=tuple(_uids(ds.get("ReferencedStructureSetSequence"), "ReferencedSOPInstanceUID")),
        referenced_plans=tuple(_uids(ds.get("ReferencedRTPlanSequence"), "ReferencedSOPInstanceUID")),
        summation=_text(ds, "DoseSummationType").upper(),
        roi_count=len(ds.get("StructureSetROISequence") or []),
        dvh_count=len(ds.get("DVHSequence") or []),
        identifying=frozenset(_identifying(ds)),
        roi_names=tuple(str(r.get("ROIName", "")) for r in ds.get("StructureSetROISequence") or []),
    )


def _identifying(ds) -> set[str]:
    found = set()
    for keyword in IDENTIFYING:
        element = ds.get(keyword)
        for value in element if isinstance(element, (list, tuple, pydicom.multival.MultiValue)) else [element]:
            if value is not None and str(value).strip():
                found.add(str(value).strip())
    for keyword in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
        if ds.get(keyword):
            found.add(str(ds.get(keyword)).strip())
    return found


def _text(ds, keyword: str) -> str:
    value = ds.get(keyword)
    return str(value).strip() if value is not None else ""


def _floats(ds, keyword: str, count: int) -> tuple[float, ...] | None:
    value = ds.get(keyword)
    try:
        numbers = tuple(float(v) for v in value) if value is not None else ()
    except (TypeError, ValueError):
        return None
    return numbers if len(numbers) == count else None


def _int(ds, keyword: str) -> int | None:
    try:
        return int(ds.get(keyword))
    except (TypeError, ValueError):
        return None


def _uids(sequence, keyword: str) -> list[str]:
    return [str(item.get(keyword)).strip() for item in sequence or [] if item.get(keyword)]


def _referenced_series(ds) -> list[str]:
    """The CT series a structure set references (Referenced Frame of Reference > RT
    Referenced Study > RT Referenced Series)."""
    found = []
    for frame in ds.get("ReferencedFrameOfReferenceSequence") or []:
        for study in frame.get("RTReferencedStudySequence") or []:
            found += _uids(study.get("RTReferencedSeriesSequence"), "SeriesInstanceUID")
    return found


def _referenced_images(ds) -> list[str]:
    found = []
    for frame in ds.get("ReferencedFrameOfReferenceSequence") or []:
        for study in frame.get("RTReferencedStudySequence") or []:
            for series in study.get("RTReferencedSeriesSequence") or []:
                found += _uids(series.get("ContourImageSequence"), "ReferencedSOPInstanceUID")
    return found
