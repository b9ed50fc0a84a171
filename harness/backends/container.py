"""The ``container`` backend: a tool in a locally built image, each check in a fresh container.

No registry is reachable on the test machines, so nothing starts from a public image:
the base (``rtcompat/debian-base:bookworm``) is made with ``mmdebstrap`` from the same
Debian mirror the host uses and imported into the engine, and each tool's image is
built from the Dockerfile beside its manifest. Images are tagged with a content key of
what built them, so an unchanged Dockerfile is never rebuilt and a changed one always is.

A check runs with the network off, the fixture and check programs read-only, only its
output directory writable, memory and process limits, no capabilities, a read-only
root filesystem and a non-root user: a tool that misbehaves can break its own result
and nothing else. Containers are removed whatever happens, Ctrl-C included.

The engine failing is the testbed's fault, never the tool's: every engine error becomes
:class:`EngineError` (an :class:`InstallError`), reported as ``error``, not ``fail``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import engine
from harness.backends.base import Env, InstallContext, InstallError, Mounts, SkipTool, parse_version
from harness.host import Host
from harness.manifest import ContainerInstall, Manifest, manifest_dir
from harness.paths import cache_dir
from harness.process import DEFAULT_OUTPUT_LIMIT, Completed
from harness.store import content_key, locked

NAME = "container"
SUITE = "bookworm"
BASE_REPOSITORY = "rtcompat/debian-base"
BASE_IMAGE = f"{BASE_REPOSITORY}:{SUITE}"
#: Suites released before /usr was merged: mmdebstrap's merged-usr hook fails on them.
SPLIT_USR_SUITES = ("stretch", "buster", "bullseye")
#: A Dockerfile ``FROM rtcompat/debian-base:<suite>`` gets that Debian suite built locally
#: (ITK-SNAP 3.6 is packaged by bullseye only); any other FROM gets the host's suite.
BASE_FROM = re.compile(rf"^\s*FROM\s+{re.escape(BASE_REPOSITORY)}:([a-z]+)\s*$", re.MULTILINE | re.IGNORECASE)
KEY_LABEL = "org.rtcompat.key"
OWNER_LABEL = "org.rtcompat.owner"  # host:pid of the harness process that ran the container
SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
HOOKS = Path("/usr/share/mmdebstrap/hooks")
INSIDE = Mounts(fixture=Path("/fixture"), output=Path("/output"), checks=Path("/checks"))
# What `docker import` cannot know from a bare root filesystem.
BASE_CHANGES = ('CMD ["bash"]', "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "ENV LANG=C.UTF-8")
EXCLUDED_FROM_IMAGE = ("checks",)  # mounted at run time, so editing a check never rebuilds
BUILD_TIMEOUT = 1800
BASE_TIMEOUT = 900
VERSION_TIMEOUT = 120
API_TIMEOUT = 120
TMP_SIZE = "512m"
NO_ENGINE = "container engine not running: run 'rtcompat engine up' (needs root and docker.io)"
START_ENGINE = "sudo rtcompat engine up"
_KILL_GRACE_SECONDS = 5
# Containers this process could not remove (the engine was gone); retried on the next call.
_unremoved: set[str] = set()


class EngineError(InstallError, engine.EngineError):
    """The engine failed under us (gone, refusing, out of space): a testbed error."""


def available(host: Host) -> str | None:
    return None if host.docker_url else NO_ENGINE


def visible_mounts(env: Env, mounts: Mounts) -> Mounts:
    return INSIDE


def install(manifest: Manifest, context: InstallContext) -> Env:
    spec = _spec(manifest)
    url = context.host.docker_url
    if url is None:
        raise SkipTool(NO_ENGINE, START_ENGINE)
    start = time.monotonic()
    with _engine_errors(), _client(url) as client:
        sweep_orphans(client)
        image, reused, source = _tool_image(client, manifest, spec, context)
        version = _version(client, image.id, manifest, spec)
    tag = image.tags[0] if image.tags else image.id
    return Env(
        tool_id=manifest.key, backend=NAME, location=None, version=version, reused=reused,
        install_seconds=time.monotonic() - start, dependencies={"image": tag},
        placeholders={"python": "python3"},
        details={"docker_url": url, "tool": manifest.key, "image": tag, "image_id": image.id, "source": source,
                 "user": spec.user, "memory": spec.memory, "pids": str(spec.pids)},
    )


def health_check(env: Env) -> str | None:
    """The image is still there and its user exists: otherwise every check would 'fail'."""
    try:
        done = run_in_image(env, ["id", "-u"], timeout=VERSION_TIMEOUT)
    except EngineError as exc:
        return str(exc)
    if done.returncode != 0:
        return f"image {env.details['image']} cannot run as {env.details['user']!r}: {done.tail()}"
    return None


def run(env: Env, argv: list[str], mounts: Mounts, timeout: float) -> Completed:
    _make_writable(mounts.output)
    return run_in_image(env, argv, timeout=timeout, mounts=mounts)


def run_in_image(env: Env, argv: list[str], timeout: float, mounts: Mounts | None = None,
                 output_limit: int = DEFAULT_OUTPUT_LIMIT) -> Completed:
    """Run ``argv`` in a fresh, locked-down container of ``env``'s image; always remove it."""
    options = container_options(env.details, mounts)
    with _engine_errors(), _client(env.details["docker_url"]) as client:
        return _run_container(client, env.details["image_id"], argv, options, timeout, output_limit)


def container_options(details: dict[str, str], mounts: Mounts | None) -> dict:
    """Keyword arguments for ``containers.create``: the isolation every check gets."""
    options = {
        "user": details["user"], "network_mode": "none", "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"], "read_only": True, "init": True,
        "mem_limit": details["memory"], "memswap_limit": details["memory"],
        "pids_limit": int(details["pids"]), "tmpfs": {"/tmp": f"rw,nosuid,nodev,size={TMP_SIZE},mode=1777"},
        "log_config": {"type": "none", "config": {}},  # output is streamed and capped, not stored
        "working_dir": "/tmp", "labels": {"org.rtcompat.tool": details.get("tool", ""), OWNER_LABEL: _owner()},
        "environment": {"HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"},
    }
    if mounts is not None:
        options["volumes"] = {
            str(mounts.fixture.resolve()): {"bind": str(INSIDE.fixture), "mode": "ro"},
            str(mounts.checks.resolve()): {"bind": str(INSIDE.checks), "mode": "ro"},
            str(mounts.output.resolve()): {"bind": str(INSIDE.output), "mode": "rw"},
        }
        options["working_dir"] = str(INSIDE.output)
        options["environment"].update(RTCOMPAT_FIXTURE=str(INSIDE.fixture), RTCOMPAT_OUTPUT=str(INSIDE.output))
    return options


# --- images -------------------------------------------------------------------------


def base_suite(dockerfile_text: str) -> str:
    """The Debian suite of the base image a Dockerfile starts from (the host's by default)."""
    found = BASE_FROM.search(dockerfile_text)
    return found.group(1).lower() if found else SUITE


def ensure_base_image(client, cache: Path | None = None, suite: str = SUITE) -> str:
    """The id of ``rtcompat/debian-base:<suite>``, built with mmdebstrap when missing or stale."""
    argv = mmdebstrap_argv(read_sources(suite=suite), _apt_options(), suite)
    key = content_key({"mmdebstrap": argv, "changes": BASE_CHANGES})
    image = f"{BASE_REPOSITORY}:{suite}"
    with locked((cache or cache_dir()) / "locks" / f"base-image-{suite}", timeout=BASE_TIMEOUT * 2):
        found = _image_with_key(client, image, key)
        if found is not None:
            return found.id
        return _import_base(client, argv, key, image)


def mmdebstrap_argv(sources: list[str], apt_options: list[str], suite: str = SUITE) -> list[str]:
    """mmdebstrap writing a tarball to stdout ("-"); the output path is appended at build time."""
    names = ("eatmydata",) if suite in SPLIT_USR_SUITES else ("eatmydata", "merged-usr")
    hooks = [f"--hook-dir={HOOKS / name}" for name in names if (HOOKS / name).is_dir()]
    return ["mmdebstrap", "--variant=minbase", "--format=tar", "--quiet", *hooks,
            *(f"--aptopt={option}" for option in apt_options), suite, "-", *sources]


def read_sources(path: Path = SOURCES, suite: str = SUITE) -> list[str]:
    """The host's deb822 sources as one-line ``deb`` entries for ``suite``: the host's own
    suites, or another suite from the same mirrors (``bookworm-security`` becomes
    ``bullseye-security``: a Debian mirror serves every suite it keeps)."""
    fallback = ["http://deb.debian.org/debian"]  # mmdebstrap pairs a bare mirror with the suite
    try:
        text = path.read_text()
    except OSError:
        return fallback
    lines: list[str] = []
    for stanza in re.split(r"\n\s*\n", text):
        fields = _deb822(stanza)
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes") == "no":
            continue
        for uri in fields.get("uris", "").split():
            for listed in fields.get("suites", "").split():
                host_suite, dash, pocket = listed.partition("-")
                if host_suite == SUITE:
                    lines.append(f"deb {uri} {suite}{dash}{pocket} {fields.get('components', 'main')}")
    return lines or fallback


def tool_image_key(context_dir: Path, dockerfile: str, base_id: str) -> str:
    """Content key of the build: the base image and every file sent as build context."""
    files = {str(path.relative_to(context_dir)): _file_digest(path) for path in context_files(context_dir)}
    return content_key({"base": base_id, "dockerfile": dockerfile, "files": files})


def tool_tag(tool_id: str, key: str) -> str:
    return f"rtcompat/{tool_id}:{key}"


def context_files(context_dir: Path) -> list[Path]:
    """Files of the build context, sorted; check programs are excluded (they are mounted)."""
    return sorted(
        path for path in context_dir.rglob("*")
        if path.is_file() and path.relative_to(context_dir).parts[0] not in EXCLUDED_FROM_IMAGE
    )


def _tool_image(client, manifest: Manifest, spec: ContainerInstall, context: InstallContext):
    """(image, reused, how it was obtained): pulled where a registry answers, else built."""
    if spec.image:
        pulled = _pulled(client, spec.image, must=spec.dockerfile is None)
        if pulled is not None:
            return pulled
    if context.manifest_path is None:
        raise InstallError(f"{manifest.key}: the container backend needs the manifest's path to find "
                           f"{spec.dockerfile}")
    context_dir = manifest_dir(context.manifest_path)
    if not (context_dir / spec.dockerfile).is_file():
        raise InstallError(f"{manifest.key}: no Dockerfile at {context_dir / spec.dockerfile}")
    suite = base_suite((context_dir / spec.dockerfile).read_text(errors="replace"))
    base_id = ensure_base_image(client, context.cache, suite)
    key = tool_image_key(context_dir, spec.dockerfile, base_id)
    tag = tool_tag(manifest.path_name, key)
    with locked(context.cache / "locks" / f"image-{manifest.path_name}", timeout=BUILD_TIMEOUT * 2):
        found = _image_with_key(client, tag, key)
        if found is not None:
            return found, True, "built (cached)"
        log = context.cache / "logs" / f"{manifest.path_name}-image.log"
        return _build(client, context_dir, spec.dockerfile, tag, key, log), False, "built"


def _pulled(client, image: str, must: bool):
    """A public image, present or pulled; None when unreachable and a Dockerfile can stand in."""
    import docker

    try:
        return client.images.get(image), True, "pulled (cached)"
    except docker.errors.ImageNotFound:
        pass
    try:
        return client.images.pull(image), False, "pulled"
    except docker.errors.APIError as exc:
        if must:
            raise SkipTool(f"image {image} could not be pulled ({_first_line(exc)}) and the manifest has "
                           "no dockerfile to build instead", f"docker pull {image}  (with registry access)") from exc
        return None


def _build(client, context_dir: Path, dockerfile: str, tag: str, key: str, log_path: Path):
    log_path.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    error = None
    stream = client.api.build(
        fileobj=_context_tar(context_dir), custom_context=True, dockerfile=dockerfile, tag=tag, rm=True,
        forcerm=True, pull=False, decode=True, labels={KEY_LABEL: key}, timeout=BUILD_TIMEOUT,
    )
    with open(log_path, "w", encoding="utf-8") as log:
        for chunk in stream:
            text = chunk.get("stream") or chunk.get("status") or ""
            error = chunk.get("error") or error
            log.write(text + (chunk.get("error", "") + "\n" if "error" in chunk else ""))
            lines.extend(text.splitlines())
    if error:
        tail = "\n".join([*lines[-8:], error.strip()])
        raise InstallError(f"docker build of {tag} failed (full log: {log_path}):\n{tail}")
    return client.images.get(tag)


def _context_tar(context_dir: Path) -> io.BytesIO:
    """The build context, exactly the files the key was computed over."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in context_files(context_dir):
            tar.add(path, arcname=str(path.relative_to(context_dir)), recursive=False)
    buffer.seek(0)
    return buffer


def _import_base(client, argv: list[str], key: str, image: str) -> str:
    """mmdebstrap into a tarball in memory-backed TMPDIR, then import it with CMD and label.

    Through a file rather than a pipe: a pipe would let a half-written tarball from a
    failed mmdebstrap become an image.
    """
    if shutil.which("mmdebstrap") is None:
        raise SkipTool("mmdebstrap is not installed (needed to build the base image without a registry)",
                       "apt-get install mmdebstrap eatmydata")
    tmp_root = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="rtcompat-base-", dir=tmp_root) as tmp:
        tarball = Path(tmp) / "rootfs.tar"
        env = {**os.environ, "TMPDIR": tmp}
        done = subprocess.run(_with_output(argv, tarball), env=env, capture_output=True, text=True,
                              timeout=BASE_TIMEOUT)
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-8:])
            raise InstallError(f"mmdebstrap failed building {image} (exit {done.returncode}):\n{tail}")
        repository, tag = image.split(":")
        client.api.import_image_from_file(str(tarball), repository=repository, tag=tag,
                                          changes=[*BASE_CHANGES, f'LABEL {KEY_LABEL}="{key}"'])
    return client.images.get(image).id


def _with_output(argv: list[str], tarball: Path) -> list[str]:
    """Replace the "-" target (stdout) with a file."""
    position = argv.index("-")
    return [*argv[:position], str(tarball), *argv[position + 1:]]


def _apt_options() -> list[str]:
    """Host apt settings the image needs to reach the same mirror (a snapshot's old Release)."""
    try:
        dump = subprocess.run(["apt-config", "dump"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    options = []
    for name in ("Acquire::Check-Valid-Until", "Acquire::Check-Date"):
        if f'{name} "false";' in dump:
            options.append(f'{name} "false"')
    return options


def _image_with_key(client, tag: str, key: str):
    import docker

    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return None
    labels = (image.attrs.get("Config") or {}).get("Labels") or {}
    return image if labels.get(KEY_LABEL) == key else None


# --- version ------------------------------------------------------------------------


def version_argv(manifest: Manifest) -> list[str] | None:
    query = manifest.version
    if query is None:
        return None
    if query.command:
        return [part.replace("{python}", "python3") for part in query.command]
    if query.debian_package:
        return ["dpkg-query", "-W", "-f=${Version}", query.debian_package]
    return None


def _version(client, image_id: str, manifest: Manifest, spec: ContainerInstall) -> str | None:
    argv = version_argv(manifest)
    if argv is None:
        return None
    details = {"user": spec.user, "memory": spec.memory, "pids": str(spec.pids), "tool": manifest.key}
    done = _run_container(client, image_id, argv, container_options(details, None), VERSION_TIMEOUT,
                          DEFAULT_OUTPUT_LIMIT)
    pattern = manifest.version.pattern if manifest.version else None
    return parse_version(done.stdout + "\n" + done.stderr, pattern)


# --- running ------------------------------------------------------------------------


def _run_container(client, image: str, argv: list[str], options: dict, timeout: float,
                   output_limit: int) -> Completed:
    if _unremoved:
        sweep_orphans(client)
    start, since = time.monotonic(), int(time.time()) - 1
    container = client.containers.create(image, command=argv, detach=True, **options)
    try:
        capture = _Attached(client, container.id, output_limit)
        container.start()
        status = _wait(container, timeout)
        timed_out = status is None
        if timed_out:
            container.kill()
            status = container.wait(timeout=API_TIMEOUT)
        elif _stopped_from_outside(client, container.id, since):
            raise EngineError("the check's container was stopped from outside (engine shutting down, or "
                              "docker stop/kill); result discarded")
        capture.join()
        state = client.api.inspect_container(container.id)["State"]
    finally:
        _remove(container)
    killed = timed_out or state.get("OOMKilled")
    note = f"\nrtcompat: out of memory (limit {options['mem_limit']}), killed\n" if state.get("OOMKilled") else ""
    return Completed(
        argv=tuple(argv), returncode=-9 if killed else status.get("StatusCode"), stdout=capture.stdout.text(),
        stderr=capture.stderr.text() + note, duration=time.monotonic() - start, timed_out=timed_out,
        stdout_bytes=capture.stdout.total, stderr_bytes=capture.stderr.total, output_truncated=capture.truncated,
    )


def _wait(container, timeout: float) -> dict | None:
    """The exit status, or None at the timeout (the engine still answering)."""
    import requests

    try:
        return container.wait(timeout=timeout)
    except requests.exceptions.ReadTimeout:
        return None
    except requests.exceptions.ConnectionError as exc:
        # Over a unix socket the SDK reports a read timeout as a ConnectionError.
        if "Read timed out" in str(exc):
            return None
        raise


def _stopped_from_outside(client, container_id: str, since: int) -> bool:
    """Whether the engine (shutting down) or someone else sent a stop or kill.

    A daemon going down stops its containers first, so the check "exits" 143 while the
    API still answers: without this, an engine restart would read as a tool failure.
    """
    events = client.api.events(since=since, until=int(time.time()) + 1, decode=True,
                               filters={"container": container_id, "event": ["kill", "stop"]})
    return any(True for _ in events)


class _Capped:
    """Keeps the first ``limit`` bytes of a stream and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.kept, self.total, self.chunks = limit, 0, 0, []

    def add(self, chunk: bytes | None) -> None:
        if not chunk:
            return
        self.total += len(chunk)
        room = self.limit - self.kept
        if room > 0:
            self.chunks.append(chunk[:room])
            self.kept += min(room, len(chunk))

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


class _Attached:
    """stdout and stderr, attached before start (nothing is missed) and read in a thread."""

    def __init__(self, client, container_id: str, limit: int):
        self.stdout, self.stderr = _Capped(limit), _Capped(limit)
        self.error: BaseException | None = None
        stream = client.api.attach(container_id, stdout=True, stderr=True, stream=True, demux=True)
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream: Iterator) -> None:
        try:
            for out, err in stream:
                self.stdout.add(out)
                self.stderr.add(err)
        except Exception as exc:  # the engine went away; wait() reports it
            self.error = exc

    def join(self) -> None:
        self._thread.join(timeout=_KILL_GRACE_SECONDS)

    @property
    def truncated(self) -> bool:
        return self.stdout.total > self.stdout.kept or self.stderr.total > self.stderr.kept


def _remove(container) -> None:
    """Force-remove; when the engine is gone, remember it for :func:`sweep_orphans`."""
    import docker

    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        _unremoved.discard(container.id)
    except Exception:
        _unremoved.add(container.id)
    else:
        _unremoved.discard(container.id)


def sweep_orphans(client) -> list[str]:
    """Remove check containers left by an engine that died under a run.

    Only those whose harness process is gone, or that this process failed to remove:
    a concurrent run's container (pytest-xdist) is never touched.
    """
    removed = []
    for found in client.containers.list(all=True, filters={"label": OWNER_LABEL}):
        if found.id in _unremoved or _owner_gone(found.labels.get(OWNER_LABEL, "")):
            _remove(found)
            removed.append(found.id)
    return removed


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_gone(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not Path(f"/proc/{pid}").exists()


def _make_writable(output: Path) -> None:
    """The check runs as the image's user (uid 1000), not as the invoker: let it write."""
    output.mkdir(parents=True, exist_ok=True)
    output.chmod(0o777)


# --- plumbing -----------------------------------------------------------------------


@contextmanager
def _client(url: str):
    import docker

    try:
        client = docker.DockerClient(base_url=url, timeout=API_TIMEOUT)
    except docker.errors.DockerException as exc:
        raise EngineError(f"container engine at {url} does not answer ({_first_line(exc)}): {START_ENGINE}") from exc
    try:
        yield client
    finally:
        client.close()


@contextmanager
def _engine_errors():
    """Engine failures (connection lost, API errors) become testbed errors, one line each."""
    import docker
    import requests

    try:
        yield
    except (SkipTool, InstallError):
        raise
    except requests.exceptions.ConnectionError as exc:
        raise EngineError(f"container engine stopped answering ({_first_line(exc)}); "
                          f"see {engine.log_path(engine.default_dir())}") from exc
    except docker.errors.DockerException as exc:
        raise EngineError(f"container engine error: {_first_line(exc)}") from exc


def _spec(manifest: Manifest) -> ContainerInstall:
    assert isinstance(manifest.install, ContainerInstall)
    return manifest.install


def _deb822(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in stanza.splitlines():
        if line.startswith("#") or ":" not in line or line[:1].isspace():
            continue
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return fields


def _file_digest(path: Path) -> str:
    return f"{oct(path.stat().st_mode & 0o777)}:{hashlib.sha256(path.read_bytes()).hexdigest()}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

