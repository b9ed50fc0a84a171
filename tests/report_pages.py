"""Reading a rendered report the way a reader browses it: the front page, then the page of
a tool, a finding, a fixture set or a run."""

from __future__ import annotations

from pathlib import Path

FRONT = {"md": "compatibility.md", "html": "index.html"}


def pages(out: Path, ext: str = "md") -> list[Path]:
    """Every page of one format, the front page first."""
    front = out / FRONT[ext]
    rest = sorted(p for p in out.rglob(f"*.{ext}") if p != front)
    return [front, *rest]


def everything(out: Path, ext: str = "md") -> str:
    """The whole report of one format as one text: for what the report says somewhere."""
    return "\n".join(p.read_text() for p in pages(out, ext))


def tool_page(out: Path, tool_key: str, ext: str = "md") -> str:
    from harness.report.findings import slug

    return (out / "tools" / f"{slug(tool_key)}.{ext}").read_text()
