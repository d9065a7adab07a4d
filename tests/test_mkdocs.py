"""`mkdocs build` and `mkdocs serve` from the project root compose the pages through the hook."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT

ARTICLE = "articles/2023-06-xi-blinken-pledge-stabilize-ties"


def test_mkdocs_build_from_the_root_composes_the_pages(tmp_path):
    out = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (out / ARTICLE / "index.html").is_file()
    assert not (ROOT / "docs" / "articles").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("command", [["-m", "mkdocs", "serve", "-a"], ["build.py", "serve", "--dev-addr"]])
def test_serve_reloads_after_an_edit_to_the_seeds(tmp_path, command):
    (tmp_path / "project").mkdir()
    project = tmp_path / "project"
    for name in ("docs", "templates", "briefing", "seeds"):
        shutil.copytree(ROOT / name, project / name)
    for name in ("mkdocs.yml", "build.py"):
        shutil.copy(ROOT / name, project)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/{ARTICLE}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([sys.executable, *command, f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: "Pledge to Stabilize" in _get(url)), "serve did not start"
        seed = project / "seeds" / f"{ARTICLE}.md"
        seed.write_text(seed.read_text(encoding="utf-8").replace(
            "title: Washington and Beijing Pledge", "title: Edited Washington and Beijing Pledge", 1), encoding="utf-8")
        assert _wait_for(lambda: "Edited Washington and Beijing Pledge" in _get(url)), "edit did not show"
        assert not (project / "docs" / "articles").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)
