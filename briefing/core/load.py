"""Stage 1: read ``seeds/`` into the data model, collecting every problem."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from .memo import Memo
from .progress import SILENT, Steps
from .errors import Problem, SeedsInvalid
from .model import EXCERPT_STANCES, MAX_LEADS, SIDES, STANCES, TRANSLATIONS, Article, Correction, Position, Event, Excerpt, Paragraph, Person, Rules, Seeds, Support, Topic
from .values import (check_date_range, check_url, parse_span, control_characters, invisible_characters, language_tag, parse_date,
                     summarize)

SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
ARTICLE_FIELDS = {
    "id", "title", "source", "source_note", "url", "published", "date_approximate",
    "date_note", "authors", "language", "removed", "excerpts", "original_file", "translation", "corrections", "via", "original_sha256",
}
REQUIRED_ARTICLE_FIELDS = ("id", "title", "published", "language")
EXCERPT_FIELDS = {"id", "sic", "speaker", "quote", "prefix", "suffix", "topics", "stance", "note", "unreviewed"}
TOPIC_FIELDS = {"slug", "title", "scope", "bottom_line", "changed", "corrections", "key_points", "watch", "positions", "related", "rules"}
POSITION_FIELDS = {"summary", "leads"}
REQUIRED_TOPIC_FIELDS = ("slug", "title", "scope", "bottom_line")


class LineDict(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        """Line of ``key`` if present, else of the mapping itself."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence that remembers the line of each item."""

    line: int = 0
    item_lines: list


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: same marks, 10× faster
    line_offset = 0
    duplicates: list
    complex_keys: list


_STR_TAG = "tag:yaml.org,2002:str"


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    """``construct_object`` without PyYAML's per-node bookkeeping for strings, mappings and
    sequences (most of a front matter); every other node goes the usual way."""
    tag = node.tag
    if tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    kind = _BUILDERS.get(tag)
    if kind is None or not isinstance(node, kind[0]):
        return loader.construct_object(node, deep=True)
    # Containers may be aliased (built once) or recursive (refused), as construct_object does.
    if node in loader.constructed_objects:
        return loader.constructed_objects[node]
    if node in loader.recursive_objects:
        raise yaml.constructor.ConstructorError(None, None, "found unconstructable recursive node",
                                                node.start_mark)
    loader.recursive_objects[node] = None
    result = kind[1](loader, node)
    loader.constructed_objects[node] = result
    del loader.recursive_objects[node]
    return result


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    offset = 1 + loader.line_offset
    result.line = node.start_mark.line + offset
    result.key_lines = key_lines = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + offset
        if not isinstance(key_node, yaml.ScalarNode):
            loader.complex_keys.append(line)
            continue
        key = _construct(loader, key_node)
        if key in result:
            loader.duplicates.append((line, key))
        result[key] = _construct(loader, value_node)
        key_lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    offset = 1 + loader.line_offset
    result = LineList(_construct(loader, child) for child in node.value)
    result.line = node.start_mark.line + offset
    result.item_lines = [child.start_mark.line + offset for child in node.value]
    return result


_BUILDERS = {
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG: (yaml.MappingNode, _construct_mapping),
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG: (yaml.SequenceNode, _construct_sequence),
}


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date or time as YAML reads it; one that does not exist (2023-02-30) stays text, for
    the field's own check to report."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_ANCHORED = (yaml.AliasEvent, yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def _aliases(text: str) -> list[int]:
    """0-based lines of the YAML anchors (&name) and aliases (*name) in ``text``.

    Refused in seed files: nothing needs them, and an alias bomb (aliases of aliases) expands
    to billions of values. Parsing again costs little, and only files with '&' or '*' pay it."""
    if "&" not in text and "*" not in text:
        return []
    lines = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or (isinstance(event, _ANCHORED) and event.anchor):
                lines.append(event.start_mark.line)
    except yaml.YAMLError:
        pass  # reported by the load itself
    return lines


def parse_yaml(text: str, path: str, problems: list[Problem], line_offset: int = 0) -> Any:
    """Parse YAML, recording line numbers; a syntax error becomes a problem and None."""
    aliases = _aliases(text)
    if aliases:
        for line in sorted(set(aliases)):
            problems.append(Problem(path, line + 1 + line_offset, "YAML anchors and aliases (&name, *name) are not allowed",
                                    "write the value out in full"))
        return None
    loader = _Loader(text)
    loader.line_offset = line_offset
    loader.duplicates = []
    loader.complex_keys = []
    try:
        data = loader.get_single_data()
    except RecursionError:
        problems.append(Problem(path, 1 + line_offset, "malformed YAML: nested too deeply"))
        return None
    except (ValueError, TypeError, OverflowError) as exc:  # a value its tag cannot take (!!int x, !!binary …)
        problems.append(Problem(path, 1 + line_offset, f"malformed YAML value: {exc}"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        context_mark = getattr(exc, "context_mark", None)
        if context and context_mark and mark and context_mark.line != mark.line:
            what += f" ({context} on line {context_mark.line + 1 + line_offset})"
        problems.append(Problem(path, line, f"malformed YAML: {what}"))
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        problems.append(Problem(path, line, f"duplicate key {key!r}"))
    for line in loader.complex_keys:
        problems.append(Problem(path, line, "a key must be a plain value, not a list or mapping ('? …' complex key)"))
    return data


def read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    """Read a UTF-8 file; anything else becomes a problem."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(
            shown, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8"))
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


MAX_SEED_BYTES = 64 * 1024 * 1024
"""A seed file larger than this is refused (an article of 64 MB is a mistake, not an article)."""


def read_seed(path: Path, shown: str, problems: list[Problem]) -> str | None:
    """Read a seed file: a regular, readable UTF-8 file with no control characters but tab
    and newline. Anything else becomes a problem on that path (None when it cannot be read)."""
    try:
        info = path.lstat()
    except OSError as exc:
        problems.append(Problem(shown, 1, f"cannot read: {exc.strerror or exc}"))
        return None
    if stat.S_ISLNK(info.st_mode):
        problems.append(Problem(shown, 1, f"is a symbolic link (to {os.readlink(path)!r}); seed files must be regular files",
                                "copy the file itself into the seeds"))
        return None
    if stat.S_ISDIR(info.st_mode):
        problems.append(Problem(shown, 1, "is a folder, not a file", "rename or move the folder"))
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.append(Problem(shown, 1, "is not a regular file", "replace it by a text file"))
        return None
    if info.st_size > MAX_SEED_BYTES:
        problems.append(Problem(shown, 1, f"file too large ({info.st_size:,} bytes; at most {MAX_SEED_BYTES:,})"))
        return None
    try:
        text = read_text(path, shown, problems)
    except OSError as exc:
        problems.append(Problem(shown, 1, f"cannot read: {exc.strerror or exc}"))
        return None
    if text is not None:
        found = control_characters(text)
        if found:
            line = text.count("\n", 0, found[0][0]) + 1
            problems.append(Problem(shown, line, f"control characters in the file: {summarize(found, text)}",
                                    "delete them (only tab and newline are allowed)"))
        invisible = invisible_characters(text)
        if invisible:
            line = text.count("\n", 0, invisible[0][0]) + 1
            problems.append(Problem(shown, line, f"invisible formatting characters: {summarize(invisible, text)}",
                                    "they can make text read differently from what it says; keep them only "
                                    "where the language needs them", severity="warning"))
    return text


def collect_seeds(seeds_dir: Path, problems: list[Problem], root: Path | None = None, steps: Steps = SILENT,
                  memo: Memo | None = None) -> Seeds:
    """Load what can be loaded, appending a problem for everything else. With ``memo`` (``serve``),
    an article file unchanged since the last build is not read again."""
    root = root if root is not None else seeds_dir.parent
    seen: set[tuple] = set()

    def loaded(path: Path, key: tuple, load: Any, merge: Any = None) -> Any:
        """``load(problems)``, or with ``memo`` what it gave last time if the file is unchanged."""
        if memo is None:
            return load(problems)
        seen.add(key)
        return memo.load(path, key, load, problems, merge)

    topics_path = seeds_dir / "topics.yml"
    shown = _shown(topics_path, root)
    topics = loaded(topics_path, ("topics", shown), lambda found: load_topics(topics_path, shown, found))
    # When topics.yml itself cannot be read, checking topic names would only add noise.
    known = frozenset(t.slug for t in topics) if topics is not None else None
    topics = topics or []
    articles: list[Article] = []
    first_seen: dict[str, str] = {}
    unloaded: set[str] = set()
    articles_dir = seeds_dir / "articles"
    if not articles_dir.is_dir():
        problems.append(Problem(_shown(articles_dir, root), 1, "folder of articles not found",
                                f"create {_shown(articles_dir, root)}/ and put one .md file per article in it"))
    found = sorted(articles_dir.glob("*.md"), key=lambda p: p.name) if articles_dir.is_dir() else []
    for path in steps.each("reading articles", found):
        if path.name.startswith("."):
            continue  # hidden: an editor's lock or backup file, never an article
        shown = _shown(path, root)
        article = loaded(path, ("article", shown, known),
                         lambda found, path=path, shown=shown: load_article(path, shown, known, found), same_parts)
        if article is None:
            unloaded.add(path.stem)  # its problem is reported; events citing it need no other
            continue
        if article.id in first_seen:
            problems.append(Problem(
                shown, _id_line(path), f"duplicate article id {article.id!r} (also in {first_seen[article.id]})",
                "give each article its own id"))
            continue
        first_seen[article.id] = shown
        articles.append(article)
    people_path, events_path = seeds_dir / "people.yml", seeds_dir / "events.yml"
    shown_people, shown_events = _shown(people_path, root), _shown(events_path, root)
    people = loaded(people_path, ("people", shown_people), lambda found: load_people(people_path, shown_people, found))
    ids, missing = frozenset(first_seen), frozenset(unloaded)
    events = loaded(events_path, ("events", shown_events, known, ids, missing),
                    lambda found: load_events(events_path, shown_events, known, set(ids), found, set(missing)))
    if memo is not None:
        memo.forget_files_except(seen)
    return Seeds(topics=tuple(topics), articles=tuple(articles), people=people, events=events)


def same_parts(old: Article | None, new: Article | None) -> Article | None:
    """``new`` (an article read again), its paragraphs and excerpts equal to ``old``'s being
    ``old``'s very objects: what an edit left alone stays the same object (``core/memo.py``)."""
    if old is None or new is None:
        return new
    paragraphs = {p: p for p in old.paragraphs}
    excerpts = {e: e for e in old.excerpts}
    return dataclasses.replace(new, paragraphs=tuple(paragraphs.get(p, p) for p in new.paragraphs),
                               excerpts=tuple(excerpts.get(e, e) for e in new.excerpts))


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _id_line(path: Path) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if line.startswith("id:"):
            return number
    return 1


def _unknown_fields(data: LineDict, allowed: set[str], what: str, path: str, problems: list[Problem]) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(sorted(allowed))}"
            problems.append(Problem(path, data.line_of(key), f"unknown {what} field {key!r}", hint))


def _string(data: LineDict, key: str, path: str, problems: list[Problem], required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            problems.append(Problem(path, data.line, f"missing required field {key!r}"))
        return ""
    if not isinstance(value, str):
        problems.append(Problem(path, data.line_of(key), f"{key!r} must be text (got {value!r})"))
        return ""
    if required and not value.strip():
        problems.append(Problem(path, data.line_of(key), f"{key!r} must not be empty"))
    return value.strip()


def _strings(data: LineDict, key: str, path: str, problems: list[Problem]) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(path, data.line_of(key), f"{key!r} must be a list of text (got {value!r})"))
        return ()
    return tuple(v.strip() for v in value)


def _check_id(value: str, what: str, path: str, line: int, problems: list[Problem]) -> bool:
    if SAFE_ID.match(value):
        return True
    problems.append(Problem(
        path, line, f"unsafe {what} {value!r}",
        "use 1 to 100 lower-case letters, digits and hyphens, starting with a letter or digit"))
    return False


def load_topics(path: Path, shown: str, problems: list[Problem]) -> list[Topic] | None:
    """Read ``topics.yml``; None when the file cannot be read at all."""
    if not (path.exists() or path.is_symlink()):
        problems.append(Problem(shown, 1, "topics file not found", "every briefing needs seeds/topics.yml"))
        return None
    text = read_seed(path, shown, problems)
    if text is None:
        return None
    before = len(problems)
    data = parse_yaml(text, shown, problems)
    if data is None:
        if len(problems) == before:
            problems.append(Problem(shown, 1, "the topics file is empty", "list the topics under 'topics:'"))
        return None
    items = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        problems.append(Problem(shown, getattr(data, "line", 1), "expected a non-empty list under 'topics:'"))
        return []
    topics: list[Topic] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        line = items.item_lines[index]
        if not isinstance(item, LineDict):
            problems.append(Problem(shown, line, f"a topic must be a mapping (got {item!r})"))
            continue
        _unknown_fields(item, TOPIC_FIELDS, "topic", shown, problems)
        slug = _string(item, "slug", shown, problems, required=True)
        title = _string(item, "title", shown, problems, required=True)
        scope = _string(item, "scope", shown, problems, required=True)
        bottom_line = _string(item, "bottom_line", shown, problems, required=True)
        related = _strings(item, "related", shown, problems)
        key_points = _sentences(item, "key_points", shown, problems)
        watch = _sentences(item, "watch", shown, problems)
        positions = _positions(item, shown, problems)
        rules = parse_rules(item.get("rules"), shown, item.line_of("rules"), problems)
        if not slug or not _check_id(slug, "topic slug", shown, item.line_of("slug"), problems):
            continue
        if slug in seen:
            problems.append(Problem(shown, item.line_of("slug"), f"duplicate topic slug {slug!r}"))
            continue
        seen.add(slug)
        changed = " ".join(_string(item, "changed", shown, problems).split())
        lines = tuple((field, item.line_of(field)) for field in ("bottom_line", "changed", "key_points", "watch", "positions")
                      if field in item)
        lines += tuple((f"{field}[{i}]", line) for field, entries in (("key_points", key_points), ("watch", watch))
                       for i, (_, line) in enumerate(entries))
        lines += tuple((f"positions.{p.stance}", p.line) for p in positions)
        topics.append(Topic(slug=slug, title=title, scope=scope, bottom_line=bottom_line,
                            related=related, rules=rules, line=item.line, src_path=shown,
                            key_points=tuple(t for t, _ in key_points), watch=tuple(t for t, _ in watch),
                            positions=positions, lines=lines, changed=changed,
                            corrections=_corrections(item, shown, problems)))
    for topic, item in zip(topics, [i for i in items if isinstance(i, LineDict)]):
        for other in topic.related:
            if other not in seen or other == topic.slug:
                problems.append(Problem(shown, item.line_of("related"), f"unknown related topic {other!r} in {topic.slug!r}",
                                        _suggest(other, seen)))
    return topics


def _sentences(data: LineDict, key: str, path: str, problems: list[Problem]) -> tuple[tuple[str, int], ...]:
    """A list of editor's sentences (key points, what to watch), each with its line."""
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, LineList) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(Problem(path, data.line_of(key), f"{key!r} must be a list of sentences (got {value!r})",
                                "write one '- sentence' per line"))
        return ()
    return tuple((" ".join(v.split()), line) for v, line in zip(value, value.item_lines))


def _positions(data: LineDict, path: str, problems: list[Problem]) -> tuple[Position, ...]:
    """``positions:``: for each stance, an optional ``summary`` and ``leads`` (excerpt ids)."""
    value = data.get("positions")
    if value is None:
        return ()
    if not isinstance(value, LineDict):
        problems.append(Problem(path, data.line_of("positions"), f"'positions' must be a mapping of sides (got {value!r})",
                                f"for example: positions: {{{STANCES[0]}: {{summary: …, leads: [excerpt-id]}}}}"))
        return ()
    found = []
    for stance, entry in value.items():
        line = value.line_of(stance)
        if stance not in STANCES:
            problems.append(Problem(path, line, f"unknown side {stance!r} in 'positions'", f"use one of: {', '.join(STANCES)}"))
            continue
        if not isinstance(entry, LineDict):
            problems.append(Problem(path, line, f"the position of {stance!r} must be a mapping with 'summary' and 'leads'"))
            continue
        _unknown_fields(entry, POSITION_FIELDS, "position", path, problems)
        summary = " ".join(_string(entry, "summary", path, problems).split())
        leads = _strings(entry, "leads", path, problems)
        if len(leads) > MAX_LEADS:
            problems.append(Problem(path, entry.line_of("leads"), f"{len(leads)} lead quotes for {stance!r}",
                                    f"choose at most {MAX_LEADS}"))
            leads = leads[:MAX_LEADS]
        found.append(Position(stance=stance, summary=summary, leads=leads, line=line))
    return tuple(found)


RULE_FIELDS = {"terms", "context", "with", "without", "passing", "focus", "threshold", "article"}
DEFAULT_THRESHOLD = 2.0


def _number(value: Any) -> float | None:
    """A finite int or float (YAML's true/false are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _phrase(value: Any, what: str, path: str, line: int, problems: list[Problem]) -> str | None:
    """A rule phrase: text with at least one letter or digit (``opioid*`` allowed)."""
    if not isinstance(value, str):
        problems.append(Problem(path, line, f"{what} must be text (got {value!r})",
                                "put it in quotes: YAML reads yes, no, on, off, numbers and dates as other types"))
        return None
    phrase = value.strip()
    if not any(c.isalnum() for c in phrase):
        problems.append(Problem(path, line, f"{what} must contain a word (got {value!r})"))
        return None
    return phrase


def _phrases(value: Any, what: str, path: str, line: int, problems: list[Problem]) -> tuple[str, ...]:
    """A list of phrases (a single phrase is taken as a list of one)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.append(Problem(path, line, f"{what} must be a list of phrases (got {value!r})",
                                "write it as [phrase, phrase, …]"))
        return ()
    lines = getattr(value, "item_lines", None) or [line] * len(value)
    found = (_phrase(v, f"a phrase of {what}", path, lines[i], problems) for i, v in enumerate(value))
    return tuple(dict.fromkeys(p for p in found if p))


def parse_rules(data: Any, path: str, line: int, problems: list[Problem]) -> Rules:
    """A topic's ``rules:`` mapping, checked in full (see ``suggest`` for what each rule does)."""
    if data is None:
        return Rules()
    if not isinstance(data, dict):
        problems.append(Problem(path, line, f"'rules' must be a mapping of terms, with, without and threshold (got {data!r})"))
        return Rules()
    line_of = data.line_of if isinstance(data, LineDict) else (lambda key: line)
    for key in data:
        if key not in RULE_FIELDS:
            close = difflib.get_close_matches(str(key), sorted(RULE_FIELDS), n=1)
            problems.append(Problem(path, line_of(key), f"unknown rule {key!r}",
                                    f"did you mean {close[0]!r}?" if close else f"known rules: {', '.join(sorted(RULE_FIELDS))}"))
    terms = _weighted(data.get("terms"), "terms", path, line_of("terms"), problems)
    context = _weighted(data.get("context"), "context", path, line_of("context"), problems)
    companions: dict[str, tuple[str, ...]] = {}
    raw_with = data.get("with")
    if isinstance(raw_with, dict):
        key_lines = getattr(raw_with, "key_lines", {})
        for term, others in raw_with.items():
            term_line = key_lines.get(term, line_of("with"))
            phrase = _phrase(term, "a term of 'with'", path, term_line, problems)
            needed = _phrases(others, f"'with' of {term!r}", path, term_line, problems)
            if phrase and needed:
                companions[phrase] = needed
            elif phrase and isinstance(others, list) and not others:
                problems.append(Problem(path, term_line, f"'with' of {term!r} is empty", "list the words it needs, or remove it"))
    elif raw_with is not None:
        problems.append(Problem(path, line_of("with"), f"'with' must be a mapping of term: [phrase, …] (got {raw_with!r})",
                                "for example: with: {Russia*: [war, weapons]}"))
    excluded = _phrases(data["without"], "'without'", path, line_of("without"), problems) if data.get("without") is not None else ()
    passing = _phrases(data["passing"], "'passing'", path, line_of("passing"), problems) if data.get("passing") is not None else ()
    focus = _phrases(data["focus"], "'focus'", path, line_of("focus"), problems) if data.get("focus") is not None else ()
    threshold = _score(data, "threshold", path, line_of, problems)
    article = _score(data, "article", path, line_of, problems)
    return Rules(terms=tuple(terms.items()), companions=tuple(companions.items()), excluded=excluded,
                 threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
                 context=tuple(context.items()), passing=passing, focus=focus, article=article)


def _weighted(raw: Any, key: str, path: str, line: int, problems: list[Problem]) -> dict[str, float]:
    """``terms`` or ``context``: a mapping of phrase → weight, or a list of phrases (weight 1)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        return {p: 1.0 for p in _phrases(raw, f"'{key}'", path, line, problems)}
    found: dict[str, float] = {}
    key_lines = getattr(raw, "key_lines", {})
    what = "a term" if key == "terms" else f"a phrase of '{key}'"
    for term, weight in raw.items():
        term_line = key_lines.get(term, line)
        phrase = _phrase(term, what, path, term_line, problems)
        number = _number(weight)
        if number is None:
            where = f"term {term!r}" if key == "terms" else f"{term!r} in '{key}'"
            problems.append(Problem(path, term_line, f"the weight of {where} must be a number (got {weight!r})"))
        elif phrase:
            found[phrase] = number
    return found


def _score(data: dict, key: str, path: str, line_of: Any, problems: list[Problem]) -> float | None:
    """``threshold`` or ``article``: a number, 0 or more; None when not given or wrong."""
    if key not in data:
        return None
    number = _number(data[key])
    if number is None or number < 0:
        problems.append(Problem(path, line_of(key), f"'{key}' must be a number, 0 or more (got {data[key]!r})"))
        return None
    return number


def rules_of(data: dict) -> Rules:
    """Rules from a plain mapping (for tools and tests); ``SeedsInvalid`` when they are wrong."""
    problems: list[Problem] = []
    rules = parse_rules(data, "<rules>", 1, problems)
    if problems:
        raise SeedsInvalid(problems)
    return rules


def _suggest(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1)
    if close:
        return f"did you mean {close[0]!r}? known topics: {', '.join(sorted(known))}"
    return f"known topics: {', '.join(sorted(known))}"


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split ``---``-fenced YAML front matter from the body; return (yaml, body, body_line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    return None


def split_paragraphs(body: str, first_line: int) -> tuple[Paragraph, ...]:
    """Paragraphs are runs of non-blank lines; lines within one are joined by a space."""
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    start = first_line
    for offset, line in enumerate(body.split("\n")):
        if line.strip():
            if not current:
                start = first_line + offset
            current.append(line.strip())
        elif current:
            paragraphs.append(Paragraph(len(paragraphs) + 1, " ".join(current), start))
            current = []
    if current:
        paragraphs.append(Paragraph(len(paragraphs) + 1, " ".join(current), start))
    return tuple(paragraphs)


def _date(data: LineDict, path: str, problems: list[Problem]) -> tuple[dt.date | None, str]:
    """``published``: a day (``YYYY-MM-DD``), a month (``YYYY-MM``) or a range of days
    (``YYYY-MM-DD..YYYY-MM-DD``). Returns the first possible day and, when it is not one day,
    the date as written."""
    value = data.get("published")
    if value is None:
        return None, ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str) and (MONTH.match(value) or ".." in value):
        ends = value.split("..")
        if len(ends) == 2 and not all(len(end) == 10 for end in ends):
            days, why = None, f"range must be a date written YYYY-MM-DD..YYYY-MM-DD (got {value!r})"
        else:
            days, why = parse_span(ends)
        if days is None:
            problems.append(Problem(path, data.line_of("published"), f"'published' {why}"))
            return None, ""
        return days[0], value
    if isinstance(value, dt.date):
        date, why = check_date_range(value)
    else:
        date, why = parse_date(value) if isinstance(value, str) else (
            None, f"must be a date written YYYY-MM-DD, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (got {value!r})")
    if date is None:
        problems.append(Problem(path, data.line_of("published"), f"'published' {why}"))
    return date, ""


MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def load_article(path: Path, shown: str, topics: set[str] | None, problems: list[Problem]) -> Article | None:
    """Read one article file: YAML front matter, then paragraphs separated by blank lines."""
    text = read_seed(path, shown, problems)
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        problems.append(Problem(shown, 1, "missing front matter", "start the file with a '---' line, the metadata, and another '---' line"))
        return None
    front, body, body_line = parts
    before = len(problems)
    data = parse_yaml(front, shown, problems, line_offset=1)
    if data is None:
        if len(problems) == before:
            problems.append(Problem(shown, 2, "empty front matter"))
        return None
    if not isinstance(data, LineDict):
        problems.append(Problem(shown, 2, f"front matter must be a mapping (got {data!r})"))
        return None
    _unknown_fields(data, ARTICLE_FIELDS, "article", shown, problems)
    for key in REQUIRED_ARTICLE_FIELDS:
        if key not in data:
            problems.append(Problem(shown, 1, f"missing required field {key!r}"))
    article_id = _string(data, "id", shown, problems)
    title = _string(data, "title", shown, problems)
    if "title" in data and not title:
        problems.append(Problem(shown, data.line_of("title"), "'title' must not be empty"))
    published, published_range = _date(data, shown, problems)
    approximate = data.get("date_approximate", False)
    if not isinstance(approximate, bool):
        problems.append(Problem(shown, data.line_of("date_approximate"), f"'date_approximate' must be true or false (got {approximate!r})"))
        approximate = False
    language = _string(data, "language", shown, problems)
    if "language" in data and language_tag(language) != language:
        tag = language_tag(language)
        problems.append(Problem(shown, data.line_of("language"),
                                f"'language' must be a BCP 47 language tag in lower case, like 'en' or 'zh-hant' (got {language!r})",
                                f"write {tag!r}" if tag else ""))
    url = _string(data, "url", shown, problems)
    if url and (why := check_url(url, "'url'")):
        problems.append(Problem(shown, data.line_of("url"), why))
    paragraphs = split_paragraphs(body, body_line)
    if not paragraphs:
        problems.append(Problem(shown, body_line - 1, "article has no text after the front matter"))
    if article_id:
        _check_id(article_id, "article id", shown, data.line_of("id"), problems)
    excerpts = _excerpts(data, article_id or path.stem, shown, topics, problems)
    # Returned even when fields above were wrong (their problems are recorded and fail the
    # build), so that its excerpts are still checked in the same run.
    return Article(
        id=article_id or path.stem, title=title or path.stem, source=_string(data, "source", shown, problems),
        url=url, published=published or dt.date.min, date_approximate=approximate,
        authors=_strings(data, "authors", shown, problems), language=language,
        paragraphs=paragraphs, excerpts=excerpts, src_path=shown,
        source_note=_string(data, "source_note", shown, problems),
        date_note=_string(data, "date_note", shown, problems),
        removed=_strings(data, "removed", shown, problems),
        translation=_translation(data, shown, problems), corrections=_corrections(data, shown, problems),
        published_range=published_range, via=_string(data, "via", shown, problems),
        original_sha256=_string(data, "original_sha256", shown, problems),
    )


def _translation(data: LineDict, path: str, problems: list[Problem]) -> str:
    value = _string(data, "translation", path, problems)
    if value and value not in TRANSLATIONS:
        problems.append(Problem(path, data.line_of("translation"), f"unknown translation {value!r}",
                                f"use one of: {', '.join(TRANSLATIONS)}, or leave it out"))
        return ""
    return value


def _corrections(data: LineDict, path: str, problems: list[Problem]) -> tuple[Correction, ...]:
    """``corrections:``, a list of ``{date: YYYY-MM-DD, text: …}``, oldest first."""
    items = data.get("corrections")
    if items is None:
        return ()
    if not isinstance(items, LineList):
        problems.append(Problem(path, data.line_of("corrections"), "'corrections' must be a list of {date, text}"))
        return ()
    found = []
    for item, line in zip(items, items.item_lines):
        if not isinstance(item, LineDict) or set(item) - {"date", "text"} or not item.get("text"):
            problems.append(Problem(path, line, "a correction is {date: YYYY-MM-DD, text: what was corrected}"))
            continue
        raw = item.get("date")
        date, why = (check_date_range(raw) if isinstance(raw, dt.date) else
                     parse_date(raw) if isinstance(raw, str) else (None, "must be a date written YYYY-MM-DD"))
        if date is None:
            problems.append(Problem(path, item.line_of("date"), f"correction date {why}"))
            continue
        text = _string(item, "text", path, problems)
        found.append(Correction(date=date.isoformat(), text=" ".join(text.split())))
    return tuple(found)


def _excerpts(data: LineDict, article_id: str, path: str, topics: set[str] | None, problems: list[Problem]) -> tuple[Excerpt, ...]:
    items = data.get("excerpts")
    if items is None:
        return ()
    if not isinstance(items, list):
        problems.append(Problem(path, data.line_of("excerpts"), f"'excerpts' must be a list (got {items!r})"))
        return ()
    excerpts: list[Excerpt] = []
    for index, item in enumerate(items):
        line = items.item_lines[index]
        if not isinstance(item, LineDict):
            problems.append(Problem(path, line, f"an excerpt must be a mapping with 'quote' and 'topics' (got {item!r})"))
            continue
        _unknown_fields(item, EXCERPT_FIELDS, "excerpt", path, problems)
        quote = _string(item, "quote", path, problems, required=True)
        sic = _strings(item, "sic", path, problems)
        for word in sic:
            if not word or word not in quote:
                problems.append(Problem(path, item.line_of("sic"), f"{word!r} (marked sic) is not in the quote",
                                        "list words exactly as the quote writes them"))
        sic = tuple(w for w in sic if w and w in quote)
        name = _string(item, "id", path, problems)
        if name and not _check_id(name, "excerpt id", path, item.line_of("id"), problems):
            name = ""
        tags = _strings(item, "topics", path, problems)
        if "topics" not in item or not tags:
            problems.append(Problem(path, item.line_of("topics"), "excerpt has no topics", "add 'topics: [slug, …]'"))
        for slug in tags:
            if topics is not None and slug not in topics:
                problems.append(Problem(path, item.line_of("topics"), f"unknown topic {slug!r}", _suggest(slug, topics)))
        stance = item.get("stance")
        if stance is not None and stance not in EXCERPT_STANCES:
            problems.append(Problem(path, item.line_of("stance"), f"unknown stance {stance!r}",
                                    f"use one of: {', '.join(EXCERPT_STANCES)}, or leave it out"))
            stance = None
        unreviewed = item.get("unreviewed", False)
        if not isinstance(unreviewed, bool):
            problems.append(Problem(path, item.line_of("unreviewed"), f"'unreviewed' must be true or false (got {unreviewed!r})"))
            unreviewed = False
        # Kept even when a field above is wrong (that problem fails the build), so that its
        # quote is looked for in the same run and every problem is reported at once.
        if quote and tags:
            excerpts.append(Excerpt(
                article_id=article_id, quote=quote, topics=tuple(dict.fromkeys(tags)), line=item.line_of("quote"),
                prefix=_string(item, "prefix", path, problems), suffix=_string(item, "suffix", path, problems),
                stance=stance, note=_string(item, "note", path, problems), reviewed=not unreviewed,
                number=index + 1, id=name, sic=sic, speaker=_string(item, "speaker", path, problems)))
    return tuple(excerpts)


PERSON_FIELDS = {"id", "name", "aliases", "role", "side"}
EVENT_FIELDS = {"date", "title", "topics", "support", "note", "order"}
SUPPORT_FIELDS = {"article", "quote", "prefix", "suffix"}
EVENT_DATE = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")


def _items(path: Path, shown: str, key: str, problems: list[Problem]) -> list[tuple[int, LineDict]] | None:
    """The mappings listed under ``key:`` in an optional YAML file (None when it is absent)."""
    if not (path.exists() or path.is_symlink()):
        return None
    text = read_seed(path, shown, problems)
    data = parse_yaml(text, shown, problems) if text is not None else None
    if data is None:
        return []
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(shown, getattr(data, "line", 1), f"expected a list under '{key}:'"))
        return []
    result = []
    for index, item in enumerate(items):
        if isinstance(item, LineDict):
            result.append((items.item_lines[index], item))
        else:
            problems.append(Problem(shown, items.item_lines[index], f"an entry of '{key}' must be a mapping (got {item!r})"))
    return result


def load_people(path: Path, shown: str, problems: list[Problem]) -> tuple[Person, ...]:
    """Read ``people.yml`` (optional)."""
    people: list[Person] = []
    seen: set[str] = set()
    for line, item in _items(path, shown, "people", problems) or []:
        _unknown_fields(item, PERSON_FIELDS, "person", shown, problems)
        person_id = _string(item, "id", shown, problems, required=True)
        name = _string(item, "name", shown, problems, required=True)
        side = item.get("side")
        if side not in SIDES:
            problems.append(Problem(shown, item.line_of("side"), f"unknown side {side!r} for {person_id or name!r}",
                                    f"use one of: {', '.join(SIDES)}"))
        if not person_id or not _check_id(person_id, "person id", shown, item.line_of("id"), problems):
            continue
        if person_id in seen:
            problems.append(Problem(shown, item.line_of("id"), f"duplicate person id {person_id!r}"))
            continue
        seen.add(person_id)
        aliases = _strings(item, "aliases", shown, problems) or (name,)
        people.append(Person(id=person_id, name=name, aliases=tuple(dict.fromkeys(a for a in aliases if a)),
                             role=_string(item, "role", shown, problems), side=str(side), line=line, src_path=shown))
    return tuple(people)


def load_events(path: Path, shown: str, topics: set[str] | None, articles: set[str],
                problems: list[Problem], unloaded: set[str] = frozenset()) -> tuple[Event, ...]:
    """Read ``events.yml`` (optional); every event needs at least one supporting quote."""
    events: list[Event] = []
    for line, item in _items(path, shown, "events", problems) or []:
        _unknown_fields(item, EVENT_FIELDS, "event", shown, problems)
        raw = item.get("date")
        date = raw.isoformat() if isinstance(raw, dt.date) else str(raw if raw is not None else "")
        ends = date.split("..") if date.count("..") == 1 else [date]
        if not all(EVENT_DATE.match(d) for d in ends) or (len(ends) == 2 and not all(len(d) == 10 for d in ends)):
            problems.append(Problem(shown, item.line_of("date"), "event date must be YYYY, YYYY-MM, YYYY-MM-DD or a range "
                                    f"YYYY-MM-DD..YYYY-MM-DD (got {raw!r})"))
            continue
        days, why = parse_span(ends)
        if days is None:
            problems.append(Problem(shown, item.line_of("date"), f"event date {why}"))
            continue
        order = item.get("order", 0)
        if isinstance(order, bool) or not isinstance(order, int):
            problems.append(Problem(shown, item.line_of("order"), f"'order' must be a whole number (got {order!r})"))
            order = 0
        title = _string(item, "title", shown, problems, required=True)
        tags = _strings(item, "topics", shown, problems)
        for slug in tags:
            if topics is not None and slug not in topics:
                problems.append(Problem(shown, item.line_of("topics"), f"unknown topic {slug!r}", _suggest(slug, topics)))
        support: list[Support] = []
        entries = item.get("support")
        if not isinstance(entries, list) or not entries:
            problems.append(Problem(shown, item.line_of("support"), f"event {title!r} has no supporting excerpt",
                                    "add 'support:' with the article id and the quote that states it"))
            continue
        for index, entry in enumerate(entries):
            entry_line = entries.item_lines[index]
            if not isinstance(entry, LineDict):
                problems.append(Problem(shown, entry_line, f"a support entry must have 'article' and 'quote' (got {entry!r})"))
                continue
            _unknown_fields(entry, SUPPORT_FIELDS, "support", shown, problems)
            article = _string(entry, "article", shown, problems, required=True)
            quote = _string(entry, "quote", shown, problems, required=True)
            if article in unloaded:
                continue  # an article that failed to load, with its own error
            if article and article not in articles:
                problems.append(Problem(shown, entry.line_of("article"), f"unknown article {article!r}",
                                        _close(article, articles, "articles")))
                continue
            if article and quote:
                support.append(Support(article_id=article, quote=quote, line=entry_line,
                                       prefix=_string(entry, "prefix", shown, problems),
                                       suffix=_string(entry, "suffix", shown, problems)))
        if title and support:
            events.append(Event(date=date, title=title, topics=tags, support=tuple(support), line=line,
                                src_path=shown, note=_string(item, "note", shown, problems), order=order))
    return tuple(events)


def _close(value: str, known: set[str], what: str) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else f"see the ids of seeds/{what}/"
