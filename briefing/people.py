"""Finding people in text by alias: whole words, case-sensitive, longest alias first."""

from __future__ import annotations

import re

from .model import Person
from .text import normalize


class MentionFinder:
    """Finds which people a text names."""

    def __init__(self, people: tuple[Person, ...]) -> None:
        aliases = sorted(((normalize(a), p) for p in people for a in p.aliases), key=lambda ap: -len(ap[0]))
        self.owner = {alias: person for alias, person in reversed(aliases)}
        if aliases:
            # One alternation, longest first: at each position the longest alias wins, so
            # "Wang" is never found inside "Wang Xiaohong".
            body = "|".join(re.escape(alias).replace(r"\ ", r"\s+") for alias, _ in aliases)
            self.pattern: re.Pattern | None = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        else:
            self.pattern = None

    def find(self, text: str) -> list[Person]:
        """People named in ``text``, in order of first mention, each once."""
        if self.pattern is None:
            return []
        found: dict[str, Person] = {}
        for match in self.pattern.finditer(normalize(text)):
            person = self.owner[" ".join(match.group(0).split())]
            found.setdefault(person.id, person)
        return list(found.values())
