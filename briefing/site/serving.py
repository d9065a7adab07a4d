"""What keeps ``serve`` useful while things are broken, and tidy when it stops.

- A build that fails (seeds, templates, code) is reported as ``path:line: message`` lines,
  never a traceback, and the server answers every page with an error page listing them
  (``error_page``, ``error_app``), which reloads itself into the site once a build succeeds.
- An edit to the code in ``briefing/`` is taken up by running the server again in the same
  process (``restart``: ``os.execv``), never by reloading modules in place, which leaves
  stale references behind. The new code is first imported in a separate process
  (``check_code``): code that does not import is reported like any other error, and the
  running server stays up.
- SIGTERM and SIGHUP stop the server as Ctrl-C does (``stop_on_signals``), so that MkDocs and
  the plugin remove their temporary folders.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

CODE_DIR = Path(__file__).resolve().parents[1]
"""The ``briefing`` package whose code this process runs."""
ROOT = CODE_DIR.parent


# --- the error page ----------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<meta name="briefing-error" content="{digest}">
<title>Briefing: the site cannot be built</title>
<style>
  body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #fff; color: #1a1a1a; }}
  header {{ background: #3f51b5; color: #fff; padding: 0.8rem 1.5rem; font-weight: 600; }}
  main {{ padding: 1rem 1.5rem 3rem; max-width: 72rem; }}
  h1 {{ font-size: 1.5rem; margin: 0.5rem 0; color: #b00020; }}
  pre {{ background: #f5f5f5; border-left: 4px solid #b00020; padding: 1rem; overflow-x: auto;
        white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9rem; }}
  @media (prefers-color-scheme: dark) {{
    body {{ background: #1e2129; color: #e2e4e9; }} pre {{ background: #2b2f3a; }} h1 {{ color: #ff7b8a; }}
  }}
</style>
</head>
<body>
<header>Briefing</header>
<main>
<h1>{headline}</h1>
<p>The server keeps running. This page shows the site again by itself once the next build succeeds.</p>
<pre id="briefing-problems">{problems}</pre>
</main>
<script>
/* Look at this address again every second: once it answers anything but this same error
   page (the site, or other errors), show that. Survives the server restarting. */
(function () {{
  var digest = "{digest}";
  var pattern = /<meta name="briefing-error" content="([0-9a-f]+)">/;
  function look() {{
    fetch(location.href, {{cache: "no-store"}}).then(function (response) {{
      return response.text();
    }}).then(function (text) {{
      var found = text.match(pattern);
      if (!found || found[1] !== digest) {{
        location.reload();
      }} else {{
        setTimeout(look, 1000);
      }}
    }}, function () {{
      setTimeout(look, 1000);
    }});
  }}
  setTimeout(look, 1000);
}})();
</script>
</body>
</html>
"""


def error_page(headline: str, problems: str) -> bytes:
    """The page served in place of the site while it cannot be built: the problems exactly as
    the terminal shows them, HTML-escaped (they quote article text)."""
    digest = hashlib.sha256(f"{headline}\n{problems}".encode()).hexdigest()[:16]
    return _PAGE.format(digest=digest, headline=html.escape(headline),
                        problems=html.escape(problems)).encode("utf-8")


def error_app(app: Callable, mount_path: str, current: Callable[[], bytes | None]) -> Callable:
    """A WSGI app that answers every page of the site with ``current()``, the error page, while
    there is one; everything else (and live reload's own requests) goes to ``app``."""

    def serve(environ: dict, start_response: Callable) -> Iterable[bytes]:
        page = current()
        path = environ.get("PATH_INFO", "")
        if page is None or path.startswith("/livereload/") or not (path + "/").startswith(mount_path):
            return app(environ, start_response)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                   ("Content-Length", str(len(page))), ("Cache-Control", "no-store")])
        return [page]

    return serve


# --- code edits: run the server again ----------------------------------------------------------

def code_fingerprint(code_dir: Path = CODE_DIR) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of each ``*.py`` file of the package, by name."""
    found = {}
    for path in sorted(code_dir.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path.relative_to(code_dir).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed_code(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Names of the files added, removed or changed between two fingerprints."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


_CHECK = r"""
import pathlib, sys, traceback
root = pathlib.Path(sys.argv[1])
sys.path.insert(0, str(root))
def shown(name):
    try:
        return pathlib.Path(name).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return name
try:
    for path in sorted((root / "briefing").rglob("*.py")):
        compile(path.read_bytes(), str(path), "exec")
    import briefing.site.plugin, briefing.cli
except BaseException as exc:
    kind = type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename:
        print(f"{shown(exc.filename)}:{exc.lineno}: {kind}: {exc.msg}")
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if shown(f.filename) != f.filename and not shown(f.filename).startswith(".")]
        where = f"{shown(frames[-1].filename)}:{frames[-1].lineno}: " if frames else ""
        print(f"{where}{kind}: {exc}")
    sys.exit(1)
"""


def check_code(root: Path = ROOT) -> str | None:
    """Compile and import the project's code in a separate process: None if it imports, else
    what is wrong as ``path:line: Kind: message``."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # no __pycache__ write to trigger a rebuild
    try:
        result = subprocess.run([sys.executable, "-c", _CHECK, str(root)], cwd=root, env=env,
                                capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the new code could not be checked: {exc}"
    if result.returncode == 0:
        return None
    said = result.stdout.strip() or (result.stderr.strip().splitlines() or [""])[-1]
    return said or f"importing the code failed (exit status {result.returncode})"


def restart() -> None:
    """Run this very command again, in this process (same pid, same arguments, same
    environment): the new code is loaded from scratch. Does not return."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    # orig_argv keeps "-m mkdocs", a console script's path, or "build.py"; sockets and
    # temporary files are close-on-exec.
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


# --- stopping ----------------------------------------------------------------------------------

class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stop the server the way Ctrl-C does (MkDocs catches KeyboardInterrupt),
    so that every ``finally`` and ``atexit`` clean-up runs."""


_signals = {"armed": False, "pending": None}


def _stop(signum: int, frame: object) -> None:
    if not _signals["armed"]:  # MkDocs would not remove its folder from here: stop at arm()
        _signals["pending"] = signum
        return
    # Once is enough: a second signal must not interrupt the clean-up the first one started.
    for other in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(other, signal.SIG_IGN)
    raise Stopped(f"stopped by {signal.Signals(signum).name}")


def stop_on_signals() -> None:
    """Make SIGTERM and SIGHUP stop the server as Ctrl-C does, where each still has its default
    action (which ends the process without any clean-up). Until ``arm()``, a signal is only
    noted: `mkdocs serve` removes its temporary folder in a ``finally`` that starts with the
    first build, and an exception raised before would leave the folder behind."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _stop)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP (delivered when the block ends), so that a stop cannot
    fall between making a temporary folder and noting it for removal."""
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def arm() -> None:
    """From now on (a build under way), a signal stops the server at once; one that came
    before stops it now."""
    _signals["armed"] = True
    pending = _signals["pending"]
    if pending is not None and signal.getsignal(pending) is _stop:
        _stop(pending, None)


# --- the served folder ---------------------------------------------------------------------------

def sync_tree(new: Path, target: Path) -> list[str]:
    """Make ``target`` hold what ``new`` holds, touching only files whose bytes differ.

    Changed and added files are moved over (one rename each), files gone from ``new`` are
    deleted, and identical files keep their time stamp. Returns the paths rewritten or removed,
    relative and sorted. ``new`` is consumed.
    """
    touched, kept = _move(new, target)
    for path in sorted(target.rglob("*"), reverse=True):
        relative = path.relative_to(target).as_posix()
        if path.is_file() and relative not in kept:
            path.unlink()
            touched.append(relative)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return sorted(touched)


def move_changed(new: Path, target: Path, written: list[str]) -> list[str]:
    """Move the files ``written`` in ``new`` (relative paths) whose bytes differ from ``target``'s
    over them (an update of some files), deleting the others. Returns the paths rewritten, sorted."""
    return sorted(_move(new, target, written)[0])


def _move(new: Path, target: Path, written: list[str] | None = None) -> tuple[list[str], set[str]]:
    """Move each file of ``new`` (those ``written``, else all) over its place in ``target``
    unless the bytes there are the same (then it is deleted): (the paths moved, those seen)."""
    touched = []
    kept = set()
    found = sorted(new.rglob("*")) if written is None else [new / p for p in sorted(set(written))]
    for path in found:
        if not path.is_file():
            continue
        relative = path.relative_to(new).as_posix()
        kept.add(relative)
        old = target / relative
        if old.is_file() and old.stat().st_size == path.stat().st_size and old.read_bytes() == path.read_bytes():
            path.unlink()
            continue
        old.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, old)
        touched.append(relative)
    return touched, kept
