"""Page contexts: grouping, ordering, sides and highlights."""

from pathlib import Path

from briefing.core.compose import compose_site, highlight
from briefing.site.pipeline import verify
from briefing.core.model import Anchored, Excerpt, Paragraph, Topic

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


def site():
    return compose_site(verify(SEEDS, SEEDS.parent))


def test_each_topic_draws_on_at_least_three_articles():
    for page in site().topics:
        assert len(page.groups) >= 3, page.topic.slug


def test_groups_are_newest_first():
    for page in site().topics:
        dates = [g.citation.article.published for g in page.groups]
        assert dates == sorted(dates, reverse=True)


def test_sides_hold_only_their_stance():
    for page in site().topics:
        us, china = page.sides
        assert all(v.anchored.excerpt.stance == "us" for v in us.excerpts)
        assert all(v.anchored.excerpt.stance == "china" for v in china.excerpts)


def test_every_seed_article_contributes_and_is_cited_on_sources_page():
    s = site()
    assert all(e.excerpt_count > 0 for e in s.sources.entries)
    assert len(s.sources.entries) == 5


def test_nav_lists_topics_but_no_article():
    s = site()
    assert s.nav[0] == "index.md" and not any(p.startswith("articles/") for p in s.nav)
    assert [p for p in s.nav if p.startswith("topics/")] == [t.dest_path for t in s.topics]


def test_overlapping_excerpts_cut_the_paragraph_into_runs():
    topics = {s: Topic(s, s.title(), "", "", (), {}, 1, "t") for s in ("a", "b")}
    para = Paragraph(1, "one two three four", 1)
    anchors = [
        Anchored(Excerpt("x", "one two", ("a",), 1), para, 0, 7),
        Anchored(Excerpt("x", "two three", ("b",), 2), para, 4, 13),
    ]
    runs = [(s.text, tuple(t.slug for t in s.topics)) for s in highlight(para, anchors, topics)]
    assert runs == [("one ", ("a",)), ("two", ("a", "b")), (" three", ("b",)), (" four", ())]
