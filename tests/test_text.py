"""Quote matching folds only what an editor cannot see; escaping shows text as written."""

import markdown
import pytest

from briefing.core.text import escape_text, normalize, normalize_with_map


def test_curly_and_straight_quotes_match():
    assert normalize("Blinken’s “core interests”") == normalize("Blinken's \"core interests\"")


def test_dash_variants_match():
    assert normalize("Austin–Li — talks") == normalize("Austin-Li - talks")


def test_runs_of_white_space_match():
    assert normalize("a  \n\t b ") == "a b"


@pytest.mark.parametrize("text", [
    "plain words", " leading", "trailing ", "two  spaces", "no\u00a0break", "thin\u2009space",
    "ideographic\u3000space", "line\u2028separator", "tab\there", "“quoted”\n— dashed", "zero\u200bwidth", "",
])
def test_normalising_is_folding_then_single_spacing_for_any_white_space(text):
    folded = "".join({"“": '"', "”": '"', "—": "-"}.get(c, c) for c in text)
    assert normalize(text) == " ".join(folded.split())
    assert normalize_with_map(text)[0] == normalize(text)


def test_case_and_letters_are_not_folded():
    assert normalize("Taiwan") != normalize("taiwan")
    assert normalize("Blinkens") != normalize("Blinken's")


def test_map_points_back_to_original_characters():
    folded, index = normalize_with_map("say  “hi” — now")
    start = folded.index('"hi"')
    assert "say  “hi” — now"[index[start]:index[start + 3] + 1] == "“hi”"


def test_escaped_text_renders_as_written_through_markdown():
    hostile = "<script>alert(1)</script> [x](javascript:alert(1)) { onclick=alert(1) } *em* `code` <!-- material/tags -->"
    html = markdown.markdown(escape_text(hostile), extensions=["attr_list", "md_in_html", "toc"])
    assert "<script" not in html and "<a " not in html and "onclick=" not in html
    assert "<em>" not in html and "<code>" not in html and "<!--" not in html
    import html as h
    assert h.unescape(html.removeprefix("<p>").removesuffix("</p>")) == hostile


def test_non_ascii_text_is_kept():
    assert escape_text("„Zitat“ — 王毅 …") == "„Zitat“ — 王毅 …"
