"""The ``container`` backend: argument construction and keys without an engine; isolation
proved against a real one (``-m engine``).

The engine tests bring an engine up in the harness cache's ``engine/`` (reused when one
answers, stopped at the end only when this session started it), build the base image
and the dcmtk demo image (both cached by content key, so a second run takes seconds),
and then show each promise of ``run`` by trying to break it from inside.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from harness import engine
from harness.backends import container
from harness.backends.base import Env, InstallContext, Mounts, SkipTool
from harness.host import Host
from harness.manifest import Manifest
from harness.paths import cache_dir

ROOT = Path(__file__).resolve().parents[2]
DCMTK_MANIFEST = ROOT / "tool_manifests" / "dcmtk.yaml"
REFERENCE = ROOT / "fixtures" / "dicom" / "reference"


def _manifest(memory: str = "256m", pids: int = 64, **version) -> Manifest:
    return Manifest.model_validate({
        "id": "dcmtk", "name": "DCMTK", "summary": "OFFIS DICOM toolkit command-line programs.",
        "homepage": "https://dicom.offis.de/dcmtk", "licence": "BSD-3-Clause",
        "section": "Beyond the source catalogue", "in_source_catalogue": False,
        "install": {"backend": "container", "dockerfile": "Dockerfile", "memory": memory, "pids": pids},
        "version": version or {"debian_package": "dcmtk"},
    })


def _details(**extra) -> dict[str, str]:
    return {"docker_url": "unix:///nowhere.sock", "tool": "dcmtk", "image": "rtcompat/dcmtk:k",
            "image_id": "sha256:0", "user": "rtcompat", "memory": "256m", "pids": "64", **extra}


# --- without an engine ----------------------------------------------------------------


def test_options_lock_the_container_down(tmp_path):
    mounts = Mounts(fixture=tmp_path / "f", output=tmp_path / "o", checks=tmp_path / "c")
    options = container.container_options(_details(), mounts)
    assert options["network_mode"] == "none"
    assert options["cap_drop"] == ["ALL"]
    assert options["security_opt"] == ["no-new-privileges"]
    assert options["read_only"] is True and "/tmp" in options["tmpfs"]
    assert options["user"] == "rtcompat"
    assert options["mem_limit"] == options["memswap_limit"] == "256m"
    assert options["pids_limit"] == 64
    volumes = options["volumes"]
    assert volumes[str(tmp_path / "f")] == {"bind": "/fixture", "mode": "ro"}
    assert volumes[str(tmp_path / "c")] == {"bind": "/checks", "mode": "ro"}
    assert volumes[str(tmp_path / "o")] == {"bind": "/output", "mode": "rw"}
    assert options["working_dir"] == "/output"


def test_options_without_mounts_bind_nothing():
    assert "volumes" not in container.container_options(_details(), None)


def test_visible_mounts_are_the_container_paths(tmp_path):
    env = Env(tool_id="dcmtk", backend="container", location=None)
    seen = container.visible_mounts(env, Mounts(tmp_path, tmp_path, tmp_path))
    assert seen == Mounts(fixture=Path("/fixture"), output=Path("/output"), checks=Path("/checks"))


def _context_dir(tmp_path: Path) -> Path:
    tool = tmp_path / "dcmtk"
    (tool / "checks").mkdir(parents=True)
    (tool / "Dockerfile").write_text("FROM rtcompat/debian-base:bookworm\n")
    (tool / "checks" / "read.sh").write_text("dcmdump x\n")
    return tool


def test_image_key_follows_dockerfile_and_base_not_checks(tmp_path):
    tool = _context_dir(tmp_path)
    key = container.tool_image_key(tool, "Dockerfile", "sha256:base1")
    (tool / "checks" / "read.sh").write_text("dcmdump y\n")
    assert container.tool_image_key(tool, "Dockerfile", "sha256:base1") == key
    assert container.tool_image_key(tool, "Dockerfile", "sha256:base2") != key
    (tool / "Dockerfile").write_text("FROM rtcompat/debian-base:bookworm\nRUN true\n")
    assert container.tool_image_key(tool, "Dockerfile", "sha256:base1") != key
    assert container.tool_tag("dcmtk", key) == f"rtcompat/dcmtk:{key}"


def test_context_is_exactly_the_keyed_files(tmp_path):
    tool = _context_dir(tmp_path)
    (tool / "helper.py").write_text("print(1)\n")
    names = [str(p.relative_to(tool)) for p in container.context_files(tool)]
    assert names == ["Dockerfile", "helper.py"]


def test_sources_become_deb_lines_for_the_suite(tmp_path):
    sources = tmp_path / "debian.sources"
    sources.write_text(
        "Types: deb\n# a comment\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main contrib\n\nTypes: deb-src\nURIs: http://src.example\nSuites: bookworm\n"
        "Components: main\n\nTypes: deb\nURIs: http://old.example\nSuites: bullseye\nComponents: main\n"
    )
    assert container.read_sources(sources) == [
        "deb http://mirror.example/debian bookworm main contrib",
        "deb http://mirror.example/debian bookworm-updates main contrib",
    ]
    assert container.read_sources(tmp_path / "absent") == ["http://deb.debian.org/debian"]


def test_another_suite_comes_from_the_same_mirrors(tmp_path):
    """ITK-SNAP 3.6 is packaged by bullseye only: its base image is bullseye from the
    mirrors the host uses for bookworm, each pocket mapped to bullseye's."""
    sources = tmp_path / "debian.sources"
    sources.write_text(
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n"
        "Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\nComponents: main\n"
    )
    assert container.read_sources(sources, suite="bullseye") == [
        "deb http://mirror.example/debian bullseye main",
        "deb http://mirror.example/debian bullseye-updates main",
        "deb http://security.example/debian-security bullseye-security main",
    ]
    argv = container.mmdebstrap_argv(container.read_sources(sources, suite="bullseye"), [], "bullseye")
    assert argv[argv.index("-") - 1] == "bullseye"
    # bullseye's /usr is not merged: the merged-usr hook would fail the build
    assert not any("merged-usr" in part for part in argv)


@pytest.mark.parametrize(("dockerfile", "suite"), [
    ("FROM rtcompat/debian-base:bullseye\nRUN true\n", "bullseye"),
    ("# base\nfrom rtcompat/debian-base:Trixie\n", "trixie"),
    ("FROM rtcompat/debian-base:bookworm\n", "bookworm"),
    ("FROM debian:bullseye\n", "bookworm"),  # not our base: the host's suite, as before
    ("RUN echo FROM rtcompat/debian-base:bullseye-backports\n", "bookworm"),
])
def test_the_dockerfile_names_the_suite_of_its_base(dockerfile, suite):
    assert container.base_suite(dockerfile) == suite


def test_mmdebstrap_writes_a_minbase_tarball():
    argv = container.mmdebstrap_argv(["deb http://m/debian bookworm main"], ['Acquire::Check-Date "false"'])
    assert argv[:2] == ["mmdebstrap", "--variant=minbase"]
    assert argv[-3:] == ["bookworm", "-", "deb http://m/debian bookworm main"]
    assert '--aptopt=Acquire::Check-Date "false"' in argv
    assert container._with_output(argv, Path("/dev/shm/x.tar"))[-2] == "/dev/shm/x.tar"


def test_version_query(tmp_path):
    assert container.version_argv(_manifest()) == ["dpkg-query", "-W", "-f=${Version}", "dcmtk"]
    by_command = _manifest(command=["{python}", "-V"], pattern=r"Python (\S+)")
    assert container.version_argv(by_command) == ["python3", "-V"]
    assert container.parse_version("Python 3.11.2\n", r"Python (\S+)") == "3.11.2"
    assert container.parse_version("\n3.6.7\nmore", None) == "3.6.7"


def test_no_engine_is_a_skip_with_the_command(monkeypatch, tmp_path):
    host = Host(engine_dir=tmp_path)
    host.__dict__["docker_url"] = None  # as probed: nothing answers
    assert container.available(host) == container.NO_ENGINE
    with pytest.raises(SkipTool) as raised:
        container.install(_manifest(), InstallContext(cache=tmp_path, host=host, manifest_path=DCMTK_MANIFEST))
    assert raised.value.command == container.START_ENGINE
    assert "rtcompat engine up" in raised.value.reason


def test_engine_gone_at_run_time_is_a_testbed_error(tmp_path):
    env = Env(tool_id="dcmtk", backend="container", location=None,
              details=_details(docker_url=f"unix://{tmp_path}/gone.sock"))
    mounts = Mounts(fixture=tmp_path, output=tmp_path / "out", checks=tmp_path)
    with pytest.raises(container.EngineError):
        container.run(env, ["true"], mounts, timeout=10)


def test_engine_error_is_an_install_error():
    from harness.backends.base import InstallError

    assert issubclass(container.EngineError, InstallError)
    assert issubclass(container.EngineError, engine.EngineError)


# --- against a real engine ------------------------------------------------------------


def _engine_skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "container engine tests need root (to start dockerd)"
    if shutil.which("dockerd") is None:
        return "dockerd is not installed (apt-get install docker.io)"
    if shutil.which("mmdebstrap") is None:
        return "mmdebstrap is not installed (apt-get install mmdebstrap eatmydata)"
    return None


@pytest.fixture(scope="session")
def live_engine():
    reason = _engine_skip_reason()
    if reason:
        pytest.skip(reason)
    state = engine.up(engine.default_dir())
    yield state
    if state.started:
        engine.down(engine.default_dir())


@pytest.fixture(scope="session")
def dcmtk_env(live_engine):
    start = time.monotonic()
    manifest = _manifest(memory="256m", pids=64)
    context = InstallContext(cache=cache_dir(), host=Host(engine_dir=engine.default_dir()),
                             manifest_path=DCMTK_MANIFEST)
    env = container.install(manifest, context)
    print(f"\ndcmtk image {env.details['image']} ({env.details['source']}) in {time.monotonic() - start:.1f} s")
    assert container.health_check(env) is None
    return env


@pytest.fixture
def mounts(tmp_path):
    fixture = tmp_path / "fixture"
    fixture.mkdir()
    (fixture / "note.txt").write_text("read me\n")
    return Mounts(fixture=fixture, output=tmp_path / "output", checks=ROOT / "tool_manifests" / "dcmtk")


def _sh(env: Env, mounts: Mounts, script: str, timeout: float = 60):
    return container.run(env, ["sh", "-c", script], mounts, timeout)


def _our_containers(env: Env) -> list:
    import docker

    client = docker.DockerClient(base_url=env.details["docker_url"])
    try:
        owner = f"{container.OWNER_LABEL}={container._owner()}"
        return client.containers.list(all=True, filters={"label": [owner, "org.rtcompat.tool=dcmtk"]})
    finally:
        client.close()


@pytest.mark.engine
def test_install_reports_image_and_version(dcmtk_env):
    assert dcmtk_env.details["image"].startswith("rtcompat/dcmtk:")
    assert dcmtk_env.details["image_id"].startswith("sha256:")
    assert dcmtk_env.version and dcmtk_env.version.startswith("3.6")


@pytest.mark.engine
def test_reinstall_reuses_the_tagged_image(dcmtk_env):
    context = InstallContext(cache=cache_dir(), host=Host(engine_dir=engine.default_dir()),
                             manifest_path=DCMTK_MANIFEST)
    again = container.install(_manifest(), context)
    assert again.reused and again.details["image_id"] == dcmtk_env.details["image_id"]


@pytest.mark.engine
def test_base_image_is_reused_by_key(live_engine):
    import docker

    client = docker.DockerClient(base_url=live_engine.url)
    try:
        start = time.monotonic()
        first = container.ensure_base_image(client)
        assert container.ensure_base_image(client) == first
        labels = client.images.get(container.BASE_IMAGE).attrs["Config"]["Labels"]
        assert labels[container.KEY_LABEL]
        assert client.images.get(container.BASE_IMAGE).attrs["Config"]["Cmd"] == ["bash"]
        print(f"\nbase image ready in {time.monotonic() - start:.1f} s")
    finally:
        client.close()


@pytest.mark.engine
def test_streams_and_exit_code_are_separate(dcmtk_env, mounts):
    done = _sh(dcmtk_env, mounts, "echo out; echo err >&2; exit 3")
    assert (done.stdout, done.stderr, done.returncode, done.timed_out) == ("out\n", "err\n", 3, False)


@pytest.mark.engine
def test_no_network(dcmtk_env, mounts):
    done = _sh(dcmtk_env, mounts, "getent hosts deb.debian.org; echo rc=$?; "
                                  "python3 -c 'import socket; socket.create_connection((\"1.1.1.1\", 80), 3)'")
    assert "rc=2" in done.stdout  # getent: key not found (no resolver reachable)
    assert done.returncode != 0 and "Network is unreachable" in done.stderr
    interfaces = _sh(dcmtk_env, mounts, "cat /proc/net/dev").stdout
    assert "lo:" in interfaces and "eth0" not in interfaces


@pytest.mark.engine
def test_fixture_and_root_read_only_output_and_tmp_writable(dcmtk_env, mounts):
    done = _sh(dcmtk_env, mounts, "cat /fixture/note.txt; touch /fixture/x; echo fixture=$?; "
                                  "touch /etc/x; echo root=$?; touch /tmp/x; echo tmp=$?; "
                                  "echo written > /output/result.txt; echo output=$?")
    assert "read me" in done.stdout
    assert "fixture=1" in done.stdout and "root=1" in done.stdout
    assert "tmp=0" in done.stdout and "output=0" in done.stdout
    assert "Read-only file system" in done.stderr
    assert (mounts.output / "result.txt").read_text() == "written\n"
    assert not (mounts.fixture / "x").exists()


@pytest.mark.engine
def test_runs_as_the_manifest_user_without_privileges(dcmtk_env, mounts):
    done = _sh(dcmtk_env, mounts, "id -u; id -un; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status")
    lines = done.stdout.split()
    assert lines[:2] == ["1000", "rtcompat"]
    assert "0000000000000000" in done.stdout and "NoNewPrivs:\t1" in done.stdout


@pytest.mark.engine
def test_memory_limit_kills(dcmtk_env, mounts):
    done = _sh(dcmtk_env, mounts, "python3 -c 'x = bytearray(1024 * 1024 * 1024); print(len(x))'")
    assert done.returncode != 0 and "1073741824" not in done.stdout
    assert done.signalled == 9 or "MemoryError" in done.stderr


@pytest.mark.engine
def test_pids_limit(dcmtk_env, mounts):
    spawn = ("import subprocess\n"
             "children = []\n"
             "try:\n"
             "    for _ in range(200):\n"
             "        children.append(subprocess.Popen(['sleep', '30']))\n"
             "except OSError as exc:\n"
             "    print('refused', exc.errno)\n"
             "print('started', len(children))\n"
             "[c.kill() for c in children]\n")
    done = container.run(dcmtk_env, ["python3", "-c", spawn], mounts, 60)
    assert "refused 11" in done.stdout  # EAGAIN from fork
    assert int(done.stdout.split("started ")[1]) < 64


@pytest.mark.engine
def test_timeout_kills_and_removes(dcmtk_env, mounts):
    start = time.monotonic()
    done = _sh(dcmtk_env, mounts, "echo begun; sleep 600", timeout=2)
    assert done.timed_out and done.signalled == 9
    assert done.stdout == "begun\n"
    assert time.monotonic() - start < 20
    assert _our_containers(dcmtk_env) == []


@pytest.mark.engine
def test_output_is_capped(dcmtk_env, mounts):
    done = container.run_in_image(dcmtk_env, ["sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a"],
                                  timeout=60, output_limit=100_000)
    assert len(done.stdout) == 100_000 and done.stdout_bytes == 3_000_000 and done.output_truncated


@pytest.mark.engine
def test_interrupt_and_engine_loss_still_remove_the_container(dcmtk_env, mounts, monkeypatch):
    import docker.models.containers
    import requests

    def interrupted(self, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(docker.models.containers.Container, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _sh(dcmtk_env, mounts, "sleep 600")
    assert _our_containers(dcmtk_env) == []

    def lost(self, **kwargs):
        raise requests.exceptions.ConnectionError("Connection aborted")

    monkeypatch.setattr(docker.models.containers.Container, "wait", lost)
    with pytest.raises(container.EngineError, match="stopped answering"):
        _sh(dcmtk_env, mounts, "sleep 600")
    assert _our_containers(dcmtk_env) == []


@pytest.mark.engine
@pytest.mark.skipif(not (REFERENCE / "RD.dcm").exists(), reason="reference fixture set not built yet")
def test_dcmtk_check_reads_the_reference_headers(dcmtk_env, tmp_path):
    mounts = Mounts(fixture=REFERENCE, output=tmp_path / "out", checks=ROOT / "tool_manifests" / "dcmtk")
    start = time.monotonic()
    done = container.run(dcmtk_env, ["sh", "/checks/checks/read_headers.sh", "/fixture"], mounts, 120)
    print(f"\nread_headers.sh in the container: {time.monotonic() - start:.1f} s")
    assert done.returncode == 0, done.stderr
    observed = json.loads(done.stdout)
    truth = json.loads((REFERENCE / "truth.json").read_text())["quantities"]
    for key in ("dose.rows", "dose.columns", "dose.frames", "dose.pixel_spacing_mm", "dose.scaling",
                "dose.units", "plan.beam_count", "plan.beam_names", "plan.gantry_angles_deg",
                "rtstruct.roi_names", "rtstruct.roi_count", "ct.image_count", "ct.rows", "ct.columns"):
        assert observed[key] == truth[key]["value"], key


class _FakeImages:
    def __init__(self, pull_error=None):
        self.pull_error = pull_error

    def get(self, name):
        import docker

        raise docker.errors.ImageNotFound(name)

    def pull(self, name):
        raise self.pull_error


def test_unpullable_image_without_dockerfile_is_a_skip():
    import docker

    client = type("Client", (), {"images": _FakeImages(docker.errors.APIError("no route to registry"))})()
    with pytest.raises(SkipTool, match="could not be pulled"):
        container._pulled(client, "example/tool:1", must=True)
    assert container._pulled(client, "example/tool:1", must=False) is None  # the Dockerfile stands in


@pytest.mark.engine
@pytest.mark.skipif("PYTEST_XDIST_WORKER" in os.environ, reason="stops the shared engine: not under xdist")
def test_engine_stopping_mid_run_is_an_engine_error(dcmtk_env, live_engine, mounts):
    """Kept last: it stops the engine this session uses, then brings it back."""
    import threading

    if not live_engine.managed:
        pytest.skip("the engine was not started by rtcompat; not ours to stop")
    stopper = threading.Timer(2.0, engine.down, args=(engine.default_dir(),))
    stopper.start()
    try:
        with pytest.raises(container.EngineError):
            _sh(dcmtk_env, mounts, "echo begun; sleep 600", timeout=60)
    finally:
        stopper.join()
        engine.up(engine.default_dir())
    _sh(dcmtk_env, mounts, "true")  # the next run sweeps what the dead engine kept
    assert _our_containers(dcmtk_env) == []
