"""The ``source`` backend: a pinned git checkout run by a runtime such as Octave.

CERR and matRad are distributed as source trees, not packages. The checkout comes from
a local mirror first (so a machine without GitHub runs them once the mirror holds the
commit), from the network second; with neither, the tool is skipped with the command
that provides a mirror.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness import apt
from harness.backends import virtualenv
from harness.backends.base import (
    Env, InstallContext, InstallError, Mounts, SkipTool, check_environment, parse_version, same_mounts,
)
from harness.host import Host
from harness.manifest import Manifest, SourceInstall
from harness.mirror import find_mirror, mirror_dirs, owner_and_name, suggested_mirror_path
from harness.limits import check_limits
from harness.process import Completed, run_bounded
from harness.store import cached_build

NAME = "source"
GIT_TIMEOUT = 1800
VENV_DIR = ".rtcompat-venv"
DEPS_DIR = ".rtcompat-deps"
#: The interpreter Debian's python3-* packages are built for.
SYSTEM_PYTHON = "/usr/bin/python3"
visible_mounts = same_mounts


def available(host: Host) -> str | None:
    return None if host.git else "git is not installed (apt-get install git)"


def install(manifest: Manifest, context: InstallContext) -> Env:
    spec = manifest.install
    assert isinstance(spec, SourceInstall)
    start = time.monotonic()
    installed_now = apt.ensure(spec.runtime_packages, context.host, context.allow_apt)
    origin = _origin(spec.git, context.host)
    final = context.cache / "src" / manifest.path_name
    final.parent.mkdir(parents=True, exist_ok=True)
    key = {"tool": manifest.key, "backend": NAME, "git": spec.git, "commit": spec.commit,
           "python_packages": spec.python_packages, "python_sources": [s.model_dump() for s in spec.python_sources],
           **({"system_site_packages": True} if spec.system_site_packages else {})}
    location, reused = cached_build(final, key, lambda tmp: _build_tree(spec, origin, context.host, tmp, final))
    runtime = {p: apt.installed_version(p) or "?" for p in spec.runtime_packages}
    placeholders = {"tool_home": str(location)}
    if spec.python_packages or spec.python_sources:
        placeholders["python"] = str(location / VENV_DIR / "bin" / "python")
    return Env(
        tool_id=manifest.key, backend=NAME, location=location, version=_version(manifest, location, placeholders),
        reused=reused and not installed_now, install_seconds=time.monotonic() - start,
        dependencies={**runtime, manifest.id: spec.commit},
        variables={"RTCOMPAT_TOOL_HOME": str(location), **spec.environment},
        placeholders=placeholders,
        details={"origin": origin, **_absent_note(location),
                 **({"runtime": label} if (label := apt.runtime_label(runtime)) else {})},
    )


def _build_tree(spec: SourceInstall, origin: str, host: Host, tmp: Path, final: Path) -> None:
    """The checkout, and for a Python application its virtualenv beside it."""
    _checkout(origin, spec.commit, tmp)
    if not (spec.python_packages or spec.python_sources):
        return
    deps = tmp / DEPS_DIR
    local = []
    for source in spec.python_sources:
        target = deps / owner_and_name(source.git)[1]
        target.mkdir(parents=True)
        _checkout(_origin(source.git, host), source.commit, target)
        local.append(str(target))
    # Debian's packages belong to Debian's interpreter: a venv that shares them is built on it.
    interpreter = SYSTEM_PYTHON if spec.system_site_packages else sys.executable
    virtualenv.build_environment(tmp / VENV_DIR, final / VENV_DIR, interpreter,
                                 [*spec.python_packages, *local], host.uv,
                                 system_site_packages=spec.system_site_packages)
    shutil.rmtree(deps, ignore_errors=True)  # installed as copies; the checkouts are not needed


def health_check(env: Env) -> str | None:
    assert env.location is not None
    done = run_bounded(["git", "-C", str(env.location), "rev-parse", "HEAD"], timeout=60)
    return None if done.returncode == 0 else f"checkout is not a git tree: {done.tail()}"


def run(env: Env, argv: list[str], mounts: Mounts, timeout: float) -> Completed:
    return run_bounded(argv, timeout=timeout, env=check_environment(env.variables, mounts), cwd=mounts.output,
                       limits=check_limits())


def _origin(git: str, host: Host) -> str:
    mirror = find_mirror(git)
    if mirror:
        return str(mirror)
    if host.network:
        return git
    searched = ", ".join(str(d) for d in mirror_dirs()) or "none configured"
    raise SkipTool(
        f"no local mirror of {git} (searched: {searched}) and GitHub is unreachable",
        f"git clone --mirror {git} {suggested_mirror_path(git)} "
        "(then set RTCOMPAT_MIRROR to its parent directory)",
    )


def _checkout(origin: str, commit: str, target: Path) -> None:
    tree = target / "tree"
    _git(["clone", "--quiet", "--no-checkout", origin, str(tree)], origin, commit)
    absent = _absent_blobs(tree, commit)
    if absent:
        # Some mirrors omit their largest files; check out everything else and say so.
        _git(["-C", str(tree), "sparse-checkout", "set", "--no-cone", "/*", *(f"!/{p}" for p in absent)],
             origin, commit)
        (target / ".rtcompat-absent-files").write_text("\n".join(absent) + "\n")
    _git(["-C", str(tree), "checkout", "--quiet", "--detach", commit], origin, commit)
    # Move the work tree up so the checkout root is the published directory.
    for child in tree.iterdir():
        child.rename(target / child.name)
    tree.rmdir()


def _git(args: list[str], origin: str, commit: str) -> None:
    done = run_bounded(["git", *args], timeout=GIT_TIMEOUT)
    if done.returncode == 0 and not done.timed_out:
        return
    detail = "timed out" if done.timed_out else done.tail(lines=3)
    if any(s in detail for s in ("reference is not a tree", "did not match", "unable to read tree")):
        raise SkipTool(f"{origin} does not hold commit {commit}", f"git -C {origin} fetch origin  (with network)")
    raise InstallError(f"git {args[0] if args[0] != '-C' else args[2]} failed: {detail}")


def _absent_blobs(tree: Path, commit: str) -> list[str]:
    """Paths at ``commit`` whose content the mirror does not hold."""
    listing = run_bounded(["git", "-C", str(tree), "ls-tree", "-r", commit], timeout=GIT_TIMEOUT)
    blobs = {}
    for line in listing.stdout.splitlines():
        meta, _, path = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob":
            blobs.setdefault(parts[2], []).append(path)
    if not blobs:
        return []
    check = subprocess.run(["git", "-C", str(tree), "cat-file", "--batch-check"], input="\n".join(blobs) + "\n",
                           capture_output=True, text=True, timeout=GIT_TIMEOUT)
    missing = [line.split()[0] for line in check.stdout.splitlines() if line.endswith(" missing")]
    return sorted(path for oid in missing for path in blobs.get(oid, []))


def _version(manifest: Manifest, location: Path, placeholders: dict[str, str]) -> str | None:
    """What the manifest's version command prints (``{python}`` and ``{tool_home}`` filled
    in, run in the checkout), else ``git describe`` of the checkout."""
    query = manifest.version
    if query is not None and query.command:
        python = placeholders.get("python", "python3")
        argv = [part.replace("{python}", python).replace("{tool_home}", str(location)) for part in query.command]
        done = run_bounded(argv, timeout=60, cwd=location)
        if done.returncode == 0 and (found := parse_version(done.stdout, query.pattern)):
            return found
    return _describe(location)


def _describe(location: Path) -> str | None:
    done = run_bounded(["git", "-C", str(location), "describe", "--tags", "--always"], timeout=60)
    return done.stdout.strip() or None


def _absent_note(location: Path) -> dict[str, str]:
    try:
        absent = (location / ".rtcompat-absent-files").read_text().split()
    except OSError:
        return {}
    return {"absent_files": f"{len(absent)} files absent from the mirror (e.g. {absent[0]})"}
