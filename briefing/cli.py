"""The command line behind ``build.py``: one function per verb."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path

from .changes import GitError, read_base_seeds, resolve_base
from .errors import PublishFailed, SeedsInvalid, format_problems
from .pipeline import Composed, compose, verify
from .publish import Variant, publish_site, write_bundle

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


def _settings(args: argparse.Namespace) -> dict[str, str]:
    return {"seeds_dir": str(Path(args.seeds).resolve()), "templates_dir": str(Path(args.templates).resolve())}


def _display_root(seeds_dir: Path) -> Path:
    """Paths in messages are relative to the project, or to the seeds' parent elsewhere."""
    return ROOT if seeds_dir.is_relative_to(ROOT) else seeds_dir.parent


def _compose(args: argparse.Namespace, base=None) -> Composed:
    settings = _settings(args)
    seeds_dir = Path(settings["seeds_dir"])
    return compose(seeds_dir, Path(settings["templates_dir"]), root=_display_root(seeds_dir),
                   settings=settings, base=base)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the seeds only."""
    seeds_dir = Path(args.seeds).resolve()
    briefing = verify(seeds_dir, root=_display_root(seeds_dir))
    print(f"OK: {len(briefing.articles)} articles, {len(briefing.excerpts)} excerpts, "
          f"{len(briefing.topics)} topics")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Check, compose and build the published site with ``mkdocs build --strict``."""
    composed = _compose(args)
    out = publish_site(ROOT, Path(args.out), Variant(site_url=args.site_url, settings=_settings(args)), composed)
    print(f"Built {len(composed.pages)} pages into {out}")
    return 0


def published_url_of(site_url: str, pr: int) -> str:
    """The published site's URL, from a preview URL ending in ``pr-preview/pr-N/``."""
    return re.sub(rf"pr-preview/pr-{pr}/?$", "", site_url.rstrip("/") + "/") or site_url


def cmd_preview(args: argparse.Namespace) -> int:
    """Build the preview of a pull request, served under its own sub-path."""
    if not args.site_url:
        print("error: preview needs --site-url, the preview's own full URL "
              "(e.g. https://owner.github.io/repo/pr-preview/pr-7/)", file=sys.stderr)
        return 2
    seeds_dir = Path(args.seeds).resolve()
    try:
        commit = resolve_base(ROOT, args.base_ref)
        base = read_base_seeds(ROOT, seeds_dir, commit)
    except GitError as exc:
        print(f"error: cannot read the base of the preview: {exc}", file=sys.stderr)
        return 1
    name = f"{args.base_ref} ({commit[:12]})" if args.base_ref else f"the merge base with main ({commit[:12]})"
    composed = _compose(args, base=(base, name))
    site_url = args.site_url.rstrip("/") + "/"
    preview = {"pr": args.pr, "published_url": args.published_url or published_url_of(site_url, args.pr)}
    variant = Variant(site_url=site_url, preview=preview, settings=_settings(args))
    out = publish_site(ROOT, Path(args.out), variant, composed)
    print(f"Built the preview of pull request #{args.pr} into {out} for {site_url}")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    """Write the offline HTML bundle ``dist/briefing-offline-<date>.zip``."""
    composed = _compose(args)
    target = write_bundle(ROOT, Path(args.out).resolve(), composed,
                          Variant(site_url=args.site_url, offline=True, settings=_settings(args)))
    print(f"Wrote {target}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the site locally with live reload (``mkdocs serve``)."""
    from mkdocs.commands.serve import serve

    _compose(args)  # report problems in the seeds plainly before starting
    os.environ["BRIEFING_SEEDS"] = _settings(args)["seeds_dir"]
    serve(config_file=str(ROOT / "mkdocs.yml"), dev_addr=args.dev_addr, livereload=True,
          open_in_browser=False)
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of ``build.py``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seeds", default=str(ROOT / "seeds"), help="seeds folder (default: seeds/)")
    common.add_argument("--templates", default=str(ROOT / "templates"), help="templates folder (default: templates/)")
    common.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--out", default=str(ROOT / "site"), help="output folder (default: site/)")
    output.add_argument("--site-url", default=None, help="full URL the site will be served from")

    parser = argparse.ArgumentParser(
        prog="build.py", parents=[common, output],
        description="Compose the briefing from seeds/ and build the site. Without a command: build.")
    parser.set_defaults(func=cmd_build)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    sub.add_parser("build", parents=[common, output], help="check, compose and build site/ (the default)").set_defaults(func=cmd_build)
    sub.add_parser("check", parents=[common], help="validate the seeds only").set_defaults(func=cmd_check)

    preview = sub.add_parser("preview", parents=[common, output], help="build a pull-request preview")
    preview.add_argument("--pr", type=int, required=True, help="number of the pull request")
    preview.set_defaults(func=cmd_preview)
    preview.add_argument("--base-ref", default=None, help="git ref to compare with (default: merge base with main)")
    preview.add_argument("--published-url", default=None, help="URL of the published site (default: derived from --site-url)")

    bundle = sub.add_parser("bundle", parents=[common], help="write dist/briefing-offline-<date>.zip")
    bundle.add_argument("--out", default=str(ROOT / "dist"), help="folder for the zip (default: dist/)")
    bundle.add_argument("--site-url", default=None, help="URL of the published site, for canonical links")
    bundle.set_defaults(func=cmd_bundle)

    serve = sub.add_parser("serve", parents=[common], help="serve locally with live reload")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)")
    serve.set_defaults(func=cmd_serve)
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
