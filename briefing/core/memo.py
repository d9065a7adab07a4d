"""What a long-lived process (``serve``) keeps from one build to the next, so that an edit to one
article re-reads and re-anchors that article only.

The stages stay functions of their inputs: a ``Memo`` passed to them only returns, for an input
it has seen, the very result (the same objects) computing it again would give. Every entry is
keyed on everything its result depends on:

- a seed file: what its loading depends on (for an article, the topics it may name), and the
  file's stat signature (modification and change times to the nanosecond, size, inode). A file changed less than ``RACY_NS`` before it
  was read is not kept, as git does with its index ("racy" entries): on a file system with coarse
  time stamps, a second edit within the same tick could keep the signature;
- an article's anchoring: the article object itself; an event's: the event and its articles;
- the people found in a text: the text, for one tuple of people;
- a citation, an excerpt's view, an article's page: the objects they are made from, by identity
  (``same``), so that an unchanged article's page is the very object of the last build;
- a page's Markdown: the page's data object, by identity, and the templates' signatures.

All but the files are kept for one build (``begin``, at the start of each): what a build does not
use is forgotten at the next.

A build without a memo (every command but ``serve``) computes everything, as before.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from .errors import Problem

RACY_NS = 2_000_000_000
"""A file modified this recently (in nanoseconds) when it was read is read again next time."""


SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".cache"})


def file_signatures(paths: list[Path], skip: Path | None = None) -> dict[str, tuple]:
    """The stat signature of every file under ``paths`` (files or folders), but those under
    ``skip`` and in ``SKIPPED_DIRS`` (Python's byte code …); a missing path has ``()``."""
    found: dict[str, tuple] = {}
    skip = skip.resolve() if skip is not None else None
    for start in sorted({p.resolve() for p in paths}):
        if skip is not None and (start == skip or skip in start.parents):
            continue
        if not start.is_dir():
            found[str(start)] = signature(start) or ()
            continue
        for folder, dirs, files in os.walk(start):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and here / d != skip)
            for name in sorted(files):
                found[str(here / name)] = signature(here / name) or ()
    return found


def signature(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when a file's bytes do: (mtime_ns, ctime_ns, size, inode, mode); None if it
    cannot be read."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_mode


class Memo:
    """Results of the stages by their inputs, kept between the builds of one process."""

    def __init__(self) -> None:
        self.files: dict[tuple, tuple[tuple, Any, tuple[Problem, ...]]] = {}
        """By what a seed file's loading depends on (its kind, shown path, the topics it may name
        …): (its signature, what loading it gave, its problems)."""
        self.made: dict[tuple, tuple[tuple, Any]] = {}
        self.making: dict[tuple, tuple[tuple, Any]] = {}
        """By key: (the objects a result was made from, the result), of the last build and of
        this one (``reuse``); what this build does not use is forgotten at the next."""
        self.finder: tuple[Any, Any] | None = None
        """(people, their MentionFinder with its own memo of texts)."""

    def begin(self) -> None:
        """A new build: what the last one made is kept only as far as this one uses it."""
        self.made, self.making = self.making, {}

    def reuse(self, key: tuple, parts: tuple, make: Any) -> Any:
        """``make()``, or the very object the last build made under ``key`` from the same objects
        (``parts``, compared by identity): comparing it with that build's is then immediate."""
        found = self.made.get(key)
        if found is None or len(found[0]) != len(parts) or not all(x is y for x, y in zip(found[0], parts)):
            found = (parts, make())
        self.making[key] = found
        return found[1]

    def same(self, kind: str, source: Any, parts: tuple, make: Any) -> Any:
        """``make()``, a ``kind`` of thing made from ``source`` and ``parts`` (``reuse``)."""
        return self.reuse((kind, id(source)), (source, *parts), make)

    # --- loading ---------------------------------------------------------------------------

    def load(self, path: Path, key: tuple, load: Any, problems: list[Problem], merge: Any = None) -> Any:
        """``load(problems)`` for the seed file at ``path``, or what it gave last time if the file
        is unchanged; its problems are appended either way. When it changed, ``merge(old, new)``
        (if given) may give back the parts of the new result equal to the old one's as the old
        objects."""
        sig = signature(path)
        found = self.files.get(key)
        if sig is not None and found is not None and found[0] == sig:
            problems.extend(found[2])
            return found[1]
        mine: list[Problem] = []
        result = load(mine)
        if merge is not None and found is not None:
            result = merge(found[1], result)
        problems.extend(mine)
        if sig is not None and sig == signature(path) and time.time_ns() - sig[0] >= RACY_NS:
            self.files[key] = (sig, result, tuple(mine))
        else:
            self.files.pop(key, None)
        return result

    def forget_files_except(self, keys: set) -> None:
        """Drop the entries of the files the last build did not load (gone, or under other keys)."""
        for key in [k for k in self.files if k not in keys]:
            del self.files[key]

    # --- anchoring -------------------------------------------------------------------------

    def anchored(self, article: Any, anchor: Any, problems: list[Problem]) -> tuple[Any, tuple]:
        """``anchor(problems)`` → (index, anchored excerpts) for ``article``, or what it gave for
        this same article object last time; its problems are appended either way. An article
        anchored again keeps the anchored excerpts equal to last time's as last time's objects."""
        key = ("anchors", article.id)
        before = self.made.get(key)

        def anchor_again() -> tuple:
            mine: list[Problem] = []
            index, anchored = anchor(mine)
            if before is not None:
                kept = {a: a for a in before[1][1]}
                anchored = tuple(kept.get(a, a) for a in anchored)
            return index, anchored, tuple(mine)

        index, anchored, said = self.reuse(key, (article,), anchor_again)
        problems.extend(said)
        return index, anchored

    def anchored_event(self, event: Any, articles: tuple, anchor: Any, problems: list[Problem]) -> Any:
        """``anchor(problems)`` for an event of ``events.yml``, or what it gave last time for this
        same event object supported by the same article objects; problems appended either way."""

        def anchor_again() -> tuple:
            mine: list[Problem] = []
            return anchor(mine), tuple(mine)

        result, said = self.same("event", event, articles, anchor_again)
        problems.extend(said)
        return result

    # --- composing -------------------------------------------------------------------------

    def citation(self, metadata: tuple, make: Any) -> Any:
        """``make()``, the citation of an article: the very object of the last build while the
        article's ``metadata`` (every field but its paragraphs) is the same. Pages cite an
        article by its metadata alone; its own page takes its text from the article itself
        (``ArticlePage.article``)."""
        return self.reuse(("citation", metadata), (), make)

    def rendered(self, page: Any, key: str, render: Any) -> str:
        """``render()``, the Markdown of ``page``: what the last build rendered of this very page
        object with the same ``key`` (the templates' signatures, the site's name)."""
        return self.reuse(("markdown", id(page), key), (page,), render)

    # --- people ----------------------------------------------------------------------------

    def mention_finder(self, people: tuple, make: Any) -> Any:
        """The finder of ``people`` (``make(people)``), the same one while they are equal."""
        if self.finder is None or self.finder[0] != people:
            self.finder = (people, make(people))
        return self.finder[1]
