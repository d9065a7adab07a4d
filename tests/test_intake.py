"""add-article from a saved web page, a URL served on loopback, and standard input: trafilatura
finds the text and the metadata, flags override it, and every failure is a clear error."""

from __future__ import annotations

import functools
import hashlib
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_build

PAGES = ROOT / "tests" / "fixtures" / "pages"
PAGE = PAGES / "pacific-ledger-talks.html"
ID = "2024-04-04-us-and-chinese-militaries-hold-first-maritime-talks"
CANONICAL = "https://www.pacificledger.example/world/2024/04/04/us-china-maritime-talks"


def front(seeds: Path, article_id: str = ID) -> tuple[dict, str]:
    _, head, body = (seeds / "articles" / f"{article_id}.md").read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                                     {"log_message": lambda *a: None}), directory=str(PAGES))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_saved_page_gives_text_and_metadata_without_its_furniture(seeds):
    result = run_build("add-article", str(PAGE), "--seeds", str(seeds))
    assert result.returncode == 0, result.stderr
    for line in ("found title: US and Chinese militaries hold first maritime talks since 2021",
                 "found authors: Maria Delgado", "found date: 2024-04-04", "found publication: Pacific Ledger",
                 f"found address: {CANONICAL}", "guessed language: en-us"):
        assert line in result.stderr, result.stderr
    data, body = front(seeds)
    assert data["title"] == "US and Chinese militaries hold first maritime talks since 2021"
    assert data["source"] == "Pacific Ledger" and data["authors"] == ["Maria Delgado"]
    assert str(data["published"]) == "2024-04-04" and data["url"] == CANONICAL
    assert data["original_sha256"] == hashlib.sha256(PAGE.read_bytes()).hexdigest()
    assert data["language"] == "en-us"
    assert "Military Maritime Consultative Agreement" in body and "candid and constructive" in body
    for furniture in ("cookies", "Subscribe", "Advertisement", "Related", "Sign up", "All rights reserved",
                      "Taiwan Strait patrols increase"):
        assert furniture not in body, furniture
    assert any("Taiwan" in e["quote"] for e in data["excerpts"])  # suggestions, as for plain text
    assert run_build("check", "--seeds", str(seeds)).returncode == 0


@pytest.mark.slow  # a build.py process each; the saved page stays in the fast tier
def test_flags_override_what_the_page_says(seeds):
    result = run_build("add-article", str(PAGE), "--seeds", str(seeds), "--source", "Ledger Wire",
                       "--date", "2024-04-05", "--title", "Maritime talks resume", "--author", "A. Editor")
    assert result.returncode == 0, result.stderr
    data, _ = front(seeds, "2024-04-05-maritime-talks-resume")
    assert (data["source"], str(data["published"]), data["authors"]) == ("Ledger Wire", "2024-04-05", ["A. Editor"])
    assert data["url"] == CANONICAL


@pytest.mark.slow  # a build.py process each; the saved page stays in the fast tier
def test_a_url_is_fetched_and_its_canonical_address_kept(seeds, server):
    result = run_build("add-article", f"{server}/pacific-ledger-talks.html", "--seeds", str(seeds))
    assert result.returncode == 0, result.stderr
    data, _ = front(seeds)
    assert data["url"] == CANONICAL and data["source"] == "Pacific Ledger"


@pytest.mark.slow  # a build.py process each; the saved page stays in the fast tier
def test_an_http_failure_is_a_clear_error_and_nothing_is_written(seeds, server):
    before = sorted((seeds / "articles").iterdir())
    result = run_build("add-article", f"{server}/no-such-page.html", "--seeds", str(seeds))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the server answered HTTP 404" in result.stderr
    refused = run_build("add-article", "http://127.0.0.1:9/x.html", "--seeds", str(seeds))  # nothing listens on 9
    assert refused.returncode == 2 and "cannot be fetched" in refused.stderr
    assert sorted((seeds / "articles").iterdir()) == before


@pytest.mark.slow  # a build.py process each; the saved page stays in the fast tier
def test_standard_input_takes_a_page(seeds):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "add-article", "-", "--seeds", str(seeds)],
                            input=PAGE.read_bytes(), capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert b"standard input: found date: 2024-04-04" in result.stderr
    data, _ = front(seeds)
    assert data["original_sha256"] == hashlib.sha256(PAGE.read_bytes()).hexdigest()


@pytest.mark.slow  # a build.py process each; the saved page stays in the fast tier
def test_a_page_without_a_date_asks_only_for_the_date(seeds, tmp_path):
    page = tmp_path / "undated.html"
    html = PAGE.read_text(encoding="utf-8")
    for needle in ('<meta property="article:published_time" content="2024-04-04T09:30:00+00:00">',
                   '"datePublished": "2024-04-04T09:30:00+00:00", "dateModified": "2024-04-05T11:00:00+00:00",',
                   " · April 4, 2024", "/2024/04/04/"):
        html = html.replace(needle, "/" if needle == "/2024/04/04/" else "")
    page.write_text(html, encoding="utf-8")
    result = run_build("add-article", str(page), "--seeds", str(seeds))
    assert result.returncode == 2, result.stderr
    assert "give --date: the page names no publication date" in result.stderr
    assert "--source" not in result.stderr and "--title" not in result.stderr
    assert run_build("add-article", str(page), "--seeds", str(seeds), "--date", "2024-04-04").returncode == 0


def test_plain_text_still_needs_source_and_date(seeds, tmp_path):
    text = tmp_path / "paste.txt"
    text.write_text("A headline\n\nA paragraph of text about Taiwan.\n", encoding="utf-8")
    result = run_build("add-article", str(text), "--seeds", str(seeds))
    assert result.returncode == 2
    assert "--source is required for a plain-text file" in result.stderr
    assert "--date is required for a plain-text file" in result.stderr
