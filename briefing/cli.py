"""The command line behind ``build.py``: one function per verb."""

from __future__ import annotations

# The site's modules (MkDocs, Material) are imported by the commands that build: `check`,
# `suggest` and `add-article` start in a fraction of the time.

import argparse
import datetime as dt
import logging
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from .editor.changes import GitError, resolve_base
from .core.errors import Problem, PublishFailed, SeedsInvalid, describe_exception, format_problems, shown_root
from .editor.ingest import add_article, check_input, check_options
from .core.load import collect_seeds
from .editor.suggest import evaluate, missing_excerpts
from .core.text import shorten
from .site.pipeline import verify
from .site.output import UnsafeTarget, check_location, check_site_target
from .core.values import check_url

if TYPE_CHECKING:
    from .site.settings import Overrides

ROOT = Path(__file__).resolve().parent.parent


def _setup_logging(verbose: bool) -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    for name in ("mkdocs", "material", "briefing"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
        logger.propagate = False


def _overrides(args: argparse.Namespace, **more: object) -> Overrides:
    """The command line's settings over the plugin's options in mkdocs.yml."""
    from .site.settings import Overrides
    return Overrides(seeds_dir=Path(args.seeds).resolve(), templates_dir=Path(args.templates).resolve(),
                     reviewed_only=bool(getattr(args, "reviewed_only", False)),
                     cache=False if getattr(args, "no_cache", False) else None,
                     progress=sys.stderr.isatty() and not getattr(args, "quiet", False), **more)


def _newest(args: argparse.Namespace) -> dt.date:
    """The newest article's date (names the bundle and the PDF); the seeds are checked on the way."""
    seeds_dir = Path(args.seeds).resolve()
    briefing = verify(seeds_dir, root=shown_root(ROOT, seeds_dir))
    return max((a.published for a in briefing.articles), default=dt.date(1980, 1, 1))


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the seeds and list what needs an editor's eye; with --strict, warnings fail."""
    seeds_dir = Path(args.seeds).resolve()
    warnings: list[Problem] = []
    briefing = verify(seeds_dir, root=shown_root(ROOT, seeds_dir), warnings=warnings)
    if warnings:
        print(format_problems(warnings), file=sys.stderr)
    if args.audit:
        from .editor.review import audit_report
        print(audit_report(briefing))
    if args.diff:
        from .editor.changes import GitError, compare_seeds, read_base_seeds, resolve_base
        try:
            name, commit, repository = resolve_base(seeds_dir, args.diff)
            page = compare_seeds(read_base_seeds(repository, seeds_dir, commit), briefing, f"{name} ({commit[:12]})")
        except GitError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"Changes since {page.base}:")
        print("\n".join(f"  {line}" for line in page.summary) if not page.empty else "  no changes to the briefing")
        for prose in page.prose:
            text = "".join(f"[-{t}-]" if k == "removed" else f"{{+{t}+}}" if k == "added" else t for k, t in prose.diff)
            print(f"  {prose.where}: {' '.join(text.split())}")
    print(f"{'FAILED (--strict)' if args.strict and warnings else 'OK'}: {len(briefing.articles)} articles, "
          f"{len(briefing.excerpts)} excerpts, {len(briefing.topics)} topics, "
          f"{len(warnings)} warning{'' if len(warnings) == 1 else 's'}")
    return 1 if args.strict and warnings else 0


def cmd_add_article(args: argparse.Namespace) -> int:
    """Bring an article into seeds/articles/ (from a URL, a saved page, standard input or plain
    text), with suggested (unreviewed) excerpts. Flags override what a page gives."""
    from .editor.intake import IntakeError, extract, is_page, read_page

    if not is_page(args.path):
        return _add_text(args, Path(args.path), args.path)
    try:
        data, shown, url = read_page(args.path, sys.stdin.buffer)
        page = extract(data, shown, url)
    except IntakeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(f"{shown}: {line}" for line in page.report()), file=sys.stderr)
    args.source = args.source if args.source is not None else page.sitename
    args.date = args.date if args.date is not None else page.date
    args.title = args.title if args.title is not None else page.title
    args.author = args.author or list(page.authors)
    args.url = args.url or page.url
    args.language = args.language or page.language or "en"
    missing = [f"give --{flag}: the page names no {what}" for flag, what, value in
               (("source", "publication", args.source), ("date", "publication date", args.date),
                ("title", "headline", args.title)) if not value]
    if missing:
        print("\n".join(f"error: {shown}: {m}" for m in missing), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="briefing-page-") as folder:
        text = Path(folder) / "page.txt"
        text.write_text(page.text, encoding="utf-8")
        return _add_text(args, text, shown, original_sha256=page.sha256)


def _add_text(args: argparse.Namespace, path: Path, shown: str, original_sha256: str = "") -> int:
    seeds_dir = Path(args.seeds).resolve()
    errors = [f"--{flag} is required for a plain-text file" for flag in ("source", "date")
              if getattr(args, flag) is None]
    if errors:
        print("\n".join(f"error: {e}" for e in errors), file=sys.stderr)
        return 2
    options, errors = check_options(source=args.source, date=args.date, title=args.title, authors=args.author or (),
                                    language="en" if args.language is None else args.language, url=args.url or "")
    if why := check_input(str(path)):
        errors.append(why.replace(str(path), shown, 1))
    if errors:
        print("\n".join(f"error: {e}" for e in errors), file=sys.stderr)
        return 2
    problems: list[Problem] = []
    topics = collect_seeds(seeds_dir, problems, shown_root(ROOT, seeds_dir)).topics
    added = None
    if not [p for p in problems if p.severity == "error"]:
        problems = []  # warnings about the seeds are for check; only the new article's are shown
        added = add_article(path, seeds_dir / "articles", topics, source=options.source, date=options.date,
                            title=options.title, url=options.url, authors=options.authors,
                            language=options.language, problems=problems,
                            shown_dir=(seeds_dir / "articles").relative_to(shown_root(ROOT, seeds_dir)).as_posix(),
                            shown_src=shown, original_sha256=original_sha256)
    notes = [f"warning: {note}" for note in options.notes]
    if added is None:  # what stopped it first, then the warnings
        print("\n".join([format_problems(sorted(problems, key=lambda p: p.severity != "error"))] + notes),
              file=sys.stderr)
        return 1
    print(f"Wrote {added.shown}: {len(added.article.paragraphs)} paragraphs, "
          f"{len(added.excerpts)} suggested excerpt{'' if len(added.excerpts) == 1 else 's'} (unreviewed)")
    for excerpt in added.excerpts:
        print(f"  suggested for {', '.join(excerpt.topics)}: \"{shorten(excerpt.quote, 80)}\"")
    if added.removed:
        print("Removed (listed under 'removed:' in the file; move any back into the text if it belongs there):")
        for text in added.removed:
            print(f"  - {shorten(text, 100)}")
    if notes or problems:
        print("\n".join(notes + [str(p) for p in problems]), file=sys.stderr)
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    """List paragraphs that match a topic's rules but carry no excerpt for it; or evaluate the rules."""
    seeds_dir = Path(args.seeds).resolve()
    briefing = verify(seeds_dir, root=shown_root(ROOT, seeds_dir))
    if args.evaluate and args.corpus:
        from .editor.suggest import CorpusError, evaluate_corpus, load_corpus
        try:
            corpus = load_corpus(Path(args.corpus))
        except CorpusError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        scores = evaluate_corpus(corpus, briefing.topics)
        print(f"{len(corpus)} labelled articles in {args.corpus}")
        print(f"{'topic':<14} {'precision':>9} {'recall':>7} {'¶ recall':>8}   articles: found/said/labelled")
        for s in scores:
            print(f"{s.topic.slug:<14} {s.precision:>9.2f} {s.recall:>7.2f} {s.paragraph_recall:>8.2f}   "
                  f"{s.articles_found}/{s.articles_predicted}/{s.articles_actual}")
        for s in scores:
            for miss in s.misses:
                print(f"{s.topic.slug}: {shorten(miss, 140)}")
        return 0
    if args.evaluate:
        print(f"{'topic':<14} {'precision':>9} {'recall':>7} {'suggested':>9} {'curated':>8}")
        for score in evaluate(briefing):
            print(f"{score.topic.slug:<14} {score.precision:>9.2f} {score.recall:>7.2f} "
                  f"{score.predicted:>9} {score.actual:>8}")
        return 0
    known = {a.id for a in briefing.articles}
    wanted = {Path(a).stem for a in args.articles}
    unknown = sorted(wanted - known)
    if unknown:
        print(f"error: unknown article {', '.join(map(repr, unknown))}", file=sys.stderr)
        return 2
    matches = missing_excerpts(briefing, wanted or None)
    for article, match in matches:
        print(f"{article.src_path}:{match.paragraph.line}: ¶{match.paragraph.number} may belong to "
              f"{match.topic.slug!r} (score {match.score:g}: {', '.join(t.rstrip('*') for t in match.terms)}): "
              f"\"{shorten(match.quote, 100)}\"")
    print(f"{len(matches)} paragraph{'' if len(matches) == 1 else 's'} without an excerpt for a topic they match")
    return 0


def _protected(args: argparse.Namespace) -> tuple[Path, ...]:
    """Folders of this run that no output may touch, besides the project's own."""
    return tuple(Path(getattr(args, name)).resolve() for name in ("seeds", "templates"))


def _check_publishing(args: argparse.Namespace, site: bool = False) -> str | None:
    """Refuse, before any work, an output path or URL that cannot be used; the message, or None.

    An unsafe output raises ``UnsafeTarget``; with ``site``, ``--out`` is a site to replace."""
    for option in ("site_url", "published_url"):
        value = getattr(args, option, None)
        if value is not None and (why := check_url(value, f"--{option.replace('_', '-')}")):
            return f"error: {why}\n    hint: give the full address the site is served from, such as https://owner.github.io/repo/"
    target = check_location(args.out, ROOT, protected=_protected(args))
    if site:
        check_site_target(target)
    return None


def cmd_build(args: argparse.Namespace) -> int:
    """Check, compose and build the published site with ``mkdocs build --strict``."""
    from .site.publish import Variant, publish_site

    if refusal := _check_publishing(args, site=True):
        print(refusal, file=sys.stderr)
        return 2
    composed = publish_site(ROOT, Path(args.out), Variant(site_url=args.site_url, overrides=_overrides(args)),
                            protected=_protected(args))
    print(f"Built {len(composed.pages)} pages into {Path(args.out).resolve()}")
    return 0


def published_url_of(site_url: str, pr: int) -> str:
    """The published site's URL, from a preview URL ending in ``pr-preview/pr-N/``."""
    return re.sub(rf"pr-preview/pr-{pr}/?$", "", site_url.rstrip("/") + "/") or site_url


def cmd_preview(args: argparse.Namespace) -> int:
    """Build the preview of a pull request, served under its own sub-path."""
    from .site.publish import Variant, publish_site
    from .site.settings import Preview

    if not args.site_url:
        print("error: preview needs --site-url, the preview's own full URL "
              "(e.g. https://owner.github.io/repo/pr-preview/pr-7/)", file=sys.stderr)
        return 2
    if not 0 < args.pr < 10**9:
        print(f"error: --pr must be the number of a pull request, a positive whole number (got {args.pr})",
              file=sys.stderr)
        return 2
    if refusal := _check_publishing(args, site=True):
        print(refusal, file=sys.stderr)
        return 2
    seeds_dir = Path(args.seeds).resolve()
    try:
        base_name, commit, repo = resolve_base(seeds_dir, args.base_ref)
    except GitError as exc:
        print(f"error: cannot read the base of the preview: {exc}", file=sys.stderr)
        return 2
    site_url = args.site_url.rstrip("/") + "/"
    preview = Preview(pr=args.pr, base_commit=commit, base_name=f"{base_name} ({commit[:12]})",
                      published_url=args.published_url or published_url_of(site_url, args.pr), repository=repo)
    variant = Variant(site_url=site_url, overrides=_overrides(args, preview=preview))
    publish_site(ROOT, Path(args.out), variant, protected=_protected(args))
    print(f"Built the preview of pull request #{args.pr} into {Path(args.out).resolve()} for {site_url}")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    """Write the offline HTML bundle ``dist/briefing-offline-<date>.zip``."""
    from .site.publish import Variant, write_bundle

    if refusal := _check_publishing(args):
        print(refusal, file=sys.stderr)
        return 2
    target = write_bundle(ROOT, Path(args.out), _newest(args),
                          Variant(site_url=args.site_url, overrides=_overrides(args, offline=True)),
                          protected=_protected(args))
    print(f"Wrote {target}")
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    """Write the briefing pack as ``dist/briefing-<date>.pdf``."""
    from .site.publish import Variant, write_pdf

    if refusal := _check_publishing(args):
        print(refusal, file=sys.stderr)
        return 2
    target = write_pdf(ROOT, Path(args.out), _newest(args), Variant(site_url=args.site_url, overrides=_overrides(args)),
                       protected=_protected(args))
    print(f"Wrote {target}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the site locally with live reload (``mkdocs serve``). Problems in the seeds or
    templates are printed as ``path:line: message`` and served as an error page until fixed,
    even at start; code edits restart the server (see ``serving``); SIGTERM stops it cleanly."""
    from mkdocs.commands.serve import serve

    from .site.publish import Variant, load_site_config
    from .site.serving import stop_on_signals

    host, _, port = args.dev_addr.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        print(f"error: --dev-addr must be HOST:PORT with a port from 1 to 65535 (got {args.dev_addr!r})",
              file=sys.stderr)
        return 2
    stop_on_signals()  # from the start: MkDocs makes its temporary folder before the plugin runs
    if not args.verbose:  # a server says where it serves and what each rebuild rewrote
        logging.getLogger("mkdocs").setLevel(logging.INFO)
    # The plugin instance is kept across serve's rebuilds (it has on_startup): the command
    # line's settings are given to it once, as for a build.
    load_site_config(ROOT, ROOT / "site", Variant(overrides=_overrides(args)))
    try:
        serve(config_file=str(ROOT / "mkdocs.yml"), dev_addr=args.dev_addr, livereload=True,
              open_in_browser=False)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM before the server was up; folders removed
        pass
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    """Remove the page cache."""
    from .site.cache import cache_dir, clean

    removed = clean(ROOT)
    folder = cache_dir(ROOT)
    if removed:
        print(f"Removed the page cache {folder} ({len(removed)} file{'s' * (len(removed) != 1)})")
    elif folder.exists():
        print(f"{folder} is not a cache Briefing made (no CACHEDIR.TAG); left as it is", file=sys.stderr)
        return 1
    else:
        print(f"No page cache to remove ({folder} does not exist)")
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of ``build.py``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seeds", default=str(ROOT / "seeds"), help="seeds folder (default: seeds/)")
    common.add_argument("--templates", default=str(ROOT / "templates"), help="templates folder (default: templates/)")
    common.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    common.add_argument("-q", "--quiet", action="store_true",
                        help="show no progress (a long build shows its stages when the output is a terminal)")
    caching = argparse.ArgumentParser(add_help=False)
    caching.add_argument("--no-cache", action="store_true",
                         help="build every page, without reading or writing the page cache in .cache/briefing/")
    output = argparse.ArgumentParser(add_help=False, parents=[caching])
    output.add_argument("--out", default=str(ROOT / "site"), help="output folder (default: site/)")
    output.add_argument("--site-url", default=None, help="full URL the site will be served from")
    output.add_argument("--reviewed-only", action="store_true", help="leave unreviewed excerpts out")

    parser = argparse.ArgumentParser(
        prog="build.py", parents=[common, output],
        description="Compose the briefing from seeds/ and build the site. Without a command: build.")
    parser.set_defaults(func=cmd_build)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    sub.add_parser("build", parents=[common, output], help="check, compose and build site/ (the default)").set_defaults(func=cmd_build)
    check = sub.add_parser("check", parents=[common], help="validate the seeds; list what needs an editor's eye")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--diff", metavar="BASE", default=None,
                       help="print what changed since BASE (a branch or commit): the Changes page's summary")
    check.add_argument("--audit", action="store_true",
                       help="list each sentence of the topics' prose beside the quotes it cites")
    check.set_defaults(func=cmd_check)

    add = sub.add_parser("add-article", parents=[common], help="bring an article into seeds/articles/: a URL, a saved "
                         "page, standard input or a plain-text file")
    add.add_argument("path", help="an http(s):// URL, a saved .html page, - for standard input (a page), or a "
                                  "plain-text UTF-8 file (headline on the first line, then the text)")
    add.add_argument("--source", default=None, help="the publication (found in a page; required for plain text)")
    add.add_argument("--date", default=None, help="publication date, YYYY-MM-DD (found in a page; required for plain text)")
    add.add_argument("--url", default="", help="where it was published: an absolute http:// or https:// URL")
    add.add_argument("--title", default=None, help="headline, when the first line is not it")
    add.add_argument("--author", action="append", help="an author (repeat for several)")
    add.add_argument("--language", default=None, help="BCP 47 language tag, such as en or zh-hans (default: the "
                                                      "page's, else en)")
    add.set_defaults(func=cmd_add_article)

    suggest = sub.add_parser("suggest", parents=[common], help="paragraphs that match a topic but have no excerpt for it")
    suggest.add_argument("articles", nargs="*", metavar="ARTICLE", help="article ids or files (default: all)")
    suggest.add_argument("--evaluate", action="store_true", help="precision and recall of the rules against the curated "
                         "excerpts, or against a labelled corpus (--corpus)")
    suggest.add_argument("--corpus", default=None, metavar="DIR",
                         help="with --evaluate: a folder of labelled articles (*.yml: paragraphs with their topics)")
    suggest.set_defaults(func=cmd_suggest)

    preview = sub.add_parser("preview", parents=[common, output], help="build a pull-request preview")
    preview.add_argument("--pr", type=int, required=True, help="number of the pull request")
    preview.set_defaults(func=cmd_preview)
    preview.add_argument("--base-ref", default=None, help="git ref to compare with (default: the merge base with main, else origin/HEAD, else master)")
    preview.add_argument("--published-url", default=None, help="URL of the published site (default: derived from --site-url)")

    bundle = sub.add_parser("bundle", parents=[common, caching], help="write dist/briefing-offline-<date>.zip")
    bundle.add_argument("--out", default=str(ROOT / "dist"), help="folder for the zip (default: dist/)")
    bundle.add_argument("--site-url", default=None, help="URL of the published site, for canonical links")
    bundle.add_argument("--reviewed-only", action="store_true", help="leave unreviewed excerpts out")
    bundle.set_defaults(func=cmd_bundle)

    pdf = sub.add_parser("pdf", parents=[common, caching], help="write the briefing pack as dist/briefing-<date>.pdf")
    pdf.add_argument("--out", default=str(ROOT / "dist"), help="folder for the PDF (default: dist/)")
    pdf.add_argument("--site-url", default=None, help="URL of the published site")
    pdf.add_argument("--reviewed-only", action="store_true", help="leave unreviewed excerpts out")
    pdf.set_defaults(func=cmd_pdf)

    serve = sub.add_parser("serve", parents=[common, caching], help="serve locally with live reload; errors shown as a page until fixed")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)")
    serve.set_defaults(func=cmd_serve)

    clean = sub.add_parser("clean", help="remove the page cache (.cache/briefing/); the next build builds every page")
    clean.set_defaults(func=cmd_clean)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``build.py``; returns the exit status."""
    args = make_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except SeedsInvalid as exc:
        print(format_problems(exc.problems), file=sys.stderr)
        return 1
    except PublishFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except UnsafeTarget as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except jinja2.TemplateNotFound as exc:
        print(f"error: template {exc}; nothing was changed", file=sys.stderr)
        return 1
    except jinja2.TemplateError as exc:
        print(f"{describe_exception(exc, ROOT)}\nnothing was changed", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous output was left as it was", file=sys.stderr)
        return 130
    except OSError as exc:  # the disk, not the input: full, read-only, no permission
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
