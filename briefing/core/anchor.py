"""Stage 2: find each excerpt in its article, or report it as not found or ambiguous."""

from __future__ import annotations

import bisect
import difflib
import itertools
import re

from .memo import Memo
from .progress import SILENT, Steps
from .errors import Problem
from .model import Anchored, AnchoredEvent, Article, Briefing, Event, Excerpt, Paragraph, Seeds
from .text import normalize, normalize_with_map, shorten


class QuoteFinder:
    """Where a folded quote occurs in a folded text (an article's folded paragraphs joined by
    newlines), overlapping occurrences included: what ``str.find`` from each match + 1 finds.

    A ``str.find`` per quote reads the whole text, so a long article's quotes cost time
    quadratic in its length. For a long text, a quarter of its word starts (chosen by the hash
    of the KEY characters from them, so the same in any copy of the same words) are indexed, on
    first use, by that hash. Wherever a quote occurs, the word starts inside it (after one of its
    spaces) are word starts of the text with the same KEY characters: the least frequent of its
    indexed keys gives the few places to compare, and a key the text does not have means no
    occurrence. Quotes with no such key (a few words) are searched with ``str.find``.
    """

    KEY = 24
    """Characters from a word start that are hashed."""
    SAMPLE = 3
    """A word start is indexed when ``hash(key) & SAMPLE`` is 0: one in four."""
    LONG = 65_536
    """Shorter texts are searched with ``str.find`` only (an index would not pay for itself)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._places: dict[int, list[int]] | None = None

    def _index(self) -> dict[int, list[int]]:
        if self._places is None:
            text, key = self.text, self.KEY
            # Word starts: 0 and after each space or newline (folded text has no double spaces).
            lengths = map(len, text.replace("\n", " ").split(" "))
            starts = [0, *itertools.accumulate(map((1).__add__, lengths))][:-1]
            hashes = map(hash, map(text.__getitem__, map(slice, starts, map(key.__add__, starts))))
            places: dict[int, list[int]] = {}
            for start, value in zip(starts, hashes):
                if not value & self.SAMPLE:
                    found = places.get(value)
                    if found is None:
                        places[value] = [start]
                    else:
                        found.append(start)
            self._places = places
        return self._places

    def find_all(self, quote: str, limit: int = 0) -> list[int]:
        """Offsets in the text where ``quote`` (folded, not empty) starts, in order; at most
        ``limit`` of them when it is not 0."""
        text, key = self.text, self.KEY
        best: tuple[int, list[int]] | None = None
        offset = quote.find(" ") + 1
        if len(text) > self.LONG and 0 < offset <= len(quote) - key:
            index = self._index()
            while 0 < offset <= len(quote) - key:
                value = hash(quote[offset:offset + key])
                if not value & self.SAMPLE:
                    places = index.get(value)
                    if places is None:
                        return []  # an occurrence would have put this key in the index
                    if best is None or len(places) < len(best[1]):
                        best = (offset, places)
                        if len(places) == 1:
                            break
                offset = quote.find(" ", offset) + 1
        found: list[int] = []
        if best is not None:
            offset, places = best
            for place in places:
                if place >= offset and text.startswith(quote, place - offset):
                    found.append(place - offset)
                    if len(found) == limit:
                        break
            return found
        at = text.find(quote)
        while at != -1 and (not limit or len(found) < limit):
            found.append(at)
            at = text.find(quote, at + 1)
        return found


class ArticleIndex:
    """An article's paragraphs in matching form, with maps back to the original text."""

    def __init__(self, article: Article) -> None:
        self.article = article
        # Folding is fast (C); the map back to original offsets is built only where a quote is found.
        self.folded: list[tuple[Paragraph, str]] = [(p, normalize(p.text)) for p in article.paragraphs]
        self._maps: dict[int, list[int] | range] = {}
        self._finder: QuoteFinder | None = None
        self._starts: list[int] = []

    def _map(self, paragraph: Paragraph) -> list[int] | range:
        if paragraph.number not in self._maps:
            self._maps[paragraph.number] = normalize_with_map(paragraph.text)[1]
        return self._maps[paragraph.number]

    def _joined(self) -> tuple[QuoteFinder, list[int]]:
        """The folded paragraphs joined by newlines (folded text has none, so a quote never
        matches across paragraphs), and the offset each starts at; built on first use."""
        if self._finder is None:
            self._finder = QuoteFinder("\n".join(folded for _, folded in self.folded))
            starts, offset = [], 0
            for _, folded in self.folded:
                starts.append(offset)
                offset += len(folded) + 1
            self._starts = starts
        return self._finder, self._starts

    def occurrences(self, excerpt: Excerpt) -> list[tuple[Paragraph, int, int]]:
        """Every place the quote occurs, filtered by prefix and suffix, as original offsets."""
        quote = normalize(excerpt.quote)
        prefix = normalize(excerpt.prefix)
        suffix = normalize(excerpt.suffix)
        if not quote:
            return []  # the loader never gives an empty quote
        # One search of one string per quote, not one per paragraph (see QuoteFinder).
        finder, starts = self._joined()
        found = []
        for at in finder.find_all(quote):
            number = bisect.bisect_right(starts, at) - 1
            paragraph, folded = self.folded[number]
            start = at - starts[number]
            end = start + len(quote)
            # Folded text has single spaces and no space at either end, so rstrip() and lstrip()
            # of the text around the quote drop at most the one space next to it.
            before = start - 1 if start and folded[start - 1] == " " else start
            after = end + 1 if end < len(folded) and folded[end] == " " else end
            if (not prefix or folded.endswith(prefix, 0, before)) and (
                not suffix or folded.startswith(suffix, after)
            ):
                index = self._map(paragraph)
                found.append((paragraph, index[start], index[end - 1] + 1))
        return found

    def closest(self, quote: str) -> tuple[Paragraph, str] | None:
        """The passage most like ``quote`` (a run of sentences), if any is close enough."""
        target = normalize(quote)
        best: tuple[float, Paragraph, str] | None = None
        for paragraph, folded in self.folded:
            sentences = re.split(r"(?<=[.!?:])\s+", folded)
            for first in range(len(sentences)):
                for last in range(first, min(first + 4, len(sentences))):
                    candidate = " ".join(sentences[first:last + 1])
                    matcher = difflib.SequenceMatcher(None, target, candidate, autojunk=False)
                    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
                        continue
                    ratio = matcher.ratio()
                    if best is None or ratio > best[0]:
                        best = (ratio, paragraph, candidate)
            # Sentences may be cut mid-way in a quote: compare windows of the same length too.
            if len(folded) > len(target):
                matcher = difflib.SequenceMatcher(None, folded, target, autojunk=False)
                block = matcher.find_longest_match(0, len(folded), 0, len(target))
                if block.size >= 12:
                    start = max(0, block.a - block.b)
                    candidate = folded[start:start + len(target)]
                    ratio = difflib.SequenceMatcher(None, target, candidate, autojunk=False).ratio()
                    if best is None or ratio > best[0]:
                        best = (ratio, paragraph, candidate)
        if best is None or best[0] < 0.6:
            return None
        return best[1], best[2]


def locate(index: ArticleIndex, excerpt: Excerpt, problems: list[Problem], src_path: str | None = None) -> Anchored | None:
    """Anchor one excerpt, or append the problem that stops it (reported at ``src_path``, default the article)."""
    article = index.article
    src_path = src_path or article.src_path
    found = index.occurrences(excerpt)
    if len(found) == 1:
        paragraph, start, end = found[0]
        return Anchored(excerpt=excerpt, paragraph=paragraph, start=start, end=end)
    if not found:
        hint = ""
        closest = index.closest(excerpt.quote)
        if closest is not None:
            paragraph, passage = closest
            hint = f"closest passage (¶{paragraph.number}, line {paragraph.line}): \"{shorten(passage, 160)}\""
        elif normalize(excerpt.quote) in normalize(" ".join(p.text for p in article.paragraphs)):
            hint = "the quote runs across paragraphs: split it into one excerpt per paragraph"
        what = "quote not found"
        if (excerpt.prefix or excerpt.suffix) and index.occurrences(
            Excerpt(article_id=excerpt.article_id, quote=excerpt.quote, topics=excerpt.topics, line=excerpt.line)
        ):
            what = "quote not found with the given prefix/suffix"
        problems.append(Problem(src_path, excerpt.line,
                                f"{what} in {article.id!r}: \"{shorten(excerpt.quote)}\"", hint))
        return None
    counts: dict[Paragraph, int] = {}
    for paragraph, _, _ in found:
        counts[paragraph] = counts.get(paragraph, 0) + 1
    places = ", ".join(
        f"¶{p.number} (line {p.line}{f', {n} times' if n > 1 else ''})" for p, n in counts.items())
    problems.append(Problem(
        src_path, excerpt.line,
        f"quote ambiguous in {article.id!r}: \"{shorten(excerpt.quote)}\" occurs {len(found)} times",
        f"it occurs in {places}; add 'prefix:' or 'suffix:' with the words around the one you mean"))
    return None


def anchor_article(article: Article, problems: list[Problem]) -> tuple[ArticleIndex, tuple[Anchored, ...]]:
    """The article's index, and its excerpts that can be anchored (a problem for each other)."""
    index = ArticleIndex(article)
    found = (locate(index, excerpt, problems) for excerpt in article.excerpts)
    return index, tuple(a for a in found if a is not None)


def collect_anchors(seeds: Seeds, problems: list[Problem], steps: Steps = SILENT, memo: Memo | None = None) -> Briefing:
    """Anchor what can be anchored, appending a problem for each excerpt that cannot. With ``memo``
    (``serve``), an article loaded as the same object as last time is not anchored again."""
    anchored: list[Anchored] = []
    indexes: dict[str, ArticleIndex] = {}
    for article in steps.each("anchoring articles", seeds.articles):
        if not article.excerpts:
            continue
        if memo is None:
            index, found = anchor_article(article, problems)
        else:
            index, found = memo.anchored(article, lambda mine, article=article: anchor_article(article, mine), problems)
        indexes[article.id] = index
        anchored.extend(found)
    articles = {a.id: a for a in seeds.articles}

    def anchor_event(event: Event, problems: list[Problem]) -> AnchoredEvent | None:
        found = []
        for support in event.support:
            index = indexes.get(support.article_id) or indexes.setdefault(
                support.article_id, ArticleIndex(articles[support.article_id]))
            excerpt = Excerpt(article_id=support.article_id, quote=support.quote, topics=event.topics,
                              line=support.line, prefix=support.prefix, suffix=support.suffix)
            result = locate(index, excerpt, problems, src_path=event.src_path)
            if result is not None:
                found.append(result)
        return AnchoredEvent(event=event, support=tuple(found)) if len(found) == len(event.support) else None

    events = []
    for event in seeds.events:
        if memo is None:
            anchored_event = anchor_event(event, problems)
        else:
            supporting = tuple(articles[s.article_id] for s in event.support)
            anchored_event = memo.anchored_event(event, supporting, lambda mine, event=event: anchor_event(event, mine),
                                                 problems)
        if anchored_event is not None:
            events.append(anchored_event)
    return Briefing(topics=seeds.topics, articles=seeds.articles, excerpts=tuple(anchored),
                    people=seeds.people, events=tuple(events))
