"""Work that overlaps MkDocs: items of a generator, produced in a forked process, fetched by key.

MkDocs builds on one core. What it needs late (the HTML bodies, one page at a time) can be
produced on the other core while it works: ``Stream`` runs the generator in a child process
that shares the parent's memory (fork) and sends each ``(key, value)`` item through a pipe.
``poll`` takes in what has arrived without waiting (call it often, so the child never waits
on a full pipe); ``get`` waits until the item asked for has arrived. Without ``fork`` the same
generator runs in this process, lazily, with the same results: the output never depends on
the mode.
"""

from __future__ import annotations

import fcntl
import gc
import os
import pickle
import select
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any

_END = "\0end"
_FAILED = "\0failed"
_HEADER = struct.Struct("<Q")
"""Each item is sent as its size, then its pickle."""
_PIPE_BYTES = 1 << 20
"""Pipe and buffer size: how far (in bytes) the child may run ahead of the reader."""


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
        self._fd: int | None = None
        self._received = bytearray()
        self._items: Iterator[tuple[str, Any]] | None = None
        self._status = 0
        self._failure: BackgroundFailed | None = None
        if fork and can_fork():
            self._start_child(produce)
        else:
            self._items = produce()

    def _start_child(self, produce: Callable[[], Iterator[tuple[str, Any]]]) -> None:
        read_end, write_end = os.pipe()
        try:
            fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
        except OSError:
            pass  # the default pipe size only makes the child wait more often
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: produce, send, and leave without running the parent's exit code
            status = 1
            try:
                os.close(read_end)
                gc.disable()  # short-lived: nothing it allocates needs collecting
                status = _produce_into(produce, write_end)
            finally:
                os._exit(status)
        os.close(write_end)
        os.set_blocking(read_end, False)
        self._pid, self._fd = pid, read_end

    def poll(self) -> None:
        """Take in what the child has sent so far, without waiting, so that it can go on."""
        if self._fd is None:
            return
        while True:
            try:
                chunk = os.read(self._fd, _PIPE_BYTES)
            except BlockingIOError:
                break
            if not chunk:  # the child has closed its end
                self._unpack()
                self._reap()
                if not self._done:
                    self._done = True
                    self._failure = BackgroundFailed(
                        f"the background process ended before it finished (exit status {self._status})")
                return
            self._received += chunk
        self._unpack()

    def _unpack(self) -> None:
        data, offset = self._received, 0
        while len(data) - offset >= _HEADER.size and not self._done:
            (size,) = _HEADER.unpack_from(data, offset)
            if len(data) - offset - _HEADER.size < size:
                break
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
                select.select([self._fd], [], [])
        if key not in self._ready and self._failure is not None:
            raise self._failure
        return self._ready.pop(key, None)

    def close(self) -> None:
        """Stop, ending the child if it has not finished. Idempotent."""
        if self._pid is not None and not self._done:
            os.kill(self._pid, signal.SIGKILL)  # nobody will read what it makes (a failed build)
        self._done = True
        self._ready.clear()
        self._reap()

    def _reap(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._pid is not None:
            _, status = os.waitpid(self._pid, 0)
            self._status = os.waitstatus_to_exitcode(status)
            self._pid = None

    def __del__(self) -> None:
        self.close()


def _produce_into(produce: Callable[[], Iterator[tuple[str, Any]]], fd: int) -> int:
    """In the child: send every item, then an end mark (or what failed). Returns the exit status."""
    with os.fdopen(fd, "wb", buffering=_PIPE_BYTES) as out:
        try:
            try:
                for item in produce():
                    _send(out, item)
            except BrokenPipeError:
                raise
            except BaseException as exc:  # report it to the parent, which raises it
                failure = _failure(exc)
                _send(out, (_FAILED, (str(failure), failure.kind, failure.details)))
                return 1
            _send(out, (_END, None))
        except BrokenPipeError:  # the reader stopped (a failed build): nothing left to do
            return 1
    return 0


def _send(out: Any, item: tuple[str, Any]) -> None:
    data = pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(data)))
    out.write(data)
    out.flush()  # each item goes at once: the reader may be waiting for exactly this one


def _failure(exc: BaseException) -> BackgroundFailed:
    return BackgroundFailed(str(exc) or type(exc).__name__, type(exc).__name__, traceback.format_exc())
