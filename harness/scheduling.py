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

import re
from pathlib import PurePosixPath

from xdist.scheduler import LoadScopeScheduling

from harness.fixture_sets import REFERENCE

#: An item's name: check (or install), @version of a manifest with several, [fixture set],
#: and what an xdist on an older pytest may have appended (@its group).
_ITEM = re.compile(r"^(?P<base>[^@\[]+)(?:@(?P<version>[^@\[]+))?(?:\[(?P<set>[^\]]*)\])?(?:@.*)?$")


def work_unit(nodeid: str) -> str:
    """``pydicom@position-ffs`` for ``tool_manifests/pydicom.yaml::read-ct[position-ffs]``,
    ``itk-snap@3.6.0@position-ffs`` for ``itk-snap.yaml::read-ct@3.6.0[position-ffs]``;
    the reference set for a check without a set and for the install item; any other
    node id (not a manifest's item) is a unit of its own."""
    path, separator, name = nodeid.partition("::")
    found = _ITEM.match(name)
    if not separator or not path.endswith((".yaml", ".yml")) or found is None:
        return nodeid
    version = f"@{found['version']}" if found["version"] else ""
    return f"{PurePosixPath(path).stem}{version}@{found['set'] or REFERENCE}"


class ToolSetScheduling(LoadScopeScheduling):
    """xdist's scope scheduling, with a (tool, fixture set) as the scope."""

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)
