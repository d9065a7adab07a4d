"""The stages in order: load → anchor → compose → render. One function, one result."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .anchor import collect_anchors
from .compose import Site, compose_site
from .errors import Problem, SeedsInvalid
from .load import collect_seeds
from .model import Briefing
from .render import render_site


@dataclass(frozen=True)
class Composed:
    """The rendered pages and what the MkDocs side needs to build them."""

    briefing: Briefing
    site: Site
    pages: dict[str, str]
    """Markdown of every generated page, keyed by its path under ``docs/``."""

    @property
    def nav(self) -> list:
        """The navigation: home, topics, sources and tags; never the articles."""
        topics = [page.dest_path for page in self.site.topics]
        return [
            {"Home": "index.md"},
            {"Topics": topics},
            {"Sources": self.site.sources.dest_path},
            {"Tags": "tags.md"},
        ]


def verify(seeds_dir: Path, root: Path | None = None, settings: dict[str, Any] | None = None) -> Briefing:
    """Load and anchor the seeds; raise ``SeedsInvalid`` with every problem."""
    problems: list[Problem] = []
    seeds = collect_seeds(seeds_dir, problems, root)
    briefing = collect_anchors(seeds, problems)
    if any(p.severity == "error" for p in problems):
        raise SeedsInvalid(problems)
    return briefing


def compose(seeds_dir: Path, templates_dir: Path, root: Path | None = None,
            settings: dict[str, Any] | None = None) -> Composed:
    """Run every stage up to the Markdown of each page."""
    briefing = verify(seeds_dir, root, settings)
    site = compose_site(briefing)
    pages = render_site(site, templates_dir, extra=settings or {})
    return Composed(briefing=briefing, site=site, pages=pages)


def source_date_epoch(composed: Composed) -> int:
    """Build time derived from the inputs (the newest article's date), for reproducible output."""
    dates = [a.published for a in composed.briefing.articles]
    if not dates:
        return 0
    newest = max(dates)
    return calendar.timegm(newest.timetuple())
