"""The settings of one build: made once, from the plugin's configuration in mkdocs.yml and the
command line, and passed explicitly to every stage that needs them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..core.errors import shown_root


SHIM = "assets/javascripts/iframe-worker-shim.js"
"""Local copy of the iframe-worker shim, which lets search run from ``file://``."""


class PreviewConfig(base.Config):
    """``preview:`` in the plugin's configuration: a pull-request preview."""

    pr = c.Optional(c.Type(int))
    """Number of the pull request; a preview when set."""
    base_ref = c.Optional(c.Type(str))
    """Git ref the preview's "Changes" page compares with (default: main, origin/HEAD, master)."""
    published_url = c.Optional(c.Type(str))
    """URL of the published site, linked from the preview's banner."""


class BriefingConfig(base.Config):
    """The ``briefing`` plugin's options in mkdocs.yml (``plugins: [briefing: {…}]``)."""

    seeds = c.Type(str, default="seeds")
    """Folder of the seeds, relative to mkdocs.yml."""
    templates = c.Type(str, default="templates")
    """Folder of the page templates, relative to mkdocs.yml."""
    reviewed_only = c.Type(bool, default=False)
    """Leave unreviewed excerpts out."""
    offline = c.Type(bool, default=False)
    """Build for reading from ``file://`` (Material's offline plugin, local polyfill)."""
    cache = c.Type(bool, default=True)
    """Keep built pages in ``.cache/briefing/`` and build only the pages that changed (``site/cache.py``)."""
    preview = c.SubConfig(PreviewConfig)

    def validate(self) -> tuple[list, list]:
        """As MkDocs validates, but an unknown option is an error, not a warning: a misspelt
        option would otherwise be ignored and the build go on without it."""
        failed, warnings = super().validate()
        unknown = [(key, message) for key, message in warnings if str(message).startswith("Unrecognised configuration name")]
        return failed + unknown, [w for w in warnings if w not in unknown]


@dataclass(frozen=True)
class Preview:
    """A pull-request preview: what its banner says and what its Changes page compares with."""

    pr: int
    base_commit: str
    """The commit the Changes page compares with."""
    base_name: str
    """How the Changes page names it (``the merge base with main (0123abcd4567)``)."""
    published_url: str
    repository: Path
    """The git repository that holds the seeds."""


@dataclass(frozen=True)
class Overrides:
    """What a command line (``build.py``) sets over the plugin's configuration; None: as configured."""

    seeds_dir: Path | None = None
    templates_dir: Path | None = None
    reviewed_only: bool | None = None
    offline: bool | None = None
    preview: Preview | None = None
    cache: bool | None = None
    cache_dir: Path | None = None
    """Where the page cache is (default: ``.cache/briefing/`` in the project)."""
    progress: bool | None = None
    """Show the stages of a long build on the terminal (``build.py`` when stderr is one)."""


@dataclass(frozen=True)
class Settings:
    """Everything one build depends on besides the seeds' content. Templates see it as ``briefing``."""

    root: Path
    """The project: the folder of mkdocs.yml."""
    seeds_dir: Path
    templates_dir: Path
    shown_root: Path
    """Paths in messages are relative to this: the project, or the seeds' parent when elsewhere."""
    site_name: str
    site_url: str
    """The site's full URL, empty when unknown (local builds)."""
    reviewed_only: bool = False
    offline: bool = False
    preview: Preview | None = None
    serving: bool = False
    """Under ``mkdocs serve``/``build.py serve``."""
    cache: bool = True
    """Use the page cache (``site/cache.py``)."""
    cache_dir: Path | None = None
    """Where it is; None: ``.cache/briefing/`` in the project."""
    progress: bool = False
    """Show the stages and counts of a long build (``site/progress.py``)."""

    @property
    def polyfills(self) -> tuple[str, ...]:
        """Scripts every page loads before Material's own (the theme's ``libs`` block)."""
        return (SHIM,) if self.offline else ()

    @property
    def theme_dir(self) -> Path:
        """Material overrides (``custom_dir``)."""
        return self.templates_dir / "theme"


def make_settings(root: Path, options: BriefingConfig, overrides: Overrides | None, *, site_name: str,
                  site_url: str | None, serving: bool, preview: Preview | None = None) -> Settings:
    """The one settings object of a build: the plugin's options, then the command line's."""
    overrides = overrides or Overrides()
    seeds_dir = (overrides.seeds_dir or root / options.seeds).resolve()
    templates_dir = (overrides.templates_dir or root / options.templates).resolve()
    return Settings(
        root=root, seeds_dir=seeds_dir, templates_dir=templates_dir, shown_root=shown_root(root, seeds_dir),
        site_name=str(site_name), site_url=site_url or "",
        reviewed_only=options.reviewed_only if overrides.reviewed_only is None else overrides.reviewed_only,
        offline=options.offline if overrides.offline is None else overrides.offline,
        preview=overrides.preview or preview, serving=serving,
        cache=options.cache if overrides.cache is None else overrides.cache, cache_dir=overrides.cache_dir,
        progress=bool(overrides.progress))
