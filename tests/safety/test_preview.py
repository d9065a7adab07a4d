"""`preview` finds its base by itself (main, then origin/HEAD, then master) or says clearly why not."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_tracked_files, git

FIXTURE_SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SITE_URL = "https://owner.github.io/repo/pr-preview/pr-5/"


def project(target: Path, branch: str) -> Path:
    """A copy of the project with the fixture seeds, committed on ``branch``, then a pull-request branch."""
    target.mkdir()
    repo = copy_tracked_files(target)
    shutil.rmtree(repo / "seeds")
    shutil.copytree(FIXTURE_SEEDS, repo / "seeds")
    git(repo, "init", "-q", "-b", branch)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr-5")
    return repo


def preview(repo: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(repo / "build.py"), "preview", "--pr", "5", "--site-url", SITE_URL,
                           "--out", str(repo.parent / "preview"), *args], cwd=cwd or repo, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("branch", ["main", "master"])
def test_preview_without_base_ref_compares_with_main_or_master(tmp_path: Path, branch: str):
    repo = project(tmp_path / "repo", branch)
    result = preview(repo)
    assert result.returncode == 0, result.stderr
    changes = (tmp_path / "preview" / "changes" / "index.html").read_text(encoding="utf-8")
    assert f"the merge base with {branch}" in changes


@pytest.mark.slow
def test_preview_without_base_ref_falls_back_to_origin_head(tmp_path: Path):
    origin = project(tmp_path / "origin", "trunk")
    git(origin, "checkout", "-q", "trunk")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, capture_output=True)
    git(clone, "checkout", "-q", "-b", "pr-5")
    result = preview(clone)
    assert result.returncode == 0, result.stderr
    changes = html.unescape((tmp_path / "preview" / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "the merge base with origin/HEAD" in changes


def test_preview_with_no_base_to_find_says_what_to_do(tmp_path: Path):
    repo = project(tmp_path / "repo", "develop")
    result = preview(repo)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "none of main, origin/HEAD, master exists" in result.stderr and "--base-ref" in result.stderr
    assert not (tmp_path / "preview").exists()


def test_preview_with_an_unknown_base_ref_is_a_clear_error(tmp_path: Path):
    repo = project(tmp_path / "repo", "main")
    result = preview(repo, "--base-ref", "no-such-branch")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--base-ref 'no-such-branch' is not a commit" in result.stderr


def test_preview_of_seeds_outside_any_repository_is_a_clear_error(tmp_path: Path):
    repo = project(tmp_path / "repo", "main")
    outside = Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "elsewhere" / "seeds"))
    result = preview(repo, "--seeds", str(outside), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "is not in a git repository" in result.stderr


@pytest.mark.slow
def test_preview_of_seeds_in_another_repository_reads_its_base_there(tmp_path: Path):
    repo = project(tmp_path / "repo", "main")
    other = tmp_path / "other"
    shutil.copytree(FIXTURE_SEEDS, other / "seeds")
    git(other, "init", "-q", "-b", "main")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "base")
    article = other / "seeds" / "articles" / "2023-06-xi-blinken-pledge-stabilize-ties.md"
    article.write_text(article.read_text(encoding="utf-8").replace("title: Washington", "title: Retitled Washington"))
    result = preview(repo, "--seeds", str(other / "seeds"))
    assert result.returncode == 0, result.stderr
    changes = html.unescape((tmp_path / "preview" / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "Retitled Washington and Beijing" in changes


@pytest.mark.parametrize("pr", ["0", "-3", "99999999999"])
def test_preview_pull_request_number_must_be_positive(tmp_path: Path, pr: str):
    result = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[2] / "build.py"), "preview",
                             "--pr", pr, "--site-url", SITE_URL, "--out", str(tmp_path / "p")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--pr must be" in result.stderr
