"""``rtcompat interop``: the producers first, then every reader on what they wrote.

Producing runs in this process, one producer after another (each tool installed once,
as for its checks; a produced object comes from the cache when nothing about it
changed). Reading is an ordinary catalogue run over the produced sets
(``--rtcompat-fixtures``): the same isolation, judging and results, each row naming the
produced set it read, and the producers' records travel with the results.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import TextIO

from filelock import FileLock, Timeout

from harness import redact
from harness.backends.base import InstallContext
from harness.catalogue import Entry, load_catalogue
from harness.fixture_guard import FixtureGuard
from harness.fixture_sets import REFERENCE
from harness.host import Host
from harness.interop.produce import Producing, produce
from harness.paths import fixtures_dir
from harness.preload import SERVERS
from harness.redact import Redactor
from harness.results import ProductionRecord
from harness.runner import ToolRun


def producers_of(entries: list[Entry], chosen: list[str] | None = None):
    """(entry, installed version, producer) for every producer of ``entries`` (of the
    tools or versions ``chosen``, when given)."""
    for entry in entries:
        if entry.manifest is None:
            continue
        for manifest in entry.manifest.installs():
            if chosen and not ({manifest.id, manifest.key} & set(chosen)):
                continue
            for producer in manifest.produces:
                yield entry, manifest, producer


def run_producers(root: Path, paths: list[Path], cache: Path, work: Path, *, allow_apt: bool = False,
                  chosen: list[str] | None = None, stream: TextIO = sys.stdout) -> list[ProductionRecord]:
    """Every producer's record, its set assembled under ``work/sets``."""
    lock = FileLock(str(cache / "interop.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise InteropBusy(f"another rtcompat interop is using {work} (lock {cache / 'interop.lock'}); wait for it "
                          "to finish") from None
    try:
        return _run_producers(root, paths, cache, work, allow_apt=allow_apt, chosen=chosen, stream=stream)
    finally:
        SERVERS.close_all()  # the producers' preloading servers, with their scratch
        lock.release()


class InteropBusy(Exception):
    """Another producer -> consumer run holds the shared work directory."""


def _run_producers(root: Path, paths: list[Path], cache: Path, work: Path, *, allow_apt: bool,
                   chosen: list[str] | None, stream: TextIO) -> list[ProductionRecord]:
    entries = load_catalogue(paths)
    planned = list(producers_of(entries, chosen))
    if (work / "sets").exists():
        shutil.rmtree(work / "sets")
    where = Producing(fixtures_dir(root) / REFERENCE, work, work / "sets", cache)
    redactor = Redactor(root, cache, work)
    redact.activate(redactor)
    host = Host()
    guard = FixtureGuard(fixtures_dir(root), scratch=work / "guard")
    runs: dict[str, ToolRun] = {}
    records = []
    try:
        for index, (entry, manifest, producer) in enumerate(planned, 1):
            if manifest.key not in runs:
                context = InstallContext(cache=cache, host=host, manifest_path=entry.path, allow_apt=allow_apt)
                runs[manifest.key] = ToolRun(manifest, entry.path, context, guard, work / "outputs")
            start = time.monotonic()
            stream.write(f"[producer {index}/{len(planned)}] {manifest.key} {producer.id} ({producer.object}) ...\n")
            stream.flush()
            try:
                record = produce(entry, manifest, producer, runs[manifest.key], where)
            except Exception as exc:  # ours: the producer's row still says what happened
                record = ProductionRecord(tool=manifest.key, tool_name=manifest.name, producer=producer.id,
                                          object=producer.object, api=producer.api, status="error",
                                          reason=f"harness error while producing: {type(exc).__name__}: {exc}")
            record = redactor.production(record)
            records.append(record)
            stream.write(f"  {record.status.upper() if record.status == 'fail' else record.status}"
                         f"{' (cached)' if record.cached else ''} in {time.monotonic() - start:.1f} s: "
                         f"{record.reason[:200]}\n")
            stream.flush()
    finally:
        redact.activate(None)
        guard.cleanup()
    (work / "productions.json").write_text(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
    return records
