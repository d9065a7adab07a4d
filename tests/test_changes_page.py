"""The reviewer's Changes page, from data: prose as a word-level difference, every excerpt once,
a summary, and 'no changes' when there are none."""

from __future__ import annotations

import pytest

from dataclasses import replace

from briefing.core.model import Seeds
from briefing.editor.changes import compare_seeds, word_diff
from briefing.site.pipeline import verify
from conftest import SEEDS


def _base_and_head():
    head = verify(SEEDS, SEEDS.parent)
    base = Seeds(head.topics, head.articles, head.people, tuple(e.event for e in head.events))
    return base, head


def test_a_word_level_difference_keeps_what_is_the_same():
    runs = word_diff("Blinken pressed China on precursor chemicals.", "Blinken meant to raise precursor chemicals.")
    assert runs == (("same", "Blinken "), ("removed", "pressed China on "), ("added", "meant to raise "),
                    ("same", "precursor chemicals."))
    assert word_diff("same", "same") == (("same", "same"),)


def test_changed_prose_and_notes_are_listed_with_their_difference():
    base, head = _base_and_head()
    fentanyl = next(t for t in base.topics if t.slug == "fentanyl")
    older = replace(fentanyl, bottom_line=fentanyl.bottom_line.replace("meant to raise", "pressed China on"))
    base = replace(base, topics=tuple(older if t.slug == "fentanyl" else t for t in base.topics))
    page = compare_seeds(base, head, "main")
    (change,) = page.prose
    assert change.where == "Fentanyl: bottom line"
    assert ("removed", "pressed China on ") in change.diff and ("added", "meant to raise ") in change.diff
    assert any("Editor's prose: 1 change (Fentanyl: bottom line)" == line for line in page.summary)
    assert not page.empty


def test_an_excerpt_on_two_topics_is_listed_once_with_both():
    base, head = _base_and_head()
    shared = next(a for a in head.excerpts if len(a.excerpt.topics) > 1)
    article = next(a for a in base.articles if a.id == shared.excerpt.article_id)
    without = replace(article, excerpts=tuple(e for e in article.excerpts if e != shared.excerpt))
    base = replace(base, articles=tuple(without if a.id == article.id else a for a in base.articles))
    page = compare_seeds(base, head, "main")
    added = [c for c in page.excerpts if c.kind == "added"]
    assert len(added) == 1 and added[0].excerpt.topics == shared.excerpt.topics
    assert sum(1 for t in page.topics for c in t.changes if c.kind == "added") == len(shared.excerpt.topics)
    assert [h[1] for h in page.headings] == ["summary", "excerpts", "articles"]


def test_no_change_says_so():
    base, head = _base_and_head()
    page = compare_seeds(base, head, "main")
    assert page.empty and page.headings == () and not page.prose and not page.events_added


@pytest.mark.slow  # build.py processes; the logic is tested in-process above
def test_check_diff_prints_the_summary_in_the_terminal(tmp_path):
    import shutil
    from conftest import git, run_build
    repo = tmp_path / "repo"
    shutil.copytree(SEEDS, repo / "seeds")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    topics = repo / "seeds" / "topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("meant to raise", "wanted to raise", 1),
                      encoding="utf-8")
    result = run_build("check", "--seeds", str(repo / "seeds"), "--diff", "main")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Changes since main (") and "  Articles: 0 added, 0 changed, 0 removed" in lines
    assert any(line.startswith("  Fentanyl: bottom line: ") and "[-" in line and "{+" in line for line in lines), lines
    unchanged = run_build("check", "--seeds", str(repo / "seeds"), "--diff", "HEAD")
    assert "  Editor's prose: 1 change (Fentanyl: bottom line)" in unchanged.stdout
    missing = run_build("check", "--seeds", str(repo / "seeds"), "--diff", "no-such-branch")
    assert missing.returncode == 2 and "is not a commit" in missing.stderr and "Traceback" not in missing.stderr
