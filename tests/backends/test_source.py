"""The source backend: a pinned checkout from a local mirror, its version, its Python.

The "tool" is a two-file git repository made here and placed in a mirror directory,
the layout CERR, matRad and dicompyler use offline.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.backends import source
from harness.backends.base import InstallContext
from harness.host import Host
from harness.manifest import Manifest


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                               "HOME": str(cwd), "PATH": "/usr/bin:/bin"}).stdout.strip()


@pytest.fixture
def mirrored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A repository tagged "Python27" (as dicompyler's is), one commit past the tag."""
    repo = tmp_path / "mirror" / "someone+tool" / "repo"
    repo.mkdir(parents=True)
    git("init", "--quiet", cwd=repo)
    (repo / "tool.py").write_text("__version__ = '0.5.0'\n")
    git("add", ".", cwd=repo)
    git("commit", "--quiet", "-m", "one", cwd=repo)
    git("tag", "Python27", cwd=repo)
    (repo / "README").write_text("two\n")
    git("add", ".", cwd=repo)
    git("commit", "--quiet", "-m", "two", cwd=repo)
    monkeypatch.setenv("RTCOMPAT_MIRROR", str(tmp_path / "mirror"))
    return git("rev-parse", "HEAD", cwd=repo)


def manifest(commit: str, **extra) -> Manifest:
    return Manifest.model_validate({
        "id": "tool", "name": "Tool", "summary": "A tool checked out from source.", "homepage": "https://example.org",
        "licence": "MIT", "section": "Beyond the source catalogue", "in_source_catalogue": False,
        "install": {"backend": "source", "git": "https://github.com/someone/tool.git", "commit": commit},
        **extra})


def install(tmp_path: Path, one: Manifest):
    return source.install(one, InstallContext(cache=tmp_path / "cache", host=Host(), manifest_path=None,
                                              allow_apt=False))


def test_the_version_is_git_describe_of_the_checkout_by_default(tmp_path, mirrored):
    env = install(tmp_path, manifest(mirrored))
    assert env.version.startswith("Python27-1-g")
    assert env.dependencies["tool"] == mirrored


def test_a_version_command_asks_the_checkout_itself(tmp_path, mirrored):
    code = "import sys; sys.path.insert(0, '{tool_home}'); import tool; print('tool', tool.__version__)"
    asked = manifest(mirrored, version={"command": ["python3", "-c", code], "pattern": r"tool (\S+)"})
    assert install(tmp_path, asked).version == "0.5.0"


def test_a_version_command_that_fails_falls_back_to_git_describe(tmp_path, mirrored):
    broken = manifest(mirrored, version={"command": ["python3", "-c", "raise SystemExit(4)"]})
    assert install(tmp_path, broken).version.startswith("Python27-1-g")
