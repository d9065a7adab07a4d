"""Bring a pasted plain-text article into ``seeds/articles/``: clean, split, suggest, write."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problem
from .load import SAFE_ID, read_text
from .model import Article, Excerpt, Paragraph, Topic
from .suggest import suggested_excerpts
from .text import normalize, slugify

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


def _blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.split("\n"):
        if line.strip(" \t"):
            current.append(re.sub(r"[ \t]+", " ", line.strip(" \t")))  # other Unicode spaces are kept
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
    for index, paragraph in enumerate(paragraphs):
        if normalize(paragraph).casefold() == normalize(title).casefold():
            removed.append(paragraph)  # the headline again
            continue
        if index < 3 and any(normalize(paragraph).casefold() == normalize(a).casefold() for a in authors):
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


def article_id_for(date: dt.date, title: str, max_words: int = 8) -> str:
    """``<date>-<first words of the title>``: safe, readable, stable."""
    words = slugify(title).split("-")[:max_words]
    slug = f"{date.isoformat()}-{'-'.join(w for w in words if w)}".strip("-")[:100].rstrip("-")
    return slug if SAFE_ID.match(slug) else date.isoformat()


def _yaml_value(value: object) -> str:
    return yaml.safe_dump(value, allow_unicode=True, width=100000, default_flow_style=True).strip().removesuffix("\n...")


def render_article_file(article: Article, excerpts: list[Excerpt], removed: list[str]) -> str:
    """The seed file of an article, in the project's format."""
    lines = [
        "---",
        f"id: {article.id}",
        f"title: {_yaml_value(article.title)}",
        f"source: {_yaml_value(article.source)}",
        f"authors: {_yaml_value(list(article.authors))}",
        f"published: {article.published.isoformat()}",
        "date_approximate: false",
        f"language: {article.language}",
        f"url: {_yaml_value(article.url)}",
    ]
    if removed:
        lines.append("removed:")
        lines.extend(f"  - {_yaml_value(r)}" for r in removed)
    if excerpts:
        lines.append("excerpts:")
        for excerpt in excerpts:
            lines.append(f"  - quote: {_yaml_value(excerpt.quote)}")
            lines.append(f"    topics: [{', '.join(excerpt.topics)}]")
            lines.append("    unreviewed: true")
    else:
        lines.append("excerpts: []")
    lines += ["---", "", "\n\n".join(p.text for p in article.paragraphs), ""]
    return "\n".join(lines)


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
                language: str = "en", problems: list[Problem], shown_dir: str | None = None) -> Added | None:
    """Write ``articles_dir/<id>.md`` from a plain-text file; never overwrite an existing one."""
    text = read_text(src, str(src), problems)
    if text is None:
        return None
    if "\x00" in text:
        problems.append(Problem(str(src), 1, "not a text file (contains NUL bytes)"))
        return None
    cleaned = clean_article(text, title, authors)
    if not cleaned.title:
        problems.append(Problem(str(src), 1, "no headline: the file is empty", "give --title or put the headline on the first line"))
        return None
    if not cleaned.paragraphs:
        problems.append(Problem(str(src), 1, "no article text after the headline"))
        return None
    article_id = article_id_for(date, cleaned.title)
    target = articles_dir / f"{article_id}.md"
    existing = [p for p in articles_dir.glob("*.md") if re.search(rf"^id:\s*{re.escape(article_id)}\s*$", p.read_text(encoding="utf-8", errors="replace"), re.M)]
    if target.exists() or existing:
        where = target if target.exists() else existing[0]
        shown = f"{shown_dir}/{where.name}" if shown_dir else where.as_posix()
        problems.append(Problem(str(src), 1, f"an article with id {article_id!r} exists already: {shown}; nothing written",
                                "if this is another article, give it another --title or --date"))
        return None
    paragraphs = tuple(Paragraph(i, p, 0) for i, p in enumerate(cleaned.paragraphs, 1))
    byline = (cleaned.byline,) if cleaned.byline and not authors else ()
    article = Article(id=article_id, title=cleaned.title, source=source, url=url, published=date,
                      date_approximate=False, authors=tuple(authors) or byline, language=language,
                      paragraphs=paragraphs, excerpts=(), src_path=target.as_posix())
    excerpts = suggested_excerpts(article, topics)
    articles_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.tmp")
    partial.write_text(render_article_file(article, excerpts, cleaned.removed), encoding="utf-8")
    partial.replace(target)
    shown = f"{shown_dir}/{target.name}" if shown_dir else target.as_posix()
    return Added(path=target, shown=shown, article=article, excerpts=excerpts, removed=cleaned.removed)
