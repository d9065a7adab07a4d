"""The stages in order: load → anchor → compose → render. One function, one result."""

from __future__ import annotations

import calendar
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from ..core.progress import SILENT, Steps
from ..core.claims import check_claims
from ..core.anchor import collect_anchors
from ..core.compose import compose_site
from ..core.errors import Problem, SeedsInvalid
from ..core.load import collect_seeds
from ..core.memo import Memo
from ..core.model import Briefing
from ..editor.changes import compare_seeds
from ..core.model import Seeds
from .pages import Composed
from .render import render_site
from ..editor.review import collect_warnings


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


def verify(seeds_dir: Path, root: Path | None = None, *, reviewed_only: bool = False,
           warnings: list[Problem] | None = None, timings: dict[str, float] | None = None,
           steps: Steps = SILENT, memo: Memo | None = None) -> Briefing:
    """Load and anchor the seeds; raise ``SeedsInvalid`` with every problem.

    Warnings (unreviewed excerpts, thin topics …) are appended to ``warnings`` when given.
    With ``reviewed_only``, unreviewed excerpts are left out of the result.
    ``timings``, when given, receives the seconds spent in each stage; ``steps`` is told of
    the articles read and anchored (progress on a terminal). ``memo`` (``serve``) keeps what
    an unchanged article gave from one build to the next (``core/memo.py``).
    """
    problems: list[Problem] = []
    if memo is not None:
        memo.begin()
    with collector_paused():
        with _timed(timings, "load"):
            seeds = collect_seeds(seeds_dir, problems, root, steps, memo)
        with _timed(timings, "anchor"):
            briefing = collect_anchors(seeds, problems, steps, memo)
            check_claims(briefing, problems)
    if any(p.severity == "error" for p in problems):
        raise SeedsInvalid(problems)
    if warnings is not None:
        warnings.extend(problems)  # the loader's warnings (invisible characters …)
        warnings.extend(collect_warnings(briefing))
    if reviewed_only:
        briefing = replace(briefing, excerpts=tuple(a for a in briefing.excerpts if a.excerpt.reviewed))
    return briefing


def compose(seeds_dir: Path, templates_dir: Path, root: Path | None = None, *, reviewed_only: bool = False,
            site_name: str = "Briefing", base: tuple[Seeds, str] | None = None,
            timings: dict[str, float] | None = None, steps: Steps = SILENT, memo: Memo | None = None) -> Composed:
    """Run every stage up to the Markdown of each page; with ``base`` (seeds and their
    name), add the page of what changed since then. ``timings``: seconds per stage.

    The HTML bodies of article, topic archive and bibliography pages are rendered later,
    while MkDocs builds (``render.render_bodies``, called by the plugin), once their URLs are
    known."""
    with collector_paused():
        briefing = verify(seeds_dir, root, reviewed_only=reviewed_only, timings=timings, steps=steps, memo=memo)
        with _timed(timings, "compose"):
            site = compose_site(briefing, memo)
            changes = compare_seeds(base[0], briefing, base[1]) if base is not None else None
        with _timed(timings, "render"):
            pages = render_site(site, templates_dir, site_name=site_name, changes=changes, memo=memo)
    return Composed(briefing=briefing, site=site, pages=pages, changes=changes, build_epoch=source_date_epoch(briefing))


def source_date_epoch(briefing: Briefing) -> int:
    """Build time derived from the inputs (the newest article's date), for reproducible output."""
    dates = [a.published for a in briefing.articles]
    if not dates:
        return 0
    newest = max(dates)
    return max(0, calendar.timegm(newest.timetuple()))  # gzip and zip take no time before 1970
