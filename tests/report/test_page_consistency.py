"""The rendered site checked as a reader meets it: every internal link of every page lands
on a file and an anchor that exist, the front pages stay small, and the published results
read back whole; on a report rendered from the committed results."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What a reader on a phone or a slow line can open at once.
FRONT_PAGE_LIMIT = 150 * 1024
RESULTS_INDEX_LIMIT = 5 * 1024**2


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def markdown_targets(text: str) -> tuple[set[str], set[str]]:
    """(anchors a link may land on, links) of a Markdown page."""
    anchors = set(re.findall(r'<a id="([^"]+)"', text))
    anchors |= {github_slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}
    links = set(re.findall(r"\]\(<?([^)\s>]+)>?\)", text))
    return anchors, links


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.add(attrs["href"])


def html_targets(text: str) -> tuple[set[str], set[str]]:
    parser = _Ids()
    parser.feed(text)
    return parser.ids, parser.links


def broken_links(site: Path, outside: bool = True) -> list[str]:
    """Every internal link of every page whose file or anchor does not exist; with
    ``outside`` False, links that leave the site (to a check program in the repository)
    are not followed."""
    targets: dict[Path, tuple[set[str], set[str]]] = {}
    for page in [*site.rglob("*.html"), *site.rglob("*.md")]:
        text = page.read_text()
        targets[page.resolve()] = html_targets(text) if page.suffix == ".html" else markdown_targets(text)
    broken = []
    for page, (_, links) in targets.items():
        for href in links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not outside and not target.is_relative_to(site.resolve()):
                continue
            if not target.exists():
                broken.append(f"{page.relative_to(site.resolve())}: {href} (no such file)")
                continue
            if parts.fragment and parts.fragment != "top" and target in targets \
                    and parts.fragment not in targets[target][0]:
                broken.append(f"{page.relative_to(site.resolve())}: {href} (no such anchor)")
    return sorted(broken)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    import shutil

    from harness.report import render_reports
    from harness.results import read_results

    output = tmp_path_factory.mktemp("report")
    shutil.copytree(ROOT / "reports" / "history", output / "history")
    render_reports(read_results(ROOT / "reports" / "results.json"), output, fixtures_root=ROOT / "fixtures" / "dicom")
    return output


def test_every_internal_link_of_every_page_lands(rendered):
    pages = [*rendered.rglob("*.html"), *rendered.rglob("*.md")]
    assert len(pages) > 20
    assert broken_links(rendered, outside=False) == []


def test_the_committed_report_has_no_broken_link():
    assert broken_links(ROOT / "reports") == []


def test_the_site_has_a_page_per_tool_finding_fixture_set_and_run(rendered):
    from harness.results import read_results

    results = read_results(ROOT / "reports" / "results.json")
    for ext in ("html", "md"):
        assert len(list((rendered / "tools").glob(f"*.{ext}"))) == len(results.tools)
        assert len(list((rendered / "sets").glob(f"*.{ext}"))) == len(results.run.fixtures)
        assert list((rendered / "findings").glob(f"*.{ext}"))
        assert list((rendered / "runs").glob(f"*.{ext}"))


def test_the_front_pages_stay_small(rendered):
    for name in ("index.html", "compatibility.md"):
        assert (rendered / name).stat().st_size < FRONT_PAGE_LIMIT, name
    assert (rendered / "results.json").stat().st_size < RESULTS_INDEX_LIMIT


def test_the_published_results_read_back_whole(rendered):
    from harness.results import read_results

    assert read_results(rendered / "results.json") == read_results(ROOT / "reports" / "results.json")


def test_a_broken_link_is_found(tmp_path):
    """The crawler itself: a link to a missing page and to a missing anchor are both reported."""
    (tmp_path / "a.html").write_text('<p id="here"><a href="b.html">b</a> <a href="#gone">x</a> <a href="#here">ok</a>')
    (tmp_path / "c.md").write_text("[a](a.html#nowhere) [b](a.html#here)\n")
    assert broken_links(tmp_path) == ["a.html: #gone (no such anchor)", "a.html: b.html (no such file)",
                                      "c.md: a.html#nowhere (no such anchor)"]


def test_the_header_counts_add_up_to_the_results_they_count(rendered):
    for name in ("compatibility.md", "index.html"):
        text = re.sub(r"<[^>]+>|\*\*", "", (rendered / name).read_text())
        match = re.search(r"(\d+) results \((\d+) checks and (\d+) tools without checks\): (\d+) pass(?: \(\d+ under a "
                          r"named convention\))?, (\d+) FAIL, (\d+) error, (\d+) skip, (\d+) n/a, (\d+) xfail", text)
        assert match, name
        total, checks, tools, *statuses = map(int, match.groups())
        assert total == checks + tools == sum(statuses), name


def test_no_verdict_table_shows_an_empty_expected_value(rendered):
    empty = []
    for page in (rendered / "tools").glob("*.md"):
        header = None
        for line in page.read_text().splitlines():
            if line.startswith("| quantity | observed | expected |"):
                header = True
            elif header and line.startswith("|") and not line.startswith("|---"):
                cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
                if cells[2] in ("", "[]", "''", '""'):
                    empty.append(f"{page.name}: {line}")
            elif not line.startswith("|"):
                header = None
    assert empty == []


def test_every_result_word_the_summary_shows_is_defined_in_the_glossary(rendered):
    text = (rendered / "compatibility.md").read_text()
    summary = text.split('<a id="summary"></a>')[1].split("## ")[0]
    glossary = text.split('<a id="glossary"></a>')[1]
    shown = {word for word in re.findall(r"\| \*\*([a-zA-Z/ ]+)\*\*", summary) if word != "tools passing"}
    defined = set(re.findall(r"^- \*\*([^*]+)\*\*:", glossary, re.M))
    sections = {line.split("**")[1] for line in summary.splitlines() if line.startswith("| **") and "| |" in line}
    assert shown - sections and (shown - sections) <= defined, (shown - sections) - defined
