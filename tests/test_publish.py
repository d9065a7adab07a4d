"""The three ways to publish: offline bundle, pull-request preview, hosted site."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from briefing.editor.changes import compare_seeds
from briefing.cli import published_url_of
from briefing.core.model import Excerpt, Seeds
from briefing.site.pipeline import verify
from briefing.site.serving import sync_tree
from conftest import NEW_EXCERPT, PREVIEW_PATH, ROOT, SEEDS, check_links, run_build


# --- offline bundle ---------------------------------------------------------------

def test_bundle_name_comes_from_the_inputs(offline_bundle: Path):
    assert offline_bundle.name == "briefing-offline-2024-04-30.zip"


def test_bundle_holds_the_site_a_readme_and_a_local_search_index(offline_bundle: Path):
    with zipfile.ZipFile(offline_bundle) as archive:
        names = set(archive.namelist())
        top = "briefing-offline-2024-04-30/"
        for name in ("index.html", "README.txt", "search/search_index.js", "topics/taiwan.html",
                     "assets/javascripts/iframe-worker-shim.js", "tags.html"):
            assert top + name in names, name
        readme = archive.read(top + "README.txt").decode()
        assert "Open index.html" in readme and "2024-04-30" in readme
        for name in names:
            if name.endswith(".html"):
                html = archive.read(name).decode()
                # A canonical link to the published site is not a request; nothing else may name a host.
                loads = re.sub(r'<link rel="canonical" href="[^"]*">', "", html)
                assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", loads), name
                assert "unpkg.com" not in html and "fonts.googleapis" not in html, name
                if name.endswith("/index.html") or name.endswith("/taiwan.html"):  # search works from file://
                    assert re.search(r'<script src="(\.\./)*assets/javascripts/iframe-worker-shim\.js">', html), name


@pytest.mark.slow
def test_two_bundles_are_byte_identical(offline_bundle: Path, tmp_path: Path):
    assert run_build("bundle", "--seeds", str(SEEDS), "--out", str(tmp_path)).returncode == 0
    assert (tmp_path / offline_bundle.name).read_bytes() == offline_bundle.read_bytes()


# --- pull-request preview ---------------------------------------------------------

def test_preview_pages_carry_banner_and_noindex(preview_site: Path):
    pages = list((preview_site / PREVIEW_PATH).rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex">' in html, page
        assert "Preview of pull request #7 — not the published briefing." in html, page
        relative = page.relative_to(preview_site / PREVIEW_PATH).as_posix()
        same = "" if relative in ("index.html", "404.html") else relative.removesuffix("index.html")
        assert f'href="https://owner.github.io/repo/{same}">This page in the published briefing</a>' in html, page


def test_published_site_has_no_banner_and_no_noindex(built_site: Path):
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "noindex" not in html and "md-banner" not in html, page


def test_preview_404_page_uses_the_sub_path(preview_site: Path):
    html = (preview_site / PREVIEW_PATH / "404.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
    assert assets and all(a.startswith(f"/{PREVIEW_PATH}/") for a in assets), assets


def test_changes_page_lists_the_added_excerpt(preview_site: Path):
    html = (preview_site / PREVIEW_PATH / "changes/index.html").read_text(encoding="utf-8")
    section = html[html.index('id="excerpts"'):html.index('id="articles"')]
    added = section[section.index('<li class="bx-change bx-change--added">'):]
    added = added[:added.index("</li>")]
    assert "<strong>Added</strong>" in added and "mil-to-mil" in added and "unreviewed" not in added
    assert NEW_EXCERPT in added
    assert 'href="../articles/2023-06-xi-blinken-pledge-stabilize-ties/#p2"' in added
    assert 'href="../topics/mil-to-mil/#ex-' in added  # its place in the preview
    summary = html[html.index('id="summary"'):html.index('id="excerpts"')]
    assert "Articles: 0 added, 0 changed, 0 removed" in summary and "Military-to-military communication: 1 excerpt added" in summary


def _excerpt(quote: str, topics=("taiwan",), **kw) -> Excerpt:
    return Excerpt(article_id="2023-06-xi-blinken-pledge-stabilize-ties", quote=quote, topics=topics, line=1, **kw)


def test_changes_of_identical_seeds_are_empty():
    head = verify(SEEDS, SEEDS.parent)
    page = compare_seeds(Seeds(head.topics, head.articles, head.people, tuple(e.event for e in head.events)),
                         head, "main")
    assert page.empty


def test_changes_report_added_removed_and_changed_excerpts():
    head = verify(SEEDS, SEEDS.parent)
    xi = next(a for a in head.articles if a.id == "2023-06-xi-blinken-pledge-stabilize-ties")
    kept = [e for e in xi.excerpts if "opiate" not in e.quote and "over a dozen" not in e.quote]
    restanced = [e for e in xi.excerpts if "over a dozen" in e.quote][0]
    gone = _excerpt("A quote the pull request removed.")
    base_xi = type(xi)(**{**xi.__dict__, "excerpts": (*kept, gone,
                                                        Excerpt(**{**restanced.__dict__, "stance": None}))})
    base = Seeds(head.topics, tuple(base_xi if a.id == xi.id else a for a in head.articles))
    page = compare_seeds(base, head, "main")
    by_topic = {t.topic.slug: [(c.kind, c.excerpt.quote[:20]) for c in t.changes] for t in page.topics}
    assert by_topic["fentanyl"] == [("added", "Combined with disput")]
    assert by_topic["taiwan"] == [("removed", "A quote the pull req")]
    assert by_topic["mil-to-mil"] == [("changed", "The U.S. has said th")]
    assert page.topics[2].changes[0].details == ("stance: none → us",)
    assert not page.articles_added and not page.articles_removed


def test_preview_url_gives_the_published_url():
    assert published_url_of("https://o.github.io/repo/pr-preview/pr-7/", 7) == "https://o.github.io/repo/"


def test_preview_needs_its_site_url():
    result = run_build("preview", "--pr", "3")
    assert result.returncode == 2 and "preview needs --site-url" in result.stderr


# --- link checker over every variant ----------------------------------------------

@pytest.mark.slow
def test_no_broken_link_or_anchor_in_the_published_site(built_site, serve, tmp_path):
    result = check_links(serve(built_site) + "/", tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"[1-9]\d+ links in \d+ URLs checked", result.stdout)


@pytest.mark.slow
def test_no_broken_link_or_anchor_in_the_preview(preview_site, serve, tmp_path):
    result = check_links(serve(preview_site) + f"/{PREVIEW_PATH}/", tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.slow
def test_no_broken_link_or_anchor_in_the_offline_bundle(offline_bundle, serve, tmp_path):
    with zipfile.ZipFile(offline_bundle) as archive:
        archive.extractall(tmp_path / "unzipped")
    result = check_links(serve(tmp_path / "unzipped") + "/briefing-offline-2024-04-30/index.html", tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.slow
def test_link_checker_catches_a_broken_anchor(built_site, serve, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "index.html").write_text('<a href="page.html#nowhere">x</a>')
    (broken / "page.html").write_text("<p id='somewhere'>y</p>")
    result = check_links(serve(broken) + "/", tmp_path)
    assert result.returncode != 0 and "nowhere" in result.stdout


# --- workflows --------------------------------------------------------------------

def test_workflows_pass_actionlint():
    actionlint = Path(sys.executable).parent / "actionlint"
    workflows = sorted(str(p) for p in (ROOT / ".github/workflows").glob("*.yml"))
    assert len(workflows) == 2
    result = subprocess.run([str(actionlint), *workflows], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_publishing_keeps_previews_and_previews_are_removed_on_close():
    publish = (ROOT / ".github/workflows/publish.yml").read_text()
    preview = (ROOT / ".github/workflows/preview.yml").read_text()
    assert "clean-exclude: pr-preview/" in publish and "make test" in publish
    assert "types: [opened, reopened, synchronize, closed]" in preview
    assert "umbrella-dir: pr-preview" in preview and "action: auto" in preview


def test_sync_moves_over_only_changed_files_and_removes_stale_ones(tmp_path):
    served, new = tmp_path / "served", tmp_path / "new"
    for root, files in ((served, {"same.html": "a", "changed.html": "b", "gone/old.html": "c"}),
                        (new, {"same.html": "a", "changed.html": "B", "added/new.html": "d"})):
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
    same_inode = (served / "same.html").stat().st_ino
    assert sync_tree(new, served) == ["added/new.html", "changed.html", "gone/old.html"]
    assert (served / "same.html").stat().st_ino == same_inode
    assert {p.relative_to(served).as_posix(): p.read_text() for p in served.rglob("*") if p.is_file()} == {
        "same.html": "a", "changed.html": "B", "added/new.html": "d"}
    assert not (served / "gone").exists()
