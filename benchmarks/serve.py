"""Benchmark: how long an edit to a seed article takes to show in a page open in Chromium
under ``python build.py serve``, and how many pages each rebuild rewrites.

    python benchmarks/serve.py [--edits 5] [--articles N]

The project is copied to a temporary folder; the server runs there; one article's page is open
in Debian's headless Chromium, and a paragraph of that article that no excerpt quotes is edited
again and again. Each time is from the write of the file to the edited text being visible
(file watcher, rebuild, live reload and the page's own reload, all included); the time to the
page's new HTML being served is printed too. Between edits, the benchmark waits ``--pause``
seconds after the edit shows, as an editor reads it before saving again. With
``--articles N``, the seeds are a generated corpus of N articles (``generate.py``) and the edit
adds a sentence to the last paragraph of the middle article.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "articles/2023-06-xi-blinken-pledge-stabilize-ties"
PARAGRAPH = "Choice Between Dialogue or Confrontation"
sys.path.insert(0, str(ROOT))
from briefing.core import memo  # noqa: E402
from briefing.site.pdf import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - one list of Chromium's flags


def _until_served(url: str, text: str, start: float, found: list[float]) -> None:
    """Ask for the page every 50 ms until its HTML has ``text``; note the time since ``start``."""
    wanted = html.escape(text, quote=False).encode()
    while time.perf_counter() - start < 900:
        try:
            if wanted in urllib.request.urlopen(url, timeout=5).read():
                found.append(time.perf_counter() - start)
                return
        except OSError:
            pass
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=5, help="number of edits to time")
    parser.add_argument("--articles", type=int, default=0, help="a generated corpus of N articles (0: the seeds)")
    parser.add_argument("--log", type=Path, help="keep the server's log there")
    parser.add_argument("--block-search-index", action="store_true",
                        help="the browser does not fetch search/search_index.json (to see what it costs)")
    parser.add_argument("--pause", type=float, default=3.0,
                        help="seconds between an edit showing and the next edit (an editor reads it first)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="briefing-serve-bench-"))
    project = work / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".cache", "node_modules", "site", "dist", "test-artifacts", "tests", "benchmarks"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = work / "serve.log"
    article, paragraph = ARTICLE, PARAGRAPH
    if args.articles:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from generate import generate

        shutil.rmtree(project / "seeds")
        generate(args.articles, project / "seeds")
        # An editor's seed files were saved a while before the server starts: a file saved
        # within the server's memo's "racy" window of being read is read again at the next
        # rebuild (briefing/core/memo.py), which a fresh corpus would put on the first edit.
        time.sleep(memo.RACY_NS / 1e9)
        files = sorted((project / "seeds" / "articles").glob("*.md"))
        article = f"articles/{files[len(files) // 2].stem}"
        paragraph = None
    seed = project / "seeds" / f"{article}.md"
    url = f"http://127.0.0.1:{port}/{article}/"
    with open(log, "w") as stderr:
        server = subprocess.Popen([sys.executable, "build.py", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                  cwd=project, stdout=subprocess.DEVNULL, stderr=stderr,
                                  env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    times: list[float] = []
    served: list[float] = []
    try:
        for _ in range(6000):  # a large corpus takes a while to build the first time
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            if args.block_search_index:
                page.route("**/search/search_index.json", lambda route: route.abort())
            page.goto(url)
            current = paragraph
            for n in range(1, args.edits + 1):
                text = seed.read_text(encoding="utf-8")
                if paragraph is None:  # generated: a sentence added to the last paragraph
                    edited = f"An editor's sentence number {n}."
                    new_text = text.rstrip("\n") + f" {edited}\n"
                else:
                    edited = f"Choice {n} Between Dialogue or Confrontation"
                    new_text = text.replace(current, edited, 1)
                start = time.perf_counter()
                seed.write_text(new_text, encoding="utf-8")
                marker = edited.rsplit("'", 1)[-1]  # what HTML escaping leaves alone
                watcher = threading.Thread(target=_until_served, args=(url, marker, start, served))
                watcher.start()
                page.locator("p.bx-para", has_text=edited).wait_for(timeout=600_000)
                times.append(time.perf_counter() - start)
                watcher.join()
                current = edited
                time.sleep(args.pause)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    rewritten = re.findall(r"Briefing: (\d+) pages? rewritten", log.read_text())
    cached = re.findall(r"Briefing: (\d+) pages? from the cache, (\d+) built", log.read_text())
    if args.log:
        shutil.copy(log, args.log)
    shutil.rmtree(work, ignore_errors=True)
    print(f"edit to served (the page's new HTML answered) over {len(served)} edits: "
          f"median {statistics.median(served):.2f} s, max {max(served):.2f} s")
    print(f"edit to visible in Chromium over {len(times)} edits: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s")
    print(f"pages rewritten: first build {rewritten[0]}, then per edit {', '.join(rewritten[1:])}")
    if cached:
        print("pages built per rebuild (the rest from the page cache): " + ", ".join(b for _, b in cached[1:]))


if __name__ == "__main__":
    main()
