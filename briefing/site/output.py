"""Where Briefing may write: output targets checked before anything is replaced, one build
at a time per target, and the leftovers of killed builds cleaned up.

A site Briefing builds carries a marker file (``.briefing-site``) in its root; a file it
writes into a folder (the offline bundle, the PDF) is recorded with its hash in that
folder's ``.briefing-outputs.json``. Briefing replaces only such outputs, never anything else,
and never a target that is, contains or lies inside the project's own sources.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import BriefingError

SITE_MARKER = ".briefing-site"
"""File in the root of every site Briefing builds: the sign that it may be replaced."""
SITE_MARKER_TEXT = ("This folder was built by Briefing (python build.py). The next build replaces it whole;\n"
                    "do not keep anything of your own here.\n")
OUTPUTS_RECORD = ".briefing-outputs.json"
"""In a folder Briefing writes files into (dist/): each file it wrote, with its SHA-256."""
SOURCE_FOLDERS = ("seeds", "docs", "templates", "briefing", ".git")
"""The project's folders that no output may be, contain or lie in."""


class UnsafeTarget(BriefingError):
    """An output path that Briefing refuses to write to; nothing was changed."""

    def __init__(self, path: Path | str, why: str, hint: str) -> None:
        self.path, self.why, self.hint = path, why, hint
        super().__init__(f"error: refusing to write to {str(path)!r}: {why}; nothing was changed.\n    hint: {hint}")


def _protected(project: Path, extra: tuple[Path, ...]) -> list[tuple[Path, str]]:
    folders = [(project, "the project")]
    folders += [(project / name, f"the project's {name}/") for name in SOURCE_FOLDERS]
    folders += [(path, f"the folder {path}") for path in extra]
    return [(path.resolve(), name) for path, name in folders]


def check_location(raw: str | Path, project: Path, *, protected: tuple[Path, ...] = (), what: str = "output folder") -> Path:
    """The resolved output path, if it may hold Briefing's output; else raise ``UnsafeTarget``.

    Refused: an empty path; the current folder; the home folder or a folder above it; any path
    that is, contains or lies inside the project's sources (``protected`` adds folders such
    as a ``--seeds`` given elsewhere); a path above the project (it contains the project).
    """
    if not str(raw).strip():
        raise UnsafeTarget(raw, f"the {what} is empty", "give --out a folder of its own, such as site/ or dist/")
    target = Path(raw).expanduser().resolve()
    if target == Path.cwd().resolve():
        raise UnsafeTarget(raw, f"it is the current folder ({target})", "give --out a folder of its own, such as site/")
    home = Path.home().resolve()
    if target == home or home.is_relative_to(target):
        raise UnsafeTarget(raw, f"it {'is' if target == home else 'contains'} the home folder ({home})",
                           "give --out a folder of its own, such as site/ or ~/briefing-site")
    for folder, name in _protected(project, protected):
        if target == folder or folder.is_relative_to(target):
            raise UnsafeTarget(raw, f"it {'is' if target == folder else 'contains'} {name} ({folder})",
                               "give --out a folder of its own, such as site/ (the default)")
        if folder != project.resolve() and target.is_relative_to(folder):
            raise UnsafeTarget(raw, f"it lies inside {name} ({folder})",
                               "write outputs outside the project's sources, such as site/ or dist/")
    return target


def is_briefing_site(folder: Path) -> bool:
    """True for a site Briefing built: it has the marker (or, built before there was one,
    Briefing's own feed); an empty folder counts too, since replacing it loses nothing."""
    if (folder / SITE_MARKER).is_file():
        return True
    try:
        if not any(folder.iterdir()):
            return True
        head = (folder / "feeds" / "all.xml").read_bytes()[:2000]
    except OSError:
        return False
    return b"<id>tag:briefing,2023:feed:feeds/all.xml</id>" in head and (folder / "sitemap.xml").is_file()


def check_site_target(target: Path) -> None:
    """Raise ``UnsafeTarget`` unless ``target`` is absent or a site Briefing built."""
    if target.is_symlink() and not target.exists():
        raise UnsafeTarget(target, "it is a broken symbolic link", "remove the link, or give --out another folder")
    if not target.exists():
        return
    if not target.is_dir():
        raise UnsafeTarget(target, "it is a file, not a folder Briefing built", "give --out a new folder")
    if not is_briefing_site(target):
        raise UnsafeTarget(target, f"it exists and was not built by Briefing (it has no {SITE_MARKER} file)",
                           f"give --out a new folder, or move {target} away (or delete it) if you mean to replace it")


def mark_site(folder: Path) -> None:
    """Put the marker in a site just built."""
    (folder / SITE_MARKER).write_text(SITE_MARKER_TEXT, encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / OUTPUTS_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}


def check_file_target(target: Path) -> None:
    """Raise ``UnsafeTarget`` unless ``target`` is absent or a file Briefing wrote, unchanged since."""
    if not (target.exists() or target.is_symlink()):
        return
    if target.is_symlink() or not target.is_file():
        raise UnsafeTarget(target, "it exists and is not a file Briefing wrote", f"move {target} away, or give --out another folder")
    if _record(target.parent).get(target.name) != _sha256(target):
        raise UnsafeTarget(target, "it exists and is not a file Briefing wrote (or it was changed since)",
                           f"move {target} away (or delete it) if you mean to replace it, or give --out another folder")


def record_file(target: Path) -> None:
    """Note in the folder's record that Briefing wrote ``target`` (with its hash)."""
    record = _record(target.parent)
    record[target.name] = _sha256(target)
    record = {name: digest for name, digest in sorted(record.items()) if (target.parent / name).is_file()}
    partial = target.parent / f".{OUTPUTS_RECORD}-partial-{os.getpid()}"
    partial.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, target.parent / OUTPUTS_RECORD)


def temporary_prefix(target: Path, kind: str) -> str:
    """The name prefix of a temporary sibling of ``target`` (``.site-new-``); cleaned by ``locked``."""
    return f".{target.name}-{kind}-"


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold the lock of ``target`` (``.<name>.lock`` beside it): one build at a time per output.

    A second build waits, saying so. Once the lock is held, temporary siblings left by killed
    builds (``.<name>-new-*``, ``.<name>-old-*``, ``.<name>-partial-*``) are removed. The lock
    file is removed on release; a waiter that finds it gone takes a fresh one.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    said = False
    while True:
        handle = open(lock_path, "a+b")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not said:
                print(f"Another build is writing {target}; waiting for it to finish…", file=sys.stderr, flush=True)
                said = True
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            current = os.stat(lock_path)
        except FileNotFoundError:
            current = None
        if current is not None and current.st_ino == os.fstat(handle.fileno()).st_ino:
            break  # the lock file we hold is still the one at the path
        handle.close()  # its holder removed it as we waited: take the new one
    try:
        clean_leftovers(target)
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        handle.close()


@contextlib.contextmanager
def writing_file(target: Path) -> Iterator[tuple[Path, Path]]:
    """Write the file ``target`` whole or not at all, replacing only a file Briefing wrote.

    Yields (a temporary folder beside it, the temporary path to write the file to); when the
    block ends without error, the file is moved into place and recorded."""
    check_file_target(target)
    with locked(target):
        check_file_target(target)  # again: another build may have written it while we waited
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=temporary_prefix(target, "new")) as tmp:
            partial = Path(tmp) / target.name
            yield Path(tmp), partial
            os.replace(partial, target)
            record_file(target)


def clean_leftovers(target: Path) -> list[Path]:
    """Remove the temporary siblings of ``target`` that killed builds left; returns them."""
    removed = []
    for kind in ("new", "old", "partial"):
        for path in sorted(target.parent.glob(f"{temporary_prefix(target, kind)}*")):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed
