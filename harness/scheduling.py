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

from pathlib import PurePosixPath

from xdist.scheduler import LoadScopeScheduling

from harness.fixture_sets import REFERENCE


def work_unit(nodeid: str) -> str:
    """``pydicom@position-ffs`` for ``tool_manifests/pydicom.yaml::read-ct[position-ffs]``;
    the reference set for a check without a set and for the install item; any other
    node id (not a manifest's item) is a unit of its own."""
    path, separator, name = nodeid.partition("::")
    if not separator or not path.endswith((".yaml", ".yml")):
        return nodeid
    name = name.split("@", 1)[0]  # an xdist on an older pytest may have appended its group
    fixture = name[name.index("[") + 1:-1] if name.endswith("]") and "[" in name else REFERENCE
    return f"{PurePosixPath(path).stem}@{fixture}"


class ToolSetScheduling(LoadScopeScheduling):
    """xdist's scope scheduling, with a (tool, fixture set) as the scope."""

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)
