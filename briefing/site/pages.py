"""The pages of a build, as data: the kinds of page there are, and what the stages composed.

``PAGE_KINDS`` is the one registry of page kinds: for each, where its pages go, the template of
its Markdown, the template of the HTML body the plugin puts in under it (if any), and the
function that gives its pages' data from the composed site. Rendering, the plugin's bodies and
this documentation all read it; a new kind of page is a new entry here and its templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..core.compose import (ArticlePage, HomePage, PackPage, PeoplePage, PersonPage, Site, SourcesPage, TimelinePage,
                            TopicArchivePage, TopicPage)
from ..core.model import Briefing
from ..editor.changes import ChangesPage

NAV_TITLES = {"index.md": "Home", "timeline.md": "Timeline", "people.md": "People", "sources.md": "Sources",
              "tags.md": "Tags", "pack.md": "Briefing pack"}
"""Navigation titles of the pages that are not topics (topics take their page title)."""


@dataclass(frozen=True)
class Composed:
    """The rendered pages and what the MkDocs side needs to build them."""

    briefing: Briefing
    site: Site
    pages: dict[str, str]
    """Markdown of every generated page, keyed by its path under ``docs/``."""
    changes: ChangesPage | None = None
    """The preview's "Changes" page, when a base was given."""
    build_epoch: int = 0
    """The build's fixed time (``SOURCE_DATE_EPOCH``): the newest article's date, for byte-identical output."""

    @property
    def nav(self) -> list:
        """The navigation, from ``Site.nav``: topics grouped, and never the articles."""
        topics = {page.dest_path for page in self.site.topics}
        nav: list = []
        for path in self.site.nav:
            if path in topics:
                if not nav or "Topics" not in nav[-1]:
                    nav.append({"Topics": []})
                nav[-1]["Topics"].append(path)
            else:
                nav.append({NAV_TITLES[path]: path})
        if self.changes is not None:
            nav.append({"Changes in this preview": self.changes.dest_path})
        return nav


@dataclass(frozen=True)
class TagsPage:
    """Context of the tags index (Material's tags plugin fills it in)."""

    dest_path: str = "tags.md"


@dataclass(frozen=True)
class PageKind:
    """One kind of page."""

    name: str
    url: str
    """Where its pages go, under ``docs/`` (for the reader of this table; the data holds each path)."""
    context: type
    """The class of its pages' data (from ``core.compose``)."""
    template: str
    """Template of the page's Markdown (the whole page, or its title and introduction)."""
    pages: Callable[[Site, ChangesPage | None], Iterable[Any]]
    """The page contexts of this kind, from the composed site (and a preview's changes)."""
    body: str | None = None
    """Template of the HTML body the plugin puts in under the Markdown, rendered once the
    pages' URLs are known (its headings and ids are the page's ``headings`` and ``anchor_ids``)."""


def _one(page: Any) -> tuple:
    return () if page is None else (page,)


def _more(kind: type) -> Callable[[Site], tuple]:
    return lambda site: tuple(p for p in site.more if isinstance(p, kind))


PAGE_KINDS: tuple[PageKind, ...] = (
    PageKind("home", "index.md", HomePage, "home.md.j2", lambda site, changes: (site.home,), body="home.html.j2"),
    PageKind("topic", "topics/<slug>.md", TopicPage, "topic.md.j2", lambda site, changes: site.topics,
             body="topic.html.j2"),
    PageKind("article", "articles/<id>.md", ArticlePage, "article.md.j2", lambda site, changes: site.articles,
             body="article.html.j2"),
    PageKind("sources", "sources.md, sources/page-<n>.md", SourcesPage, "sources.md.j2",
             lambda site, changes: (site.sources, *_more(SourcesPage)(site)), body="sources.html.j2"),
    PageKind("topic archive", "topics/<slug>/page-<n>.md", TopicArchivePage, "topic_archive.md.j2",
             lambda site, changes: tuple(a for t in site.topics for a in t.archive), body="topic_archive.html.j2"),
    PageKind("timeline", "timeline.md, timeline/page-<n>.md", TimelinePage, "timeline.md.j2",
             lambda site, changes: (*_one(site.timeline), *_more(TimelinePage)(site)), body="timeline.html.j2"),
    PageKind("person", "people/<id>.md", PersonPage, "person.md.j2", lambda site, changes: site.people,
             body="person.html.j2"),
    PageKind("people", "people.md", PeoplePage, "people.md.j2", lambda site, changes: _one(site.people_index)),
    PageKind("pack", "pack.md", PackPage, "pack.md.j2", lambda site, changes: _one(site.pack), body="pack.html.j2"),
    PageKind("tags", "tags.md", TagsPage, "tags.md.j2", lambda site, changes: (TagsPage(),)),
    PageKind("changes", "changes.md (previews only)", ChangesPage, "changes.md.j2",
             lambda site, changes: _one(changes), body="changes.html.j2"),
)
"""Every kind of page Briefing generates, in the order they are rendered. The 404 page is
Material's own template (with the overrides in templates/theme/), built by MkDocs."""

BODY_TEMPLATES: dict[type, str] = {kind.context: kind.body for kind in PAGE_KINDS if kind.body}
"""The template of the HTML body of each page class that has one."""


def body_pages(site: Site, changes: ChangesPage | None = None) -> dict[str, Any]:
    """The page contexts that have an HTML body, by path, in the order of the registry."""
    return {page.dest_path: page for kind in PAGE_KINDS if kind.body for page in kind.pages(site, changes)}
