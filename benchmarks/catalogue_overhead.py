"""Time a cold and a warm catalogue run, and uv against pip for building environments.

Prints, side by side from one invocation:
  * wall time of a cold run (empty environment cache) and a warm run (cache reused);
  * the harness overhead ratio of each, (wall time - sum of check process times) / wall time, a
    program run that several checks share counted once;
  * environment build time with uv and with pip (both with cold package caches) and their ratio.

Usage: python benchmarks/catalogue_overhead.py [--tool ID ...]   (default: the virtualenv tools)
Numbers vary with the machine; nothing here asserts a limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _tools import chosen_tools, program_runs

DEFAULT_TOOLS = ["pydicom", "simpleitk", "dicompyler-core"]


def catalogue_run(tools: list[str], cache: Path, extra_env: dict[str, str] | None = None) -> dict:
    results = cache / f"results-{time.monotonic_ns()}.json"
    env = {**os.environ, "RTCOMPAT_CACHE": str(cache), **(extra_env or {})}
    argv = [sys.executable, "-m", "harness.cli", "run", "--results", str(results)]
    argv += [a for t in tools for a in ("--tool", t)]
    start = time.monotonic()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - start
    data = json.loads(results.read_text())
    checks = sum(program_runs(data).values())  # a program run shared by several checks ran once
    installs = sum(t["install"]["seconds"] for t in data["tools"])
    return {"wall": wall, "checks": checks, "installs": installs,
            "overhead": (wall - checks) / wall if wall else 0.0}


def main() -> None:
    tools = chosen_tools(__doc__, DEFAULT_TOOLS)
    with tempfile.TemporaryDirectory(prefix="rtcompat-bench-") as scratch:
        root = Path(scratch)
        uv_cache = {"UV_CACHE_DIR": str(root / "uv-cache"), "PIP_NO_CACHE_DIR": "1"}
        (root / "uv").mkdir()
        cold = catalogue_run(tools, root / "uv", uv_cache)
        warm = catalogue_run(tools, root / "uv", uv_cache)
        (root / "pip").mkdir()
        pip = catalogue_run(tools, root / "pip", {"RTCOMPAT_INSTALLER": "pip", "PIP_NO_CACHE_DIR": "1"})
    print(f"tools: {', '.join(tools)}")
    print(f"{'run':<12}{'wall s':>9}{'installs s':>12}{'checks s':>10}{'overhead':>10}")
    for name, run in (("cold (uv)", cold), ("warm", warm), ("cold (pip)", pip)):
        print(f"{name:<12}{run['wall']:>9.1f}{run['installs']:>12.1f}{run['checks']:>10.1f}{run['overhead']:>10.2f}")
    ratio = pip["installs"] / cold["installs"] if cold["installs"] else float("nan")
    print(f"environment build: uv {cold['installs']:.1f} s, pip {pip['installs']:.1f} s, pip/uv = {ratio:.1f}x")
    print(f"harness overhead ratio: cold {cold['overhead']:.2f}, warm {warm['overhead']:.2f}")


if __name__ == "__main__":
    main()
