"""Work that overlaps MkDocs: items of a generator, produced in a forked process, fetched by key.

MkDocs builds on one core. What it needs late (the HTML bodies, one page at a time) can be
produced on the other core while it works: ``Stream`` runs the generator in a child process
that shares the parent's memory (fork) and appends each ``(key, value)`` item to an unlinked
temporary file, so that it never waits for the reader. ``poll`` takes in what has been written
so far; ``get`` waits until the item asked for is there. Without ``fork`` the same generator
runs in this process, lazily, with the same results: the output never depends on the mode.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import struct
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

_END = "\0end"
_FAILED = "\0failed"
_HEADER = struct.Struct("<Q")
"""Each item is written as its size, then its pickle."""
_WAIT = 0.0005
"""Seconds between two looks at the file while waiting for an item."""


class BackgroundFailed(Exception):
    """The producer raised an exception (in either mode), or its process ended without finishing."""

    def __init__(self, message: str, kind: str = "", details: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        """Class name of the exception raised in the child, if one was."""
        self.details = details
        """The child's traceback, for a bug report."""


def can_fork() -> bool:
    """Forking a running Python is safe on Linux (macOS forbids it to some system libraries)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class Stream:
    """The items of ``produce()``, fetched by key in any order; each is handed out once."""

    def __init__(self, produce: Callable[[], Iterator[tuple[str, Any]]], fork: bool) -> None:
        self._ready: dict[str, Any] = {}
        self._done = False
        self._pid: int | None = None
        self._file: Any = None
        self._offset = 0
        self._received = bytearray()
        self._items: Iterator[tuple[str, Any]] | None = None
        self._failure: BackgroundFailed | None = None
        if fork and can_fork():
            self._start_child(produce)
        else:
            self._items = produce()

    def _start_child(self, produce: Callable[[], Iterator[tuple[str, Any]]]) -> None:
        self._file = tempfile.TemporaryFile(prefix="briefing-background-")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: produce, write, and leave without running the parent's exit code
            status = 1
            try:
                gc.disable()  # short-lived: nothing it allocates needs collecting
                status = _produce_into(produce, self._file.fileno())
            finally:
                os._exit(status)
        self._pid = pid

    def poll(self) -> None:
        """Take in the items written so far, without waiting."""
        if self._file is None or self._done:
            return
        fd = self._file.fileno()
        size = os.fstat(fd).st_size
        if size > self._offset:
            self._received += os.pread(fd, size - self._offset, self._offset)
            self._offset = size
            self._unpack()

    def _unpack(self) -> None:
        data, offset = self._received, 0
        while len(data) - offset >= _HEADER.size and not self._done:
            (size,) = _HEADER.unpack_from(data, offset)
            if len(data) - offset - _HEADER.size < size:
                break  # the rest of this item is still being written
            start = offset + _HEADER.size
            key, value = pickle.loads(memoryview(data)[start:start + size])
            offset = start + size
            if key == _END:
                self._done = True
            elif key == _FAILED:
                self._done = True
                self._failure = BackgroundFailed(*value)
            else:
                self._ready[key] = value
        del data[:offset]

    def get(self, key: str) -> Any | None:
        """The value of ``key``, waiting for it if need be; None if the producer finished without it.

        Raises ``BackgroundFailed`` if the producer failed before it got to ``key``."""
        while key not in self._ready and not self._done:
            if self._items is not None:
                try:
                    got, value = next(self._items)
                except StopIteration:
                    self._done = True
                    break
                except Exception as exc:  # reported as the child's would be: the same in both modes
                    self._done = True
                    self._failure = _failure(exc)
                    break
                self._ready[got] = value
                continue
            self.poll()
            if key not in self._ready and not self._done:
                self._wait()
        if key not in self._ready and self._failure is not None:
            raise self._failure
        return self._ready.pop(key, None)

    def _wait(self) -> None:
        pid, status = os.waitpid(self._pid, os.WNOHANG) if self._pid is not None else (0, 0)
        if pid == 0:
            time.sleep(_WAIT)
            return
        self._pid = None  # ended: whatever it wrote is in the file
        self.poll()
        if not self._done:
            self._done = True
            self._failure = BackgroundFailed("the background process ended before it finished "
                                             f"(exit status {os.waitstatus_to_exitcode(status)})")

    def close(self) -> None:
        """Stop, ending the child if it has not finished, and free the file. Idempotent."""
        if self._pid is not None:
            if not self._done:
                os.kill(self._pid, signal.SIGKILL)  # nobody will read what it makes (a failed build)
            os.waitpid(self._pid, 0)
            self._pid = None
        self._done = True
        self._ready.clear()
        self._received.clear()
        if self._file is not None:
            self._file.close()
            self._file = None

    def __del__(self) -> None:
        self.close()


def _produce_into(produce: Callable[[], Iterator[tuple[str, Any]]], fd: int) -> int:
    """In the child: write every item, then an end mark (or what failed). Returns the exit status."""
    try:
        for item in produce():
            _write(fd, item)
    except BaseException as exc:  # written for the parent, which raises it
        failure = _failure(exc)
        _write(fd, (_FAILED, (str(failure), failure.kind, failure.details)))
        return 1
    _write(fd, (_END, None))
    return 0


def _write(fd: int, item: tuple[str, Any]) -> None:
    data = pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
    frame = memoryview(_HEADER.pack(len(data)) + data)
    while frame:  # a regular file takes it whole unless the disk is full
        frame = frame[os.write(fd, frame):]


def _failure(exc: BaseException) -> BackgroundFailed:
    return BackgroundFailed(str(exc) or type(exc).__name__, type(exc).__name__, traceback.format_exc())
