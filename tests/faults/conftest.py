"""Fixtures for the fault tests."""

from __future__ import annotations

import pytest

from harness.limits import CgroupContainment, Limits, contain


@pytest.fixture
def cgroups() -> None:
    probe = contain(Limits(memory=64 * 1024**2, pids=32))
    probe.close()
    if not isinstance(probe, CgroupContainment):
        pytest.skip(f"no cgroup containment on this machine: {probe.description}")
