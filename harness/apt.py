"""Debian packages: which are missing, and installing them when we may.

Shared by the ``debian`` backend and by runtimes other backends need (Octave for the
``source`` backend, Xvfb for GUI tools). Installing needs root and an explicit
permission (``--allow-apt``; CI passes it): a compatibility run must not change a
person's machine behind their back.
"""

from __future__ import annotations

import os
import shlex

from harness.backends.base import InstallError, SkipTool
from harness.host import Host
from harness.process import run_bounded

APT_TIMEOUT = 1800
#: How long apt-get waits for another apt client (unattended upgrades, a second run) to
#: release the dpkg lock before giving up: a busy lock is not a broken testbed.
LOCK_WAIT_SECONDS = 600
LOCK_OPTIONS = ["-o", f"DPkg::Lock::Timeout={LOCK_WAIT_SECONDS}"]


def installed_version(package: str) -> str | None:
    done = run_bounded(["dpkg-query", "-W", "-f=${Status}\t${Version}", package], timeout=60)
    status, _, version = done.stdout.partition("\t")
    return version.strip() if done.returncode == 0 and status.endswith(" installed") else None


def missing(packages: list[str]) -> list[str]:
    return [p for p in packages if installed_version(p) is None]


def install_command(packages: list[str]) -> str:
    return "sudo apt-get install -y --no-install-recommends " + " ".join(shlex.quote(p) for p in packages)


def ensure(packages: list[str], host: Host, allow_apt: bool) -> list[str]:
    """Make ``packages`` present; return the ones this call installed.

    Raises SkipTool when they are missing and we may not install them (the reason is
    the exact command), InstallError when apt itself fails (a testbed fault).
    """
    absent = missing(packages)
    if not absent:
        return []
    if not host.apt_get:
        raise SkipTool(f"Debian packages not installed: {' '.join(absent)}; this machine has no apt-get",
                       install_command(absent))
    if not (host.is_root and allow_apt):
        why = "not root" if not host.is_root else "installing was not allowed (pass --allow-apt)"
        raise SkipTool(f"Debian packages not installed: {' '.join(absent)} ({why})", install_command(absent))
    _apt(["apt-get", *LOCK_OPTIONS, "install", "-y", "--no-install-recommends", *absent], retry_after_update=True)
    still = missing(absent)
    if still:
        raise InstallError(f"apt-get reported success but {' '.join(still)} is still not installed")
    return absent


def _apt(argv: list[str], retry_after_update: bool) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = run_bounded(argv, timeout=APT_TIMEOUT, env=env)
    if done.returncode == 0 and not done.timed_out:
        return
    if retry_after_update:
        update = run_bounded(["apt-get", *LOCK_OPTIONS, "update", "-qq"], timeout=APT_TIMEOUT, env=env)
        if update.returncode != 0:
            raise InstallError(f"apt-get update failed (archive unreachable?): {update.tail(lines=3)}")
        return _apt(argv, retry_after_update=False)
    what = "timed out" if done.timed_out else done.tail(lines=4)
    raise InstallError(f"apt-get install failed: {what}")


#: Debian packages that are the runtime a tool runs on, and how the report names them.
RUNTIMES = {"octave": "GNU Octave"}


def runtime_label(versions: dict[str, str]) -> str | None:
    """``GNU Octave 7.3.0`` when a tool runs on a runtime worth naming in its row."""
    for package, name in RUNTIMES.items():
        version = versions.get(package)
        if version and version != "?":
            upstream = version.split(":")[-1].split("-")[0]
            return f"{name} {upstream}"
    return None
