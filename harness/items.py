"""The names of a catalogue run's pytest items, made and read in one place.

An item of ``tool_manifests/<tool>.yaml`` is called ``install`` (``manifest`` for an
invalid file) or by its check id, then ``@<version>`` for one of a manifest's several
versions, then ``[<fixture set>]`` off the reference set: ``read-ct@3.6.0[position-ffs]``.
The progress lines and the xdist scheduler read them back with :func:`parse`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

#: base, @version, [fixture set], and what an xdist on an older pytest may have appended
#: to a node id (@its group).
_NAME = re.compile(r"^(?P<base>[^@\[]+)(?:@(?P<version>[^@\[]+))?(?:\[(?P<set>[^\]]*)\])?(?:@.*)?$")


def item_name(base: str, version: str | None = None, fixture_set: str | None = None) -> str:
    """``install``, ``read-ct@3.6.0``, ``read-ct[position-ffs]``, ``read-ct@3.6.0[position-ffs]``."""
    return base + (f"@{version}" if version else "") + (f"[{fixture_set}]" if fixture_set else "")


@dataclass(frozen=True)
class ItemName:
    tool_id: str
    base: str
    version: str | None
    fixture_set: str | None

    @property
    def tool_key(self) -> str:
        """``pydicom``, or ``itk-snap@3.6.0`` for one of a manifest's versions."""
        return f"{self.tool_id}@{self.version}" if self.version else self.tool_id


def parse(nodeid: str) -> ItemName | None:
    """The parts of a manifest item's node id; None for any other node id."""
    path, separator, name = nodeid.partition("::")
    found = _NAME.match(name)
    if not separator or not path.endswith((".yaml", ".yml")) or found is None:
        return None
    return ItemName(PurePosixPath(path).stem, found["base"], found["version"], found["set"])
