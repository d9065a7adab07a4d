"""Benchmark: ``add-article`` on large pasted articles, then ``check`` on the result.

    python benchmarks/add_article.py [--sizes 1,2,8] [--timeout SECONDS] [--profile] [--keep DIR]

For each size (in MB of UTF-8 text) it writes a deterministic, realistic pasted article (a
headline, a byline, paragraphs of three to seven sentences with curly quotes and dashes, a
third of the sentences mentioning a topic of tests/fixtures/seeds so that suggestions fire,
and trailing page debris), runs ``python build.py add-article`` on it into a fresh copy of
tests/fixtures/seeds, then ``python build.py check`` on that copy, each in its own process,
and prints the wall time of both, the paragraphs and suggested excerpts written, and the size
of the seed file. With --profile, each command runs under cProfile and the ten functions with
the most cumulative time are printed. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "seeds"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402 - the corpus generator beside this file

TERMS = ["Taiwan", "the Taiwan Strait", "cross-Strait tension", "fentanyl", "precursor chemicals",
         "synthetic opioids", "military-to-military communication", "defense dialogues",
         "crisis communications between the militaries", "Ukraine", "Russia's war in Ukraine",
         "munitions for Moscow's war"]
NAMES = ["Antony Blinken", "Wang Yi", "Lloyd Austin", "Dong Jun", "Janet Yellen", "Xi Jinping",
         "a senior State Department official", "analysts in Taipei", "diplomats in Geneva"]
DEBRIS = ["Share this:", "Facebook", "X", "Related", "Biden and Xi agree to restore climate talks",
          "Leave a Reply", "Your email address will not be published."]


def sentence(rng: random.Random, number: int) -> str:
    """A sentence as ``generate.sentence`` writes them, a third naming a topic, made unique."""
    term = rng.choice(TERMS) if rng.random() < 0.35 else None
    text = generate.sentence(rng, rng.randint(12, 28), term, rng.choice(NAMES))
    # A running figure keeps every sentence (and so every suggested quote) unique, as in real text.
    return f"{text[:-1]} on day {number}."


def pasted_article(megabytes: float, seed: int = 11) -> str:
    """A pasted article of about ``megabytes`` MB of UTF-8."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    parts = ["Talks on Taiwan, fentanyl and military channels drag on as both sides dig in", "",
             "By Laura Becker", ""]
    size, number = sum(len(p.encode("utf-8")) + 1 for p in parts), 0
    while size < target:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            number += 1
            sentences.append(sentence(rng, number))
        paragraph = " ".join(sentences)
        parts += [paragraph, ""]
        size += len(paragraph.encode("utf-8")) + 2
    parts += DEBRIS
    return "\n".join(parts) + "\n"


def run(args: list[str], profile: bool, timeout: float | None) -> tuple[float, subprocess.CompletedProcess | None]:
    command = [sys.executable]
    if profile:
        command += ["-c", "import cProfile, pstats, sys, runpy; sys.argv = sys.argv[1:]; "
                    "p = cProfile.Profile(); p.enable()\ntry: runpy.run_path(sys.argv[0], run_name='__main__')\n"
                    "except SystemExit: pass\np.disable(); "
                    "pstats.Stats(p, stream=sys.stderr).sort_stats('cumulative').print_stats(25)"]
    command += [str(ROOT / "build.py"), *args]
    start = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,2,8", help="comma-separated sizes in MB (default: 1,2,8)")
    parser.add_argument("--timeout", type=float, default=None, help="give up on a command after this many seconds")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions per command")
    parser.add_argument("--keep", default=None, help="keep the pasted files and seeds in this folder")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="add-article-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{'MB':>5} {'paragraphs':>10} {'excerpts':>8} {'add-article s':>13} {'check s':>8} {'seed MB':>8}")
    try:
        for size in (float(s) for s in args.sizes.split(",")):
            pasted = work / f"pasted-{size:g}mb.txt"
            pasted.write_text(pasted_article(size), encoding="utf-8")
            seeds = work / f"seeds-{size:g}mb"
            shutil.rmtree(seeds, ignore_errors=True)
            shutil.copytree(FIXTURE, seeds)
            add_s, added = run(["add-article", "--seeds", str(seeds), str(pasted), "--source", "Pacific Ledger",
                                "--date", "2024-06-03", "--url", "https://example.org/talks"],
                               args.profile, args.timeout)
            if added is None or added.returncode != 0:
                why = "timed out" if added is None else f"failed: {added.stderr.strip()[-500:]}"
                print(f"{size:>5g} {'–':>10} {'–':>8} {add_s:>13.1f} {'–':>8} {'–':>8}  add-article {why}")
                continue
            found = re.search(r"Wrote (\S+): (\d+) paragraphs, (\d+) suggested", added.stdout)
            written = seeds / "articles" / Path(found.group(1)).name
            check_s, checked = run(["check", "--seeds", str(seeds)], args.profile, args.timeout)
            status = "" if checked is not None and checked.returncode == 0 else (
                "  check timed out" if checked is None else f"  check failed: {checked.stderr.strip()[-500:]}")
            print(f"{size:>5g} {found.group(2):>10} {found.group(3):>8} {add_s:>13.2f} {check_s:>8.2f} "
                  f"{written.stat().st_size / 1e6:>8.2f}{status}", flush=True)
            if args.profile:
                for name, result in (("add-article", added), ("check", checked)):
                    if result is not None:
                        print(f"--- {name}, {size:g} MB ---")
                        print(result.stderr[result.stderr.find("   ncalls"):][:5000])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
