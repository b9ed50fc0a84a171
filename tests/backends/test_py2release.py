"""A release whose install fails is examined before the failure is blamed on the testbed:
if its own modules do not compile under Python 3, that is the tool's failure, with the
file and line as evidence."""

from __future__ import annotations

import io
import tarfile

import pytest

from harness.backends import py2release


def sdist(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"oldtool-0.4.2/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def index(monkeypatch):
    served = {}
    monkeypatch.setattr(py2release, "_fetch_sdist",
                        lambda name, version, url, timeout: (served.get((name, version)), "oldtool-0.4.2.tar.gz"))
    return served


def test_a_python2_release_is_named_with_its_failing_lines(index):
    index[("oldtool", "0.4.2")] = sdist({
        "setup.py": "from distutils.core import setup\nsetup(name='oldtool')\n",
        "oldtool/dvh.py": "def f():\n    print 'dose'\n",
        "oldtool/io.py": "try:\n    pass\nexcept IOError, e:\n    pass\n",
        "oldtool/ok.py": "x = 1\n"})
    evidence = py2release.diagnose("oldtool==0.4.2")
    assert evidence.modules == 4 and [(p, line) for p, line, _ in evidence.failing] == [("oldtool/dvh.py", 2),
                                                                                         ("oldtool/io.py", 3)]
    assert evidence.describe().startswith("oldtool 0.4.2 is Python 2 code: 2 of its 4 modules do not compile under "
                                          "Python 3.")


def test_code_that_compiles_leaves_the_install_error_standing(index):
    index[("newtool", "1.0")] = sdist({"newtool/__init__.py": "print('fine')\n"})
    assert py2release.diagnose("newtool==1.0") is None


@pytest.mark.parametrize("requirement", ["oldtool>=0.4", "oldtool", "./wheels/oldtool-0.4.2.whl"])
def test_only_an_exact_pin_is_examined(index, requirement):
    index[("oldtool", "0.4.2")] = sdist({"a.py": "print 'x'\n"})
    assert py2release.diagnose(requirement) is None


def test_an_unreachable_index_is_no_evidence(monkeypatch):
    def unreachable(*args):
        raise OSError("Name or service not known")

    monkeypatch.setattr(py2release, "_fetch_sdist", unreachable)
    assert py2release.diagnose("oldtool==0.4.2") is None
