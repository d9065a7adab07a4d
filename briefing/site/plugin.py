"""The ``briefing`` MkDocs plugin: run the stages, set the nav, add the generated pages.

``mkdocs build``, ``mkdocs serve`` and ``python build.py`` are three doors into this one path.
The plugin's options are typed (``settings.BriefingConfig``); ``build.py`` adds its command-line
flags as ``Overrides`` on the plugin instance; ``on_config`` makes the one ``Settings`` object
of the build from both, and everything downstream receives it (or values from it) explicitly.
The plugin keeps its data on its instance, which MkDocs keeps across the rebuilds of ``serve``
(a plugin with ``on_startup`` is cached).
"""

from __future__ import annotations

import atexit
import gc
import html
import logging
import os
import posixpath
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.commands import build as mkdocs_build
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import AnchorLink


from ..core.errors import SeedsInvalid, describe_exception, describe_traceback_text, format_problems
from ..editor.changes import GitError, read_base_seeds, resolve_base
from ..core.memo import Memo, file_signatures
from . import building, cache, incremental, serving
from .background import BackgroundFailed, Stream
from .feeds import render_feeds
from .output import UnsafeTarget, check_location, check_site_target, mark_site
from .pages import Composed, body_pages
from ..core.progress import SILENT
from .pipeline import compose
from .progress import Terminal
from .render import BodyLinkError, render_bodies, searched_part, unmarked
from .settings import BriefingConfig, Overrides, Preview, Settings, make_settings

BACKGROUND_MIN_PAGES = 200
"""From this many HTML bodies on, they are rendered in a second process while MkDocs works
(not under ``serve``, whose sites are small and whose server runs threads)."""
PLAIN_CONFIG_VALUES = ("site_name", "site_description", "site_author", "copyright")
"""Values of mkdocs.yml that Material prints into pages as they are: made escaped text once."""
log = logging.getLogger("mkdocs.plugins.briefing")
if "mkdocs.commands.serve" in sys.modules:
    # Loaded by `mkdocs serve`, which has made its temporary folder already: from now on, not only
    # from on_startup, SIGTERM must stop it the way that removes the folder.
    serving.stop_on_signals()


class SeedsAbort(Abort):
    """The seeds have problems: MkDocs prints the message; ``build.py`` prints ``problems``."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        super().__init__(f"The seeds have problems:\n{format_problems(problems)}")


def search_splits(site: Any, only: set[str] | None = None) -> dict[str, dict[str, list[tuple[str, str, str]]]]:
    """The finer search entries of article and topic pages (see ``BriefingPlugin._index_finely``);
    with ``only``, of those pages only."""
    splits: dict[str, dict[str, list[tuple[str, str, str]]]] = {}
    for page in site.articles:
        if only is not None and page.dest_path not in only:
            continue
        article = page.full_article
        splits[page.dest_path] = {page.TEXT_HEADING[0]: [
            (p.anchor, f"{article.title}, ¶{p.number}", p.text) for p in article.paragraphs]}
    for page in site.topics:
        if only is not None and page.dest_path not in only:
            continue
        splits[page.dest_path] = {g.citation.article.id: [
            (page.refs[v.key].anchor, f"{page.topic.title}: {g.citation.article.title}", v.anchored.text)
            for v in g.excerpts] for g in page.groups}
    return splits


class BriefingPlugin(BasePlugin[BriefingConfig]):
    """Compose the briefing from the seeds and build it with MkDocs and Material."""

    def __init__(self) -> None:
        self.overrides: Overrides | None = None
        """Set by ``build.py`` before building: its command-line flags."""
        self.settings: Settings | None = None
        self.composed: Composed | None = None
        """The pages of the build under way (None under serve when it failed)."""
        self.search_splits: dict[str, dict[str, list[tuple[str, str, str]]]] = {}
        """By page path: for a heading's id, the (anchor, title, text) entries search gets instead
        of the heading's one (an article's paragraphs, a topic's excerpts)."""
        self.serving = False
        self.code = serving.code_fingerprint()
        """The code this process runs: under serve, a change restarts the process."""
        self.served: str | None = None
        """Under serve: the folder MkDocs serves; builds go to ``staging`` beside it."""
        self.staging: str | None = None
        self.failure: tuple[str, str] | None = None
        """Under serve: (headline, problems) of the build under way, if it failed."""
        self.error_page: bytes | None = None
        """Under serve: what the server answers for every page while the last build failed."""
        self.site_built = False
        self.bodies: Stream | None = None
        self.body_paths: frozenset[str] = frozenset()
        self.body_data: dict[str, Any] = {}
        """By page: the page data its HTML body is rendered from (ids, headings)."""
        self.nav_pages: set[int] = set()
        """Ids of the pages in the navigation (``on_nav``)."""
        self.searched: dict[str, str] = {}
        """By page: what search parses of it, when not the whole page (``SEARCH_SKIP``)."""
        self.whole: dict[str, str] = {}
        """By page: its whole content while search parses the rest."""
        self.timings: dict[str, float] | None = None
        """When a dict (benchmarks): the seconds spent in each stage are added to it."""
        self.page_builds: building.PageBuilds | None = None
        """How this build's pages are built (``site/building.py``)."""
        self.steps: Terminal | None = None
        """The stages and counts of this build on the terminal, when it shows them."""
        self.memo: Memo | None = None
        """Under serve: what unchanged seed files gave, kept from one build to the next."""
        self.retained: incremental.Retained | None = None
        """Under serve: the last build, as MkDocs left it, when an edit can update it in place."""
        self.made: dict[str, Any] = {}
        """What this build made that ``retained`` keeps: the configuration, files, navigation …"""

    # --- configuration ---------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is ``mkdocs serve``, whose rebuilds must pick up code edits and
        survive errors; make SIGTERM stop it as Ctrl-C does, temporary folders removed."""
        self.serving = command == "serve"
        if self.serving:
            self.memo = Memo()
            serving.stop_on_signals()
            # `mkdocs serve` builds by calling its module's `build`, the first time before it
            # serves (and before on_serve): guarded here, even a theme template's error at start
            # is shown as the error page instead of ending the server with a traceback.
            import mkdocs.commands.serve as mkdocs_serve

            if not getattr(mkdocs_serve.build, "briefing_guarded", False):
                mkdocs_serve.build = self._guarded(mkdocs_serve.build)

    @event_priority(100)  # before Material's offline plugin reads whether it is enabled
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Make the build's settings, compose the pages, fix the build date, set the navigation.

        Under ``serve``, first restart the server if the code changed; and a build that cannot
        compose its pages goes on with none, to serve the page listing the problems instead."""
        root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        settings = self.settings = make_settings(
            root, self.config, self.overrides, site_name=config.site_name, site_url=config.site_url,
            serving=self.serving, preview=self._configured_preview(root))
        _escape_config_values(config)
        if settings.offline:
            offline = config.plugins.get("material/offline")
            if offline is not None:
                offline.config.enabled = True
        if not self.serving:
            try:  # `mkdocs build` empties its site_dir: only where a Briefing site, or nothing, is
                check_site_target(check_location(config.site_dir, root))
            except UnsafeTarget as exc:
                raise Abort(str(exc)) from None
        else:
            self._build_beside_served_site(config)
            serving.arm()  # inside the first build, staging folder known: every clean-up is in place
            self.failure = None
            broken_code = self._restart_if_code_changed()
            if broken_code:
                return self._failed_config(config, "The code in briefing/ does not import", broken_code)
        if self.serving:  # before anything is read: an edit while it builds is one the next build sees
            self.made = {"config": config, "inputs": self._input_signatures(config)}
        try:
            self.composed = self._compose(settings)
            self.search_splits = search_splits(self.composed.site)
        except SeedsInvalid as exc:
            if not self.serving:
                raise SeedsAbort(exc.problems) from None
            return self._failed_config(config, "The seeds have problems", format_problems(exc.problems))
        except Exception as exc:  # a template (or the code) failed: its place, not a traceback
            if not self.serving:
                raise
            log.debug("Composing the pages failed", exc_info=True)
            return self._failed_config(config, "Composing the pages failed", describe_exception(exc, root))
        config.nav = self.composed.nav
        self._start_cache(root)
        return config

    def _start_cache(self, root: Path) -> None:
        """Build the pages through the page cache (unless ``--no-cache``), on two cores (not under
        ``serve``), counted on the terminal (``site/building.py``); MkDocs builds them itself when
        it is not the version whose page building is wrapped."""
        self._end_cache(keep=False)
        if not building.supported():
            return
        store = cache.PageCache(self.settings.cache_dir or cache.cache_dir(root)) if self.settings.cache else None
        self.page_builds = building.PageBuilds(store, settings=self.settings, build_epoch=self.composed.build_epoch,
                                               steps=self.steps, parallel=not self.serving and (os.cpu_count() or 1) > 1,
                                               attach=self.attach_body)
        building.activate(self.page_builds)

    def _end_cache(self, keep: bool) -> None:
        """Stop building through ``page_builds``; with ``keep``, store what this build made."""
        builds, self.page_builds = self.page_builds, None
        building.activate(None)
        if builds is None:
            return
        builds.abort()
        if builds.store is not None:
            if keep:
                builds.store.commit()
                if self.serving or builds.hits:
                    log.info(f"Briefing: {builds.hits} page{'s' * (builds.hits != 1)} from the cache, "
                             f"{builds.built} built")
            builds.store.close()

    def _configured_preview(self, root: Path) -> Preview | None:
        """A preview configured in mkdocs.yml (``build.py preview`` resolves its own)."""
        options = self.config.preview
        if options.pr is None or (self.overrides and self.overrides.preview):
            return None
        try:
            name, commit, repository = resolve_base((root / self.config.seeds).resolve(), options.base_ref)
        except GitError as exc:
            raise Abort(f"cannot read the base of the preview: {exc}") from None
        return Preview(pr=options.pr, base_commit=commit, base_name=f"{name} ({commit[:12]})",
                       published_url=options.published_url or "", repository=repository)

    def _compose(self, settings: Settings) -> Composed:
        base = None
        if settings.preview is not None:
            preview = settings.preview
            base = (read_base_seeds(preview.repository, settings.seeds_dir, preview.base_commit), preview.base_name)
        self.steps = Terminal() if settings.progress else None
        return compose(settings.seeds_dir, settings.templates_dir, root=settings.shown_root,
                       reviewed_only=settings.reviewed_only, site_name=settings.site_name, base=base,
                       timings=self.timings, steps=self.steps or SILENT, memo=self.memo)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Give the theme's templates the build's settings, as ``briefing``. Every page has been
        read by now: what that made lives to the end of the build, so it is moved out of the
        cyclic collector's sight (``gc.freeze``), as the stages' data is (``pipeline``); the
        collections while pages are built then scan only what building them makes."""
        env.globals["briefing"] = self.settings
        env.globals["briefing_nav_memo"] = {}  # the theme's main.html: one navigation per depth, per build
        self.made["env"] = env
        gc.freeze()
        return env

    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Note the pages in the navigation: every other page has the same one at its depth."""
        self.nav_pages = {id(p) for p in nav.pages}
        self.made["nav"] = nav
        return nav

    # --- files and pages -------------------------------------------------------------------

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add the composed pages, and the Atom feeds that link to them, to the files MkDocs
        builds; start rendering the HTML bodies, in the order MkDocs will ask for them."""
        composed = self.composed
        if composed is None:  # under serve, a build that failed: nothing to build but the error page
            self._stop_bodies()
            self.body_paths = frozenset()
            return Files([])
        pages = body_pages(composed.site, composed.changes)
        urls = {}
        # MkDocs reads pages in this order: those with a body last, so that the background
        # process has a head start on the bodies while MkDocs converts the others.
        for dest_path in sorted(composed.pages, key=pages.__contains__):
            existing = files.get_file_from_path(dest_path)
            if existing is not None:
                files.remove(existing)
            generated = File.generated(config, dest_path, content=composed.pages[dest_path])
            files.append(generated)
            urls[dest_path] = generated.url
        page_urls = dict(urls)
        feeds = render_feeds(composed.site, page_urls, config.site_url or "")
        for path, xml in feeds.items():
            feed = File.generated(config, path, content=xml)
            files.append(feed)
            urls[path] = feed.url  # bodies link to the feeds too
        self.retained = None  # a whole build: what it makes replaces all the last one left
        self.made.update(files=files, page_urls=page_urls, urls=urls, feeds=feeds)
        self._stop_bodies()
        self.searched, self.whole = {}, {}
        order = [f.src_uri for f in files.documentation_pages() if f.src_uri in pages]
        templates_dir = self.settings.templates_dir
        split = frozenset(self.search_splits)
        self.bodies = Stream(lambda: _finished_bodies(pages, order, urls, templates_dir, split),
                             fork=len(order) >= BACKGROUND_MIN_PAGES and not self.serving)
        self.body_paths = frozenset(order)
        self.body_data = pages
        if self.page_builds is not None:
            self.page_builds.bodies = self.body_paths
        return files

    # --- the build's fixed date ---------------------------------------------------------------
    # MkDocs stamps each page (sitemap ``lastmod``, the sitemap's gzip header) and the templates'
    # ``build_date_utc`` with today, unless SOURCE_DATE_EPOCH is set in the environment. The
    # composed build date is given to each page and template instead: nothing goes through the
    # environment, and a build is byte-identical whatever the day it runs.

    def on_pre_page(self, page: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self.composed is not None:
            page.update_date = self._build_datetime().strftime("%Y-%m-%d")
        return page

    @event_priority(100)  # before the search plugin indexes the page
    def _before_search(self, context: Any, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        """Search parses an article page without the text it gets from the page's data
        (``render.SEARCH_SKIP``); the page itself is rendered whole (``_after_search``)."""
        context["briefing_nav_key"] = self._nav_key(page)
        searched = self.searched.pop(page.file.src_uri, None)
        if searched is not None:
            self.whole[page.file.src_uri] = page.content
            page.content = searched
        return context

    def _nav_key(self, page: Any) -> str | None:
        """What the page's navigation is the same for (the theme renders it once per key): its
        folder, for a page not in the navigation (links are relative, no item is active)."""
        return None if id(page) in self.nav_pages else "in " + posixpath.dirname(page.url.rstrip("/"))

    @event_priority(-50)  # after the search plugin has indexed the page
    def _after_search(self, context: Any, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        whole = self.whole.pop(page.file.src_uri, None)
        if whole is not None:
            page.content = whole
        self._index_finely(page, config)
        return self._dated(context)

    on_page_context = CombinedEvent(_before_search, _after_search)

    def _index_finely(self, page: Any, config: MkDocsConfig) -> None:
        """Search finds an article's text paragraph by paragraph, and a topic's evidence excerpt
        by excerpt: Material makes one entry per heading (the whole text; a whole source's
        excerpts), which becomes one entry per paragraph or excerpt, linking to it."""
        search = config.plugins.get("material/search") or config.plugins.get("search")
        entries = getattr(getattr(search, "search_index", None), "entries", None)
        splits = self.search_splits.get(page.file.src_uri)
        if not isinstance(entries, list) or not splits:
            return
        index = len(entries) - 1
        while index >= 0 and entries[index].get("location", "").startswith(page.url):  # this page's, the last added
            entry = entries[index]
            parts = splits.get(entry["location"][len(page.url) + 1:]) if "#" in entry["location"] else None
            if parts:
                entries[index:index + 1] = [{**entry, "location": f"{page.url}#{anchor}", "title": title,
                                             "text": html.escape(text, quote=False)} for anchor, title, text in parts]
            index -= 1

    def on_template_context(self, context: Any, *, template_name: str, config: MkDocsConfig) -> Any:
        """Static templates: the build date; and the offline bundle's 404 page, which sits at the
        root, links relatively (MkDocs makes its links absolute, which file:// cannot follow)."""
        if template_name == "404.html" and self.settings is not None and self.settings.offline:
            context["base_url"] = "."
        return self._dated(context)

    def _dated(self, context: Any) -> Any:
        if self.composed is not None:
            context["build_date_utc"] = self._build_datetime()
        return context

    def _build_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.composed.build_epoch, timezone.utc)

    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """Make the ids and headings of the page's HTML body known to MkDocs (from the page's
        data); append the body itself, unless the page builder does, when it builds the page
        (``attach_body``): then no page holds its body longer than it takes to build it."""
        if self.bodies is None or page.file.src_uri not in self.body_paths:
            return html
        data = self.body_data[page.file.src_uri]
        if page.present_anchor_ids is not None:
            page.present_anchor_ids.update(data.anchor_ids)
        _add_to_toc(page.toc, [(level, anchor, str(escape(title))) for level, anchor, title in data.headings])
        if self.page_builds is not None:
            return html
        self.attach_body(page, html)
        return page.content

    def attach_body(self, page: Any, html: str | None = None) -> None:
        """Put the page's HTML body after its content (``html``, else ``page.content``)."""
        path = page.file.src_uri
        html = page.content if html is None else html
        page.content = html
        if self.bodies is None or path not in self.body_paths:
            return
        finished = None
        if self.failure is None:
            try:
                finished = self.bodies.get(path)
            except BackgroundFailed as exc:  # `template:line: Kind: message`, as in the templates' own errors
                problem = describe_traceback_text(exc.kind, str(exc), exc.details)
                if not self.serving:
                    raise Abort(problem) from None
                self._fail("Rendering the pages failed", problem)
        if self.failure is not None:  # under serve: this build's pages are dropped; no anchor to check
            page.present_anchor_ids = None
            return
        if finished is None:  # each body is handed out once: this page was converted twice
            raise Abort(f"{path}: no HTML body left for this page (built twice in one build?)")
        body, searched = finished
        if searched is not None:
            self.searched[path] = html + searched
        page.content = html + body

    # --- the end of a build ----------------------------------------------------------------

    @event_priority(-100)  # after every other plugin: the page as it is written
    def on_post_page(self, output: str, *, page: Any, config: MkDocsConfig) -> str:
        """Hand the page MkDocs is about to write to the page cache, if this build has one."""
        if self.page_builds is not None:
            self.page_builds.output = output
        return output

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Mark a site built as Briefing's own (``output.SITE_MARKER``). Under ``serve``: put the
        changed files of the new build into the served folder, or, if the build failed, serve the
        page listing the problems in place of the site."""
        self._stop_bodies()
        entries = self.page_builds.entries_by_page() if self.page_builds is not None else None
        self._end_cache(keep=self.failure is None)
        if not self.serving:
            mark_site(Path(config.site_dir))
            return
        if self.staging is None:
            return
        if self.failure is not None:
            self._show_failure()
            return
        self.error_page = None
        touched = serving.sync_tree(Path(self.staging), Path(self.served))
        self.site_built = True
        self._report(touched)
        self._retain(config, entries)

    def _report(self, touched: list[str]) -> None:
        pages = [p for p in touched if p.endswith(".html")]
        others = len(touched) - len(pages)
        listed = (": " + ", ".join(pages[:10]) + (" …" if len(pages) > 10 else "")) if pages else ""
        log.info(f"Briefing: {len(pages)} page{'s' * (len(pages) != 1)} rewritten{listed}; "
                 f"{others} other file{'s' * (others != 1)}")

    def on_build_error(self, *, error: Exception) -> None:
        """Stop rendering bodies for a build that failed; keep nothing of it in the cache."""
        self._stop_bodies()
        self._end_cache(keep=False)

    def _stop_bodies(self) -> None:
        if self.bodies is not None:
            self.bodies.close()
            self.bodies = None

    # --- serve: an edit to articles updates the site in place (``site/incremental.py``) ------

    def _input_signatures(self, config: MkDocsConfig) -> dict[str, tuple]:
        """What a build reads besides the articles (and the code, which restarts the server)."""
        settings = self.settings
        paths = [Path(config.config_file_path), Path(config.docs_dir), settings.templates_dir, settings.seeds_dir,
                 *(Path(d) for d in config.theme.dirs if not cache.installed(Path(d))), *(Path(w) for w in config.watch)]
        return file_signatures([p for p in paths if p.resolve() != serving.CODE_DIR], skip=settings.seeds_dir / "articles")

    def _retain(self, config: MkDocsConfig, entries: dict[str, list] | None) -> None:
        """Keep the build that just succeeded, to update in place, when it can be."""
        made, settings = self.made, self.settings
        search = config.plugins.get("material/search") or config.plugins.get("search")
        search_config = incremental.search_settings(search)
        if (self.composed is None or settings is None or not {"nav", "env", "files"} <= made.keys()
                or made.get("config") is not config or config.strict or settings.offline
                or settings.preview is not None or (search_config is not None and entries is None)):
            return
        if search_config is not None:
            search.search_index.entries = []  # the retained build keeps them, by page, as JSON
        entries = entries or {}
        as_json = {path: incremental.entries_json(entries.pop(path)) for path in list(entries)}  # one form at a time
        self.retained = incremental.Retained(
            config=config, files=made["files"], nav=made["nav"], env=made["env"], composed=self.composed,
            page_urls=made["page_urls"], urls=made["urls"], feeds=made["feeds"], inputs=made["inputs"],
            entries=as_json, search_config=search_config)

    def _update_in_place(self) -> bool:
        """Under serve, when only articles changed since the last build: update the pages they
        change, where they are (``site/incremental.py``). False: the whole build is needed."""
        last = self.retained
        if last is None or self.settings is None or self.served is None or self.staging is None:
            return False
        if serving.changed_code(self.code, serving.code_fingerprint()):
            return False
        if self._input_signatures(last.config) != last.inputs:
            return False
        self.failure = None
        try:
            return self._update(last)
        except Exception:  # the whole build follows, and reports what is wrong
            log.debug("Updating the site in place failed; building it whole", exc_info=True)
            self.retained = None
            self._stop_bodies()
            self._end_cache(keep=False)
            return False

    def _update(self, last: incremental.Retained) -> bool:
        settings, config, files = self.settings, last.config, last.files
        try:
            composed = self._compose(settings)
        except SeedsInvalid as exc:
            self._fail("The seeds have problems", format_problems(exc.problems))
            self._show_failure()
            return True
        changed = incremental.changed_pages(last.composed, composed)
        if changed is None or "tags.md" in changed:  # Material fills the tags index in whole builds only
            return False
        pages = [getattr(files.get_file_from_path(path), "page", None) for path in changed]
        if any(page is None for page in pages):
            return False
        # From here on the retained pages change: if this fails, the whole build follows.
        self.retained = None
        self.composed = composed
        self.search_splits = search_splits(composed.site, only=set(changed))
        body = body_pages(composed.site, composed.changes)
        order = [path for path in changed if path in body]
        self._stop_bodies()
        self.searched, self.whole = {}, {}
        templates_dir, split, urls = settings.templates_dir, frozenset(self.search_splits), last.urls
        self.bodies = Stream(lambda: _finished_bodies(body, order, urls, templates_dir, split), fork=False)
        self.body_paths, self.body_data = frozenset(order), body
        self._start_cache(settings.root)
        if self.page_builds is None:
            return False
        self.page_builds.bodies = self.body_paths
        for page, path in zip(pages, changed):
            title, meta = page.title, dict(page.meta)
            page.file.content_string = composed.pages[path]
            mkdocs_build._populate_page(page, config, files)
            if page.meta != meta or page.title != title:
                self._stop_bodies()
                self._end_cache(keep=False)
                return False  # tags or a title changed: the navigation or the tags index shows them
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        entries = self.page_builds.build_only(pages, config, doc_files, last.nav, last.env)
        self._stop_bodies()
        if self.failure is not None:  # a body's template failed
            self._end_cache(keep=False)
            self._show_failure()
            return True
        for page in pages:
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        feeds = render_feeds(composed.site, dict(last.page_urls), config.site_url or "")
        staging, served = Path(self.staging), Path(self.served)
        written = [page.file.dest_uri for page in pages]
        for path, xml in feeds.items():
            if xml != last.feeds.get(path):
                incremental.write_file(xml.encode("utf-8"), staging / path)
                written.append(path)
        for path, found in entries.items():
            last.set_entries(path, found)
        if last.search_config is not None:
            incremental.write_file(last.search_index_json(), staging / incremental.SEARCH_INDEX)
            written.append(incremental.SEARCH_INDEX)
        self._end_cache(keep=True)
        touched = serving.move_changed(staging, served, written)
        last.composed, last.feeds = composed, feeds
        self.retained = last
        self.error_page = None
        self.site_built = True
        self._report(touched)
        return True

    # --- serve -----------------------------------------------------------------------------

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """Keep serving through failed rebuilds: whatever a rebuild raises (reading mkdocs.yml
        included) is reported and shown as the error page at every URL, where MkDocs would print
        a traceback and serve a stale site; the error page is answered while there is one. Also
        watch seeds and templates kept outside the project (``build.py serve --seeds …``)."""
        server.builder = self._guarded(server.builder)
        server.set_app(serving.error_app(server.get_app(), server.mount_path, lambda: self.error_page))
        if self.settings is not None:
            for folder in (self.settings.seeds_dir, self.settings.templates_dir):
                if folder.is_dir():
                    server.watch(str(folder))
        return server

    def on_shutdown(self) -> None:
        """Remove the staging folder when the server stops (MkDocs removes its own)."""
        self._stop_bodies()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _guarded(self, run: Any) -> Any:
        """``run`` (a build) that reports what it raises, and serves the error page, instead."""

        def guarded(*args: Any, **kwargs: Any) -> None:
            if not args and not kwargs and self._update_in_place():
                return
            self.failure = None
            try:
                run(*args, **kwargs)
            except Exception as exc:
                log.debug("The build failed", exc_info=True)
                self._fail("The build failed", describe_exception(exc))
                self._show_failure()

        guarded.briefing_guarded = True  # type: ignore[attr-defined]
        return guarded

    def _restart_if_code_changed(self) -> str | None:
        """Under serve: if the code in briefing/ changed since this process started, run the
        server again (does not return), unless the new code does not import: then what is wrong."""
        changed = serving.changed_code(self.code, serving.code_fingerprint())
        if not changed:
            return None
        problem = serving.check_code()
        if problem:
            return problem
        log.info(f"Briefing: {', '.join('briefing/' + name for name in changed)} changed; "
                 "restarting the server with the new code")
        self._remove_temporary_folders()
        serving.restart()
        return None  # not reached

    def _fail(self, headline: str, problems: str) -> None:
        """Under serve: report what broke the build (once per build), as ``check`` would."""
        if self.failure is not None:
            return
        self.failure = (headline, problems)
        # Printed, not logged: an error logged would fail `serve --strict` for good.
        print(f"Briefing: {headline} (served in place of the site until a build succeeds):\n{problems}",
              file=sys.stderr, flush=True)

    def _failed_config(self, config: MkDocsConfig, headline: str, problems: str) -> MkDocsConfig:
        self._end_cache(keep=False)
        self._fail(headline, problems)
        self.composed = None
        self.search_splits = {}
        config.nav = []
        return config

    def _build_beside_served_site(self, config: MkDocsConfig) -> None:
        # `mkdocs serve` empties its folder and rewrites every file on each rebuild. Build into a
        # staging folder instead; on_post_build moves over only the files whose bytes changed, so
        # an edit rewrites only the pages it changes (and a failed build leaves the last good site).
        if self.served is None:
            self.served = config.site_dir
            with serving.signals_held():  # a stop now would leave the folder made but not known
                self.staging = tempfile.mkdtemp(prefix="briefing-serve-")
                atexit.register(shutil.rmtree, self.staging, True)
        config.site_dir = self.staging

    def _remove_temporary_folders(self) -> None:
        """The staging folder, and MkDocs' own folder of the served site (before a restart, which
        runs no ``finally``)."""
        self._stop_bodies()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
        served = self.served
        # Only the temporary folder `mkdocs serve` made (mkdtemp, prefix mkdocs_), never a site elsewhere.
        if served is not None and Path(served).name.startswith("mkdocs_") and \
                Path(served).parent.resolve() == Path(tempfile.gettempdir()).resolve():
            shutil.rmtree(served, ignore_errors=True)

    def _show_failure(self) -> None:
        """Serve the error page of the failed build, and drop what it built."""
        headline, problems = self.failure
        page = serving.error_page(headline, problems)
        self.error_page = page
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            os.makedirs(self.staging, exist_ok=True)
        if self.served is not None and not self.site_built:
            # Nothing built yet: the folder itself holds the page (what `serve --no-livereload`,
            # which has no on_serve, serves). A built site stays for the next successful build to
            # update file by file; meanwhile the server answers the error page in its place.
            os.makedirs(self.served, exist_ok=True)
            for name in ("index.html", "404.html"):
                Path(self.served, name).write_bytes(page)


def _escape_config_values(config: MkDocsConfig) -> None:
    # Markup is a str that templates print as it is: escaped here, each value shows as written
    # wherever Material puts it, and `| e` in a template does not escape it twice.
    for name in PLAIN_CONFIG_VALUES:
        value = config.get(name)
        if isinstance(value, str) and not isinstance(value, Markup):
            config[name] = escape(value)


def _finished_bodies(pages: dict[str, Any], order: list[str], urls: dict[str, str], templates_dir: Path,
                     split: frozenset[str] = frozenset()):
    """(path, (HTML with its links made URLs, what search parses)) of each body. For the pages in
    ``split``, search parses the body without what ``render.SEARCH_SKIP`` marks (None: the body
    itself). Runs in the background process when there is one: plain data only goes back."""
    try:
        for path, marked in render_bodies(pages, templates_dir, order, urls, marked=True):
            page = pages[path]
            yield path, (unmarked(marked), searched_part(marked) if path in split else None)
    except BodyLinkError as exc:
        raise Abort(str(exc)) from None


def _add_to_toc(toc: Any, headings: list[tuple[int, str, str]]) -> None:
    """List a body's h2 and h3 headings in the page's table of contents, under its title."""
    top = toc.items[0].children if toc.items and toc.items[0].level == 1 else toc.items
    under_h2 = None
    for level, anchor, title in headings:
        link = AnchorLink(title, anchor, level)
        (under_h2 if level == 3 and under_h2 is not None else top).append(link)
        if level == 2:
            under_h2 = link.children
