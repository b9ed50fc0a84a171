"""Paths of the machine that ran a check, rewritten so a committed report does not carry them.

A reason, a stderr tail or a tool's own error message names files as the tool saw
them: under the run's scratch directory, the environment cache, the project checkout
or a home directory. The results keep them readable (``<scratch>/fixtures/reference``,
``$RTCOMPAT_CACHE/envs/pycerr/...``, ``tool_manifests/cerr/checks/...``) and portable.
Judged observation values are left alone: they are what the verdicts were made on; every
other observation (tool errors, versions, the path a tool was imported from) is rewritten.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from harness.results import ProductionRecord, ToolResult

#: Any run's scratch directory (:func:`harness.scratch.new_run_dir`), by its name: the
#: progress lines are written where the run's own directory is not known.
_SCRATCH = re.compile(re.escape(tempfile.gettempdir().rstrip("/")) + r"/rtcompat-run-[A-Za-z0-9_-]+")

#: The redactor of the run this process serves (:func:`activate`), so that text is made
#: portable before it is cut: a path cut first no longer matches, and the cut would
#: depend on how long this machine's cache path is.
_active: "Redactor | None" = None


def activate(redactor: "Redactor | None") -> None:
    global _active
    _active = redactor


def portable(text: str) -> str:
    """``text`` with this run's paths rewritten (unchanged outside a run)."""
    return _active.text(text) if _active is not None else text


def head(text: str, limit: int, ellipsis: str = "") -> str:
    """The first ``limit`` characters of the portable text."""
    text = portable(text)
    if len(text) <= limit:
        return text
    return text[: limit - len(ellipsis)] + ellipsis


def tail(text: str, limit: int) -> str:
    """The last ``limit`` characters of the portable text."""
    return portable(text)[-limit:]


def error_summary(message: object, limit: int = 300) -> str:
    """A tool's error message as one line: a Python traceback's exception line (the frames
    above it say where, not what), else every line of the message joined, so a message
    whose cause is on its first line keeps it; portable, then cut."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        lines = lines[-1:]
    return head(" / ".join(lines), limit, "...")


class Redactor:
    """Rewrites absolute paths of this run into names that hold on any machine."""

    def __init__(self, root: Path, cache: Path, scratch: Path | None = None, home: Path | None = None):
        # Longest first: the cache may sit inside the home directory, the scratch inside /tmp.
        pairs = [(scratch, "<scratch>"), (cache, "$RTCOMPAT_CACHE"), (root, "."), (home or Path.home(), "~")]
        self.pairs = sorted(((str(p.absolute()), name) for p, name in pairs if p is not None),
                            key=lambda pair: -len(pair[0]))

    def text(self, value: str) -> str:
        for path, name in self.pairs:
            if path and path != "/":
                value = value.replace(path + "/", ("" if name == "." else name + "/")).replace(path, name)
        return _SCRATCH.sub("<scratch>", value)

    def tool(self, tool: ToolResult) -> ToolResult:
        """The tool's reasons, tails, messages and tool-error texts with paths rewritten."""
        data = tool.model_dump()
        install = data["install"]
        for key in ("reason", "enable"):
            if isinstance(install.get(key), str):
                install[key] = self.text(install[key])
        for check in data["checks"]:
            check["reason"] = self.text(check["reason"])
            check["stderr_tail"] = self.text(check["stderr_tail"])
            if check.get("process"):
                for key in ("stderr_tail", "stdout_last_line", "launch_error", "limit_hit"):
                    if isinstance(check["process"].get(key), str):
                        check["process"][key] = self.text(check["process"][key])
            for verdict in check["verdicts"]:
                verdict["message"] = self.text(verdict["message"])
            for finding in check.get("findings") or []:
                finding["evidence"] = self.text(finding["evidence"])
            if isinstance(check.get("screenshot_note"), str):
                check["screenshot_note"] = self.text(check["screenshot_note"])
            observed = check["observed"]
            judged = {verdict["key"] for verdict in check["verdicts"]}
            for key in [k for k in observed if k not in judged]:  # tool errors and metadata: not judged
                observed[key] = self._deep(observed[key])
        return ToolResult.model_validate(data)

    def production(self, record: ProductionRecord) -> ProductionRecord:
        """A producer's record with every text's paths rewritten (its numbers untouched)."""
        data = record.model_dump(mode="json")
        return ProductionRecord.model_validate({key: self._deep(value) for key, value in data.items()})

    def _deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._deep(v) for v in value]
        if isinstance(value, dict):
            return {k: self._deep(v) for k, v in value.items()}
        return value
