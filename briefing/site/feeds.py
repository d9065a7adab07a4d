"""Atom feeds: one per topic and one for the whole briefing, excerpts by their article's date."""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from xml.etree import ElementTree as ET

from ..core.compose import ExcerptView, Site

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def _entry_id(view: ExcerptView) -> str:
    digest = hashlib.sha1(f"{view.anchored.excerpt.article_id}\n{view.anchored.text}".encode()).hexdigest()[:16]
    return f"tag:briefing,{view.citation.article.published.year}:excerpt:{view.anchored.excerpt.article_id}:{digest}"


def _link(base: str, feed_path: str, url: str) -> str:
    """An absolute link when the site URL is known, else one relative to the feed."""
    if base:
        return base.rstrip("/") + "/" + url
    return posixpath.relpath(url or ".", posixpath.dirname(feed_path)) + ("/" if url.endswith("/") else "")


def feed_xml(title: str, feed_path: str, page_path: str, views: list[ExcerptView], urls: dict[str, str],
             base: str) -> str:
    """One Atom feed; ``urls`` maps page paths under ``docs/`` to their URLs."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ordered = sorted(views, key=lambda v: (-v.citation.article.published.toordinal(), v.citation.article.id,
                                            v.anchored.paragraph.number, v.anchored.start))
    newest = ordered[0].citation.article.published if ordered else dt.date(1970, 1, 1)
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"tag:briefing,2023:feed:{feed_path}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(newest)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=_link(base, feed_path, urls[page_path]))
    if base:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=_link(base, feed_path, feed_path))
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "Briefing"
    for view in ordered:
        article = view.citation.article
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{article.title} (¶{view.anchored.paragraph.number})"
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _entry_id(view)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(article.published)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(article.published)
        href = _link(base, feed_path, urls[article.dest_path]) + "#" + view.anchored.paragraph.anchor
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=href)
        for name in article.authors or (view.citation.source or "Author not named",):
            ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = name
        for topic in view.topics:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=topic.slug, label=topic.title)
        said = f"{view.citation.source}, {view.citation.date}" if view.citation.source else view.citation.date
        summary = f"“{view.anchored.text}” ({said})"
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = summary
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def render_feeds(site: Site, urls: dict[str, str], base: str) -> dict[str, str]:
    """Every feed, keyed by its path in the site."""
    feeds = {}
    every: dict[int, ExcerptView] = {}
    for page in site.topics:
        views = [v for g in page.groups for v in g.excerpts]
        for v in views:
            every.setdefault(id(v.anchored), v)
        path = page.feed_path
        feeds[path] = feed_xml(f"Briefing: {page.topic.title}", path, page.dest_path, views, urls, base)
    feeds["feeds/all.xml"] = feed_xml("Briefing: all topics", "feeds/all.xml", "index.md", list(every.values()), urls, base)
    return feeds
