"""`check` passing means the build passes: every seed problem is a `path:line: message`, never a traceback."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from briefing.core.errors import SeedsInvalid
from briefing.site.pipeline import compose, verify
from conftest import ROOT, fast_sample, run_build

FIXTURE_SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
XI = "articles/2023-06-xi-blinken-pledge-stabilize-ties.md"
PROBLEM = re.compile(r"^(?:[^\s:][^:]*):(\d+): ")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the frozen fixture seeds."""
    return Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "seeds"))


def edit(seeds: Path, name: str, old: str, new: str) -> None:
    path = seeds / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(seeds: Path) -> list[str]:
    """The messages `check` reports, each checked to be `path:line: …`; [] when the seeds are fine."""
    try:
        verify(seeds, root=seeds.parent)
    except SeedsInvalid as exc:
        for problem in exc.problems:
            assert problem.path and problem.line >= 1, problem
        return [str(p) for p in exc.problems]
    return []


def assert_check_fails(seeds: Path, *expected: str) -> str:
    """`python build.py check` exits 1 with `path:line` messages containing ``expected``, no traceback."""
    result = run_build("check", "--seeds", str(seeds))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line and not line.startswith("    ")]
    assert lines and all(PROBLEM.match(line) for line in lines[:-1]), result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


def test_an_impossible_publication_date_is_a_line_error(seeds: Path):
    edit(seeds, XI, "published: 2023-06-19", "published: 2023-02-30")
    assert_check_fails(seeds, f"seeds/{XI}:6: 'published' no such date: '2023-02-30'")


def test_an_impossible_event_date_is_a_line_error(seeds: Path):
    edit(seeds, "events.yml", "date: 2022-08", "date: 2022-02-30")
    assert_check_fails(seeds, "seeds/events.yml:8: event date no such date: '2022-02-30'")


@pytest.mark.parametrize("value, words", fast_sample([
    ("20230619", "must be a date written YYYY-MM-DD"),
    ("1899-12-31", "out of range"),
    ("2101-01-01", "out of range"),
    ("[2023]", "must be a date"),
    ("2023-06-19 10:00:00", "YYYY-MM-DD"),
], keep=2))
def test_publication_dates_must_be_real_and_in_range(seeds: Path, value: str, words: str):
    edit(seeds, XI, "published: 2023-06-19", f"published: {value}")
    if value == "2023-06-19 10:00:00":  # a time of day is dropped: the date stands
        assert problems_of(seeds) == []
        return
    assert_check_fails(seeds, words)


@pytest.mark.slow
def test_a_newest_article_before_1970_builds_end_to_end(tmp_path: Path):
    seeds = Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "seeds"))
    for path in (seeds / "articles").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"published: \d{4}", "published: 1965", text, count=1), encoding="utf-8")
    out = tmp_path / "site"
    result = run_build("build", "--seeds", str(seeds), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "sitemap.xml.gz").is_file()
    dist = tmp_path / "dist"
    assert run_build("bundle", "--seeds", str(seeds), "--out", str(dist)).returncode == 0
    assert [p.name[:22] for p in dist.glob("*.zip")] == ["briefing-offline-1965-"]


def test_a_complex_yaml_key_is_a_line_error(seeds: Path):
    edit(seeds, XI, "language: en\n", "language: en\n? [a, b]\n: c\n")
    assert_check_fails(seeds, f"seeds/{XI}:10: a key must be a plain value")


def test_duplicate_keys_are_line_errors(seeds: Path):
    edit(seeds, XI, "language: en\n", "language: en\nlanguage: fr\n")
    assert_check_fails(seeds, f"seeds/{XI}:10: duplicate key 'language'")


def test_an_alias_bomb_is_refused_at_once(seeds: Path):
    bomb = "".join(f"  - &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]\n"
                   for i in range(1, 12))
    edit(seeds, XI, "authors: []\n", "authors:\n  - &l0 lol\n" + bomb)
    start = time.monotonic()
    stderr = assert_check_fails(seeds, "YAML anchors and aliases (&name, *name) are not allowed")
    assert time.monotonic() - start < 30  # was 46 s and a MemoryError
    assert f"seeds/{XI}:6:" in stderr


def test_a_dangling_symlink_a_folder_and_a_fifo_named_md_are_errors_on_their_paths(seeds: Path):
    articles = seeds / "articles"
    (articles / "gone.md").symlink_to(articles / "nowhere.md")
    (articles / "folder.md").mkdir()
    os.mkfifo(articles / "pipe.md")
    stderr = assert_check_fails(seeds)
    assert "seeds/articles/gone.md:1: is a symbolic link" in stderr
    assert "seeds/articles/folder.md:1: is a folder, not a file" in stderr
    assert "seeds/articles/pipe.md:1: is not a regular file" in stderr


def test_a_symlinked_topics_file_is_an_error(seeds: Path, tmp_path: Path):
    moved = tmp_path / "topics.yml"
    (seeds / "topics.yml").rename(moved)
    (seeds / "topics.yml").symlink_to(moved)
    assert_check_fails(seeds, "seeds/topics.yml:1: is a symbolic link")


def test_hidden_files_in_the_articles_folder_are_not_articles(seeds: Path):
    (seeds / "articles" / ".#lock.md").symlink_to("editor@host.1234")  # what Emacs leaves while editing
    (seeds / "articles" / ".draft.md").write_text("not front matter")
    assert problems_of(seeds) == []


@pytest.mark.parametrize("rules, expected", fast_sample([
    ("with: [war]", "'with' must be a mapping of term: [phrase, …]"),
    ("without: 5", "'without' must be a list of phrases (got 5)"),
    ("terms: {Taiwan: high}", "the weight of term 'Taiwan' must be a number"),
    ("terms: {Taiwan: .nan}", "the weight of term 'Taiwan' must be a number"),
    ("terms: {No: 2}", "a term must be text (got False)"),
    ("terms: {'*': 2}", "a term must contain a word"),
    ("threshold: -1", "'threshold' must be a number, 0 or more"),
    ("threshold: yes", "'threshold' must be a number"),
    ("with: {Taiwan: 5}", "'with' of 'Taiwan' must be a list of phrases"),
    ("trems: {Taiwan: 2}", "unknown rule 'trems'"),
    ("terms: 7", "'terms' must be a list of phrases"),
    ("context: {Tsai: lots}", "the weight of 'Tsai' in 'context' must be a number"),
    ("passing: 3", "'passing' must be a list of phrases (got 3)"),
    ("article: -2", "'article' must be a number, 0 or more"),
], keep=3))
def test_topic_rules_of_the_wrong_shape_fail_check_with_their_line(seeds: Path, rules: str, expected: str):
    key = rules.split(":")[0]
    if key in ("threshold", "article"):  # replace the one the fixture has
        edit(seeds, "topics.yml", f"      {key}: {'1' if key == 'threshold' else '2'}\n", f"      {rules}\n")
    else:
        edit(seeds, "topics.yml", "      threshold: 1\n", f"      threshold: 1\n      {rules}\n")
    assert_check_fails(seeds, expected, "seeds/topics.yml:")


def test_commands_that_read_rules_never_crash_on_wrong_rules(seeds: Path, tmp_path: Path):
    edit(seeds, "topics.yml", "      threshold: 1\n", "      threshold: 1\n      with: [war]\n      without: 5\n")
    pasted = tmp_path / "new.txt"
    pasted.write_text("A headline\n\nTaiwan was discussed at length by both sides.\n")
    for args in (["suggest"], ["suggest", "--evaluate"],
                 ["add-article", str(pasted), "--source", "X", "--date", "2024-06-03"], ["build", "--out", str(tmp_path / "s")]):
        result = run_build(*args, "--seeds", str(seeds))
        assert result.returncode == 1 and "Traceback" not in result.stderr, (args, result.stderr)
        assert "seeds/topics.yml:" in result.stderr


def test_an_empty_topics_file_fails_check(seeds: Path):
    (seeds / "topics.yml").write_text("")
    assert_check_fails(seeds, "seeds/topics.yml:1: the topics file is empty")
    (seeds / "topics.yml").write_text("# only a comment\n")
    assert_check_fails(seeds, "seeds/topics.yml:1: the topics file is empty")


@pytest.mark.parametrize("name", ["people.yml", "events.yml"])
def test_empty_optional_files_are_fine(seeds: Path, name: str):
    (seeds / name).write_text("")
    assert problems_of(seeds) == []


def test_control_characters_in_a_seed_are_errors_and_invisible_ones_warnings(seeds: Path):
    edit(seeds, XI, "Progress Made During Talks", "Progress\x00 Made\x1b During Talks")
    assert_check_fails(seeds, f"seeds/{XI}:", "U+0000 NULL", "U+001B ESCAPE")
    edit(seeds, XI, "Progress\x00 Made\x1b During Talks", "Progress Made \u202eDuring Talks")
    result = run_build("check", "--seeds", str(seeds))
    assert result.returncode == 0 and "U+202E RIGHT-TO-LEFT OVERRIDE" in result.stderr
    assert run_build("check", "--strict", "--seeds", str(seeds)).returncode == 1


@pytest.mark.parametrize("old, new, expected", fast_sample([
    ("language: en", "language: EN", "'language' must be a BCP 47 language tag in lower case"),
    ("language: en", "language: '[x'", "'language' must be a BCP 47"),
    ('url: ""', "url: 'javascript:alert(1)'", "'url' must be an absolute http:// or https:// URL"),
    ('url: ""', "url: 'https://example.org/\"><script>'", "'url' must not contain"),
    ("id: 2023-06-xi-blinken-pledge-stabilize-ties", "id: 2023-06-19", "'id' must be text"),
    ("title: Washington and Beijing Pledge to Stabilize Deteriorating Ties", "title: [1, 2]", "'title' must be text"),
    ("authors: []", "authors: [1, 2]", "'authors' must be a list of text"),
    ("excerpts:\n", "excerpts: {a: 1}\nx:\n", "'excerpts' must be a list"),
    ("date_approximate: true", "date_approximate: maybe", "'date_approximate' must be true or false"),
], keep=3))
def test_fields_of_the_wrong_type_are_line_errors(seeds: Path, old: str, new: str, expected: str):
    edit(seeds, XI, old, new)
    assert_check_fails(seeds, expected)


def test_everything_wrong_is_reported_in_one_run(seeds: Path):
    edit(seeds, XI, "published: 2023-06-19", "published: 2023-02-30")
    edit(seeds, "events.yml", "date: 2022-08", "date: 2022-13")
    edit(seeds, "topics.yml", "      threshold: 1\n", "      threshold: one\n")
    (seeds / "articles" / "folder.md").mkdir()
    stderr = assert_check_fails(seeds)
    assert stderr.strip().endswith("4 errors")


def test_a_seed_file_over_the_size_limit_is_refused(seeds: Path, monkeypatch: pytest.MonkeyPatch):
    import briefing.core.load

    monkeypatch.setattr(briefing.core.load, "MAX_SEED_BYTES", 1000)
    messages = problems_of(seeds)
    assert any("file too large" in m for m in messages)


def test_check_passing_means_the_fixture_composes(seeds: Path):
    assert problems_of(seeds) == []
    composed = compose(seeds, ROOT / "templates", root=seeds.parent)
    assert composed.pages


def test_a_wrong_topic_does_not_hide_a_wrong_quote_in_the_same_excerpt(seeds: Path):
    edit(seeds, XI, "quote: But, Blinken told media,", "quote: But, Blinken told our media,")
    edit(seeds, XI, "topics: [mil-to-mil]\n  - quote: there", "topics: [mil-to-milx]\n  - quote: there")
    stderr = assert_check_fails(seeds, "unknown topic 'mil-to-milx'", "quote not found")
    assert stderr.strip().endswith("2 errors")
