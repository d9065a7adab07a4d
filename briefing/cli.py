"""The command line behind ``build.py``: one function per verb."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .errors import PublishFailed, SeedsInvalid, format_problems
from .pipeline import compose, verify
from .publish import Variant, publish_site

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


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    return Path(args.seeds).resolve(), Path(args.templates).resolve()


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the seeds only."""
    seeds_dir, _ = _paths(args)
    briefing = verify(seeds_dir, root=ROOT if seeds_dir.is_relative_to(ROOT) else seeds_dir.parent)
    print(f"OK: {len(briefing.articles)} articles, {len(briefing.excerpts)} excerpts, "
          f"{len(briefing.topics)} topics")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Check, compose and build the site with ``mkdocs build --strict``."""
    seeds_dir, templates_dir = _paths(args)
    root_for_paths = ROOT if seeds_dir.is_relative_to(ROOT) else seeds_dir.parent
    settings = {"seeds_dir": str(seeds_dir), "templates_dir": str(templates_dir)}
    composed = compose(seeds_dir, templates_dir, root=root_for_paths, settings=settings)
    out = publish_site(ROOT, Path(args.out), Variant(site_url=args.site_url, settings=settings), composed)
    print(f"Built {len(composed.pages)} pages into {out}")
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
