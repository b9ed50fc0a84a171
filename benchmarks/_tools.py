"""The command line the catalogue benchmarks share: which tools to time."""

from __future__ import annotations

import argparse


def chosen_tools(doc: str, default: list[str]) -> list[str]:
    """``--tool ID`` (repeatable) from the command line, else ``default``; ``--help`` prints ``doc``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", action="append", default=None, metavar="ID",
                        help=f"time this tool (repeatable; default: {', '.join(default)})")
    return parser.parse_args().tool or default
