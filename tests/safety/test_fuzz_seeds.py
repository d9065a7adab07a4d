"""Fuzzing the seeds: whatever an editor's slip does to a seed file, loading either succeeds or
fails with the project's own error, every problem naming a path and a line. And when it
succeeds, the pages compose: `check` passing means the build passes."""

from __future__ import annotations

import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.core.errors import SeedsInvalid
from briefing.site.pipeline import compose
from conftest import ROOT

FIXTURE_SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
FILES = sorted(p.relative_to(FIXTURE_SEEDS).as_posix() for p in FIXTURE_SEEDS.rglob("*") if p.is_file())
ORIGINALS = {name: (FIXTURE_SEEDS / name).read_text(encoding="utf-8") for name in FILES}

VALUES = st.sampled_from([
    "", "~", "null", "0", "-1", "12", "3.5", ".nan", "-.inf", "1e999", "true", "no", "[]", "{}", "[a, b]",
    "{a: 1}", "[[1]]", "'x'", '"x"', "2023-02-30", "2022-13-01", "0001-01-01", "9999-12-31", "1969-12-31",
    "2024-06-03", "20240603", "2024-06", "2024", "1:20", "0x1F", "!!binary aGk=", "!!int x", "!!python/none ''",
    "&a [1]", "*a", "? [a]", "|\n  block\n", ">-\n  folded", "'", '"', "[", "{", "- x", "us", "china", "other",
    "taiwan", "[taiwan]", "[taiwan, nowhere]", "ukraine", "x" * 300, "<script>alert(1)</script>", "\u202eevil",
    "'\u0000'", "\t", "café", "中文", "🙂",
])
KEYS = st.sampled_from([
    "id", "title", "source", "published", "date_approximate", "language", "url", "authors", "excerpts", "quote",
    "topics", "stance", "note", "prefix", "suffix", "unreviewed", "removed", "slug", "scope", "bottom_line",
    "related", "rules", "terms", "with", "without", "threshold", "date", "support", "article", "name", "aliases",
    "side", "role", "nonsense", "Id", "<<",
])


@st.composite
def mutations(draw) -> dict[str, str]:
    """Seed files with one to three slips an editor might make."""
    files = dict(ORIGINALS)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(FILES))
        lines = files[name].split("\n")
        index = draw(st.integers(0, max(0, len(lines) - 1)))
        line = lines[index]
        indent = line[: len(line) - len(line.lstrip(" -"))]
        kind = draw(st.sampled_from(["delete", "duplicate", "retype", "rekey", "insert", "empty", "truncate",
                                     "indent", "garbage"]))
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "retype" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {draw(VALUES)}"
        elif kind == "rekey" and ":" in line:
            lines[index] = f"{indent}{draw(KEYS)}:{line.split(':', 1)[1]}"
        elif kind == "insert":
            lines.insert(index, f"{indent}{draw(KEYS)}: {draw(VALUES)}")
        elif kind == "empty":
            lines = [""]
        elif kind == "truncate":
            lines = lines[:index]
        elif kind == "indent":
            lines[index] = " " * draw(st.integers(0, 7)) + line.lstrip(" ")
        elif kind == "garbage":
            lines[index] = draw(st.text(max_size=40))
        files[name] = "\n".join(lines)
    return files


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_a_mutated_seed_loads_or_fails_with_path_line_problems_and_never_crashes(files: dict[str, str]):
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        for name, text in files.items():
            (seeds / name).parent.mkdir(parents=True, exist_ok=True)
            (seeds / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            composed = compose(seeds, ROOT / "templates", root=Path(tmp))
        except SeedsInvalid as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.path.startswith("seeds/") and problem.line >= 1, problem
                assert problem.message
            return
        assert composed.pages


def test_the_fuzzer_starts_from_seeds_that_compose(tmp_path: Path):
    seeds = Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "seeds"))
    assert compose(seeds, ROOT / "templates", root=tmp_path).pages


HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "{ onclick=alert(1) }", "<!-- material/tags -->",
    "&amp; &lt;", "*bold* _it_ `code`", "# Heading", "---", "| a | b |", "{{ page }}", "{% if %}", "\\", "]]>",
    '"><img src=x onerror=alert(1)>', "\u202eevil", "x\u2028y", "🙂 中文 العربية", "a" * 500,
])
TEXT = st.one_of(HOSTILE, st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=60)
                 .filter(lambda s: s.strip()))


def _one_cited_sentence(text: str, key: str) -> str:
    """``text`` as one sentence (no sentence end, no citation of its own), citing ``key``."""
    text = re.sub(r"\[\s*ex\s*:", "[ex ", text, flags=re.IGNORECASE)
    return re.sub(r"[.!?]", "·", text) + f" [ex:{key}]"


def _front_matter(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_text_in_any_field_builds_and_never_becomes_markup(data, tmp_path_factory):
    """Every free-text field of the seeds, given any text: `check` passes, the site builds, and
    no text becomes an element or an attribute."""
    from briefing.site.publish import Variant, publish_site
    from briefing.site.settings import Overrides

    tmp = tmp_path_factory.mktemp("any-text")
    seeds = Path(shutil.copytree(FIXTURE_SEEDS, tmp / "seeds"))
    topics = yaml.safe_load((seeds / "topics.yml").read_text(encoding="utf-8"))
    for topic in topics["topics"]:
        for field in ("title", "scope"):
            topic[field] = data.draw(TEXT, label=f"topic {field}")
        # Editor's prose must cite, one sentence at a time: any text, made one sentence, cited.
        key = re.search(r"\[ex:([a-z0-9-]+)\]", topic["bottom_line"]).group(1)
        for field in ("bottom_line", "changed"):
            topic[field] = _one_cited_sentence(data.draw(TEXT, label=f"topic {field}"), key)
        topic["key_points"] = [_one_cited_sentence(data.draw(TEXT, label="key point"), key)]
    (seeds / "topics.yml").write_text(yaml.safe_dump(topics, allow_unicode=True), encoding="utf-8")
    people = yaml.safe_load((seeds / "people.yml").read_text(encoding="utf-8"))
    for person in people["people"][:3]:
        person["name"] = data.draw(TEXT, label="person name")
        person["role"] = data.draw(TEXT, label="person role")
    (seeds / "people.yml").write_text(yaml.safe_dump(people, allow_unicode=True), encoding="utf-8")
    events = yaml.safe_load((seeds / "events.yml").read_text(encoding="utf-8"))
    for event in events["events"][:3]:
        event["title"] = data.draw(TEXT, label="event title")
    (seeds / "events.yml").write_text(yaml.safe_dump(events, allow_unicode=True), encoding="utf-8")
    for path in sorted((seeds / "articles").glob("*.md"))[:2]:
        front, body = _front_matter(path.read_text(encoding="utf-8"))
        front.update(title=data.draw(TEXT, label="article title"), source=data.draw(TEXT, label="source"),
                     authors=[data.draw(TEXT, label="author")], source_note=data.draw(TEXT, label="source note"))
        for excerpt in front.get("excerpts") or []:
            excerpt["note"] = data.draw(TEXT, label="excerpt note")
        path.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body,
                        encoding="utf-8")
    out = tmp / "site"
    publish_site(ROOT, out, Variant(overrides=Overrides(seeds_dir=seeds)))
    for page in out.rglob("*.html"):
        assert _markup_from_text(page.read_text(encoding="utf-8")) == [], page


class _Elements(HTMLParser):
    """What the browser would make of a page: hostile elements and attributes found in it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (name in ("href", "src") and (value or "").strip().lower().startswith("javascript:")):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")

    def handle_data(self, data: str) -> None:
        if self._script and "alert(1)" in data:
            self.found.append(f"<script>{data[:40]}")

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def _markup_from_text(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    return parser.found
