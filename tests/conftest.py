"""Shared test helpers: a throw-away project tree with stand-in tools and a tiny fixture set.

The harness machinery is tested against stand-ins (shell programs run through the
``debian`` backend with an always-installed package), never against the real
tools; those run in the catalogue, marked ``catalogue``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# Harness runs inside the tests stay in one process unless a test asks for workers (-n):
# the stand-ins a test patches in live in this process, not in an xdist worker.
os.environ.setdefault("RTCOMPAT_WORKERS", "1")

TINY_TRUTH = {
    "schema_version": 1, "set": "tiny", "description": "stand-in set for harness tests",
    "quantities": {
        "ct.rows": {"value": 4, "tolerance": {"abs": 0}, "unit": "", "note": "rows"},
        "dose.max_gy": {"value": 70.0, "tolerance": {"rel": 0.03}, "unit": "Gy", "note": "max"},
        "plan.label": {"value": "TINY", "tolerance": {"abs": 0}, "unit": "", "note": "label"},
    },
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project tree (manifests dir, tiny fixture set) with its own cache."""
    (tmp_path / "tool_manifests").mkdir()
    tiny = tmp_path / "fixtures" / "dicom" / "tiny"
    tiny.mkdir(parents=True)
    (tiny / "truth.json").write_text(json.dumps(TINY_TRUTH))
    # A DICOM Part 10 file as far as the fixture guard can tell: a check sees it, unlike truth.json.
    (tiny / "data.dcm").write_bytes(b"\x00" * 128 + b"DICM" + b"\x00" * 64)
    monkeypatch.setenv("RTCOMPAT_ROOT", str(tmp_path))
    monkeypatch.setenv("RTCOMPAT_CACHE", str(tmp_path / "cache"))
    return tmp_path
