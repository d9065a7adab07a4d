"""Problems found in the seeds, reported as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass


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
