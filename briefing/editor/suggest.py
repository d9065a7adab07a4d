"""Topic rules: which paragraphs of an article bear on a topic, and how well the rules do.

Rules are data in ``seeds/topics.yml`` (see README, "Topic rules"):

``terms``      phrase → weight (or a list of phrases, weight 1). Whole words only, case-insensitive
               unless the phrase is all capitals; a trailing ``*`` matches any ending
               (``opioid*``). Quotes and dashes are folded as in quote matching.
``with``       phrase → phrases of which one must be in the same sentence for it to count.
``without``    phrases that make a sentence count for nothing (a different story).
``threshold``  score a paragraph needs to be suggested (default 2).

A sentence scores the weights of the distinct terms it contains; a sentence that enumerates
items ("a, b, c, and d": a passing mention among unrelated issues) scores half, and a question
scores nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..core.anchor import QuoteFinder
from ..core.model import Article, Briefing, Excerpt, Paragraph, Topic
from ..core.text import normalize, sentence_spans

@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern:
    """A compiled pattern for one rule phrase."""
    phrase = normalize(term)
    wildcard = phrase.endswith("*")
    phrase = phrase.rstrip("*")
    body = r"\s+".join(re.escape(word) for word in phrase.split(" "))
    tail = r"[\w-]*" if wildcard else ""
    flags = 0 if phrase.isupper() and len(phrase) > 1 else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}{tail}(?![\w-])", flags)




def _list_like(sentence: str) -> bool:
    """A sentence that enumerates several items ("a, b, c, and d"): mentions in it are passing ones."""
    return sentence.count(",") >= 3 and bool(re.search(r",\s+(?:and|or)\s", sentence))


@dataclass(frozen=True)
class Match:
    """How one paragraph scores for one topic."""

    topic: Topic
    paragraph: Paragraph
    score: float
    terms: tuple[str, ...]
    span: tuple[int, int]
    """Offsets of the run of matching sentences in the paragraph text."""

    @property
    def quote(self) -> str:
        """The suggested quote: the matching sentences, verbatim."""
        return self.paragraph.text[self.span[0]:self.span[1]].strip()


def score_paragraph(topic: Topic, paragraph: Paragraph) -> Match | None:
    """Score a paragraph against a topic's rules; None when nothing matches."""
    rules = topic.rules
    terms = dict(rules.terms)
    if not terms:
        return None
    companions = dict(rules.companions)
    excluded = rules.excluded
    text = normalize(paragraph.text)
    total, found, first, last = 0.0, [], None, None
    original_spans = sentence_spans(paragraph.text)
    for (start, end) in original_spans:
        sentence = normalize(paragraph.text[start:end])
        if sentence.rstrip("\"') ").endswith("?"):
            continue  # a question (often a heading in Q&A pieces) states nothing to quote
        if any(term_pattern(t).search(sentence) for t in excluded):
            continue
        here = [t for t in terms if term_pattern(t).search(sentence)
                and (t not in companions or any(term_pattern(c).search(sentence) for c in companions[t]))]
        if not here:
            continue
        score = sum(terms[t] for t in here) * (0.5 if _list_like(sentence) else 1.0)
        total += score
        found.extend(t for t in here if t not in found)
        first = start if first is None else first
        last = end
    if not found or not text:
        return None
    return Match(topic, paragraph, total, tuple(found), (first, last))


def threshold_of(topic: Topic) -> float:
    """Score a paragraph needs for the topic."""
    return topic.rules.threshold


def suggest_for_article(article: Article, topics: tuple[Topic, ...]) -> list[Match]:
    """Paragraphs of an article that reach a topic's threshold, in reading order."""
    matches = []
    for paragraph in article.paragraphs:
        for topic in topics:
            match = score_paragraph(topic, paragraph)
            if match is not None and match.score >= threshold_of(topic):
                matches.append(match)
    return matches


def missing_excerpts(briefing: Briefing, article_ids: set[str] | None = None) -> list[tuple[Article, Match]]:
    """Paragraphs that match a topic but carry no excerpt for it, with their article."""
    tagged = {(a.excerpt.article_id, a.paragraph.number, t) for a in briefing.excerpts for t in a.excerpt.topics}
    result = []
    for article in briefing.articles:
        if article_ids and article.id not in article_ids:
            continue
        for match in suggest_for_article(article, briefing.topics):
            if (article.id, match.paragraph.number, match.topic.slug) not in tagged:
                result.append((article, match))
    return result


@dataclass(frozen=True)
class Score:
    """Precision and recall of a topic's rules at paragraph level."""

    topic: Topic
    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 1.0


def evaluate(briefing: Briefing) -> list[Score]:
    """Compare the rules' suggestions with the curated excerpts, per topic."""
    scores = []
    for topic in briefing.topics:
        actual = {(a.excerpt.article_id, a.paragraph.number) for a in briefing.excerpts
                  if topic.slug in a.excerpt.topics and a.excerpt.reviewed}
        predicted = {(article.id, m.paragraph.number) for article in briefing.articles
                     for m in suggest_for_article(article, (topic,))}
        scores.append(Score(topic, len(actual & predicted), len(predicted), len(actual)))
    return scores


# --- a labelled corpus ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Labelled:
    """An article of a labelled corpus: its paragraphs, each with the topics it bears on."""

    id: str
    paragraphs: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def topics(self) -> frozenset[str]:
        """The topics the article bears on (any of its paragraphs)."""
        return frozenset(t for _, topics in self.paragraphs for t in topics)


class CorpusError(Exception):
    """A labelled corpus that cannot be read; the message names the file."""


def load_corpus(folder: Path) -> list[Labelled]:
    """Every ``*.yml`` of ``folder``: ``paragraphs: [{text, topics: [slug, …]}]`` (and url, date,
    title, source, which are for people)."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CorpusError(f"{path}: cannot be read: {exc}") from None
        items = data.get("paragraphs") if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("text"), str)
                                                    and isinstance(i.get("topics", []), list) for i in items):
            raise CorpusError(f"{path}: expected 'paragraphs:' as a list of {{text, topics}}")
        found.append(Labelled(path.stem, tuple((i["text"], tuple(i.get("topics") or ())) for i in items)))
    if not found:
        raise CorpusError(f"{folder}: no labelled article (*.yml)")
    return found


@dataclass(frozen=True)
class CorpusScore:
    """How a topic's rules do on a labelled corpus: article level (precision, recall) and
    paragraph level (recall), with the misses named."""

    topic: Topic
    articles_found: int
    articles_predicted: int
    articles_actual: int
    paragraphs_found: int
    paragraphs_actual: int
    misses: tuple[str, ...]
    """``missed <article> ¶n: text`` and ``false alarm <article> ¶n: text``, for the editor."""

    @property
    def precision(self) -> float:
        return self.articles_found / self.articles_predicted if self.articles_predicted else 1.0

    @property
    def recall(self) -> float:
        return self.articles_found / self.articles_actual if self.articles_actual else 1.0

    @property
    def paragraph_recall(self) -> float:
        return self.paragraphs_found / self.paragraphs_actual if self.paragraphs_actual else 1.0


def evaluate_corpus(corpus: list[Labelled], topics: tuple[Topic, ...]) -> list[CorpusScore]:
    """Per topic, the rules against the gold labels of ``corpus``."""
    scores = []
    for topic in topics:
        found = predicted = actual = p_found = p_actual = 0
        misses: list[str] = []
        for item in corpus:
            hits = []
            for number, (text, labels) in enumerate(item.paragraphs, 1):
                match = score_paragraph(topic, Paragraph(number, " ".join(text.split()), 0))
                hit = match is not None and match.score >= threshold_of(topic)
                hits.append((number, text, hit))
                if topic.slug in labels:
                    p_actual += 1
                    p_found += hit
                    if not hit:
                        misses.append(f"missed {item.id} ¶{number}: {text}")
            said = any(hit for _, _, hit in hits)
            wanted = topic.slug in item.topics
            predicted += said
            actual += wanted
            found += said and wanted
            if said and not wanted:
                misses.extend(f"false alarm {item.id} ¶{n}: {t}" for n, t, hit in hits if hit)
        scores.append(CorpusScore(topic, found, predicted, actual, p_found, p_actual, tuple(misses)))
    return scores


def suggested_excerpts(article: Article, topics: tuple[Topic, ...]) -> list[Excerpt]:
    """Unreviewed excerpts for a new article: one per matching paragraph, all its topics."""
    # Each paragraph normalised once, all joined by a newline: normalised text has none, so no
    # quote is found across two paragraphs, and each quote is looked up in one index.
    finder = QuoteFinder("\n".join(normalize(p.text) for p in article.paragraphs))
    by_quote: dict[tuple[int, str], list[str]] = {}
    for match in suggest_for_article(article, topics):
        quote = match.quote
        if _count(finder, quote) != 1:
            quote = match.paragraph.text
            if _count(finder, quote) != 1:
                continue
        key = (match.paragraph.number, quote)
        by_quote.setdefault(key, []).append(match.topic.slug)
    excerpts = []
    for (_, quote), slugs in by_quote.items():
        excerpts.append(Excerpt(article_id=article.id, quote=quote, topics=tuple(slugs), line=0, reviewed=False))
    return excerpts


def _count(finder: QuoteFinder, quote: str, limit: int = 2) -> int:
    """How often ``quote`` occurs in the article, up to ``limit``: overlapping occurrences
    count, as when anchoring (``anchor.ArticleIndex.occurrences``)."""
    target = normalize(quote)
    return len(finder.find_all(target, limit)) if target else limit
