"""The offline bundle from file:// and the preview under its sub-path, in headless Chromium."""

import re
import zipfile
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import expect

from conftest import NEW_EXCERPT, PREVIEW_PATH

pytestmark = pytest.mark.browser


def nav_links(page) -> list[str]:
    """Every page listed in the primary navigation of the current page."""
    hrefs = page.locator("nav.md-nav--primary a.md-nav__link[href]").evaluate_all(
        "links => links.map(a => a.href)")
    return sorted({urldefrag(h)[0] for h in hrefs})


@pytest.fixture
def unzipped(offline_bundle, tmp_path) -> Path:
    with zipfile.ZipFile(offline_bundle) as archive:
        archive.extractall(tmp_path)
    return tmp_path / "briefing-offline-2024-04-30"


def test_offline_bundle_works_from_file_urls_without_any_request_elsewhere(page, unzipped):
    requests: list[str] = []
    failures: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    # A navigation cancels requests still in flight (ERR_ABORTED): not a failure to load.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else failures.append(r.url))
    page.goto(unzipped.joinpath("index.html").as_uri())
    expect(page.locator("h1")).to_contain_text("Briefing")
    pages = nav_links(page)
    assert len(pages) >= 7 and all(p.startswith("file://") for p in pages)
    for url in pages:
        response = page.goto(url)
        assert response is None or response.ok, url
        expect(page.locator("article h1")).to_be_visible()
    # Paragraph links and highlighting work from files too.
    page.goto(unzipped.joinpath("topics/fentanyl.html").as_uri())
    page.locator("#bottom-line sup.bx-ref a").first.click()  # a citation opens its evidence
    page.locator("ol.bx-evidence li:target p.bx-cite a", has_text="in context").click()
    anchor = urlparse(page.url).fragment
    expect(page.locator(f"#{anchor} mark.bx-mark").first).to_be_in_viewport()
    # The tags index lists the topics.
    page.goto(unzipped.joinpath("tags.html").as_uri())
    expect(page.locator("article")).to_contain_text("Fentanyl")
    # The light/dark toggle switches palettes.
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    expect(page.locator("body")).not_to_have_attribute("data-md-color-scheme", before or "")
    # Search, typed key by key as Material reads keyup events.
    page.goto(unzipped.joinpath("index.html").as_uri())
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("safety net", delay=50)
    result = page.locator(".md-search-result__item a", has_text="Military-to-military").first
    expect(result).to_be_visible(timeout=10_000)
    result.click()
    page.wait_for_url(re.compile(r"topics/mil-to-mil\.html"))
    expect(page.locator("article h1")).to_contain_text("Military-to-military communication")
    outside = [u for u in requests if not u.startswith("file:")]
    assert outside == [] and failures == []


def test_preview_under_a_sub_path_has_no_broken_link_banner_and_changes(page, preview_site, serve):
    base = serve(preview_site, not_found=preview_site / PREVIEW_PATH / "404.html")
    root = f"{base}/{PREVIEW_PATH}/"
    bad: list[str] = []
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    seen: set[str] = set()
    queue = [root]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.ok, url
        if url.endswith((".html", "/")):
            for href in page.locator("a[href]").evaluate_all("links => links.map(a => a.href)"):
                target = urldefrag(href)[0]
                if target.startswith(root) and target not in seen:
                    queue.append(target)
    assert len(seen) >= 13  # home, 4 topics, 5 articles, sources, tags, changes
    assert bad == []
    page.goto(root)
    expect(page.locator(".md-banner")).to_contain_text("Preview of pull request #7 — not the published briefing")
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    page.locator(".md-banner a", has_text="Changes in this preview").click()
    expect(page.locator("li.bx-change--added blockquote.bx-quote").first).to_contain_text(NEW_EXCERPT)
    green = page.locator("li.bx-change--added").first.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert green == "rgb(27, 94, 32)", green
    # The banner stays in view as the reader scrolls, above the header.
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(300)
    banner = page.locator(".md-banner").bounding_box()
    header = page.locator(".md-header").bounding_box()
    assert banner["y"] == 0 and header["y"] >= banner["height"] - 1, (banner, header)
    expect(page.locator(".md-banner")).to_contain_text("Preview of pull request #7")
    # The 404 page keeps its styles under the sub-path.
    bad.clear()
    page.goto(f"{root}no/such/page/")
    expect(page.locator("article h1")).to_have_text("Page not found")
    assert page.locator("link[rel=stylesheet]").count() > 0
    assert [b for b in bad if "/no/such/page" not in b] == []
    # Its topic links and the header's search work from there.
    expect(page.locator(".bx-notfound-topics a")).to_have_count(4)
    page.locator(".bx-notfound-topics a", has_text="Fentanyl").click()
    page.wait_for_url(f"{root}topics/fentanyl/")
    expect(page.locator("article h1")).to_contain_text("Fentanyl")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_changes_page_shows_summary_diff_colours_badge_and_a_banner_in_view(browser, preview_site, serve, width):
    from conftest import SUGGESTED_EXCERPT
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    root = f"{serve(preview_site)}/{PREVIEW_PATH}/"
    page.goto(root + "changes/")
    summary = page.locator("ul.bx-summary-list")
    expect(summary).to_contain_text("Military-to-military communication: 1 excerpt added")
    expect(summary).to_contain_text("Taiwan: 1 excerpt added")
    expect(summary).to_contain_text("Editor's prose: 1 change (Fentanyl: bottom line)")
    diff = page.locator("p.bx-diff").first
    expect(diff.locator("del")).to_have_text("meant ")
    expect(diff.locator("ins")).to_have_text("wanted ")
    assert diff.locator("ins").evaluate("e => getComputedStyle(e).color") != diff.evaluate("e => getComputedStyle(e).color")
    suggested = page.locator("li.bx-change--added", has_text=SUGGESTED_EXCERPT[:40])
    expect(suggested.locator(".bx-unreviewed")).to_have_text("unreviewed")
    assert suggested.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(27, 94, 32)"
    assert page.locator("li.bx-change--added").count() == 2  # each excerpt once, whatever its topics
    # Its link goes to its place in the preview.
    suggested.locator("a", has_text="On the topic page").click()
    page.wait_for_url(f"{root}topics/taiwan/#ex-*")
    expect(page.locator("ol.bx-evidence li:target")).to_contain_text(SUGGESTED_EXCERPT[:40])
    # The banner stays in view, the header below it.
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(300)
    banner = page.locator(".md-banner").bounding_box()
    header = page.locator(".md-header").bounding_box()
    assert banner["y"] == 0 and header["y"] >= banner["height"] - 1, (banner, header)
    expect(page.locator(".md-banner a", has_text="This page in the published briefing")).to_have_attribute(
        "href", "https://owner.github.io/repo/topics/taiwan/")
    context.close()
