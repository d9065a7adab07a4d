"""Bring an article in from a saved web page, an http(s) URL or standard input.

trafilatura, the field's standard extractor, finds the main text and the metadata (title,
authors, date, site name, canonical URL); nothing here parses a page by hand. What comes out is
plain text (paragraphs separated by blank lines, the headline given apart), so the same cleaning
(debris, bylines, ``removed:``) applies to every way in.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_FETCH_BYTES = 5_000_000
"""A page larger than this is refused (a news article's page is a few hundred kB)."""
FETCH_TIMEOUT = 20.0
"""Seconds to wait for a server."""
PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
_LANG = re.compile(rb"<html[^>]*\slang=[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)", re.IGNORECASE)


class IntakeError(Exception):
    """The page cannot be read or fetched; the message says why, for the terminal."""


@dataclass(frozen=True)
class Page:
    """What trafilatura found in a page."""

    text: str
    """The paragraphs, separated by blank lines (the headline is ``title``)."""
    title: str
    authors: tuple[str, ...]
    date: str
    """``YYYY-MM-DD`` or empty."""
    sitename: str
    url: str
    """The canonical URL, else the one it was fetched from, else empty."""
    language: str
    sha256: str
    """Of the page exactly as saved or fetched, for later link-rot checks."""
    shown: str
    """How to name the page in messages."""
    guessed: tuple[str, ...] = ()
    """Fields not stated as metadata but inferred (the language from the page's markup)."""

    def report(self) -> list[str]:
        """What was found, what was guessed and what was not found, a line each."""
        fields = [("title", self.title), ("authors", ", ".join(self.authors)), ("date", self.date),
                  ("publication", self.sitename), ("address", self.url), ("language", self.language)]
        found = [f"{'guessed' if name in self.guessed else 'found'} {name}: {value}" for name, value in fields if value]
        missing = [name for name, value in fields if not value]
        return found + ([f"not found: {', '.join(missing)}"] if missing else [])


def is_page(argument: str) -> bool:
    """Whether ``add-article``'s argument is a page (a URL, ``-`` or a saved .html file)."""
    return argument == "-" or argument.lower().startswith(("http://", "https://")) or \
        Path(argument).suffix.lower() in PAGE_SUFFIXES


def read_page(argument: str, stdin: BinaryIO) -> tuple[bytes, str, str]:
    """(bytes, name for messages, URL it came from) of the page ``argument`` names."""
    if argument == "-":
        return _limited(stdin, "standard input"), "standard input", ""
    if argument.lower().startswith(("http://", "https://")):
        return fetch(argument), argument, argument
    try:
        with open(argument, "rb") as handle:
            return _limited(handle, argument), argument, ""
    except FileNotFoundError:
        raise IntakeError(f"{argument}: no such file") from None
    except IsADirectoryError:
        raise IntakeError(f"{argument}: is a folder, not a file") from None
    except OSError as exc:
        raise IntakeError(f"{argument}: cannot be read ({exc.strerror or exc})") from None


def _limited(handle: BinaryIO, shown: str) -> bytes:
    data = handle.read(MAX_FETCH_BYTES + 1)
    if len(data) > MAX_FETCH_BYTES:
        raise IntakeError(f"{shown}: larger than {MAX_FETCH_BYTES:,} bytes; not an article page")
    return data


def fetch(url: str) -> bytes:
    """The page at ``url``, with a timeout and a size limit; every failure an ``IntakeError``."""
    request = urllib.request.Request(url, headers={"User-Agent": "Briefing add-article (+https://pypi.org/)",
                                                   "Accept": "text/html,application/xhtml+xml"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - http(s) only
            return _limited(response, url)
    except urllib.error.HTTPError as exc:
        raise IntakeError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise IntakeError(f"{url}: cannot be fetched ({exc.reason})") from None
    except (TimeoutError, OSError) as exc:
        raise IntakeError(f"{url}: cannot be fetched ({exc})") from None


def extract(data: bytes, shown: str, url: str = "") -> Page:
    """The main text and metadata of a page, by trafilatura."""
    import trafilatura  # imported here: only add-article needs it

    found = trafilatura.bare_extraction(data, url=url or None, with_metadata=True, include_comments=False,
                                        include_tables=False, favor_precision=True, as_dict=True,
                                        # a date from the page's metadata or text, never guessed from links
                                        date_extraction_params={"extensive_search": False, "original_date": True})
    if not found or not (found.get("text") or "").strip():
        raise IntakeError(f"{shown}: no article text found in the page")
    title = " ".join((found.get("title") or "").split())
    lines = [" ".join(line.split()) for line in found["text"].splitlines()]
    paragraphs = [line for line in lines if line and line != title]  # the headline is given once, first
    authors = tuple(a.strip() for a in re.split(r";|\band\b|,", found.get("author") or "") if a.strip())
    language = found.get("language") or ""
    guessed = ()
    if not language and (match := _LANG.search(data[:4096])):
        language, guessed = match.group(1).decode("ascii"), ("language",)
    return Page(text="\n\n".join(paragraphs) + "\n", title=title, authors=authors,
                date=found.get("date") or "", sitename=" ".join((found.get("sitename") or "").split()),
                url=found.get("url") or url, language=language.lower(),
                sha256=hashlib.sha256(data).hexdigest(), shown=shown, guessed=guessed)
