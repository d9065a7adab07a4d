"""Accessibility: axe-core finds no serious or critical violation, and the site works by keyboard."""

import pytest
from playwright.sync_api import expect

from conftest import ROOT

pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["", "topics/mil-to-mil/", "articles/2023-06-usip-blinken-beijing-trip-no-breakthroughs/",
         "people/li-shangfu/", "timeline/", "pack/", "topics/taiwan/#ex-tw-one-china", "people/jake-sullivan/",
         "404.html"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_no_serious_or_critical_axe_violation(page, built_site, serve, path, scheme):
    assert AXE.is_file(), "axe-core missing: run `make node` (npm ci)"
    base = serve(built_site)
    page.goto(f"{base}/{path}")
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    page.wait_for_timeout(800)  # let Material's colour transitions finish before measuring contrast
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def focus_link(page, text: str, limit: int = 200, href: str = "") -> None:
    """Press Tab until the focused element is a link whose text contains ``text`` (and whose
    address contains ``href``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement && document.activeElement.textContent || ''")
        if text in label and page.evaluate("document.activeElement.tagName") == "A":
            if href in page.evaluate("document.activeElement.getAttribute('href') || ''"):
                return
    raise AssertionError(f"no link {text!r} reachable with Tab")


def test_every_feature_works_by_keyboard(page, built_site, serve):
    base = serve(built_site)
    page.goto(f"{base}/")
    # Navigation: tab to a topic, open it.
    focus_link(page, "Fentanyl", href="topics/fentanyl")
    page.keyboard.press("Enter")
    expect(page.locator("article h1")).to_contain_text("Fentanyl")
    # A citation: tab to its number, open it: the excerpt, its block of evidence opened.
    focus_link(page, "", href="#ex-")
    target = page.evaluate("document.activeElement.getAttribute('href')").split("#")[1]
    page.keyboard.press("Enter")
    expect(page.locator(f"#{target}")).to_be_in_viewport()
    # Its source: tab on to "in context", open it, land on the paragraph.
    page.locator(f"#{target}").evaluate("el => el.querySelector('a').focus()")
    expect(page.locator(":focus")).to_contain_text("in context")
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/**#p*")
    anchor = page.url.split("#")[1]
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()
    # A block of a topic's evidence opens with the keyboard.
    page.goto(f"{base}/topics/taiwan/")
    summary = page.locator("details summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details").first).to_have_attribute("open", "")
    # Light/dark: the palette toggle is a focusable control.
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component=palette] input:visible, label.md-header__button[for^='__palette']:visible").first.focus()
    page.keyboard.press("Space")
    expect(page.locator("body")).not_to_have_attribute("data-md-color-scheme", before or "")
    # Search: "/" focuses it, arrows choose a result, Enter opens it.
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    expect(page.locator("input.md-search__input")).to_be_focused()
    page.keyboard.type("safety net", delay=50)
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=10_000)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/topics/mil-to-mil/**")
