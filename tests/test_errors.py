"""Bad input: every problem in one run as ``path:line: message``, exit 1, last site intact."""

from pathlib import Path

import pytest
import yaml

from briefing.core.load import parse_yaml
from conftest import fast_sample, run_build

XI = "articles/2023-06-xi-blinken-pledge-stabilize-ties.md"
PREVIEW = "articles/2023-06-blinken-visit-preview-communication.md"


def edit(seeds: Path, name: str, old: str, new: str) -> None:
    path = seeds / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(seeds: Path, name: str, needle: str) -> int:
    for number, line in enumerate((seeds / name).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def check(seeds: Path) -> tuple[int, list[str]]:
    result = run_build("check", "--seeds", str(seeds))
    return result.returncode, result.stderr.splitlines()


def test_quote_not_found_names_file_line_and_closest_passage(seeds):
    edit(seeds, XI, "quote: But, Blinken told media", "quote: But Blinken told the media")
    line = line_of(seeds, XI, "quote: But Blinken told the media")
    code, err = check(seeds)
    assert code == 1
    assert err == [
        f"seeds/{XI}:{line}: quote not found in '2023-06-xi-blinken-pledge-stabilize-ties': "
        "\"But Blinken told the media, China refused to resume military-to-military communications,…\"",
        "    hint: closest passage (¶2, line 34): \"But, Blinken told media, China refused to resume "
        "military-to-military communications, a U.S. priority.\"",
        "1 error",
    ]


def test_ambiguous_quote_is_an_error(seeds):
    edit(seeds, PREVIEW, "excerpts:\n", "excerpts:\n  - quote: Blinken\n    topics: [taiwan]\n")
    code, err = check(seeds)
    assert code == 1
    assert err[0] == (f"seeds/{PREVIEW}:{line_of(seeds, PREVIEW, 'quote: Blinken')}: "
                      "quote ambiguous in '2023-06-blinken-visit-preview-communication': \"Blinken\" occurs 9 times")
    assert err[1].startswith("    hint: it occurs in ¶1 (line ")


def test_malformed_yaml(seeds):
    edit(seeds, XI, "title: ", "title: [oops\n")
    code, err = check(seeds)
    assert code == 1
    # The wording is libyaml's (PyYAML's wheels ship it); the pure-Python parser words it otherwise.
    what = "did not find expected ',' or ']'" if yaml.__with_libyaml__ else "expected ',' or ']', but got ':'"
    assert err[0] == f"seeds/{XI}:5: malformed YAML: {what} (while parsing a flow sequence on line 3)"


def test_malformed_topics_file(seeds):
    (seeds / "topics.yml").write_text("topics:\n  - slug: taiwan\n    title: [x\n", encoding="utf-8")
    code, err = check(seeds)
    assert code == 1 and err[0].startswith("seeds/topics.yml:4: malformed YAML: ")


def test_missing_required_metadata(seeds):
    edit(seeds, XI, "language: en\n", "")
    edit(seeds, XI, "published: 2023-06-19\n", "")
    code, err = check(seeds)
    assert code == 1
    assert err[:2] == [f"seeds/{XI}:1: missing required field 'language'",
                       f"seeds/{XI}:1: missing required field 'published'"]


def test_unknown_topic_suggests_the_closest(seeds):
    edit(seeds, XI, "topics: [fentanyl]", "topics: [fentanil]")
    code, err = check(seeds)
    assert code == 1
    assert err == [f"seeds/{XI}:{line_of(seeds, XI, 'fentanil')}: unknown topic 'fentanil'",
                   "    hint: did you mean 'fentanyl'? known topics: fentanyl, mil-to-mil, taiwan, ukraine",
                   "1 error"]


def test_duplicate_article_id(seeds):
    (seeds / "articles/zz-copy.md").write_text((seeds / XI).read_text(encoding="utf-8"), encoding="utf-8")
    code, err = check(seeds)
    assert code == 1
    assert err[0] == ("seeds/articles/zz-copy.md:2: duplicate article id '2023-06-xi-blinken-pledge-stabilize-ties' "
                      f"(also in seeds/{XI})")


@pytest.mark.parametrize("bad", fast_sample(["../../etc/passwd", "Upper", "a/b", ".hidden", "x" * 101], keep=2))
def test_unsafe_article_id(seeds, bad):
    edit(seeds, XI, "id: 2023-06-xi-blinken-pledge-stabilize-ties", f"id: '{bad}'")
    code, err = check(seeds)
    assert code == 1
    assert err[0] == f"seeds/{XI}:2: unsafe article id {bad!r}"


def test_unsafe_topic_slug(seeds):
    edit(Path(seeds), "topics.yml", "slug: ukraine", "slug: ../ukraine")
    code, err = check(seeds)
    assert code == 1
    assert any(line.startswith("seeds/topics.yml:") and "unsafe topic slug '../ukraine'" in line for line in err)


def test_all_problems_are_reported_in_one_run(seeds):
    edit(seeds, XI, "topics: [fentanyl]", "topics: [fentanil]")
    edit(seeds, XI, "quote: But, Blinken told media", "quote: But Blinken told the media")
    edit(seeds, PREVIEW, "language: en\n", "")
    code, err = check(seeds)
    assert code == 1
    assert err[-1] == "3 errors"


def test_not_utf8_is_reported(seeds):
    (seeds / "articles/latin1.md").write_bytes("---\nid: x\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    code, err = check(seeds)
    assert code == 1
    assert err[0] == "seeds/articles/latin1.md:3: not UTF-8 text (byte 0xe9 at offset 20)"


@pytest.mark.slow
def test_failed_build_leaves_the_previous_site_untouched(seeds, tmp_path):
    out = tmp_path / "site"
    assert run_build("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(seeds, XI, "topics: [fentanyl]", "topics: [fentanil]")
    result = run_build("build", "--seeds", str(seeds), "--out", str(out))
    assert result.returncode == 1
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_yaml_values_are_read_as_pyyaml_reads_them_with_lines_kept():
    text = ("a: [1, two, \"3\", {b: c}]\nd: [1]\ne:\n  <<: {f: 1}\n  g: 2.5\nh: 2020-01-02\n"
            "i: null\nj: yes\nk: ~\nl: \"2020-01-02\"\nm: 0x1F\nn: .inf\no: !!str 12\n")
    problems = []
    data = parse_yaml(text, "x.yml", problems, line_offset=10)
    assert problems == [] and data == yaml.safe_load(text)
    assert data.line_of("h") == 16 and data["e"].line_of("g") == 15 and data["a"].item_lines == [11] * 4


def test_a_recursive_yaml_alias_is_an_error_not_a_hang():
    problems = []
    assert parse_yaml("a: &x [*x]\n", "x.yml", problems) is None
    assert [p.message for p in problems] == ["YAML anchors and aliases (&name, *name) are not allowed"]
