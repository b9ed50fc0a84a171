"""The ``source`` backend: a pinned git checkout run by a runtime such as Octave.

CERR and matRad are distributed as source trees, not packages. The checkout comes from
a local mirror first (so a machine without GitHub runs them once the mirror holds the
commit), from the network second; with neither, the tool is skipped with the command
that provides a mirror.
"""

from __future__ import annotations

import time
from pathlib import Path

from harness import apt
from harness.backends.base import (
    Env, InstallContext, InstallError, Mounts, SkipTool, check_environment, same_mounts,
)
from harness.host import Host
from harness.manifest import Manifest, SourceInstall
from harness.mirror import find_mirror, mirror_dirs, suggested_mirror_path
from harness.process import Completed, run_bounded
from harness.store import cached_build

NAME = "source"
GIT_TIMEOUT = 1800
visible_mounts = same_mounts


def available(host: Host) -> str | None:
    return None if host.git else "git is not installed (apt-get install git)"


def install(manifest: Manifest, context: InstallContext) -> Env:
    spec = manifest.install
    assert isinstance(spec, SourceInstall)
    start = time.monotonic()
    installed_now = apt.ensure(spec.runtime_packages, context.host, context.allow_apt)
    origin = _origin(spec, context.host)
    final = context.cache / "src" / manifest.id
    final.parent.mkdir(parents=True, exist_ok=True)
    key = {"tool": manifest.id, "backend": NAME, "git": spec.git, "commit": spec.commit}
    location, reused = cached_build(final, key, lambda tmp: _checkout(origin, spec.commit, tmp))
    runtime = {p: apt.installed_version(p) or "?" for p in spec.runtime_packages}
    return Env(
        tool_id=manifest.id, backend=NAME, location=location, version=_describe(location),
        reused=reused and not installed_now, install_seconds=time.monotonic() - start,
        dependencies={**runtime, manifest.id: spec.commit},
        variables={"RTCOMPAT_TOOL_HOME": str(location), **spec.environment},
        placeholders={"tool_home": str(location)}, details={"origin": origin},
    )


def health_check(env: Env) -> str | None:
    assert env.location is not None
    done = run_bounded(["git", "-C", str(env.location), "rev-parse", "HEAD"], timeout=60)
    return None if done.returncode == 0 else f"checkout is not a git tree: {done.tail()}"


def run(env: Env, argv: list[str], mounts: Mounts, timeout: float) -> Completed:
    return run_bounded(argv, timeout=timeout, env=check_environment(env.variables, mounts), cwd=mounts.output)


def _origin(spec: SourceInstall, host: Host) -> str:
    mirror = find_mirror(spec.git)
    if mirror:
        return str(mirror)
    if host.network:
        return spec.git
    searched = ", ".join(str(d) for d in mirror_dirs()) or "none configured"
    raise SkipTool(
        f"no local mirror of {spec.git} (searched: {searched}) and GitHub is unreachable",
        f"git clone --mirror {spec.git} {suggested_mirror_path(spec.git)} "
        "(then set RTCOMPAT_MIRROR to its parent directory)",
    )


def _checkout(origin: str, commit: str, target: Path) -> None:
    steps = [["git", "clone", "--quiet", "--no-checkout", origin, str(target / "tree")],
             ["git", "-C", str(target / "tree"), "checkout", "--quiet", "--detach", commit]]
    for argv in steps:
        done = run_bounded(argv, timeout=GIT_TIMEOUT)
        if done.returncode != 0 or done.timed_out:
            detail = "timed out" if done.timed_out else done.tail(lines=3)
            if "reference is not a tree" in detail or "did not match" in detail or "unable to read tree" in detail:
                raise SkipTool(f"{origin} does not hold commit {commit}",
                               f"git -C {origin} fetch origin  (on a machine with network)")
            raise InstallError(f"git {argv[1] if argv[1] != '-C' else argv[3]} failed: {detail}")
    # Move the work tree up so the checkout root is the published directory.
    for child in (target / "tree").iterdir():
        child.rename(target / child.name)
    (target / "tree").rmdir()


def _describe(location: Path) -> str | None:
    done = run_bounded(["git", "-C", str(location), "describe", "--tags", "--always"], timeout=60)
    return done.stdout.strip() or None
