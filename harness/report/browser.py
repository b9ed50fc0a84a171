"""Looking at the HTML report in a real headless browser (Debian's ``chromium``).

The report is only worth something if it renders: this loads the file from disk with
scripts running and no network, takes the DOM as the browser left it and a
screenshot, and collects what the page wrote to the console. ``is_available()``
says whether a browser is installed; without one the callers skip with the fix.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from harness.process import run_bounded

REQUIRES = "apt-get install chromium"
# No network, no first-run UI, no background services: the page is all that loads.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0")
_CONSOLE = re.compile(r":CONSOLE:\d+\] (?P<message>.*), source: (?P<source>\S*)")


def executable() -> str | None:
    """$RTCOMPAT_CHROMIUM, else ``chromium`` (Debian) or ``chromium-browser`` on PATH."""
    return os.environ.get("RTCOMPAT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def is_available() -> bool:
    return executable() is not None


class BrowserError(Exception):
    """The browser could not be started or did not finish: names the command and why."""


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]


@dataclass
class Page:
    """The page as the browser left it: its DOM (and a parse of it), console, screenshot."""

    dom: str
    console: list[str]
    screenshot: Path | None = None
    elements: list[Element] = field(default_factory=list)
    title: str = ""

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k.replace("_", "-")) == v
                                                                  for k, v in attrs.items())]

    @property
    def tool_rows(self) -> list[str]:
        """The tool id of every row of the matrix, in order."""
        return [e.attrs.get("data-tool", "") for e in self.elements
                if e.tag == "tr" and "tool-row" in e.attrs.get("class", "").split()]


class _DomParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))
        # The document's title is the first; SVG <title>s (tooltips) come later.
        self._in_title = self._in_title or (tag == "title" and not self.title)

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)


def load(page: Path, screenshot: Path | None = None, timeout: float = 120, window: tuple[int, int] = (1400, 2000),
         fragment: str = "") -> Page:
    """Load ``page`` from disk (with ``#fragment``, e.g. a filter) in a ``window`` of
    width x height CSS pixels; the DOM after its scripts ran, its console, and a PNG of
    the window if asked."""
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    size = f"--window-size={window[0]},{window[1]}"
    dumped = _chromium(["--dump-dom", size, url], timeout)
    result = Page(dumped.stdout, console_messages(dumped.stderr, url))
    parser = _DomParser()
    parser.feed(dumped.stdout)
    result.elements, result.title = parser.elements, "".join(parser.title).strip()
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        shot = _chromium([f"--screenshot={screenshot.resolve()}", size, url], timeout)
        result.console += [m for m in console_messages(shot.stderr, url) if m not in result.console]
        if not screenshot.is_file():
            raise BrowserError(f"chromium wrote no screenshot to {screenshot}: {shot.tail()}")
        result.screenshot = screenshot
    return result


def console_messages(stderr: str, url: str) -> list[str]:
    """What the page wrote to the console (errors, CSP violations), and browser errors naming it.
    The report never logs, so every message is a problem."""
    messages = []
    for line in stderr.splitlines():
        match = _CONSOLE.search(line)
        if match and match["source"].startswith(url.split("#", 1)[0]):
            messages.append(match["message"])
        elif ":ERROR:" in line and url.split("#", 1)[0] in line:
            messages.append(line.split("] ", 1)[-1])
    return messages


def _chromium(args: list[str], timeout: float):
    binary = executable()
    if binary is None:
        raise BrowserError(f"no chromium on this machine; {REQUIRES}")
    with tempfile.TemporaryDirectory(prefix="rtcompat-chromium-") as profile:
        argv = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
        done = run_bounded(argv, timeout=timeout, env={**os.environ, "HOME": profile})
    if done.launch_error or done.timed_out or done.returncode != 0:
        why = done.launch_error or ("timed out" if done.timed_out else f"exit code {done.returncode}")
        raise BrowserError(f"{' '.join(argv[:1] + args)}: {why}: {done.tail()}")
    return done


#: What a reader sees on opening the page on a laptop, and on a phone.
FIRST_SCREEN = (1400, 900)
PHONE = (390, 844)


def check_report(page: Path, tool_ids: list[str], screenshot: Path | None = None) -> list[str]:
    """Problems with a rendered report, one line each: console errors, a matrix that does
    not show every tool once, a filter script that did not run, a page wider than a phone.
    The screenshot is the first screen at 1400 x 900."""
    loaded = load(page, screenshot, window=FIRST_SCREEN)
    problems = [f"{page}: console: {m}" for m in loaded.console]
    if sorted(loaded.tool_rows) != sorted(tool_ids):
        problems.append(f"{page}: the matrix shows {len(loaded.tool_rows)} tool rows, expected {len(tool_ids)}"
                        f" (missing: {sorted(set(tool_ids) - set(loaded.tool_rows))})")
    if not loaded.find("body", data_filters="ready"):
        problems.append(f"{page}: the filter script did not run")
    phone = load(page, window=PHONE)
    if not phone.find("body", data_overflow="no"):
        problems.append(f"{page}: at {PHONE[0]} px the page is wider than the window (a table or word escapes "
                        f"its scroll box)")
    return problems
