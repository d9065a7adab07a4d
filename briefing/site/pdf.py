"""Print the briefing pack to PDF with Debian's headless Chromium (Playwright drives it)."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import PublishFailed

CHROMIUM = os.environ.get("BRIEFING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
"""Debian's Chromium, headless, making no connection of its own (this network refuses them).
The tests and benchmarks launch it with these too."""
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#666">'
          'Briefing pack · <span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def print_pack(site_dir: Path, target: Path) -> Path:
    """Render ``pack/`` of a built site to ``target`` (a temporary name: the caller moves it into place)."""
    if not Path(CHROMIUM).exists():
        raise PublishFailed(f"{CHROMIUM} not found: install Debian's chromium (make chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise PublishFailed(f"playwright is not installed: {exc}") from None
    pack = site_dir / "pack" / "index.html"
    if not pack.is_file():
        pack = site_dir / "pack.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(pack.as_uri(), wait_until="load")
            page.emulate_media(media="print", color_scheme="light")
            page.pdf(path=str(target), format="A4", print_background=True, display_header_footer=True,
                     header_template="<span></span>", footer_template=FOOTER,
                     margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
        finally:
            browser.close()
    return target
