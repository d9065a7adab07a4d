"""Rendering helpers: the pager window and relative links."""

import pytest

from briefing.site.render import page_window, relative_path


def _pages(n):
    return tuple((i, f"topics/taiwan/page-{i}.md") for i in range(1, n + 1))


@pytest.mark.parametrize("total, number, shown", [
    (1, 1, [1]),
    (5, 3, [1, 2, 3, 4, 5]),
    (20, 1, [1, 2, 3, 4, None, 20]),
    (20, 10, [1, None, 7, 8, 9, 10, 11, 12, 13, None, 20]),
    (20, 20, [1, None, 17, 18, 19, 20]),
    (9, 5, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
])
def test_pager_shows_first_last_and_three_either_side_with_gaps_marked(total, number, shown):
    window = page_window(_pages(total), number)
    assert [item and item[0] for item in window] == shown
    assert all(item is None or item == _pages(total)[item[0] - 1] for item in window)


def test_pager_size_does_not_grow_with_the_number_of_pages():
    # Every page of every pager, from 1 to 40 pages and at 1,000 and 10,000. The list of pages is
    # made once per total (making it for each page number was what took this test 30 s).
    for total in (*range(1, 41), 1_000, 10_000):
        pages = _pages(total)
        assert max(len(page_window(pages, n)) for n in range(1, total + 1)) <= 11, total
    assert page_window((), 1) == []


@pytest.mark.parametrize("src, dest, link", [
    ("topics/taiwan.md", "articles/a.md", "../articles/a.md"),
    ("index.md", "topics/taiwan.md", "topics/taiwan.md"),
    ("topics/taiwan/page-2.md", "topics/taiwan.md", "../taiwan.md"),
    ("topics/taiwan/page-2.md", "topics/taiwan/page-3.md", "page-3.md"),
])
def test_relative_path_between_pages(src, dest, link):
    assert relative_path(src, dest) == link
