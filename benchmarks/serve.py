"""Benchmark: how long an edit to a seed article takes to show in a page open in Chromium
under ``python build.py serve``, and how many pages each rebuild rewrites.

    python benchmarks/serve.py [--edits 5]

The project is copied to a temporary folder; the server runs there; one article's page is open
in Debian's headless Chromium, and a paragraph of that article that no excerpt quotes is edited
again and again. Each time is from the write of the file to the edited text being visible
(file watcher, rebuild, live reload and the page's own reload, all included).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "articles/2023-06-xi-blinken-pledge-stabilize-ties"
PARAGRAPH = "Choice Between Dialogue or Confrontation"
sys.path.insert(0, str(ROOT))
from briefing.site.pdf import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - one list of Chromium's flags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=5, help="number of edits to time")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="briefing-serve-bench-"))
    project = work / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "site", "dist", "test-artifacts", "tests", "benchmarks"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = work / "serve.log"
    seed = project / "seeds" / f"{ARTICLE}.md"
    url = f"http://127.0.0.1:{port}/{ARTICLE}/"
    with open(log, "w") as stderr:
        server = subprocess.Popen([sys.executable, "build.py", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                  cwd=project, stdout=subprocess.DEVNULL, stderr=stderr,
                                  env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    times = []
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            current = PARAGRAPH
            for n in range(1, args.edits + 1):
                edited = f"Choice {n} Between Dialogue or Confrontation"
                text = seed.read_text(encoding="utf-8")
                start = time.perf_counter()
                seed.write_text(text.replace(current, edited, 1), encoding="utf-8")
                page.locator("p.bx-para", has_text=edited).wait_for(timeout=30_000)
                times.append(time.perf_counter() - start)
                current = edited
                time.sleep(0.5)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    rewritten = re.findall(r"Briefing: (\d+) pages? rewritten", log.read_text())
    shutil.rmtree(work, ignore_errors=True)
    print(f"edit to visible in Chromium over {len(times)} edits: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s")
    print(f"pages rewritten: first build {rewritten[0]}, then per edit {', '.join(rewritten[1:])}")


if __name__ == "__main__":
    main()
