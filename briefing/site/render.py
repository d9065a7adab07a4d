"""Stage 4: render page contexts to Markdown with the Jinja2 templates in ``templates/``.

Every value a template prints is escaped with ``escape_text`` unless it is ``Markup``,
so article text and metadata can never become Markdown or HTML by accident.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import functools
import re
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any

import jinja2
from markupsafe import Markup
from mkdocs.utils import get_relative_url

from ..core.compose import Site, format_date, time_strip
from ..editor.changes import ChangesPage
from ..core.memo import Memo, file_signatures
from ..core.model import Topic
from ..core.text import escape_text
from .pages import BODY_TEMPLATES, PAGE_KINDS

_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_WHITESPACE = re.compile(r"\s+")


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    return Markup(escape_text(str(value)))


def page_window(pages: tuple, number: int, width: int = 3) -> list:
    """The pages a pager shows: first, last, and ``width`` either side of the current one
    (None marks a gap), so that no pager grows with the number of pages.

    ``pages`` holds ``(n, path)`` for n = 1, 2, …; only the shown entries are visited.
    """
    total = len(pages)
    if not total:
        return []
    near = range(max(1, number - width), min(total, number + width) + 1)
    shown, last = [], 0
    for n in sorted({1, total, *near}):
        if last and n > last + 1:
            shown.append(None)
        shown.append(pages[n - 1])
        last = n
    return shown


_CUT_AFTER = " ,;:–—-(\"'“‘"


def shorten(text: Any, length: int = 120) -> str:
    """``text`` cut at a word boundary to at most ``length`` characters, with an ellipsis;
    unchanged when it fits. Never cuts inside a word; drops the punctuation left at the cut."""
    text = _WHITESPACE.sub(" ", str(text)).strip()
    if len(text) <= length:
        return text
    head = text[: length + 1]  # a space just after the limit still ends a whole word
    cut = head.rsplit(" ", 1)[0] if " " in head else text.split(" ", 1)[0]  # one long word: kept whole
    return cut.rstrip(_CUT_AFTER + ".") + "…"


def around(text: Any, names: Any, length: int = 240) -> str:
    """At most about ``length`` characters of ``text`` that show the first of ``names`` (whole
    words), cut at word boundaries, with an ellipsis where text is left out."""
    text = _WHITESPACE.sub(" ", str(text)).strip()
    if len(text) <= length:
        return text
    found = [m.start() for name in names for m in [re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)] if m]
    where = min(found, default=0)
    if where + 60 <= length:
        return shorten(text, length)
    start = text.rfind(" ", 0, max(0, where - length // 3)) + 1
    return "…" + shorten(text[start:], length)


def long_date(iso: str) -> str:
    """``2026-12-02`` as ``2 December 2026``."""
    return format_date(dt.date.fromisoformat(iso))


def sic(text: Any, excerpt: Any) -> Markup:
    """``text`` (a quote, or the start of one) HTML-escaped, with ``[sic]`` after each of the
    excerpt's words marked so; the quote itself is unchanged."""
    text = str(text)
    words = sorted(getattr(excerpt, "sic", ()), key=len, reverse=True)
    if not words:
        return Markup(html.escape(text, quote=False))
    pattern = re.compile("|".join(re.escape(w) for w in words))
    out, at = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[at:match.end()], quote=False))
        out.append('<span class="bx-sic" title="as in the source">[sic]</span>')
        at = match.end()
    out.append(html.escape(text[at:], quote=False))
    return Markup("".join(out))


def no_stop(text: Any) -> str:
    """A title without its closing full stop, for where punctuation follows it."""
    return str(text).rstrip().removesuffix(".")


def html_text(value: Any) -> Markup:
    """Text for a raw HTML block, where Markdown is not applied: HTML escaping is enough.

    Much cheaper for MkDocs than ``escape_text`` (no character reference for Markdown's
    inline processors to handle), so it is used for the long runs of article text.
    """
    return Markup(html.escape(_WHITESPACE.sub(" ", str(value)), quote=True))


@functools.lru_cache(maxsize=65536)
def relative_path(src_path: str, dest_path: str) -> str:
    """``dest_path`` relative to the folder of ``src_path`` (both relative, ``/``-separated)."""
    src = src_path.split("/")[:-1]
    dest = dest_path.split("/")
    common = 0
    while common < len(src) and common < len(dest) - 1 and src[common] == dest[common]:
        common += 1
    return "/".join([".."] * (len(src) - common) + dest[common:])


def link(src_path: str, dest_path: str, anchor: str = "") -> Markup:
    """Relative link from one page under ``docs/`` to another (paths are safe ids)."""
    rel = relative_path(src_path, dest_path) if dest_path != src_path else ""
    return Markup(rel + (f"#{anchor}" if anchor else ""))


def ident(value: str) -> Markup:
    """An id or class name known to be safe (ids are checked when loaded); fails loudly otherwise."""
    if not _IDENT.match(value):
        raise ValueError(f"not a safe identifier: {value!r}")
    return Markup(value)


def tag_name(value: Topic | str) -> Markup:
    """A topic title (or text) as a YAML string for front matter (HTML-escaped: Material prints it raw)."""
    return _yaml_string(value.title if isinstance(value, Topic) else str(value))


@functools.lru_cache(maxsize=4096)  # the same few topic titles on every article page
def _yaml_string(text: str) -> Markup:
    return Markup(json.dumps(html.escape(text, quote=True), ensure_ascii=False))


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment the page templates are rendered with."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        finalize=_finalize,
        autoescape=True,  # with _finalize: macros return Markup, values are escaped once
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(link=link, tag_name=tag_name, window=page_window)
    env.filters["ident"] = ident
    env.filters["h"] = html_text
    return env


class Links:
    """``href()`` of the HTML bodies: a page's URL relative to the page being rendered.

    With ``urls`` (path under ``docs/`` → URL, as MkDocs made them for this variant), the final
    URL; without, a relative ``.md`` path, as Markdown links are written."""

    def __init__(self, urls: dict[str, str] | None = None) -> None:
        self.urls = urls
        self.here = ""
        self._resolved: dict[str, str] = {}  # a page links to the same few pages many times

    def at(self, path: str) -> None:
        """Render the next links from the page at ``path``."""
        self.here = path
        self._resolved = {}

    def href(self, dest_path: str, anchor: str = "") -> Markup:
        """The link from the current page to ``dest_path`` (and its ``anchor``)."""
        url = self._resolved.get(dest_path)
        if url is None:
            if self.urls is None:
                url = relative_path(self.here, dest_path) if dest_path != self.here else ""
            elif dest_path not in self.urls:
                raise BodyLinkError(f"{self.here}: link to a missing page {dest_path!r}")
            else:
                url = get_relative_url(self.urls[dest_path], self.urls[self.here])
            self._resolved[dest_path] = url
        return Markup(url + (f"#{anchor}" if anchor else ""))


class BodyLinkError(Exception):
    """An HTML body links to a page the site does not have (a bug in a template or in compose)."""


def make_html_environment(templates_dir: Path, links: Links) -> jinja2.Environment:
    """The Jinja2 environment of HTML bodies: standard HTML autoescaping."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals.update(href=links.href, window=page_window, placed=time_strip)
    env.filters["shorten"] = shorten
    env.filters["no_stop"] = no_stop
    env.filters["sic"] = sic
    env.filters["around"] = around
    env.filters["long_date"] = long_date
    return env


SEARCH_SKIP = re.compile(r"<!--bx:search-skip-->\n.*?<!--/bx:search-skip-->\n", re.S)
"""What a body template marks as indexed from the page's data (``plugin.search_splits``): an
article's paragraphs. Material's search parses the page without it, which gives the same index."""
_MARKS = ("<!--bx:search-skip-->\n", "<!--/bx:search-skip-->\n")


def unmarked(body: str) -> str:
    """A body as it is published: without the marks of ``SEARCH_SKIP``."""
    return body.replace(_MARKS[0], "").replace(_MARKS[1], "") if _MARKS[0] in body else body


def searched_part(body: str) -> str | None:
    """What search parses of a marked body: all but what ``SEARCH_SKIP`` marks (None: unmarked)."""
    return SEARCH_SKIP.sub("", body) if _MARKS[0] in body else None


def render_bodies(pages: dict[str, Any], templates_dir: Path, order: Iterable[str] | None = None,
                  urls: dict[str, str] | None = None, marked: bool = False) -> Iterator[tuple[str, str]]:
    """(path, HTML body) of each page of ``pages`` (from ``body_pages``), in ``order`` if given,
    its links made relative to it (final URLs with ``urls``, else ``.md`` paths; see ``Links``);
    with ``marked``, the marks of ``SEARCH_SKIP`` left in.

    A generator: bodies are rendered one at a time, as the reader asks for them (see
    ``background.Stream``), so they never need to be held all at once.
    """
    links = Links(urls)
    env = make_html_environment(templates_dir, links)
    compiled = {kind: env.get_template(template) for kind, template in BODY_TEMPLATES.items()}
    for path in pages if order is None else order:
        page = pages[path]
        links.at(path)
        body = compiled[type(page)].render(page=page)
        yield path, body if marked else unmarked(body)


def render_site(site: Site, templates_dir: Path, site_name: str = "Briefing",
                changes: ChangesPage | None = None, memo: Memo | None = None) -> dict[str, str]:
    """Render the Markdown of every page of every kind (``pages.PAGE_KINDS``), keyed by its path
    under ``docs/``. With ``memo`` (``serve``), a page whose data is the very object of the last
    build, rendered with the same templates, is not rendered again."""
    env = make_environment(templates_dir)
    pages: dict[str, str] = {}
    key = repr((str(templates_dir), site_name, sorted(file_signatures([templates_dir]).items()))) if memo else ""
    for kind in PAGE_KINDS:
        template = env.get_template(kind.template)
        for page in kind.pages(site, changes):
            if memo is None:
                pages[page.dest_path] = template.render(page=page, site_name=site_name)
            else:
                pages[page.dest_path] = memo.rendered(
                    page, key, lambda page=page, template=template: template.render(page=page, site_name=site_name))
    return pages


def render_page(templates_dir: Path, template: str, page: Any, site_name: str = "Briefing") -> str:
    """Render one page context with one template."""
    return make_environment(templates_dir).get_template(template).render(page=page, site_name=site_name)
