"""Fuzzing the seeds: whatever an editor's slip does to a seed file, loading either succeeds or
fails with the project's own error, every problem naming a path and a line. And when it
succeeds, the pages compose: `check` passing means the build passes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.errors import SeedsInvalid
from briefing.pipeline import compose
from conftest import ROOT

FIXTURE_SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
FILES = sorted(p.relative_to(FIXTURE_SEEDS).as_posix() for p in FIXTURE_SEEDS.rglob("*") if p.is_file())
ORIGINALS = {name: (FIXTURE_SEEDS / name).read_text(encoding="utf-8") for name in FILES}

VALUES = st.sampled_from([
    "", "~", "null", "0", "-1", "12", "3.5", ".nan", "-.inf", "1e999", "true", "no", "[]", "{}", "[a, b]",
    "{a: 1}", "[[1]]", "'x'", '"x"', "2023-02-30", "2022-13-01", "0001-01-01", "9999-12-31", "1969-12-31",
    "2024-06-03", "20240603", "2024-06", "2024", "1:20", "0x1F", "!!binary aGk=", "!!int x", "!!python/none ''",
    "&a [1]", "*a", "? [a]", "|\n  block\n", ">-\n  folded", "'", '"', "[", "{", "- x", "us", "china", "other",
    "taiwan", "[taiwan]", "[taiwan, nowhere]", "ukraine", "x" * 300, "<script>alert(1)</script>", "\u202eevil",
    "'\u0000'", "\t", "café", "中文", "🙂",
])
KEYS = st.sampled_from([
    "id", "title", "source", "published", "date_approximate", "language", "url", "authors", "excerpts", "quote",
    "topics", "stance", "note", "prefix", "suffix", "unreviewed", "removed", "slug", "scope", "bottom_line",
    "related", "rules", "terms", "with", "without", "threshold", "date", "support", "article", "name", "aliases",
    "side", "role", "nonsense", "Id", "<<",
])


@st.composite
def mutations(draw) -> dict[str, str]:
    """Seed files with one to three slips an editor might make."""
    files = dict(ORIGINALS)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(FILES))
        lines = files[name].split("\n")
        index = draw(st.integers(0, max(0, len(lines) - 1)))
        line = lines[index]
        indent = line[: len(line) - len(line.lstrip(" -"))]
        kind = draw(st.sampled_from(["delete", "duplicate", "retype", "rekey", "insert", "empty", "truncate",
                                     "indent", "garbage"]))
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "retype" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {draw(VALUES)}"
        elif kind == "rekey" and ":" in line:
            lines[index] = f"{indent}{draw(KEYS)}:{line.split(':', 1)[1]}"
        elif kind == "insert":
            lines.insert(index, f"{indent}{draw(KEYS)}: {draw(VALUES)}")
        elif kind == "empty":
            lines = [""]
        elif kind == "truncate":
            lines = lines[:index]
        elif kind == "indent":
            lines[index] = " " * draw(st.integers(0, 7)) + line.lstrip(" ")
        elif kind == "garbage":
            lines[index] = draw(st.text(max_size=40))
        files[name] = "\n".join(lines)
    return files


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_a_mutated_seed_loads_or_fails_with_path_line_problems_and_never_crashes(files: dict[str, str]):
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        for name, text in files.items():
            (seeds / name).parent.mkdir(parents=True, exist_ok=True)
            (seeds / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            composed = compose(seeds, ROOT / "templates", root=Path(tmp))
        except SeedsInvalid as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.path.startswith("seeds/") and problem.line >= 1, problem
                assert problem.message
            return
        assert composed.pages


def test_the_fuzzer_starts_from_seeds_that_compose(tmp_path: Path):
    seeds = Path(shutil.copytree(FIXTURE_SEEDS, tmp_path / "seeds"))
    assert compose(seeds, ROOT / "templates", root=tmp_path).pages
