"""Lets ``pytest tool_manifests/`` collect the catalogue directly, and orders tests for
mutation testing."""

from __future__ import annotations

import json
import os
from pathlib import Path

pytest_plugins = ["harness.pytest_plugin"]


def pytest_collection_modifyitems(config, items) -> None:
    """Under a mutant (``tox -e mutation``), leave out tests that run the catalogue's real
    tools and run the quickest tests first.

    Real-tool tests (marked ``catalogue`` or ``engine``) spend a minute in set-up running
    Octave and the like; mutation testing measures the harness's own tests, as the
    ``harness_subprocess`` exclusion in ``[tool.mutmut]`` already does. mutmut runs the
    tests that reach the mutated function with ``-x`` and hands them over in no
    particular order, so the first failure, which ends the run, often comes after the
    slowest tests. Ordering by the durations mutmut recorded makes a killed mutant cost
    little more than its quickest failing test. Tests stay grouped by file (quickest
    file first), so a module's fixtures are set up once. Other runs are left alone.
    """
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    real = [item for item in items if any(item.get_closest_marker(name) for name in ("catalogue", "engine"))]
    if real:
        config.hook.pytest_deselected(items=real)
        left_out = set(real)
        items[:] = [item for item in items if item not in left_out]
    stats = Path(config.rootpath) / "mutmut-stats.json"
    try:
        durations = json.loads(stats.read_text())["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return

    def file_of(item) -> str:
        return item.nodeid.split("::")[0]

    file_durations: dict[str, float] = {}
    for item in items:
        file_durations[file_of(item)] = file_durations.get(file_of(item), 0.0) + durations.get(item.nodeid, 0.0)
    items.sort(key=lambda item: (file_durations[file_of(item)], file_of(item), durations.get(item.nodeid, 0.0)))
