"""A reader in headless Chromium: home, topics, an excerpt's source, search."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import run_build

pytestmark = pytest.mark.browser
TOPICS = ["Taiwan", "Fentanyl", "Military-to-military communication", "Ukraine: China's support for Russia's war"]


def test_reader_goes_from_home_to_each_topic(page, built_site, serve):
    base = serve(built_site)
    for title in TOPICS:
        page.goto(base + "/")
        page.locator(".md-content").get_by_role("link", name=title, exact=True).first.click()
        expect(page.locator("h1")).to_contain_text(title)
        expect(page.locator(".bx-bottom-line")).to_contain_text("Bottom line")
        expect(page.locator("#positions")).to_be_visible()


def test_excerpt_source_link_lands_on_the_highlighted_paragraph(page, built_site, serve):
    base = serve(built_site)
    page.goto(base + "/topics/fentanyl/")
    page.locator("details.bx-source summary").first.click()
    link = page.locator("details.bx-source ol.bx-evidence p.bx-cite a", has_text="in context").first
    href = link.get_attribute("href")
    anchor = href.split("#")[1]
    link.click()
    page.wait_for_url(f"**/articles/**#{anchor}")
    target = page.locator(f"#{anchor}")
    expect(target).to_be_in_viewport()
    expect(target.locator("mark.bx-mark").first).to_be_visible()
    assert target.evaluate("el => el.matches(':target')")
    background = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def test_search_for_fentanyl_finds_the_topic(page, built_site, serve):
    base = serve(built_site)
    page.goto(base + "/")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    search = page.locator("input.md-search__input")
    search.press_sequentially("fentanyl", delay=50)
    results = page.locator(".md-search-result__item")
    expect(results.first).to_be_visible(timeout=10_000)
    expect(page.locator(".md-search-result__list")).to_contain_text("Fentanyl")
    results.first.locator("a").first.click()
    expect(page.locator("mark").first).to_be_visible()


def test_hostile_article_text_never_runs(page, seeds, tmp_path, serve):
    shutil.copy(Path(__file__).parent / "fixtures/hostile.md", seeds / "articles")
    out = tmp_path / "site"
    assert run_build("--seeds", str(seeds), "--out", str(out)).returncode == 0
    base = serve(out)
    page.goto(base + "/articles/2024-05-hostile-markup/")
    expect(page.locator("h1")).to_contain_text("<script>alert('title')</script> *Breaking* [news](javascript:alert(1))")
    expect(page.locator("#p2")).to_contain_text("[click me](javascript:alert('link')) and <img src=x onerror=alert('img')>")
    expect(page.locator("#p3")).to_contain_text("{ onclick=alert('attr') } and a marker <!-- material/tags -->")
    page.locator("#p3").click()
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("spokesman", delay=50)
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=10_000)
    page.wait_for_timeout(300)
    assert page.dialogs == []
