"""Lets ``pytest tool_manifests/`` collect the catalogue directly, and orders tests for
mutation testing."""

from __future__ import annotations

import json
import os
from pathlib import Path

pytest_plugins = ["harness.pytest_plugin"]


def pytest_collection_modifyitems(config, items) -> None:
    """Under a mutant (``tox -e mutation``), run the quickest tests first.

    mutmut runs the tests that reach the mutated function with ``-x`` and hands them
    over in no particular order, so the first failure, which ends the run, often
    comes after the slowest tests. Ordering by the durations mutmut recorded makes a
    killed mutant cost little more than its quickest failing test. Tests stay grouped
    by file (quickest file first), so a module's fixtures are set up once; tests that
    run real tools come last whatever their recorded time (their set-up is not in it).
    Other runs keep pytest's order.
    """
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
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
    def runs_real_tools(item) -> bool:  # set-up, not counted in the durations, runs the catalogue's tools
        return any(item.get_closest_marker(name) for name in ("catalogue", "engine"))

    items.sort(key=lambda item: (runs_real_tools(item), file_durations[file_of(item)], file_of(item),
                                 durations.get(item.nodeid, 0.0)))
