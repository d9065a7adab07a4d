"""Topic rules: which paragraphs of an article bear on a topic, and how well the rules do.

Rules are data in ``seeds/topics.yml`` (see README, "Topic rules"):

``terms``      phrase → weight (or a list of phrases, weight 1). Whole words only, case-insensitive
               unless the phrase is all capitals; a trailing ``*`` matches any ending
               (``opioid*``); a word joined by a hyphen counts (``fentanyl-related``). Quotes and
               dashes are folded as in quote matching.
``context``    phrase → weight, like ``terms``, but counted only in an article already on the
               topic, within ``CONTEXT_WINDOW`` paragraphs of one where the ``terms`` match:
               names, code names and words that mean the topic only there (``Tsai``,
               ``Joint Sword*``, ``counterpart``).
``with``       phrase → phrases of which one must be in the same sentence for it to count
               (for ``terms`` and ``context`` alike).
``without``    phrases that make a sentence count for nothing (a different story).
``passing``    phrases that mark a sentence as background (``Pelosi``: the 2022 visit given as
               a cause): it scores half, and nothing towards the article's score.
``focus``      phrases of which a paragraph must name one for its ``terms`` to count towards the
               article's score (``China``, ``Beijing``): Russia's war or fentanyl with no word of
               China is another story.
``threshold``  score a paragraph needs to be suggested (default 2).
``article``    score the article's paragraphs need together, ``terms`` only, before any of them
               is suggested (default: ``threshold``). A single passing mention does not make an
               article about a topic.

A sentence scores the weights of the distinct terms it contains. Its ``terms`` score half when
it enumerates items ("a, b, c, and d"), a term scores half when each time it is one of two
things joined ("economic issues and Taiwan"), and the whole sentence scores half when it has a
``passing`` phrase: all are passing mentions among unrelated issues. (``context`` phrases are
the topic's own detail: an enumeration of them is not a passing mention.) A question scores
nothing.
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
    tail = r"\w*" if wildcard else ""
    flags = 0 if phrase.isupper() and len(phrase) > 1 else re.IGNORECASE
    return re.compile(rf"(?<!\w){body}{tail}(?!\w)", flags)


_JOINED_BEFORE = re.compile(r"(?:\b(?:and|or)|&)\s+(?:the\s+)?$", re.IGNORECASE)
_JOINED_AFTER = re.compile(r"^\s+(?:and|or|&)\s", re.IGNORECASE)


_ENUMERATION = re.compile(r",\s+(?:[^,;:]{1,60},\s+[^,;:]{1,60}|(?:[^,;:\s]+\s+){0,2}[^,;:\s]+),\s+(?:and|or)\s",
                          re.IGNORECASE)


def _list_like(sentence: str) -> bool:
    """A sentence that enumerates items: "a, b, c, and d" (two items between commas, then "and"
    or "or"), or "a, b, and c" with b of at most three words. Mentions in it are passing ones. A
    clause after a comma ("…, manufacturing them in China, and sending them to Russia") is not
    an item."""
    return bool(_ENUMERATION.search(sentence))


def _weight_in(term: str, weight: float, sentence: str, joined_half: bool = True) -> float:
    """What ``term`` scores in ``sentence``: 0 when absent, half (with ``joined_half``) when every
    time it is one of two things joined by "and" or "or" (a passing mention: "economic issues and
    Taiwan")."""
    found = list(term_pattern(term).finditer(sentence))
    if not found:
        return 0.0
    if not joined_half:
        return weight
    joined = all(_JOINED_BEFORE.search(sentence, 0, m.start()) or _JOINED_AFTER.match(sentence[m.end():])
                 for m in found)
    return weight / 2 if joined else weight


@dataclass(frozen=True)
class Match:
    """How one paragraph scores for one topic."""

    topic: Topic
    paragraph: Paragraph
    score: float
    terms: tuple[str, ...]
    span: tuple[int, int]
    """Offsets of the run of matching sentences in the paragraph text."""
    firm: float = 0.0
    """What the ``terms`` score outside sentences with a ``passing`` phrase: the paragraph's part
    of the article's score (``Rules.article``)."""

    @property
    def quote(self) -> str:
        """The suggested quote: the matching sentences, verbatim."""
        return self.paragraph.text[self.span[0]:self.span[1]].strip()


def score_paragraph(topic: Topic, paragraph: Paragraph, in_context: bool = False) -> Match | None:
    """Score a paragraph against a topic's rules; None when nothing matches. ``in_context``: the
    article is on the topic, so the ``context`` phrases count as well."""
    rules = topic.rules
    terms = dict(rules.terms)
    if in_context:
        terms.update((t, w) for t, w in rules.context if t not in terms)
    if not terms:
        return None
    companions = dict(rules.companions)
    strong = dict(rules.terms)
    total, firm, found, first, last = 0.0, 0.0, [], None, None
    for (start, end) in sentence_spans(paragraph.text):
        sentence = normalize(paragraph.text[start:end])
        if sentence.rstrip("\"') ").endswith("?"):
            continue  # a question (often a heading in Q&A pieces) states nothing to quote
        if any(term_pattern(t).search(sentence) for t in rules.excluded):
            continue
        weights = {t: _weight_in(t, w, sentence, joined_half=t in strong) for t, w in terms.items()}
        here = [t for t, w in weights.items() if w
                and (t not in companions or any(term_pattern(c).search(sentence) for c in companions[t]))]
        if not here:
            continue
        # an item of an enumeration is a passing mention of the topic; a context word in one
        # ("substance control, case cooperation, and …") is the topic's own detail
        named = sum(weights[t] for t in here if t in strong) * (0.5 if _list_like(sentence) else 1.0)
        detail = sum(weights[t] for t in here if t not in strong)
        if any(term_pattern(p).search(sentence) for p in rules.passing):
            total += (named + detail) / 2  # background: not the article's subject
        else:
            total += named + detail
            firm += named
        found.extend(t for t in here if t not in found)
        first = start if first is None else first
        last = end
    if not found:
        return None
    if rules.focus and not any(term_pattern(f).search(normalize(paragraph.text)) for f in rules.focus):
        firm = 0.0  # not the topic's side of the story (Russia's war with no word of China)
    return Match(topic, paragraph, total, tuple(found), (first, last), firm)


CONTEXT_WINDOW = 2
"""``context`` phrases count within this many paragraphs of one where the ``terms`` match."""


def suggest_paragraphs(topic: Topic, paragraphs: list[Paragraph] | tuple[Paragraph, ...]) -> list[Match]:
    """The paragraphs of one article that bear on ``topic``, in reading order: none unless the
    article's ``terms``, background sentences left out, reach the topic's ``article`` score together;
    then each paragraph that reaches the ``threshold`` with its ``context`` phrases counted too."""
    rules = topic.rules
    plain = [score_paragraph(topic, p) for p in paragraphs]
    if not any(plain) or sum(m.firm for m in plain if m) < rules.article_threshold:
        return []
    if rules.context:
        anchors = [i for i, m in enumerate(plain) if m is not None and m.firm > 0]
        plain = [score_paragraph(topic, p, in_context=True)
                 if any(abs(i - a) <= CONTEXT_WINDOW for a in anchors) else m
                 for i, (p, m) in enumerate(zip(paragraphs, plain))]
    return [m for m in plain if m is not None and m.score >= rules.threshold]


def suggest_for_article(article: Article, topics: tuple[Topic, ...]) -> list[Match]:
    """Paragraphs of an article that bear on a topic (``suggest_paragraphs``), in reading order."""
    matches = [m for topic in topics for m in suggest_paragraphs(topic, article.paragraphs)]
    order = {topic.slug: i for i, topic in enumerate(topics)}
    return sorted(matches, key=lambda m: (m.paragraph.number, order[m.topic.slug]))


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


def share(part: int, whole: int) -> float:
    """A precision or recall: 1.0 when there is nothing to find (or nothing was said)."""
    return part / whole if whole else 1.0


@dataclass(frozen=True)
class Score:
    """Precision and recall of a topic's rules at paragraph level."""

    topic: Topic
    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return share(self.true_positives, self.predicted)

    @property
    def recall(self) -> float:
        return share(self.true_positives, self.actual)


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
        return share(self.articles_found, self.articles_predicted)

    @property
    def recall(self) -> float:
        return share(self.articles_found, self.articles_actual)

    @property
    def paragraph_recall(self) -> float:
        return share(self.paragraphs_found, self.paragraphs_actual)


def evaluate_corpus(corpus: list[Labelled], topics: tuple[Topic, ...]) -> list[CorpusScore]:
    """Per topic, the rules against the gold labels of ``corpus``."""
    scores = []
    for topic in topics:
        found = predicted = actual = p_found = p_actual = 0
        misses: list[str] = []
        for item in corpus:
            paragraphs = [Paragraph(n, " ".join(text.split()), 0) for n, (text, _) in enumerate(item.paragraphs, 1)]
            suggested = {m.paragraph.number for m in suggest_paragraphs(topic, paragraphs)}
            hits = []
            for number, (text, labels) in enumerate(item.paragraphs, 1):
                hit = number in suggested
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
