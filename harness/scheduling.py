"""How pytest-xdist shares a catalogue run between workers: one work unit per (tool,
fixture set).

A tool's checks on one set share their program runs (a program that prints everything
it read runs once per set), so they must land on one worker, or the program runs once
per worker that took one of them. pytest-xdist's ``--dist loadgroup`` groups by
appending the ``xdist_group`` name to each node id, which pytest 9.2's structured node
ids silently ignore (pytest-dev/pytest-xdist#1386): every check then went its own way,
a shared program ran on both workers, and ``-n 2`` was barely faster than serial. This
scheduler reads the unit from the node id itself, whatever the pytest version.
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

from harness import items
from harness.fixture_sets import REFERENCE


def work_unit(nodeid: str) -> str:
    """``pydicom@position-ffs`` for ``tool_manifests/pydicom.yaml::read-ct[position-ffs]``,
    ``itk-snap@3.6.0@position-ffs`` for ``itk-snap.yaml::read-ct@3.6.0[position-ffs]``;
    the reference set for a check without a set and for the install item; any other
    node id (not a manifest's item) is a unit of its own."""
    name = items.parse(nodeid)
    return nodeid if name is None else f"{name.tool_key}@{name.fixture_set or REFERENCE}"


class ToolSetScheduling(LoadScopeScheduling):
    """xdist's scope scheduling, with a (tool, fixture set) as the scope."""

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)
