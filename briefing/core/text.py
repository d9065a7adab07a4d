"""Text helpers: the normalisation used to match quotes, and escaping article text."""

from __future__ import annotations

import re
import unicodedata

# Differences an editor cannot see on screen; matching ignores these and nothing else.
_QUOTES = {c: "'" for c in "\u2018\u2019\u201a\u201b"}
_QUOTES.update({c: '"' for c in "\u201c\u201d\u201e\u201f"})
_DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}
_SPACE = re.compile(r"\s+")
_FOLDED = {**_QUOTES, **_DASHES}
_FOLD_PAIRS = tuple(_FOLDED.items())
_VARIANTS = {plain: plain + "".join(c for c, v in _FOLDED.items() if v == plain) for plain in "'\"-"}
"""Each folded character with every character that folds to it."""


def fold(text: str) -> str:
    """Unify quotes and dashes, one character for one (offsets are kept)."""
    if text.isascii():  # nothing to fold (isascii is O(1))
        return text
    for variant, plain in _FOLD_PAIRS:  # a scan in C per variant beats a Python call per match
        if variant in text:
            text = text.replace(variant, plain)
    return text


def _squeeze(folded: str) -> str:
    """Runs of white space made one space, ends stripped; text already so is returned as is."""
    # isprintable() is False for every white space character but the ASCII space, and
    # str.split() splits on exactly the characters the regex \s matches (str.isspace).
    if folded.isprintable() and "  " not in folded and folded[:1] != " " and folded[-1:] != " ":
        return folded
    return " ".join(folded.split())


def normalize_with_map(text: str) -> tuple[str, list[int] | range]:
    """Fold quotes, dashes and runs of white space; return the folded text and,
    for each of its characters, the index of the original character it came from."""
    folded = fold(text)  # one character for one: offsets are kept
    squeezed = _squeeze(folded)
    if len(squeezed) == len(folded):
        return squeezed, range(len(folded))  # white space was already single spaces
    out: list[str] = []
    index: list[int] = []
    position = 0
    for match in _SPACE.finditer(folded):
        start, end = match.span()
        if start > position:
            if out:
                out.append(" ")
                index.append(position - 1)
            out.append(folded[position:start])
            index.extend(range(position, start))
        position = end
    if position < len(folded):
        if out:
            out.append(" ")
            index.append(position - 1)
        out.append(folded[position:])
        index.extend(range(position, len(folded)))
    return "".join(out), index


def normalize(text: str) -> str:
    """Fold quotes, dashes and runs of white space, as quote matching does."""
    return _squeeze(fold(text))


def variants_pattern(folded: str) -> str:
    """A regex matching ``folded`` (a normalised text) as written: any quote or dash
    variant it folds from, any run of white space for a space."""
    return "".join(
        rf"\s+" if c == " " else f"[{re.escape(_VARIANTS[c])}]" if c in _VARIANTS else re.escape(c)
        for c in folded)


_ESCAPES = {code: f"&#{code};" for code in range(0x21, 0x7F) if not chr(code).isalnum()}


def escape_text(text: str) -> str:
    """Make any string show exactly as written in Markdown and HTML.

    Every ASCII punctuation character becomes a numeric character reference, so no
    Markdown, HTML, attribute-list or Material marker in article text can take
    effect, whatever extensions are on. White space runs become one space.
    """
    return _SPACE.sub(" ", text).translate(_ESCAPES)


def slugify(text: str) -> str:
    """A lower-case ASCII slug of letters, digits and hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def shorten(text: str, limit: int = 90) -> str:
    """Cut a long quote for a message, marking the cut with an ellipsis."""
    text = normalize(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


_SENTENCE = re.compile(r"(?<=[.!?…])([\"'”’)]*)\s+(?=[\"'“‘„(]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|St|No|Jan|Feb|Aug|Sept|Oct|Nov|Dec|vs|etc"
                           r"|c|e\.g|i\.e)\.)$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of a text (not cut after "U.S.", "Dr." or "c.")."""
    spans, start = [], 0
    for match in _SENTENCE.finditer(text):
        if _ABBREVIATION.search(text, max(start, match.start() - 16), match.start()):  # not a growing slice
            continue
        spans.append((start, match.end(1)))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]
