"""Stage 5: build the site with MkDocs into a fresh folder, then swap it into place.

One code path for every variant (published, preview, offline): ``Variant`` holds the
differences. The previous output stays untouched unless the new build succeeded.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError

from .errors import PublishFailed
from .pipeline import Composed

log = logging.getLogger("briefing")


@dataclass(frozen=True)
class Variant:
    """What differs between the ways the site is published."""

    site_url: str | None = None
    """Full URL the site is served from (a preview's own sub-path URL for previews)."""
    offline: bool = False
    """Build for ``file://`` with Material's offline plugin."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Extra settings for the templates (``config.extra['briefing']``)."""


def load_site_config(root: Path, site_dir: Path, variant: Variant, strict: bool = True) -> Any:
    """Load ``mkdocs.yml`` with the variant's settings applied."""
    overrides: dict[str, Any] = {"site_dir": str(site_dir), "strict": strict}
    if variant.site_url:
        overrides["site_url"] = variant.site_url
    config = load_config(str(root / "mkdocs.yml"), **overrides)
    offline = config.plugins.get("material/offline")
    if offline is not None:
        offline.config.enabled = variant.offline
    return config


def build_into(root: Path, site_dir: Path, variant: Variant, composed: Composed | None = None) -> None:
    """Run ``mkdocs build --strict`` into ``site_dir``."""
    config = load_site_config(root, site_dir, variant)
    config.extra["briefing"] = {**variant.settings, "root": str(root)}
    if composed is not None:
        config.extra["briefing"]["composed"] = composed
    try:
        mkdocs_build(config)
    except (Abort, ConfigurationError) as exc:
        raise PublishFailed(f"mkdocs build failed: {exc}") from None
    finally:
        config.plugins.on_shutdown()


def publish_site(root: Path, out_dir: Path, variant: Variant, composed: Composed | None = None) -> Path:
    """Build the site and put it at ``out_dir`` whole, or leave ``out_dir`` as it was."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=out_dir.parent))
    try:
        build_into(root, staging, variant, composed)
        swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with two renames on the same file system."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
