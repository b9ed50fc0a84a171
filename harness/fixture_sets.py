"""Which fixture sets a check runs on: every set that probes its capability.

A set's truth.json says which capabilities it probes (``probes``); the reference set
probes them all; any other set that says nothing (a stand-in set, a user's own) runs
only the checks that name it (``fixture``). A check runs on
each such set unless its manifest names one set (``fixture``) or opts out of a set
with a reason (``skip_sets``). On a variant, the check is judged on the quantities that
set has: a judge pattern naming only quantities the variant leaves out (the plan's, when
the plan is absent) is dropped there, while a pattern naming nothing in the reference
either stays, so a typo is still an error.
"""

from __future__ import annotations

import fnmatch
import json
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from harness.manifest import Check

REFERENCE = "reference"


@dataclass(frozen=True)
class FixtureSet:
    name: str
    #: the capabilities the set probes, as its truth.json says; None when it does not say
    probes: tuple[str, ...] | None
    title: str = ""
    keys: frozenset[str] = frozenset()

    def probes_capability(self, capability: str) -> bool:
        if self.probes is None:
            return self.name == REFERENCE
        return capability in self.probes


@dataclass(frozen=True)
class Planned:
    """One check on one set, or why it does not run there."""

    check: Check
    skip_reason: str | None = None
    #: why the check does not apply on this set (n/a): it judges nothing the set has
    not_applicable: str | None = None

    @property
    def fixture(self) -> str:
        return str(self.check.fixture)


def discover(fixtures_root: Path) -> list[FixtureSet]:
    """The sets under ``fixtures_root`` with a truth.json: the reference first, the others
    in name order. A set whose truth cannot be read is still listed (probing what it would
    without one), so its checks run and report the problem as their error row."""
    found = []
    for directory in sorted(p for p in fixtures_root.iterdir() if p.is_dir()) if fixtures_root.is_dir() else []:
        truth_path = directory / "truth.json"
        try:
            st = truth_path.stat()
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        probes, title, keys = _truth_summary(str(truth_path), st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        found.append(FixtureSet(directory.name, probes, title, keys))
    return sorted(found, key=lambda s: (s.name != REFERENCE, s.name))


@lru_cache(maxsize=256)
def _truth_summary(path: str, *status: int) -> tuple[tuple | None, str, frozenset]:
    """What :func:`discover` needs of a truth.json, parsed once per process while the file's
    status (``status``: times, size, inode) stays the same: a run discovers the sets twice."""
    try:
        truth = json.loads(Path(path).read_text())
        probes = truth.get("probes")
        title = (truth.get("variant") or {}).get("title", "")
        keys = frozenset(truth.get("quantities", {}))
    except (OSError, ValueError, AttributeError):
        probes, title, keys = None, "", frozenset()
    return (tuple(probes) if isinstance(probes, list) else None), title, keys


def plan(check: Check, sets: list[FixtureSet], reference: FixtureSet | None = None) -> list[Planned]:
    """The check on every set it runs on (a copy naming that set), reference first.
    ``reference`` stands in for a reference set ``sets`` lack (the producers' sets)."""
    if check.fixture is not None:
        return [Planned(check)]
    reference = next((s for s in sets if s.name == REFERENCE), reference)
    planned = []
    for fixture_set in sets:
        if not fixture_set.probes_capability(check.capability):
            continue
        concrete = for_set(check, fixture_set, reference)
        planned.append(Planned(concrete, check.skip_sets.get(fixture_set.name),
                               not_applicable(check, fixture_set, reference)))
    if not planned:  # no fixture sets at all: the check's error row says so
        planned.append(Planned(check.model_copy(update={"fixture": REFERENCE})))
    return planned


def for_set(check: Check, fixture_set: FixtureSet, reference: FixtureSet | None) -> Check:
    """The check as it runs on ``fixture_set``: patterns naming only quantities of the
    reference that this set leaves out are dropped."""
    update: dict = {"fixture": fixture_set.name}
    if reference is not None and fixture_set.name != REFERENCE and fixture_set.keys:
        def kept(patterns):
            return [p for p in patterns if _names(p, fixture_set.keys) or not _names(p, reference.keys)]
        judge = kept(check.judge)
        if judge or check.expect:  # a check left with nothing to judge keeps its patterns: its error says so
            update.update(judge=judge, optional=kept(check.optional),
                          tolerances={p: t for p, t in check.tolerances.items() if p in kept([p])},
                          read_from={k: v for k, v in check.read_from.items() if k in fixture_set.keys})
    return check.model_copy(update=update)


def not_run(planned: Planned) -> tuple[str, str]:
    """The status and reason of a check that does not run on its set: ``skip`` where its
    manifest opts out, ``unavailable`` (n/a) where it does not apply."""
    where = f"on the {planned.check.fixture} set"
    if planned.skip_reason is not None:
        return "skip", f"not run {where}: {planned.skip_reason}"
    return "unavailable", f"not applicable {where}: {planned.not_applicable}"


def not_applicable(check: Check, fixture_set: FixtureSet, reference: FixtureSet | None) -> str | None:
    """Why ``check`` does not apply on ``fixture_set``: every quantity it requires (its judge
    patterns but the optional ones) is one of the reference's that this set leaves out, as a
    beam table's metersets on a brachytherapy plan, which has no beams. None when it applies."""
    if reference is None or fixture_set.name == REFERENCE or not fixture_set.keys or check.expect:
        return None
    required = [p for p in check.judge if p not in check.optional]
    if not required or any(_names(p, fixture_set.keys) or not _names(p, reference.keys) for p in required):
        return None
    return f"nothing it requires is in this set ({', '.join(required)}: none here)"


def _names(pattern: str, keys: frozenset[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for key in keys)
