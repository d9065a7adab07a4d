"""An editor's change to seeds/ breaks no test: the tests read the frozen tests/fixtures/seeds.

A copy of the project (its tracked files, committed, as a clean clone has them) gets the pasted
articles of tests/fixtures/new/ added to its editorial seeds/ with its own `build.py add-article`
(one dated after every article of today's seeds; excerpts on every topic), passes its own `build.py check`, and then passes
its own fast tier of tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_tracked_files, git
from test_editors import FIXTURES, OTHER

INSIDE_THE_COPY = "BRIEFING_EDITORIAL_COPY"


def run(repo: Path, *argv: str, timeout: int = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *argv], cwd=repo, capture_output=True, text=True, timeout=timeout,
                          env=env)


# Slow: it runs the whole fast tier once more. The copy runs `-m "not slow"`, so never this test.
@pytest.mark.slow
@pytest.mark.skipif(os.environ.get(INSIDE_THE_COPY) == "1", reason="already running inside the project's copy")
def test_adding_articles_to_the_editorial_seeds_breaks_no_test(tmp_path: Path):
    repo = copy_tracked_files(tmp_path / "repo")
    git(repo, "init", "-q", "-b", "main")  # a clone, as an editor has it (some tests list its files with git)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "as cloned")
    articles = repo / "seeds" / "articles"
    before = len(list(articles.glob("*.md")))
    pasted = sorted((repo / "tests" / "fixtures" / "new").glob("*.txt"))
    assert pasted
    for path in pasted:
        date, source, extra = FIXTURES.get(path.name, OTHER)
        added = run(repo, "build.py", "add-article", str(path.relative_to(repo)), "--source", source, "--date", date,
                    *extra)
        assert added.returncode == 0, added.stderr
    assert len(list(articles.glob("*.md"))) == before + len(pasted)
    check = run(repo, "build.py", "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith(f"OK: {before + len(pasted)} articles, ")
    # The copy's own package and tests, also in the subprocesses its tests start.
    env = {**os.environ, INSIDE_THE_COPY: "1", "PYTHONPATH": str(repo)}
    tests = run(repo, "-m", "pytest", "-m", "not browser and not slow", "-x", "-q", "-p", "no:cacheprovider",
                timeout=1200, env=env)
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-2000:]
    passed = re.search(r"(\d+) passed", tests.stdout)
    assert passed and int(passed.group(1)) >= 200, tests.stdout[-2000:]  # the fast tier ran, not a handful
