"""The page cache (``briefing/site/cache.py``): a rebuild builds only the pages whose inputs
changed, and its site is byte-identical to a build without the cache, whatever was edited."""

from __future__ import annotations

import filecmp
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.site import building, cache
from briefing.site.publish import Variant, publish_site
from briefing.site.settings import Overrides
from conftest import ROOT, SEEDS, run_build


def build(seeds: Path, templates: Path, out: Path, cache_dir: Path | None) -> building.PageBuilds | None:
    """Build the project of ``templates.parent`` (its mkdocs.yml, docs/ and templates/, the theme
    included) in this process; the build's use of the cache (None without one)."""
    used: list = []
    original = building.activate

    def spy(builds):
        if builds is not None and builds.store is not None:
            used.append(builds)
        original(builds)

    building.activate = spy
    try:
        publish_site(templates.parent, out, Variant(overrides=Overrides(
            seeds_dir=seeds, templates_dir=templates, cache=cache_dir is not None, cache_dir=cache_dir)))
    finally:
        building.activate = original
    return used[-1] if used else None


def same_tree(a: Path, b: Path) -> list[str]:
    """Files that differ, or are in one tree only (empty: byte-identical)."""
    found = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        found.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b), "")
    return sorted(found)


def copy_project(folder: Path) -> tuple[Path, Path]:
    """A private project in ``folder``: mkdocs.yml, docs/, templates/ and the fixture seeds."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", folder / "docs")
    shutil.copytree(ROOT / "templates", folder / "templates")
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "briefing").mkdir()  # watched under serve
    return folder / "seeds", folder / "templates"


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    return copy_project(tmp_path / "project")


def test_a_rebuild_with_nothing_changed_takes_every_page_from_the_cache(project, tmp_path):
    seeds, templates = project
    first = build(seeds, templates, tmp_path / "a", tmp_path / "cache")
    second = build(seeds, templates, tmp_path / "b", tmp_path / "cache")
    assert first.built > 30 and first.hits == 0
    assert second.built == 0 and second.hits == first.built
    assert same_tree(tmp_path / "a", tmp_path / "b") == []


@pytest.mark.slow
def test_an_edited_article_rebuilds_its_own_page_and_the_pages_that_show_it(project, tmp_path):
    seeds, templates = project
    build(seeds, templates, tmp_path / "a", tmp_path / "cache")
    article = next((seeds / "articles").glob("2023-06-blinken-visit-preview*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nA paragraph added at the end.\n", encoding="utf-8")
    warm = build(seeds, templates, tmp_path / "b", tmp_path / "cache")
    build(seeds, templates, tmp_path / "cold", None)
    assert same_tree(tmp_path / "b", tmp_path / "cold") == []
    assert 1 <= warm.built <= 3, warm  # the article's page (and none of the other articles')
    assert warm.hits > 30


@pytest.fixture
def two_processes(monkeypatch):
    """Build every other page in a second process, however few pages there are."""
    monkeypatch.setattr(building, "PARALLEL_MIN_PAGES", 2)


@pytest.mark.slow  # builds twice or three times; the fast tier keeps one rebuild
def test_two_processes_build_the_same_site_as_one(project, tmp_path, monkeypatch):
    seeds, templates = project
    build(seeds, templates, tmp_path / "one", None)
    monkeypatch.setattr(building, "PARALLEL_MIN_PAGES", 2)
    cold = build(seeds, templates, tmp_path / "two", tmp_path / "cache")
    warm = build(seeds, templates, tmp_path / "warm", tmp_path / "cache")
    assert same_tree(tmp_path / "one", tmp_path / "two") == [] and same_tree(tmp_path / "one", tmp_path / "warm") == []
    assert cold.built == warm.hits > 30 and warm.built == 0  # the second process's pages were stored too


@pytest.mark.slow  # builds twice or three times; the fast tier keeps one rebuild
def test_one_markdown_converter_for_all_pages_gives_the_same_site(project, tmp_path, monkeypatch):
    seeds, templates = project
    build(seeds, templates, tmp_path / "pooled", None)
    monkeypatch.setattr(building._PooledMarkdown, "Markdown", lambda self, **options: self.module.Markdown(**options))
    build(seeds, templates, tmp_path / "one-per-page", None)
    assert same_tree(tmp_path / "pooled", tmp_path / "one-per-page") == []


@pytest.mark.slow  # builds twice or three times; the fast tier keeps one rebuild
def test_one_navigation_per_folder_gives_the_same_site_as_one_per_page(project, tmp_path, monkeypatch):
    from briefing.site.plugin import BriefingPlugin

    seeds, templates = project
    build(seeds, templates, tmp_path / "memo", None)
    monkeypatch.setattr(BriefingPlugin, "_nav_key", lambda self, page: None)
    build(seeds, templates, tmp_path / "per-page", None)
    assert same_tree(tmp_path / "memo", tmp_path / "per-page") == []


@pytest.mark.slow
def test_a_failure_in_either_process_fails_the_build_and_leaves_the_site(project, tmp_path, two_processes):
    seeds, templates = project
    build(seeds, templates, tmp_path / "site", tmp_path / "cache")
    before = sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*"))
    path = templates / "theme" / "main.html"
    text = path.read_text(encoding="utf-8").replace(
        "{% block site_meta %}", "{% block site_meta %}{% if page and page.url.startswith('articles/') %}{{ 1 / 0 }}{% endif %}", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match="division by zero"):
        build(seeds, templates, tmp_path / "site", tmp_path / "cache")
    assert sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*")) == before


# --- random edits: warm against cold ------------------------------------------------------------

def _replace_line(path: Path, starts: str, new: str, nth: int) -> bool:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if line.lstrip().startswith(starts)]
    if not found:
        return False
    i = found[nth % len(found)]
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    lines[i] = f"{indent}{starts} {new}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return True


WORDS = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=20).map(lambda s: s.strip() or "x")


def _edit(seeds: Path, templates: Path, kind: str, nth: int, word: str) -> None:
    """One edit an editor could make, keeping the seeds valid."""
    articles = sorted((seeds / "articles").glob("*.md"))
    article = articles[nth % len(articles)]
    if kind == "article text":
        article.write_text(article.read_text(encoding="utf-8") + f"\nAdded: {word}.\n", encoding="utf-8")
    elif kind == "article title":
        _replace_line(article, "title:", f"'Title {word}'", 0)
    elif kind == "topic scope":
        _replace_line(seeds / "topics.yml", "scope:", f"Scope {word}.", nth)
    elif kind == "person role":
        text = (seeds / "people.yml").read_text(encoding="utf-8")
        (seeds / "people.yml").write_text(text.replace("role: US Secretary of State,", f"role: Role {word},", 1),
                                          encoding="utf-8")
    elif kind == "event title":
        _replace_line(seeds / "events.yml", "title:", f"Event {word}", nth)
    elif kind == "body template":
        path = templates / ["article.html.j2", "topic.html.j2", "person.html.j2"][nth % 3]
        path.write_text(path.read_text(encoding="utf-8") + f"\n<p>{word}</p>\n", encoding="utf-8")
    elif kind == "theme template":
        path = templates / "theme" / "main.html"
        path.write_text(path.read_text(encoding="utf-8") + f"\n{{#- {word} -#}}\n<!-- {word} -->\n", encoding="utf-8")


EDITS = st.lists(st.tuples(st.sampled_from(["article text", "article title", "topic scope", "person role",
                                             "event title", "body template", "theme template"]),
                           st.integers(0, 20), WORDS), min_size=1, max_size=3)


@pytest.mark.slow  # two builds per example
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS, parallel=st.booleans())
def test_a_warm_build_is_byte_identical_to_a_cold_one_whatever_was_edited(tmp_path_factory, monkeypatch, edits,
                                                                          parallel):
    monkeypatch.setattr(building, "PARALLEL_MIN_PAGES", 2 if parallel else 10**9)
    tmp = tmp_path_factory.mktemp("edits")
    seeds, templates = copy_project(tmp / "project")
    build(seeds, templates, tmp / "before", tmp / "cache")
    for kind, nth, word in edits:
        _edit(seeds, templates, kind, nth, word)
    warm = build(seeds, templates, tmp / "warm", tmp / "cache")
    build(seeds, templates, tmp / "cold", None)
    assert same_tree(tmp / "warm", tmp / "cold") == [], edits
    assert warm.hits + warm.built > 30


# --- off, damaged, foreign, clean ---------------------------------------------------------------

@pytest.mark.slow
def test_without_the_cache_nothing_is_read_or_written(project, tmp_path):
    seeds, templates = project
    assert build(seeds, templates, tmp_path / "a", None) is None
    result = run_build("--seeds", str(seeds), "--out", str(tmp_path / "b"), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert same_tree(tmp_path / "a", tmp_path / "b") == []
    assert not (templates.parent / ".cache").exists()


@pytest.mark.slow
@pytest.mark.parametrize("content", [b"not a database at all", "sqlite-foreign"])
def test_a_damaged_or_foreign_cache_is_ignored_with_a_notice(project, tmp_path, capfd, content):
    seeds, templates = project
    folder = tmp_path / "cache"
    folder.mkdir()
    if content == "sqlite-foreign":
        db = sqlite3.connect(folder / cache.STORE_NAME)
        db.execute("CREATE TABLE meta (name TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('format', 'somebody else 9')")
        db.commit()
        db.close()
    else:
        (folder / cache.STORE_NAME).write_bytes(content)
    before = (folder / cache.STORE_NAME).read_bytes()
    builds = build(seeds, templates, tmp_path / "a", folder)
    assert builds.hits == 0
    assert "building without it" in capfd.readouterr().err
    assert (folder / cache.STORE_NAME).read_bytes() == before  # left as it was
    build(seeds, templates, tmp_path / "cold", None)
    assert same_tree(tmp_path / "a", tmp_path / "cold") == []


@pytest.mark.slow
def test_a_failed_build_stores_nothing(project, tmp_path):
    seeds, templates = project
    path = templates / "theme" / "main.html"  # fails at the first page MkDocs builds
    text = path.read_text(encoding="utf-8").replace("{% block site_meta %}", "{% block site_meta %}{{ 1 / 0 }}", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception):
        build(seeds, templates, tmp_path / "a", tmp_path / "cache")
    db = sqlite3.connect(tmp_path / "cache" / cache.STORE_NAME)
    assert db.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == 0


def test_clean_removes_the_cache_briefing_made_and_nothing_else(tmp_path):
    folder = cache.cache_dir(tmp_path)
    store = cache.PageCache(folder)
    store.put("k", b"<html>", [])
    store.commit()
    store.close()
    assert sorted(p.name for p in folder.iterdir()) == ["CACHEDIR.TAG", cache.STORE_NAME]
    assert [p.name for p in cache.clean(tmp_path)] == ["CACHEDIR.TAG", cache.STORE_NAME]
    assert not folder.exists()
    other = tmp_path / "other"
    (cache.cache_dir(other)).mkdir(parents=True)
    (cache.cache_dir(other) / "notes.txt").write_text("mine")
    assert cache.clean(other) == [] and (cache.cache_dir(other) / "notes.txt").exists()
