"""The MkDocs side of the pipeline: run the stages, set the nav, add the generated pages."""

from __future__ import annotations

import atexit
import importlib
import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils import get_relative_url

from .background import BackgroundFailed, Stream
from .errors import SeedsInvalid
from .feeds import render_feeds
from .pipeline import Composed, compose, source_date_epoch
from .publish import sync_tree
from .render import body_pages, render_bodies

_state: dict[str, Any] = {"serving": False, "composed": None, "served": None, "staging": None, "bodies": None,
                          "body_paths": frozenset()}
BACKGROUND_MIN_PAGES = 200
"""From this many HTML bodies on, they are rendered in a second process while MkDocs works
(not under ``serve``, whose sites are small and whose server runs threads)."""
log = logging.getLogger("mkdocs.plugins.briefing")


def on_startup(command: str, dirty: bool = False) -> None:
    """Remember whether this is ``mkdocs serve``, whose rebuilds must pick up code edits."""
    _state["serving"] = command == "serve"


def _reload_code() -> None:
    # `mkdocs serve` keeps imported modules (mkdocs#3993): reload ours so edits show.
    names = sorted(n for n in sys.modules if n.startswith("briefing.") and n != "briefing.site_hook")
    for name in names:
        importlib.reload(sys.modules[name])


def settings_of(config: Any) -> dict[str, Any]:
    """The briefing's settings, as ``build.py`` puts them in ``config.extra['briefing']``."""
    settings = dict(config.extra.get("briefing") or {})
    root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
    settings.setdefault("seeds_dir", os.environ.get("BRIEFING_SEEDS") or str(root / "seeds"))
    settings.setdefault("templates_dir", str(root / "templates"))
    settings.setdefault("root", str(root))
    return settings


def on_config(config: Any) -> Any:
    """Compose the pages, fix the build date from the inputs, and set the navigation."""
    if _state["serving"]:
        _reload_code()
    settings = settings_of(config)
    composed: Composed | None = (config.extra.get("briefing") or {}).pop("composed", None)
    settings.pop("composed", None)
    if composed is None:
        try:
            composed = compose(Path(settings["seeds_dir"]), Path(settings["templates_dir"]),
                               root=Path(settings["root"]), settings=settings)
        except SeedsInvalid as exc:
            raise Abort(f"The seeds have problems:\n{exc}") from None
    _state["composed"] = composed
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(composed))
    if _state["serving"]:
        _build_beside_served_site(config)
    config.nav = composed.nav
    return config


def _build_beside_served_site(config: Any) -> None:
    # `mkdocs serve` empties its folder and rewrites every file on each rebuild. Build into a
    # staging folder instead; on_post_build moves over only the files whose bytes changed, so
    # an edit rewrites only the pages it changes (and a failed build leaves the last good site).
    if _state["served"] is None:
        _state["served"] = config.site_dir
        _state["staging"] = tempfile.mkdtemp(prefix="briefing-serve-")
        atexit.register(shutil.rmtree, _state["staging"], True)
    config.site_dir = _state["staging"]


def _stop_bodies() -> None:
    if _state["bodies"] is not None:
        _state["bodies"].close()
        _state["bodies"] = None


def on_build_error(error: Exception) -> None:
    """Stop rendering bodies for a build that failed."""
    _stop_bodies()


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config: Any) -> None:
    """Under ``serve``: put the changed files of the new build into the served folder."""
    _stop_bodies()
    if not _state["serving"] or _state["staging"] is None:
        return
    touched = sync_tree(Path(_state["staging"]), Path(_state["served"]))
    pages = [p for p in touched if p.endswith(".html")]
    others = len(touched) - len(pages)
    listed = (": " + ", ".join(pages[:10]) + (" …" if len(pages) > 10 else "")) if pages else ""
    log.info(f"Briefing: {len(pages)} page{'s' * (len(pages) != 1)} rewritten{listed}; "
             f"{others} other file{'s' * (others != 1)}")


def on_files(files: Files, config: Any) -> Files:
    """Add the composed pages, and the Atom feeds that link to them, to the files MkDocs builds;
    start rendering the HTML bodies, in the order MkDocs will ask for them."""
    composed: Composed = _state["composed"]
    pages = body_pages(composed.site)
    urls = {}
    # MkDocs reads pages in this order: those with a body last, so that the background
    # process has a head start on the bodies while MkDocs converts the others.
    for dest_path in sorted(composed.pages, key=pages.__contains__):
        markdown = composed.pages[dest_path]
        existing = files.get_file_from_path(dest_path)
        if existing is not None:
            files.remove(existing)
        generated = File.generated(config, dest_path, content=markdown)
        files.append(generated)
        urls[dest_path] = generated.url
    for path, xml in render_feeds(composed.site, urls, config.site_url or "").items():
        files.append(File.generated(config, path, content=xml))
    _stop_bodies()
    order = [f.src_uri for f in files.documentation_pages() if f.src_uri in pages]
    # Links in the bodies point only to generated pages (paths under docs/, known safe ids).
    templates_dir = Path(settings_of(config)["templates_dir"])
    _state["bodies"] = Stream(lambda: _finished_bodies(pages, order, urls, templates_dir),
                              fork=len(order) >= BACKGROUND_MIN_PAGES and not _state["serving"])
    _state["body_paths"] = frozenset(order)
    return files


_LINK = re.compile(r'href="briefing:([^"#]*)(#[^"]*)?"')
_ID = re.compile(r' id="([^"]+)"')  # bodies are escaped: only the templates write attributes
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="headerlink"', re.S)
_TAG = re.compile(r"<[^>]+>")


def _finished_bodies(pages: dict[str, Any], order: list[str], urls: dict[str, str], templates_dir: Path):
    """(path, (HTML with its links made URLs, its ids, its h2/h3 headings)) of each body.
    Runs in the background process when there is one: plain data only goes back."""
    for path, body in render_bodies(pages, templates_dir, order):
        here = urls[path]
        resolved: dict[str, str] = {}  # a page links to the same few pages many times

        def resolve(match: re.Match) -> str:
            target = match.group(1)
            if target not in resolved:
                if target not in urls:
                    raise Abort(f"{path}: link to a missing page {target!r}")
                resolved[target] = get_relative_url(urls[target], here)
            return f'href="{resolved[target]}{match.group(2) or ""}"'

        body = _LINK.sub(resolve, body)
        headings = [(int(level), anchor, _TAG.sub("", inner).strip()) for level, anchor, inner in _HEADING.findall(body)]
        yield path, (body, _ID.findall(body), headings)


def _add_to_toc(toc: Any, headings: list[tuple[int, str, str]]) -> None:
    """List a body's h2 and h3 headings in the page's table of contents, under its title."""
    top = toc.items[0].children if toc.items and toc.items[0].level == 1 else toc.items
    under_h2 = None
    for level, anchor, title in headings:
        link = AnchorLink(title, anchor, level)
        (under_h2 if level == 3 and under_h2 is not None else top).append(link)
        if level == 2:
            under_h2 = link.children


_TEMPLATE_FRAME = re.compile(r'File "([^"]+\.j2)", line (\d+)')


def _body_error(exc: BackgroundFailed) -> str:
    """``template:line: error`` when a body template failed; the traceback for anything else."""
    if exc.kind == "Abort":
        return str(exc)
    frames = _TEMPLATE_FRAME.findall(exc.details)
    if frames:
        path, line = frames[-1]
        return f"{path}:{line}: {exc.kind}: {exc}"
    return f"rendering the HTML bodies failed: {exc.kind}: {exc}\n{exc.details}"


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Append the page's HTML body, if it has one, with its ids and headings made known to MkDocs."""
    bodies: Stream | None = _state["bodies"]
    if bodies is None or page.file.src_uri not in _state["body_paths"]:
        return html
    try:
        finished = bodies.get(page.file.src_uri)
    except BackgroundFailed as exc:
        raise Abort(_body_error(exc)) from None
    if finished is None:  # each body is handed out once: this page was converted twice
        raise Abort(f"{page.file.src_uri}: no HTML body left for this page (converted twice in one build?)")
    body, ids, headings = finished
    if page.present_anchor_ids is not None:
        page.present_anchor_ids.update(ids)
    _add_to_toc(page.toc, headings)
    return html + body
