"""Scale behaviour on small generated corpora: structure, never time.

The navigation must not grow with the number of articles, and no page but the tags index may
grow with it either (topic pages, sources and the timeline spill into numbered pages).
"""

import re
import sys

import pytest

from conftest import ROOT, run_build

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

pytestmark = pytest.mark.slow  # two builds of hundreds of articles
SMALL, LARGE = 240, 480
BOUNDED = ["index.html", "topics/taiwan/index.html", "topics/trade/index.html", "sources/index.html",
           "people/antony-blinken/index.html", "pack/index.html", "timeline/index.html"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    built = {}
    for n in (SMALL, LARGE):
        work = tmp_path_factory.mktemp(f"scale{n}")
        seeds = generate(n, work / "seeds")
        out = work / "site"
        result = run_build("--seeds", str(seeds), "--out", str(out))
        assert result.returncode == 0, result.stderr[-2000:]
        built[n] = out
    return built


def nav_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="md-nav md-nav--primary"'):html.index("md-sidebar--secondary")]
    return re.findall(r'class="md-nav__link[^"]*"[^>]*href="([^"]+)"', nav) + re.findall(r'href="([^"]+)"[^>]*class="md-nav__link', nav)


def test_navigation_does_not_grow_with_the_articles(sites):
    small = nav_links((sites[SMALL] / "articles" / next(iter(sorted(p.name for p in (sites[SMALL] / "articles").iterdir()))) / "index.html").read_text())
    large = nav_links((sites[LARGE] / "articles" / next(iter(sorted(p.name for p in (sites[LARGE] / "articles").iterdir()))) / "index.html").read_text())
    assert small == large and 8 <= len(small) < 40
    assert not any("articles/" in link for link in large)


def test_the_same_article_page_has_the_same_size_in_both_corpora(sites):
    name = sorted(p.name for p in (sites[SMALL] / "articles").iterdir())[5]
    small = (sites[SMALL] / "articles" / name / "index.html").stat().st_size
    large = (sites[LARGE] / "articles" / name / "index.html").stat().st_size
    assert abs(large - small) <= 0.02 * small


@pytest.mark.parametrize("page", BOUNDED)
def test_summary_pages_do_not_grow_with_the_articles(sites, page):
    small = (sites[SMALL] / page).stat().st_size
    large = (sites[LARGE] / page).stat().st_size
    assert large <= 1.15 * small, (page, small, large)


def test_older_material_spills_into_numbered_pages(sites):
    out = sites[LARGE]
    assert (out / "topics/taiwan/page-2/index.html").is_file()
    assert (out / "sources/page-2/index.html").is_file()
    assert len(list((out / "articles").iterdir())) == LARGE


def test_archive_pages_list_their_sources_in_the_toc_and_stay_out_of_search(sites):
    out = sites[LARGE]
    html = (out / "topics/taiwan/page-2/index.html").read_text()
    toc = html[html.index('data-md-component="toc"'):]
    headings = re.findall(r'<h3 id="([^"]+)"', html)
    assert len(headings) == 30 and all(f'href="#{h}"' in toc for h in headings)
    index = (out / "search/search_index.json").read_text()
    assert '"location":"topics/taiwan/page-2/' not in index and '"location":"topics/taiwan/"' in index


def test_every_source_is_listed_once_across_the_numbered_sources_pages_and_found_by_search(sites):
    out = sites[LARGE]
    pages = [out / "sources/index.html", *sorted((out / "sources").glob("page-*/index.html"),
                                                  key=lambda p: int(p.parent.name.split("-")[1]))]
    listed, starts = [], []
    for page in pages:
        html = page.read_text()
        listing = html[html.index('<ol class="bx-sources"'):]
        listing = listing[:listing.index("</ol>")]
        starts.append(int(re.search(r'start="(\d+)"', listing).group(1)))
        listed += re.findall(r'<li>[^<]*<a href="\.\./(?:\.\./)?articles/([^/"]+)/"', listing)
        assert 'class="bx-pager"' in html  # more than one page: each has a pager
    assert sorted(listed) == sorted(p.name for p in (out / "articles").iterdir()) and len(set(listed)) == LARGE
    assert starts == [1 + 100 * n for n in range(len(pages))]
    index = (out / "search/search_index.json").read_text()
    assert '"location":"sources/page-2/' in index  # the bibliography stays searchable
