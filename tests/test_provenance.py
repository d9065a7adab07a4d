"""Honest provenance: a machine translation is said next to its source, an unnamed publisher
is left out, and an editor's corrections are printed as a newspaper prints them."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.site.pages import body_pages
from briefing.site.pipeline import compose
from briefing.site.render import render_bodies
from conftest import ROOT, edit_seed, seed_errors

USIP_2024 = "articles/2024-04-usip-blinken-second-visit-stabilize-ties.md"




def bodies(seeds: Path) -> dict[str, str]:
    composed = compose(seeds, ROOT / "templates", root=seeds.parent)
    return dict(render_bodies(body_pages(composed.site), ROOT / "templates"))



def test_a_machine_translation_is_said_next_to_its_source_and_an_unnamed_publisher_is_left_out(seeds):
    edit_seed(seeds, USIP_2024, "source: United States Institute of Peace (USIP)\n", 'source: ""\ntranslation: machine\n')
    pages = bodies(seeds)
    article = pages[USIP_2024]
    assert "<strong>Translation:</strong> machine translation" in article
    assert "<strong>Source:</strong> not named in the text" in article
    topic = pages["topics/fentanyl.md"]
    assert "c. 30 April 2024 · machine translation · <a href" in topic
    assert "United States Institute of Peace (USIP) · c. 30 April 2024" not in topic
    assert "Publication not named" not in topic


def test_an_unknown_translation_is_a_path_line_error(seeds):
    edit_seed(seeds, USIP_2024, "language: en\n", "language: en\ntranslation: robot\n")
    assert any(e.startswith(f"seeds/{USIP_2024}:") and "unknown translation 'robot'" in e for e in seed_errors(seeds))


def test_corrections_are_printed_with_their_date_on_the_topic_and_the_article(seeds):
    edit_seed(seeds, "topics.yml", "  - slug: fentanyl\n", "  - slug: fentanyl\n    corrections:\n"
         "      - {date: 2026-12-02, text: 'The bottom line said \"pressed\"; the source states an intention.'}\n")
    edit_seed(seeds, USIP_2024, "excerpts:\n", "corrections:\n  - date: 2026-11-30\n    text: The publisher is not named.\nexcerpts:\n")
    pages = bodies(seeds)
    for path, text in (("topics/fentanyl.md", "The bottom line said &#34;pressed&#34;; the source states an intention."),
                       (USIP_2024, "The publisher is not named.")):
        notice = pages[path][pages[path].index('<aside class="bx-corrections" id="corrections">'):]
        assert "<p class=\"bx-label\">Correction</p>" in notice and text in notice, path
    assert "<strong>2 December 2026:</strong>" in pages["topics/fentanyl.md"]
    assert "<strong>30 November 2026:</strong>" in pages[USIP_2024]
    assert 'class="bx-corrections"' not in pages["topics/taiwan.md"]


@pytest.mark.parametrize("entry", ["- {date: 2026-02-30, text: x}", "- {text: no date}", "- just text",
                                   "- {date: 2026-12-02, text: x, by: me}"])
def test_a_malformed_correction_is_a_path_line_error(seeds, entry):
    edit_seed(seeds, "topics.yml", "  - slug: fentanyl\n", f"  - slug: fentanyl\n    corrections:\n      {entry}\n")
    found = seed_errors(seeds)
    assert found and all(e.startswith("seeds/topics.yml:") for e in found), found
    assert any("correction" in e for e in found), found
