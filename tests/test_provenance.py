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


XI = "articles/2023-06-xi-blinken-pledge-stabilize-ties.md"
SHEN = "articles/2023-06-blinken-launches-high-stakes-talks.md"


def _with_speaker(seeds: Path, name: str, quote_start: str, lines: str) -> None:
    """Put ``lines`` (speaker, stance) into the excerpt whose quote starts with ``quote_start``."""
    path = seeds / name
    text = path.read_text(encoding="utf-8")
    at = text.index(f"quote: {quote_start}")
    end = text.index("\n", at)
    path.write_text(text[:end + 1] + lines + text[end + 1:], encoding="utf-8")


def test_a_stance_that_clashes_with_its_speaker_is_a_path_line_error(seeds):
    _with_speaker(seeds, XI, "The U.S. has said that", "    speaker: xi-jinping\n")
    found = seed_errors(seeds)
    assert any(e.startswith(f"seeds/{XI}:") and "stance 'us' clashes with its speaker Xi Jinping (side 'china')" in e
               for e in found), found


def test_an_analyst_stating_an_official_position_is_an_error_and_analysis_is_shown_apart(seeds):
    text = (seeds / SHEN).read_text(encoding="utf-8")
    shen = "    topics: [taiwan]\n    note: 'Shen Dingli"
    assert shen in text
    (seeds / SHEN).write_text(text.replace(shen, "    topics: [taiwan]\n    stance: china\n    speaker: shen-dingli\n"
                                                 "    note: 'Shen Dingli"),
                              encoding="utf-8")
    found = seed_errors(seeds)
    assert any("stance 'china' clashes with its speaker Shen Dingli (side 'other')" in e and
               "stance: analysis" in e for e in found), found
    (seeds / SHEN).write_text(text.replace(shen, "    topics: [taiwan]\n    stance: analysis\n    speaker: shen-dingli\n"
                                                 "    note: 'Shen Dingli"),
                              encoding="utf-8")
    assert seed_errors(seeds) == []
    taiwan = bodies(seeds)["topics/taiwan.md"]
    positions = taiwan[taiwan.index('id="positions"'):taiwan.index('id="evidence"')]
    assert "Shen noted" not in positions
    assert '<span class="bx-stance bx-stance--analysis">Analysis</span>' in taiwan


def test_an_unknown_speaker_is_an_error_with_a_hint(seeds):
    _with_speaker(seeds, XI, "The U.S. has said that", "    speaker: antony-blinkn\n")
    assert any("unknown speaker 'antony-blinkn'" in e and "did you mean antony-blinken?" in e for e in seed_errors(seeds))


def test_event_dates_keep_their_precision_ranges_included_and_sort_by_their_earliest_day():
    from briefing.core.compose import format_event_date
    from briefing.core.model import Event
    assert format_event_date("2023-06-20..2023-06-30") == "20–30 June 2023"
    assert format_event_date("2024-04-26..2024-05-03") == "26 April – 3 May 2024"
    assert format_event_date("2023-12-30..2024-01-02") == "30 December 2023 – 2 January 2024"

    def event(date: str, line: int, order: int = 0) -> Event:
        return Event(date=date, title=date, topics=(), support=(), line=line, src_path="e", order=order)
    events = [event("2023-06", 1), event("2023-06-20..2023-06-30", 2), event("2023-06-18", 3),
              event("2023-06-18", 4, order=-1), event("2023", 5), event("2023-06-01", 6)]
    assert [e.line for e in sorted(events, key=lambda e: e.sort_key)] == [5, 6, 1, 4, 3, 2]


@pytest.mark.parametrize("date, words", [("2023-06-30..2023-06-20", "must run forward"),
                                         ("2023-06..2023-07", "or a range"), ("2023-02-30..2023-03-02", "no such date")])
def test_a_wrong_event_date_range_is_a_path_line_error(seeds, date, words):
    edit_seed(seeds, "events.yml", "  - date: 2022-08\n", f"  - date: {date}\n")
    found = seed_errors(seeds)
    assert any(e.startswith("seeds/events.yml:") and words in e for e in found), found


@pytest.mark.parametrize("published, shown", [("2024-04-26..2024-05-03", "26 April – 3 May 2024"), ("2024-04", "April 2024")])
def test_a_publication_date_keeps_the_precision_the_text_supports(seeds, published, shown):
    edit_seed(seeds, USIP_2024, "published: 2024-04-30\ndate_approximate: true\n",
              f"published: {published}\ndate_approximate: false\n")
    pages = bodies(seeds)
    assert f"<strong>Published:</strong> {shown}" in pages[USIP_2024]
    assert f"As of {shown} · " in pages["topics/fentanyl.md"]
    assert "30 April 2024" not in pages["topics/fentanyl.md"]


@pytest.mark.parametrize("published, words", [("2024-05-03..2024-04-26", "must run forward"),
                                              ("2024-04..2024-05", "must be a date written YYYY-MM-DD"), ("2024-13", "must be a date")])
def test_a_wrong_publication_date_is_a_path_line_error(seeds, published, words):
    edit_seed(seeds, USIP_2024, "published: 2024-04-30\n", f"published: {published}\n")
    found = seed_errors(seeds)
    assert any(e.startswith(f"seeds/{USIP_2024}:") and words in e for e in found), found


def test_a_reprint_is_shown_as_via_never_as_the_source(seeds):
    edit_seed(seeds, USIP_2024, "source: United States Institute of Peace (USIP)\n", 'source: ""\nvia: News Aggregator\n')
    pages = bodies(seeds)
    assert "<strong>Found via:</strong> News Aggregator" in pages[USIP_2024]
    assert "<strong>Source:</strong> not named in the text" in pages[USIP_2024]
    assert "via News Aggregator · c. 30 April 2024" in pages["topics/fentanyl.md"]
