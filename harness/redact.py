"""Paths of the machine that ran a check, rewritten so a committed report does not carry them.

A reason, a stderr tail or a tool's own error message names files as the tool saw
them: under the run's scratch directory, the environment cache, the project checkout
or a home directory. The results keep them readable (``<scratch>/fixtures/reference``,
``$RTCOMPAT_CACHE/envs/pycerr/...``, ``tool_manifests/cerr/checks/...``) and portable.
Judged observation values are left alone: they are what the verdicts were made on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.results import ToolResult


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
        return value

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
            observed = check["observed"]
            for key in [k for k in observed if k.startswith("_")]:  # tool errors and metadata, never judged
                observed[key] = self._deep(observed[key])
        return ToolResult.model_validate(data)

    def _deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._deep(v) for v in value]
        if isinstance(value, dict):
            return {k: self._deep(v) for k, v in value.items()}
        return value
