"""Shared fixtures: copies of the seeds to break, builds in tmp_path, a local web server.

Every test reads the frozen seeds of tests/fixtures/seeds, never the editorial seeds/: an editor
who adds or changes an article breaks no test (tests/test_editorial_changes.py shows it).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
"""The frozen fixture seeds (a copy of seeds/ as it was; never edited with the editorial seeds)."""
ARTICLE_IDS = sorted(p.stem for p in (SEEDS / "articles").glob("*.md"))


def run_build(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``python build.py ARGS`` and capture its output."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def free_port() -> int:
    """A TCP port free on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_text(url: str) -> str:
    """The body of a page fetched over HTTP."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Poll ``predicate`` until it holds (connection errors count as not yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def copy_project(target: Path) -> Path:
    """The parts of the project a build needs, copied to ``target`` (to edit the seeds there)."""
    target.mkdir(parents=True)
    for name in ("docs", "templates", "briefing"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copytree(SEEDS, target / "seeds")  # the frozen fixture, not the editorial seeds/
    for name in ("mkdocs.yml", "build.py"):
        shutil.copy(ROOT / name, target)
    return target


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the frozen fixture seeds, at ``tmp_path/seeds``."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def edit_seed(seeds: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` (once) in the seed file ``name``; return the line ``old`` was on."""
    path = seeds / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def seed_errors(seeds: Path) -> list[str]:
    """The errors `check` would report for ``seeds``, as `path:line: message` text."""
    from briefing.core.errors import SeedsInvalid
    from briefing.site.pipeline import verify
    try:
        verify(seeds, root=seeds.parent)
    except SeedsInvalid as exc:
        return [str(p) for p in exc.problems if p.severity == "error"]
    return []


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus built once, as ``python build.py --seeds DIR --out DIR`` does."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = run_build("build", "--seeds", str(SEEDS), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    not_found_page: Path | None = None

    def log_message(self, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        # LinkChecker lifts its per-host rate limit for servers that send this header.
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        if code == 404 and self.not_found_page is not None:
            body = self.not_found_page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@pytest.fixture(scope="session")
def serve():
    """Serve a folder over HTTP on a free port of 127.0.0.1; stopped at the end of the session.

    ``not_found`` is the page answered, with status 404, for a missing path (as GitHub Pages does).
    """
    servers = []

    def start(directory: Path, not_found: Path | None = None) -> str:
        handler_class = type("Handler", (_QuietHandler,), {"not_found_page": not_found})
        handler = functools.partial(handler_class, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


from briefing.site.pdf import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - one list of Chromium's flags
ARTIFACTS = ROOT / "test-artifacts"


# Slow tests in files that the plugin refactor is reworking, marked here rather than in them: those
# that start a `serve` subprocess (tests/test_serve.py, tests/safety/test_serve.py, tests/test_mkdocs.py),
# the builds that render bodies in the background (tests/test_background.py) and the two builds
# compared in tests/test_plugin.py.
SLOW_BY_FILE = {
    "test_serve.py": lambda item: bool({"start", "server"} & set(item.fixturenames)),
    "test_mkdocs.py": lambda item: item.originalname == "test_serve_reloads_after_an_edit_to_the_seeds",
    "test_background.py": lambda item: "seeds" in item.fixturenames,
    "test_plugin.py": lambda item: item.originalname == "test_mkdocs_build_and_build_py_make_byte_identical_sites",
}


def fast_sample(values: list, keep: int) -> list:
    """Parameters of a matrix whose cases each start a process: the first ``keep`` run in the fast
    tier, the others are marked slow (`make test` runs them all)."""
    return [v if i < keep else pytest.param(*(v if isinstance(v, tuple) else (v,)), marks=pytest.mark.slow)
            for i, v in enumerate(values)]


def pytest_collection_modifyitems(config, items):
    for item in items:
        slow = SLOW_BY_FILE.get(item.path.name)
        if slow is not None and slow(item):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make chromium)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; a screenshot lands in test-artifacts/ when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


PREVIEW_PATH = "repo/pr-preview/pr-7"
NEW_EXCERPT = "Xi pronounced himself satisfied with the progress made during talks in Beijing."
SUGGESTED_EXCERPT = "Xi pronounced himself pleased with the outcome of Blinken’s earlier meetings with two top Chinese diplomats"


def copy_tracked_files(target: Path) -> Path:
    """Copy the project's tracked files (as a clean clone has them) to ``target``."""
    listing = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard"],
                             capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listing:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                    *args], check=True, capture_output=True)


@pytest.fixture(scope="session")
def preview_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pull request (#7) that adds one excerpt, adds a suggested (unreviewed) one and rewords a
    bottom line, built as a preview; returns the web root."""
    repo = copy_tracked_files(tmp_path_factory.mktemp("repo"))
    shutil.rmtree(repo / "seeds")
    shutil.copytree(SEEDS, repo / "seeds")  # the base is the frozen fixture, not the editorial seeds/
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr-7")
    seed = repo / "seeds/articles/2023-06-xi-blinken-pledge-stabilize-ties.md"
    seed.write_text(seed.read_text(encoding="utf-8").replace(
        "excerpts:\n", f"excerpts:\n  - quote: \"{NEW_EXCERPT}\"\n    topics: [mil-to-mil]\n"
                        f"  - quote: \"{SUGGESTED_EXCERPT}\"\n    topics: [taiwan]\n    unreviewed: true\n", 1),
        encoding="utf-8")
    topics = repo / "seeds/topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("meant to raise", "wanted to raise", 1), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "add an excerpt and a suggestion; reword a bottom line")
    www = tmp_path_factory.mktemp("www")
    out = www / PREVIEW_PATH
    result = subprocess.run(
        [sys.executable, str(repo / "build.py"), "preview", "--pr", "7", "--base-ref", "main",
         "--site-url", f"https://owner.github.io/{PREVIEW_PATH}/", "--out", str(out)],
        cwd=repo, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return www


@pytest.fixture(scope="session")
def offline_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline zip of the fixture corpus, as ``python build.py bundle --out DIR`` writes it."""
    dist = tmp_path_factory.mktemp("dist")
    result = run_build("bundle", "--seeds", str(SEEDS), "--out", str(dist))
    assert result.returncode == 0, result.stderr
    (bundle,) = dist.glob("*.zip")
    return bundle


LINKCHECKER_CONFIG = """[checking]
threads=4
maxrequestspersecond=1000
[filtering]
checkextern=0
[AnchorCheck]
"""


def check_links(start_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """LinkChecker over a served site: internal links and anchors only."""
    config = tmp_path / "linkcheckerrc"
    config.write_text(LINKCHECKER_CONFIG)
    # Run as root, the linkchecker command switches to user nobody and then silently skips the
    # AnchorCheck plugin when nobody cannot read the virtual environment: keep the user.
    runner = ("import sys, linkcheck.command.linkchecker as lc; lc.drop_privileges = lambda: None; "
              "sys.argv[0] = 'linkchecker'; lc.linkchecker()")
    return subprocess.run([sys.executable, "-c", runner, "-f", str(config), "--no-status", "-o", "text", start_url],
                          capture_output=True, text=True, timeout=900)
