"""The command line the catalogue benchmarks share: which tools to time."""

from __future__ import annotations

import argparse


def chosen_tools(doc: str, default: list[str]) -> list[str]:
    """``--tool ID`` (repeatable) from the command line, else ``default``; ``--help`` prints ``doc``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", action="append", default=None, metavar="ID",
                        help=f"time this tool (repeatable; default: {', '.join(default)})")
    return parser.parse_args().tool or default


def program_runs(results: dict) -> dict[tuple[str, str], float]:
    """Seconds of each check process a results file records: checks that shared one program
    run (``program_run``) share its process, which ran once and is counted once."""
    runs: dict[tuple[str, str], float] = {}
    for tool in results["tools"]:
        for check in tool["checks"]:
            key = (tool["id"], check.get("program_run") or f"{check['id']}@{check['fixture']}")
            runs[key] = max(runs.get(key, 0.0), check["duration"])
    return runs
