"""What `check` asks an editor to look at (briefing/editor/review.py): unreviewed excerpts, articles
with no excerpt, topics with no excerpt, on a single source or a single outlet, or with no
excerpt for a side. Each is a warning at the line to edit; a well-covered topic gives none."""

from __future__ import annotations

import datetime as dt

from briefing.core.model import Anchored, Article, Briefing, Excerpt, Paragraph, Rules, Topic
from briefing.editor.review import collect_warnings
from briefing.site.pipeline import verify
from conftest import SEEDS

TOPICS = "seeds/topics.yml"


def topic(slug: str, line: int = 3) -> Topic:
    return Topic(slug, slug.title(), "", "", (), Rules(), line, TOPICS)


def excerpt(article_id: str, *topics: str, stance: str | None = "us", reviewed: bool = True, line: int = 9,
            quote: str = "Talks resumed.") -> Excerpt:
    return Excerpt(article_id, quote, topics, line, stance=stance, reviewed=reviewed)


def article(article_id: str, *excerpts: Excerpt, source: str = "Pacific Ledger") -> Article:
    return Article(id=article_id, title=article_id, source=source, url="", published=dt.date(2024, 6, 3),
                   date_approximate=False, authors=(), language="en",
                   paragraphs=(Paragraph(1, "Talks resumed.", 20),), excerpts=excerpts,
                   src_path=f"seeds/articles/{article_id}.md")


def warnings_of(topics: list[Topic], articles: list[Article]) -> list[str]:
    anchored = tuple(Anchored(e, a.paragraphs[0], 0, len(e.quote)) for a in articles for e in a.excerpts)
    problems = collect_warnings(Briefing(topics=tuple(topics), articles=tuple(articles), excerpts=anchored))
    assert all(p.severity == "warning" for p in problems)
    return [str(p) for p in problems]


def covered(slug: str) -> list[Article]:
    """Two outlets and both sides on ``slug``: nothing to warn about."""
    return [article("a", excerpt("a", slug, stance="us"), source="Pacific Ledger"),
            article("b", excerpt("b", slug, stance="china"), source="Global Affairs Wire")]


def test_a_well_covered_topic_gives_no_warning():
    assert warnings_of([topic("taiwan")], covered("taiwan")) == []


def test_an_unreviewed_excerpt_is_a_warning_at_its_line_with_its_topics_and_quote():
    articles = covered("taiwan") + [article("c", excerpt("c", "taiwan", "trade", reviewed=False, line=14,
                                                         quote="A Chinese destroyer cut across the bow " * 3))]
    assert warnings_of([topic("taiwan"), topic("trade")], articles)[0] == (
        'seeds/articles/c.md:14: warning: unreviewed excerpt (taiwan, trade): '
        '"A Chinese destroyer cut across the bow A Chinese destroyer cut across…"\n'
        "    hint: check it against the article, then delete 'unreviewed: true'")


def test_a_reviewed_excerpt_gives_no_unreviewed_warning():
    assert not any("unreviewed" in w for w in warnings_of([topic("taiwan")], covered("taiwan")))


def test_an_article_with_no_excerpt_is_a_warning_at_its_first_line():
    articles = covered("taiwan") + [article("bare")]
    assert warnings_of([topic("taiwan")], articles) == [
        "seeds/articles/bare.md:1: warning: article 'bare' has no excerpt\n"
        "    hint: tag the passages that bear on a topic, or run 'python build.py suggest'"]


def test_a_topic_with_no_excerpt_is_one_warning_at_its_line_and_no_side_is_blamed():
    assert warnings_of([topic("taiwan"), topic("climate", line=30)], covered("taiwan")) == [
        "seeds/topics.yml:30: warning: topic 'climate' has no excerpt yet"]


def test_a_topic_resting_on_a_single_source_names_it():
    articles = [article("a", excerpt("a", "taiwan", stance="us"), excerpt("a", "taiwan", stance="china", line=12))]
    assert warnings_of([topic("taiwan")], articles) == [
        "seeds/topics.yml:3: warning: topic 'taiwan' rests on a single source ('a')\n"
        "    hint: add excerpts from other articles"]


def test_a_topic_resting_on_a_single_outlet_names_it():
    articles = [article("a", excerpt("a", "taiwan", stance="us")), article("b", excerpt("b", "taiwan", stance="china"))]
    assert warnings_of([topic("taiwan")], articles) == [
        "seeds/topics.yml:3: warning: topic 'taiwan' rests on a single outlet ('Pacific Ledger')\n"
        "    hint: add excerpts from other publications"]


def test_sources_whose_outlet_is_not_named_are_not_taken_for_one_outlet():
    articles = [article("a", excerpt("a", "taiwan", stance="us"), source=""),
                article("b", excerpt("b", "taiwan", stance="china"), source="")]
    assert warnings_of([topic("taiwan")], articles) == []


def test_a_topic_with_no_excerpt_for_a_side_is_a_warning_per_missing_side():
    articles = [article("a", excerpt("a", "taiwan", stance=None), source="Pacific Ledger"),
                article("b", excerpt("b", "taiwan", stance="us"), source="Global Affairs Wire")]
    assert warnings_of([topic("taiwan")], articles) == [
        "seeds/topics.yml:3: warning: topic 'taiwan' has no excerpt stating the position of China\n"
        "    hint: mark such an excerpt with 'stance: china', if the sources have one"]
    no_stance = [article("a", excerpt("a", "taiwan", stance=None), source="Pacific Ledger"),
                 article("b", excerpt("b", "taiwan", stance=None), source="Global Affairs Wire")]
    assert [w.splitlines()[0] for w in warnings_of([topic("taiwan")], no_stance)] == [
        "seeds/topics.yml:3: warning: topic 'taiwan' has no excerpt stating the position of the United States",
        "seeds/topics.yml:3: warning: topic 'taiwan' has no excerpt stating the position of China"]


def test_the_fixture_seeds_warn_only_that_fentanyl_has_no_china_excerpt_and_of_one_fragment_lead():
    warnings: list = []
    verify(SEEDS, SEEDS.parent, warnings=warnings)
    fentanyl = (SEEDS / "topics.yml").read_text(encoding="utf-8").splitlines().index("  - slug: fentanyl") + 1
    assert [str(w).splitlines()[0] for w in warnings] == [
        f"seeds/topics.yml:{fentanyl}: warning: topic 'fentanyl' has no excerpt stating the position of China",
        "seeds/topics.yml:40: warning: lead quote 'tw-core-interests' of 'taiwan' is not a full sentence: "
        "\"Wang reasserted that the Taiwan question is one of China's \"core inte…\""]
