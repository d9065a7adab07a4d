"""What an editor should look at before publishing: warnings about verified seeds."""

from __future__ import annotations

from collections import defaultdict

from ..core.claims import parse_claim, prose_fields, sentences
from ..core.compose import is_full_sentence
from ..core.errors import Problem
from ..core.model import STANCE_PROSE, Briefing
from ..core.text import shorten


def collect_warnings(briefing: Briefing) -> list[Problem]:
    """Unreviewed excerpts, articles with no excerpt, topics resting on one source or none."""
    warnings: list[Problem] = []
    paths = {a.id: a.src_path for a in briefing.articles}
    for anchored in briefing.excerpts:
        excerpt = anchored.excerpt
        if not excerpt.reviewed:
            warnings.append(Problem(
                paths[excerpt.article_id], excerpt.line,
                f"unreviewed excerpt ({', '.join(excerpt.topics)}): \"{shorten(excerpt.quote, 70)}\"",
                "check it against the article, then delete 'unreviewed: true'", severity="warning"))
    with_excerpts = {a.excerpt.article_id for a in briefing.excerpts}
    for article in briefing.articles:
        if article.id not in with_excerpts and not article.excerpts:
            warnings.append(Problem(article.src_path, 1, f"article {article.id!r} has no excerpt",
                                    "tag the passages that bear on a topic, or run 'python build.py suggest'",
                                    severity="warning"))
    sources: dict[str, set[str]] = defaultdict(set)
    stances: dict[str, set[str]] = defaultdict(set)
    for anchored in briefing.excerpts:
        for slug in anchored.excerpt.topics:
            sources[slug].add(anchored.excerpt.article_id)
            if anchored.excerpt.stance:
                stances[slug].add(anchored.excerpt.stance)
    outlets = {a.id: a.source for a in briefing.articles}
    for topic in briefing.topics:
        count = len(sources[topic.slug])
        if count == 0:
            warnings.append(Problem(topic.src_path, topic.line, f"topic {topic.slug!r} has no excerpt yet", severity="warning"))
        elif count == 1:
            (only,) = sources[topic.slug]
            warnings.append(Problem(topic.src_path, topic.line, f"topic {topic.slug!r} rests on a single source ({only!r})",
                                    "add excerpts from other articles", severity="warning"))
        else:
            named = {outlets[i] for i in sources[topic.slug]}
            if len(named) == 1 and "" not in named:
                warnings.append(Problem(topic.src_path, topic.line,
                                        f"topic {topic.slug!r} rests on a single outlet ({named.pop()!r})",
                                        "add excerpts from other publications", severity="warning"))
        for stance, name in STANCE_PROSE.items():
            if count and stance not in stances[topic.slug]:
                warnings.append(Problem(topic.src_path, topic.line,
                                        f"topic {topic.slug!r} has no excerpt stating the position of {name}",
                                        f"mark such an excerpt with 'stance: {stance}', if the sources have one",
                                        severity="warning"))
    named = {a.excerpt.id: a for a in briefing.excerpts if a.excerpt.id}
    for topic in briefing.topics:
        for position in topic.positions:
            for key in position.leads:
                if key in named and not is_full_sentence(named[key].text):
                    warnings.append(Problem(
                        topic.src_path, topic.line_of(f"positions.{position.stance}"),
                        f"lead quote {key!r} of {topic.slug!r} is not a full sentence: \"{shorten(named[key].text, 70)}\"",
                        "readers see a lead as the side's own words: quote the whole sentence if the article has it",
                        severity="warning"))
    return warnings


def audit_report(briefing: Briefing) -> str:
    """Every sentence of each topic's editor's prose beside the quotes it cites, for an editor to
    review in one read (``check --audit``)."""
    named = {a.excerpt.id: a for a in briefing.excerpts if a.excerpt.id}
    lines: list[str] = []
    for topic in briefing.topics:
        lines.append(f"== {topic.title} ({topic.src_path}:{topic.line})")
        for what, prose, line in prose_fields(topic):
            for number, sentence in enumerate(sentences(prose), 1):
                claim = parse_claim(sentence)
                lines.append(f"  {what}, sentence {number} (line {line}):")
                lines.append(f"    {' '.join(claim.text.split())}")
                for key in claim.cites:
                    anchored = named.get(key)
                    if anchored is None:
                        lines.append(f"      [{key}] (no such excerpt)")
                        continue
                    where = f"{anchored.excerpt.article_id} ¶{anchored.paragraph.number}"
                    lines.append(f"      [{key}] “{anchored.text}” ({where})")
        for position in topic.positions:
            for key in position.leads:
                if key in named:
                    lines.append(f"  lead quote of the {position.stance} position: [{key}] “{named[key].text}”")
        lines.append("")
    return "\n".join(lines)
