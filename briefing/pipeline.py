"""The stages in order: load → anchor → compose → render. One function, one result."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .anchor import collect_anchors
from .compose import Site, compose_site
from .errors import Problem, SeedsInvalid
from .load import collect_seeds
from .model import Briefing
from .changes import ChangesPage, compare_seeds
from .model import Seeds
from .render import render_bodies, render_page, render_site
from .review import collect_warnings
from .suggest import check_rules


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
    bodies: dict[str, str] | None = None
    """HTML bodies of pages whose Markdown is only a title (article pages)."""

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


def verify(seeds_dir: Path, root: Path | None = None, settings: dict[str, Any] | None = None,
           warnings: list[Problem] | None = None) -> Briefing:
    """Load and anchor the seeds; raise ``SeedsInvalid`` with every problem.

    Warnings (unreviewed excerpts, thin topics …) are appended to ``warnings`` when given.
    With ``settings['reviewed_only']``, unreviewed excerpts are left out of the result.
    """
    problems: list[Problem] = []
    seeds = collect_seeds(seeds_dir, problems, root)
    for topic in seeds.topics:
        problems.extend(check_rules(topic))
    briefing = collect_anchors(seeds, problems)
    if any(p.severity == "error" for p in problems):
        raise SeedsInvalid(problems)
    if warnings is not None:
        warnings.extend(collect_warnings(briefing))
    if settings and settings.get("reviewed_only"):
        briefing = replace(briefing, excerpts=tuple(a for a in briefing.excerpts if a.excerpt.reviewed))
    return briefing


def compose(seeds_dir: Path, templates_dir: Path, root: Path | None = None,
            settings: dict[str, Any] | None = None, base: tuple[Seeds, str] | None = None) -> Composed:
    """Run every stage up to the Markdown of each page; with ``base`` (seeds and their
    name), add the page of what changed since then."""
    briefing = verify(seeds_dir, root, settings)
    site = compose_site(briefing)
    pages = render_site(site, templates_dir, extra=settings or {})
    changes = None
    if base is not None:
        changes = compare_seeds(base[0], briefing, base[1])
        pages[changes.dest_path] = render_page(templates_dir, "changes.md.j2", changes)
    return Composed(briefing=briefing, site=site, pages=pages, changes=changes,
                    bodies=render_bodies(site, templates_dir))


def source_date_epoch(composed: Composed) -> int:
    """Build time derived from the inputs (the newest article's date), for reproducible output."""
    dates = [a.published for a in composed.briefing.articles]
    if not dates:
        return 0
    newest = max(dates)
    return calendar.timegm(newest.timetuple())
