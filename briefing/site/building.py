"""MkDocs' building of the pages: through the page cache, on two cores, counted on a terminal.

After reading every page, MkDocs builds them one by one (``mkdocs.commands.build._build_page``):
it renders Material's ``main.html`` around the page, the search plugin parses the page for the
index, and the page is written. MkDocs has no event to take over that step, so ``activate`` wraps
the function (MkDocs is pinned at 1.6.1; with another version nothing is wrapped and MkDocs builds
every page itself). The wrapper hands each page to the active ``PageBuilds``, which

- writes the page's stored bytes and search entries when the page cache has its key
  (``site/cache.py``), and builds it otherwise, storing the result;
- from ``PARALLEL_MIN_PAGES`` pages on (not under ``serve``), builds every other page in a
  forked second process, on the other core; the second process writes its pages itself and
  sends back their search entries, which go into the index in page order, and the warnings
  it logged, which count in the build's own (``--strict``). The site is byte-identical to one
  built page after page;
- counts the pages on the terminal (``site/progress.py``).

While a build is active, MkDocs' reading of the pages also converts their Markdown with one
converter, reset between pages (``_PooledMarkdown``), rather than making one per page.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import tempfile
import traceback
from dataclasses import dataclass, field
from typing import Any

import markdown
import mkdocs
from mkdocs import utils as mkdocs_utils
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.commands import build as mkdocs_build
from mkdocs.exceptions import Abort

from .cache import PageCache, Spool, page_key, site_fingerprint

SUPPORTED_MKDOCS = "1.6.1"
PARALLEL_MIN_PAGES = 200
"""From this many pages on, a second process builds every other page."""
_ORIGINAL_BUILD_PAGE = mkdocs_build._build_page
_active: PageBuilds | None = None


class _Warnings(logging.Handler):
    """The warnings and errors the second process logs, to be logged again by the first."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


@dataclass
class PageBuilds:
    """One build's pages: through the cache when it has one (``store``), in two processes when
    ``parallel``, counted on ``steps`` (a ``progress.Terminal``) when given."""

    store: PageCache | None
    settings: Any
    build_epoch: int
    steps: Any = None
    parallel: bool = False
    attach: Any = None
    """Puts a page's HTML body in its content (``BriefingPlugin.attach_body``), just before it is built."""
    bodies: frozenset[str] = frozenset()
    """The pages with an HTML body (set when MkDocs has its files): their content is let go once
    they are written."""
    hits: int = 0
    built: int = 0
    output: str | None = field(default=None, repr=False)
    """The page MkDocs built last, as its plugins left it (``BriefingPlugin.on_post_page``)."""
    bar: Any = field(default=None, repr=False)
    _cache: Any = field(default=None, repr=False)
    _shared: str | None = None
    _entries: list | None = None
    _prefix: list = field(default_factory=list, repr=False)
    _pages: dict[int, int] = field(default_factory=dict, repr=False)
    _paths: list[str] = field(default_factory=list, repr=False)
    _page_entries: dict[int, list] = field(default_factory=dict, repr=False)
    _count: int = 0
    _child: int | None = None
    _results: Any = field(default=None, repr=False)
    _spool: Any = field(default=None, repr=False)
    _done: Any = field(default=None, repr=False)

    # --- one page ---------------------------------------------------------------------------

    def build_page(self, page: Any, config: Any, doc_files: Any, nav: Any, env: Any, excluded: bool) -> None:
        if self._count == 0:
            self._start(config, doc_files, nav, env)
        index = self._pages[id(page)]
        self._count += 1
        if self._child is None or index % 2 == 0:
            self._page_entries[index] = self._build(page, config, doc_files, nav, env, excluded)
        self._show()
        if self._count == len(self._pages):
            self._finish()

    def _build(self, page: Any, config: Any, doc_files: Any, nav: Any, env: Any, excluded: bool) -> list:
        """Build a page with its HTML body, which is let go afterwards; its search entries."""
        if self.attach is not None:
            self.attach(page)
        try:
            return self._build_one(page, config, doc_files, nav, env, excluded)
        finally:
            if page.file.src_uri in self.bodies:
                page.content = None  # written: the body is not needed again

    def _build_one(self, page: Any, config: Any, doc_files: Any, nav: Any, env: Any, excluded: bool) -> list:
        """Build a page, or write it from the cache; its search entries."""
        entries = self._entries
        key = None
        if self._cache is not None and not excluded:
            key = page_key(self._shared, page)
            found = self._cache.get(key)
            if found is not None:
                html, cached = found
                if html:
                    mkdocs_utils.write_file(html, page.file.abs_dest_path)
                if entries is not None:
                    entries.extend(cached)
                self.hits += 1
                return cached
        before = len(entries) if entries is not None else 0
        self.output = None
        _ORIGINAL_BUILD_PAGE(page, config, doc_files, nav, env, False, excluded)
        mine = [dict(e) for e in entries[before:]] if entries is not None else []
        if key is not None:
            output = self.output or ""
            self._cache.put(key, output.encode("utf-8", errors="xmlcharrefreplace") if output.strip() else b"", mine)
        self.built += 1
        return mine

    def build_only(self, pages: list, config: Any, doc_files: Any, nav: Any, env: Any) -> dict[str, list]:
        """Build just ``pages``, one after the other (an update in place under ``serve``,
        ``site/incremental.py``): their search entries, by path."""
        self._setup(config, nav)
        found = {}
        for page in pages:
            if self._entries is not None:
                del self._entries[:]
            found[page.file.src_uri] = self._build(page, config, doc_files, nav, env, False)
        return found

    def entries_by_page(self) -> dict[str, list] | None:
        """After a whole build, not in two processes: each page's search entries, by path, in
        the order built; None without a search index, or with entries that are no page's."""
        if self._entries is None or self._prefix or self._child is not None:
            return None
        return {self._paths[i]: self._page_entries.get(i, []) for i in range(len(self._paths))}

    # --- the build's pages --------------------------------------------------------------------

    def _setup(self, config: Any, nav: Any) -> None:
        """The search index's entries, and the cache with the key part all pages share."""
        search = config.plugins.get("material/search") or config.plugins.get("search")
        index = getattr(search, "search_index", None) if getattr(search, "config", {}).get("enabled", True) else None
        self._entries = index.entries if index is not None else None
        self._prefix = list(self._entries or [])
        if self.store is not None and self.store.db is not None:
            self._cache = self.store
            self._shared = site_fingerprint(config, nav, self.settings, self.build_epoch)

    def _start(self, config: Any, doc_files: Any, nav: Any, env: Any) -> None:
        self._pages = {id(f.page): i for i, f in enumerate(doc_files)}
        self._paths = [f.src_uri for f in doc_files]
        self._setup(config, nav)
        if self.steps is not None:
            self.bar = self.steps.bar("building pages", len(self._pages))
        if self.parallel and len(self._pages) >= PARALLEL_MIN_PAGES:
            self._fork(config, doc_files, nav, env)

    def _fork(self, config: Any, doc_files: Any, nav: Any, env: Any) -> None:
        """Start the second process: it builds the pages of odd index, then writes back their
        search entries, what it used of the cache, its warnings; its new cache pages go to a spool."""
        self._results = tempfile.TemporaryFile()  # both made before the fork: both processes have them open
        self._spool = tempfile.TemporaryFile() if self._cache is not None else None
        self._done = multiprocessing.Value("i", 0, lock=False)  # shared memory: the pages it built
        pid = os.fork()
        if pid:
            self._child = pid
            return
        status = 0
        try:  # the second process: never returns
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            warnings = _Warnings()
            for name in ("mkdocs", "material"):  # its warnings are printed (and counted) by the first
                logging.getLogger(name).handlers[:] = [warnings]
            spool = self._cache = Spool(self._cache, self._spool) if self._cache is not None else None
            self.bar = None
            found: dict[int, list] = {}
            for i, file in enumerate(doc_files):
                if i % 2 == 1:
                    found[i] = self._build(file.page, config, doc_files, nav, env, file.inclusion.is_excluded())
                    self._done.value += 1
            if spool is not None:
                spool.file.flush()
            pickle.dump(("done", found, self.hits, self.built, spool.used if spool else set(), warnings.records),
                        self._results)
        except BaseException as exc:  # noqa: BLE001 — reported to the first process, which fails the build
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            pickle.dump(("failed", f"{detail}\n{traceback.format_exc(limit=-3)}"), self._results)
            status = 1
        finally:
            self._results.flush()
            os._exit(status)

    def _finish(self) -> None:
        """After the last page: take the second process's pages in, in page order."""
        if self._child is None:
            self._close_bar()
            return
        _, status = os.waitpid(self._child, 0)
        self._child = None
        self._results.seek(0)
        try:
            result = pickle.load(self._results)
        except Exception:  # noqa: BLE001 — it died before writing
            raise Abort(f"the second process building pages stopped (status {status})") from None
        if result[0] == "failed":
            raise Abort(f"building pages failed: {result[1]}")
        _, found, hits, built, used, warnings = result
        self._page_entries.update(found)
        self.hits += hits
        self.built += built
        if self._entries is not None:
            self._entries[:] = self._prefix + [e for i in range(len(self._pages)) for e in self._page_entries[i]]
        if self._cache is not None:
            self._cache.used |= used
            for key, html, entries in Spool.records(self._spool):
                self._cache.put_packed(key, html, entries)
        for name, level, message in warnings:
            logging.getLogger(name).log(level, message)
        self._close_bar()

    def _show(self) -> None:
        if self.bar is None:
            return
        done = self.hits + self.built + (self._done.value if self._child is not None else 0)
        self.bar.n = min(done, len(self._pages))
        if self.hits:
            self.bar.set_postfix_str(f"{self.hits} from the cache", refresh=False)
        self.bar.refresh()

    def _close_bar(self) -> None:
        if self.bar is not None:
            self.bar.n = len(self._pages)
            if self.hits:
                self.bar.set_postfix_str(f"{self.hits} from the cache", refresh=False)
            self.bar.close()
            self.bar = None

    def abort(self) -> None:
        """The build failed: stop the second process, if there is one."""
        if self._child is not None:
            try:
                os.kill(self._child, signal.SIGKILL)
                os.waitpid(self._child, 0)
            except OSError:
                pass
            self._child = None
        self._close_bar()


def _build_page(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool = False,
                excluded: bool = False) -> None:
    """``mkdocs.commands.build._build_page``, through the active ``PageBuilds`` if there is one."""
    builds = _active
    if builds is None or dirty:
        return _ORIGINAL_BUILD_PAGE(page, config, doc_files, nav, env, dirty, excluded)
    return builds.build_page(page, config, doc_files, nav, env, excluded)


class _PooledMarkdown:
    """Stands for the ``markdown`` module in ``mkdocs.structure.pages`` during a build:
    ``Markdown(...)``, which MkDocs calls for every page, gives one instance per configuration,
    reset (``Markdown.reset``: the extensions' state, the stash, the references), instead of a new
    one, whose making costs more than converting the few lines of most pages. MkDocs registers its
    own processors for each page under fixed names, which replaces the previous page's."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.pool: dict[tuple[int, int], tuple[Any, Any, Any]] = {}
        """By the ids of the options: the converter, and the options (kept, so that the ids stay theirs)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.module, name)

    def Markdown(self, *, extensions: Any = (), extension_configs: Any = None) -> Any:  # noqa: N802 — as markdown's
        key = (id(extensions), id(extension_configs))
        if key in self.pool:
            md = self.pool[key][0]
            md.reset()
            return md
        md = self.module.Markdown(extensions=extensions, extension_configs=extension_configs)
        self.pool[key] = (md, extensions, extension_configs)
        return md


def supported() -> bool:
    """Whether this MkDocs is the one whose page building is wrapped."""
    return mkdocs.__version__ == SUPPORTED_MKDOCS


def activate(builds: PageBuilds | None) -> None:
    """Make ``builds`` the build the wrapper serves, with one Markdown converter for the build's
    pages (None: MkDocs builds every page itself, as it does)."""
    global _active
    if supported() and mkdocs_build._build_page is not _build_page:
        mkdocs_build._build_page = _build_page
    _active = builds
    if builds is not None and supported():
        mkdocs_pages.markdown = _PooledMarkdown(markdown)
    else:
        mkdocs_pages.markdown = markdown
