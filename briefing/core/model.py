"""The data model: what the seeds hold, with where each thing came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STANCES = ("us", "china")
"""Whose official position an excerpt can state (the sides of a topic's positions)."""
ANALYSIS = "analysis"
"""The stance of an analyst's or commentator's reading: shown apart from the official positions."""
EXCERPT_STANCES = (*STANCES, ANALYSIS)
WRITER = "writer"
"""The speaker of an excerpt in the article's own words."""
STANCE_PROSE = {"us": "the United States", "china": "China"}
"""Who each stance is, in words."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article body."""

    number: int
    """1-based position in the article; gives the anchor ``p<number>``."""
    text: str
    """The paragraph exactly as in the seed file (lines joined by one space)."""
    line: int
    """Line of the seed file the paragraph starts on."""

    @property
    def anchor(self) -> str:
        """The id of the paragraph on its article page."""
        return f"p{self.number}"


@dataclass(frozen=True)
class Correction:
    """A correction an editor made, shown to readers as a newspaper prints one."""

    date: str
    """``YYYY-MM-DD``: when the correction was made."""
    text: str
    """What was wrong and what it says now."""


TRANSLATIONS = ("machine", "human")
"""How a text in the seeds was translated, when it was: shown next to its source."""


@dataclass(frozen=True)
class Excerpt:
    """A quote from one article, tagged with topics (a W3C TextQuoteSelector)."""

    article_id: str
    """Id of the article the quote is taken from."""
    quote: str
    """The exact text quoted."""
    topics: tuple[str, ...]
    """Slugs of the topics the excerpt bears on."""
    line: int
    """Line of the seed file the excerpt is declared on."""
    prefix: str = ""
    """Text just before the quote, to choose between several occurrences."""
    suffix: str = ""
    """Text just after the quote, to choose between several occurrences."""
    stance: str | None = None
    """Whose position the excerpt states: ``us``, ``china``, ``analysis`` (an analyst's reading) or None."""
    speaker: str = ""
    """Who says it: a person's id from people.yml, ``writer`` (the article's own words), or empty."""
    note: str = ""
    """An editor's note shown with the excerpt."""
    reviewed: bool = True
    """False for a suggestion no editor has confirmed yet."""
    number: int = 0
    """1-based place of the excerpt in its article's list."""
    sic: tuple[str, ...] = ()
    """Words of the quote that are wrong in the source and quoted as they stand: marked [sic]."""
    id: str = ""
    """The editor's name for the excerpt, which topic prose cites as ``[ex:<id>]``; empty when
    none was given (``Anchored.key`` then names it)."""


@dataclass(frozen=True)
class Article:
    """A news article: metadata, paragraphs and excerpts."""

    id: str
    """Safe slug, unique among articles; names the page ``articles/<id>.md``."""
    title: str
    source: str
    """The publication, empty where the text does not name it."""
    url: str
    """Where the article was published, empty where unknown."""
    published: dt.date
    date_approximate: bool
    """True when the date was inferred rather than printed with the article."""
    authors: tuple[str, ...]
    language: str
    paragraphs: tuple[Paragraph, ...]
    excerpts: tuple[Excerpt, ...]
    src_path: str
    """The seed file, relative to the project root."""
    source_note: str = ""
    date_note: str = ""
    removed: tuple[str, ...] = ()
    """Page debris dropped from the text when it was brought in."""
    translation: str = ""
    """``machine`` or ``human`` when the text is a translation (shown with the source), else empty."""
    original_sha256: str = ""
    """SHA-256 of the web page the article was brought in from, for later link-rot checks."""
    via: str = ""
    """Where this copy was found when it is not the publisher (a reprint, an aggregator): never
    given as the source."""
    published_range: str = ""
    """The date as written when it is not one day: a month ``YYYY-MM`` or a range
    ``YYYY-MM-DD..YYYY-MM-DD`` (``published`` is then its first day, for ordering)."""
    corrections: tuple[Correction, ...] = ()

    @property
    def dest_path(self) -> str:
        """Path of the article page under ``docs/``."""
        return f"articles/{self.id}.md"


@dataclass(frozen=True)
class Rules:
    """A topic's match rules for suggesting excerpts, checked when loaded (see ``suggest``)."""

    terms: tuple[tuple[str, float], ...] = ()
    """Phrase and weight: what a sentence scores for containing the phrase."""
    companions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """``with``: a term counts only with one of these phrases in the same sentence."""
    excluded: tuple[str, ...] = ()
    """``without``: phrases that make a sentence count for nothing."""
    threshold: float = 2.0
    """Score a paragraph needs to be suggested."""
    context: tuple[tuple[str, float], ...] = ()
    """Phrase and weight, like ``terms``, counted only in an article already on the topic."""
    passing: tuple[str, ...] = ()
    """Phrases that mark a sentence as background (a passing mention): it scores half."""
    focus: tuple[str, ...] = ()
    """Phrases of which a paragraph must name one for its ``terms`` to count towards the
    article's score (the topic's side of the story: ``China``, ``Beijing``); empty: any."""
    article: float | None = None
    """Score an article's paragraphs need together (``terms`` only) before any is suggested;
    None: the paragraph ``threshold``."""

    @property
    def article_threshold(self) -> float:
        return self.threshold if self.article is None else self.article


@dataclass(frozen=True)
class Position:
    """What an editor says of one side's position on a topic."""

    stance: str
    summary: str = ""
    """One line by the editor (may cite excerpts); empty when none was written."""
    leads: tuple[str, ...] = ()
    """Ids of the excerpts to quote first for this side, in order (at most ``MAX_LEADS``)."""
    line: int = 0


MAX_LEADS = 3
"""How many lead quotes a side shows."""


@dataclass(frozen=True)
class Topic:
    """A subject the briefing covers."""

    slug: str
    title: str
    scope: str
    """One line saying what belongs to the topic."""
    bottom_line: str
    """Two or three sentences written by an editor, grounded in the excerpts."""
    related: tuple[str, ...]
    rules: Rules
    """Match rules for suggesting excerpts (see ``suggest``)."""
    line: int
    src_path: str
    key_points: tuple[str, ...] = ()
    """Short sentences by an editor, each citing its excerpts as ``[ex:<id>]``."""
    watch: tuple[str, ...] = ()
    """What to watch: the editor's sentences on what would change the picture."""
    changed: str = ""
    """One line by the editor: what changed with the newest source (home page)."""
    positions: tuple[Position, ...] = ()
    """The editor's summary and lead quotes of each side, where written."""
    lines: tuple[tuple[str, int], ...] = ()
    """(field, line) of the topic's prose fields in the seed file, for messages."""
    corrections: tuple[Correction, ...] = ()

    def line_of(self, field: str) -> int:
        """Line of one of the topic's fields (the topic's own line when not recorded)."""
        return dict(self.lines).get(field, self.line)

    def position(self, stance: str) -> Position | None:
        """The editor's word on one side, if any."""
        return next((p for p in self.positions if p.stance == stance), None)

    @property
    def dest_path(self) -> str:
        """Path of the topic page under ``docs/``."""
        return f"topics/{self.slug}.md"


@dataclass(frozen=True)
class Seeds:
    """Everything loaded from ``seeds/``."""

    topics: tuple[Topic, ...]
    articles: tuple[Article, ...]
    people: tuple["Person", ...] = ()
    events: tuple["Event", ...] = ()


@dataclass(frozen=True)
class Anchored:
    """An excerpt found in its article: the paragraph and the span it covers."""

    excerpt: Excerpt
    paragraph: Paragraph
    start: int
    """Start offset of the quote in ``paragraph.text``."""
    end: int
    """End offset (exclusive) of the quote in ``paragraph.text``."""

    @property
    def text(self) -> str:
        """The quote as it stands in the article."""
        return self.paragraph.text[self.start : self.end]

    @property
    def key(self) -> str:
        """The excerpt's id: the editor's, else its article's id and its place in that article
        (``<article>--<n>``). Unique in a briefing; topic pages use it as the anchor ``ex-<key>``."""
        return self.excerpt.id or f"{self.excerpt.article_id}--{self.excerpt.number}"


@dataclass(frozen=True)
class Briefing:
    """Verified seeds: every excerpt anchored in its article."""

    topics: tuple[Topic, ...]
    articles: tuple[Article, ...]
    excerpts: tuple[Anchored, ...] = field(default=())
    people: tuple["Person", ...] = ()
    events: tuple["AnchoredEvent", ...] = ()


SIDES = ("us", "china", "other")
"""Which side a person speaks for."""


@dataclass(frozen=True)
class Person:
    """Someone the articles name."""

    id: str
    name: str
    aliases: tuple[str, ...]
    """How the articles write the name, typos included; matched as whole words."""
    role: str
    """The role at the time of the articles."""
    side: str
    line: int
    src_path: str

    @property
    def dest_path(self) -> str:
        """Path of the person's page under ``docs/``."""
        return f"people/{self.id}.md"


@dataclass(frozen=True)
class Support:
    """A quote that states an event, as declared in ``events.yml``."""

    article_id: str
    quote: str
    line: int
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Event:
    """Something that happened on a date, supported by verbatim excerpts."""

    date: str
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the precision is the one written; or a range
    ``YYYY-MM-DD..YYYY-MM-DD`` when the sources place it between two dates."""
    title: str
    topics: tuple[str, ...]
    support: tuple[Support, ...]
    line: int
    src_path: str
    note: str = ""
    order: int = 0
    """Breaks ties between events of the same earliest date and precision (lower first)."""

    @property
    def precision(self) -> str:
        """``year``, ``month``, ``day`` or ``range``."""
        if ".." in self.date:
            return "range"
        return {4: "year", 7: "month"}.get(len(self.date), "day")

    @property
    def earliest(self) -> dt.date:
        """The first day the event may have been on."""
        parts = [int(p) for p in self.date.split("..")[0].split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])

    @property
    def sort_key(self) -> tuple:
        """Chronological order: earliest possible date, then the more precise first, then ``order``."""
        rank = {"day": 0, "range": 1, "month": 2, "year": 3}[self.precision]
        return (self.earliest, rank, self.order, self.line)


@dataclass(frozen=True)
class AnchoredEvent:
    """An event with each supporting quote found in its article."""

    event: Event
    support: tuple[Anchored, ...]
