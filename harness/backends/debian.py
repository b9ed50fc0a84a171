"""The ``debian`` backend: tools as Debian packages them (imagej, plastimatch, dcmtk...).

No environment to build: the packages are the environment. When they are missing and
we may not install them, the tool is skipped with the exact ``apt-get`` line.
"""

from __future__ import annotations

import os
import re
import time

from harness import apt
from harness.backends.base import (
    Env,
    InstallContext,
    Mounts,
    always_healthy,
    check_environment,
    same_mounts,
)
from harness.host import Host
from harness.limits import check_limits
from harness.manifest import DebianInstall, Manifest
from harness.process import Completed, run_bounded

NAME = "debian"
DISPLAY_PACKAGES = ["xvfb", "xauth"]
health_check = always_healthy
visible_mounts = same_mounts


def available(host: Host) -> str | None:
    return None if host.apt_get else "no apt-get: not a Debian-based machine"


def install(manifest: Manifest, context: InstallContext) -> Env:
    spec = manifest.install
    assert isinstance(spec, DebianInstall)
    packages = [*spec.packages, *(DISPLAY_PACKAGES if spec.display else [])]
    start = time.monotonic()
    installed_now = apt.ensure(packages, context.host, context.allow_apt)
    versions = {p: apt.installed_version(p) or "?" for p in spec.packages}
    wanted = manifest.version.debian_package if manifest.version and manifest.version.debian_package else None
    return Env(
        tool_id=manifest.key, backend=NAME, location=None, version=versions.get(wanted or spec.packages[0]),
        reused=not installed_now, install_seconds=time.monotonic() - start, dependencies=versions,
        details={"display": "xvfb-run" if spec.display else "none",
                 **({"runtime": label} if (label := apt.runtime_label(versions)) else {})},
    )


def run(env: Env, argv: list[str], mounts: Mounts, timeout: float) -> Completed:
    if env.details.get("display") == "xvfb-run":
        argv = ["xvfb-run", "-a", "-n", str(first_display()), "-s", "-screen 0 1280x1024x24", *argv]
    return run_bounded(argv, timeout=timeout, env=check_environment({}, mounts), cwd=mounts.output,
                       limits=check_limits())


def first_display() -> int:
    """Where ``xvfb-run -a`` starts looking for a free display: 99, plus 100 per xdist
    worker, so two workers starting a server at the same moment never race for one."""
    worker = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
    return 99 + 100 * int(worker.group(1)) if worker else 99
