"""Validators for values that come from people: dates, language tags, URLs, invisible characters.

One definition each, used by the loader (seed files), by ``add-article`` (command-line
options and pasted text) and by the commands that publish (``--site-url``), so that what one
part accepts the others accept too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import urllib.parse

DATE_MIN = dt.date(1900, 1, 1)
"""Earliest publication or event date accepted (older dates are refused, not mis-built)."""
DATE_MAX = dt.date(2100, 12, 31)
"""Latest publication or event date accepted."""

_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")  # ASCII digits only


def parse_date(text: str) -> tuple[dt.date | None, str]:
    """A real calendar date written ``YYYY-MM-DD`` within the supported range, or (None, why not)."""
    match = _ISO_DATE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None, f"must be a date written YYYY-MM-DD (got {text!r})"
    try:
        date = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None, f"no such date: {text.strip()!r}"
    return check_date_range(date)


def parse_span(ends: list[str]) -> tuple[list[dt.date] | None, str]:
    """The first days of ``ends`` (one date, or the two ends of a range), each written ``YYYY``,
    ``YYYY-MM`` or ``YYYY-MM-DD``; (None, why not) when one is no real date or a range runs back."""
    days = []
    for end in ends:
        full = end + "-01-01"[len(end) - 4:] if len(end) < 10 else end
        day, why = parse_date(full)
        if day is None:
            return None, why.replace(full, end) if len(end) < 10 else why
        days.append(day)
    if len(days) == 2 and days[0] >= days[1]:
        return None, f"range {'..'.join(ends)!r} must run forward"
    return days, ""


def check_date_range(date: dt.date) -> tuple[dt.date | None, str]:
    """The date itself when it lies within [DATE_MIN, DATE_MAX], else (None, why not)."""
    if not DATE_MIN <= date <= DATE_MAX:
        return None, (f"date {date.isoformat()} is out of range: Briefing takes dates from "
                      f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}")
    return date, ""


# BCP 47 (RFC 5646), the common forms: language, extlang, script, region, variants, extensions,
# private use; and the private-use tag on its own ("x-…").
_BCP47 = re.compile(
    r"^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"
    r"(?:-[a-z]{4})?"
    r"(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*"
    r"(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*"
    r"(?:-x(?:-[a-z\d]{1,8})+)?"
    r"|x(?:-[a-z\d]{1,8})+)$")


def language_tag(text: str) -> str | None:
    """A BCP 47 language tag in lower case (``EN-gb`` → ``en-gb``), or None when it is not one."""
    if not isinstance(text, str):
        return None
    tag = text.strip().lower()
    return tag if tag.isascii() and _BCP47.match(tag) else None


def check_url(text: str, what: str = "URL") -> str:
    """Why ``text`` is not an absolute http(s) URL safe to print in a page; empty when it is."""
    if not isinstance(text, str) or not text:
        return f"{what} must be an absolute http:// or https:// URL (got {text!r})"
    bad = next((c for c in text if c.isspace() or unicodedata.category(c)[0] == "C" or c in "\"'<>`\\{}|^"), None)
    if bad is not None:
        return f"{what} must not contain {_describe(bad)} (got {text!r})"
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"{what} is not a valid URL ({exc}; got {text!r})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{what} must be an absolute http:// or https:// URL (got {text!r})"
    return ""


# Invisible characters that change how text reads or matches: control characters (removed
# from pasted text), and bidirectional and zero-width formatting characters (reported).
_KEPT_CONTROLS = "\t\n"
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff\u180e")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile("[" + "".join(sorted(_BIDI | _ZERO_WIDTH)) + "]")


def char_name(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: the code point and its Unicode name."""
    name = unicodedata.name(char, "") or {
        "\x00": "NULL", "\x07": "BELL", "\x08": "BACKSPACE", "\x0b": "LINE TABULATION", "\x0c": "FORM FEED",
        "\x1b": "ESCAPE", "\x7f": "DELETE"}.get(char, "CONTROL CHARACTER")
    return f"U+{ord(char):04X} {name}"


def _describe(char: str) -> str:
    return "spaces" if char == " " else char_name(char) if not char.isprintable() else repr(char)


def control_characters(text: str) -> list[tuple[int, str]]:
    """(offset, character) of each control character other than tab and newline."""
    return [(m.start(), m.group()) for m in _CONTROL.finditer(text)]


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """(offset, character) of each bidirectional or zero-width formatting character."""
    return [(m.start(), m.group()) for m in _INVISIBLE.finditer(text)]


def remove_control_characters(text: str) -> str:
    """``text`` without control characters other than tab and newline."""
    return _CONTROL.sub("", text)


def summarize(chars: list[tuple[int, str]], text: str | None = None) -> str:
    """``3 × U+0000 NULL (lines 2, 9), 1 × U+202E RIGHT-TO-LEFT OVERRIDE (line 4)``."""
    by_char: dict[str, list[int]] = {}
    for offset, char in chars:
        by_char.setdefault(char, []).append(offset)
    line_of = _lines_of(sorted(offset for offset, _ in chars), text) if text is not None else {}
    parts = []
    for char, offsets in sorted(by_char.items()):
        where = ""
        if text is not None:
            lines = sorted({line_of[offset] for offset in offsets})
            shown = ", ".join(map(str, lines[:5])) + (", …" if len(lines) > 5 else "")
            where = f" (line{'s' if len(lines) > 1 else ''} {shown})"
        parts.append(f"{len(offsets)} × {char_name(char)}{where}")
    return ", ".join(parts)


def _lines_of(offsets: list[int], text: str) -> dict[int, int]:
    """The 1-based line of each offset (sorted), in one pass over the text."""
    result, line, position = {}, 1, 0
    for offset in offsets:
        line += text.count("\n", position, offset)
        position = offset
        result[offset] = line
    return result
