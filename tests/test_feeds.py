"""Atom feeds (briefing/site/feeds.py) on the composed fixture corpus, read back with feedparser:
stable entry ids, newest first, links to the excerpt's paragraph, a category per topic, text as written."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

import feedparser
import pytest
from mkdocs.structure.files import File

from briefing.core.compose import compose_site
from briefing.site.feeds import ATOM, feed_xml, render_feeds
from briefing.site.pipeline import verify
from conftest import SEEDS

HOSTILE = Path(__file__).parent / "fixtures" / "hostile.md"
BASE = "https://example.org/briefing/"


def composed(seeds: Path = SEEDS):
    return compose_site(verify(seeds, seeds.parent))


def urls_of(site) -> dict[str, str]:
    """Every page's URL as MkDocs makes it (directory URLs), keyed by its path under docs/."""
    paths = ["index.md", *(p.dest_path for p in site.topics), *(p.dest_path for p in site.articles)]
    return {path: File(path, None, "", use_directory_urls=True).url for path in paths}


def feeds_of(site, base: str = "") -> dict[str, feedparser.FeedParserDict]:
    """Every feed rendered for ``site``, parsed back; each checked to be well-formed Atom."""
    parsed = {}
    for path, xml in render_feeds(site, urls_of(site), base).items():
        feed = feedparser.parse(xml.encode("utf-8"))
        assert not feed.bozo, (path, feed.bozo_exception)
        assert feed.version == "atom10", path
        parsed[path] = feed
    return parsed


@pytest.fixture(scope="module")
def site():
    return composed()


@pytest.fixture(scope="module")
def feeds(site):
    return feeds_of(site, BASE)


def test_there_is_a_feed_per_topic_and_one_for_all_topics(site, feeds):
    assert sorted(feeds) == sorted(["feeds/all.xml", *(f"feeds/{p.topic.slug}.xml" for p in site.topics)])
    for page in site.topics:
        feed = feeds[f"feeds/{page.topic.slug}.xml"]
        assert feed.feed.title == f"Briefing: {page.topic.title}"
        assert len(feed.entries) == page.excerpt_count > 0
    assert feeds["feeds/all.xml"].feed.title == "Briefing: all topics"


def test_the_feed_of_all_topics_has_each_excerpt_once(site, feeds):
    every = feeds["feeds/all.xml"].entries
    assert len(every) == len({e.id for e in every}) == len(verify(SEEDS, SEEDS.parent).excerpts)
    assert {e.id for e in every} == {e.id for path, f in feeds.items() if path != "feeds/all.xml" for e in f.entries}


def test_entries_are_newest_first_with_the_article_date(site, feeds):
    published = {a.citation.article.id: a.citation.article.published for a in site.articles}
    for path, feed in feeds.items():
        dates = [e.published_parsed for e in feed.entries]
        assert dates == sorted(dates, reverse=True), path
        assert feed.feed.updated_parsed == dates[0], path  # the feed is as new as its newest entry
        for entry in feed.entries:
            article_id = entry.link.removeprefix(BASE + "articles/").split("/")[0]
            assert entry.published.startswith(published[article_id].isoformat()), (path, entry.link)


def test_entry_ids_are_unique_and_do_not_depend_on_the_site_url_or_the_order_of_excerpts(site, feeds):
    for path, feed in feeds.items():
        ids = [e.id for e in feed.entries]
        assert len(ids) == len(set(ids)) and all(i.startswith("tag:briefing,") for i in ids), path
    elsewhere = feeds_of(site, "")
    assert {p: [e.id for e in f.entries] for p, f in elsewhere.items()} == \
           {p: [e.id for e in f.entries] for p, f in feeds.items()}
    page = site.topics[0]
    views = [v for g in page.groups for v in g.excerpts]
    args = (page.topic.title, "feeds/x.xml", page.dest_path)
    assert feed_xml(*args, views, urls_of(site), BASE) == feed_xml(*args, views[::-1], urls_of(site), BASE)


def test_entry_ids_survive_adding_an_article(site, feeds, tmp_path):
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    shutil.copy(HOSTILE, seeds / "articles")
    after = feeds_of(composed(seeds), BASE)
    before_ids = {e.id for e in feeds["feeds/all.xml"].entries}
    after_ids = {e.id for e in after["feeds/all.xml"].entries}
    assert before_ids < after_ids and len(after_ids - before_ids) == 2  # the two excerpts of the new article
    assert after["feeds/all.xml"].entries[0].link.startswith(BASE + "articles/2024-05-hostile-markup/#p")


def test_links_go_to_the_paragraph_of_each_excerpt_on_its_article_page(site, feeds):
    urls = urls_of(site)
    for page in site.topics:
        views = [v for g in page.groups for v in g.excerpts]
        expected = [BASE + urls[v.citation.article.dest_path] + "#" + v.anchored.paragraph.anchor for v in views]
        links = [e.link for e in feeds[f"feeds/{page.topic.slug}.xml"].entries]
        assert sorted(links) == sorted(expected), page.topic.slug
    for path, feed in feeds.items():
        home_or_topic = BASE if path == "feeds/all.xml" else BASE + path.replace("feeds/", "topics/")[:-4] + "/"
        assert urljoin(feed.feed.link, ".") == home_or_topic  # the home page's link reads ".../briefing/./"
        assert {link.rel: link.href for link in feed.feed.links}["self"] == BASE + path
        for entry in feed.entries:
            assert entry.link.startswith(BASE + "articles/") and "/#p" in entry.link, entry.link
            assert entry.title.endswith(f"(¶{entry.link.split('#p')[1]})"), entry.title


def test_without_a_site_url_links_are_relative_to_the_feed_and_there_is_no_self_link(site):
    feed = feeds_of(site, "")["feeds/taiwan.xml"]
    assert feed.feed.link == "../topics/taiwan/"
    assert [link.rel for link in feed.feed.links] == ["alternate"]
    for entry in feed.entries:
        assert entry.link.startswith("../articles/") and "#p" in entry.link, entry.link


def test_each_entry_has_a_category_per_topic_of_its_excerpt(site, feeds):
    titles = {p.topic.slug: p.topic.title for p in site.topics}
    for page in site.topics:
        for entry in feeds[f"feeds/{page.topic.slug}.xml"].entries:
            terms = {t.term: t.label for t in entry.tags}
            assert page.topic.slug in terms, entry.id
            assert terms == {slug: titles[slug] for slug in terms}, entry.id
    several = [e for e in feeds["feeds/all.xml"].entries if len(e.tags) > 1]
    assert several  # an excerpt on two topics is one entry with two categories, not two entries


def test_the_summary_quotes_the_excerpt_with_its_source_and_date(site, feeds):
    views = {v.anchored.text: v for p in site.topics for g in p.groups for v in g.excerpts}
    for entry in feeds["feeds/all.xml"].entries:
        quote = entry.summary[1:entry.summary.rindex("” (")]
        view = views[quote]
        source, date = view.citation.source, view.citation.date
        assert entry.summary == f"“{quote}” ({f'{source}, {date}' if source else date})"
        authors = [a.name for a in entry.authors]
        assert authors == (list(view.citation.article.authors) or [source or "Author not named"])


def test_markup_in_article_text_and_metadata_reads_back_as_written(tmp_path):
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    shutil.copy(HOSTILE, seeds / "articles")
    site = composed(seeds)
    xml = render_feeds(site, urls_of(site), BASE)["feeds/taiwan.xml"]
    ET.fromstring(xml)  # well-formed XML whatever the text
    assert "<script>" not in xml and "<img " not in xml
    hostile = [e for e in feedparser.parse(xml.encode("utf-8"), sanitize_html=False).entries if "hostile" in e.link]
    assert len(hostile) == 2
    for entry in hostile:
        assert entry.title.startswith("<script>alert('title')</script> *Breaking* [news](javascript:alert(1)) (¶")
        assert [a.name for a in entry.authors] == ["{ onclick=alert('author') }"]
    assert {e.summary.split("” (")[0] for e in hostile} == {
        "“<script>alert('body')</script> says Taiwan", "“[click me](javascript:alert('link'))"}


def test_a_feed_with_no_entry_is_still_valid_atom():
    xml = feed_xml("Briefing: nothing yet", "feeds/none.xml", "index.md", [], {"index.md": "./"}, "")
    feed = feedparser.parse(xml.encode("utf-8"))
    assert not feed.bozo and feed.version == "atom10" and feed.entries == []
    assert ET.fromstring(xml).find(f"{{{ATOM}}}updated").text == "1970-01-01T00:00:00Z"
