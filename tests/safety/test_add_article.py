"""What add-article writes always passes check and builds; what it cannot write it refuses clearly."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefing.core.anchor import QuoteFinder
from briefing.cli import main
from briefing.editor.ingest import _Flow, front_matter
from briefing.core.load import SAFE_ID, load_article, split_front_matter
from briefing.core.values import control_characters

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SEEDS = ROOT / "tests" / "fixtures" / "seeds"
ARTICLE = ("Taiwan talks resume in Geneva\n\n"
           "Officials from both sides met on Monday to discuss cross-Strait tension and the Taiwan Strait.\n\n"
           "The talks also covered fentanyl precursor chemicals and counter-narcotics cooperation.\n")
OPTIONS = ("--source", "Pacific Ledger", "--date", "2024-06-05")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the frozen fixture seeds (never the editorial seeds/)."""
    return Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "seeds"))


def run(*argv: str) -> tuple[int, str, str]:
    """``build.py ARGV`` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's own refusals
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def add(seeds: Path, path: Path, *options: str) -> tuple[int, str, str]:
    return run("add-article", "--seeds", str(seeds), str(path), *options)


def paste(tmp_path: Path, text: str, name: str = "pasted.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def new_articles(seeds: Path) -> list[Path]:
    fixture = {p.name for p in (FIXTURE_SEEDS / "articles").glob("*.md")}
    return sorted(p for p in (seeds / "articles").iterdir() if p.name not in fixture)


def written(seeds: Path) -> tuple[Path, dict, str]:
    """The one article add-article wrote: path, front matter as YAML reads it, body."""
    (path,) = new_articles(seeds)
    front, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    return path, yaml.safe_load(front), body


def assert_check_accepts(seeds: Path) -> str:
    code, out, err = run("check", "--seeds", str(seeds))
    assert code == 0 and out.startswith("OK"), err
    return err


# --- ids ---------------------------------------------------------------------------------

@pytest.mark.parametrize("title, expected", [
    ("中文标题：台湾海峡", "2024-06-05-zhong-wen-biao-ti-tai-wan-hai-xia"),
    ("Переговоры о Тайване", "2024-06-05-peregovory-o-tayvane"),
    ("😀🎉🇨🇳", "article-2024-06-05-1"),
    ("!!! … ??? — ***", "article-2024-06-05-1"),
    ("2024-06-05", "2024-06-05-2024-06-05"),
])
def test_a_title_without_latin_letters_gives_a_string_id_that_check_accepts(seeds, tmp_path, title, expected):
    code, out, err = add(seeds, paste(tmp_path, ARTICLE), *OPTIONS, "--title", title)
    assert code == 0, err
    path, front, _ = written(seeds)
    assert front["id"] == expected and isinstance(front["id"], str) and SAFE_ID.match(front["id"])
    assert path.name == f"{expected}.md" and front["title"] == title
    assert_check_accepts(seeds)


def test_titles_with_no_letters_take_the_next_free_number(seeds, tmp_path):
    for number, title in enumerate(["😀", "🎉", "—"], 1):
        code, out, err = add(seeds, paste(tmp_path, ARTICLE.replace("Monday", f"day {number}")), *OPTIONS,
                             "--title", title)
        assert code == 0, err
        assert f"article-2024-06-05-{number}.md" in out
    assert_check_accepts(seeds)


@pytest.mark.parametrize("title", ["---", "no", "null", "'quoted'", "#hash", "- dash", "a: b", "[x", "&anchor *alias",
                                   "!tag", "%x", "@x", "`x`", "{x}", "? x", "...", "true", "1e3", "0x1F", "~"])
def test_titles_that_mean_something_else_in_yaml_are_written_as_text(seeds, tmp_path, title):
    code, _, err = add(seeds, paste(tmp_path, ARTICLE), *OPTIONS, f"--title={title}")
    assert code == 0, err
    assert written(seeds)[1]["title"] == title
    assert_check_accepts(seeds)


# --- options -------------------------------------------------------------------------------

@pytest.mark.parametrize("option, value, message", [
    ("--date", "20240603", "error: --date must be YYYY-MM-DD (got '20240603')"),
    ("--date", "2024-6-3", "error: --date must be YYYY-MM-DD (got '2024-6-3')"),
    ("--date", "3 June", "error: --date must be YYYY-MM-DD (got '3 June')"),
    ("--date", "2024-02-30", "error: --date: no such date: '2024-02-30'"),
    ("--date", "1850-01-01", "error: --date: date 1850-01-01 is out of range"),
    ("--date", "2024-06-03T10:00", "error: --date must be YYYY-MM-DD"),
    ("--language", "[x", "error: --language must be a BCP 47 language tag"),
    ("--language", "en_US", "error: --language must be a BCP 47 language tag"),
    ("--language", "", "error: --language must be a BCP 47 language tag"),
    ("--url", "javascript:alert(1)", "error: --url must be an absolute http:// or https:// URL"),
    ("--url", "example.org/page", "error: --url must be an absolute http:// or https:// URL"),
    ("--url", "https://exa mple.org/", "error: --url must not contain spaces"),
    ("--source", "", "error: --source must not be empty"),
    ("--source", "   ", "error: --source must not be empty"),
    ("--source", "Pacific\nLedger", "error: --source must be one line"),
    ("--title", "", "error: --title must not be empty"),
    ("--title", "\x00\x1b", "error: --title must not be empty"),
    ("--title", "Two\u2028lines", "error: --title must be one line"),
    ("--author", " ", "error: --author must not be empty"),
    ("--author", "Laura\rBecker", "error: --author must be one line"),
    ("--title", "bad \udcff bytes", "error: --title is not UTF-8 text"),
])
def test_a_bad_option_is_refused_with_status_2_and_nothing_written(seeds, tmp_path, option, value, message):
    options = dict(zip(OPTIONS[::2], OPTIONS[1::2]))
    options[option] = value
    code, out, err = add(seeds, paste(tmp_path, ARTICLE), *[f"{k}={v}" for k, v in options.items()])
    assert code == 2 and out == ""
    assert message in err and err.startswith("error: ") and "Traceback" not in err
    assert new_articles(seeds) == []


def test_every_bad_option_is_listed_at_once(seeds, tmp_path):
    code, _, err = add(seeds, tmp_path / "missing.txt", "--source=", "--date=20240603", "--language=EN_x",
                       "--url=ftp://x")
    assert code == 2
    assert [line.split(" ")[1] for line in err.splitlines()] == ["--date", "--language", "--url", "--source",
                                                                  f"{tmp_path / 'missing.txt'}:"]


def test_language_is_written_in_lower_case(seeds, tmp_path):
    code, _, err = add(seeds, paste(tmp_path, ARTICLE), *OPTIONS, "--language", "ZH-Hant-TW")
    assert code == 0, err
    assert written(seeds)[1]["language"] == "zh-hant-tw"
    assert_check_accepts(seeds)


# --- input ---------------------------------------------------------------------------------

def test_a_missing_path_is_a_clear_error(seeds, tmp_path):
    missing = tmp_path / "nowhere" / "pasted.txt"
    code, out, err = add(seeds, missing, *OPTIONS)
    assert (code, out, err) == (2, "", f"error: {missing}: no such file\n")


def test_a_folder_is_a_clear_error(seeds, tmp_path):
    code, out, err = add(seeds, tmp_path, *OPTIONS)
    assert (code, out, err) == (2, "", f"error: {tmp_path}: is a folder, not a file\n")


def test_a_file_that_is_not_utf8_is_refused_with_its_line(seeds, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Headline\n\nCaf\xe9 talks on Taiwan".encode("latin-1"))
    code, _, err = add(seeds, path, *OPTIONS)
    assert code == 1 and err.startswith(f"{path}:3: not UTF-8 text (byte 0xe9 at offset 13)")
    assert new_articles(seeds) == []


def test_an_existing_article_is_never_overwritten(seeds, tmp_path):
    pasted = paste(tmp_path, ARTICLE)
    assert add(seeds, pasted, *OPTIONS)[0] == 0
    (path,) = new_articles(seeds)
    path.write_text(path.read_text(encoding="utf-8").replace("    unreviewed: true\n", "", 1), encoding="utf-8")
    before = path.read_bytes()
    code, out, err = add(seeds, pasted, *OPTIONS)
    assert code == 1 and out == ""
    assert f"an article with id '{path.stem}' exists already: seeds/articles/{path.name}; nothing written" in err
    assert path.read_bytes() == before and new_articles(seeds) == [path]


def test_an_article_with_the_same_id_in_another_file_is_not_duplicated(seeds, tmp_path):
    pasted = paste(tmp_path, ARTICLE)
    assert add(seeds, pasted, *OPTIONS)[0] == 0
    (path,) = new_articles(seeds)
    moved = path.rename(path.with_name("renamed-by-an-editor.md"))
    code, _, err = add(seeds, pasted, *OPTIONS)
    assert code == 1 and f"exists already: seeds/articles/{moved.name}" in err
    assert new_articles(seeds) == [moved]


# --- text ----------------------------------------------------------------------------------

def test_a_paragraph_over_100000_characters_round_trips(seeds, tmp_path):
    sentences = " ".join(f"Officials said on day {n} that the Taiwan Strait was calm \"for now\" — or: 'not'." for n in range(1500))
    assert len(sentences) > 100_000
    code, _, err = add(seeds, paste(tmp_path, f"A long day in the Strait\n\n{sentences}\n\nShort closing line.\n"), *OPTIONS)
    assert code == 0, err
    path, front, _ = written(seeds)
    assert front["excerpts"][0]["quote"] == sentences
    article = load_article(path, path.name, {"taiwan", "fentanyl", "mil-to-mil", "ukraine"}, problems := [])
    assert [p.text for p in article.paragraphs] == [sentences, "Short closing line."]
    assert [p for p in problems if p.severity == "error"] == []
    assert_check_accepts(seeds)


def test_control_characters_are_removed_and_reported_with_their_lines(seeds, tmp_path):
    text = ARTICLE.replace("Officials", "Off\x00icials").replace("The talks", "\x1b[31mThe talks\x00")
    code, out, err = add(seeds, paste(tmp_path, text), *OPTIONS)
    assert code == 0, err
    path, _, body = written(seeds)
    assert control_characters(path.read_text(encoding="utf-8")) == []
    assert "Officials from both sides" in body and "[31mThe talks also covered" in body
    assert ("pasted.txt:3: warning: removed control characters: 2 × U+0000 NULL (lines 3, 5), "
            "1 × U+001B ESCAPE (line 5)") in err
    assert "Wrote seeds/articles/" in out
    assert_check_accepts(seeds)


def test_control_characters_in_options_are_removed_and_reported(seeds, tmp_path):
    code, _, err = add(seeds, paste(tmp_path, ARTICLE), "--source", "Pacific\x07 Ledger", "--date", "2024-06-05",
                       "--title", "Taiwan\x00 talks", "--author", "Laura\x1b Becker")
    assert code == 0, err
    _, front, _ = written(seeds)
    assert (front["title"], front["source"], front["authors"]) == ("Taiwan talks", "Pacific Ledger", ["Laura Becker"])
    assert "warning: --title: removed control characters: 1 × U+0000 NULL" in err
    assert "warning: --source: removed control characters: 1 × U+0007 BELL" in err
    assert "warning: --author: removed control characters: 1 × U+001B ESCAPE" in err
    assert_check_accepts(seeds)


def test_bidirectional_and_zero_width_characters_are_kept_and_reported_by_name(seeds, tmp_path):
    text = ARTICLE.replace("Geneva", "Geneva \u202eavenuG\u202c").replace("Monday", "Mon\u200bday")
    code, _, err = add(seeds, paste(tmp_path, text), *OPTIONS)
    assert code == 0, err
    path, front, body = written(seeds)
    assert "\u202eavenuG\u202c" in front["title"] and "Mon\u200bday" in body
    assert ("pasted.txt:1: warning: kept invisible formatting characters: 1 × U+200B ZERO WIDTH SPACE (line 3), "
            "1 × U+202C POP DIRECTIONAL FORMATTING (line 1), 1 × U+202E RIGHT-TO-LEFT OVERRIDE (line 1)") in err
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in assert_check_accepts(seeds)


def test_line_and_paragraph_separators_end_lines(seeds, tmp_path):
    text = ARTICLE.replace("\n\nThe talks", "\u2029The talks").replace(" to discuss", "\u2028to discuss")
    code, out, err = add(seeds, paste(tmp_path, text), *OPTIONS)
    assert code == 0, err
    _, _, body = written(seeds)
    assert "\u2028" not in body and "\u2029" not in body and ": 3 paragraphs," in out
    assert_check_accepts(seeds)


def test_lines_of_unicode_white_space_only_separate_paragraphs(seeds, tmp_path):
    text = "Headline on Taiwan\n\u3000\nTaiwan was discussed.\n\u00a0\u2003\n\u3000Cross-Strait tension rose.\u00a0\n"
    code, out, err = add(seeds, paste(tmp_path, text), *OPTIONS)
    assert code == 0, err
    assert written(seeds)[2] == "\nTaiwan was discussed.\n\nCross-Strait tension rose.\n"
    assert_check_accepts(seeds)


# --- the emitter ---------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=" -?:#,[]{}&*!|>'\"%@`.~\t\ufeffab", max_size=12)))
def test_the_front_matter_emitter_reads_back_what_it_was_given(value):
    data = {value: value, "list": [value, value + " x"], "flow": _Flow([value]), "key": {"quote": " " + value}}
    text = front_matter(data)
    if not set(value) & set("\x85\u2028\u2029"):  # PyYAML's own round trip fails on these; never written
        assert yaml.load(text, Loader=yaml.CSafeLoader) == {**data, "flow": [value]}


# --- the quote index (linear time for long articles) ----------------------------------------

@settings(max_examples=300, deadline=None)
@given(paragraphs=st.lists(st.lists(st.sampled_from(["a", "b", "ab", "ba", "a.", "“b”", "a-b"]), min_size=1,
                                    max_size=30).map(" ".join), min_size=1, max_size=6),
       key=st.integers(1, 8), sample=st.sampled_from([0, 1, 3]), data=st.data())
def test_the_quote_index_finds_exactly_what_str_find_finds(paragraphs, key, sample, data):
    text = "\n".join(paragraphs)
    finder = QuoteFinder(text)
    finder.LONG, finder.KEY, finder.SAMPLE = 0, key, sample  # index even a short text, with short keys
    paragraph = data.draw(st.sampled_from(paragraphs))
    start = data.draw(st.integers(0, len(paragraph) - 1))
    cut = paragraph[start:data.draw(st.integers(start + 1, len(paragraph)))].strip()
    quote = data.draw(st.one_of(st.just(cut), st.lists(st.sampled_from(["a", "b", "ab", "a."]), min_size=1,
                                                       max_size=8).map(" ".join)))
    assume(quote)
    expected, at = [], text.find(quote)
    while at != -1:
        expected.append(at)
        at = text.find(quote, at + 1)
    assert finder.find_all(quote) == expected
    assert finder.find_all(quote, 2) == expected[:2]


# --- any input -----------------------------------------------------------------------------

SENTENCES = [
    "Officials discussed Taiwan and cross-Strait tension.", "Fentanyl precursor chemicals were on the agenda.",
    "The militaries restored military-to-military communication to avoid accidents.",
    "Russia's war in Ukraine and munitions came up.", "Nothing else happened.", "Related", "Share this:",
    "By Laura Becker", "Taiwan.", "Taiwan. Taiwan. Taiwan?",
]


def mostly(valid: st.SearchStrategy, anything: st.SearchStrategy) -> st.SearchStrategy:
    """``valid`` seven times in eight, else ``anything`` (so that many examples get written)."""
    return st.integers(0, 7).flatmap(lambda n: anything if n == 7 else valid)


TEXTS = st.one_of(st.text(max_size=60), st.sampled_from(["中文标题", "😀", "—!?", "---", "no", "2024-06-05", "'x'",
                                                         "#x", "- x", "a: b", "&a *b", "\u202eevil", "x\x00y", " ",
                                                         "\u2028", "\ufeff", "\x85", "-", "--x"]))
BODIES = st.lists(st.one_of(st.sampled_from(SENTENCES), st.text(max_size=120)), max_size=8).map("\n\n".join)
DATES = mostly(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(dt.date.isoformat),
               st.one_of(st.sampled_from(["20240603", "2024-02-30", "1899-12-31", "2101-01-01", " 2024-06-03 ",
                                          "2024-06-03\n", ""]), st.text(max_size=12)))
LANGUAGES = mostly(st.sampled_from(["en", "EN", "zh-Hans", "pt-BR", "x-private", "de-1996", "sr-Latn-RS"]),
                   st.one_of(st.sampled_from(["en_US", "[x", "", "e", "english-language", "en-"]), st.text(max_size=8)))
URLS = mostly(st.sampled_from(["", "https://example.org/a?b=c&d=%3Ce%3E#top", "http://example.org"]),
              st.one_of(st.sampled_from(["javascript:alert(1)", "https://", "ftp://x", "https://example.org/\u202e",
                                         "http://[::1]:99999/"]), st.text(max_size=20)))
SOURCES = mostly(st.just("Pacific Ledger"), TEXTS)


@pytest.mark.slow
def test_any_input_is_refused_clearly_or_written_so_that_check_accepts_it_and_it_builds(tmp_path):
    collected = Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "collected"))
    count = {"examples": 0, "written": 0, "refused": 0}

    # Derandomized: the same examples in every run, so that the count below never flakes.
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
    @given(title=st.one_of(st.none(), TEXTS), headline=TEXTS, body=BODIES, source=SOURCES, date=DATES,
           language=LANGUAGES, url=URLS, authors=st.lists(TEXTS, max_size=2))
    def one(title, headline, body, source, date, language, url, authors):
        count["examples"] += 1
        work = tmp_path / f"example-{count['examples']}"
        seeds = Path(shutil.copytree(FIXTURE_SEEDS, work / "seeds"))
        pasted = paste(work, f"{headline}\n{body}\n")
        options = [f"--source={source}", f"--date={date}", f"--language={language}", f"--url={url}"]
        options += [f"--title={title}"] * (title is not None) + [f"--author={a}" for a in authors]
        code, out, err = add(seeds, pasted, *options)
        if code != 0:
            assert code in (1, 2) and err.strip() and "Traceback" not in err, (code, err)
            assert new_articles(seeds) == []
            count["refused"] += 1
            return
        (path,) = new_articles(seeds)
        text = path.read_text(encoding="utf-8")
        assert control_characters(text) == [] and SAFE_ID.match(path.stem)
        assert_check_accepts(seeds)
        if not (collected / "articles" / path.name).exists():
            shutil.copy(path, collected / "articles" / path.name)
        count["written"] += 1
        shutil.rmtree(work)

    one()
    assert count["written"] >= 5, count
    assert_check_accepts(collected)
    out = tmp_path / "site"  # never there before: the build may only replace its own output
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--seeds", str(collected), "--out", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_hostile_articles_build(tmp_path):
    seeds = Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "seeds"))
    long = " ".join(f"On day {n} Taiwan was discussed <b>again</b> [x](javascript:alert(1))." for n in range(2000))
    hostile = [
        ("中文标题 Taiwan", ARTICLE), ("😀🎉", ARTICLE.replace("Monday", "Tuesday")),
        ("---", ARTICLE.replace("Monday", "Friday")), ("no", ARTICLE),
        ("Null\x00 <script>alert(1)</script>", ARTICLE.replace("Officials", "Off\x00\x1bicials")),
        ("\u202eRTL title", ARTICLE.replace("Geneva", "Geneva \u202eavenuG\u202c")),
        ("A very long paragraph", f"Headline\n\n{long}\n"),
        ("{{ config }} {% raw %} &amp; <!-- material/tags -->", ARTICLE),
    ]
    for number, (title, text) in enumerate(hostile):
        code, _, err = add(seeds, paste(tmp_path, text, f"{number}.txt"), *OPTIONS, f"--title={title}",
                           "--url", f"https://example.org/{number}?a=1&b=2")
        assert code == 0, (title, err)
    assert len(new_articles(seeds)) == len(hostile)
    assert_check_accepts(seeds)
    out = tmp_path / "site"  # never there before: the build may only replace its own output
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--seeds", str(seeds), "--out", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
