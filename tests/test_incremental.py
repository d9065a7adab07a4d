"""Under ``serve``, an edit to articles updates the served site in place (``site/incremental.py``)
with the process's memo of unchanged articles (``core/memo.py``): the served folder is then
byte-identical to what a whole build of the same seeds serves, whatever was edited."""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from briefing.core import memo as memo_module
from briefing.core.errors import Problem
from briefing.core.load import collect_seeds
from briefing.core.memo import Memo
from briefing.site import incremental
from briefing.site.pipeline import compose
from conftest import ROOT
from test_cache import copy_project, same_tree

SERVE_URL = "http://127.0.0.1:8000/"


class Serving:
    """``mkdocs serve`` in this process, without the server: the first build, then each rebuild
    through the builder the plugin guards (which updates in place when it can)."""

    def __init__(self, project: Path, served: Path) -> None:
        # A plugin with on_startup is kept by MkDocs across load_config calls: start afresh, not
        # with a plugin (and the command-line overrides) of an earlier build in this process.
        MkDocsConfig.plugins.plugin_cache.clear()
        self.config_file = str(project / "mkdocs.yml")
        self.served = served
        self.whole_builds = 0
        config = self._config()
        config.plugins.on_startup(command="serve", dirty=False)
        self.plugin = config.plugins["briefing"]
        self.rebuilds = self.plugin._guarded(self._whole_build)
        self.plugin._guarded(mkdocs_build)(config, serve_url=SERVE_URL)

    def _config(self) -> MkDocsConfig:
        config = load_config(config_file=self.config_file, site_dir=str(self.served))
        config.site_url = SERVE_URL
        return config

    def _whole_build(self) -> None:
        self.whole_builds += 1
        mkdocs_build(self._config(), serve_url=SERVE_URL)

    def rebuild(self) -> bool:
        """Rebuild as the server does after a change; whether it was updated in place."""
        self.whole_builds = 0
        self.rebuilds()
        return self.whole_builds == 0

    def close(self) -> None:
        self.plugin.on_shutdown()
        MkDocsConfig.plugins.plugin_cache.clear()  # the next session gets a plugin of its own


@pytest.fixture
def serving(tmp_path, monkeypatch):
    """Start a serve session on a private project (its articles kept by the memo at once)."""
    monkeypatch.setattr(memo_module, "RACY_NS", 0)
    sessions = []

    def start(project: Path, served: Path) -> Serving:
        session = Serving(project, served)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.close()
    MkDocsConfig.plugins.plugin_cache.clear()


def served_by_a_whole_build(project: Path, folder: Path) -> Path:
    """What a fresh server serves for the project as it is now."""
    session = Serving(project, folder)
    session.close()
    return folder


NEW_ARTICLE = """---
id: 2023-06-new
title: A new article
published: 2023-06-01
language: en
---

Its only paragraph.
"""


def _paragraph_added(article: Path, text: str) -> None:
    article.write_text(article.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{text}\n", encoding="utf-8")


def _sentence_added(article: Path, nth: int, text: str) -> None:
    """A sentence at the end of the nth paragraph of the body (quotes in it stay whole)."""
    head, _, body = article.read_text(encoding="utf-8").partition("\n---\n")
    paragraphs = body.split("\n\n")
    i = nth % len(paragraphs)
    paragraphs[i] = paragraphs[i].rstrip("\n") + f" {text}"
    article.write_text(head + "\n---\n" + "\n\n".join(paragraphs), encoding="utf-8")


# --- the memo -------------------------------------------------------------------------------

def test_an_unchanged_file_gives_the_same_article_object_and_an_edited_one_keeps_its_unchanged_parts(tmp_path,
                                                                                                   monkeypatch):
    monkeypatch.setattr(memo_module, "RACY_NS", 0)
    seeds, _ = copy_project(tmp_path / "project")
    memo = Memo()
    first = collect_seeds(seeds, [], memo=memo)
    second = collect_seeds(seeds, [], memo=memo)
    assert all(a is b for a, b in zip(first.articles, second.articles)) and first.topics[0] is second.topics[0]
    article = sorted((seeds / "articles").glob("*.md"))[1]
    _paragraph_added(article, "A paragraph added at the end.")
    third = collect_seeds(seeds, [], memo=memo)
    edited = next(a for a in third.articles if a.src_path.endswith(article.name))
    before = next(a for a in second.articles if a.id == edited.id)
    assert edited is not before and len(edited.paragraphs) == len(before.paragraphs) + 1
    assert all(p is q for p, q in zip(edited.paragraphs, before.paragraphs))  # the same objects
    assert all(e is f for e, f in zip(edited.excerpts, before.excerpts))
    assert sum(a is not b for a, b in zip(second.articles, third.articles)) == 1


def test_a_file_changed_just_before_it_was_read_is_read_again_next_time(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one")
    memo, reads = Memo(), []

    def load(problems: list[Problem]) -> str:
        reads.append(1)
        return path.read_text()

    memo.load(path, ("a",), load, [])
    memo.load(path, ("a",), load, [])
    assert len(reads) == 2  # racy: modified within RACY_NS of its reading
    old = time.time_ns() - 2 * memo_module.RACY_NS
    os.utime(path, ns=(old, old))
    memo.load(path, ("a",), load, [])
    memo.load(path, ("a",), load, [])
    assert len(reads) == 3


def test_problems_of_an_unchanged_file_are_reported_again(tmp_path, monkeypatch):
    monkeypatch.setattr(memo_module, "RACY_NS", 0)
    seeds, _ = copy_project(tmp_path / "project")
    article = sorted((seeds / "articles").glob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8").replace("title:", "title: \n# was:", 1), encoding="utf-8")
    memo = Memo()
    first: list[Problem] = []
    second: list[Problem] = []
    collect_seeds(seeds, first, memo=memo)
    collect_seeds(seeds, second, memo=memo)
    assert first and first == second


def test_composing_again_after_a_paragraph_is_added_changes_only_that_articles_page_data(tmp_path, monkeypatch):
    monkeypatch.setattr(memo_module, "RACY_NS", 0)
    seeds, templates = copy_project(tmp_path / "project")
    memo = Memo()
    before = compose(seeds, templates, memo=memo)
    assert incremental.changed_pages(before, compose(seeds, templates, memo=memo)) == []
    article = next((seeds / "articles").glob("2023-06-blinken-visit-preview*.md"))
    _paragraph_added(article, "An editor's paragraph.")  # no excerpt quotes it, it names nobody
    after = compose(seeds, templates, memo=memo)
    assert incremental.changed_pages(before, after) == [f"articles/{article.stem}.md"]
    cold = compose(seeds, templates)  # no memo: the same Markdown
    assert cold.pages == after.pages


def test_a_change_to_the_set_of_pages_needs_the_whole_build(tmp_path, monkeypatch):
    monkeypatch.setattr(memo_module, "RACY_NS", 0)
    seeds, templates = copy_project(tmp_path / "project")
    memo = Memo()
    before = compose(seeds, templates, memo=memo)
    (seeds / "articles" / "2023-06-new.md").write_text(NEW_ARTICLE, encoding="utf-8")
    assert incremental.changed_pages(before, compose(seeds, templates, memo=memo)) is None


# --- serve: in place = whole ------------------------------------------------------------------

@pytest.mark.slow
def test_an_edit_to_an_article_updates_its_page_in_place_as_a_whole_build_would(tmp_path, serving, caplog):
    seeds, _ = copy_project(tmp_path / "project")
    session = serving(tmp_path / "project", tmp_path / "served")
    article = next((seeds / "articles").glob("2023-06-blinken-visit-preview*.md"))
    _paragraph_added(article, "An editor's paragraph.")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.briefing"):
        assert session.rebuild()
    assert f"1 page rewritten: articles/{article.stem}/index.html; 1 other file" in caplog.text  # and the index
    expected = served_by_a_whole_build(tmp_path / "project", tmp_path / "whole")
    assert same_tree(tmp_path / "served", expected) == []


@pytest.mark.slow
def test_a_quote_broken_then_mended_serves_the_problems_then_the_site_in_place(tmp_path, serving):
    seeds, _ = copy_project(tmp_path / "project")
    session = serving(tmp_path / "project", tmp_path / "served")
    article = next((seeds / "articles").glob("2023-06-xi-blinken*.md"))
    good = article.read_text(encoding="utf-8")
    head, _, body = good.partition("\n---\n")
    quoted = "the list of problem areas is daunting"
    assert quoted in head and quoted in body
    article.write_text(head + "\n---\n" + body.replace(quoted, "the list is long"), encoding="utf-8")
    assert session.rebuild()
    assert session.plugin.error_page is not None and b"quote not found" in session.plugin.error_page
    _sentence_added(article, 5, "Mended.")
    article.write_text(good, encoding="utf-8")
    _sentence_added(article, 5, "Mended.")
    assert session.rebuild()
    assert session.plugin.error_page is None
    expected = served_by_a_whole_build(tmp_path / "project", tmp_path / "whole")
    assert same_tree(tmp_path / "served", expected) == []


def _edit(seeds: Path, kind: str, nth: int, word: str) -> None:
    """One edit an editor could make, keeping the seeds valid."""
    articles = sorted((seeds / "articles").glob("*.md"))
    article = articles[nth % len(articles)]
    if kind == "sentence":
        _sentence_added(article, nth, f"Added {word}.")
    elif kind == "paragraph":
        _paragraph_added(article, f"Added: {word}.")
    elif kind == "title":
        text = article.read_text(encoding="utf-8")
        article.write_text(re.sub(r"^title: .*$", f"title: 'Title {word}'", text, count=1, flags=re.M), encoding="utf-8")
    elif kind == "topics":
        path = seeds / "topics.yml"
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^(\s*)scope: .*$", rf"\1scope: Scope {word}.", text, count=1, flags=re.M),
                        encoding="utf-8")
    elif kind == "template":
        path = seeds.parent / "templates" / "article.html.j2"
        path.write_text(path.read_text(encoding="utf-8") + f"\n<p>{word}</p>\n", encoding="utf-8")
    elif kind == "added or removed":
        new = seeds / "articles" / "2023-06-new.md"
        if new.exists():
            new.unlink()
        else:
            new.write_text(NEW_ARTICLE, encoding="utf-8")


EDITS = st.lists(st.tuples(st.sampled_from(["sentence", "sentence", "paragraph", "title", "topics", "template", "added or removed"]),
                           st.integers(0, 40), st.text(alphabet="abcdefgh ijk", min_size=1, max_size=12).map(
                               lambda s: s.strip() or "x")),
                 min_size=1, max_size=3)


@pytest.mark.slow  # three builds per example
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=EDITS, then=EDITS)
def test_the_served_site_after_edits_is_byte_identical_to_a_whole_builds(tmp_path_factory, monkeypatch, first, then):
    monkeypatch.setattr(memo_module, "RACY_NS", 0)
    tmp = tmp_path_factory.mktemp("serve-edits")
    seeds, _ = copy_project(tmp / "project")
    session = Serving(tmp / "project", tmp / "served")
    try:
        for edits in (first, then):
            for kind, nth, word in edits:
                _edit(seeds, kind, nth, word)
            in_place = session.rebuild()
            assert session.plugin.error_page is None, (first, then)
            if all(kind in ("sentence", "paragraph") for kind, _, _ in edits):
                assert in_place, edits
    finally:
        session.close()
    expected = served_by_a_whole_build(tmp / "project", tmp / "whole")
    assert same_tree(tmp / "served", expected) == [], (first, then)
