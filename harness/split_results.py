"""The published results, split: a small index and one detail file per tool row.

One document with every observation, verdict and screenshot of a catalogue is megabytes,
and a nightly that commits it grows the repository by its whole size. The published form
is an index (``results.json``: the run, and per tool row its install, its checks' statuses
and where its detail is, with the detail's sha256) plus ``tools/<row>.json`` (the row as
the run recorded it, one check per line) and each screenshot as a PNG file beside them.

:func:`harness.results.read_results` reads either form and gives the same
:class:`~harness.results.Results`; a detail file that is missing or does not match the
index's checksum is an error naming the file, never a silently shorter report.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic_core import from_json

from harness.store import atomic_write_bytes, atomic_write_text, write_staged

LAYOUT = "split"
#: Where a row's detail goes, relative to the index.
DETAIL_DIR = "tools"
SCREENSHOT_DIR = "screenshots"
#: What the index keeps of each check: enough to count and list, not to judge.
INDEX_CHECK_FIELDS = ("id", "fixture", "capability", "status")


def detail_path(row_slug: str) -> str:
    return f"{DETAIL_DIR}/{row_slug}.json"


def screenshot_path(row_slug: str, check_slug: str) -> str:
    return f"{SCREENSHOT_DIR}/{row_slug}--{check_slug}.png"


def write_split(results: Any, output: Path, staged: bool = False) -> list[Path]:
    """Write the index, each row's detail and each screenshot under ``output``; ``staged``:
    into a report's staging copy, published whole later (:func:`harness.store.write_staged`)."""
    return write_index(results, [write_detail(tool, output, staged) for tool in results.tools], output, staged)


def write_detail(tool: Any, output: Path, staged: bool = False) -> tuple[dict, list[Path]]:
    """One row's detail file and screenshots: the row's index entry, and the files written."""
    from harness.report.findings import slug  # one naming rule for every file of a row

    write_bytes, write_text = (write_staged, write_staged) if staged else (atomic_write_bytes, atomic_write_text)
    written: list[Path] = []
    row = slug(tool.key)
    data = tool.model_dump(mode="json")
    for check, stored in zip(tool.checks, data["checks"], strict=True):
        if check.screenshot is not None:
            file = screenshot_path(row, slug(check.key))
            write_bytes(output / file, base64.b64decode(check.screenshot.png_base64))
            written.append(output / file)
            stored["screenshot"] = {key: value for key, value in stored["screenshot"].items()
                                    if key != "png_base64"} | {"file": file}
    checks = data.pop("checks")
    text = _detail_text(data, checks)
    write_text(output / detail_path(row), text)
    written.append(output / detail_path(row))
    entry = {**data, "detail": detail_path(row), "sha256": hashlib.sha256(text.encode()).hexdigest(),
             "checks": [{name: c.get(name) for name in INDEX_CHECK_FIELDS} for c in checks]}
    return entry, written


def write_index(results: Any, details: list[tuple[dict, list[Path]]], output: Path, staged: bool = False) -> list[Path]:
    """The index over the rows' details (:func:`write_detail`, in the results' row order)."""
    index = {"schema_version": results.schema_version, "layout": LAYOUT,
             "run": results.run.model_dump(mode="json"), "tools": [entry for entry, _ in details]}
    (write_staged if staged else atomic_write_text)(output / "results.json",
                                                    json.dumps(index, indent=1, ensure_ascii=False) + "\n")
    return [path for _, paths in details for path in paths] + [output / "results.json"]


def _detail_text(tool: dict, checks: list[dict]) -> str:
    """The row on its first line, then one check per line: small, and a diff shows which
    check changed."""
    head = json.dumps(tool, separators=(",", ":"), ensure_ascii=False)
    lines = [json.dumps(check, separators=(",", ":"), ensure_ascii=False) for check in checks]
    body = ",\n".join(lines)
    return f'{{"tool":{head},\n"checks":[\n{body}\n]}}\n'


class SplitError(Exception):
    """A part of a split results document that cannot be used (names the file)."""


def is_split(data: object) -> bool:
    return isinstance(data, dict) and data.get("layout") == LAYOUT


def detail_rows(data: dict, index_path: Path, max_bytes: int) -> Iterator[dict]:
    """Each row of an index with its detail read back, checked against the index's checksum,
    its screenshots read back from their files; one at a time, so a reader that validates
    each row as it comes holds one row's raw data at once, not all."""
    root = index_path.parent
    for position, entry in enumerate(data.get("tools") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("detail"), str):
            raise SplitError(f"{index_path}: tools.{position}: no detail file named")
        path = _inside(root, entry["detail"], index_path)
        try:
            if path.stat().st_size > max_bytes:
                raise SplitError(f"{path}: larger than {max_bytes // 1024**2} MiB; not a results detail file")
            text = path.read_text()
        except OSError as exc:
            raise SplitError(f"{path}: cannot read: {exc.strerror} (named by {index_path})") from None
        if hashlib.sha256(text.encode()).hexdigest() != entry.get("sha256"):
            raise SplitError(f"{path}: does not match the sha256 {index_path} records for it "
                             "(a detail file from another run?)")
        try:
            detail = from_json(text)
            tool, checks = dict(detail["tool"]), list(detail["checks"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SplitError(f"{path}: not a results detail file: {exc}") from None
        for check in checks:
            shot = check.get("screenshot") if isinstance(check, dict) else None
            if isinstance(shot, dict) and "file" in shot:
                file = _inside(root, str(shot.pop("file")), path)
                try:
                    shot["png_base64"] = base64.b64encode(file.read_bytes()).decode("ascii")
                except OSError as exc:
                    raise SplitError(f"{file}: cannot read the screenshot {path} names: {exc.strerror}") from None
        yield {**tool, "checks": checks}


def _inside(root: Path, relative: str, named_by: Path) -> Path:
    """A file the index names, refused when it points outside the report directory."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise SplitError(f"{named_by}: {relative!r} points outside {root}")
    return path
