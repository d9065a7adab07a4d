"""Stage 2: find each excerpt in its article, or report it as not found or ambiguous."""

from __future__ import annotations

import difflib
import re

from .errors import Problem, SeedsInvalid
from .model import Anchored, AnchoredEvent, Article, Briefing, Excerpt, Paragraph, Seeds
from .text import normalize, normalize_with_map, shorten


class ArticleIndex:
    """An article's paragraphs in matching form, with maps back to the original text."""

    def __init__(self, article: Article) -> None:
        self.article = article
        # Folding is fast (C); the map back to original offsets is built only where a quote is found.
        self.folded: list[tuple[Paragraph, str]] = [(p, normalize(p.text)) for p in article.paragraphs]
        self._maps: dict[int, list[int] | range] = {}

    def _map(self, paragraph: Paragraph) -> list[int] | range:
        if paragraph.number not in self._maps:
            self._maps[paragraph.number] = normalize_with_map(paragraph.text)[1]
        return self._maps[paragraph.number]

    def occurrences(self, excerpt: Excerpt) -> list[tuple[Paragraph, int, int]]:
        """Every place the quote occurs, filtered by prefix and suffix, as original offsets."""
        quote = normalize(excerpt.quote)
        prefix = normalize(excerpt.prefix)
        suffix = normalize(excerpt.suffix)
        found = []
        for paragraph, folded in self.folded:
            start = folded.find(quote)
            while start != -1:
                end = start + len(quote)
                if (not prefix or folded[:start].rstrip().endswith(prefix)) and (
                    not suffix or folded[end:].lstrip().startswith(suffix)
                ):
                    index = self._map(paragraph)
                    found.append((paragraph, index[start], index[end - 1] + 1))
                start = folded.find(quote, start + 1)
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


def anchor_excerpts(seeds: Seeds) -> Briefing:
    """Anchor every excerpt of every article; raise ``SeedsInvalid`` listing all failures."""
    problems: list[Problem] = []
    briefing = collect_anchors(seeds, problems)
    if problems:
        raise SeedsInvalid(problems)
    return briefing


def collect_anchors(seeds: Seeds, problems: list[Problem]) -> Briefing:
    """Anchor what can be anchored, appending a problem for each excerpt that cannot."""
    anchored: list[Anchored] = []
    indexes: dict[str, ArticleIndex] = {}
    for article in seeds.articles:
        if not article.excerpts:
            continue
        index = indexes[article.id] = ArticleIndex(article)
        for excerpt in article.excerpts:
            result = locate(index, excerpt, problems)
            if result is not None:
                anchored.append(result)
    articles = {a.id: a for a in seeds.articles}
    events = []
    for event in seeds.events:
        found = []
        for support in event.support:
            index = indexes.get(support.article_id) or indexes.setdefault(
                support.article_id, ArticleIndex(articles[support.article_id]))
            excerpt = Excerpt(article_id=support.article_id, quote=support.quote, topics=event.topics,
                              line=support.line, prefix=support.prefix, suffix=support.suffix)
            result = locate(index, excerpt, problems, src_path=event.src_path)
            if result is not None:
                found.append(result)
        if len(found) == len(event.support):
            events.append(AnchoredEvent(event=event, support=tuple(found)))
    return Briefing(topics=seeds.topics, articles=seeds.articles, excerpts=tuple(anchored),
                    people=seeds.people, events=tuple(events))
