"""MkDocs hook: compose the briefing pages from ``seeds/`` and add them to the build.

Used by ``mkdocs build`` and ``mkdocs serve`` run from the project root, and by
``python build.py`` (which sets ``config.extra['briefing']`` before building).
Pages are generated in memory (``File.generated``): nothing is written into ``docs/``.
Under ``serve``, an edit to the code restarts the server process (``briefing/site/serving.py``):
modules are never reloaded in place.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from briefing.site import plugin as site_hook  # noqa: E402

on_startup = site_hook.on_startup
on_config = site_hook.on_config
on_files = site_hook.on_files
on_page_content = site_hook.on_page_content
on_post_build = site_hook.on_post_build
on_build_error = site_hook.on_build_error
on_serve = site_hook.on_serve
on_shutdown = site_hook.on_shutdown
