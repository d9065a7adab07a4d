"""Editors' prose that cites its evidence: ``[ex:<id>]`` after a claim names the excerpt behind it.

A topic's bottom line, key points, "what to watch" and side summaries are written by an editor.
Each cites excerpts by their ``id`` (set on the excerpt in its article's front matter). This
module splits such prose into parts (``Claim``) and checks every citation against the verified
briefing: the id must name an excerpt, and that excerpt must be on the topic. Lead quotes
(``positions: {us: {leads: [id, …]}}``) are checked the same way, and must state that side's
position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Problem
from .text import sentence_spans
from .model import ANALYSIS, STANCE_PROSE, STANCES, WRITER, Briefing, Excerpt, Topic

MARKER = re.compile(r"\s*\[ex:([^\]]*)\]")
"""A citation, with the space before it (which is not shown)."""
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
LOOKS_LIKE_MARKER = re.compile(r"\[\s*ex\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """A run of prose and the excerpts cited at its end (by key)."""

    text: str
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """Editor's prose split at its citations."""

    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        """The prose without its citations."""
        return "".join(p.text for p in self.parts)

    @property
    def cites(self) -> tuple[str, ...]:
        """Every key cited, in order, once each."""
        return tuple(dict.fromkeys(k for p in self.parts for k in p.cites))

    def __bool__(self) -> bool:
        return bool(self.text.strip())


def parse_claim(prose: str) -> Claim:
    """Split ``prose`` at its ``[ex:id]`` markers; consecutive markers cite together.
    ``[ex:a, b]`` cites both ``a`` and ``b``."""
    parts: list[Part] = []
    text, cites, at = "", [], 0
    for match in MARKER.finditer(prose):
        between = prose[at:match.start()]
        if between and cites:
            parts.append(Part(text, tuple(cites)))
            text, cites = "", []
        text += between
        cites.extend(k.strip() for k in match.group(1).split(","))
        at = match.end()
    rest = prose[at:]
    if rest and cites:
        parts.append(Part(text, tuple(cites)))
        text, cites = "", []
    text += rest
    if text or cites:
        parts.append(Part(text, tuple(cites)))
    return Claim(tuple(parts))


def sentences(prose: str) -> list[str]:
    """The sentences of editor's prose, citations kept with the sentence they end."""
    return [prose[start:end].strip() for start, end in sentence_spans(prose)]


def uncited(prose: str) -> list[str]:
    """The sentences of ``prose`` that cite no excerpt (citations stand before the full stop:
    "… in 2023 [ex:a]. Then …")."""
    return [s for s in sentences(prose) if not MARKER.search(s) and not LOOKS_LIKE_MARKER.search(s)]


def prose_fields(topic: Topic) -> list[tuple[str, str, int]]:
    """(what, prose, line) of every cited field of a topic."""
    fields = [("bottom line", topic.bottom_line, topic.line_of("bottom_line"))]
    if topic.changed:
        fields.append(("'changed' line", topic.changed, topic.line_of("changed")))
    fields += [(f"key point {i + 1}", text, topic.line_of(f"key_points[{i}]")) for i, text in enumerate(topic.key_points)]
    fields += [(f"'what to watch' {i + 1}", text, topic.line_of(f"watch[{i}]")) for i, text in enumerate(topic.watch)]
    fields += [(f"summary of the {p.stance} position", p.summary, topic.line_of(f"positions.{p.stance}"))
               for p in topic.positions if p.summary]
    return fields


def check_claims(briefing: Briefing, problems: list[Problem]) -> None:
    """Append a problem for every excerpt id given twice, every citation or lead quote that
    names no excerpt or one off the topic, and every lead that does not state its side.

    Ids are those of every excerpt declared, found in its article or not: a citation of an
    excerpt whose quote is not found is not reported again (the quote is)."""
    named: dict[str, tuple[Excerpt, str]] = {}
    for article in briefing.articles:
        for excerpt in article.excerpts:
            key = excerpt.id
            if not key:
                continue
            if "--" in key:
                problems.append(Problem(article.src_path, excerpt.line, f"excerpt id {key!r} contains '--'",
                                        "'--' is kept for the ids Briefing gives excerpts that have none"))
                continue
            if key in named:
                first, where = named[key]
                problems.append(Problem(article.src_path, excerpt.line, f"excerpt id {key!r} is already used",
                                        f"first at {where}:{first.line}"))
                continue
            named[key] = (excerpt, article.src_path)
    check_speakers(briefing, problems)
    known = {t.slug for t in briefing.topics}
    for topic in briefing.topics:
        for what, prose, line in prose_fields(topic):
            for bad in _malformed(prose):
                problems.append(Problem(topic.src_path, line, f"{what} of {topic.slug!r}: malformed citation {bad!r}",
                                        "write [ex:excerpt-id] after the claim, e.g. [ex:blinken-core-interests]"))
            for key in parse_claim(prose).cites:
                _check_cited(key, what, topic, line, named, known, problems)
            for sentence in uncited(prose):
                problems.append(Problem(topic.src_path, line, f"{what} of {topic.slug!r}: a sentence cites no excerpt: "
                                        f"\"{_short(sentence)}\"",
                                        "end each sentence with [ex:<id>] of the excerpts that support it"))
        for position in topic.positions:
            line = topic.line_of(f"positions.{position.stance}")
            for key in position.leads:
                excerpt = _check_cited(key, f"lead quote of the {position.stance} position", topic, line, named, known,
                                       problems)
                if excerpt is not None and excerpt.stance != position.stance:
                    problems.append(Problem(
                        topic.src_path, line, f"lead quote {key!r} of {topic.slug!r} does not state the position of "
                        f"{STANCE_PROSE[position.stance]}",
                        f"its stance is {excerpt.stance!r}" if excerpt.stance else
                        f"give the excerpt 'stance: {position.stance}' if it states that position"))


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


def _malformed(prose: str) -> list[str]:
    wrong = []
    for match in LOOKS_LIKE_MARKER.finditer(prose):
        end = prose.find("]", match.start())
        marker = prose[match.start(): end + 1 if end >= 0 else len(prose)]
        whole = MARKER.fullmatch(" " + marker) if end >= 0 else None
        if whole is None or not all(KEY.match(k.strip()) for k in whole.group(1).split(",")):
            wrong.append(marker[:60])
    return wrong


def _check_cited(key: str, what: str, topic: Topic, line: int, named: dict[str, tuple[Excerpt, str]],
                 known: set[str], problems: list[Problem]) -> Excerpt | None:
    if not KEY.match(key):
        return None  # reported as malformed
    if key not in named:
        close = [k for k in named if k.startswith(key[:6])][:3]
        problems.append(Problem(topic.src_path, line, f"{what} of {topic.slug!r} cites {key!r}, which is no excerpt's id",
                                f"did you mean {', '.join(close)}?" if close
                                else "give the excerpt 'id: " + key + "' in its article"))
        return None
    excerpt = named[key][0]
    if topic.slug not in excerpt.topics and not (set(excerpt.topics) - known):  # an unknown topic is reported already
        problems.append(Problem(topic.src_path, line,
                                f"{what} of {topic.slug!r} cites {key!r}, an excerpt on "
                                f"{', '.join(excerpt.topics)}, not on {topic.slug!r}",
                                f"add {topic.slug!r} to the excerpt's topics, or cite another"))
        return None
    return excerpt


def check_speakers(briefing: Briefing, problems: list[Problem]) -> None:
    """Every ``speaker`` names a person of people.yml or ``writer``; a stance does not clash with
    its speaker's side: an official of one side does not state the other's position, and an
    analyst (side ``other``) states no side's official position (``stance: analysis``)."""
    people = {p.id: p for p in briefing.people}
    for article in briefing.articles:
        for excerpt in article.excerpts:
            speaker = excerpt.speaker
            if not speaker or speaker == WRITER:
                continue
            person = people.get(speaker)
            if person is None:
                close = [p for p in people if p.startswith(speaker[:4])][:3]
                problems.append(Problem(article.src_path, excerpt.line, f"unknown speaker {speaker!r}",
                                        f"did you mean {', '.join(close)}?" if close
                                        else f"use a person's id from people.yml, or {WRITER!r}"))
                continue
            stance = excerpt.stance
            if stance in STANCES and person.side in STANCES and stance != person.side:
                problems.append(Problem(article.src_path, excerpt.line,
                                        f"stance {stance!r} clashes with its speaker {person.name} (side {person.side!r})",
                                        f"{person.name} cannot state the position of {STANCE_PROSE[stance]}"))
            elif stance in STANCES and person.side not in STANCES:
                problems.append(Problem(article.src_path, excerpt.line,
                                        f"stance {stance!r} clashes with its speaker {person.name} (side {person.side!r})",
                                        f"an analyst's reading is 'stance: {ANALYSIS}', shown apart from the official positions"))
