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
WARNED_LEADS = {  # an editor's lead that is not a whole sentence: `check` warns of it (tests/test_review.py)
    "Wang reasserted that the Taiwan question is one of China’s “core interests” and there is "
    "“no room for compromise or concession”"}


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


def test_search_ranks_topics_and_articles_above_people_and_finds_paragraphs(page, built_site, serve):
    page.goto(serve(built_site) + "/")
    page.keyboard.press("/")
    page.keyboard.type("fentanyl", delay=30)
    results = page.locator(".md-search-result__item > a")
    expect(results.first).to_be_visible(timeout=10_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(min(results.count(), 6))]
    assert "topics/fentanyl/" in hrefs[0], hrefs
    assert not any("people/" in h for h in hrefs), hrefs
    page.locator("input.md-search__input").fill("")
    page.keyboard.type("precursor chemicals", delay=30)
    links = page.locator(".md-search-result a")
    expect(links.first).to_be_visible(timeout=10_000)
    every = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any("articles/" in h and "#p" in h for h in every), every


def test_the_404_page_has_the_site_s_style_search_and_every_topic(page, built_site, serve):
    base = serve(built_site, not_found=built_site / "404.html")
    response = page.goto(base + "/no/such/page/")
    assert response.status == 404
    expect(page.locator("article h1")).to_have_text("Page not found")
    expect(page.locator("input.md-search__input")).to_be_attached()
    expect(page.locator(".bx-notfound-topics a")).to_have_count(4)
    page.locator(".bx-notfound-topics a", has_text="Taiwan").click()
    expect(page.locator("article h1")).to_contain_text("Taiwan")


def test_the_offline_bundle_s_404_page_links_to_the_topics_from_a_file(page, offline_bundle, tmp_path):
    import zipfile
    with zipfile.ZipFile(offline_bundle) as archive:
        archive.extractall(tmp_path)
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    page.goto((folder / "404.html").as_uri())
    expect(page.locator("article h1")).to_have_text("Page not found")
    assert page.locator("link[rel=stylesheet]").first.evaluate("l => l.sheet !== null")
    page.locator(".bx-notfound-topics a", has_text="Fentanyl").click()
    expect(page.locator("article h1")).to_contain_text("Fentanyl")


def test_each_topic_has_an_evidence_bar_and_a_time_strip_that_link_and_speak(sized, built_site, serve):
    base = serve(built_site)
    for slug in ("taiwan", "fentanyl", "mil-to-mil", "ukraine"):
        sized.goto(f"{base}/topics/{slug}/")
        bar = sized.locator(".bx-asof .bx-bar")
        label = bar.get_attribute("aria-label")
        assert label.startswith(sized.locator(".bx-asof").inner_text().split(" excerpt")[0].split("· ")[-1])
        assert "state the position of the United States" in label and "no side's position" in label
        widths = bar.evaluate("b => [...b.children].reduce((s, c) => s + c.getBoundingClientRect().width, 0)")
        assert abs(widths - bar.bounding_box()["width"]) <= 2
        marks = sized.locator(".bx-strip-mark")
        expect(marks).to_have_count(sized.locator("ol.bx-chronology > li").count())
        first = marks.first
        target = first.get_attribute("href").split("#")[1]
        first.click()
        expect(sized.locator(f"#{target}")).to_be_in_viewport()
    sized.goto(f"{base}/")
    expect(sized.locator(".bx-brief-topic .bx-bar")).to_have_count(4)


def test_copy_citation_puts_the_quote_source_date_and_address_on_the_clipboard(browser, built_site, serve):
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    base = serve(built_site)
    page.goto(base + "/topics/taiwan/")
    button = page.locator(".bx-sides button.bx-copy").first
    quote = page.locator(".bx-sides blockquote.bx-quote").first.inner_text()
    button.click()
    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"“{quote}”") and "c. 22 June 2023" in copied
    assert copied.endswith(f"{base}/articles/2023-06-usip-blinken-beijing-trip-no-breakthroughs/#p10"), copied
    context.close()


def test_copy_citation_works_from_the_offline_bundle(page, offline_bundle, tmp_path):
    import zipfile
    with zipfile.ZipFile(offline_bundle) as archive:
        archive.extractall(tmp_path)
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    page.goto((folder / "topics" / "taiwan.html").as_uri())
    button = page.locator(".bx-sides button.bx-copy").first
    button.click()
    expect(button).to_have_text("Copied")
    copied = page.evaluate("window.bxCopied")
    assert copied.startswith("“") and copied.endswith("articles/2023-06-usip-blinken-beijing-trip-no-breakthroughs.html#p10")
    assert copied.split(" ")[-1].startswith("file://")


def test_on_paper_quotes_are_set_larger_than_their_source_lines(page, built_site, serve):
    page.goto(serve(built_site) + "/pack/")
    page.emulate_media(media="print")
    quote = page.locator(".bx-pack-topic blockquote.bx-quote p").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    source = page.locator(".bx-pack-topic p.bx-cite").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert quote > source
    expect(page.locator(".bx-pack-brief")).to_have_css("break-after", "page")


def test_an_excerpt_found_by_search_opens_on_its_topic_page(page, built_site, serve):
    page.goto(serve(built_site) + "/")
    page.keyboard.press("/")
    page.keyboard.type("safety net", delay=30)
    hit = page.locator(".md-search-result a[href*='#ex-']").first
    expect(hit).to_be_attached(timeout=10_000)  # Material may fold a page's further hits under "more"
    href = hit.get_attribute("href")
    anchor = href.split("#")[1]
    page.goto(href)
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()
    assert page.locator(f"#{anchor}").evaluate("el => el.closest('details').open")


def test_topic_pages_quote_no_excerpt_twice_and_lead_with_full_sentences(sized, built_site, serve):
    from briefing.core.compose import is_full_sentence
    base = serve(built_site)
    for slug in ("taiwan", "fentanyl", "mil-to-mil", "ukraine"):
        sized.goto(f"{base}/topics/{slug}/")
        quotes = sized.evaluate("[...document.querySelectorAll('article blockquote.bx-quote')].map(q => q.textContent)")
        assert len(quotes) == len(set(quotes)), slug
        leads = sized.evaluate("[...document.querySelectorAll('.bx-side blockquote.bx-quote')]"
                               ".map(q => q.textContent.replaceAll('[sic]', ''))")
        fragments = [text for text in leads if not is_full_sentence(text)]
        assert leads and all(text in WARNED_LEADS for text in fragments), (slug, fragments)
