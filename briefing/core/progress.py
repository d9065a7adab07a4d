"""Progress of the long stages: a stage reports its items through ``Steps.each``; a terminal may
show them (``site/progress.py``), anything else shows nothing (``SILENT``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class Steps(Protocol):
    def each(self, label: str, items: Sequence[T]) -> Iterable[T]:
        """``items``, one by one, counted under ``label`` ("anchoring articles")."""


class Silent:
    """Steps that show nothing."""

    def each(self, label: str, items: Sequence[T]) -> Iterable[T]:
        return items


SILENT = Silent()
