"""Excerpts are found in their article, or reported with a clear message and a hint."""

import datetime as dt

import pytest

from briefing.core.anchor import ArticleIndex, collect_anchors
from briefing.core.errors import Problem
from briefing.core.model import Article, Excerpt, Paragraph, Seeds


def article(*texts: str, excerpts=()) -> Article:
    paragraphs = tuple(Paragraph(i, t, 10 + 2 * i) for i, t in enumerate(texts, 1))
    return Article(id="a", title="A", source="", url="", published=dt.date(2023, 6, 18),
                   date_approximate=False, authors=(), language="en", paragraphs=paragraphs,
                   excerpts=tuple(excerpts), src_path="seeds/articles/a.md")


def excerpt(quote: str, line: int = 5, **kw) -> Excerpt:
    return Excerpt(article_id="a", quote=quote, topics=("taiwan",), line=line, **kw)


def anchor(art: Article) -> tuple[list, list[Problem]]:
    problems: list[Problem] = []
    briefing = collect_anchors(Seeds(topics=(), articles=(art,)), problems)
    return list(briefing.excerpts), problems


def test_quote_is_found_in_its_paragraph_despite_quote_and_dash_styles():
    art = article("First.", "Wang said Taiwan is one of China’s “core interests” — no room.",
                  excerpts=[excerpt('China\'s "core interests" - no room')])
    (found,), problems = anchor(art)
    assert problems == []
    assert found.paragraph.number == 2
    assert found.text == "China’s “core interests” — no room"


def test_missing_quote_reports_path_line_and_closest_passage():
    art = article("Blinken said it is absolutely vital that we talk.",
                  excerpts=[excerpt("it is absolutely essential that we talk", line=7)])
    _, (problem,) = anchor(art)
    assert str(problem) == (
        "seeds/articles/a.md:7: quote not found in 'a': \"it is absolutely essential that we talk\"\n"
        "    hint: closest passage (¶1, line 12): \"it is absolutely vital that we talk.\"")


def test_quote_with_no_close_passage_has_no_hint():
    _, (problem,) = anchor(article("Nothing here.", excerpts=[excerpt("fentanyl precursors")]))
    assert problem.hint == ""
    assert problem.message == "quote not found in 'a': \"fentanyl precursors\""


def test_ambiguous_quote_lists_where_it_occurs():
    art = article("Taiwan matters.", "Again Taiwan matters.", excerpts=[excerpt("Taiwan matters")])
    _, (problem,) = anchor(art)
    assert problem.message == "quote ambiguous in 'a': \"Taiwan matters\" occurs 2 times"
    assert problem.hint.startswith("it occurs in ¶1 (line 12), ¶2 (line 14);")


@pytest.mark.parametrize("kw, paragraph", [({"prefix": "Again"}, 2), ({"suffix": "."}, 1)])
def test_prefix_or_suffix_chooses_one_occurrence(kw, paragraph):
    art = article("Taiwan matters.", "Again Taiwan matters", excerpts=[excerpt("Taiwan matters", **kw)])
    (found,), problems = anchor(art)
    assert problems == [] and found.paragraph.number == paragraph


def test_quote_across_paragraphs_is_reported_with_a_hint_to_split_it():
    art = article("The end of one.", "Start of the next.", excerpts=[excerpt("one. Start of")])
    _, (problem,) = anchor(art)
    assert "split it into one excerpt per paragraph" in problem.hint


def test_closest_passage_is_cheap_to_skip_when_everything_matches():
    index = ArticleIndex(article("Alpha beta gamma."))
    assert index.closest("zzzz qqqq") is None
