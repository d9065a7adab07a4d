"""`serve` stays useful when things break, takes code edits without stale references, and
leaves no temporary folder behind when stopped.

Each test serves its own copy of the project with the frozen seeds of tests/fixtures/seeds, in
a subprocess whose TMPDIR is a private folder: whatever temporary folder the server makes is
found there.
"""

from __future__ import annotations

import html
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, free_port, wait_for

FIXTURE_SEEDS = ROOT / "tests" / "fixtures" / "seeds"
ARTICLE = "articles/2023-06-xi-blinken-pledge-stabilize-ties"
SEED = f"seeds/{ARTICLE}.md"
GOOD_QUOTE = "  - quote: amid escalated military activity in the Taiwan Strait and the South China Sea\n"
# Quotes found nowhere in the article, with markup in them: the messages quote them.
BAD_QUOTE = "  - quote: \"amid <script>alert('x')</script> & <b>escalated</b> military activity\"\n"
ERROR_HEADLINE = "The seeds have problems"
BUILD_PY = ["build.py", "serve", "--dev-addr"]
MKDOCS_MODULE = ["-m", "mkdocs", "serve", "-a"]
MKDOCS_SCRIPT = [str(Path(sys.executable).parent / "mkdocs"), "serve", "-a"]


class Server:
    """A ``serve`` subprocess on a copy of the project; its output goes to ``log``."""

    def __init__(self, tmp_path: Path, command: list[str], break_seeds: bool = False) -> None:
        self.project = copy_project(tmp_path / "project")
        shutil.rmtree(self.project / "seeds")
        shutil.copytree(FIXTURE_SEEDS, self.project / "seeds")
        if break_seeds:
            self.edit(SEED, GOOD_QUOTE, BAD_QUOTE)
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir()
        self.log = tmp_path / "serve.log"
        self.base = f"http://127.0.0.1:{free_port()}"
        argv = [*command, self.base.removeprefix("http://")]
        if not argv[0].startswith("/"):
            argv.insert(0, sys.executable)
        # The copy's own package first, as the project's editable install is for the project
        # (the `mkdocs` script finds the plugin through its entry point, not by path).
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(self.tmp), "PYTHONPATH": str(self.project)}
        with open(self.log, "w", encoding="utf-8") as out:
            # SIGINT as a terminal gives it: a test run in the background (`make test &`) would
            # otherwise hand the server an ignored SIGINT, which Python then leaves ignored.
            self.process = subprocess.Popen(argv, cwd=self.project, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str = "/") -> tuple[int, str]:
        """Status and text of a page (an error status is an answer too)."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def wait_for_page(self, path: str, text: str, timeout: float = 20) -> str:
        found: list[str] = []

        def shows() -> bool:
            found[:] = [self.get(path)[1]]
            return text in found[0]

        assert wait_for(shows, timeout), f"{path} never showed {text!r}\n--- page:\n{found[:1]}\n--- log:\n{self.output()}"
        return found[0]

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.project / name
        content = path.read_text(encoding="utf-8")
        assert old in content, f"{old!r} not in {name}"
        path.write_text(content.replace(old, new, 1), encoding="utf-8")

    def check(self) -> str:
        """What ``python build.py check`` prints about the copy's seeds."""
        result = subprocess.run([sys.executable, "build.py", "check"], cwd=self.project, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 1, result.stdout + result.stderr
        return result.stderr.strip()

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@pytest.fixture
def start(tmp_path):
    servers: list[Server] = []

    def start(command: list[str], break_seeds: bool = False) -> Server:
        servers.append(Server(tmp_path, command, break_seeds))
        return servers[-1]

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def assert_error_page_lists(page: str, messages: str) -> None:
    assert '<meta name="briefing-error"' in page
    for line in messages.splitlines():
        assert html.escape(line) in page, line
    assert "<script>alert(" not in page and "<b>escalated" not in page  # the quoted text stays text


@pytest.mark.parametrize("command", [BUILD_PY, MKDOCS_MODULE], ids=["build.py", "mkdocs"])
def test_broken_seeds_are_printed_as_check_prints_them_and_served_at_every_url_until_fixed(start, command):
    server = start(command)
    server.wait_for_page(f"/{ARTICLE}/", "Pledge to Stabilize")
    server.edit(SEED, GOOD_QUOTE, BAD_QUOTE)
    expected = server.check()
    assert f"{SEED}:" in expected and "quote not found" in expected
    for path in ("/", f"/{ARTICLE}/", "/no/such/page/"):
        assert_error_page_lists(server.wait_for_page(path, ERROR_HEADLINE), expected)
    assert server.get(f"/{ARTICLE}/")[0] == 200
    assert expected in server.output()  # the same lines as `check`, in one piece
    server.edit(SEED, BAD_QUOTE, GOOD_QUOTE)
    for path in ("/", f"/{ARTICLE}/"):
        server.wait_for_page(path, "Pledge to Stabilize")
    assert "briefing-error" not in server.get(f"/{ARTICLE}/")[1]
    assert server.process.poll() is None
    assert "Traceback" not in server.output()


@pytest.mark.parametrize("command", [BUILD_PY, MKDOCS_MODULE], ids=["build.py", "mkdocs"])
def test_serve_started_with_broken_seeds_serves_the_error_page_and_then_the_site(start, command):
    server = start(command, break_seeds=True)
    page = server.wait_for_page(f"/{ARTICLE}/", ERROR_HEADLINE)
    assert_error_page_lists(page, server.check())
    server.edit(SEED, BAD_QUOTE, GOOD_QUOTE)
    server.wait_for_page(f"/{ARTICLE}/", "Pledge to Stabilize")
    assert "Traceback" not in server.output()


@pytest.mark.parametrize("template, broken, expected", [
    ("templates/topic.md.j2", "{{ page.no_such_field }}", "templates/topic.md.j2:"),
    ("templates/article.html.j2", "{% if %}", "templates/article.html.j2:"),
], ids=["page-template", "body-template"])
def test_a_template_error_is_shown_at_its_line_until_fixed(start, template, broken, expected):
    server = start(BUILD_PY)
    server.wait_for_page("/", "Pledge to Stabilize")
    original = (server.project / template).read_text(encoding="utf-8")
    (server.project / template).write_text(original + broken + "\n", encoding="utf-8")
    line = original.count("\n") + 1
    page = server.wait_for_page(f"/{ARTICLE}/", f"{expected}{line}: ")
    assert "Traceback" not in page and "Traceback" not in server.output()
    assert f"{expected}{line}: " in server.output()
    (server.project / template).write_text(original, encoding="utf-8")
    server.wait_for_page(f"/{ARTICLE}/", "Pledge to Stabilize")


@pytest.mark.parametrize("command", [BUILD_PY, MKDOCS_SCRIPT], ids=["build.py", "mkdocs-script"])
def test_a_code_edit_takes_effect_in_the_same_server_and_leaves_no_temporary_folder(start, command):
    server = start(command)
    server.wait_for_page("/", "Pledge to Stabilize")
    first = sorted(p.name for p in server.tmp.iterdir())
    assert len(first) == 2  # MkDocs' folder of the served site, and the hook's staging folder
    with open(server.project / "briefing" / "site" / "pages.py", "a", encoding="utf-8") as code:
        code.write('\nNAV_TITLES["index.md"] = "Start here"\n')
    server.wait_for_page(f"/{ARTICLE}/", "Start here")
    assert "restarting the server" in server.output()
    assert server.process.poll() is None  # the same process (and port) serves the new code
    assert not set(first) & {p.name for p in server.tmp.iterdir()}  # the first run's folders are gone
    assert server.stop() == 0
    assert not list(server.tmp.iterdir())
    assert "Traceback" not in server.output()


def test_code_that_does_not_import_is_shown_and_the_server_survives_until_it_is_fixed(start):
    server = start(BUILD_PY)
    server.wait_for_page("/", "Pledge to Stabilize")
    code = server.project / "briefing" / "core" / "text.py"
    original = code.read_text(encoding="utf-8")
    code.write_text(original + "\nbroken = (\n", encoding="utf-8")
    page = server.wait_for_page(f"/{ARTICLE}/", "briefing/core/text.py:")
    assert "SyntaxError" in page and "briefing/core/text.py:" in server.output()
    assert server.process.poll() is None
    code.write_text(original + '\nMARK = "fixed"\n', encoding="utf-8")
    server.wait_for_page(f"/{ARTICLE}/", "Pledge to Stabilize")
    assert "restarting the server" in server.output()
    assert "Traceback" not in server.output()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("command", [BUILD_PY, MKDOCS_MODULE], ids=["build.py", "mkdocs"])
def test_stopping_serve_removes_its_temporary_folders(start, command, signum):
    server = start(command)
    server.wait_for_page(f"/{ARTICLE}/", "Pledge to Stabilize")
    assert len(list(server.tmp.iterdir())) == 2
    assert server.stop(signum) == 0
    assert not list(server.tmp.iterdir())
    assert "Traceback" not in server.output()


def test_stopping_serve_while_it_shows_errors_removes_its_temporary_folders(start):
    server = start(BUILD_PY, break_seeds=True)
    server.wait_for_page("/", ERROR_HEADLINE)
    assert server.stop(signal.SIGTERM) == 0
    assert not list(server.tmp.iterdir())


@pytest.mark.parametrize("moment", ["folder-made", "building"])
def test_stopping_serve_while_it_starts_removes_its_temporary_folders(start, moment):
    server = start(BUILD_PY)
    deadline = time.monotonic() + 20
    # As soon as MkDocs has made its folder (before it has read its configuration), or during the first build.
    while not (list(server.tmp.iterdir()) if moment == "folder-made" else "Building documentation" in server.output()):
        assert time.monotonic() < deadline and server.process.poll() is None, server.output()
        time.sleep(0.002)
    assert server.stop(signal.SIGTERM) == 0
    assert not list(server.tmp.iterdir())
    assert "Traceback" not in server.output()


@pytest.mark.browser
def test_an_open_page_shows_the_errors_and_comes_back_once_they_are_fixed(start, page):
    from playwright.sync_api import expect

    server = start(BUILD_PY)
    server.wait_for_page(f"/{ARTICLE}/", "Pledge to Stabilize")
    page.goto(f"{server.base}/{ARTICLE}/")
    expect(page.locator("h1")).to_contain_text("Pledge to Stabilize")
    server.edit(SEED, GOOD_QUOTE, BAD_QUOTE)
    # Live reload reloads the open page, which becomes the error page; nothing is clicked.
    expect(page.locator("h1")).to_have_text(ERROR_HEADLINE, timeout=15_000)
    expect(page.locator("#briefing-problems")).to_contain_text(f"{SEED}:")
    expect(page.locator("#briefing-problems")).to_contain_text("<script>alert('x')</script>")
    assert page.url == f"{server.base}/{ARTICLE}/"
    server.edit(SEED, BAD_QUOTE, GOOD_QUOTE)
    expect(page.locator("h1")).to_contain_text("Pledge to Stabilize", timeout=15_000)
    assert page.url == f"{server.base}/{ARTICLE}/" and not page.dialogs


@pytest.mark.browser
def test_an_open_page_reloads_into_the_restarted_server_after_a_code_edit(start, page):
    from playwright.sync_api import expect

    server = start(BUILD_PY)
    server.wait_for_page(f"/{ARTICLE}/", "Pledge to Stabilize")
    page.goto(f"{server.base}/{ARTICLE}/")
    expect(page.locator("h1")).to_contain_text("Pledge to Stabilize")
    with open(server.project / "briefing" / "site" / "pages.py", "a", encoding="utf-8") as code:
        code.write('\nNAV_TITLES["index.md"] = "Start here"\n')
    # The page's live-reload poll fails while the server restarts, retries, and reloads.
    expect(page.get_by_role("navigation").get_by_text("Start here").first).to_be_attached(timeout=20_000)
    assert page.url == f"{server.base}/{ARTICLE}/"


@pytest.mark.parametrize("address", ["foo", "127.0.0.1:99999", ":8000", "127.0.0.1:0", "127.0.0.1:http"])
def test_serve_refuses_a_bad_address_before_starting(address):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--dev-addr", address],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--dev-addr must be HOST:PORT" in result.stderr
    assert "Traceback" not in result.stderr
