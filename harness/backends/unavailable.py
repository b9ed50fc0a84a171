"""The ``unavailable`` backend: proprietary or platform-bound tools.

Nothing is installed; the tool keeps its row in the report with the reason, so a
reader learns it was considered and why it cannot be tested on a Linux testbed.
"""

from __future__ import annotations

from harness.backends.base import (
    Env, InstallContext, Mounts, ToolUnavailable, always_available, always_healthy, same_mounts,
)
from harness.manifest import Manifest, UnavailableInstall
from harness.process import Completed

NAME = "unavailable"
available = always_available
health_check = always_healthy
visible_mounts = same_mounts


def install(manifest: Manifest, context: InstallContext) -> Env:
    assert isinstance(manifest.install, UnavailableInstall)
    raise ToolUnavailable(manifest.install.reason)


def run(env: Env, argv: list[str], mounts: Mounts, timeout: float) -> Completed:
    raise ToolUnavailable("unavailable tools are never run")
