"""Stage 5: build the site with MkDocs into a fresh folder, then swap it into place.

One code path for every variant (published, preview, offline): ``Variant`` holds the
differences. The previous output stays untouched unless the new build succeeded.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError

from ..core.errors import PublishFailed, SeedsInvalid
from .output import SITE_MARKER, check_location, check_site_target, locked, temporary_prefix, writing_file
from .pages import Composed
from .plugin import SeedsAbort
from .settings import Overrides



@dataclass(frozen=True)
class Variant:
    """What differs between the ways the site is published: the URL, and the command line's
    overrides of the plugin's options (offline, preview, seeds …)."""

    site_url: str | None = None
    """Full URL the site is served from (a preview's own sub-path URL for previews)."""
    overrides: Overrides = field(default_factory=Overrides)


def load_site_config(root: Path, site_dir: Path, variant: Variant) -> Any:
    """Load ``mkdocs.yml`` with the variant's settings applied (to the ``briefing`` plugin)."""
    options: dict[str, Any] = {"site_dir": str(site_dir), "strict": True}
    if variant.site_url:
        options["site_url"] = variant.site_url
    try:
        config = load_config(str(root / "mkdocs.yml"), **options)
    except (Abort, ConfigurationError) as exc:
        raise PublishFailed(f"mkdocs.yml: {exc}") from None
    plugin = config.plugins.get("briefing")
    if plugin is None:
        raise PublishFailed(f"{root / 'mkdocs.yml'}: the 'briefing' plugin is not listed under 'plugins:'")
    plugin.overrides = variant.overrides
    return config


def build_into(root: Path, site_dir: Path, variant: Variant) -> Composed:
    """Run ``mkdocs build --strict`` into ``site_dir``; the composed pages it built.

    Raises ``SeedsInvalid`` when the seeds have problems, ``PublishFailed`` when MkDocs fails."""
    config = load_site_config(root, site_dir, variant)
    try:
        mkdocs_build(config)
    except SeedsAbort as exc:
        raise SeedsInvalid(exc.problems) from None
    except (Abort, ConfigurationError) as exc:
        raise PublishFailed(f"mkdocs build failed: {exc}") from None
    return config.plugins["briefing"].composed


def publish_site(root: Path, out_dir: Path, variant: Variant, protected: tuple[Path, ...] = ()) -> Composed:
    """Build the site and put it at ``out_dir`` whole, or leave ``out_dir`` as it was; the pages built.

    ``out_dir`` must be absent or a site Briefing built (``output.check_site_target``), in a
    place ``output.check_location`` accepts; otherwise ``UnsafeTarget`` is raised before
    anything is written. One build at a time per target (``output.locked``).
    """
    out_dir = check_location(out_dir, root, protected=protected)
    check_site_target(out_dir)
    with locked(out_dir):
        check_site_target(out_dir)  # again: another build may have written it while we waited
        staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(out_dir, "new"), dir=out_dir.parent))
        try:
            composed = build_into(root, staging, variant)  # the plugin marks it as a Briefing site
            swap_in(staging, out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return composed


def swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with two renames on the same file system (under the target's lock)."""
    os.chmod(new, 0o755)  # mkdtemp makes it private; a site is meant to be read
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=temporary_prefix(target, "old"), dir=target.parent))
        os.rename(target, old / target.name)
    try:
        os.rename(new, target)
    except OSError:
        if old is not None:
            os.rename(old / target.name, target)
            old.rmdir()
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


BUNDLE_README = """Briefing: offline edition
=========================

This folder is the whole briefing site, made to be read without a network.
Open index.html (double-click it) in a web browser. Navigation, search, tags,
paragraph links and the light/dark switch work from the files alone; nothing
is fetched from the internet.

Built on {built} from {articles} articles and {excerpts} excerpts on
{topics} topics (newest article: {newest}).
"""


def write_bundle(root: Path, dist_dir: Path, newest: dt.date, variant: Variant,
                 protected: tuple[Path, ...] = ()) -> Path:
    """Build the offline site and pack it into ``dist/briefing-offline-<newest>.zip``, reproducibly.

    The zip replaces only a zip Briefing wrote there before (``output.check_file_target``)."""
    name = f"briefing-offline-{newest.isoformat()}"
    target = check_location(dist_dir, root, protected=protected) / f"{name}.zip"
    with writing_file(target) as (tmp, partial):
        site_dir = tmp / name
        composed = build_into(root, site_dir, variant)
        (site_dir / "README.txt").write_text(BUNDLE_README.format(
            built=newest.isoformat(), articles=len(composed.briefing.articles),
            excerpts=len(composed.briefing.excerpts), topics=len(composed.briefing.topics),
            newest=newest.isoformat()), encoding="utf-8")
        zip_tree(site_dir, partial, name, newest)
    return target


def write_pdf(root: Path, dist_dir: Path, newest: dt.date, variant: Variant,
              protected: tuple[Path, ...] = ()) -> Path:
    """Build the site and print its briefing pack to ``dist/briefing-<date>.pdf`` (whole, or not at all).

    The PDF replaces only a PDF Briefing wrote there before (``output.check_file_target``)."""
    from .pdf import print_pack

    target = check_location(dist_dir, root, protected=protected) / f"briefing-{newest.isoformat()}.pdf"
    with writing_file(target) as (tmp, partial):
        site_dir = tmp / "site"
        build_into(root, site_dir, variant)
        print_pack(site_dir, partial)
    return target


def zip_tree(folder: Path, zip_path: Path, prefix: str, date: dt.date) -> None:
    """Zip a folder with sorted entries, one fixed time stamp and fixed permissions."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.relative_to(folder).as_posix() == SITE_MARKER:
                continue
            info = zipfile.ZipInfo(f"{prefix}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
