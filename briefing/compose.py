"""Stage 3: turn the verified briefing into page contexts. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .model import Anchored, Article, Briefing, Paragraph, Topic

STANCE_NAMES = {"us": "United States", "china": "China"}


@dataclass(frozen=True)
class Citation:
    """How an article is cited: source, date, authors."""

    article: Article
    source: str
    date: str
    authors: str


@dataclass(frozen=True)
class ExcerptView:
    """An excerpt as shown on a topic page."""

    anchored: Anchored
    citation: Citation
    topics: tuple[Topic, ...]

    @property
    def link(self) -> tuple[str, str]:
        """Page and anchor of the paragraph the excerpt is taken from."""
        return self.citation.article.dest_path, self.anchored.paragraph.anchor


@dataclass(frozen=True)
class ArticleGroup:
    """The excerpts one article contributes to a topic."""

    citation: Citation
    excerpts: tuple[ExcerptView, ...]


@dataclass(frozen=True)
class Side:
    """One side's position on a topic, from stance-tagged excerpts."""

    stance: str
    name: str
    excerpts: tuple[ExcerptView, ...]


@dataclass(frozen=True)
class TopicPage:
    """Context of a topic page."""

    dest_path: str
    topic: Topic
    sides: tuple[Side, ...]
    groups: tuple[ArticleGroup, ...]
    related: tuple[Topic, ...]
    excerpt_count: int
    unreviewed_count: int
    latest: str


@dataclass(frozen=True)
class Segment:
    """A run of paragraph text, highlighted when excerpts cover it."""

    text: str
    topics: tuple[Topic, ...] = ()
    unreviewed: bool = False


@dataclass(frozen=True)
class ParagraphView:
    """A paragraph of an article page, cut into highlighted and plain runs."""

    paragraph: Paragraph
    segments: tuple[Segment, ...]
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class ArticlePage:
    """Context of an article page."""

    dest_path: str
    citation: Citation
    paragraphs: tuple[ParagraphView, ...]
    topics: tuple[Topic, ...]
    excerpt_count: int
    unreviewed_count: int = 0


@dataclass(frozen=True)
class TopicSummary:
    """A topic at a glance, for the home page."""

    topic: Topic
    excerpt_count: int
    source_count: int
    latest: str
    counts: tuple[int, ...]
    """Excerpts per article, in the order of ``HomePage.articles``."""


@dataclass(frozen=True)
class HomePage:
    """Context of the home page."""

    dest_path: str
    summaries: tuple[TopicSummary, ...]
    articles: tuple[Citation, ...]
    newest: tuple[Citation, ...]
    excerpt_count: int
    first_date: str
    last_date: str


@dataclass(frozen=True)
class SourceEntry:
    """One entry of the bibliography."""

    citation: Citation
    topics: tuple[Topic, ...]
    excerpt_count: int


@dataclass(frozen=True)
class SourcesPage:
    """Context of the sources page."""

    dest_path: str
    entries: tuple[SourceEntry, ...]


@dataclass(frozen=True)
class Site:
    """Every page context of the site."""

    home: HomePage
    topics: tuple[TopicPage, ...]
    articles: tuple[ArticlePage, ...]
    sources: SourcesPage
    nav: tuple[str, ...] = field(default=())
    """Paths of the pages listed in the navigation, in order (articles are not)."""


def format_date(date: dt.date, approximate: bool = False) -> str:
    """``22 June 2023``, with ``c.`` in front when the date is approximate."""
    text = f"{date.day} {date:%B %Y}"
    return f"c. {text}" if approximate else text


def cite(article: Article) -> Citation:
    """The citation of an article."""
    return Citation(
        article=article,
        source=article.source or "Publication not named",
        date=format_date(article.published, article.date_approximate),
        authors=", ".join(article.authors),
    )


def newest_first(articles: list[Article] | tuple[Article, ...]) -> list[Article]:
    """Articles by date, newest first; ties broken by id so the order is stable."""
    return sorted(articles, key=lambda a: (-a.published.toordinal(), a.id))


def compose_site(briefing: Briefing) -> Site:
    """Compose the context of every page."""
    topics = {t.slug: t for t in briefing.topics}
    articles = {a.id: a for a in briefing.articles}
    citations = {a.id: cite(a) for a in briefing.articles}
    by_topic: dict[str, list[Anchored]] = defaultdict(list)
    by_article: dict[str, list[Anchored]] = defaultdict(list)
    for anchored in briefing.excerpts:
        by_article[anchored.excerpt.article_id].append(anchored)
        for slug in anchored.excerpt.topics:
            by_topic[slug].append(anchored)

    def view(anchored: Anchored) -> ExcerptView:
        return ExcerptView(anchored, citations[anchored.excerpt.article_id],
                           tuple(topics[s] for s in anchored.excerpt.topics))

    topic_pages = tuple(
        compose_topic(topic, [view(a) for a in by_topic[topic.slug]], topics, articles)
        for topic in briefing.topics
    )
    article_pages = tuple(
        compose_article(article, citations[article.id], by_article[article.id], topics)
        for article in newest_first(briefing.articles)
    )
    home = compose_home(briefing, topic_pages, citations)
    sources = compose_sources(briefing, citations, by_article, topics)
    nav = ("index.md", *(p.dest_path for p in topic_pages), sources.dest_path, "tags.md")
    return Site(home=home, topics=topic_pages, articles=article_pages, sources=sources, nav=nav)


def _reading_order(views: list[ExcerptView]) -> list[ExcerptView]:
    return sorted(views, key=lambda v: (v.anchored.paragraph.number, v.anchored.start))


def compose_topic(topic: Topic, views: list[ExcerptView], topics: dict[str, Topic],
                  articles: dict[str, Article]) -> TopicPage:
    """A topic page: positions of each side, then excerpts grouped by article, newest first."""
    grouped: dict[str, list[ExcerptView]] = defaultdict(list)
    for v in views:
        grouped[v.anchored.excerpt.article_id].append(v)
    ordered = newest_first([articles[i] for i in grouped])
    groups = tuple(
        ArticleGroup(citation=grouped[a.id][0].citation, excerpts=tuple(_reading_order(grouped[a.id])))
        for a in ordered
    )
    sides = tuple(
        Side(stance=stance, name=name, excerpts=tuple(
            v for g in groups for v in g.excerpts if v.anchored.excerpt.stance == stance))
        for stance, name in STANCE_NAMES.items()
    )
    latest = format_date(ordered[0].published, ordered[0].date_approximate) if ordered else ""
    return TopicPage(
        dest_path=topic.dest_path, topic=topic, sides=sides, groups=groups,
        related=tuple(topics[s] for s in topic.related if s in topics),
        excerpt_count=len(views),
        unreviewed_count=sum(1 for v in views if not v.anchored.excerpt.reviewed),
        latest=latest,
    )


def highlight(paragraph: Paragraph, anchors: list[Anchored], topics: dict[str, Topic]) -> tuple[Segment, ...]:
    """Cut a paragraph into runs; each run knows the topics of the excerpts covering it."""
    if not anchors:
        return (Segment(paragraph.text),)
    cuts = sorted({0, len(paragraph.text), *(a.start for a in anchors), *(a.end for a in anchors)})
    segments = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [a for a in anchors if a.start <= start and end <= a.end]
        slugs = dict.fromkeys(s for a in covering for s in a.excerpt.topics)
        segments.append(Segment(
            text=paragraph.text[start:end],
            topics=tuple(topics[s] for s in slugs),
            unreviewed=bool(covering) and all(not a.excerpt.reviewed for a in covering),
        ))
    return tuple(segments)


def compose_article(article: Article, citation: Citation, anchors: list[Anchored],
                    topics: dict[str, Topic]) -> ArticlePage:
    """An article page: metadata, then every paragraph with its excerpts highlighted."""
    per_paragraph: dict[int, list[Anchored]] = defaultdict(list)
    for a in anchors:
        per_paragraph[a.paragraph.number].append(a)
    views = []
    for paragraph in article.paragraphs:
        here = per_paragraph.get(paragraph.number, [])
        slugs = dict.fromkeys(s for a in here for s in a.excerpt.topics)
        views.append(ParagraphView(paragraph, highlight(paragraph, here, topics),
                                   tuple(topics[s] for s in slugs)))
    slugs = {s for a in anchors for s in a.excerpt.topics}
    return ArticlePage(
        dest_path=article.dest_path, citation=citation, paragraphs=tuple(views),
        topics=tuple(t for t in topics.values() if t.slug in slugs), excerpt_count=len(anchors),
        unreviewed_count=sum(1 for a in anchors if not a.excerpt.reviewed),
    )


def compose_home(briefing: Briefing, topic_pages: tuple[TopicPage, ...],
                 citations: dict[str, Citation]) -> HomePage:
    """The home page: what is covered, each topic at a glance, and the topic × article matrix."""
    ordered = newest_first(briefing.articles)
    summaries = []
    for page in topic_pages:
        per_article = {g.citation.article.id: len(g.excerpts) for g in page.groups}
        summaries.append(TopicSummary(
            topic=page.topic, excerpt_count=page.excerpt_count, source_count=len(page.groups),
            latest=page.latest, counts=tuple(per_article.get(a.id, 0) for a in ordered)))
    dates = [a.published for a in briefing.articles]
    return HomePage(
        dest_path="index.md", summaries=tuple(summaries),
        articles=tuple(citations[a.id] for a in ordered), newest=tuple(citations[a.id] for a in ordered[:5]),
        excerpt_count=len(briefing.excerpts),
        first_date=format_date(min(dates)) if dates else "", last_date=format_date(max(dates)) if dates else "",
    )


def compose_sources(briefing: Briefing, citations: dict[str, Citation],
                    by_article: dict[str, list[Anchored]], topics: dict[str, Topic]) -> SourcesPage:
    """The bibliography, newest first."""
    entries = []
    for article in newest_first(briefing.articles):
        anchors = by_article.get(article.id, [])
        slugs = {s for a in anchors for s in a.excerpt.topics}
        entries.append(SourceEntry(citation=citations[article.id],
                                   topics=tuple(t for t in topics.values() if t.slug in slugs),
                                   excerpt_count=len(anchors)))
    return SourcesPage(dest_path="sources.md", entries=tuple(entries))
