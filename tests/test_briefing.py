"""Briefings worth reading: chronology, people, both sides, coverage, print and feeds."""

import re
from html import unescape

import feedparser
import pytest
from pypdf import PdfReader

from briefing.core.compose import compose_site, format_event_date
from briefing.core.load import load_people
from briefing.core.people import MentionFinder
from briefing.site.pipeline import verify
from conftest import SEEDS, run_build

TOPIC_TITLES = {"taiwan": "Taiwan", "fentanyl": "Fentanyl", "mil-to-mil": "Military-to-military communication",
                "ukraine": "Ukraine: China's support for Russia's war"}


def site():
    return compose_site(verify(SEEDS, SEEDS.parent))


# --- chronology ----------------------------------------------------------------------

def test_event_dates_keep_their_precision():
    assert [format_event_date(d) for d in ("2022", "2022-08", "2023-06-19")] == ["2022", "August 2022", "19 June 2023"]


def test_chronology_is_oldest_first_and_uses_event_dates_not_publication_dates():
    mil = next(t for t in site().topics if t.topic.slug == "mil-to-mil")
    dates = [e.anchored.event.date for e in mil.chronology]
    assert dates == sorted(dates) and len(dates) >= 4
    pelosi = mil.chronology[0]
    assert pelosi.date == "August 2022" and "Pelosi" in pelosi.anchored.event.title
    assert all(c.article.published.year >= 2023 for c in pelosi.citations)  # reported later, dated by the event


def test_chronology_and_timeline_pages_link_each_event_to_its_excerpt(built_site):
    html = (built_site / "topics/mil-to-mil/index.html").read_text(encoding="utf-8")
    chronology = html[html.index('id="chronology"'):html.index('id="evidence"')]
    assert "August 2022" in chronology
    assert 'href="../../articles/2023-06-usip-blinken-beijing-trip-no-breakthroughs/#p14"' in chronology
    timeline = (built_site / "timeline/index.html").read_text(encoding="utf-8")
    assert timeline.count("<li id=\"event-") >= 13 and "Woodside" not in timeline and "San Francisco" in timeline


def test_event_without_support_or_with_a_missing_quote_fails_check(seeds):
    events = seeds / "events.yml"
    text = events.read_text(encoding="utf-8")
    text = text.replace("    title: Sullivan and Wang Yi hold talks in Vienna\n    topics: []\n    support:\n",
                        "    title: Sullivan and Wang Yi hold talks in Vienna\n    topics: []\n    support_missing:\n", 1)
    text = text.replace("quote: \"Treasury Secretary Janet Yellen led", "quote: \"Treasury Secretary Janet Yellen headed", 1)
    events.write_text(text, encoding="utf-8")
    result = run_build("check", "--seeds", str(seeds))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    vienna = next(i for i, l in enumerate(text.splitlines(), 1) if "Sullivan and Wang Yi hold talks" in l) - 1
    assert f"seeds/events.yml:{vienna}: event 'Sullivan and Wang Yi hold talks in Vienna' has no supporting excerpt" in lines
    assert any(re.match(r"seeds/events\.yml:\d+: quote not found in '2024-04-usip-blinken-second-visit-stabilize-ties': "
                        r"\"Treasury Secretary Janet Yellen headed", l) for l in lines)


# --- people --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def finder():
    return MentionFinder(load_people(SEEDS / "people.yml", "seeds/people.yml", []))


@pytest.mark.parametrize("text, ids", [
    ("Blinken met Public Security Minister Wang Xiaohong.", ["antony-blinken", "wang-xiaohong"]),
    ("Wang reasserted that the Taiwan question is core.", ["wang-yi"]),
    ("Xinhua quoted Xi’s remarks.", ["xi-jinping"]),
    ("Even if Li-Austin talks are stalled", ["li-shangfu", "lloyd-austin"]),
    ("detained Americans such as Kai Li", ["kai-li"]),
    ("Xiaohong and Wangs are not names here", []),
])
def test_people_are_found_by_alias_with_word_boundaries(finder, text, ids):
    assert [p.id for p in finder.find(text)] == ids


def test_person_pages_show_role_topics_and_linked_excerpts(built_site):
    html = unescape((built_site / "people/li-shangfu/index.html").read_text(encoding="utf-8"))
    assert "Defence Minister of China (2023), under US sanctions" in html
    assert 'href="../../topics/mil-to-mil/"' in html
    assert html.count("<blockquote class=\"bx-quote\">") == 5
    assert re.search(r'href="\.\./\.\./articles/[a-z0-9-]+/#p\d+"', html)


def test_topic_page_lists_the_people_involved(built_site):
    html = (built_site / "topics/mil-to-mil/index.html").read_text(encoding="utf-8")
    people = html[html.index('id="people"'):]
    people = people[:people.index("</p>")]
    assert re.search(r'href="\.\./\.\./people/li-shangfu/" title="[^"]+">Li Shangfu</a> \(5\)', people)


# --- both sides and coverage ----------------------------------------------------------

def test_coverage_panel_counts_sources_outlets_and_sides(built_site):
    html = (built_site / "topics/taiwan/index.html").read_text(encoding="utf-8")
    panel = re.search(r'<div class="bx-coverage">(.*?)</div>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", panel)
    assert "5 sources (United States Institute of Peace (USIP), and 3 whose outlet is not named)" in \
        text.replace("&#40;", "(").replace("&#41;", ")")
    assert re.search(r"\d+ states? the position of the United States and \d+ states? the position of China", text)


def test_page_says_plainly_when_a_side_has_no_excerpt(built_site):
    html = (built_site / "topics/fentanyl/index.html").read_text(encoding="utf-8")
    assert '<p class="bx-caution">No excerpt states the position of China.</p>' in html


@pytest.mark.slow
def test_single_outlet_topic_is_flagged_on_the_page_and_by_check(seeds, tmp_path):
    topics = seeds / "topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8") + (
        "  - slug: ai\n    title: Artificial intelligence\n    scope: AI talks.\n    bottom_line: Talks are planned [ex:ai-governance].\n"),
        encoding="utf-8")
    for name, quote in [("2024-04-usip-blinken-second-visit-stabilize-ties", "willingness to collaborate on AI governance"),
                        ("2023-06-usip-blinken-beijing-trip-no-breakthroughs", "Blinken pushed forward the more recent rhetoric")]:
        seed = seeds / f"articles/{name}.md"
        seed.write_text(seed.read_text(encoding="utf-8").replace(
            "excerpts:\n", f"excerpts:\n  - quote: {quote}\n    topics: [ai]\n"
            + ("    id: ai-governance\n" if "AI" in quote else ""), 1), encoding="utf-8")
    check = run_build("check", "--seeds", str(seeds))
    assert check.returncode == 0
    assert re.search(r"seeds/topics\.yml:\d+: warning: topic 'ai' rests on a single outlet "
                     r"\('United States Institute of Peace \(USIP\)'\)", check.stderr)
    out = tmp_path / "site"
    assert run_build("--seeds", str(seeds), "--out", str(out)).returncode == 0
    html = (out / "topics/ai/index.html").read_text(encoding="utf-8")
    assert "All sources on this topic come from one outlet" in html


# --- feeds ---------------------------------------------------------------------------

@pytest.mark.slow
def test_feeds_are_valid_atom_with_links_to_the_site(tmp_path):
    out = tmp_path / "site"
    assert run_build("--seeds", str(SEEDS), "--out", str(out), "--site-url", "https://example.org/briefing/").returncode == 0
    s = site()
    for page in s.topics:
        feed = feedparser.parse((out / f"feeds/{page.topic.slug}.xml").read_bytes())
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == "atom10" and feed.feed.title == f"Briefing: {page.topic.title}"
        assert len(feed.entries) == page.excerpt_count
        dates = [e.published_parsed for e in feed.entries]
        assert dates == sorted(dates, reverse=True)
        for entry in feed.entries:
            path, anchor = entry.link.removeprefix("https://example.org/briefing/").split("#")
            target = (out / path / "index.html").read_text(encoding="utf-8")
            assert f'id="{anchor}"' in target
    every = feedparser.parse((out / "feeds/all.xml").read_bytes())
    assert not every.bozo and len(every.entries) == len(verify(SEEDS, SEEDS.parent).excerpts)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate feed" type="application/atom+xml" title="Briefing: all topics" href="feeds/all.xml">' in home
    topic = (out / "topics/taiwan/index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml" title="Briefing: Taiwan" href="../../feeds/taiwan.xml"' in topic


# --- print ---------------------------------------------------------------------------

@pytest.mark.browser  # prints with headless Chromium
def test_pdf_opens_with_the_brief_then_a_section_per_topic_and_no_near_empty_page(tmp_path):
    result = run_build("pdf", "--seeds", str(SEEDS), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(tmp_path / "briefing-2024-04-30.pdf")
    texts = [page.extract_text() for page in reader.pages]
    first = " ".join(texts[0].split())
    assert first.startswith("Briefing pack The brief")
    for page in site().topics:  # page 1: every bottom line, with its "as of" date
        assert f"{page.topic.title} As of {page.latest}" in first
        assert " ".join(page.bottom_line.text.split())[:60] in first.replace(" .", ".")
    assert all(len(t.strip()) >= 1000 for t in texts[:-1]), [len(t) for t in texts]
    assert len(texts[-1].strip()) >= 200
    whole = " ".join(" ".join(texts).split())
    places = [whole.index(f"{title} As of", len(first)) for title in TOPIC_TITLES.values()]
    assert places == sorted(places)
    for page in site().topics:
        section = whole[whole.index(f"{page.topic.title} As of {page.latest} · {page.topic.scope[:20]}"):]
        for group in page.groups:
            assert group.citation.date in section
    assert "United States Institute of Peace (USIP) · c. 30 April 2024" in whole
