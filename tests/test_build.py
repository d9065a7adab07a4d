"""End-to-end builds in tmp_path: output, determinism, safety of article text."""

import re
from html import unescape
from html.parser import HTMLParser
import shutil
from pathlib import Path

import pytest

from conftest import ARTICLE_IDS, SEEDS, run_build

EXTERNAL = re.compile(r"""(?:src|href)=["']?(?:https?:)?//(?!127\.0\.0\.1)""")


def test_build_writes_every_page(built_site: Path):
    assert (built_site / "index.html").is_file()
    for slug in ("taiwan", "fentanyl", "mil-to-mil", "ukraine"):
        assert (built_site / "topics" / slug / "index.html").is_file()
    for article_id in ARTICLE_IDS:
        assert (built_site / "articles" / article_id / "index.html").is_file()
    for page in ("sources", "tags", "404.html", "search/search_index.json"):
        assert (built_site / page).exists(), page


def test_pages_load_nothing_from_other_hosts(built_site: Path):
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not EXTERNAL.search(html), (page, EXTERNAL.search(html))
        assert "fonts.googleapis" not in html


def test_navigation_lists_topics_not_articles(built_site: Path):
    html = (built_site / "topics/taiwan/index.html").read_text(encoding="utf-8")
    nav = unescape(html[html.index('<nav class="md-nav md-nav--primary"'):html.index('md-sidebar--secondary')])
    assert "Military-to-military communication" in nav and "Sources" in nav and "Tags" in nav
    assert "articles/" not in nav


def test_excerpt_links_point_at_anchored_paragraphs(built_site: Path):
    html = (built_site / "topics/fentanyl/index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="\.\./\.\./articles/([a-z0-9-]+)/#(p\d+)"', html)
    assert len(links) >= 9
    for article_id, anchor in links:
        article = (built_site / "articles" / article_id / "index.html").read_text(encoding="utf-8")
        paragraph = re.search(rf'<p class="bx-para" id="{anchor}">(.*?)</p>', article, re.S)
        assert paragraph and '<mark class="bx-mark"' in paragraph.group(1), (article_id, anchor)


@pytest.mark.slow
def test_two_builds_are_byte_identical(seeds: Path, tmp_path: Path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert run_build("--seeds", str(seeds), "--out", str(first)).returncode == 0
    assert run_build("--seeds", str(seeds), "--out", str(second)).returncode == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.slow
def test_build_replaces_previous_output_whole(seeds: Path, tmp_path: Path):
    out = tmp_path / "site"
    assert run_build("--seeds", str(seeds), "--out", str(out)).returncode == 0
    (out / "stale.html").write_text("old")
    assert run_build("--seeds", str(seeds), "--out", str(out)).returncode == 0
    assert not (out / "stale.html").exists() and (out / "index.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds", "site"]  # no lock or temporary left


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture seeds and tests/fixtures/hostile.md, built once for this module."""
    work = tmp_path_factory.mktemp("hostile")
    seeds = Path(shutil.copytree(SEEDS, work / "seeds"))
    shutil.copy(Path(__file__).parent / "fixtures/hostile.md", seeds / "articles")
    out = work / "site"
    result = run_build("--seeds", str(seeds), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


class _Elements(HTMLParser):
    """Every element of a page with its attributes, and the text of the <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def assert_inert(html: str) -> None:
    """No element from article text: no script of ours, no event handler, no javascript: link."""
    page = parse(html)
    for tag, attrs in page.elements:
        assert tag not in ("img", "b", "em") or "alert" not in str(attrs), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), (tag, attrs)
    assert "alert" not in "".join(str(a) for t, a in page.elements if t == "script")


def test_article_text_that_looks_like_markup_is_shown_as_text(hostile_site: Path):
    out = hostile_site
    html = (out / "articles/2024-05-hostile-markup/index.html").read_text(encoding="utf-8")
    assert_inert(html)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    page = parse(html)
    assert page.title == "<script>alert('title')</script> *Breaking* [news](javascript:alert(1)) - Briefing"
    text = unescape(re.sub(r"<[^>]+>", "", html))
    for written in ("<script>alert('body')</script> says Taiwan", "[click me](javascript:alert('link'))",
                    "<img src=x onerror=alert('img')>", "{ onclick=alert('attr') }", "<!-- material/tags -->",
                    "`code` and *stars*", "# Not a heading"):
        assert written in text, written
    for other in ("topics/taiwan/index.html", "sources/index.html", "index.html", "people/index.html"):
        assert_inert((out / other).read_text(encoding="utf-8"))


def test_tags_marker_in_article_text_does_not_become_a_listing(hostile_site: Path):
    out = hostile_site
    html = (out / "articles/2024-05-hostile-markup/index.html").read_text(encoding="utf-8")
    assert "md-tags-listing" not in html and 'class="md-tag-' not in html.split("bx-para")[-1]
    assert "&lt;!-- material/tags --&gt;" in html
