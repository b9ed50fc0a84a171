"""Garbage collection held back while the report reads and renders a large catalogue.

Reading a results document makes millions of small objects that all live until the report
is written, and Python's collector walks every object it tracks each time enough new ones
were made: the more a catalogue has, the more each walk costs, so the time grows faster
than the rows (20 tools x 240 checks: 1 s of 2.7 s reading, 2 s of 12.5 s rendering).
Nothing here forms reference cycles worth collecting mid-way; the collector resumes after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No collection while the block runs (as it was, after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Everything alive now is left out of the collections the block triggers (the
    results being rendered), and back among the collected ones after."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
