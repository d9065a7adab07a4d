"""Stages and counts of a long build on a terminal ("anchoring articles 6000/10000"), with tqdm.

Nothing is shown for a build that ends within ``DELAY`` seconds, nor when the output is not a
terminal, nor under ``--quiet`` (``build.py`` decides; ``mkdocs build`` shows nothing)."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")
DELAY = 2.0
"""Seconds from the start of the build before any progress is shown."""


class Terminal:
    """Steps shown as one progress line per stage, once the build has run ``DELAY`` seconds."""

    def __init__(self, stream: TextIO | None = None, delay: float = DELAY) -> None:
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.delay = delay

    def bar(self, label: str, total: int) -> Any:
        """A progress line for ``total`` items, shown once the build has run ``delay`` seconds."""
        waited = time.monotonic() - self.start
        width = shutil.get_terminal_size((80, 24)).columns or 80  # a terminal of unknown size says 0
        return tqdm(total=total, desc=label, file=_Writer(self.stream), delay=max(0.0, self.delay - waited),
                    mininterval=0.25, ncols=min(width, 100), leave=True,
                    bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {elapsed}{postfix}")

    def each(self, label: str, items: Sequence[T]) -> Iterable[T]:
        return self._each(label, items)

    def _each(self, label: str, items: Sequence[T]) -> Iterator[T]:
        with self.bar(label, len(items)) as bar:
            for item in items:
                yield item
                bar.update()


class _Writer:
    """The stream as tqdm writes to it: handed to tqdm as itself, ``sys.stderr`` printed nothing
    under some pseudo-terminals (``script``), where this delegate prints."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()
