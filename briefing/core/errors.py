"""Problems found in the seeds, reported as ``path:line: message``."""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth an editor's eye) in the input."""

    path: str
    """Path of the file, relative to the project root where possible."""
    line: int
    """1-based line number the problem is reported at."""
    message: str
    """What is wrong, repeating the bad input."""
    hint: str = ""
    """How to fix it, or the closest match; empty when there is none."""
    severity: str = "error"
    """``error`` fails the build; ``warning`` is reported and, unless strict, passes."""

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        text = f"{self.path}:{self.line}: {prefix}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class BriefingError(Exception):
    """Base of the project's exceptions."""


class SeedsInvalid(BriefingError):
    """Raised once with every problem found, after all of them were collected."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(format_problems(self.problems))


class PublishFailed(BriefingError):
    """MkDocs refused the composed pages, or writing the output failed."""


def format_problems(problems: list[Problem]) -> str:
    """Render problems one per line, followed by a count."""
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    lines = [str(p) for p in problems]
    counts = []
    if errors:
        counts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        counts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if counts:
        lines.append(", ".join(counts))
    return "\n".join(lines)



_ROOT = Path(__file__).resolve().parents[2]
"""The project: paths in messages are shown relative to it."""


def shown_root(root: Path, seeds_dir: Path) -> Path:
    """The folder messages show seed paths relative to: the project, or the seeds' parent elsewhere."""
    return root if seeds_dir.resolve().is_relative_to(root.resolve()) else seeds_dir.parent


def shown(path: str | os.PathLike, root: Path = _ROOT) -> str:
    """A path as messages print it: relative to the project where it is inside it."""
    candidate = Path(path)
    try:
        return candidate.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _is_template(filename: str) -> bool:
    # Jinja2 puts each template's own file and line into the traceback of an error it raised.
    return filename.endswith((".j2", ".html")) and not filename.startswith("<")


def _locate(frames: Iterable[tuple[str, int]], root: Path) -> str:
    """``path:line: `` of the frame to blame: the innermost template, else the innermost frame
    in the project, else the innermost one; empty when there is no frame at all."""
    frames = list(frames)
    templates = [f for f in frames if _is_template(f[0])]
    ours = [f for f in frames if _inside(f[0], root)]
    chosen = (templates or ours or frames or [None])[-1]
    return f"{shown(chosen[0], root)}:{chosen[1]}: " if chosen else ""


def _inside(filename: str, root: Path) -> bool:
    """Whether a file is the project's own (its virtual environment, if inside, is not)."""
    try:
        relative = Path(filename).resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return not relative.parts or not relative.parts[0].startswith(".")


def describe_exception(exc: BaseException, root: Path = _ROOT) -> str:
    """One ``path:line: Kind: message`` for an exception, the place being where it went wrong
    in a template or in the project's code; mkdocs' own errors as mkdocs words them."""
    kind = type(exc).__name__
    if kind in ("Abort", "ConfigurationError", "PublishFailed"):
        return str(exc)
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None)
    if isinstance(exc, SyntaxError) or kind == "TemplateSyntaxError":
        message = getattr(exc, "message", None) or getattr(exc, "msg", None) or str(exc)
        if filename and lineno:
            return f"{shown(filename, root)}:{lineno}: {kind}: {message}"
        return f"{kind}: {message}"
    frames = [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__)]
    return f"{_locate(frames, root)}{kind}: {exc}"


_FRAME = re.compile(r'^  File "([^"]+)", line (\d+)', re.M)


def describe_traceback_text(kind: str, message: str, details: str, root: Path = _ROOT) -> str:
    """As ``describe_exception``, for an exception known only by its formatted traceback
    (as ``background.BackgroundFailed`` carries it)."""
    if kind == "Abort":
        return message
    frames = [(path, int(line)) for path, line in _FRAME.findall(details)]
    return f"{_locate(frames, root)}{kind + ': ' if kind else ''}{message}"
