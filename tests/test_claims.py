"""Editors' prose cites its evidence: [ex:id] markers are parsed, checked and shown as numbered
links to the excerpt on the topic page; lead quotes are chosen by the editor or fall back to a
full sentence; the topic page gives the answer first and quotes no excerpt in full twice."""

from __future__ import annotations

import re

import pytest

from briefing.core.claims import Part, parse_claim
from briefing.core.compose import compose_site, is_full_sentence
from briefing.site.pages import body_pages
from briefing.site.pipeline import compose, verify
from briefing.site.render import render_bodies, shorten
from conftest import ROOT, SEEDS, edit_seed, seed_errors





# --- parsing -------------------------------------------------------------------------------

def test_a_claim_splits_at_its_citations_and_keeps_the_prose_whole():
    claim = parse_claim('Beijing says "core interests" [ex:a]; Washington disagrees [ex:b][ex:c, d].')
    assert claim.parts == (Part('Beijing says "core interests"', ("a",)), Part("; Washington disagrees", ("b", "c", "d")),
                           Part(".", ()))
    assert claim.text == 'Beijing says "core interests"; Washington disagrees.'
    assert claim.cites == ("a", "b", "c", "d")
    assert parse_claim("No citation at all.").parts == (Part("No citation at all.", ()),)


# --- checking ------------------------------------------------------------------------------

def test_a_citation_of_no_excerpt_is_a_path_line_error_with_a_hint(seeds):
    line = edit_seed(seeds, "topics.yml", "[ex:tw-one-china]. The sources", "[ex:tw-one-chna]. The sources")
    found = seed_errors(seeds)
    assert any(p.startswith("seeds/topics.yml:") and "cites 'tw-one-chna', which is no excerpt's id" in p
               and "did you mean tw-one-china?" in p for p in found), found
    assert all(int(p.split(":")[1]) <= line for p in found if "tw-one-chna" in p)


def test_a_citation_of_an_excerpt_on_another_topic_is_an_error(seeds):
    edit_seed(seeds, "topics.yml", "[ex:tw-one-china]. The sources", "[ex:fen-new-ground]. The sources")
    found = seed_errors(seeds)
    assert any("bottom line of 'taiwan' cites 'fen-new-ground', an excerpt on fentanyl, not on 'taiwan'" in p
               for p in found), found


@pytest.mark.parametrize("marker", ["[ex:]", "[ex: Tw One]", "[EX:tw-one-china", "[ex:a b]"])
def test_a_malformed_citation_is_an_error(seeds, marker):
    edit_seed(seeds, "topics.yml", "[ex:tw-one-china]. The sources", f"{marker}. The sources")
    assert any("malformed citation" in p for p in seed_errors(seeds)), seed_errors(seeds)


def test_an_excerpt_id_given_twice_or_with_a_double_hyphen_is_an_error(seeds):
    name = "articles/2023-06-xi-blinken-pledge-stabilize-ties.md"
    edit_seed(seeds, name, "id: mil-dozen-requests", "id: mil-china-refused")
    assert any("excerpt id 'mil-china-refused' is already used" in p and "first at seeds/articles/" in p
               for p in seed_errors(seeds))
    edit_seed(seeds, name, "id: mil-absolutely-vital", "id: mil--vital")
    assert any("excerpt id 'mil--vital' contains '--'" in p for p in seed_errors(seeds))


def test_a_lead_quote_must_state_its_side(seeds):
    edit_seed(seeds, "topics.yml", "leads: [tw-core-interests]", "leads: [tw-one-china]")
    assert any("lead quote 'tw-one-china' of 'taiwan' does not state the position of China" in p
               for p in seed_errors(seeds)), seed_errors(seeds)


def test_more_than_three_leads_or_an_unknown_side_is_an_error(seeds):
    edit_seed(seeds, "topics.yml", "leads: [tw-core-interests]", "leads: [a, b, c, d]")
    edit_seed(seeds, "topics.yml", "    positions:\n      us:\n        summary: The \"One China\"",
         "    positions:\n      russia: {summary: x}\n      us:\n        summary: The \"One China\"")
    found = seed_errors(seeds)
    assert any("4 lead quotes for 'china'" in p for p in found), found
    assert any("unknown side 'russia' in 'positions'" in p for p in found), found


def test_a_citation_of_a_quote_not_found_is_not_reported_twice(seeds):
    edit_seed(seeds, "articles/2023-06-usip-blinken-beijing-trip-no-breakthroughs.md",
         "quote: Blinken reaffirmed that no changes", "quote: Blinken reaffirmed that no change")
    found = seed_errors(seeds)
    assert len(found) == 1 and "quote not found" in found[0], found


# --- lead quotes -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, full", [
    ("Blinken reaffirmed that no changes have been made to the U.S. “One China” policy.", True),
    ("“It is absolutely vital,” he said.", True),
    ("amid escalated military activity in the Taiwan Strait and the South China Sea", False),
    ("there was little indication that either is prepared to bend.", False),
    ("It was clear that Blinken had a wishlist including AI, chemicals, Taiwan, the South China Sea and Ukraine.", False),
])
def test_only_a_full_sentence_that_is_not_a_list_can_lead(text, full):
    assert is_full_sentence(text) is full


def test_the_editor_s_leads_come_first_and_a_side_without_them_falls_back_to_a_full_sentence():
    site = compose_site(verify(SEEDS, SEEDS.parent))
    taiwan = next(t for t in site.topics if t.topic.slug == "taiwan")
    us, china = taiwan.sides
    assert [v.key for v in us.leads] == ["tw-one-china", "tw-biden-defend"]
    assert us.summary.text == 'The "One China" policy is unchanged.'
    for page in site.topics:
        for side in page.sides:
            position = page.topic.position(side.stance)
            if position is None or not position.leads:
                assert len(side.leads) <= 1
                assert all(is_full_sentence(v.anchored.text) for v in side.leads)


def test_words_are_never_cut_in_the_middle():
    text = "Cooperation on counter-narcotics appeared to break new ground, said the State Department."
    for length in range(1, len(text)):
        cut = shorten(text, length)
        assert cut.endswith("…") and text.startswith(cut[:-1]) and text[len(cut) - 1] in " ,", cut
        assert len(cut) <= max(length, len("Cooperation")) + 1
    assert shorten(text, 500) == text


# --- the pages ---------------------------------------------------------------------------------

def _bodies() -> dict[str, str]:
    composed = compose(SEEDS, ROOT / "templates", root=SEEDS.parent)
    return dict(render_bodies(body_pages(composed.site), ROOT / "templates"))


def test_a_topic_page_gives_the_answer_first_then_the_evidence():
    body = _bodies()["topics/taiwan.md"]
    order = ['class="bx-asof"', 'id="bottom-line"', 'id="key-points"', 'id="watch"', 'id="positions"',
             'id="chronology"', 'id="evidence"', 'id="see-also"']
    places = [body.index(marker) for marker in order]
    assert places == sorted(places)


def test_a_citation_is_a_numbered_link_to_its_excerpt_with_the_quote_for_its_card():
    body = _bodies()["topics/taiwan.md"]
    bottom = body[body.index('id="bottom-line"'):body.index('id="key-points"')]
    links = re.findall(r'<sup class="bx-ref"><a href="#(ex-[a-z0-9-]+)" data-bx-quote="([^"]+)" '
                       r'data-bx-source="([^"]+)" aria-label="Evidence (\d+)">(\d+)</a></sup>', bottom)
    assert [link[0] for link in links] == ["ex-tw-core-interests", "ex-tw-one-china", "ex-mil-escalation-risk"]
    for anchor, quote, source, label, number in links:
        item = re.search(rf'<li id="{anchor}" value="(\d+)">', body)
        assert item and item.group(1) == number == label
        assert quote.startswith(("Wang reasserted", "Blinken reaffirmed", "Military-to-military"))


def test_no_excerpt_is_quoted_in_full_twice_on_a_topic_page():
    site = compose_site(verify(SEEDS, SEEDS.parent))
    bodies = _bodies()
    for page in site.topics:
        body = bodies[page.dest_path]
        for key, ref in page.refs.items():
            text = ref.view.anchored.text.replace("'", "&#39;").replace('"', "&#34;")
            quoted = body.count(f"<p>{text}</p>")
            assert quoted <= 1, (page.topic.slug, key)
            assert f'id="ex-{key}"' in body or ref.dest_path != page.dest_path


def test_the_home_page_gives_every_topic_s_bottom_line_with_its_date_and_citations():
    body = _bodies()["index.md"]
    site = compose_site(verify(SEEDS, SEEDS.parent))
    for summary in site.home.summaries:
        section = body[body.index(f'id="topic-{summary.topic.slug}"'):]
        section = section[:section.index("</section>")]
        assert f"As of {summary.latest}" in section
        assert re.search(rf'href="topics/{summary.topic.slug}\.md#ex-[a-z0-9-]+"', section)
        if summary.topic.changed:
            assert '<p class="bx-changed">' in section


# --- [sic] ---------------------------------------------------------------------------------------

def test_words_marked_sic_are_followed_by_sic_wherever_the_quote_is_shown():
    bodies = _bodies()
    for path in ("topics/taiwan.md", "topics/fentanyl.md", "people/antony-blinken.md"):
        body = bodies[path]
        assert 'wishlistincluding<span class="bx-sic" title="as in the source">[sic]</span>' in body, path
    assert 'Nancy Pelosis<span class="bx-sic"' in bodies["topics/taiwan.md"]


def test_a_word_marked_sic_that_is_not_in_the_quote_is_an_error(seeds):
    edit_seed(seeds, "articles/2024-04-usip-blinken-second-visit-stabilize-ties.md", "sic: [Pelosis]", "sic: [Pelosi's]")
    assert any("\"Pelosi's\" (marked sic) is not in the quote" in p for p in seed_errors(seeds)), seed_errors(seeds)


def test_the_tags_index_lists_topics_and_articles_never_people(built_site):
    html = (built_site / "tags" / "index.html").read_text(encoding="utf-8")
    assert "articles/" in html and "people/" not in html.split('class="md-content"')[1].split("</article>")[0]


def test_a_passage_naming_a_person_is_cut_around_the_name():
    from briefing.site.render import around
    text = "Treasury Secretary Janet Yellen led an economic delegation to China. " * 5 + \
        "In May, National Security Advisor Jake Sullivan met Wang Yi in Vienna, followed by talks."
    shown = around(text, ("Jake Sullivan", "Sullivan"), 120)
    assert "Jake Sullivan" in shown and shown.startswith("…")
    assert len(shown) <= 125 and shown[1:].removesuffix("…") in text
    assert around("Short text naming Sullivan.", ("Sullivan",), 120) == "Short text naming Sullivan."


@pytest.mark.parametrize("prose, expected", [
    ("One claim [ex:a]. Another claim [ex:b].", []),
    ("One claim [ex:a]. Another claim.", ["Another claim."]),
    ("The U.S. policy is unchanged [ex:a]. Mr. Li agreed on 5 May [ex:b].", []),
    ("“Quoted,” he said [ex:a]. No source said so.", ["No source said so."]),
    ("Said c. 30 April 2024 [ex:a]!", []),
])
def test_every_sentence_of_editor_s_prose_must_cite(prose, expected):
    from briefing.core.claims import uncited
    assert uncited(prose) == expected


def test_an_uncited_sentence_fails_check_with_its_line(seeds):
    line = edit_seed(seeds, "topics.yml", "Washington's complaint hardened between the two visits: in June 2023",
                "Washington's complaint hardened between the two visits. In June 2023")
    found = seed_errors(seeds)
    assert found == [f"seeds/topics.yml:{line - 1}: bottom line of 'ukraine': a sentence cites no excerpt: "
                     "\"Washington's complaint hardened between the two visits.\"\n"
                     "    hint: end each sentence with [ex:<id>] of the excerpts that support it"], found


@pytest.mark.slow  # build.py processes; the logic is tested in-process above
def test_check_audit_lists_each_sentence_beside_the_quotes_it_cites():
    from conftest import run_build, SEEDS
    result = run_build("check", "--audit", "--seeds", str(SEEDS))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    taiwan = out[out.index("== Taiwan ("):out.index("== Fentanyl")]
    assert "  bottom line, sentence 1 (line " in taiwan
    assert "      [tw-one-china] “Blinken reaffirmed that no changes have been made to the U.S. “One China” policy.”" \
           " (2023-06-usip-blinken-beijing-trip-no-breakthroughs ¶10)" in taiwan
    assert "[ex:" not in out
    assert out.rstrip().splitlines()[-1].startswith("OK: ")
