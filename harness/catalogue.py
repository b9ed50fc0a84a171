"""The catalogue: every manifest under ``tool_manifests/``, loaded or explained."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from harness.manifest import Manifest
from harness.manifest_loader import ManifestError, Problem, load_manifest
from harness.paths import manifests_dir


@dataclass(frozen=True)
class Entry:
    """A manifest file and what became of it: a Manifest, or the problems that stop it."""

    path: Path
    manifest: Manifest | None
    problems: tuple[Problem, ...] = ()

    @property
    def tool_id(self) -> str:
        return self.manifest.id if self.manifest else self.path.stem


def manifest_paths(directory: Path | None = None) -> list[Path]:
    directory = directory or manifests_dir()
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def load_entry(path: Path) -> Entry:
    """The manifest at ``path``, or why it cannot be used. Two manifest files whose ids
    differ only by case or extension (``x.yaml`` and ``x.yml``, ``Good`` and ``good``)
    would share a badge, a report row and a CI job: both are refused, naming each other."""
    clashes = clash_problems(path)
    if clashes:
        return Entry(path, None, tuple(clashes))
    try:
        with open(path, "rb") as handle:  # a manifest is a few KiB; the loader refuses a large one
            unchanged = (str(path.absolute()), hashlib.sha256(handle.read(1 << 20)).hexdigest())
    except OSError:
        unchanged = None
    if unchanged in _LOADED:
        return _LOADED[unchanged]
    try:
        entry = Entry(path, load_manifest(path))
    except ManifestError as exc:
        entry = Entry(path, None, tuple(exc.problems))
    if unchanged is not None:
        _LOADED[unchanged] = entry
    return entry


#: Manifests this process has parsed, by path and content: a run collects each manifest and
#: lists the invalid ones at its end, and parsing with line numbers takes ~70 ms a file,
#: hashing it microseconds. An edited file is parsed again; the models are frozen, so
#: sharing one is safe.
_LOADED: dict[tuple, Entry] = {}


def clash_problems(path: Path) -> list[Problem]:
    """Another manifest file beside ``path`` whose name differs only by case or extension."""
    clashes = [other for other in manifest_paths(path.parent)
               if other != path and other.stem.casefold() == path.stem.casefold()]
    if not clashes:
        return []
    names = ", ".join(other.name for other in clashes)
    return [Problem(path, 1, "id", f"{path.name} and {names} name the same tool id "
                                   "(ids must be unique ignoring case and extension)")]


def load_catalogue(paths: list[Path] | None = None) -> list[Entry]:
    """Every manifest; one bad file never hides the others."""
    return [load_entry(p) for p in (paths if paths is not None else manifest_paths())]


def installed(entries: list[Entry]) -> dict[str, Manifest]:
    """Every installed version of the valid manifests, by key (``pydicom``, ``itk-snap@3.6.0``)."""
    return {one.key: one for entry in entries if entry.manifest is not None for one in entry.manifest.installs()}
