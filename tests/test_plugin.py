"""The `briefing` MkDocs plugin: registered, typed options, one settings object, three doors into one build."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config import load_config

from briefing.site.plugin import BriefingPlugin
from briefing.site.publish import Variant, publish_site
from briefing.site.settings import Overrides, Settings
from conftest import ROOT, copy_project

FIXTURE_SEEDS = ROOT / "tests" / "fixtures" / "seeds"


def test_the_plugin_is_registered_under_its_entry_point():
    (entry,) = [e for e in importlib.metadata.entry_points(group="mkdocs.plugins") if e.name == "briefing"]
    assert entry.load() is BriefingPlugin


def _project_with(tmp_path: Path, options: str) -> Path:
    project = copy_project(tmp_path / "project")
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    start = text.index("  - briefing:")
    end = text.index("\n\n", start)
    (project / "mkdocs.yml").write_text(text[:start] + options + text[end:], encoding="utf-8")
    return project


@pytest.mark.parametrize("options, words", [
    ("  - briefing:\n      seedz: seeds", "seedz"),
    ("  - briefing:\n      reviewed_only: sometimes", "reviewed_only"),
    ("  - briefing:\n      preview: {pr: seven}", "pr"),
    ("  - briefing:\n      templates: [a, b]", "templates"),
])
def test_unknown_or_mistyped_options_are_mkdocs_config_errors(tmp_path: Path, options: str, words: str):
    project = _project_with(tmp_path, options)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site")], cwd=project,
                            capture_output=True, text=True, timeout=120, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "Config value 'plugins'" in result.stderr and words in result.stderr, result.stderr


def test_mkdocs_build_and_build_py_make_byte_identical_sites(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    shutil.rmtree(project / "seeds")
    shutil.copytree(FIXTURE_SEEDS, project / "seeds")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project)}
    one = subprocess.run([sys.executable, "build.py", "--out", str(tmp_path / "one")], cwd=project,
                         capture_output=True, text=True, timeout=300, env=env)
    two = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "two")], cwd=project,
                         capture_output=True, text=True, timeout=300, env=env)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_one_settings_object_carries_the_options_and_the_command_line(tmp_path: Path):
    seeds = Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "seeds"))
    composed = publish_site(ROOT, tmp_path / "site", Variant(site_url="https://example.org/b/",
                                                             overrides=Overrides(seeds_dir=seeds, reviewed_only=True)))
    config = load_config(str(ROOT / "mkdocs.yml"))
    settings = config.plugins["briefing"].settings  # the instance MkDocs keeps: the last build's
    assert isinstance(settings, Settings)
    assert settings.seeds_dir == seeds.resolve() and settings.reviewed_only is True
    assert settings.templates_dir == (ROOT / "templates").resolve() and settings.site_url == "https://example.org/b/"
    assert settings.shown_root == tmp_path and composed.build_epoch > 0
    assert all(a.excerpt.reviewed for a in composed.briefing.excerpts)
    assert os.environ.get("SOURCE_DATE_EPOCH") is None  # the build date never goes through the environment


def test_every_date_mkdocs_stamps_is_the_newest_article_s_not_today_s(tmp_path: Path):
    import gzip
    import re
    from datetime import datetime, timezone

    composed = publish_site(ROOT, tmp_path / "site", Variant(site_url="https://example.org/",
                                                             overrides=Overrides(seeds_dir=FIXTURE_SEEDS)))
    day = datetime.fromtimestamp(composed.build_epoch, timezone.utc).strftime("%Y-%m-%d")
    assert day == max(a.published for a in composed.briefing.articles).isoformat()
    sitemap = (tmp_path / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap)) == {day}
    with gzip.open(tmp_path / "site" / "sitemap.xml.gz") as packed:
        assert packed.read().decode("utf-8") == sitemap
    header_time = int.from_bytes((tmp_path / "site" / "sitemap.xml.gz").read_bytes()[4:8], "little")
    assert header_time == composed.build_epoch


def test_a_misconfigured_seeds_folder_names_itself(tmp_path: Path):
    project = _project_with(tmp_path, "  - briefing:\n      seeds: nowhere")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site")], cwd=project,
                            capture_output=True, text=True, timeout=120, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "nowhere/articles:1: folder of articles not found" in result.stdout + result.stderr
