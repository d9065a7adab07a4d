"""Stage 4: render page contexts to Markdown with the Jinja2 templates in ``templates/``.

Every value a template prints is escaped with ``escape_text`` unless it is ``Markup``,
so article text and metadata can never become Markdown or HTML by accident.
"""

from __future__ import annotations

import html
import json
import functools
import re
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any

import jinja2
from markupsafe import Markup

from ..core.compose import ArticlePage, Site, SourcesPage, TimelinePage, TopicArchivePage
from ..core.model import Topic
from ..core.text import escape_text

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


LINK_PREFIX = "briefing:"
"""How HTML bodies write a link to a page: ``href="briefing:topics/taiwan.md#p3"``."""


def href(dest_path: str, anchor: str = "") -> Markup:
    """A link from an HTML body to a page under ``docs/``, resolved later by the hook."""
    return Markup(f"{LINK_PREFIX}{dest_path}" + (f"#{anchor}" if anchor else ""))


def make_html_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment of HTML bodies: standard HTML autoescaping."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals.update(href=href, window=page_window)
    return env


BODY_TEMPLATES = {ArticlePage: "article.html.j2", TopicArchivePage: "topic_archive.html.j2",
                  SourcesPage: "sources.html.j2"}
"""The pages whose Markdown is only a title (and an introduction), and the template of the
HTML body the hook puts in under it."""


def body_pages(site: Site) -> dict[str, Any]:
    """The page contexts that have an HTML body, by path, in the order of the site."""
    sources = (site.sources, *(p for p in site.more if isinstance(p, SourcesPage)))
    return {page.dest_path: page for page in (*site.articles, *(p for t in site.topics for p in t.archive), *sources)}


def render_bodies(pages: dict[str, Any], templates_dir: Path, order: Iterable[str] | None = None
                  ) -> Iterator[tuple[str, str]]:
    """(path, HTML body) of each page of ``pages`` (from ``body_pages``), in ``order`` if given.

    A generator: bodies are rendered one at a time, as the reader asks for them (see
    ``background.Stream``), so they never need to be held all at once.
    """
    env = make_html_environment(templates_dir)
    compiled = {kind: env.get_template(template) for kind, template in BODY_TEMPLATES.items()}
    for path in pages if order is None else order:
        page = pages[path]
        yield path, compiled[type(page)].render(page=page)


def render_site(site: Site, templates_dir: Path, extra: dict | None = None) -> dict[str, str]:
    """Render every page; returns Markdown keyed by its path under ``docs/``."""
    env = make_environment(templates_dir)
    common = {"extra": extra or {}}
    pages: dict[str, str] = {}

    def render(template: str, page: Any) -> None:
        pages[page.dest_path] = env.get_template(template).render(page=page, **common)

    render("home.md.j2", site.home)
    for topic in site.topics:
        render("topic.md.j2", topic)
    article_template = env.get_template("article.md.j2")
    for article in site.articles:
        pages[article.dest_path] = article_template.render(page=article, **common)
    render("sources.md.j2", site.sources)
    for extra_page in site.more:
        template = {TopicArchivePage: "topic_archive.md.j2", SourcesPage: "sources.md.j2",
                    TimelinePage: "timeline.md.j2"}[type(extra_page)]
        render(template, extra_page)
    person_template = env.get_template("person.md.j2")
    for person in site.people:
        pages[person.dest_path] = person_template.render(page=person, **common)
    for template, page in (("people.md.j2", site.people_index), ("timeline.md.j2", site.timeline),
                           ("pack.md.j2", site.pack)):
        if page is not None:
            render(template, page)
    pages["tags.md"] = env.get_template("tags.md.j2").render(**common)
    return pages


def render_page(templates_dir: Path, template: str, page: Any, extra: dict | None = None) -> str:
    """Render one page context with one template."""
    return make_environment(templates_dir).get_template(template).render(page=page, extra=extra or {})
