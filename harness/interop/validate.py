"""Is a produced object valid DICOM, and does it fit the CT it claims to belong to?

Two opinions, both recorded with the object: Debian's dicom3tools ``dciodvfy`` (the IOD
validator the fixtures are checked with; it aborts on a 32-bit RT Dose, which is then
said, not taken for an error of the object), and the structural checks users' reports
are about: the frame of reference of the CT (rt-utils#29), references to CT images that
exist, decimal strings within the 16 characters PS3.5 allows (rt-utils#80, rejected by
Eclipse), a dose grid whose frame offsets match its frames.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

#: dciodvfy's own limit per file: it validates a 60-slice CT in about 3 s here
DCIODVFY_TIMEOUT = 60
MAX_DS_CHARS = 16


@dataclass
class Validation:
    """What the validators said about one produced object (all its files)."""

    validator: str
    errors: list[str] = field(default_factory=list)
    warnings: int = 0
    structural: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def valid(self) -> bool:
        return not self.errors and not self.structural

    def as_dict(self) -> dict:
        return {"validator": self.validator, "valid": self.valid, "errors": self.errors[:20],
                "error_count": len(self.errors), "warnings": self.warnings, "structural": self.structural,
                "note": self.note}


def _run_dciodvfy(program: str, path: Path) -> tuple[list[str], bool]:
    """dciodvfy's output lines on one file, and whether it aborted."""
    done = subprocess.run([program, str(path)], capture_output=True, text=True, errors="replace",
                          timeout=DCIODVFY_TIMEOUT)
    lines = (done.stdout + done.stderr).splitlines()
    return lines, done.returncode < 0 or any("Assertion" in line for line in lines)


def sixteen_bit_copy(path: Path, destination: Path) -> Path:
    """An RT Dose stored in 16 bits, for dciodvfy only: it aborts on 32-bit pixel data
    (an assertion in attrothr.cc), so the 32-bit object's every other attribute is
    validated on a copy whose pixels (rescaled to fit) are all that differs."""
    ds = pydicom.dcmread(path, force=True)
    pixels = ds.pixel_array.astype("float64")
    factor = max(float(pixels.max()) / 65535.0, 1e-30)
    ds.PixelData = (pixels / factor).round().astype("<u2").tobytes()
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.DoseGridScaling = f"{float(ds.DoseGridScaling) * factor:.8g}"
    ds.save_as(destination, enforce_file_format=False)
    return destination


def dciodvfy(paths: list[Path]) -> Validation:
    """dciodvfy on every file: its 'Error' lines (file name first), its warnings counted."""
    program = shutil.which("dciodvfy")
    if program is None:
        return Validation("dciodvfy", note="dciodvfy not installed (apt-get install dicom3tools): not validated")
    found = Validation("dciodvfy")
    copied, aborted = [], []
    for path in paths:
        try:
            lines, broke = _run_dciodvfy(program, path)
            if broke and int(pydicom.dcmread(path, stop_before_pixels=True, force=True).get("BitsAllocated", 0)) == 32:
                with tempfile.TemporaryDirectory(prefix="rtcompat-dciodvfy-") as scratch:
                    lines, broke = _run_dciodvfy(program, sixteen_bit_copy(path, Path(scratch) / path.name))
                copied.append(path.name)
        except subprocess.TimeoutExpired:
            found.errors.append(f"{path.name}: dciodvfy did not finish in {DCIODVFY_TIMEOUT} s")
            continue
        except Exception as exc:  # a file the 16-bit copy cannot be made of: said, not guessed
            found.errors.append(f"{path.name}: not validated ({type(exc).__name__}: {exc})")
            continue
        if broke:
            aborted.append(path.name)
            continue
        found.errors += [f"{path.name}: {line.strip()}" for line in lines if line.startswith("Error")]
        found.warnings += sum(1 for line in lines if line.startswith("Warning"))
    notes = []
    if copied:
        notes.append(f"{', '.join(copied[:3])}: 32-bit, validated as a 16-bit copy (dciodvfy aborts on 32-bit "
                     "pixel data)")
    if aborted:
        notes.append(f"dciodvfy aborted on {', '.join(aborted[:3])}: only the structural checks judged it")
    found.note = "; ".join(notes)
    return found


def _long_decimal_strings(ds: Dataset, where: str) -> list[str]:
    """Decimal strings longer than PS3.5's 16 characters, anywhere in the data set."""
    found: list[str] = []

    def visit(dataset: Dataset, path: str) -> None:
        for element in dataset:
            if element.VR == "SQ":
                for index, item in enumerate(element.value):
                    visit(item, f"{path}{element.keyword}[{index}].")
            elif element.VR == "DS" and element.value is not None:
                values = element.value if element.VM > 1 else [element.value]
                long = [v for v in values if len(getattr(v, "original_string", None) or str(v)) > MAX_DS_CHARS]
                if long and len(found) < 5:
                    sample = getattr(long[0], "original_string", None) or str(long[0])
                    found.append(f"{where}: {path}{element.keyword} holds {len(long)} decimal string(s) longer than "
                                 f"{MAX_DS_CHARS} characters, e.g. {sample!r}")

    visit(ds, "")
    return found


def structural(kind: str, files: list[Path], ct: list[Dataset]) -> list[str]:
    """Problems a reader meets before it reads a number: frame of reference, references,
    string lengths, frame offsets. ``ct`` is the series the object belongs to."""
    problems = []
    ct_uids = {str(s.SOPInstanceUID) for s in ct}
    ct_frame = str(ct[0].FrameOfReferenceUID) if ct and "FrameOfReferenceUID" in ct[0] else None
    for path in files:
        try:
            ds = pydicom.dcmread(path, force=True)
        except Exception as exc:  # a file no DICOM parser reads is the first problem
            problems.append(f"{path.name}: not readable as DICOM ({type(exc).__name__}: {exc})")
            continue
        modality = str(ds.get("Modality", ""))
        expected = {"rtstruct": "RTSTRUCT", "rtdose": "RTDOSE", "ct": "CT"}[kind]
        if modality != expected:
            problems.append(f"{path.name}: Modality {modality!r}, not {expected}")
        problems += _long_decimal_strings(ds, path.name)
        if kind == "rtstruct":
            frames = [str(f.FrameOfReferenceUID) for f in ds.get("ReferencedFrameOfReferenceSequence", [])]
            if ct_frame and ct_frame not in frames:
                problems.append(f"{path.name}: ReferencedFrameOfReferenceSequence names {frames or 'no frame'}, "
                                f"not the CT's frame of reference {ct_frame}")
            roi_frames = {str(r.get("ReferencedFrameOfReferenceUID", "")) for r in ds.get("StructureSetROISequence", [])}
            if ct_frame and roi_frames - {ct_frame}:
                problems.append(f"{path.name}: StructureSetROISequence refers to frame(s) {sorted(roi_frames - {ct_frame})}, "
                                f"not the CT's")
            missing = set()
            for roi in ds.get("ROIContourSequence", []):
                for contour in roi.get("ContourSequence", []):
                    for image in contour.get("ContourImageSequence", []):
                        if str(image.ReferencedSOPInstanceUID) not in ct_uids:
                            missing.add(str(image.ReferencedSOPInstanceUID))
            if missing:
                problems.append(f"{path.name}: contours reference {len(missing)} image(s) the CT series does not hold")
        elif kind == "rtdose":
            if ct_frame and str(ds.get("FrameOfReferenceUID", "")) != ct_frame:
                problems.append(f"{path.name}: FrameOfReferenceUID {ds.get('FrameOfReferenceUID')} is not the CT's")
            offsets = ds.get("GridFrameOffsetVector")
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            if frames > 1 and (offsets is None or len(offsets) != frames):
                problems.append(f"{path.name}: GridFrameOffsetVector holds {0 if offsets is None else len(offsets)} "
                                f"value(s) for {frames} frames")
            if "DoseGridScaling" not in ds:
                problems.append(f"{path.name}: no DoseGridScaling")
        elif kind == "ct":
            for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "FrameOfReferenceUID"):
                if keyword not in ds:
                    problems.append(f"{path.name}: no {keyword}")
    if kind == "ct":
        frames = {str(pydicom.dcmread(p, stop_before_pixels=True, force=True).get("FrameOfReferenceUID", ""))
                  for p in files}
        if len(frames) > 1:
            problems.append(f"the series' images name {len(frames)} frames of reference")
    return problems


def validate(kind: str, files: list[Path], ct: list[Dataset]) -> Validation:
    found = dciodvfy(files)
    found.structural = structural(kind, files, ct)
    return found
