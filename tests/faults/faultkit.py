"""Helpers for the fault tests: a harness run in its own process, stand-in virtualenv tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]
# The harness in a process of its own, as a person starts it; SIGINT is restored to
# raise KeyboardInterrupt because a job started in the background may inherit it ignored.
RTCOMPAT = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from harness.cli import main; sys.exit(main(sys.argv[1:]))")
GOOD_JSON = 'echo \'{"ct.rows": 4, "dose.max_gy": 70.5}\''


def harness_process(project: Path, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "RTCOMPAT_ROOT": str(project), "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", RTCOMPAT, *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)


def results_by_key(path: Path) -> dict:
    data = json.loads(path.read_text())
    return {(tool["id"], check["id"]): check for tool in data["tools"] for check in tool["checks"]} | {
        (tool["id"], "install"): tool["install"] for tool in data["tools"]}


def make_wheel(directory: Path, payload: int = 0) -> Path:
    """A pure-Python wheel ``standin`` 1.0; ``payload`` bytes of incompressible data make it big."""
    wheel = directory / "standin-1.0-py3-none-any.whl"
    info = "standin-1.0.dist-info"
    files = {
        "standin/__init__.py": "VERSION = '1.0'\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: standin\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: rtcompat-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    blobs = {"standin/payload.bin": os.urandom(payload)} if payload else {}
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, *blobs]) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, content in {**files, **blobs}.items():
            archive.writestr(name, content)
    return wheel


def write_virtualenv_tool(root: Path, tool_id: str, requirement: str) -> Path:
    """A virtualenv tool whose check imports ``standin`` and reports correct values."""
    program = root / "tool_manifests" / tool_id / "checks" / "read.py"
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text('import json, standin\nprint(json.dumps({"ct.rows": 4, "dose.max_gy": 70.0}))\n')
    manifest = root / "tool_manifests" / f"{tool_id}.yaml"
    manifest.write_text(textwrap.dedent(f"""\
        id: {tool_id}
        name: {tool_id}
        summary: A stand-in Python tool for testing the harness.
        homepage: https://example.org/{tool_id}
        licence: MIT
        section: Beyond the source catalogue
        in_source_catalogue: false
        install:
          backend: virtualenv
          packages: ["{requirement}"]
        checks:
          - id: read
            capability: read-rtdose
            program: checks/read.py
            fixture: tiny
            judge: ["ct.rows", "dose.max_gy"]
            timeout: 60
        """))
    return manifest
