"""Golden files: the generated Markdown of one topic page and one article page (with its HTML body),
and the home page, composed from the frozen fixture seeds (tests/fixtures/seeds).

Regenerate after an intended change with
``BRIEFING_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py`` and review the diff.
"""

import os
from pathlib import Path

import pytest

from briefing.site.pipeline import compose
from briefing.site.pages import body_pages
from briefing.site.render import render_bodies

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
GOLDEN = Path(__file__).resolve().parent / "golden"
PAGES = ["topics/fentanyl.md", "articles/2023-06-usip-blinken-beijing-trip-no-breakthroughs.md", "index.md"]


@pytest.mark.parametrize("page", PAGES)
def test_generated_markdown_matches_golden_file(page):
    composed = compose(SEEDS, ROOT / "templates", root=SEEDS.parent)
    pages = dict(composed.pages)
    bodies = body_pages(composed.site)
    if page in bodies:  # article pages: a Markdown title, then an HTML body
        _, body = next(render_bodies(bodies, ROOT / "templates", [page]))
        pages[page] += "\n<!-- HTML body, put in by the hook -->\n" + body
    golden = GOLDEN / page
    if os.environ.get("BRIEFING_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(pages[page], encoding="utf-8")
    assert pages[page] == golden.read_text(encoding="utf-8")
