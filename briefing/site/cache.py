"""A content-addressed cache of built pages, so that a rebuild builds only the pages that changed.

MkDocs builds every page on every build: it renders Material's ``main.html`` around the page and
the search plugin parses the page's HTML for the index, about 3–5 ms a page. A page's output
depends on what the page holds (its HTML content, title, meta, table of contents, URL), on the
navigation, on the configuration and the theme's templates, on the build's date and on this
code. ``PageCache`` keeps, under ``.cache/briefing/``, for the hash of all of those, the bytes
MkDocs wrote and the page's search entries; a later build with the same key writes those bytes
and entries instead of building the page, and is byte-identical to a build without the cache.

``site/building.py`` uses it while MkDocs builds the pages.

The store is one SQLite file: a build's new entries go into one transaction, committed only if
the build succeeded. A file that is not a cache of this format (damaged, foreign or from another
version) is left alone, and the build goes on without a cache, saying so.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import sqlite3
import sys
import zlib
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import material
import mkdocs

FORMAT = "briefing-page-cache 2"
"""Changes when what is stored, or how keys are made, changes."""
CACHE_DIR = Path(".cache") / "briefing"
STORE_NAME = "pages.sqlite"
OWN_FILES = ("CACHEDIR.TAG", STORE_NAME, STORE_NAME + "-wal", STORE_NAME + "-shm")
"""What Briefing writes in the cache folder; ``clean`` removes these and nothing else."""
KEEP_BUILDS = 5
"""An entry no build has used in this many builds is removed (other variants' pages stay a while)."""
CODE_DIR = Path(__file__).resolve().parent.parent
CONFIG_KEYS = ("site_name", "site_url", "site_description", "site_author", "copyright", "repo_url", "repo_name",
               "edit_uri", "use_directory_urls", "extra", "extra_css", "extra_javascript", "markdown_extensions",
               "mdx_configs", "validation")


def cache_dir(root: Path) -> Path:
    """Where a project's cache lives."""
    return root / CACHE_DIR


def say(message: str) -> None:
    """A notice about the cache: printed, never logged (a logged warning fails a strict build)."""
    print(f"Briefing: {message}", file=sys.stderr, flush=True)


class PageCache:
    """The store: page key → (the bytes written, the search entries as JSON), zlib-compressed.

    New entries go into one open transaction, on disk rather than in memory; ``commit`` keeps
    them, ``close`` without it drops them."""

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        self.folder = folder
        self.path = folder / STORE_NAME
        self.db: sqlite3.Connection | None = None
        self.used: set[str] = set()
        self.generation = 0
        try:
            if read_only:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30, isolation_level=None)
                return
            folder.mkdir(parents=True, exist_ok=True)
            tag = folder / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                               "# Briefing's build cache: `python build.py clean` removes it.\n", encoding="utf-8")
            db, meta = self._connect()
            if meta.get("format") != FORMAT and str(meta.get("format", "")).startswith(FORMAT.rsplit(" ", 1)[0] + " "):
                db.close()  # Briefing's own, of an older format: made again
                for name in OWN_FILES[1:]:
                    (folder / name).unlink(missing_ok=True)
                db, meta = self._connect()
            if meta.get("format") != FORMAT:
                db.close()
                say(f"{self.path} is not a page cache of this version ({meta.get('format')!r}); building without "
                    "it (`python build.py clean` removes it)")
                return
            self.generation = int(meta.get("generation", "0")) + 1
            self.db = db
        except (OSError, sqlite3.Error, ValueError) as exc:
            say(f"the page cache {self.path} cannot be used ({exc}); building without it "
                "(`python build.py clean` removes it)")
            self.db = None

    def _connect(self) -> tuple[sqlite3.Connection, dict[str, str]]:
        """Open the store, made if there is none; its connection and its meta table."""
        fresh = not self.path.exists()
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")  # a cache: a power cut may lose the last build's entries, no more
        if fresh:
            db.execute("PRAGMA journal_mode=WAL")  # a second process reads while this one writes
            db.executescript("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);"
                             "CREATE TABLE pages (key TEXT PRIMARY KEY, html BLOB, entries BLOB, used INTEGER);")
            db.execute("INSERT INTO meta VALUES ('format', ?), ('generation', '0')", (FORMAT,))
        return db, dict(db.execute("SELECT name, value FROM meta"))

    def get(self, key: str) -> tuple[bytes, list[dict]] | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT html, entries FROM pages WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            html, entries = zlib.decompress(row[0]), json.loads(zlib.decompress(row[1]))
        except (sqlite3.Error, zlib.error, ValueError, TypeError) as exc:
            say(f"the page cache {self.path} is damaged ({exc}); building without it")
            self.close()
            return None
        self.used.add(key)
        return html, entries

    def put(self, key: str, html: bytes, entries: list[dict]) -> None:
        self.put_packed(key, *_packed(html, entries))

    def put_packed(self, key: str, html: bytes, entries: bytes) -> None:
        """Store compressed values (as a spool hands them over)."""
        if self.db is None:
            return
        try:
            if not self.db.in_transaction:
                self.db.execute("BEGIN")
            self.db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)", (key, html, entries, self.generation))
            self.used.add(key)
        except sqlite3.Error as exc:
            say(f"the page cache {self.path} could not be written ({exc}); building without it")
            self.close()

    def commit(self) -> None:
        """Keep this build's new pages, mark the ones it used, forget the long unused."""
        if self.db is None:
            return
        try:
            if not self.db.in_transaction:
                self.db.execute("BEGIN")
            self.db.executemany("UPDATE pages SET used = ? WHERE key = ?", [(self.generation, k) for k in self.used])
            self.db.execute("DELETE FROM pages WHERE used < ?", (self.generation - KEEP_BUILDS,))
            self.db.execute("UPDATE meta SET value = ? WHERE name = 'generation'", (str(self.generation),))
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            say(f"the page cache {self.path} could not be updated ({exc})")

    def close(self) -> None:
        """Close; what was not committed is dropped."""
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None


def _packed(html: bytes, entries: list[dict]) -> tuple[bytes, bytes]:
    """A page's bytes and search entries as they are stored: compressed."""
    return zlib.compress(html, 1), zlib.compress(json.dumps(entries, ensure_ascii=False).encode(), 1)


class Spool:
    """The cache as a second process uses it: reads from the store, writes its new pages to a
    file the first process adds to the store afterwards (SQLite has one writer at a time)."""

    def __init__(self, store: PageCache, file: Any) -> None:
        self.reader = PageCache(store.folder, read_only=True)
        self.file = file
        """A binary file both processes have open (made before the second one was forked)."""
        self.used: set[str] = set()

    def get(self, key: str) -> tuple[bytes, list[dict]] | None:
        found = self.reader.get(key) if self.reader is not None else None
        if found is not None:
            self.used.add(key)
        return found

    def put(self, key: str, html: bytes, entries: list[dict]) -> None:
        record = pickle.dumps((key, *_packed(html, entries)))
        self.file.write(len(record).to_bytes(8, "big") + record)

    @staticmethod
    def records(file: Any) -> Iterator[tuple[str, bytes, bytes]]:
        """What a spool put into ``file``, read back one record at a time."""
        file.seek(0)
        while header := file.read(8):
            yield pickle.loads(file.read(int.from_bytes(header, "big")))


def clean(root: Path) -> list[Path]:
    """Remove the project's cache (the folder Briefing made, recognised by its tag); what was removed."""
    folder = cache_dir(root)
    if not (folder / "CACHEDIR.TAG").is_file():
        return []
    removed = []
    for path in sorted(folder / name for name in OWN_FILES):
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed.append(path)
    try:
        folder.rmdir()
    except OSError:
        pass  # something else was put there: left as it is
    return removed


# --- keys ---------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A value JSON can write, the same in every process: a function by its name, a set sorted,
    any other object by its type and text without memory addresses."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return list(value)
    return f"{type(value).__qualname__}:{_ADDRESS.sub('', str(value))}"


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _digest(*parts: Any) -> str:
    try:
        text = json.dumps(parts, ensure_ascii=False, default=_plain, sort_keys=True)
    except (TypeError, ValueError):  # a mapping with keys JSON cannot write, or a cycle
        text = _ADDRESS.sub("", repr(parts))
    return hashlib.sha256(text.encode()).hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _files_digest(folders: list[str | Path]) -> str:
    """Every file under the folders, by path and content."""
    sha = hashlib.sha256()
    for folder in folders:
        base = Path(folder)
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            sha.update(path.relative_to(base).as_posix().encode() + b"\0")
            sha.update(hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()


def _code_digest() -> str:
    """This package's code, by content (a changed function may change any page)."""
    sha = hashlib.sha256()
    for path in sorted(CODE_DIR.rglob("*.py")):
        sha.update(path.relative_to(CODE_DIR).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()


def _nav(items: Any) -> list:
    return [(getattr(i, "title", None), getattr(i, "url", None), type(i).__name__, _nav(getattr(i, "children", None) or []))
            for i in items]


def _toc(items: Any) -> list:
    return [(i.title, i.id, i.level, _toc(i.children)) for i in items]


def _link(page: Any) -> Any:
    return None if page is None else (page.url, page.title)


def page_fingerprint(page: Any) -> str:
    """Everything of a page its output depends on, besides what all pages share (``site_fingerprint``)."""
    return _digest(page.file.src_uri, page.file.dest_uri, page.url, page.canonical_url, page.edit_url,
                   page.title, page.meta, page.content, _toc(page.toc.items), page.update_date, page.is_homepage,
                   _link(page.previous_page), _link(page.next_page), [a.title for a in page.ancestors])


def site_fingerprint(config: Any, nav: Any, settings: Any, build_epoch: int) -> str:
    """What every page's output depends on: this code, the versions of what renders it, the
    configuration, the theme's templates, the navigation, the settings and the build date."""
    plugins = {name: dict(plugin.config) for name, plugin in config.plugins.items()}
    return _digest(FORMAT, _code_digest(), [_version(n) for n in ("mkdocs", "mkdocs-material", "jinja2", "markdown",
                                                                   "pymdown-extensions")],
                   {k: config.get(k) for k in CONFIG_KEYS}, config.theme.name, dict(config.theme.items()),
                   _files_digest([d for d in config.theme.dirs if not installed(Path(d))]), plugins,
                   _nav(nav.items), repr(settings), build_epoch)


_PACKAGES = tuple(Path(m.__file__).resolve().parent for m in (mkdocs, material))


def installed(folder: Path) -> bool:
    """A theme folder of an installed package (Material's, MkDocs' own): its version stands for it."""
    folder = folder.resolve()
    return any(folder == p or p in folder.parents for p in _PACKAGES)


def page_key(shared: str, page: Any) -> str:
    """The key of a page: what all pages share (``site_fingerprint``) and the page's own inputs."""
    return _digest(shared, page_fingerprint(page))
