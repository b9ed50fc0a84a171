"""Why a pinned release failed to install: is it Python 2 code?

An old release's install can fail for a reason that hides the real one: dicompyler
0.4.2's setup.py first downloads ``distribute`` over HTTP, so offline it reads as a
network failure and online as a setuptools failure, while the release itself is Python 2
code that no Python 3 can run. When an install of an exact pin fails, its source
distribution is fetched from the package index the way pip finds it (the JSON simple API,
PEP 691, hash checked) and every module is compiled by this interpreter without running
anything. Modules that do not compile are the evidence, with file and line; the install
row is then the tool's ``fail``, not the testbed's ``error`` or an offline ``skip``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.request
import warnings
import zipfile
from dataclasses import dataclass

SIMPLE_INDEX = "https://pypi.org/simple"
JSON_SIMPLE = "application/vnd.pypi.simple.v1+json"
#: An sdist larger than this is not fetched for a diagnosis.
MAX_SDIST_BYTES = 50 * 1024**2
SHOWN = 3


@dataclass(frozen=True)
class Python2Evidence:
    name: str
    version: str
    modules: int
    failing: list[tuple[str, int, str]]

    def describe(self) -> str:
        shown = "; ".join(f"{path}:{line}: {message}" for path, line, message in self.failing[:SHOWN])
        more = f"; and {len(self.failing) - SHOWN} more" if len(self.failing) > SHOWN else ""
        return (f"{self.name} {self.version} is Python 2 code: {len(self.failing)} of its {self.modules} modules do "
                f"not compile under Python {sys.version_info.major}.{sys.version_info.minor} ({shown}{more}); no "
                f"Python 3 can install or run this release")


def exact_pin(requirement: str) -> tuple[str, str] | None:
    match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", requirement.strip())
    return (match[1], match[2]) if match else None


def diagnose(requirement: str, index_url: str = SIMPLE_INDEX, timeout: float = 60) -> Python2Evidence | None:
    """The evidence that ``name==version`` is Python 2 code, or None (not an exact pin, no
    sdist, the index unreachable, or the code compiles: then the install error stands)."""
    pin = exact_pin(requirement)
    if pin is None:
        return None
    name, version = pin
    try:
        archive, filename = _fetch_sdist(name, version, index_url, timeout)
    except (OSError, ValueError, KeyError):
        return None
    if archive is None:
        return None
    modules = list(_python_sources(archive, filename))
    failing = []
    for path, source in modules:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escape sequences and the like: warnings, not evidence
                compile(source, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            failing.append((path, exc.lineno or 0, (exc.msg or "invalid syntax").split(".")[0]))
        except ValueError:  # null bytes: not a module
            continue
    return Python2Evidence(name, version, len(modules), failing) if failing else None


def _fetch_sdist(name: str, version: str, index_url: str, timeout: float) -> tuple[bytes | None, str]:
    normalised = re.sub(r"[-_.]+", "-", name).lower()
    request = urllib.request.Request(f"{index_url.rstrip('/')}/{normalised}/", headers={"Accept": JSON_SIMPLE})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        files = json.loads(response.read())["files"]
    prefix = f"{normalised}-{version}".lower()
    for entry in files:
        filename = entry["filename"]
        stem = re.sub(r"[-_.]+", "-", filename.rsplit(".tar.gz", 1)[0].rsplit(".zip", 1)[0]).lower()
        if filename.endswith((".tar.gz", ".zip")) and stem == re.sub(r"[-_.]+", "-", prefix):
            with urllib.request.urlopen(entry["url"], timeout=timeout) as response:
                data = response.read(MAX_SDIST_BYTES + 1)
            if len(data) > MAX_SDIST_BYTES:
                return None, filename
            expected = (entry.get("hashes") or {}).get("sha256")
            if expected and hashlib.sha256(data).hexdigest() != expected:
                raise ValueError(f"{filename}: sha256 does not match the index")
            return data, filename
    return None, ""


def _python_sources(archive: bytes, filename: str):
    """``(path inside the sdist, source bytes)`` of every .py file."""
    if filename.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
            for info in bundle.infolist():
                if info.filename.endswith(".py"):
                    yield info.filename.split("/", 1)[-1], bundle.read(info)
        return
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as bundle:
        for member in bundle.getmembers():
            if member.isfile() and member.name.endswith(".py"):
                handle = bundle.extractfile(member)
                if handle is not None:
                    yield member.name.split("/", 1)[-1], handle.read()
