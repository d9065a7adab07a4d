"""Stage 3: turn the verified briefing into page contexts. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from .model import STANCE_PROSE, Anchored, AnchoredEvent, Article, Briefing, Paragraph, Person, Topic
from .people import MentionFinder

STANCE_NAMES = {"us": "United States", "china": "China"}
"""Side names as they read inside a sentence."""
SIDE_NAMES = {"us": "United States", "china": "China", "other": "Others"}
# Page sizes: no page grows with the number of articles; what does not fit goes to numbered pages.
TOPIC_SOURCES_PER_PAGE = 30
"""Article groups on a topic page (and on each of its archive pages)."""
SIDE_EXCERPTS = 10
"""Newest excerpts shown per side under "Positions"."""
CHRONOLOGY_ON_TOPIC = 25
"""Newest events in a topic's chronology (the timeline has them all)."""
HOME_MATRIX_ROWS = 25
SOURCES_PER_PAGE = 100
TIMELINE_PER_PAGE = 100
PERSON_ITEMS = 50
"""Newest excerpts, and newest other passages, listed on a person's page."""

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


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
    """The newest ``SIDE_EXCERPTS`` of them."""
    total: int = 0
    """How many excerpts state this side's position in all."""

    @property
    def prose(self) -> str:
        """The side's name inside a sentence ("the United States")."""
        return STANCE_PROSE.get(self.stance, self.name)


@dataclass(frozen=True)
class EventView:
    """An event as listed in a chronology: its date in words and its supporting excerpts."""

    anchored: AnchoredEvent
    date: str
    topics: tuple[Topic, ...]
    citations: tuple[Citation, ...]
    """The citation of each supporting excerpt, in the same order."""


@dataclass(frozen=True)
class Coverage:
    """How well the sources cover a topic."""

    source_count: int
    outlets: tuple[str, ...]
    """Named outlets, sorted."""
    unnamed: int
    """Sources whose outlet the text does not name."""
    per_side: tuple[tuple[str, int], ...]
    """(side name, excerpts stating its position)."""
    newest: str
    cautions: tuple[str, ...]
    """Plain sentences on what the reader should know: one outlet, a side unheard."""


@dataclass(frozen=True)
class Involvement:
    """A person named in a topic's excerpts."""

    person: Person
    count: int


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
    chronology: tuple[EventView, ...] = ()
    people: tuple[Involvement, ...] = ()
    coverage: Coverage | None = None
    archive: tuple["TopicArchivePage", ...] = ()
    """Older sources, ``TOPIC_SOURCES_PER_PAGE`` per page."""
    event_count: int = 0

    @property
    def feed_path(self) -> str:
        """Where the topic's Atom feed is, in the site."""
        return f"feeds/{self.topic.slug}.xml"


@dataclass(frozen=True)
class TopicArchivePage:
    """Older excerpts of a topic, by source."""

    dest_path: str
    topic: Topic
    number: int
    groups: tuple[ArticleGroup, ...]
    pages: tuple[tuple[int, str], ...]
    """(number, dest_path) of every page of the topic, the topic page being 1."""

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body: one per source."""
        return tuple((3, g.citation.article.id, g.citation.article.title) for g in self.groups)

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        """Every id in the page's body: each source's heading."""
        return tuple(g.citation.article.id for g in self.groups)


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
    topics: tuple[Topic, ...]
    excerpt_count: int
    unreviewed_count: int = 0
    anchors: tuple[Anchored, ...] = ()
    """The article's excerpts, where they are in its text."""
    topic_map: dict[str, Topic] = field(default_factory=dict, compare=False, repr=False)

    TEXT_HEADING = ("text", "Text")
    """The id and title of the heading above the article's text."""

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body, for its table of contents."""
        return ((2, *self.TEXT_HEADING),)

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        """Every id in the page's body: the text's heading and each paragraph."""
        return (self.TEXT_HEADING[0], *(p.anchor for p in self.citation.article.paragraphs))

    @functools.cached_property
    def paragraphs(self) -> tuple[ParagraphView, ...]:
        """Every paragraph, with its excerpts highlighted. Computed when the page's body is
        rendered, which may be in the background process (see ``background``)."""
        per_paragraph: dict[int, list[Anchored]] = defaultdict(list)
        for a in self.anchors:
            per_paragraph[a.paragraph.number].append(a)
        views = []
        for paragraph in self.citation.article.paragraphs:
            here = per_paragraph.get(paragraph.number, [])
            slugs = dict.fromkeys(s for a in here for s in a.excerpt.topics)
            views.append(ParagraphView(paragraph, highlight(paragraph, here, self.topic_map),
                                       tuple(self.topic_map[s] for s in slugs)))
        return tuple(views)


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
    article_count: int
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
    """Context of a page of the bibliography."""

    dest_path: str
    entries: tuple[SourceEntry, ...]
    number: int = 1
    pages: tuple[tuple[int, str], ...] = ()
    total: int = 0

    @property
    def first(self) -> int:
        """The number of this page's first entry in the whole bibliography."""
        return (self.number - 1) * SOURCES_PER_PAGE + 1

    headings: tuple[tuple[int, str, str], ...] = ()
    """The page's body has no heading and no id of its own."""
    anchor_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonPage:
    """Context of a person's page."""

    dest_path: str
    person: Person
    side: str
    topics: tuple[Topic, ...]
    excerpts: tuple[ExcerptView, ...]
    """Excerpts that quote or name the person, newest source first."""
    events: tuple[EventView, ...] = ()
    """Events whose supporting excerpts name the person."""
    passages: tuple[tuple[Citation, Paragraph], ...] = ()
    """Other paragraphs of the articles that name the person (the newest ``PERSON_ITEMS``)."""
    excerpt_total: int = 0
    passage_total: int = 0


@dataclass(frozen=True)
class PeoplePage:
    """Context of the index of people, by side."""

    dest_path: str
    sides: tuple[tuple[str, tuple[PersonPage, ...]], ...]


@dataclass(frozen=True)
class TimelinePage:
    """Context of a page of the site-wide timeline."""

    dest_path: str
    events: tuple[EventView, ...]
    number: int = 1
    pages: tuple[tuple[int, str], ...] = ()
    total: int = 0


@dataclass(frozen=True)
class PackPage:
    """Context of the printable briefing pack: every topic in order."""

    dest_path: str
    topics: tuple[TopicPage, ...]
    date: str


@dataclass(frozen=True)
class Site:
    """Every page context of the site."""

    home: HomePage
    topics: tuple[TopicPage, ...]
    articles: tuple[ArticlePage, ...]
    sources: SourcesPage
    nav: tuple[str, ...] = field(default=())
    more: tuple = ()
    """Further numbered pages: topic archives, bibliography and timeline pages."""
    """Paths of the pages listed in the navigation, in order (articles are not)."""
    people: tuple[PersonPage, ...] = ()
    people_index: PeoplePage | None = None
    timeline: TimelinePage | None = None
    pack: PackPage | None = None


def format_date(date: dt.date, approximate: bool = False) -> str:
    """``22 June 2023``, with ``c.`` in front when the date is approximate."""
    text = f"{date.day} {date:%B %Y}"
    return f"c. {text}" if approximate else text


def format_event_date(date: str) -> str:
    """``August 2022``, ``18 June 2023`` or ``2024``, as precise as the date is."""
    parts = date.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


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

    views = {id(a): view(a) for a in briefing.excerpts}  # one view per excerpt, shared by every page
    finder = MentionFinder(briefing.people)
    named = {id(a): finder.find(a.text) for a in briefing.excerpts}
    events = sorted((EventView(e, format_event_date(e.event.date), tuple(topics[s] for s in e.event.topics if s in topics),
                               tuple(citations[a.excerpt.article_id] for a in e.support))
                     for e in briefing.events), key=lambda v: (v.anchored.event.date, v.anchored.event.line))
    topic_pages = tuple(
        compose_topic(topic, [views[id(a)] for a in by_topic[topic.slug]], topics, articles,
                      chronology=[e for e in events if topic.slug in e.anchored.event.topics], named=named)
        for topic in briefing.topics
    )
    article_pages = tuple(
        compose_article(article, citations[article.id], by_article[article.id], topics)
        for article in newest_first(briefing.articles)
    )
    home = compose_home(briefing, topic_pages, citations)
    sources = compose_sources(briefing, citations, by_article, topics)
    people = compose_people(briefing, list(views.values()), named, events, finder, citations)
    people_index = PeoplePage("people.md", tuple(
        (name, tuple(p for p in people if p.person.side == side)) for side, name in SIDE_NAMES.items()))
    timeline_pages = paginate(tuple(events), TIMELINE_PER_PAGE, "timeline.md",
                              lambda path, items, n, pages: TimelinePage(path, items, n, pages, len(events)))
    timeline = timeline_pages[0]
    newest = max((a.published for a in briefing.articles), default=None)
    pack = PackPage("pack.md", topic_pages, format_date(newest) if newest else "")
    nav = ("index.md", *(p.dest_path for p in topic_pages), timeline.dest_path, people_index.dest_path,
           sources[0].dest_path, "tags.md", pack.dest_path)
    more = (*(a for p in topic_pages for a in p.archive), *sources[1:], *timeline_pages[1:])
    return Site(home=home, topics=topic_pages, articles=article_pages, sources=sources[0], nav=nav,
                people=people, people_index=people_index, timeline=timeline, pack=pack, more=more)


def paginate(items: tuple, size: int, first_path: str, make) -> list:
    """Numbered pages of at most ``size`` items: ``first_path``, then ``<stem>/page-N.md``."""
    chunks = [items[i:i + size] for i in range(0, len(items), size)] or [()]
    stem = first_path.removesuffix(".md")
    paths = [first_path] + [f"{stem}/page-{n}.md" for n in range(2, len(chunks) + 1)]
    pages = tuple(enumerate(paths, 1))
    return [make(paths[n - 1], chunks[n - 1], n, pages) for n in range(1, len(chunks) + 1)]


def compose_people(briefing: Briefing, views: list[ExcerptView], named: dict[int, list[Person]],
                   events: list[EventView], finder: MentionFinder,
                   citations: dict[str, Citation]) -> tuple[PersonPage, ...]:
    """A page per person: excerpts and events that name them, other passages, their topics."""
    if not briefing.people:
        return ()
    by_person: dict[str, list[ExcerptView]] = defaultdict(list)
    for v in views:
        for person in named[id(v.anchored)]:
            by_person[person.id].append(v)
    in_events: dict[str, list[EventView]] = defaultdict(list)
    for e in events:
        for person in {p.id: p for a in e.anchored.support for p in finder.find(a.text)}.values():
            in_events[person.id].append(e)
    passages: dict[str, list[tuple[Citation, Paragraph]]] = defaultdict(list)
    for article in newest_first(briefing.articles):
        for paragraph in article.paragraphs:
            for person in finder.find(paragraph.text):
                passages[person.id].append((citations[article.id], paragraph))
    pages = []
    for person in briefing.people:
        mine = sorted(by_person.get(person.id, []), key=lambda v: (-v.citation.article.published.toordinal(),
                                                                   v.citation.article.id, v.anchored.paragraph.number))
        linked = {(v.citation.article.id, v.anchored.paragraph.number) for v in mine}
        others = tuple((c, p) for c, p in passages.get(person.id, []) if (c.article.id, p.number) not in linked)
        slugs = {t.slug for v in mine for t in v.topics}
        pages.append(PersonPage(person.dest_path, person, SIDE_NAMES.get(person.side, person.side),
                                tuple(t for t in briefing.topics if t.slug in slugs), tuple(mine[:PERSON_ITEMS]),
                                tuple(in_events.get(person.id, [])[-PERSON_ITEMS:]), others[:PERSON_ITEMS],
                                excerpt_total=len(mine), passage_total=len(others)))
    return tuple(pages)


def compose_coverage(groups: tuple[ArticleGroup, ...], sides: tuple[Side, ...], latest: str) -> Coverage:
    """Sources, outlets, excerpts per side, and what a reader should be warned of."""
    outlets = sorted({g.citation.article.source for g in groups if g.citation.article.source})
    unnamed = sum(1 for g in groups if not g.citation.article.source)
    cautions = []
    if len(groups) == 1:
        cautions.append("This topic rests on a single source.")
    elif len(outlets) == 1 and not unnamed:
        cautions.append(f"All sources on this topic come from one outlet ({outlets[0]}).")
    for side in sides:
        if not side.total:
            cautions.append(f"No excerpt states the position of {side.prose}.")
    return Coverage(source_count=len(groups), outlets=tuple(outlets), unnamed=unnamed,
                    per_side=tuple((s.prose, s.total) for s in sides), newest=latest, cautions=tuple(cautions))


def _reading_order(views: list[ExcerptView]) -> list[ExcerptView]:
    return sorted(views, key=lambda v: (v.anchored.paragraph.number, v.anchored.start))


def compose_topic(topic: Topic, views: list[ExcerptView], topics: dict[str, Topic],
                  articles: dict[str, Article], chronology: list[EventView] | None = None,
                  named: dict[int, list[Person]] | None = None) -> TopicPage:
    """A topic page: positions of each side, then excerpts grouped by article, newest first."""
    grouped: dict[str, list[ExcerptView]] = defaultdict(list)
    for v in views:
        grouped[v.anchored.excerpt.article_id].append(v)
    ordered = newest_first([articles[i] for i in grouped])
    groups = tuple(
        ArticleGroup(citation=grouped[a.id][0].citation, excerpts=tuple(_reading_order(grouped[a.id])))
        for a in ordered
    )
    sides = []
    for stance, name in STANCE_NAMES.items():
        stated = [v for g in groups for v in g.excerpts if v.anchored.excerpt.stance == stance]
        sides.append(Side(stance=stance, name=name, excerpts=tuple(stated[:SIDE_EXCERPTS]), total=len(stated)))
    sides = tuple(sides)
    pages = paginate(groups, TOPIC_SOURCES_PER_PAGE, topic.dest_path,
                     lambda path, items, n, all_pages: TopicArchivePage(path, topic, n, items, all_pages))
    archive = tuple(pages[1:])
    events = list(chronology or ())
    latest = format_date(ordered[0].published, ordered[0].date_approximate) if ordered else ""
    counts: dict[str, int] = {}
    people: dict[str, Person] = {}
    for v in views:
        for person in (named or {}).get(id(v.anchored), []):
            counts[person.id] = counts.get(person.id, 0) + 1
            people[person.id] = person
    involved = sorted((Involvement(people[i], n) for i, n in counts.items()), key=lambda x: (-x.count, x.person.name))
    return TopicPage(
        dest_path=topic.dest_path, topic=topic, sides=sides, groups=pages[0].groups,
        related=tuple(topics[s] for s in topic.related if s in topics),
        excerpt_count=len(views),
        unreviewed_count=sum(1 for v in views if not v.anchored.excerpt.reviewed),
        latest=latest, chronology=tuple(events[-CHRONOLOGY_ON_TOPIC:]), people=tuple(involved[:PERSON_ITEMS]),
        coverage=compose_coverage(groups, sides, latest), archive=archive, event_count=len(events),
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
    slugs = {s for a in anchors for s in a.excerpt.topics}
    return ArticlePage(
        dest_path=article.dest_path, citation=citation,
        topics=tuple(t for t in topics.values() if t.slug in slugs), excerpt_count=len(anchors),
        unreviewed_count=sum(1 for a in anchors if not a.excerpt.reviewed), anchors=tuple(anchors),
        topic_map=topics,
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
            latest=page.latest, counts=tuple(per_article.get(a.id, 0) for a in ordered[:HOME_MATRIX_ROWS])))
    dates = [a.published for a in briefing.articles]
    return HomePage(
        dest_path="index.md", summaries=tuple(summaries),
        articles=tuple(citations[a.id] for a in ordered[:HOME_MATRIX_ROWS]),
        newest=tuple(citations[a.id] for a in ordered[:5]), article_count=len(ordered),
        excerpt_count=len(briefing.excerpts),
        first_date=format_date(min(dates)) if dates else "", last_date=format_date(max(dates)) if dates else "",
    )


def compose_sources(briefing: Briefing, citations: dict[str, Citation],
                    by_article: dict[str, list[Anchored]], topics: dict[str, Topic]) -> list[SourcesPage]:
    """The bibliography, newest first, in numbered pages."""
    entries = []
    for article in newest_first(briefing.articles):
        anchors = by_article.get(article.id, [])
        slugs = {s for a in anchors for s in a.excerpt.topics}
        entries.append(SourceEntry(citation=citations[article.id],
                                   topics=tuple(t for t in topics.values() if t.slug in slugs),
                                   excerpt_count=len(anchors)))
    return paginate(tuple(entries), SOURCES_PER_PAGE, "sources.md",
                    lambda path, items, n, pages: SourcesPage(path, items, n, pages, len(entries)))
