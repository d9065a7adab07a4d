"""The MkDocs side of the pipeline: run the stages, set the nav, add the generated pages."""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils import get_relative_url

from . import serving
from .background import BackgroundFailed, Stream
from ..core.errors import SeedsInvalid, describe_exception, describe_traceback_text, format_problems
from .feeds import render_feeds
from .output import UnsafeTarget, check_location, check_site_target, mark_site
from .pipeline import Composed, compose, source_date_epoch
from .publish import sync_tree
from .render import body_pages, render_bodies

_state: dict[str, Any] = {"serving": False, "composed": None, "served": None, "staging": None, "bodies": None,
                          "body_paths": frozenset(), "code": serving.code_fingerprint(), "failure": None,
                          "error_page": None, "site_built": False}
# Under serve: "code" is the fingerprint of the code this process runs (a change restarts the
# server); "failure" (headline, problems) of the build under way, if it failed; "error_page" is
# what the server answers for every page meanwhile; "site_built" once a build has succeeded.
BACKGROUND_MIN_PAGES = 200
"""From this many HTML bodies on, they are rendered in a second process while MkDocs works
(not under ``serve``, whose sites are small and whose server runs threads)."""
log = logging.getLogger("mkdocs.plugins.briefing")
if "mkdocs.commands.serve" in sys.modules:
    # Loaded by `mkdocs serve`, which has made its temporary folder already: from now on, not only
    # from on_startup, SIGTERM must stop it the way that removes the folder.
    serving.stop_on_signals()


def on_startup(command: str, dirty: bool = False) -> None:
    """Remember whether this is ``mkdocs serve``, whose rebuilds must pick up code edits and
    survive errors; make SIGTERM stop it as Ctrl-C does, temporary folders removed."""
    _state["serving"] = command == "serve"
    if _state["serving"]:
        serving.stop_on_signals()
        # `mkdocs serve` builds by calling its module's `build`, the first time before it serves
        # (and before on_serve): guarded here, even a theme template's error at start is shown
        # as the error page instead of ending the server with a traceback.
        import mkdocs.commands.serve as mkdocs_serve

        if not getattr(mkdocs_serve.build, "briefing_guarded", False):
            mkdocs_serve.build = _guarded(mkdocs_serve.build)


def _guarded(run: Any) -> Any:
    """``run`` (a build) that reports what it raises, and serves the error page, instead."""

    def guarded(*args: Any, **kwargs: Any) -> None:
        _state["failure"] = None
        try:
            run(*args, **kwargs)
        except Exception as exc:
            log.debug("The build failed", exc_info=True)
            _fail("The build failed", describe_exception(exc))
            _show_failure()

    guarded.briefing_guarded = True  # type: ignore[attr-defined]
    return guarded


def settings_of(config: Any) -> dict[str, Any]:
    """The briefing's settings, as ``build.py`` puts them in ``config.extra['briefing']``."""
    settings = dict(config.extra.get("briefing") or {})
    root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
    settings.setdefault("seeds_dir", os.environ.get("BRIEFING_SEEDS") or str(root / "seeds"))
    settings.setdefault("templates_dir", os.environ.get("BRIEFING_TEMPLATES") or str(root / "templates"))
    settings.setdefault("root", str(root))
    return settings


def on_config(config: Any) -> Any:
    """Compose the pages, fix the build date from the inputs, and set the navigation.

    Under ``serve``, first restart the server if the code changed; and a build that cannot
    compose its pages goes on with none, to serve the page listing the problems instead."""
    settings = settings_of(config)
    composed: Composed | None = (config.extra.get("briefing") or {}).pop("composed", None)
    settings.pop("composed", None)
    _escape_config_values(config)
    if not _state["serving"]:
        try:  # `mkdocs build` empties its site_dir: only where a Briefing site, or nothing, is
            check_site_target(check_location(config.site_dir, Path(settings["root"])))
        except UnsafeTarget as exc:
            raise Abort(str(exc)) from None
    if _state["serving"]:
        serving.arm()  # inside the first build: MkDocs' clean-up (finally) is in place
        _build_beside_served_site(config)
        _state["failure"] = None
        broken_code = _restart_if_code_changed()
        if broken_code:
            return _failed_config(config, "The code in briefing/ does not import", broken_code)
    seeds_dir = Path(settings["seeds_dir"])
    root = Path(settings["root"])
    shown_root = root if seeds_dir.resolve().is_relative_to(root.resolve()) else seeds_dir.parent  # as `check`
    if composed is None:
        try:
            composed = compose(seeds_dir, Path(settings["templates_dir"]), root=shown_root, settings=settings)
        except SeedsInvalid as exc:
            if not _state["serving"]:
                raise Abort(f"The seeds have problems:\n{exc}") from None
            return _failed_config(config, "The seeds have problems", format_problems(exc.problems))
        except Exception as exc:  # a template (or the code) failed: its place, not a traceback
            if not _state["serving"]:
                raise
            log.debug("Composing the pages failed", exc_info=True)
            return _failed_config(config, "Composing the pages failed", describe_exception(exc, root))
    _state["composed"] = composed
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(composed))
    config.nav = composed.nav
    return config


PLAIN_CONFIG_VALUES = ("site_name", "site_description", "site_author", "copyright")
"""Values of mkdocs.yml that Material prints into pages as they are: made escaped text once."""


def _escape_config_values(config: Any) -> None:
    # Markup is a str that templates print as it is: escaped here, each value shows as written
    # wherever Material puts it, and `| e` in a template does not escape it twice.
    for name in PLAIN_CONFIG_VALUES:
        value = config.get(name)
        if isinstance(value, str) and not isinstance(value, Markup):
            config[name] = escape(value)


def _restart_if_code_changed() -> str | None:
    """Under serve: if the code in briefing/ changed since this process started, run the
    server again (does not return), unless the new code does not import: then what is wrong."""
    changed = serving.changed_code(_state["code"], serving.code_fingerprint())
    if not changed:
        return None
    problem = serving.check_code()
    if problem:
        return problem
    log.info(f"Briefing: {', '.join('briefing/' + name for name in changed)} changed; "
             "restarting the server with the new code")
    _remove_temporary_folders()
    serving.restart()
    return None  # not reached


def _fail(headline: str, problems: str) -> None:
    """Under serve: report what broke the build (once per build), as ``check`` would."""
    if _state["failure"] is not None:
        return
    _state["failure"] = (headline, problems)
    # Printed, not logged: an error logged would fail `serve --strict` for good.
    print(f"Briefing: {headline} (served in place of the site until a build succeeds):\n{problems}",
          file=sys.stderr, flush=True)


def _failed_config(config: Any, headline: str, problems: str) -> Any:
    _fail(headline, problems)
    _state["composed"] = None
    config.nav = []
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


def _remove_temporary_folders() -> None:
    """The staging folder, and MkDocs' own folder of the served site (before a restart, which
    runs no ``finally``)."""
    _stop_bodies()
    if _state["staging"] is not None:
        shutil.rmtree(_state["staging"], ignore_errors=True)
    served = _state["served"]
    # Only the temporary folder `mkdocs serve` made (mkdtemp, prefix mkdocs_), never a site elsewhere.
    if served is not None and Path(served).name.startswith("mkdocs_") and \
            Path(served).parent.resolve() == Path(tempfile.gettempdir()).resolve():
        shutil.rmtree(served, ignore_errors=True)


def on_shutdown() -> None:
    """Remove the staging folder when the server stops (MkDocs removes its own)."""
    _stop_bodies()
    if _state["staging"] is not None:
        shutil.rmtree(_state["staging"], ignore_errors=True)


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """Keep serving through failed rebuilds: whatever a rebuild raises (reading mkdocs.yml
    included) is reported and shown as the error page at every URL, where MkDocs would print a
    traceback and serve a stale site; the error page is answered while there is one. Also watch
    seeds and templates kept outside the project (``build.py serve --seeds …``)."""
    server.builder = _guarded(server.builder)
    server.set_app(serving.error_app(server.get_app(), server.mount_path, lambda: _state["error_page"]))
    settings = settings_of(config)
    for folder in (settings["seeds_dir"], settings["templates_dir"]):
        if Path(folder).is_dir():
            server.watch(folder)
    return server


def _show_failure() -> None:
    """Serve the error page of the failed build, and drop what it built."""
    headline, problems = _state["failure"]
    page = serving.error_page(headline, problems)
    _state["error_page"] = page
    staging = _state["staging"]
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging, exist_ok=True)
    served = _state["served"]
    if served is not None and not _state["site_built"]:
        # Nothing built yet: the folder itself holds the page (what `serve --no-livereload`,
        # which has no on_serve, serves). A built site stays for the next successful build to
        # update file by file; meanwhile the server answers the error page in its place.
        os.makedirs(served, exist_ok=True)
        for name in ("index.html", "404.html"):
            Path(served, name).write_bytes(page)


def _stop_bodies() -> None:
    if _state["bodies"] is not None:
        _state["bodies"].close()
        _state["bodies"] = None


def on_build_error(error: Exception) -> None:
    """Stop rendering bodies for a build that failed."""
    _stop_bodies()


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config: Any) -> None:
    """Mark a site built as Briefing's own (``output.SITE_MARKER``). Under ``serve``: put the
    changed files of the new build into the served folder, or, if the build failed, serve the
    page listing the problems in place of the site."""
    _stop_bodies()
    if not _state["serving"]:
        mark_site(Path(config.site_dir))
        return
    if _state["staging"] is None:
        return
    if _state["failure"] is not None:
        _show_failure()
        return
    _state["error_page"] = None
    touched = sync_tree(Path(_state["staging"]), Path(_state["served"]))
    _state["site_built"] = True
    pages = [p for p in touched if p.endswith(".html")]
    others = len(touched) - len(pages)
    listed = (": " + ", ".join(pages[:10]) + (" …" if len(pages) > 10 else "")) if pages else ""
    log.info(f"Briefing: {len(pages)} page{'s' * (len(pages) != 1)} rewritten{listed}; "
             f"{others} other file{'s' * (others != 1)}")


def on_files(files: Files, config: Any) -> Files:
    """Add the composed pages, and the Atom feeds that link to them, to the files MkDocs builds;
    start rendering the HTML bodies, in the order MkDocs will ask for them."""
    composed: Composed | None = _state["composed"]
    if composed is None:  # under serve, a build that failed: nothing to build but the error page
        _stop_bodies()
        _state["body_paths"] = frozenset()
        return Files([])
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
    """``template:line: error`` when a body template failed; the traceback for anything else
    (under serve: the place in the code instead)."""
    if _state["serving"]:
        return describe_traceback_text(exc.kind, str(exc), exc.details)
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
    if _state["failure"] is None:
        try:
            finished = bodies.get(page.file.src_uri)
        except BackgroundFailed as exc:
            if not _state["serving"]:
                raise Abort(_body_error(exc)) from None
            _fail("Rendering the pages failed", _body_error(exc))  # the build goes on, to serve the error page
    if _state["failure"] is not None:  # under serve: this build's pages are dropped; no anchor to check
        page.present_anchor_ids = None
        return html
    if finished is None:  # each body is handed out once: this page was converted twice
        raise Abort(f"{page.file.src_uri}: no HTML body left for this page (converted twice in one build?)")
    body, ids, headings = finished
    if page.present_anchor_ids is not None:
        page.present_anchor_ids.update(ids)
    _add_to_toc(page.toc, headings)
    return html + body
