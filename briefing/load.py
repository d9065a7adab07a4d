"""Stage 1: read ``seeds/`` into the data model, collecting every problem."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, SeedsInvalid
from .model import SIDES, STANCES, Article, Event, Excerpt, Paragraph, Person, Seeds, Support, Topic

SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
ARTICLE_FIELDS = {
    "id", "title", "source", "source_note", "url", "published", "date_approximate",
    "date_note", "authors", "language", "removed", "excerpts", "original_file",
}
REQUIRED_ARTICLE_FIELDS = ("id", "title", "published", "language")
EXCERPT_FIELDS = {"quote", "prefix", "suffix", "topics", "stance", "note", "unreviewed"}
TOPIC_FIELDS = {"slug", "title", "scope", "bottom_line", "related", "rules"}
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
        key = _construct(loader, key_node)
        line = key_node.start_mark.line + offset
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


def parse_yaml(text: str, path: str, problems: list[Problem], line_offset: int = 0) -> Any:
    """Parse YAML, recording line numbers; a syntax error becomes a problem and None."""
    loader = _Loader(text)
    loader.line_offset = line_offset
    loader.duplicates = []
    try:
        data = loader.get_single_data()
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


def load_seeds(seeds_dir: Path, root: Path | None = None) -> Seeds:
    """Load topics and articles; raise ``SeedsInvalid`` with every problem found."""
    problems: list[Problem] = []
    seeds = collect_seeds(seeds_dir, problems, root)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SeedsInvalid(problems)
    return seeds


def collect_seeds(seeds_dir: Path, problems: list[Problem], root: Path | None = None) -> Seeds:
    """Load what can be loaded, appending a problem for everything else."""
    root = root if root is not None else seeds_dir.parent
    topics = load_topics(seeds_dir / "topics.yml", _shown(seeds_dir / "topics.yml", root), problems)
    # When topics.yml itself cannot be read, checking topic names would only add noise.
    known = {t.slug for t in topics} if topics is not None else None
    topics = topics or []
    articles: list[Article] = []
    first_seen: dict[str, str] = {}
    articles_dir = seeds_dir / "articles"
    if not articles_dir.is_dir():
        problems.append(Problem(_shown(articles_dir, root), 1, "folder of articles not found"))
    for path in sorted(articles_dir.glob("*.md")) if articles_dir.is_dir() else []:
        shown = _shown(path, root)
        article = load_article(path, shown, known, problems)
        if article is None:
            continue
        if article.id in first_seen:
            problems.append(Problem(
                shown, _id_line(path), f"duplicate article id {article.id!r} (also in {first_seen[article.id]})",
                "give each article its own id"))
            continue
        first_seen[article.id] = shown
        articles.append(article)
    people = load_people(seeds_dir / "people.yml", _shown(seeds_dir / "people.yml", root), problems)
    events = load_events(seeds_dir / "events.yml", _shown(seeds_dir / "events.yml", root), known,
                         set(first_seen), problems)
    return Seeds(topics=tuple(topics), articles=tuple(articles), people=people, events=events)


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
    if not path.is_file():
        problems.append(Problem(shown, 1, "topics file not found"))
        return None
    text = read_text(path, shown, problems)
    data = parse_yaml(text, shown, problems) if text is not None else None
    if data is None:
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
        rules = item.get("rules") or {}
        if not isinstance(rules, dict):
            problems.append(Problem(shown, item.line_of("rules"), f"'rules' must be a mapping (got {rules!r})"))
            rules = {}
        if not slug or not _check_id(slug, "topic slug", shown, item.line_of("slug"), problems):
            continue
        if slug in seen:
            problems.append(Problem(shown, item.line_of("slug"), f"duplicate topic slug {slug!r}"))
            continue
        seen.add(slug)
        topics.append(Topic(slug=slug, title=title, scope=scope, bottom_line=bottom_line,
                            related=related, rules=dict(rules), line=item.line, src_path=shown))
    for topic, item in zip(topics, [i for i in items if isinstance(i, LineDict)]):
        for other in topic.related:
            if other not in seen or other == topic.slug:
                problems.append(Problem(shown, item.line_of("related"), f"unknown related topic {other!r} in {topic.slug!r}",
                                        _suggest(other, seen)))
    return topics


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


def _date(data: LineDict, path: str, problems: list[Problem]) -> dt.date | None:
    value = data.get("published")
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(path, data.line_of("published"),
                                f"'published' must be a date YYYY-MM-DD (got {value!r})"))
        return None


def load_article(path: Path, shown: str, topics: set[str] | None, problems: list[Problem]) -> Article | None:
    """Read one article file: YAML front matter, then paragraphs separated by blank lines."""
    text = read_text(path, shown, problems)
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
    published = _date(data, shown, problems)
    approximate = data.get("date_approximate", False)
    if not isinstance(approximate, bool):
        problems.append(Problem(shown, data.line_of("date_approximate"), f"'date_approximate' must be true or false (got {approximate!r})"))
        approximate = False
    language = _string(data, "language", shown, problems)
    if "language" in data and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", language):
        problems.append(Problem(shown, data.line_of("language"), f"'language' must be a language code like 'en' (got {language!r})"))
    url = _string(data, "url", shown, problems)
    if url and not re.match(r"^https?://", url):
        problems.append(Problem(shown, data.line_of("url"), f"'url' must start with http:// or https:// (got {url!r})"))
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
    )


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
        tags = _strings(item, "topics", path, problems)
        if "topics" not in item or not tags:
            problems.append(Problem(path, item.line_of("topics"), "excerpt has no topics", "add 'topics: [slug, …]'"))
        ok = bool(quote)
        for slug in tags:
            if topics is not None and slug not in topics:
                problems.append(Problem(path, item.line_of("topics"), f"unknown topic {slug!r}", _suggest(slug, topics)))
                ok = False
        stance = item.get("stance")
        if stance is not None and stance not in STANCES:
            problems.append(Problem(path, item.line_of("stance"), f"unknown stance {stance!r}",
                                    f"use one of: {', '.join(STANCES)}, or leave it out"))
            ok = False
        unreviewed = item.get("unreviewed", False)
        if not isinstance(unreviewed, bool):
            problems.append(Problem(path, item.line_of("unreviewed"), f"'unreviewed' must be true or false (got {unreviewed!r})"))
            ok = False
        if ok and tags:
            excerpts.append(Excerpt(
                article_id=article_id, quote=quote, topics=tuple(dict.fromkeys(tags)), line=line,
                prefix=_string(item, "prefix", path, problems), suffix=_string(item, "suffix", path, problems),
                stance=stance, note=_string(item, "note", path, problems), reviewed=not unreviewed))
    return tuple(excerpts)


PERSON_FIELDS = {"id", "name", "aliases", "role", "side"}
EVENT_FIELDS = {"date", "title", "topics", "support", "note"}
SUPPORT_FIELDS = {"article", "quote", "prefix", "suffix"}
EVENT_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _items(path: Path, shown: str, key: str, problems: list[Problem]) -> list[tuple[int, LineDict]] | None:
    """The mappings listed under ``key:`` in an optional YAML file (None when it is absent)."""
    if not path.is_file():
        return None
    text = read_text(path, shown, problems)
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
                problems: list[Problem]) -> tuple[Event, ...]:
    """Read ``events.yml`` (optional); every event needs at least one supporting quote."""
    events: list[Event] = []
    for line, item in _items(path, shown, "events", problems) or []:
        _unknown_fields(item, EVENT_FIELDS, "event", shown, problems)
        raw = item.get("date")
        date = raw.isoformat() if isinstance(raw, dt.date) else str(raw if raw is not None else "")
        if not EVENT_DATE.match(date):
            problems.append(Problem(shown, item.line_of("date"), f"event date must be YYYY, YYYY-MM or YYYY-MM-DD (got {raw!r})"))
            continue
        if len(date) == 10:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                problems.append(Problem(shown, item.line_of("date"), f"no such date: {date!r}"))
                continue
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
                                src_path=shown, note=_string(item, "note", shown, problems)))
    return tuple(events)


def _close(value: str, known: set[str], what: str) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else f"see the ids of seeds/{what}/"
