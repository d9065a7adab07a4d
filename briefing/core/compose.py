"""Stage 3: turn the verified briefing into page contexts. Pure: no I/O."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .claims import Claim, parse_claim
from .model import STANCE_PROSE, Anchored, AnchoredEvent, Article, Briefing, Paragraph, Person, Topic
from .memo import Memo
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
LIST_SEPARATORS = 3
"""A quote with this many commas and semicolons reads as a list, not as a lead sentence."""
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

    @property
    def key(self) -> str:
        """The excerpt's id (``Anchored.key``); its anchor on topic pages is ``ex-<key>``."""
        return self.anchored.key


@dataclass(frozen=True)
class Ref:
    """Where a topic's evidence list has an excerpt: its number and the page it is on."""

    number: int
    dest_path: str
    view: ExcerptView

    @property
    def anchor(self) -> str:
        return f"ex-{self.view.key}"


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
    summary: Claim | None = None
    """The editor's one-line summary of the position, if written."""
    leads: tuple[ExcerptView, ...] = ()
    """The quotes shown first: the editor's choice, else the longest full sentence."""

    @property
    def shown(self) -> bool:
        """Whether the side has anything to show: a summary or an excerpt."""
        return bool(self.summary or self.total)

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

    @property
    def anchor(self) -> str:
        """The event's id in a chronology."""
        return f"event-{self.anchored.event.date.replace('..', '--')}-{self.anchored.event.line}"


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
    bottom_line: Claim = Claim(())
    key_points: tuple[Claim, ...] = ()
    watch: tuple[Claim, ...] = ()
    refs: dict[str, Ref] = field(default_factory=dict)
    """Every excerpt of the topic by key: its number in the evidence and the page holding it."""
    source_count: int = 0

    @property
    def feed_path(self) -> str:
        """Where the topic's Atom feed is, in the site."""
        return f"feeds/{self.topic.slug}.xml"

    @property
    def evidence_bar(self) -> tuple[tuple[str, str, int, float], ...]:
        """The topic's excerpts by side, for the evidence bar: (class, label, count, percent)
        for the United States, China and the others (excerpts that state no side's position)."""
        counts = [(s.stance, f"the position of {s.prose}", s.total) for s in self.sides]
        others = self.excerpt_count - sum(n for _, _, n in counts)
        counts.append(("other", "no side's position", max(others, 0)))
        total = sum(n for _, _, n in counts) or 1
        return tuple((kind, label, n, round(100 * n / total, 2)) for kind, label, n in counts)

    @property
    def quoted_above(self) -> frozenset[str]:
        """Keys of the excerpts quoted in full under the positions (the evidence shortens them)."""
        return frozenset(v.key for s in self.sides for v in s.leads)

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body, for its table of contents."""
        found = [(2, "key-points", "Key points")] if self.key_points or self.watch else []
        found += [(2, "positions", "Positions")]
        found += [(3, f"position-{s.stance}", s.name) for s in self.sides if s.shown]
        found += [(2, "chronology", "Chronology")] if self.chronology else []
        found += [(2, "evidence", "Evidence")]
        found += [(3, g.citation.article.id, g.citation.article.title) for g in self.groups]
        found += [(2, "see-also", "See also")] if self.people or self.related else []
        return tuple(found)

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        """Every id in the page's body: its headings and each excerpt of its evidence."""
        return (*(h[1] for h in self.headings), "bottom-line", "watch", "people", "related", "corrections",
                *(self.refs[v.key].anchor for g in self.groups for v in g.excerpts))


@dataclass(frozen=True)
class TopicArchivePage:
    """Older excerpts of a topic, by source."""

    dest_path: str
    topic: Topic
    number: int
    groups: tuple[ArticleGroup, ...]
    pages: tuple[tuple[int, str], ...]
    """(number, dest_path) of every page of the topic, the topic page being 1."""
    refs: dict[str, Ref] = field(default_factory=dict)
    """The topic's ``TopicPage.refs``: the numbers of the excerpts."""

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body: one per source."""
        return tuple((3, g.citation.article.id, g.citation.article.title) for g in self.groups)

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        """Every id in the page's body: each source's heading and each excerpt."""
        return (*(g.citation.article.id for g in self.groups),
                *(self.refs[v.key].anchor for g in self.groups for v in g.excerpts))

    @property
    def quoted_above(self) -> frozenset[str]:
        return frozenset()


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
    article: Article | None = None
    """The article with its text (its citation's may be an earlier reading of the same
    metadata, ``core/memo.py``); None: the citation's."""

    site_language: str = "en"
    """The language the site is written in: an article's is shown only when it differs."""

    TEXT_HEADING = ("text", "Text")
    """The id and title of the heading above the article's text."""

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body, for its table of contents."""
        return ((2, *self.TEXT_HEADING),)

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        """Every id in the page's body: the text's heading and each paragraph."""
        return (self.TEXT_HEADING[0], "corrections", *(p.anchor for p in self.full_article.paragraphs))

    @property
    def full_article(self) -> Article:
        """The article whose text the page shows."""
        return self.article if self.article is not None else self.citation.article

    @functools.cached_property
    def paragraphs(self) -> tuple[ParagraphView, ...]:
        """Every paragraph, with its excerpts highlighted. Computed when the page's body is
        rendered, which may be in the background process (see ``background``)."""
        per_paragraph: dict[int, list[Anchored]] = defaultdict(list)
        for a in self.anchors:
            per_paragraph[a.paragraph.number].append(a)
        views = []
        for paragraph in self.full_article.paragraphs:
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
    page: "TopicPage | None" = None
    """The topic's page: its bottom line and the evidence it cites."""

    @property
    def changed(self) -> Claim | None:
        """The editor's line on what the newest source changed, if written."""
        return parse_claim(self.topic.changed) if self.topic.changed else None


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

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body."""
        return (*((2, f"topic-{s.topic.slug}", s.topic.title) for s in self.summaries),
                (2, "newest", "Newest sources"), (2, "matrix", "Coverage: topics × articles"))

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        return tuple(h[1] for h in self.headings)


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

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body."""
        name = self.person.name
        found = [(2, "excerpts", f"Excerpts that quote or name {name}")] if self.excerpts else []
        found += [(2, "events", "Events")] if self.events else []
        if self.passages:
            found.append((2, "passages", f"{'Other passages' if self.excerpts else 'Passages'} naming {name}"))
        return tuple(found)

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        return (*(h[1] for h in self.headings), *(e.anchor for e in self.events))


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

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """The page's body has no heading of its own."""
        return ()

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        """Every id in the page's body: one per event."""
        return tuple(e.anchor for e in self.events)


@dataclass(frozen=True)
class PackPage:
    """Context of the printable briefing pack: every topic in order."""

    dest_path: str
    topics: tuple[TopicPage, ...]
    date: str
    limit: int = 10
    """Newest sources and events listed per topic (the topic pages have them all)."""

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """(level, id, title) of the headings of the page's body."""
        return ((2, "brief", "The brief"), *((2, f"pack-{t.topic.slug}", t.topic.title) for t in self.topics))

    @property
    def anchor_ids(self) -> tuple[str, ...]:
        return tuple(h[1] for h in self.headings)


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
    """``August 2022``, ``18 June 2023`` or ``2024``, as precise as the date is; a range as
    ``19–30 June 2023`` or ``30 April – 3 May 2024``."""
    if ".." in date:
        first, last = (dt.date.fromisoformat(d) for d in date.split(".."))
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{last.day} {MONTHS[last.month - 1]} {last.year}"
        if first.year == last.year:
            return f"{first.day} {MONTHS[first.month - 1]} – {last.day} {MONTHS[last.month - 1]} {last.year}"
        return f"{format_date(first)} – {format_date(last)}"
    parts = date.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def cite(article: Article) -> Citation:
    """The citation of an article."""
    return Citation(
        article=article,
        source=article.source,
        date=article_date(article),
        authors=", ".join(article.authors),
    )


def metadata(article: Article) -> tuple:
    """All of an article but its text (paragraphs): what citing it shows."""
    return tuple(getattr(article, f.name) for f in dataclasses.fields(article) if f.name != "paragraphs")


def article_date(article: Article) -> str:
    """An article's date with the precision its seed gives: ``c. 19 June 2023``, ``April 2024``
    or ``26 April – 3 May 2024``."""
    if article.published_range:
        return format_event_date(article.published_range)
    return format_date(article.published, article.date_approximate)


def newest_first(articles: list[Article] | tuple[Article, ...]) -> list[Article]:
    """Articles by date, newest first; ties broken by id so the order is stable."""
    return sorted(articles, key=lambda a: (-a.published.toordinal(), a.id))


def compose_site(briefing: Briefing, memo: Memo | None = None) -> Site:
    """Compose the context of every page. With ``memo`` (``serve``), what is made from the same
    objects as in the last build (citations, views, topic and article pages …) is that build's."""
    topics = {t.slug: t for t in briefing.topics}
    articles = {a.id: a for a in briefing.articles}
    if memo is None:
        citations = {a.id: cite(a) for a in briefing.articles}
    else:
        # The same article object has the same citation; another with the same metadata too.
        citations = {a.id: memo.same("citation", a, (), lambda a=a: memo.citation(metadata(a), lambda: cite(a)))
                     for a in briefing.articles}
    by_topic: dict[str, list[Anchored]] = defaultdict(list)
    by_article: dict[str, list[Anchored]] = defaultdict(list)
    for anchored in briefing.excerpts:
        by_article[anchored.excerpt.article_id].append(anchored)
        for slug in anchored.excerpt.topics:
            by_topic[slug].append(anchored)

    def view(anchored: Anchored) -> ExcerptView:
        citation, shown = citations[anchored.excerpt.article_id], tuple(topics[s] for s in anchored.excerpt.topics)
        if memo is None:
            return ExcerptView(anchored, citation, shown)
        return memo.same("view", anchored, (citation, *shown), lambda: ExcerptView(anchored, citation, shown))

    finder = MentionFinder(briefing.people) if memo is None else \
        memo.mention_finder(briefing.people, lambda people: MentionFinder(people, remember=True))
    if memo is None:
        views = {id(a): view(a) for a in briefing.excerpts}  # one view per excerpt, shared by every page
        named = {id(a): finder.find(a.text) for a in briefing.excerpts}
    else:  # an article at a time: the same when its excerpts, citation and topics are
        views, named = {}, {}
        shown_topics = tuple(topics.values())
        for article_id, anchors in by_article.items():
            citation = citations[article_id]
            made = memo.same("views", citation, (*anchors, *shown_topics, finder), lambda anchors=anchors: tuple(
                (id(a), view(a), finder.find(a.text)) for a in anchors))
            for key, v, people in made:
                views[key] = v
                named[key] = people
    def event_view(e: AnchoredEvent) -> EventView:
        shown = tuple(topics[s] for s in e.event.topics if s in topics)
        cited = tuple(citations[a.excerpt.article_id] for a in e.support)
        if memo is None:
            return EventView(e, format_event_date(e.event.date), shown, cited)
        return memo.same("event", e, (*shown, *cited), lambda: EventView(e, format_event_date(e.event.date), shown, cited))

    events = sorted((event_view(e) for e in briefing.events), key=lambda v: v.anchored.event.sort_key)

    def topic_page(topic: Topic) -> TopicPage:
        mine = [views[id(a)] for a in by_topic[topic.slug]]
        chronology = [e for e in events if topic.slug in e.anchored.event.topics]
        if memo is None:
            return compose_topic(topic, mine, topics, articles, chronology=chronology, named=named)
        # What else it reads is the same when these are: the articles' dates (in the views'
        # citations), the people named (in their text).
        return memo.same("topic", topic, (*mine, *chronology, *topics.values(), *briefing.people),
                         lambda: compose_topic(topic, mine, topics, articles, chronology=chronology, named=named))

    topic_pages = tuple(topic_page(topic) for topic in briefing.topics)
    def article_page(article: Article) -> ArticlePage:
        citation, anchors = citations[article.id], by_article[article.id]
        if memo is None:
            return compose_article(article, citation, anchors, topics)
        return memo.same("article", article, (citation, *anchors, *topics.values()),
                         lambda: compose_article(article, citation, anchors, topics))

    article_pages = tuple(article_page(article) for article in newest_first(briefing.articles))
    home = compose_home(briefing, topic_pages, citations)
    sources = compose_sources(briefing, citations, by_article, topics)
    def named_paragraphs(article: Article) -> tuple[tuple[Paragraph, tuple[Person, ...]], ...]:
        found = ((p, tuple(finder.find(p.text))) for p in article.paragraphs)
        if memo is None:
            return tuple((p, people) for p, people in found if people)
        return memo.same("named", article, (finder,), lambda: tuple((p, people) for p, people in found if people))

    people = compose_people(briefing, list(views.values()), named, events, finder, citations, named_paragraphs)
    people_index = PeoplePage("people.md", tuple(
        (name, tuple(p for p in people if p.person.side == side)) for side, name in SIDE_NAMES.items()))
    timeline_pages = paginate(tuple(events), TIMELINE_PER_PAGE, "timeline.md",
                              lambda path, items, n, pages: TimelinePage(path, items, n, pages, len(events)))
    timeline = timeline_pages[0]
    ordered = newest_first(briefing.articles)
    pack = PackPage("pack.md", topic_pages, article_date(ordered[0]) if ordered else "")
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
                   citations: dict[str, Citation], named_paragraphs: Any = None) -> tuple[PersonPage, ...]:
    """A page per person: excerpts and events that name them, other passages, their topics.
    ``named_paragraphs(article)``: its paragraphs that name people, with them (default: found)."""
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
        citation = citations[article.id]
        if named_paragraphs is None:
            found = ((p, finder.find(p.text)) for p in article.paragraphs)
        else:
            found = named_paragraphs(article)
        for paragraph, people in found:
            for person in people:
                passages[person.id].append((citation, paragraph))
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


def time_strip(events: tuple[EventView, ...]) -> tuple[tuple[float, EventView], ...]:
    """Each event with its place on a strip from the first event's date (0) to the last's (100)."""
    if not events:
        return ()
    days = [e.anchored.event.earliest.toordinal() for e in events]
    first, span = min(days), max(days) - min(days)
    return tuple((round(100 * (d - first) / span, 2) if span else 50.0, e) for d, e in zip(days, events))


def is_full_sentence(text: str) -> bool:
    """A quote that reads as a sentence on its own: it opens with a capital (or a quotation
    mark and a capital) and ends with a full stop, question or exclamation mark (a closing
    quotation mark may follow). Fragments and lists cut out of a sentence are not."""
    text = text.strip()
    opening = text.lstrip("\"'“‘(")
    closing = text.rstrip("\"'”’)")
    if text.count(",") + text.count(";") >= LIST_SEPARATORS:  # an agenda or a list of items
        return False
    return bool(opening) and opening[0].isupper() and closing.endswith((".", "?", "!"))


def choose_leads(topic: Topic, stance: str, stated: list[ExcerptView], by_key: dict[str, ExcerptView]) -> tuple[ExcerptView, ...]:
    """The lead quotes of a side: the editor's (``positions``), else the longest excerpt that
    is a full sentence, else none."""
    position = topic.position(stance)
    if position is not None and position.leads:
        return tuple(by_key[k] for k in position.leads if k in by_key)
    sentences = [v for v in stated if is_full_sentence(v.anchored.text)]
    if not sentences:
        return ()
    return (max(sentences, key=lambda v: len(v.anchored.text)),)  # max keeps the first of equals: the earliest


def compose_topic(topic: Topic, views: list[ExcerptView], topics: dict[str, Topic],
                  articles: dict[str, Article], chronology: list[EventView] | None = None,
                  named: dict[int, list[Person]] | None = None) -> TopicPage:
    """A topic page: the editor's bottom line, key points and positions, each citing the
    evidence; the chronology; then every excerpt once, grouped by article, newest first."""
    grouped: dict[str, list[ExcerptView]] = defaultdict(list)
    for v in views:
        grouped[v.anchored.excerpt.article_id].append(v)
    ordered = newest_first([articles[i] for i in grouped])
    groups = tuple(
        ArticleGroup(citation=grouped[a.id][0].citation, excerpts=tuple(_reading_order(grouped[a.id])))
        for a in ordered
    )
    pages = paginate(groups, TOPIC_SOURCES_PER_PAGE, topic.dest_path, lambda *page: page)  # (path, groups, n, all)
    refs: dict[str, Ref] = {}
    for path, chunk, _, _ in pages:
        for g in chunk:
            for v in g.excerpts:
                refs[v.key] = Ref(len(refs) + 1, path, v)
    by_key = {key: ref.view for key, ref in refs.items()}
    sides = []
    for stance, name in STANCE_NAMES.items():
        stated = [v for g in groups for v in g.excerpts if v.anchored.excerpt.stance == stance]
        position = topic.position(stance)
        summary = parse_claim(position.summary) if position is not None and position.summary else None
        sides.append(Side(stance=stance, name=name, excerpts=tuple(stated[:SIDE_EXCERPTS]), total=len(stated),
                          summary=summary, leads=choose_leads(topic, stance, stated, by_key)))
    sides = tuple(sides)
    archive = tuple(TopicArchivePage(path, topic, n, chunk, all_pages, refs) for path, chunk, n, all_pages in pages[1:])
    events = list(chronology or ())
    latest = article_date(ordered[0]) if ordered else ""
    counts: dict[str, int] = {}
    people: dict[str, Person] = {}
    for v in views:
        for person in (named or {}).get(id(v.anchored), []):
            counts[person.id] = counts.get(person.id, 0) + 1
            people[person.id] = person
    involved = sorted((Involvement(people[i], n) for i, n in counts.items()), key=lambda x: (-x.count, x.person.name))
    return TopicPage(
        dest_path=topic.dest_path, topic=topic, sides=sides, groups=pages[0][1],
        related=tuple(topics[s] for s in topic.related if s in topics),
        excerpt_count=len(views),
        unreviewed_count=sum(1 for v in views if not v.anchored.excerpt.reviewed),
        latest=latest, chronology=tuple(events[-CHRONOLOGY_ON_TOPIC:]), people=tuple(involved[:PERSON_ITEMS]),
        coverage=compose_coverage(groups, sides, latest), archive=archive, event_count=len(events),
        bottom_line=parse_claim(topic.bottom_line), key_points=tuple(parse_claim(k) for k in topic.key_points),
        watch=tuple(parse_claim(w) for w in topic.watch), refs=refs, source_count=len(groups),
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
        dest_path=article.dest_path, citation=citation, article=article,
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
            latest=page.latest, counts=tuple(per_article.get(a.id, 0) for a in ordered[:HOME_MATRIX_ROWS]), page=page))
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
