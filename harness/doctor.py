"""``rtcompat doctor``: what this machine can run, and the fix for what it cannot."""

from __future__ import annotations

import sys

from harness.backends import BACKENDS
from harness.host import Host
from harness.mirror import mirror_dirs


def needs_network() -> list[str]:
    """Tools whose manifests say they download themselves (restrictions.network)."""
    from harness.catalogue import installed, load_catalogue

    return [key for key, one in installed(load_catalogue()).items() if one.restrictions.network]


def diagnose(host: Host | None = None) -> list[str]:
    host = host or Host()
    facts = [
        ("interpreter", True, host.python, ""),
        ("uv", bool(host.uv), host.uv or "not found; environments fall back to venv + pip",
         f"{sys.executable} -m pip install uv"),
        ("root", host.is_root, "running as root" if host.is_root else "not root",
         "run as root to let --allow-apt install Debian packages"),
        ("apt", bool(host.apt_get), host.apt_get or "no apt-get", "a Debian-based machine"),
        ("container engine", bool(host.docker_url), host.docker_url or "no engine answers",
         "rtcompat engine up  (root; apt-get install docker.io)"),
        ("octave", bool(host.octave), host.octave or "not installed", "apt-get install octave octave-dicom"),
        ("display", bool(host.display or host.xvfb_run),
         host.display or (f"virtual via {host.xvfb_run}" if host.xvfb_run else "none"),
         "apt-get install xvfb xauth"),
        ("git", bool(host.git), host.git or "not installed", "apt-get install git"),
        ("network", host.network, "GitHub reachable" if host.network else "GitHub unreachable (offline)",
         "tools that download (" + (", ".join(needs_network()) or "none") + ") skip with their command; "
         + ("source checkouts come from the mirror below" if mirror_dirs() else
            "source checkouts need a mirror: set RTCOMPAT_MIRROR")),
        ("mirror", bool(mirror_dirs()), ", ".join(map(str, mirror_dirs())) or "none configured",
         "export RTCOMPAT_MIRROR=DIR (holding OWNER+NAME.git mirrors)"),
    ]
    lines = []
    for name, ok, detail, fix in facts:
        mark = "ok " if ok else "-- "
        lines.append(f"{mark} {name:17} {detail}" + ("" if ok or not fix else f"\n      fix: {fix}"))
    lines.append("")
    lines.append("backends:")
    for name, module in BACKENDS.items():
        reason = module.available(host)
        lines.append(f"{'ok ' if reason is None else '-- '} {name:17} {reason or 'available'}")
    return lines
