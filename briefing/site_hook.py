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

from .errors import SeedsInvalid
from .feeds import render_feeds
from .pipeline import Composed, compose, source_date_epoch
from .publish import sync_tree

_state: dict[str, Any] = {"serving": False, "composed": None, "served": None, "staging": None}
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


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config: Any) -> None:
    """Under ``serve``: put the changed files of the new build into the served folder."""
    if not _state["serving"] or _state["staging"] is None:
        return
    touched = sync_tree(Path(_state["staging"]), Path(_state["served"]))
    pages = [p for p in touched if p.endswith(".html")]
    others = len(touched) - len(pages)
    listed = (": " + ", ".join(pages[:10]) + (" …" if len(pages) > 10 else "")) if pages else ""
    log.info(f"Briefing: {len(pages)} page{'s' * (len(pages) != 1)} rewritten{listed}; "
             f"{others} other file{'s' * (others != 1)}")


def on_files(files: Files, config: Any) -> Files:
    """Add the composed pages, and the Atom feeds that link to them, to the files MkDocs builds."""
    composed: Composed = _state["composed"]
    urls = {}
    for dest_path, markdown in composed.pages.items():
        existing = files.get_file_from_path(dest_path)
        if existing is not None:
            files.remove(existing)
        generated = File.generated(config, dest_path, content=markdown)
        files.append(generated)
        urls[dest_path] = generated.url
    for path, xml in render_feeds(composed.site, urls, config.site_url or "").items():
        files.append(File.generated(config, path, content=xml))
    return files


_LINK = re.compile(r'href="briefing:([^"#]*)(#[^"]*)?"')
_ID = re.compile(r' id="([^"]+)"')  # bodies are escaped: only the templates write attributes
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="headerlink"', re.S)
_TAG = re.compile(r"<[^>]+>")


def _add_to_toc(toc: Any, body: str) -> None:
    """List the body's h2 and h3 headings in the page's table of contents, under its title."""
    top = toc.items[0].children if toc.items and toc.items[0].level == 1 else toc.items
    under_h2 = None
    for level, anchor, inner in _HEADING.findall(body):
        link = AnchorLink(_TAG.sub("", inner).strip(), anchor, int(level))
        (under_h2 if level == "3" and under_h2 is not None else top).append(link)
        if level == "2":
            under_h2 = link.children


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Append a pre-rendered HTML body, with its links made URLs and its ids known to MkDocs."""
    composed: Composed = _state["composed"]
    body = (composed.bodies or {}).get(page.file.src_uri)
    if body is None:
        return html

    by_path = files.src_uris  # body links are written as POSIX paths under docs/ already
    urls: dict[str, str] = {}  # a page links to the same few pages many times

    def resolve(match: re.Match) -> str:
        path = match.group(1)
        if path not in urls:
            target = by_path.get(path)
            if target is None:
                raise Abort(f"{page.file.src_uri}: link to a missing page {path!r}")
            urls[path] = get_relative_url(target.url, page.url)
        return f'href="{urls[path]}{match.group(2) or ""}"'

    body = _LINK.sub(resolve, body)
    if page.present_anchor_ids is not None:
        page.present_anchor_ids.update(_ID.findall(body))
    _add_to_toc(page.toc, body)
    return html + body
