"""Shared fixtures: copies of the seeds to break, builds in tmp_path, a local web server."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARTICLE_IDS = sorted(p.stem for p in (SEEDS / "articles").glob("*.md"))


def run_build(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``python build.py ARGS`` and capture its output."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the project's seeds, at ``tmp_path/seeds``."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus built once, as ``python build.py --out DIR`` does."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = run_build("build", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def serve():
    """Serve a folder over HTTP on a free port of 127.0.0.1; stopped at the end of the session."""
    servers = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
