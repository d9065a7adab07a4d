"""`python build.py serve`: an edit to a seed article shows in the open page, and only the
pages whose content changed are rewritten in the served folder."""

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from conftest import copy_project, free_port, get_text, wait_for

ARTICLE = "articles/2023-06-xi-blinken-pledge-stabilize-ties"
# A paragraph of that article that no excerpt or event quotes: only its own page shows it.
UNQUOTED = "Choice Between Dialogue or Confrontation"
REWRITTEN = re.compile(r"Briefing: (\d+) pages? rewritten(?:: ([^;]*))?;")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``build.py serve`` on a copy of the project; yields (base URL, project, log file)."""
    project = copy_project(tmp_path_factory.mktemp("serve") / "project")
    log = project.parent / "serve.log"
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with open(log, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen([sys.executable, "build.py", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                   cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: UNQUOTED in get_text(f"{base}/{ARTICLE}/")), log.read_text()
        yield base, project, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def rebuilds(log) -> list[tuple[int, list[str]]]:
    """Each build's count and list of rewritten pages, from the server's log."""
    return [(int(n), names.split(", ") if names else []) for n, names in REWRITTEN.findall(log.read_text())]


def edit(project, old: str, new: str) -> None:
    seed = project / "seeds" / f"{ARTICLE}.md"
    text = seed.read_text(encoding="utf-8")
    assert old in text
    seed.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_to_one_paragraph_rewrites_only_that_article_page(server):
    base, project, log = server
    first = rebuilds(log)
    assert len(first) == 1 and first[0][0] > 30  # the first build writes every page
    edit(project, UNQUOTED, "Choice Between Talks or Confrontation")
    assert wait_for(lambda: len(rebuilds(log)) == 2), log.read_text()
    assert rebuilds(log)[-1] == (1, [f"{ARTICLE}/index.html"])
    assert "Choice Between Talks or Confrontation" in get_text(f"{base}/{ARTICLE}/")
    assert "Choice Between Talks" in get_text(f"{base}/search/search_index.json")


def test_a_title_edit_rewrites_the_pages_that_show_the_title(server):
    base, project, log = server
    before = len(rebuilds(log))
    edit(project, "title: Washington and Beijing Pledge", "title: Retitled Washington and Beijing Pledge")
    assert wait_for(lambda: len(rebuilds(log)) == before + 1), log.read_text()
    count, pages = rebuilds(log)[-1]
    assert f"{ARTICLE}/index.html" in pages and "sources/index.html" in pages
    assert "Retitled Washington" in get_text(f"{base}/sources/")
    assert 1 < count < rebuilds(log)[0][0]


@pytest.mark.browser
def test_an_edit_shows_in_the_page_open_in_the_browser(server, page):
    base, project, log = server
    page.goto(f"{base}/{ARTICLE}/")
    expect(page.locator("h1")).to_be_visible()
    edit(project, "Choice Between", "Choice Seen Between")
    # Live reload reloads the open page once the rebuild is done; nothing is clicked.
    expect(page.locator("p.bx-para", has_text="Choice Seen Between")).to_be_visible(timeout=30_000)
