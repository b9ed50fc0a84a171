"""Indexing a directory of DICOM files by their headers: what each file is and what it
references, by UID, never by file name.

Only the attributes grouping needs are parsed (``specific_tags``), pixel data is never
read, and long values (contour data) are deferred, so a directory of ten thousand CT
slices indexes in seconds (``benchmarks/index_data.py``). Every file is accounted for,
by name and reason, never fatal: used; a duplicate of another file (same SOP Instance
UID, same bytes); a conflicting duplicate (same UID, other content: which one was used
is said); truncated (pixel data shorter than its header declares); not DICOM;
unreadable. Files written without the 128-byte preamble and file meta information (as
some planning systems write RT Plans) are read, and said so.
"""

from __future__ import annotations

import dataclasses
import filecmp
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
    "DoseSummationType", "StructureSetROISequence", "DVHSequence", "BitsAllocated", "SamplesPerPixel",
    "PixelData")]
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
    #: False for a file without the 128-byte preamble and file meta information
    preamble: bool = True


@dataclass
class DataIndex:
    """Everything found under ``root``."""

    root: Path
    instances: list[Instance] = field(default_factory=list)
    #: files without a DICOM header (a README, a .zip, a DICOMDIR's neighbours)
    not_dicom: list[Path] = field(default_factory=list)
    #: files that looked like DICOM but could not be read: (path, why)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    #: a second file holding an SOP Instance UID already seen, byte for byte the same
    #: (the first one is used): (path, the file used)
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)
    #: a second file holding an SOP Instance UID already seen, with other content: (path,
    #: the file used); two versions of one object, and only one can be tested
    conflicts: list[tuple[Path, Path]] = field(default_factory=list)
    #: DICOM files whose pixel data is shorter than their header declares: (path, why)
    truncated: list[tuple[Path, str]] = field(default_factory=list)
    #: used files that had no preamble and file meta information (read all the same)
    without_preamble: list[Path] = field(default_factory=list)

    @property
    def file_count(self) -> int:
        return (len(self.instances) + len(self.not_dicom) + len(self.unreadable) + len(self.duplicates)
                + len(self.conflicts) + len(self.truncated))

    def accounts(self, name=lambda path: path.name) -> list[str]:
        """One line per file that is not simply used: what it is and why it was left out
        (``name`` shows a path; by default its file name only, as directories often
        carry the patient's name)."""
        lines = [f"{name(p)}: not DICOM" for p in self.not_dicom]
        lines += [f"{name(p)}: unreadable: {why}" for p, why in self.unreadable]
        lines += [f"{name(p)}: truncated: {why}; left out" for p, why in self.truncated]
        def other(path: Path, used: Path) -> str:  # two files of one name in two directories
            return name(used) if name(used) != name(path) else f"the {name(used)} in another directory"

        lines += [f"{name(p)}: duplicate of {other(p, used)} (same SOP Instance UID, same bytes)"
                  for p, used in self.duplicates]
        lines += [f"{name(p)}: same SOP Instance UID as {other(p, used)} but other content; that one was used"
                  for p, used in self.conflicts]
        lines += [f"{name(p)}: no DICOM preamble or file meta information; read all the same"
                  for p in self.without_preamble]
        return lines


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
    seen: dict[str, Path] = {}
    for count, path in enumerate(walk_files(root), start=1):
        if path.name == "DICOMDIR":
            index.not_dicom.append(path)
            continue
        read = read_instance(path)
        if isinstance(read, Instance):
            first = seen.get(read.sop_instance)
            if first is not None:
                (index.duplicates if _same_bytes(first, path) else index.conflicts).append((path, first))
            else:
                seen[read.sop_instance] = path
                index.instances.append(read)
                if not read.preamble:
                    index.without_preamble.append(path)
        elif read is None:
            index.not_dicom.append(path)
        elif isinstance(read, Truncated):
            index.truncated.append((path, read.why))
        else:
            index.unreadable.append((path, read))
        if progress is not None and count % 500 == 0:
            progress(count)
    return index


@dataclass(frozen=True)
class Truncated:
    """A DICOM file cut short: its pixel data ends before its header says it does."""

    why: str


def read_instance(path: Path) -> Instance | Truncated | str | None:
    """The file's :class:`Instance`; None when it is not DICOM; :class:`Truncated` when its
    pixel data is cut short; a one-line reason when it claims to be DICOM but cannot be
    read (no SOP Instance UID). A file without the preamble and file meta information is
    read when it still parses as a dataset with SOP Class and Instance UIDs."""
    preamble = True
    try:
        ds = _read(path, force=False)
    except InvalidDicomError:
        preamble = False
        try:
            ds = _read(path, force=True)
        except READ_ERRORS:
            return None
        if not _looks_like_uid(_text(ds, "SOPClassUID")) or not _text(ds, "SOPInstanceUID"):
            return None
    except (OSError, ValueError, TypeError, AttributeError, KeyError, IndexError, EOFError) as exc:
        return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    short = _pixel_data_shortfall(path, ds)
    if short:
        return Truncated(short)
    found = _instance(path, ds)
    if isinstance(found, Instance) and not preamble:
        found = dataclasses.replace(found, preamble=False)
    return found


def _read(path: Path, force: bool):
    with open(path, "rb") as handle, warnings.catch_warnings():
        # An export's invalid values (a UID with leading zeros) are the tools' concern, not the index's.
        warnings.simplefilter("ignore")
        return pydicom.dcmread(handle, specific_tags=HEADER_TAGS, defer_size=DEFER_SIZE, force=force)


def _looks_like_uid(text: str) -> bool:
    return bool(text) and all(part.isdigit() for part in text.split("."))


def _pixel_data_shortfall(path: Path, ds) -> str | None:
    """Why the pixel data is shorter than declared, or None. The value is never read
    (it is deferred): its recorded length is compared with the file's size, and a native
    (uncompressed) image's length with rows x columns x frames x samples x bytes."""
    try:
        element = ds.get_item("PixelData", keep_deferred=True)  # its header, the value left unread
    except (KeyError, AttributeError, TypeError):
        element = None
    if element is None:
        return None
    length = getattr(element, "length", None)
    tell = getattr(element, "value_tell", None)
    size = path.stat().st_size
    if length is not None and length != 0xFFFFFFFF and tell is not None and tell + length > size:
        return f"pixel data {size - tell} of {length} bytes"
    rows, columns = _int(ds, "Rows"), _int(ds, "Columns")
    bits = _int(ds, "BitsAllocated")
    if length is None or length == 0xFFFFFFFF or not (rows and columns and bits):
        return None
    frames = _int(ds, "NumberOfFrames") or 1
    samples = _int(ds, "SamplesPerPixel") or 1
    expected = rows * columns * frames * samples * bits // 8
    if length < expected:
        return f"pixel data {length} of {expected} bytes ({rows} x {columns} x {frames} frames)"
    return None


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


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
