"""The background stream: a generator's items produced in a forked process, fetched by key."""

import os
import shutil
import time

import pytest

from conftest import ROOT
from briefing.site.background import BackgroundFailed, Stream, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="the background process needs fork (Linux)")


def _items(n=50, size=20_000):
    for i in range(n):
        yield f"page-{i}", (f"“body {i}” " * (size // 10), [f"p{i}"], [(2, "text", "Text")])


def _fetch_all(stream, keys):
    got = {key: stream.get(key) for key in keys}
    stream.close()
    return got


@pytest.mark.parametrize("order", ["in order", "reversed"])
def test_forked_stream_gives_the_same_items_as_producing_in_this_process(order):
    keys = [f"page-{i}" for i in range(50)]
    if order == "reversed":
        keys.reverse()  # each get reads ahead and keeps what it passes
    forked = _fetch_all(Stream(_items, fork=True), keys)
    here = _fetch_all(Stream(_items, fork=False), keys)
    assert forked == here == dict(_items())


def test_a_key_the_producer_never_yields_gives_none_and_items_are_handed_out_once():
    stream = Stream(lambda: _items(3), fork=True)
    assert stream.get("no-such-page") is None
    assert stream.get("page-1") is not None  # read past on the way: kept until asked for
    assert stream.get("page-1") is None  # each item is handed out once
    stream.close()


def test_producing_runs_in_another_process_that_ends_when_closed():
    def producer_pids():
        yield "pid", os.getpid()

    stream = Stream(producer_pids, fork=True)
    assert stream.get("pid") != os.getpid()
    stream.close()
    stream.close()  # idempotent


def test_poll_takes_in_what_is_ready_without_waiting():
    def slow():
        yield "first", 1
        time.sleep(30)  # never reached in this test's time: close() ends the child
        yield "second", 2

    stream = Stream(slow, fork=True)
    for _ in range(200):
        stream.poll()
        if stream.has("first"):
            break
        time.sleep(0.01)
    assert stream.get("first") == 1
    started = time.monotonic()
    stream.poll()  # the child is asleep: nothing to read, and no waiting for it
    assert time.monotonic() - started < 5
    stream.close()


@pytest.mark.parametrize("fork", [True, False])
def test_an_exception_in_the_producer_is_raised_by_get_with_its_message_and_traceback(fork):
    def failing():
        yield "ok", 1
        raise ValueError("articles/x.md: link to a missing page 'topics/nope.md'")

    stream = Stream(failing, fork=fork)
    assert stream.get("ok") == 1
    with pytest.raises(BackgroundFailed, match="link to a missing page") as caught:
        stream.get("next")
    assert caught.value.kind == "ValueError"
    assert "in failing" in caught.value.details
    stream.close()


def test_a_producer_that_dies_without_finishing_is_reported_not_waited_for():
    def dying():
        yield "ok", 1
        os._exit(3)

    stream = Stream(dying, fork=True)
    with pytest.raises(BackgroundFailed, match=r"ended before it finished \(exit status 3\)"):
        stream.get("next")


def test_closing_while_the_producer_is_still_producing_ends_it():
    def endless():
        n = 0
        while True:
            n += 1
            time.sleep(0.01)
            yield f"page-{n}", "x" * 1000

    stream = Stream(endless, fork=True)
    assert stream.get("page-1") == "x" * 1000
    pid = stream._pid
    started = time.monotonic()
    stream.close()  # must not wait for a producer that never finishes
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # ended and reaped


def test_the_producer_never_waits_for_the_reader():
    def quick():
        for n in range(200):
            yield f"page-{n}", "x" * 50_000  # 10 MB in all: more than any pipe holds

    stream = Stream(quick, fork=True)
    pid = stream._pid
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG)[0] == 0:
        time.sleep(0.01)  # nothing is read meanwhile
    stream._pid = None  # reaped here
    assert time.monotonic() < deadline, "the producer waited for its reader"
    assert stream.get("page-199") == "x" * 50_000 and stream.get("page-0") == "x" * 50_000
    stream.close()


# In a real build: the HTML bodies of article and archive pages are rendered in the background
# from BACKGROUND_MIN_PAGES bodies on. The seeds have fewer, so these tests lower the bar.

def _publish(seeds, out, templates, monkeypatch, min_pages, offline=False):
    from briefing.site import plugin
    from briefing.site.publish import Variant, publish_site
    from briefing.site.settings import Overrides

    monkeypatch.setattr(plugin, "BACKGROUND_MIN_PAGES", min_pages)
    forks = []
    def stream(produce, fork):
        made = Stream(produce, fork)
        forks.append(made._pid is not None)  # a child process really produces the bodies, or not
        return made

    monkeypatch.setattr(plugin, "Stream", stream)
    try:
        publish_site(ROOT, out, Variant(overrides=Overrides(seeds_dir=seeds, templates_dir=templates, offline=offline)))
        return out
    finally:
        assert forks == [min_pages == 0]


def _tree(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("offline", [False, True], ids=["hosted", "offline"])
def test_bodies_rendered_in_the_background_give_a_byte_identical_site(seeds, tmp_path, monkeypatch, offline):
    here = _publish(seeds, tmp_path / "here", ROOT / "templates", monkeypatch, min_pages=10**9, offline=offline)
    background = _publish(seeds, tmp_path / "background", ROOT / "templates", monkeypatch, min_pages=0, offline=offline)
    assert _tree(here) == _tree(background)
    article = "articles/2023-06-usip-blinken-beijing-trip-no-breakthroughs" + (".html" if offline else "/index.html")
    html = (background / article).read_text(encoding="utf-8")
    assert '<p class="bx-para" id="p1">' in html
    # links made for this variant's URLs: no directory URLs offline
    assert ('href="../topics/taiwan.html"' if offline else 'href="../../topics/taiwan/"') in html


def test_a_body_template_error_fails_the_build_at_its_line_and_keeps_the_last_site(seeds, tmp_path, monkeypatch):
    from briefing.core.errors import PublishFailed

    out = _publish(seeds, tmp_path / "site", ROOT / "templates", monkeypatch, min_pages=0)
    before = _tree(out)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    body = templates / "article.html.j2"
    body.write_text(body.read_text(encoding="utf-8") + "{{ page.no_such_field }}\n", encoding="utf-8")
    for min_pages in (0, 10**9):  # the same message whether the body was rendered in the background or not
        with pytest.raises(PublishFailed) as caught:
            _publish(seeds, out, templates, monkeypatch, min_pages=min_pages)
        line = len(body.read_text(encoding="utf-8").splitlines())
        assert f"{body}:{line}: UndefinedError: " in str(caught.value) and "no_such_field" in str(caught.value)
        assert _tree(out) == before
