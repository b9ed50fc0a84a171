"""The tool rows' files written by forked workers, one per core: most of a large report's time.

A row's pages, detail file, badge and plots depend on nothing another row writes, and
everything they read (the results, findings, trends, the Jinja environments) is built
before the workers start, so each worker is a fork of the renderer: nothing is sent to it
but row numbers, and it sends back only what each row's job returns (the paths it wrote,
the row's results index entry). The files come out byte for byte as one process writes
them (``tests/report/test_parallel_pages.py``). Forking copies only the calling thread,
so a process that runs other threads renders in itself, as does a small report (starting
workers costs more than it saves) or ``RTCOMPAT_WORKERS=1``.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any

from harness.host import WORKERS_VARIABLE, usable_cores

#: Fewer rows than this per worker are rendered in one process.
ROWS_PER_WORKER = 8

_job: Callable[[int], Any] | None = None


def default_workers() -> int:
    """``$RTCOMPAT_WORKERS`` when it is a number, else one per core this process may use."""
    asked = os.environ.get(WORKERS_VARIABLE, "")
    return int(asked) if asked.isdigit() and int(asked) > 0 else usable_cores()


def each_row(count: int, job: Callable[[int], Any], workers: int | None = None) -> list[Any]:
    """``job(i)`` for every row ``i < count``, in row order (what a worker's job returns is
    pickled back to this process)."""
    workers = default_workers() if workers is None else workers
    workers = min(workers, count // ROWS_PER_WORKER)
    if workers <= 1 or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [job(row) for row in range(count)]
    global _job
    _job = job
    try:
        # each worker leaves the renderer's objects out of its collections, so their pages stay shared
        with multiprocessing.get_context("fork").Pool(workers, initializer=gc.freeze) as pool:
            done = pool.map(_rows, _spans(count, workers * 4), chunksize=1)
    finally:
        _job = None
    return [result for span in done for result in span]


def _spans(count: int, parts: int) -> list[tuple[int, int]]:
    """``range(count)`` cut into ``parts`` runs of consecutive rows (a worker takes the next run)."""
    size = -(-count // parts)
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _rows(span: tuple[int, int]) -> list[Any]:
    assert _job is not None
    return [_job(row) for row in range(*span)]
