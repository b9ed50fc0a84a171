"""The rendered pages checked as a reader meets them: every internal link lands on
something, on the committed report and on a report rendered from the committed results."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def markdown_targets(text: str) -> tuple[set[str], set[str]]:
    """(anchors a link may land on, internal links) of a Markdown page."""
    anchors = set(re.findall(r'<a id="([^"]+)"', text))
    anchors |= {github_slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.M)}
    links = set(re.findall(r"\]\(#([^)\s]+)\)", text))
    return anchors, links


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and (attrs.get("href") or "").startswith("#") and len(attrs["href"]) > 1:
            self.links.add(attrs["href"][1:])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from harness.report import render_reports
    from harness.results import read_results

    output = tmp_path_factory.mktemp("report")
    render_reports(read_results(ROOT / "reports" / "results.json"), output, fixtures_root=ROOT / "fixtures" / "dicom")
    return output


def test_every_internal_link_of_the_markdown_page_lands(rendered):
    anchors, links = markdown_targets((rendered / "compatibility.md").read_text())
    assert links and sorted(links - anchors) == []


def test_every_internal_link_of_the_html_page_lands(rendered):
    parser = _Ids()
    parser.feed((rendered / "index.html").read_text())
    assert parser.links and sorted(parser.links - parser.ids) == []
