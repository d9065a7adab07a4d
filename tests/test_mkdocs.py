"""`mkdocs build` and `mkdocs serve` from the project root compose the pages through the plugin."""

import os
import subprocess
import sys

import pytest

from conftest import copy_project, free_port, get_text, wait_for

ARTICLE = "articles/2023-06-xi-blinken-pledge-stabilize-ties"


def test_mkdocs_build_from_the_root_composes_the_pages(tmp_path):
    project = copy_project(tmp_path / "project")  # with the frozen fixture seeds
    out = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project)}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=project, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (out / ARTICLE / "index.html").is_file() and (out / ".briefing-site").is_file()
    assert not (project / "docs" / "articles").exists()


@pytest.mark.parametrize("command", [["-m", "mkdocs", "serve", "-a"], ["build.py", "serve", "--dev-addr"]])
def test_serve_reloads_after_an_edit_to_the_seeds(tmp_path, command):
    project = copy_project(tmp_path / "project")
    port = free_port()
    url = f"http://127.0.0.1:{port}/{ARTICLE}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([sys.executable, *command, f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: "Pledge to Stabilize" in get_text(url)), "serve did not start"
        seed = project / "seeds" / f"{ARTICLE}.md"
        seed.write_text(seed.read_text(encoding="utf-8").replace(
            "title: Washington and Beijing Pledge", "title: Edited Washington and Beijing Pledge", 1), encoding="utf-8")
        assert wait_for(lambda: "Edited Washington and Beijing Pledge" in get_text(url)), "edit did not show"
        assert not (project / "docs" / "articles").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)
