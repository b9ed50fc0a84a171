"""Time indexing a large export (headers only): ``rtcompat data inspect`` and the first
step of ``rtcompat run --data``.

Writes an export of N files (default 10,000) into a temporary directory: CT series of
200 slices each (512 x 512 by default, as a planning CT is; ``--rows 64`` for a quick
run), each series with its RT Structure Set, RT Plan and RT Dose, plus a few files that
are not DICOM. Then prints the wall time of indexing and of grouping, cold (the page
cache dropped when run as root) and warm, in files per second.

Usage: python benchmarks/index_data.py [--files N] [--rows R] [--keep DIR]
Numbers vary with the machine and its disk; nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.owndata.grouping import group
from harness.owndata.index import index_directory

SLICES_PER_SERIES = 200
CT, RS, RP, RD = ("1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.481.3", "1.2.840.10008.5.1.4.1.1.481.5",
                  "1.2.840.10008.5.1.4.1.1.481.2")


def _dataset(sop_class: str, modality: str, study: str, frame: str) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.Modality, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = \
        modality, study, generate_uid(), frame
    ds.PatientName, ds.PatientID, ds.StudyDate = "BENCH^PATIENT", "BENCH-001", "20240101"
    return ds


def write_export(root: Path, files: int, rows: int) -> int:
    pixels = (np.random.default_rng(0).integers(0, 2000, (rows, rows))).astype(np.uint16).tobytes()
    written = 0
    while written < files:
        study, frame = generate_uid(), generate_uid()
        series_dir = root / f"patient-{written // (SLICES_PER_SERIES + 3):03d}"
        series_dir.mkdir(parents=True)
        slices = min(SLICES_PER_SERIES, files - written - 3) if files - written > 3 else files - written
        series_uid = generate_uid()
        for k in range(slices):
            ds = _dataset(CT, "CT", study, frame)
            ds.SeriesInstanceUID = series_uid
            ds.ImagePositionPatient, ds.ImageOrientationPatient = [-250.0, -250.0, 2.0 * k], [1, 0, 0, 0, 1, 0]
            ds.InstanceNumber, ds.Rows, ds.Columns, ds.PixelSpacing = k + 1, rows, rows, [1.0, 1.0]
            ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
            ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
            ds.PixelData = pixels
            ds.save_as(series_dir / f"CT{k:04d}.dcm", enforce_file_format=True)
        written += slices
        if files - written >= 3:
            rs = _dataset(RS, "RTSTRUCT", study, frame)
            reference = Dataset()
            reference.FrameOfReferenceUID = frame
            reference.RTReferencedStudySequence = Sequence([Dataset()])
            reference.RTReferencedStudySequence[0].RTReferencedSeriesSequence = Sequence([Dataset()])
            reference.RTReferencedStudySequence[0].RTReferencedSeriesSequence[0].SeriesInstanceUID = series_uid
            rs.ReferencedFrameOfReferenceSequence = Sequence([reference])
            rp = _dataset(RP, "RTPLAN", study, frame)
            rp.ReferencedStructureSetSequence = Sequence([Dataset()])
            rp.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID = rs.SOPInstanceUID
            rd = _dataset(RD, "RTDOSE", study, frame)
            rd.ReferencedRTPlanSequence = Sequence([Dataset()])
            rd.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID = rp.SOPInstanceUID
            rd.DoseSummationType = "PLAN"
            for name, ds in (("RS.dcm", rs), ("RP.dcm", rp), ("RD.dcm", rd)):
                ds.save_as(series_dir / name, enforce_file_format=True)
            written += 3
    (root / "README.txt").write_text("not DICOM\n")
    return written + 1


def drop_caches() -> bool:
    if os.geteuid() != 0:
        return False
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=512, help="CT image size (rows = columns)")
    parser.add_argument("--keep", type=Path, help="write the export here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="rtcompat-index-bench-"))
    try:
        start = time.perf_counter()
        count = write_export(root, args.files, args.rows)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1024**3
        print(f"export: {count} files, {size:.2f} GiB, {args.rows} x {args.rows} CT, written in "
              f"{time.perf_counter() - start:.1f} s")
        for run in ("cold", "warm"):
            if run == "cold" and not drop_caches():
                print("cold: skipped (dropping the page cache needs root)")
                continue
            start = time.perf_counter()
            index = index_directory(root)
            indexed = time.perf_counter() - start
            start = time.perf_counter()
            sets = group(index).sets
            grouped = time.perf_counter() - start
            print(f"{run}: indexed {index.file_count} files in {indexed:.2f} s ({index.file_count / indexed:,.0f} "
                  f"files/s), grouped into {len(sets)} sets in {grouped:.3f} s")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
