"""The reader's briefing in headless Chromium, on a desktop (1280×800) and a phone (390×844):
the answer on the first screen, no page wider than the screen, a citation that lands on its
own excerpt, and people's pages titled with their names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from conftest import SEEDS

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(params=sorted(SIZES))
def sized(browser, request):
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.size_name = request.param
    yield page
    context.close()


def test_the_home_page_shows_every_bottom_line_on_the_first_desktop_screen(browser, built_site, serve):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(serve(built_site) + "/")
    lines = page.locator(".bx-brief-line")
    expect(lines).to_have_count(4)
    for i in range(4):
        box = lines.nth(i).bounding_box()
        assert box["y"] + box["height"] <= 800, (i, box)
        expect(lines.nth(i).locator("sup.bx-ref a").first).to_be_visible()
    expect(page.locator(".bx-brief-topic .bx-asof").first).to_contain_text("As of")
    context.close()


def test_no_page_scrolls_sideways(sized, built_site, serve):
    base = serve(built_site)
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    assert len(pages) > 30
    wide = []
    for path in pages:
        sized.goto(f"{base}/{path}")
        width, inner = sized.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            wide.append((path, width))
    assert wide == [], f"{sized.size_name}: {wide}"


def test_a_citation_lands_on_its_own_excerpt_below_the_header(sized, built_site, serve):
    sized.goto(serve(built_site) + "/topics/taiwan/")
    citation = sized.locator("#bottom-line sup.bx-ref a").nth(1)
    anchor = citation.get_attribute("href").split("#")[1]
    citation.click()
    sized.wait_for_url(f"**#{anchor}")
    target = sized.locator(f"#{anchor}")
    expect(target).to_be_in_viewport()
    assert target.evaluate("el => el.closest('details').open")
    header = sized.locator(".md-header").bounding_box()
    assert target.bounding_box()["y"] >= header["y"] + header["height"] - 1
    highlighted = sized.evaluate("""[...document.querySelectorAll('ol.bx-evidence > li')]
        .filter(li => getComputedStyle(li).backgroundColor !== 'rgba(0, 0, 0, 0)').map(li => li.id)""")
    assert highlighted == [anchor]


def test_a_citation_shows_its_quote_and_source_on_hover(browser, built_site, serve):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(serve(built_site) + "/topics/taiwan/")
    citation = page.locator("#bottom-line sup.bx-ref a").first
    citation.hover()
    card = page.locator(".bx-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text(citation.get_attribute("data-bx-quote"))
    expect(card).to_contain_text(citation.get_attribute("data-bx-source"))
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)
    context.close()


def test_a_citation_on_a_touch_screen_shows_its_card_before_it_goes(browser, built_site, serve):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(serve(built_site) + "/topics/taiwan/")
    citation = page.locator("#bottom-line sup.bx-ref a").first
    citation.tap()
    expect(page.locator(".bx-card")).to_be_visible()
    assert "#" not in page.url
    page.locator(".bx-card a").tap()
    page.wait_for_url("**#ex-*")
    context.close()


def test_every_person_page_is_titled_with_the_name_as_in_people_yml(page, built_site, serve):
    base = serve(built_site)
    people = yaml.safe_load((SEEDS / "people.yml").read_text(encoding="utf-8"))["people"]
    for person in people:
        page.goto(f"{base}/people/{person['id']}/")
        title = page.locator("article h1").evaluate("h => h.firstChild.textContent.trim()")
        assert title == person["name"]
        assert "---" not in page.locator("article").inner_text()
        expect(page.locator("article")).to_contain_text(person["role"])


def test_the_people_index_puts_each_person_on_a_line_with_the_role(page, built_site, serve):
    page.goto(serve(built_site) + "/people/")
    items = page.locator("article li")
    people = yaml.safe_load((SEEDS / "people.yml").read_text(encoding="utf-8"))["people"]
    expect(items).to_have_count(len(people))
    for i in range(len(people)):
        text = items.nth(i).inner_text()
        assert text.count(":") >= 1 and "\n" not in text.strip(), text
