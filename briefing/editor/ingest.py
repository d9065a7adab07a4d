"""Bring a pasted plain-text article into ``seeds/articles/``: clean, split, suggest, write."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from anyascii import anyascii

from ..core.errors import Problem
from ..core.load import MAX_SEED_BYTES, SAFE_ID, read_text
from ..core.model import Article, Excerpt, Paragraph, Topic
from .suggest import suggested_excerpts
from ..core.text import normalize, slugify
from ..core.values import (check_url, control_characters, invisible_characters, language_tag, parse_date,
                     remove_control_characters, summarize)

# Lines that start the page furniture at the end of a pasted article; what follows them goes too.
DEBRIS_MARKERS = re.compile(
    r"^(check also|leave a (comment|reply)|about the author|related( posts| articles| stories| news)?|"
    r"read (more|also|next)|you (may|might) also like|more (from|on) |share (this|on|via)|"
    r"(share|tweet|email|print)( this)?( article| story)?$|tags?:|filed under|subscribe|sign up for|"
    r"recommended|most (read|popular)|comments?$|\d+ comments?$|advertisement$|follow us)",
    re.IGNORECASE)
DEBRIS_MAX_CHARS = 300
"""A paragraph longer than this is article text, not debris: cleaning stops before it."""
BYLINE = re.compile(r"^(written by|by)\s+(?P<name>[^\n]{2,80})$", re.IGNORECASE)


@dataclass
class Cleaned:
    """An article's text split into paragraphs, and what was removed from it."""

    title: str
    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)
    byline: str = ""


_BLANKS = re.compile(r"[ \t]+")


def _blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.split("\n"):
        line = line.strip()  # every white space, as the loader strips the lines of a seed file
        if line:
            current.append(_BLANKS.sub(" ", line))  # other Unicode spaces within a line are kept
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _hard_wrapped(lines: list[str]) -> bool:
    """Lines of one block that were wrapped at a fixed width, rather than one paragraph each."""
    if len(lines) < 2:
        return False
    body = lines[:-1]
    return all(40 <= len(line) <= 100 for line in body) and any(
        not re.search(r"[.!?:\"'”’)]$", line) for line in body)


def split_text(text: str) -> list[str]:
    """Paragraphs from blank-line separated blocks, or from single lines when not hard-wrapped."""
    paragraphs = []
    for block in _blocks(text):
        if _hard_wrapped(block):
            paragraphs.append(" ".join(block))
        else:
            paragraphs.extend(block)
    return paragraphs


def clean_article(text: str, title: str | None, authors: tuple[str, ...] = ()) -> Cleaned:
    """Take the headline (unless given), drop a repeated headline, a byline and trailing debris."""
    paragraphs = split_text(text)
    removed: list[str] = []
    if title is None:
        title = paragraphs.pop(0) if paragraphs else ""
    byline = ""
    kept = []
    headline = normalize(title).casefold()
    names = {normalize(a).casefold() for a in authors}
    for index, paragraph in enumerate(paragraphs):
        folded = normalize(paragraph).casefold()
        if folded == headline:
            removed.append(paragraph)  # the headline again
            continue
        if index < 3 and folded in names:
            removed.append(paragraph)  # a bare byline naming a given author
            continue
        match = BYLINE.match(paragraph)
        if match and index < 3 and not byline:
            byline = re.sub(r"^(dr|prof|mr|mrs|ms)\.?\s+", "", match.group("name").strip(), flags=re.IGNORECASE)
            removed.append(paragraph)
            continue
        kept.append(paragraph)
    cut = len(kept)
    for index in range(len(kept) - 1, -1, -1):
        if len(kept[index]) > DEBRIS_MAX_CHARS:
            break
        if DEBRIS_MARKERS.match(kept[index]):
            cut = index
    removed.extend(kept[cut:])
    return Cleaned(title=title, paragraphs=kept[:cut], removed=removed, byline=byline)


def _transliterated(title: str) -> str:
    """The letters and digits of ``title`` in ASCII, anything else a space: "中文标题" → " Zhong  Wen ..."."""
    out = []
    for char in title:
        if char.isascii():
            out.append(char)
        elif unicodedata.category(char)[0] in "LMN":
            ascii_ = anyascii(char)
            # A wide letter (Chinese, Japanese, Korean) is a syllable or a word of its own.
            out.append(f" {ascii_} " if unicodedata.east_asian_width(char) == "W" else ascii_)
        else:
            out.append(" ")  # punctuation, symbols, emoji: not words of an id
    return "".join(out)


def article_id_for(date: dt.date, title: str, max_words: int = 8, taken: set[str] | frozenset = frozenset()) -> str:
    """``<date>-<first words of the title>``, transliterated to ASCII: safe, readable, stable.

    A title with no letters or digits to write (only emoji or punctuation, say) gives
    ``article-<date>-<n>``, n = 1, 2, … the first not in ``taken``."""
    words = [w for w in slugify(_transliterated(title[:500])).split("-") if w][:max_words]
    slug = f"{date.isoformat()}-{'-'.join(words)}"[:100].rstrip("-")
    if words and SAFE_ID.match(slug):
        return slug
    number = 1
    while f"article-{date.isoformat()}-{number}" in taken:
        number += 1
    return f"article-{date.isoformat()}-{number}"


class _Flow(list):
    """A list written on one line, ``[a, b]``, as editors write topics and authors."""


class _SeedDumper(yaml.SafeDumper):
    """PyYAML's safe emitter, laid out as the seed files are: lists indented under their key,
    short lists on one line, never an anchor or alias, never a line folded (``_WIDTH``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: object) -> bool:
        return True


_SeedDumper.add_representer(_Flow, lambda dumper, data: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=True))
_WIDTH = sys.maxsize
"""Line width given to the emitter: no value is ever folded onto a second line."""


def front_matter(data: dict) -> str:
    """YAML for a seed file's front matter, by PyYAML's emitter, keys in the order given."""
    return yaml.dump(data, Dumper=_SeedDumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=_WIDTH)


def render_article_file(article: Article, excerpts: list[Excerpt], removed: list[str]) -> str:
    """The seed file of an article, in the project's format."""
    data: dict = {
        "id": article.id, "title": article.title, "source": article.source, "authors": _Flow(article.authors),
        "published": article.published, "date_approximate": article.date_approximate,
        "language": article.language, "url": article.url,
    }
    if article.original_sha256:
        data["original_sha256"] = article.original_sha256
    if removed:
        data["removed"] = list(removed)
    data["excerpts"] = [{"quote": e.quote, "topics": _Flow(e.topics), "unreviewed": not e.reviewed} for e in excerpts]
    return f"---\n{front_matter(data)}---\n\n" + "\n\n".join(p.text for p in article.paragraphs) + "\n"


# --- options and input -----------------------------------------------------------------

LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
"""Characters that end a line (``str.splitlines``): none may be in a one-line value."""


@dataclass
class Options:
    """The options of ``add-article``, checked and normalised."""

    source: str
    date: dt.date
    title: str | None
    authors: tuple[str, ...]
    language: str
    url: str
    notes: list[str] = field(default_factory=list)
    """Warnings: characters removed from, or invisible characters kept in, an option's value."""


def _shown_path(path: str) -> str:
    return path if path and path.isprintable() else repr(path)


def check_input(path: str) -> str:
    """Why ``path`` cannot be read as a pasted article (empty when it can)."""
    shown = _shown_path(path)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return f"{shown}: no such file"
    except (OSError, ValueError) as exc:
        return f"{shown}: cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if stat.S_ISDIR(info.st_mode):
        return f"{shown}: is a folder, not a file"
    if not stat.S_ISREG(info.st_mode):
        return f"{shown}: is not a regular file"
    if info.st_size > MAX_SEED_BYTES // 2:
        return f"{shown}: too large for an article ({info.st_size:,} bytes; at most {MAX_SEED_BYTES // 2:,})"
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return f"{shown}: cannot be read ({exc.strerror or exc})"
    return ""


def _one_line(value: str, option: str, errors: list[str], notes: list[str]) -> str:
    """A one-line option value without control characters, white space trimmed; '' and an
    error when there is nothing left or it cannot be written."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors.append(f"{option} is not UTF-8 text (got {value!r})")
        return ""
    if any(char in LINE_BREAKS for char in value):
        errors.append(f"{option} must be one line (got {value!r})")
        return ""
    found = control_characters(value)
    if found:
        notes.append(f"{option}: removed control characters: {summarize(found)}")
        value = remove_control_characters(value)
    invisible = invisible_characters(value)
    if invisible:
        notes.append(f"{option}: kept invisible formatting characters: {summarize(invisible)}")
    value = _BLANKS.sub(" ", value.strip())
    if not value:
        errors.append(f"{option} must not be empty")
    return value


def check_options(*, source: str, date: str, title: str | None = None, authors: tuple[str, ...] | list[str] = (),
                  language: str = "en", url: str = "") -> tuple[Options | None, list[str]]:
    """The options checked and normalised, or None and every reason why not."""
    errors: list[str] = []
    notes: list[str] = []
    parsed, why = parse_date(date)
    if parsed is None:
        errors.append(f"--date must be YYYY-MM-DD (got {date!r})" if why.startswith("must be") else f"--date: {why}")
    tag = language_tag(language)
    if tag is None:
        errors.append(f"--language must be a BCP 47 language tag such as en, zh-hans or pt-br (got {language!r})")
    if url and (why := check_url(url, "--url")):
        errors.append(why)
    clean_source = _one_line(source, "--source", errors, notes)
    clean_title = _one_line(title, "--title", errors, notes) if title is not None else None
    clean_authors = tuple(_one_line(author, "--author", errors, notes) for author in authors)
    if errors:
        return None, errors
    return Options(source=clean_source, date=parsed, title=clean_title, authors=clean_authors, language=tag,
                   url=url, notes=notes), []


def _clean_characters(text: str, shown: str, problems: list[Problem]) -> str:
    """Remove control characters (but tab and newline) and report them; report invisible ones."""
    found = control_characters(text)
    if found:
        problems.append(Problem(shown, text.count("\n", 0, found[0][0]) + 1,
                                f"removed control characters: {summarize(found, text)}",
                                "they are not article text; only tab and newline are kept", severity="warning"))
        text = remove_control_characters(text)
    invisible = invisible_characters(text)
    if invisible:
        problems.append(Problem(shown, text.count("\n", 0, invisible[0][0]) + 1,
                                f"kept invisible formatting characters: {summarize(invisible, text)}",
                                "they can make text read differently from what it says; in the seed file, delete "
                                "any the language does not need", severity="warning"))
    # Unicode's line and paragraph separators end a line, as a newline does.
    return text.replace("\u2028", "\n").replace("\u2029", "\n")


_ID_LINE = re.compile(r"""^id:[ \t]*(['"]?)([^'"\s#]+)\1[ \t]*(?:#.*)?$""", re.M)


def _existing_ids(articles_dir: Path) -> dict[str, Path]:
    """The ids (and file names) of the articles already there, with their files."""
    taken: dict[str, Path] = {}
    for path in sorted(articles_dir.glob("*.md")) if articles_dir.is_dir() else ():
        taken.setdefault(path.stem, path)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        end = text.find("\n---", 3)
        match = _ID_LINE.search(text, 0, end if end != -1 else len(text))
        if match:
            taken.setdefault(match.group(2), path)
    return taken


def _write_new(target: Path, content: str) -> bool:
    """Write ``target`` whole or not at all; False, and nothing written, when it exists already."""
    partial = target.with_name(f".{target.name}.tmp")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as file:
            file.write(content)
        try:
            os.link(partial, target)  # unlike a rename, never replaces an existing file
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            try:
                with open(target, "x", encoding="utf-8", newline="\n") as file:
                    file.write(content)
            except FileExistsError:
                return False
    finally:
        partial.unlink(missing_ok=True)
    return True


@dataclass
class Added:
    """The outcome of ``add-article``."""

    path: Path
    shown: str
    """The path as messages show it."""
    article: Article
    excerpts: list[Excerpt]
    removed: list[str]


def add_article(src: Path, articles_dir: Path, topics: tuple[Topic, ...], *, source: str, date: dt.date,
                title: str | None = None, url: str = "", authors: tuple[str, ...] = (),
                language: str = "en", problems: list[Problem], shown_dir: str | None = None,
                shown_src: str | None = None, original_sha256: str = "") -> Added | None:
    """Write ``articles_dir/<id>.md`` from a plain-text file; never overwrite an existing one.

    The options are taken as ``check_options`` returns them. Control characters are removed from
    the text and reported, invisible formatting characters reported (warnings in ``problems``).
    ``shown_src`` names the input in messages (a page's text is read from a temporary file);
    ``original_sha256`` is the hash of a saved or fetched page, kept in the front matter."""
    shown_src = shown_src or str(src)
    try:
        text = read_text(src, shown_src, problems)
    except OSError as exc:
        problems.append(Problem(shown_src, 1, f"cannot read: {exc.strerror or exc}"))
        return None
    if text is None:
        return None
    text = _clean_characters(text, shown_src, problems)
    cleaned = clean_article(text, title, authors)
    if not cleaned.title:
        problems.append(Problem(shown_src, 1, "no headline: the file is empty", "give --title or put the headline on the first line"))
        return None
    if not cleaned.paragraphs:
        problems.append(Problem(shown_src, 1, "no article text after the headline"))
        return None
    taken = _existing_ids(articles_dir)
    article_id = article_id_for(date, cleaned.title, taken=set(taken))
    target = articles_dir / f"{article_id}.md"

    def shown(path: Path) -> str:
        return f"{shown_dir}/{path.name}" if shown_dir else path.as_posix()

    def exists(where: Path) -> None:
        problems.append(Problem(shown_src, 1, f"an article with id {article_id!r} exists already: {shown(where)}; nothing written",
                                "if this is another article, give it another --title or --date"))

    if article_id in taken or target.exists():
        exists(taken.get(article_id, target))
        return None
    paragraphs = tuple(Paragraph(i, p, 0) for i, p in enumerate(cleaned.paragraphs, 1))
    byline = (cleaned.byline,) if cleaned.byline and not authors else ()
    article = Article(id=article_id, title=cleaned.title, source=source, url=url, published=date,
                      date_approximate=False, authors=tuple(authors) or byline, language=language,
                      paragraphs=paragraphs, excerpts=(), src_path=target.as_posix(), original_sha256=original_sha256)
    excerpts = suggested_excerpts(article, topics)
    content = render_article_file(article, excerpts, cleaned.removed)
    size = len(content.encode("utf-8"))
    if size > MAX_SEED_BYTES:
        problems.append(Problem(shown_src, 1, f"too large: the article's seed file would have {size:,} bytes "
                                f"(at most {MAX_SEED_BYTES:,}); nothing written", "split it into several articles"))
        return None
    try:
        articles_dir.mkdir(parents=True, exist_ok=True)
        written = _write_new(target, content)
    except OSError as exc:
        problems.append(Problem(shown(target), 1, f"cannot write: {exc.strerror or exc}; nothing written"))
        return None
    if not written:
        exists(target)
        return None
    return Added(path=target, shown=shown(target), article=article, excerpts=excerpts, removed=cleaned.removed)
