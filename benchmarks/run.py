"""Benchmark: build generated corpora of N articles and print where the time goes.

    python benchmarks/run.py --articles 100,1000,10000 [--baseline-max 1000] [--keep DIR]

Each build runs in a fresh process (for a clean peak-memory figure) through the build's own
``compose()`` and ``publish_site()``. Our stages (load, anchor, compose, render of the Markdown
pages, and the hook's own work inside MkDocs: feeds, taking in the HTML bodies, waiting for them)
are timed apart from MkDocs. The HTML bodies are rendered by a background process while MkDocs
works; its CPU seconds and peak memory are shown apart ("bodies"). Up to --baseline-max
articles, the same generated pages are also built as a naive site with every article in the
navigation (plain `mkdocs build` of a docs/ folder), and the ratio is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _time_plugin(figures: dict) -> None:
    """Count the plugin's own work inside MkDocs (composing, feeds, taking in HTML bodies) as ours;
    the stages' share of it is reported apart (load, anchor, compose, render)."""
    from functools import wraps

    from briefing.site.plugin import BriefingPlugin

    def timed(function):
        @wraps(function)  # keeps MkDocs' event priority
        def wrapper(*args, **kwargs):
            mark = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                figures["hook"] = figures.get("hook", 0.0) + time.perf_counter() - mark
        return wrapper

    for name in ("on_config", "on_files", "on_page_content"):
        setattr(BriefingPlugin, name, timed(getattr(BriefingPlugin, name)))


def child_build(seeds: Path, out: Path) -> dict:
    """Build as ``python build.py`` does, in this process; return the figures."""
    start = time.perf_counter()  # before the imports, which a real build pays for too
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from briefing.site.publish import Variant, load_site_config, publish_site
    from briefing.site.settings import Overrides

    figures: dict = {"hook": 0.0}
    _time_plugin(figures)
    variant = Variant(overrides=Overrides(seeds_dir=seeds, templates_dir=ROOT / "templates", reviewed_only=False))
    # MkDocs keeps one instance of a plugin with on_startup per process: the build below uses it.
    load_site_config(ROOT, out, variant).plugins["briefing"].timings = figures
    mark = time.perf_counter()
    composed = publish_site(ROOT, out, variant)
    stages = sum(figures.get(stage, 0.0) for stage in ("load", "anchor", "compose", "render"))
    figures["hook"] -= stages  # the stages ran inside on_config: counted apart
    figures["mkdocs"] = time.perf_counter() - mark - figures["hook"] - stages
    figures["total"] = time.perf_counter() - start
    pages = composed.pages
    figures["pages"] = len(pages)
    figures["excerpts"] = len(composed.briefing.excerpts)
    figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The background process that renders the HTML bodies while MkDocs works (see
    # briefing/site/background.py): its CPU time overlaps MkDocs, on the other core.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures["background"] = children.ru_utime + children.ru_stime
    figures["background_mib"] = children.ru_maxrss / 1024
    if os.environ.get("BENCH_DUMP_DOCS"):
        # The naive baseline gets the same pages as plain Markdown files (article bodies as raw HTML,
        # their links made relative .md links that MkDocs resolves).
        from briefing.site.pages import body_pages
        from briefing.site.render import render_bodies

        docs = Path(os.environ["BENCH_DUMP_DOCS"])
        bodies = dict(render_bodies(body_pages(composed.site), ROOT / "templates"))  # links: relative .md paths
        for path, markdown in pages.items():
            if path in bodies:
                markdown += "\n" + bodies[path]
            (docs / path).parent.mkdir(parents=True, exist_ok=True)
            (docs / path).write_text(markdown, encoding="utf-8")
    return figures


def child_baseline(docs: Path, out: Path) -> dict:
    """A plain MkDocs + Material build of the same pages, every article in the nav."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    articles = sorted(p.relative_to(docs).as_posix() for p in (docs / "articles").glob("*.md"))
    others = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md")
                    if not p.relative_to(docs).as_posix().startswith("articles/"))
    config_file = docs.parent / "mkdocs.yml"
    config_file.write_text(json.dumps({
        "site_name": "Baseline", "docs_dir": str(docs), "site_dir": str(out),
        "theme": {"name": "material", "font": False, "custom_dir": str(ROOT / "templates" / "theme")},
        "plugins": ["search", "tags"], "extra": {"generator": False},
        "markdown_extensions": ["admonition", "attr_list", "md_in_html", "tables", "pymdownx.details",
                                {"toc": {"permalink": True}}],
        "nav": [{"Pages": others}, {"Articles": articles}],
    }))
    start = time.perf_counter()
    build(load_config(str(config_file)))
    return {"total": time.perf_counter() - start,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_child(*args: str, env: dict | None = None) -> dict:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"child failed: {' '.join(args)}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", default="100,1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--baseline-max", type=int, default=1000, help="largest N for the naive baseline (0: none)")
    parser.add_argument("--keep", default=None, help="keep corpora and sites in this folder")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, source, out = args.child
        figures = child_build(Path(source), Path(out)) if kind == "build" else child_baseline(Path(source), Path(out))
        print(json.dumps(figures))
        return

    from generate import generate

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in [int(x) for x in args.articles.split(",")]:
        seeds = generate(n, work / f"seeds-{n}")
        out = work / f"site-{n}"
        docs = work / f"docs-{n}"
        with_baseline = 0 < n <= args.baseline_max
        figures = run_child("--child", "build", str(seeds), str(out),
                            env={"BENCH_DUMP_DOCS": str(docs)} if with_baseline else None)
        figures["n"] = n
        figures["site_mib"] = size_mib(out)
        figures["search_mib"] = (out / "search" / "search_index.json").stat().st_size / 2**20
        if with_baseline:
            shutil.copytree(ROOT / "docs" / "assets", docs / "assets", dirs_exist_ok=True)
            figures["baseline"] = run_child("--child", "baseline", str(docs), str(work / f"baseline-{n}"))["total"]
        rows.append(figures)
        print(f"  built {n} articles in {figures['total']:.1f} s", file=sys.stderr)
        if not args.keep:
            for path in (seeds, out, docs, work / f"baseline-{n}"):
                shutil.rmtree(path, ignore_errors=True)
    header = ("articles", "pages", "load s", "anchor s", "compose s", "render s", "hook s", "ours %", "mkdocs s", "total s",
              "bodies s", "peak MiB", "bodies MiB", "site MiB", "index MiB", "pages/s", "ms/article", "naive s", "speed-up")
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    for r in rows:
        ours = r["load"] + r["anchor"] + r["compose"] + r["render"] + r["hook"]
        naive = r.get("baseline")
        cells = (r["n"], r["pages"], f"{r['load']:.2f}", f"{r['anchor']:.2f}", f"{r['compose']:.2f}",
                 f"{r['render']:.2f}", f"{r['hook']:.2f}", f"{100 * ours / r['total']:.1f}", f"{r['mkdocs']:.1f}", f"{r['total']:.1f}",
                 f"{r['background']:.1f}" if r["background"] else "–", f"{r['peak_mib']:.0f}",
                 f"{r['background_mib']:.0f}" if r["background"] else "–", f"{r['site_mib']:.0f}", f"{r['search_mib']:.1f}",
                 f"{r['pages'] / r['total']:.0f}", f"{1000 * r['total'] / r['n']:.1f}",
                 f"{naive:.1f}" if naive else "–", f"{naive / r['total']:.1f}×" if naive else "–")
        print("| " + " | ".join(str(c) for c in cells) + " |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
