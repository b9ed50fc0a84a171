"""The ``virtualenv`` backend: one isolated environment per tool, cached by content.

uv builds the environment when it is present (ten times faster on cold installs than
pip here), else ``python -m venv`` and pip. uv ignores pip's configuration, so the
machine's pip index settings are translated into uv options: both must resolve the
same versions, or the report would describe an install nobody else gets.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from harness.backends import py2release
from harness.backends.base import (
    Env,
    InstallContext,
    InstallError,
    Mounts,
    ToolBroken,
    always_available,
    check_environment,
    same_mounts,
)
from harness.backends.py2release import Python2Evidence
from harness.limits import Containment, check_limits
from harness.manifest import Manifest, VirtualenvInstall
from harness.preload import SERVERS, ForkedChild, ServerGone, server_environment
from harness.process import Completed, Launcher, run_bounded
from harness.redact import tail
from harness.stat_memo import StatMemo
from harness.store import cached_build

NAME = "virtualenv"
INSTALL_TIMEOUT = 1800
# Bumped when the way environments are built changes (2: bytecode compiled at install,
# as pip does; checks run with PYTHONDONTWRITEBYTECODE and would recompile every import).
ENV_LAYOUT = 2
available = always_available
visible_mounts = same_mounts

_PIP_LIST_OPTIONS = {
    "index-url": "--index-url",
    "extra-index-url": "--extra-index-url",
    "find-links": "--find-links",
    "constraint": "--constraint",
}


def install(manifest: Manifest, context: InstallContext) -> Env:
    spec = _spec(manifest)
    interpreter = spec.python or sys.executable
    installer = "uv" if context.host.uv else "pip"
    key = {
        "tool": manifest.key, "backend": NAME, "packages": sorted(spec.packages),
        "interpreter": _interpreter_identity(interpreter), "layout": ENV_LAYOUT,
    }
    final = context.cache / "envs" / manifest.path_name
    final.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    try:
        location, reused = cached_build(
            final, key, lambda tmp: build_environment(tmp, final, interpreter, spec.packages, context.host.uv)
        )
    except InstallError as exc:
        evidence = _python2_evidence(spec.packages)
        if evidence is not None:
            # The diagnosis is the cause; how the installer then failed depends on the machine
            # (a DNS error offline, a setup.py error online) and would only blur it.
            raise ToolBroken(f"cannot install: {evidence.describe()}") from exc
        raise
    python = str(location / "bin" / "python")
    dependencies = _distributions(python, location, context.cache)
    version = _version(manifest, dependencies)
    return Env(
        tool_id=manifest.key, backend=NAME, location=location, version=version, reused=reused,
        install_seconds=time.monotonic() - start, dependencies=dependencies,
        variables={"VIRTUAL_ENV": str(location)}, placeholders={"python": python},
        details={"installer": installer if not reused else _recorded_installer(location),
                 "preload": list(spec.preload)},
    )


def health_check(env: Env) -> str | None:
    python = env.placeholders.get("python", "")
    if not Path(python).exists():
        return f"interpreter missing: {python}"
    done = run_bounded([python, "-c", "import sys; print(sys.version)"], timeout=60)
    if done.returncode != 0:
        return f"interpreter does not start: {done.launch_error or done.tail()}"
    return None


def run(env: Env, argv: list[str], mounts: Mounts, timeout: float) -> Completed:
    return run_bounded(argv, timeout=timeout, env=check_environment(_variables(env), mounts), cwd=mounts.output,
                       limits=check_limits(), launcher=_preloaded(env))


def _variables(env: Env) -> dict[str, str]:
    variables = dict(env.variables)
    variables["PATH"] = f"{env.location}/bin{os.pathsep}{os.environ.get('PATH', '')}"
    return variables


def _preloaded(env: Env) -> Launcher | None:
    """With ``preload`` in the manifest: a Python check program run as ``{python} {program}``
    is forked from the tool's preloading server instead of started afresh."""
    modules = tuple(env.details.get("preload") or ())
    python = env.placeholders.get("python")
    if not modules or not python:
        return None

    def launch(argv: list[str], environment: dict[str, str] | None, cwd: Path | None,
               sandbox: Containment | None) -> ForkedChild | None:
        if len(argv) < 2 or argv[0] != python or not argv[1].endswith(".py") or environment is None:
            return None  # a command of the manifest's own: run as written
        server = SERVERS.get(python, modules, server_environment(_variables(env)))
        if server is None:
            return None
        try:
            return server.spawn(argv, environment, cwd, sandbox.child_setup() if sandbox else {})
        except ServerGone:
            return None  # spawned the usual way: a server's trouble is never the check's
    return launch


def uv_index_options(pip_config: dict[str, str] | None = None) -> list[str]:
    """pip's index settings (config files and PIP_* variables) as uv options."""
    config = pip_config if pip_config is not None else read_pip_config()
    options: list[str] = []
    for name, flag in _PIP_LIST_OPTIONS.items():
        for value in config.get(name, "").split():
            options += [flag, value]
    if config.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        options.append("--no-index")
    return options + ["--index-strategy", "unsafe-best-match"]


def read_pip_config() -> dict[str, str]:
    """``pip config list`` flattened to option -> value; PIP_* variables win, as in pip."""
    try:
        listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True,
                                text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        listed = ""
    config: dict[str, str] = {}
    for line in listed.splitlines():
        name, _, value = line.partition("=")
        option = name.rsplit(".", 1)[-1]
        scope = name.rsplit(".", 1)[0]
        if scope in ("global", "install", ":env:") or scope.endswith(":env:"):
            config[option] = value.strip().strip("'\"")
    for var, value in os.environ.items():
        if var.startswith("PIP_"):
            config[var[4:].lower().replace("_", "-")] = value
    return config


def _python2_evidence(packages: list[str]) -> Python2Evidence | None:
    """Why an install failed, when the cause is the release itself (see py2release)."""
    index = read_pip_config().get("index-url") or py2release.SIMPLE_INDEX
    for requirement in packages:
        if (evidence := py2release.diagnose(requirement, index)) is not None:
            return evidence
    return None


def _spec(manifest: Manifest) -> VirtualenvInstall:
    assert isinstance(manifest.install, VirtualenvInstall)
    return manifest.install


def _interpreter_identity(interpreter: str) -> str:
    """The interpreter's path, version and machine: part of an environment's cache key. The
    harness's own interpreter answers without starting another."""
    if Path(interpreter).resolve() == Path(sys.executable).resolve():
        return f"{Path(interpreter).resolve()} {sys.version} {platform.machine()}"
    done = run_bounded([interpreter, "-c", "import sys, platform; print(sys.version, platform.machine())"],
                       timeout=60)
    if done.returncode != 0:
        raise InstallError(f"interpreter {interpreter} does not start: {done.launch_error or done.tail()}")
    return f"{Path(interpreter).resolve()} {done.stdout.strip()}"


def build_environment(target: Path, final: Path, interpreter: str, packages: list[str], uv: str | None,
                      system_site_packages: bool = False) -> None:
    """Build a virtualenv at ``target`` that will be published at ``final``; with
    ``system_site_packages`` it also sees the interpreter's own packages (Debian's
    ``python3-*``, e.g. wxPython, which PyPI has only as a source build)."""
    shared = ["--system-site-packages"] if system_site_packages else []
    if uv:
        steps = [[uv, "venv", "--quiet", "--relocatable", *shared, "--python", interpreter, str(target)],
                 [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(target / "bin" / "python"),
                  *uv_index_options(), *packages]]
        env = {**os.environ, **_uv_tls_environment()}
    else:
        steps = [[interpreter, "-m", "venv", *shared, str(target)],
                 [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", *packages]]
        env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    for argv in steps:
        done = run_bounded(argv, timeout=INSTALL_TIMEOUT, env=env)
        if done.returncode != 0 or done.timed_out:
            what = "timed out" if done.timed_out else (done.launch_error or error_lines(done.stderr or done.stdout))
            raise InstallError(f"{Path(argv[0]).name} {' '.join(argv[1:3])} failed: {what}")
    if not uv:
        _relocate_scripts(target, final)
    (target / ".installer").write_text("uv" if uv else "pip")


def error_lines(output: str, limit: int = 3) -> str:
    """The lines of an installer's output that say what went wrong, not the traceback frames."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    telling = [line for line in lines if re.search(r"error|failed|not found|no matching|unsatisfiable", line, re.I)
               and not line.startswith("File ")]
    return tail(" | ".join((telling or lines)[-limit:]), 800)


def _uv_tls_environment() -> dict[str, str]:
    cert = read_pip_config().get("cert")
    return {"SSL_CERT_FILE": cert} if cert else {}


def _relocate_scripts(target: Path, final: Path) -> None:
    """pip writes absolute shebangs; point them at the published location instead."""
    for script in (target / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            try:
                text = script.read_text()
            except UnicodeDecodeError:
                continue
            if text.startswith("#!") and str(target) in text.splitlines()[0]:
                script.write_text(text.replace(str(target), str(final), 1))


def _recorded_installer(location: Path) -> str:
    try:
        return (location / ".installer").read_text().strip() + " (cached)"
    except OSError:
        return "cached"


def _distributions(python: str, location: Path | None = None, cache: Path | None = None) -> dict[str, str]:
    """The environment's distributions and versions, as its own interpreter lists them;
    with ``cache``, remembered until the files that list is read from change (the
    ``*.dist-info`` and ``*.egg-info`` entries of its site-packages), so a reused
    environment does not start an interpreter each run to say the same. An environment
    that also sees the system's packages is listed each time (apt may change those)."""
    code = ("import json, importlib.metadata as m; "
            "print(json.dumps({d.metadata['Name'].lower(): d.version for d in m.distributions()}))")

    def listed() -> str:
        # -I: isolated, so the directory it runs from (the project, with its own metadata)
        # does not add itself to the environment's list of distributions
        done = run_bounded([python, "-I", "-c", code], timeout=120)
        try:
            found = json.loads(done.stdout)
        except ValueError:
            return ""
        return json.dumps(dict(sorted(found.items()))) if isinstance(found, dict) and found else ""

    if cache is None or location is None or _sees_system_packages(location):
        text = listed()
    else:
        memo = StatMemo(cache / DISTRIBUTIONS_MEMO)
        text = memo.value(f"distributions {location.resolve()}", location, listed, sign=metadata_signature)
    return json.loads(text) if text else {}


#: Where each reused environment's list of distributions is remembered (in the cache's top
#: directory, beside the fixture digests: not an entry of ``envs/`` that ``rtcompat cache`` lists).
DISTRIBUTIONS_MEMO = "env-distributions.json"


def metadata_signature(location: Path) -> str:
    """The status of what ``importlib.metadata`` reads in an environment: each site-packages
    directory (an entry added or removed moves its times) and each distribution's
    metadata file. Cheap: a few hundred ``stat`` calls, no interpreter."""
    digest = hashlib.sha256()
    for site in sorted(location.glob("lib*/python*/site-packages")):
        try:
            status = site.stat()
            digest.update(f"{site}:{status.st_ino},{status.st_mtime_ns},{status.st_ctime_ns}\n".encode())
            names = sorted(entry.name for entry in os.scandir(site)
                           if entry.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        for name in names:
            for metadata in ("METADATA", "PKG-INFO", ""):
                try:
                    status = (site / name / metadata).stat() if metadata else (site / name).stat()
                except OSError:
                    continue
                digest.update(f"{name}/{metadata}:{status.st_ino},{status.st_size},{status.st_mtime_ns},"
                              f"{status.st_ctime_ns}\n".encode())
                break
    return digest.hexdigest()


def _sees_system_packages(location: Path) -> bool:
    try:
        config = (location / "pyvenv.cfg").read_text()
    except OSError:
        return True  # not a venv we know: list it each time
    return bool(re.search(r"^\s*include-system-site-packages\s*=\s*true\s*$", config, re.MULTILINE | re.IGNORECASE))


def _version(manifest: Manifest, dependencies: dict[str, str]) -> str | None:
    wanted = manifest.version.distribution if manifest.version and manifest.version.distribution else None
    name = (wanted or requirement_name(_spec(manifest).packages[0])).lower()
    return dependencies.get(name) or dependencies.get(name.replace("_", "-"))


def requirement_name(requirement: str) -> str:
    """The distribution a requirement names: ``pydicom==3.0.1``, ``x[extra]>=1``, a wheel path."""
    if requirement.endswith(".whl"):
        return Path(requirement).name.split("-")[0]
    return re.split(r"[<>=!~\[;@ ]", requirement, maxsplit=1)[0]
