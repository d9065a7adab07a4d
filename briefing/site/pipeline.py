"""The stages in order: load → anchor → compose → render. One function, one result."""

from __future__ import annotations

import calendar
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.anchor import collect_anchors
from ..core.compose import Site, compose_site
from ..core.errors import Problem, SeedsInvalid
from ..core.load import collect_seeds
from ..core.model import Briefing
from ..editor.changes import ChangesPage, compare_seeds
from ..core.model import Seeds
from .render import render_page, render_site
from ..editor.review import collect_warnings


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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the stages build their (acyclic) data.

    Everything the stages allocate survives until the end, so each collection would only
    re-scan a growing heap: at 10,000 articles that was 40 % of the stages' time. Reference
    counting still frees what is dropped. Afterwards the result is frozen (moved out of the
    collector's sight) so that MkDocs' own collections do not re-scan it either.
    """
    if not gc.isenabled():  # nested, or paused by the caller
        yield
        return
    gc.unfreeze()  # what an earlier build froze (under `serve`) may be garbage now
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def verify(seeds_dir: Path, root: Path | None = None, settings: dict[str, Any] | None = None,
           warnings: list[Problem] | None = None, timings: dict[str, float] | None = None) -> Briefing:
    """Load and anchor the seeds; raise ``SeedsInvalid`` with every problem.

    Warnings (unreviewed excerpts, thin topics …) are appended to ``warnings`` when given.
    With ``settings['reviewed_only']``, unreviewed excerpts are left out of the result.
    ``timings``, when given, receives the seconds spent in each stage.
    """
    problems: list[Problem] = []
    with collector_paused():
        with _timed(timings, "load"):
            seeds = collect_seeds(seeds_dir, problems, root)
        with _timed(timings, "anchor"):
            briefing = collect_anchors(seeds, problems)
    if any(p.severity == "error" for p in problems):
        raise SeedsInvalid(problems)
    if warnings is not None:
        warnings.extend(problems)  # the loader's warnings (invisible characters …)
        warnings.extend(collect_warnings(briefing))
    if settings and settings.get("reviewed_only"):
        briefing = replace(briefing, excerpts=tuple(a for a in briefing.excerpts if a.excerpt.reviewed))
    return briefing


def compose(seeds_dir: Path, templates_dir: Path, root: Path | None = None,
            settings: dict[str, Any] | None = None, base: tuple[Seeds, str] | None = None,
            timings: dict[str, float] | None = None) -> Composed:
    """Run every stage up to the Markdown of each page; with ``base`` (seeds and their
    name), add the page of what changed since then. ``timings``: seconds per stage.

    The HTML bodies of article, topic archive and bibliography pages are rendered later,
    while MkDocs builds (``render.render_bodies``, called by the hook), once their URLs are
    known."""
    with collector_paused():
        briefing = verify(seeds_dir, root, settings, timings=timings)
        with _timed(timings, "compose"):
            site = compose_site(briefing)
            changes = compare_seeds(base[0], briefing, base[1]) if base is not None else None
        with _timed(timings, "render"):
            pages = render_site(site, templates_dir, extra=settings or {})
            if changes is not None:
                pages[changes.dest_path] = render_page(templates_dir, "changes.md.j2", changes)
    return Composed(briefing=briefing, site=site, pages=pages, changes=changes)


def source_date_epoch(composed: Composed) -> int:
    """Build time derived from the inputs (the newest article's date), for reproducible output."""
    dates = [a.published for a in composed.briefing.articles]
    if not dates:
        return 0
    newest = max(dates)
    return max(0, calendar.timegm(newest.timetuple()))  # gzip and zip take no time before 1970
