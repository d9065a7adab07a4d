"""Finding people in text by alias: whole words, case-sensitive, longest alias first."""

from __future__ import annotations

import re

from .model import Person
from .text import normalize, variants_pattern


MAX_REMEMBERED = 2_000_000
"""A finder that remembers texts forgets them all past this many (a long ``serve`` of many edits)."""


class MentionFinder:
    """Finds which people a text names."""

    def __init__(self, people: tuple[Person, ...], remember: bool = False) -> None:
        self.known: dict[str, list[Person]] | None = {} if remember else None
        """With ``remember`` (a finder kept between builds, ``core/memo.py``): what each text named."""
        aliases = sorted(((normalize(a), p) for p in people for a in p.aliases), key=lambda ap: -len(ap[0]))
        self.owner = {alias: person for alias, person in reversed(aliases)}
        if aliases:
            # One alternation, longest first: at each position the longest alias wins, so
            # "Wang" is never found inside "Wang Xiaohong".
            # Matched in the text as written (quote and dash variants, any white space), so
            # that no paragraph needs normalising first.
            body = "|".join(variants_pattern(alias) for alias, _ in aliases)
            # Looking ahead for an alias's first character first makes the scan ~35% faster.
            firsts = "|".join(sorted({variants_pattern(alias[0]) for alias, _ in aliases}))
            self.pattern: re.Pattern | None = re.compile(rf"(?=(?:{firsts}))(?<!\w)(?:{body})(?!\w)")
        else:
            self.pattern = None

    def find(self, text: str) -> list[Person]:
        """People named in ``text``, in order of first mention, each once."""
        if self.pattern is None:
            return []
        if self.known is not None and text in self.known:
            return list(self.known[text])
        found: dict[str, Person] = {}
        for match in self.pattern.finditer(text):
            person = self.owner[normalize(match.group(0))]
            found.setdefault(person.id, person)
        named = list(found.values())
        if self.known is not None:
            if len(self.known) >= MAX_REMEMBERED:
                self.known.clear()
            self.known[text] = named
            return list(named)
        return named
