"""The virtualenv backend: isolated, cached by content, atomic, and safe under races.

A wheel built here in a temporary directory stands for a tool, so these tests need
no network and no package index.
"""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pytest

from harness.backends import virtualenv
from harness.backends.base import InstallContext, InstallError
from harness.host import Host
from harness.manifest import Manifest
from harness.process import run_bounded


def make_wheel(directory: Path, version: str = "1.0") -> Path:
    """A minimal pure-Python wheel, the smallest thing pip and uv install."""
    wheel = directory / f"standin-{version}-py3-none-any.whl"
    info = f"standin-{version}.dist-info"
    files = {
        "standin/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: standin\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: rtcompat-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def manifest_for(requirement: str) -> Manifest:
    return Manifest.model_validate({
        "id": "standin", "name": "standin", "summary": "a stand-in tool for tests", "homepage": "https://example.org",
        "licence": "MIT", "section": "Beyond the source catalogue", "in_source_catalogue": False,
        "install": {"backend": "virtualenv", "packages": [requirement]},
    })


@pytest.fixture(params=["uv", "pip"])
def context(request, tmp_path) -> InstallContext:
    host = Host()
    if request.param == "pip":
        host.__dict__["uv"] = None  # cached_property: force the pip path
    elif not host.uv:
        pytest.skip("uv is not installed")
    return InstallContext(cache=tmp_path / "cache", host=host)


def test_a_fresh_environment_has_the_tool_and_reports_its_version(tmp_path, context):
    env = virtualenv.install(manifest_for(str(make_wheel(tmp_path))), context)
    assert env.version == "1.0" and not env.reused
    assert virtualenv.health_check(env) is None
    done = virtualenv.run(env, [env.placeholders["python"], "-c", "import standin; print(standin.VERSION)"],
                          _mounts(tmp_path), timeout=60)
    assert done.stdout.strip() == "1.0"


def test_the_second_install_reuses_the_cache_and_a_changed_spec_rebuilds(tmp_path, context):
    wheel = make_wheel(tmp_path)
    first = virtualenv.install(manifest_for(str(wheel)), context)
    again = virtualenv.install(manifest_for(str(wheel)), context)
    assert again.reused and again.location == first.location
    newer_dir = tmp_path / "newer"
    newer_dir.mkdir()
    changed = virtualenv.install(manifest_for(str(make_wheel(newer_dir, "2.0"))), context)
    assert not changed.reused and changed.version == "2.0"


def test_a_failed_install_is_an_error_and_publishes_nothing(tmp_path, context):
    with pytest.raises(InstallError):
        virtualenv.install(manifest_for(str(tmp_path / "missing-1.0-py3-none-any.whl")), context)
    envs = context.cache / "envs"
    assert not (envs / "standin").exists()
    assert not [p for p in envs.iterdir() if p.is_dir()]


def test_two_racing_installs_build_once(tmp_path, context):
    wheel = make_wheel(tmp_path)
    outcomes = []

    def install():
        outcomes.append(virtualenv.install(manifest_for(str(wheel)), context).reused)

    threads = [threading.Thread(target=install) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]


def test_pip_index_settings_become_uv_options():
    config = {"index-url": "https://mirror/simple", "extra-index-url": "file:///a file:///b",
              "find-links": "/opt/wheels", "constraint": "/etc/c.txt", "no-index": "false"}
    assert virtualenv.uv_index_options(config) == [
        "--index-url", "https://mirror/simple", "--extra-index-url", "file:///a", "--extra-index-url", "file:///b",
        "--find-links", "/opt/wheels", "--constraint", "/etc/c.txt", "--index-strategy", "unsafe-best-match"]


def _mounts(tmp_path):
    from harness.backends.base import Mounts

    (tmp_path / "out").mkdir(exist_ok=True)
    return Mounts(fixture=tmp_path, output=tmp_path / "out", checks=tmp_path)


@pytest.mark.parametrize("shared", [True, False], ids=["system-site-packages", "isolated"])
def test_an_environment_sees_the_systems_python_packages_only_when_asked(tmp_path, context, shared):
    """dicompyler's main branch needs Debian's wxPython (python3-wxgtk4.0): its venv shares
    /usr/lib/python3/dist-packages; every other tool's stays isolated from it."""
    target = tmp_path / "venv"
    virtualenv.build_environment(target, target, "/usr/bin/python3", [str(make_wheel(tmp_path))], context.host.uv,
                                 system_site_packages=shared)
    done = run_bounded([str(target / "bin" / "python"), "-c", "import sys; print(sys.path)"], timeout=60)
    assert ("/usr/lib/python3/dist-packages" in done.stdout) == shared


def test_a_reused_environment_lists_its_distributions_without_an_interpreter_until_they_change(
        tmp_path, context, monkeypatch):
    wheel = make_wheel(tmp_path)
    first = virtualenv.install(manifest_for(str(wheel)), context)
    started = []
    real = virtualenv.run_bounded

    def counting(argv, *args, **kwargs):
        started.append(argv)
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(virtualenv, "run_bounded", counting)
    again = virtualenv.install(manifest_for(str(wheel)), context)
    assert again.reused and again.dependencies == first.dependencies and again.version == "1.0"
    assert not [argv for argv in started if "importlib.metadata" in " ".join(argv)]
    # a version changed in place, then a distribution added: each is listed afresh
    site = next(first.location.glob("lib/python*/site-packages"))
    metadata = site / "standin-1.0.dist-info" / "METADATA"
    metadata.write_text(metadata.read_text().replace("Version: 1.0", "Version: 1.0.post1"))
    assert virtualenv.install(manifest_for(str(wheel)), context).version == "1.0.post1"
    added = site / "extra-3.2.dist-info"
    added.mkdir()
    (added / "METADATA").write_text("Metadata-Version: 2.1\nName: Extra\nVersion: 3.2\n")
    assert virtualenv.install(manifest_for(str(wheel)), context).dependencies["extra"] == "3.2"
    assert len([argv for argv in started if "importlib.metadata" in " ".join(argv)]) == 2
    # an environment that sees the system's packages is listed every time (apt may change those)
    config = first.location / "pyvenv.cfg"
    config.write_text(config.read_text().replace("include-system-site-packages = false",
                                                 "include-system-site-packages = true"))
    for _ in range(2):
        virtualenv.install(manifest_for(str(wheel)), context)
    assert len([argv for argv in started if "importlib.metadata" in " ".join(argv)]) == 4


def test_an_environment_that_sees_the_systems_packages_is_listed_each_time(tmp_path):
    location = tmp_path / "env"
    location.mkdir()
    (location / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = true\n")
    assert virtualenv._sees_system_packages(location)
    (location / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = false\n")
    assert not virtualenv._sees_system_packages(location)
