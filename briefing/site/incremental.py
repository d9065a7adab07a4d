"""Under ``serve``: an edit to articles updates the served site in place, page by page.

MkDocs rebuilds the whole site on every change it sees. For an edit that only changes article
files, the plugin instead (``BriefingPlugin._update_in_place``):

1. checks that nothing else it builds from changed (``core.memo.file_signatures``: mkdocs.yml, docs/,
   the templates and theme, the other seed files, the watched folders), nor the code;
2. composes the site again, the unchanged articles from the process's memo (``core/memo.py``);
3. compares every page's Markdown and data with the last build's (``changed_pages``); a change to
   the set of pages, the navigation or the build date needs the whole build;
4. reads and builds only the changed pages with MkDocs' own functions, on the last build's
   files, navigation and template environment (``Retained``), and puts them, the feeds that
   changed and the search index (``search_index_json``, Material's bytes) in the served folder.

Anything it cannot do this way (a page's title in the navigation or its tags changed, a
failure) falls back to the whole build, which starts afresh. The result is byte-identical to the
whole build: ``tests/test_incremental.py`` compares them after random edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.compose import Citation
from ..core.model import Article
from ..core.memo import file_signatures
from .pages import Composed, body_pages

SEARCH_INDEX = "search/search_index.json"
"""Where Material's search plugin writes its index."""


def changed_pages(old: Composed, new: Composed) -> list[str] | None:
    """The pages whose Markdown or data differ, in the order of ``new.pages``; None when the
    change needs the whole build (other pages, navigation, build date, a preview's changes)."""
    if list(old.pages) != list(new.pages) or old.nav != new.nav or old.build_epoch != new.build_epoch:
        return None
    if old.changes is not None or new.changes is not None:
        return None
    old_data, new_data = body_pages(old.site, old.changes), body_pages(new.site, new.changes)
    if list(old_data) != list(new_data):
        return None
    same = Sameness()
    changed = []
    for path, markdown in new.pages.items():
        if markdown != old.pages[path]:
            changed.append(path)
        elif path in new_data:
            if not same(old_data[path], new_data[path]):
                changed.append(path)
    return changed


_PLAIN = (str, int, float, bool, type(None), bytes, dt.date)


class Sameness:
    """Whether two pages' data render the same, compared as values (every field, even those a
    dataclass leaves out of its ``==``), each pair of objects once, and alike objects by identity.

    One exception: an article reached through a ``Citation`` is compared without its paragraphs.
    Pages cite articles by their metadata; the article's own page, whose data is the only one to
    show its paragraphs, holds the article itself (``ArticlePage.article``, compared whole), and
    every other page shows a paragraph only through data that holds it (an excerpt's
    ``Anchored``, a person's passages). Without it, an edit to one article's text would compare
    every page that lists the article as changed. (The memo relies on the same: a citation is
    kept while the article's metadata is, ``Memo.citation``.)
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[int, int], bool] = {}

    def __call__(self, a: Any, b: Any) -> bool:
        if a is b:
            return True
        kind = type(a)
        if kind is not type(b):
            return False
        if kind in _PLAIN:
            return a == b
        key = (id(a), id(b))
        found = self.seen.get(key)
        if found is not None:
            return found
        if kind is tuple or kind is list:
            result = len(a) == len(b) and all(self(x, y) for x, y in zip(a, b))
        elif kind is dict:
            result = list(a) == list(b) and all(self(a[k], b[k]) for k in a)
        elif kind is Citation:
            result = all(self(getattr(a, f.name), getattr(b, f.name)) for f in _FIELDS[Citation] if f.name != "article") \
                and self._metadata(a.article, b.article)
        elif dataclasses.is_dataclass(a):
            fields = _FIELDS.get(kind) or _FIELDS.setdefault(kind, dataclasses.fields(a))
            result = all(self(getattr(a, f.name), getattr(b, f.name)) for f in fields)
        else:
            result = a == b
        self.seen[key] = result
        return result

    def _metadata(self, a: Article, b: Article) -> bool:
        return a is b or all(self(getattr(a, f.name), getattr(b, f.name))
                             for f in _FIELDS[Article] if f.name != "paragraphs")


_FIELDS: dict[type, tuple] = {Citation: dataclasses.fields(Citation), Article: dataclasses.fields(Article)}


@dataclass
class Retained:
    """What the last successful build under ``serve`` made, as MkDocs left it, to update in place."""

    config: Any
    files: Any
    nav: Any
    env: Any
    composed: Composed
    page_urls: dict[str, str]
    """By page path, its URL (what the feeds link to)."""
    urls: dict[str, str]
    """The same and the feeds' (what the bodies link to)."""
    feeds: dict[str, str]
    inputs: dict[str, tuple]
    entries: dict[str, bytes]
    """By page path, in the order MkDocs built them: the page's search entries as UTF-8 JSON,
    each as Material writes it, joined by commas (empty for none)."""
    search_config: dict | None
    """Material's search settings as its index carries them (None: no search index)."""

    def search_index_json(self) -> bytes:
        """The search index, byte for byte as Material's search plugin writes it
        (``json.dumps(..., separators=(",", ":"), default=str)`` of config and entries, UTF-8)."""
        return (b'{"config":' + _dumps(self.search_config).encode("utf-8") + b',"docs":['
                + b",".join(part for part in self.entries.values() if part) + b"]}")

    def set_entries(self, path: str, entries: list) -> None:
        self.entries[path] = entries_json(entries)


def entries_json(entries: list) -> bytes:
    """A page's search entries as they stand in Material's index."""
    return ",".join(_dumps(e) for e in entries).encode("utf-8")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def search_settings(search: Any) -> dict | None:
    """The ``config`` part of Material's search index, as its plugin makes it."""
    index = getattr(search, "search_index", None)
    if index is None or not getattr(search, "config", {}).get("enabled", True):
        return None
    return {key: index.config[key] for key in ["lang", "separator", "pipeline", "fields"]}


def write_file(data: bytes, target: Path) -> None:
    """Write a file of the update into the staging folder, making its folders."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
