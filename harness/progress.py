"""What ``rtcompat run`` prints: one plain line per install and per check, as it lands.

After uv and pytest, but readable in a CI log (no terminal control codes): which tool is
installing with which installer and for how long, each check's status and reason as it
lands, a line every 30 s while something long runs (an Octave import takes a minute),
and a summary table at the end. Details (tracebacks, observations, verdicts) are in the
results file, and on the screen with ``-v``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TextIO

import pytest

from harness import items
from harness.results import RUN_STATUSES

PROPERTY = "rtcompat"
HEARTBEAT_SECONDS = 30.0
REASON_WIDTH = 110
LABELS = {"pass": "pass", "fail": "FAIL", "error": "error", "skip": "skip", "unavailable": "n/a", "xfail": "xfail",
          "observed": "reported"}


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RUN_STATUSES, 0))
    #: seconds of check processes, each shared program run counted once
    seconds: float = 0.0
    install: str = ""
    program_runs: set = field(default_factory=set)
    #: the last check line printed (status and reason), and how many identical ones followed
    last: tuple[str, str] | None = None
    repeated: int = 0


class Progress:
    """A pytest plugin printing the run's progress to ``stream``."""

    def __init__(self, stream: TextIO, heartbeat: float = HEARTBEAT_SECONDS, portable=None):
        self.stream = stream
        #: rewrites this machine's paths (project, cache, scratch) before a reason is cut
        self.portable = portable or (lambda text: text)
        self.heartbeat = heartbeat
        self.tallies: dict[str, _Tally] = defaultdict(_Tally)
        self._running: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tools_seen: list[str] = []
        self.tool_total = 0
        self.check_total = 0

    def _print(self, line: str) -> None:
        with self._lock:
            self.stream.write(line.rstrip() + "\n")
            self.stream.flush()

    # -- pytest hooks -----------------------------------------------------------

    def pytest_collection_modifyitems(self, items) -> None:
        self._announce([item.nodeid for item in items])

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        if not self.tool_total:  # with xdist the workers collect; the first to finish tells
            self._announce(ids)

    def _announce(self, nodeids: list[str]) -> None:
        items = [split_nodeid(nodeid) for nodeid in nodeids]
        self.tool_total = len({key for key, _ in items})
        self.check_total = sum(1 for _, what in items if what not in ("install", "manifest"))
        self._print(f"rtcompat: {self.tool_total} tool{'s' if self.tool_total != 1 else ''}, "
                    f"{self.check_total} check{'s' if self.check_total != 1 else ''}")

    def pytest_sessionstart(self, session) -> None:
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._thread.start()

    def pytest_runtest_logstart(self, nodeid: str, location) -> None:
        tool_id, what = split_nodeid(nodeid)
        if what == "install":
            self._tools_seen.append(tool_id)
            self._print(f"[{len(self._tools_seen):>2}/{self.tool_total or '?'}] {tool_id}: installing ...")
        with self._lock:
            self._running[f"{tool_id} {what}"] = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == PROPERTY:
                self._record(json.loads(value))

    def pytest_sessionfinish(self, session) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        for tool_id in list(self.tallies):
            self._flush_repeats(tool_id)
        if self.tallies:
            self._print(self.summary())

    # -- lines ------------------------------------------------------------------

    def note(self, line: str) -> None:
        """A line the harness has to say about the run as a whole (where results went, what
        an earlier results file contributed)."""
        self._print(self.portable(line))

    def _record(self, record: dict) -> None:
        tool_id, payload = record["tool_id"], record["payload"]
        status, reason = payload["status"], self.portable(" ".join(str(payload.get("reason", "")).split()))
        tally = self.tallies[tool_id]
        if record["kind"] == "invalid":
            tally.install = status
            with self._lock:
                self._running.pop(f"{tool_id} manifest", None)
            self._print(f"        {tool_id}: invalid manifest, not run; its problems are listed at the end "
                        f"(rtcompat validate {self.portable(str(record.get('path', '')))})")
            return
        if record["kind"] == "install":
            with self._lock:
                self._running.pop(f"{tool_id} install", None)
                self._running.pop(f"{tool_id} manifest", None)
            tally.install = status
            how = record.get("tool") or {}
            installer = payload.get("installer") or how.get("backend") or ""
            seconds = float(payload.get("seconds") or 0.0)
            if status == "pass":
                done = "reused its cached environment" if payload.get("reused") else f"installed with {installer}"
                self._print(f"        {tool_id}: {done} ({seconds:.1f} s)")
            else:
                self._print(f"        {tool_id}: install {LABELS[status]}: {_cut(reason)}")
            return
        fixture = payload.get("fixture") or "reference"
        name = payload["id"] if fixture == "reference" else f"{payload['id']}[{fixture}]"
        with self._lock:
            self._running.pop(f"{tool_id} {name}", None)
            self._running.pop(f"{tool_id} {payload['id']}", None)  # a check naming its one set
        tally.counts[status] += 1
        seconds = float(payload.get("duration") or 0.0)
        program_run = payload.get("program_run")
        shared = bool(program_run) and program_run in tally.program_runs
        if program_run:
            tally.program_runs.add(program_run)
        tally.seconds += 0.0 if shared else seconds
        peak = (payload.get("process") or {}).get("peak_memory_bytes")
        memory = f", {peak / 2**20:.0f} MiB" if peak and not shared else ""
        timing = f" ({seconds:.1f} s{memory}{', shared run' if shared else ''})" if seconds else ""
        if status in ("skip", "unavailable", "error") and tally.last == (status, reason) and not timing:
            tally.repeated += 1  # 38 checks of a tool that cannot install say the same: once is enough
            return
        self._flush_repeats(tool_id)
        tally.last = (status, reason)
        self._print(f"        {tool_id} {name}: {LABELS[status]} - {_cut(reason)}{timing}")

    def _flush_repeats(self, tool_id: str) -> None:
        tally = self.tallies[tool_id]
        if tally.repeated:
            status = LABELS[tally.last[0]] if tally.last else ""
            self._print(f"        {tool_id}: {tally.repeated} more check{'s' if tally.repeated != 1 else ''} "
                        f"{status} for the same reason")
            tally.repeated = 0

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat):
            with self._lock:
                running = [(what, time.monotonic() - since) for what, since in self._running.items()]
            for what, elapsed in running:
                if elapsed >= self.heartbeat:
                    self._print(f"        ... {what} still running ({elapsed:.0f} s)")

    def summary(self) -> str:
        width = max(len("tool"), *(len(t) for t in self.tallies))
        shown = [s for s in RUN_STATUSES if any(t.counts[s] for t in self.tallies.values())] or ["pass"]
        head = f"{'tool':<{width}}  {'install':<8} " + " ".join(f"{LABELS[s]:>5}" for s in shown) + "   checks s"
        lines = ["", head, "-" * len(head)]
        for tool_id in sorted(self.tallies):
            tally = self.tallies[tool_id]
            lines.append(f"{tool_id:<{width}}  {LABELS.get(tally.install, '-'):<8} "
                         + " ".join(f"{tally.counts[s]:>5}" for s in shown) + f"   {tally.seconds:>8.1f}")
        totals = {s: sum(t.counts[s] for t in self.tallies.values()) for s in shown}
        lines.append(f"{'total':<{width}}  {'':<8} " + " ".join(f"{totals[s]:>5}" for s in shown)
                     + f"   {sum(t.seconds for t in self.tallies.values()):>8.1f}")
        return "\n".join(lines)


def _cut(text: str, width: int = REASON_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def split_nodeid(nodeid: str) -> tuple[str, str]:
    """(tool key, item) of a catalogue item: ``tool_manifests/itk-snap.yaml::read-ct@3.6.0[x]``
    is ``("itk-snap@3.6.0", "read-ct[x]")``, the names the result records use."""
    name = items.parse(nodeid)
    if name is None:
        path, _, what = nodeid.rpartition("::")
        return path.rsplit("/", 1)[-1].rsplit(".", 1)[0], what
    return name.tool_key, items.item_name(name.base, fixture_set=name.fixture_set)
