"""Work that overlaps MkDocs: items of a generator, produced in a forked process, fetched by key.

MkDocs builds on one core. What it needs late (the HTML bodies, one page at a time) can be
produced on the other core while it works: ``Stream`` runs the generator in a child process
that shares the parent's memory (fork) and appends each ``(key, value)`` item to an unlinked
temporary file, so that it never waits for the reader. ``poll`` notes where the items written so
far are; ``get`` waits until the item asked for is there and reads it then, so that the items
are in memory only while they are used. A process forked from the reader (``building``) reads
the same file. Without ``fork`` the same generator runs in this process, lazily, with the same
results: the output never depends on the mode.
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
_HEADER = struct.Struct("<QQ")
"""Each item is written as the sizes of its key and of its value's pickle, then both."""
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
        """Without a child: the items produced so far, not yet handed out."""
        self._where: dict[str, tuple[int, int]] = {}
        """With a child: where in the file each item written so far is (offset, size of its pickle)."""
        self._done = False
        self._pid: int | None = None
        self._owner = os.getpid()
        self._file: Any = None
        self._offset = 0
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

    def has(self, key: str) -> bool:
        """Whether ``key`` has been produced and not handed out yet (as far as known)."""
        return key in self._ready or key in self._where

    def poll(self) -> None:
        """Note where the items written so far are, without waiting and without reading them."""
        if self._file is None or self._done:
            return
        fd = self._file.fileno()
        size = os.fstat(fd).st_size
        while not self._done and size - self._offset >= _HEADER.size:
            key_size, value_size = _HEADER.unpack(os.pread(fd, _HEADER.size, self._offset))
            start = self._offset + _HEADER.size
            if size < start + key_size + value_size:
                break  # the rest of this item is still being written
            key = os.pread(fd, key_size, start).decode("utf-8")
            where = (start + key_size, value_size)
            self._offset = start + key_size + value_size
            if key == _END:
                self._done = True
            elif key == _FAILED:
                self._done = True
                self._failure = BackgroundFailed(*self._read(where))
            else:
                self._where[key] = where

    def _read(self, where: tuple[int, int]) -> Any:
        offset, size = where
        return pickle.loads(os.pread(self._file.fileno(), size, offset))

    def get(self, key: str) -> Any | None:
        """The value of ``key``, waiting for it if need be; None if the producer finished without it.

        Raises ``BackgroundFailed`` if the producer failed before it got to ``key``."""
        while not self.has(key) and not self._done:
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
            if not self.has(key) and not self._done:
                self._wait()
        if not self.has(key) and self._failure is not None:
            raise self._failure
        if key in self._where:
            return self._read(self._where.pop(key))
        return self._ready.pop(key, None)

    def _wait(self) -> None:
        if self._pid is not None and os.getpid() != self._owner:
            # A process forked from the reader: the producer is not its child; it can only see
            # whether the producer is still there.
            try:
                os.kill(self._pid, 0)
                time.sleep(_WAIT)
                return
            except ProcessLookupError:
                self.poll()
                if not self._done:
                    self._done = True
                    self._failure = BackgroundFailed("the background process ended before it finished")
                return
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
        if self._pid is not None and os.getpid() == self._owner:
            if not self._done:
                os.kill(self._pid, signal.SIGKILL)  # nobody will read what it makes (a failed build)
            os.waitpid(self._pid, 0)
            self._pid = None
        self._pid = None
        self._done = True
        self._ready.clear()
        self._where.clear()
        if self._file is not None:
            self._file.close()
            self._file = None

    def __del__(self) -> None:
        self.close()


def _produce_into(produce: Callable[[], Iterator[tuple[str, Any]]], fd: int) -> int:
    """In the child: write every item, then an end mark (or what failed). Returns the exit status."""
    try:
        for key, value in produce():
            _write(fd, key, value)
    except BaseException as exc:  # written for the parent, which raises it
        failure = _failure(exc)
        _write(fd, _FAILED, (str(failure), failure.kind, failure.details))
        return 1
    _write(fd, _END, None)
    return 0


def _write(fd: int, key: str, value: Any) -> None:
    name = key.encode("utf-8")
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    frame = memoryview(_HEADER.pack(len(name), len(data)) + name + data)
    while frame:  # a regular file takes it whole unless the disk is full
        frame = frame[os.write(fd, frame):]


def _failure(exc: BaseException) -> BackgroundFailed:
    return BackgroundFailed(str(exc) or type(exc).__name__, type(exc).__name__, traceback.format_exc())
