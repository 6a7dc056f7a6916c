"""Bounds on one streamed HTTP request that hold whatever the server sends.

httpx's timeouts apply to each read, so a server that keeps a stream alive with SSE comment lines,
or with a word every few seconds, never trips them. `RequestGuard` watches two deadlines from a
thread of its own: the total time of the request, and the time since the last piece of text
(`progress`). When one passes it shuts the request's socket down, which ends a blocked read at
once and closes the connection. It also caps the bytes of the response, so that a server cannot
fill the memory with one endless line.

It works with the `event_hooks` of any httpx-compatible client (httpx, or the httpx2 of newer
openai clients): a request hook asks the connection pool, through the documented `trace` request
extension, for each socket it opens; a response hook counts the bytes of the body as they are
read."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

TRACE_EXTENSION = "trace"
CONNECTED_EVENTS = ("connect_tcp.complete", "start_tls.complete")
"""Trace events whose `return_value` is the network stream of a newly opened connection."""
TOTAL = "total"
IDLE = "idle"
"""`RequestGuard.expired`: which deadline passed."""


class ResponseTooLarge(Exception):
    """The response body grew past the guard's byte cap."""


class RequestGuard:
    """A total and an idle deadline, and a byte cap, for one request (a context manager that
    runs the watchdog thread). Give `event_hooks()` to the HTTP client and call `progress()`
    whenever a piece of the answer arrives."""

    def __init__(self, total: float, idle: float, max_bytes: int) -> None:
        self.total, self.idle, self.max_bytes = total, idle, max_bytes
        self.expired: str | None = None
        self.bytes_read = 0
        self._start = self._last = time.monotonic()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="llm-request-guard", daemon=True)

    def __enter__(self) -> RequestGuard:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def event_hooks(self) -> dict[str, list[Callable[[Any], None]]]:
        """The client's `event_hooks`: trace each request's connections, count each body."""
        return {"request": [self._on_request], "response": [self._on_response]}

    def progress(self) -> None:
        """A piece of the answer arrived: the idle deadline starts again."""
        with self._lock:
            self._last = time.monotonic()

    def count(self, size: int) -> None:
        """`size` more bytes of the response were read; raise ResponseTooLarge past the cap."""
        self.bytes_read += size
        if self.bytes_read > self.max_bytes:
            raise ResponseTooLarge(f"more than {self.max_bytes} bytes")

    def _deadline(self) -> tuple[float, str]:
        with self._lock:
            total, idle = self._start + self.total, self._last + self.idle
        return (total, TOTAL) if total <= idle else (idle, IDLE)

    def _watch(self) -> None:
        while not self._done.wait(max(0.0, self._deadline()[0] - time.monotonic())):
            at, which = self._deadline()
            if at > time.monotonic():
                continue  # progress() moved the idle deadline on
            with self._lock:
                self.expired = which
                sockets = list(self._sockets)
            for sock in sockets:
                _shut_down(sock)
            return

    def _on_request(self, request: Any) -> None:
        request.extensions[TRACE_EXTENSION] = self._trace

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        stream = info.get("return_value")
        if not event.endswith(CONNECTED_EVENTS) or stream is None:
            return
        sock = stream.get_extra_info("socket")
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:  # the deadline passed while connecting
            _shut_down(sock)

    def _on_response(self, response: Any) -> None:
        library = sys.modules[type(response).__module__.partition(".")[0]]  # httpx or httpx2
        response.stream = _counting_stream(library.SyncByteStream)(response.stream, self)


@cache
def _counting_stream(base: type) -> type:
    """A byte stream of the client's own library that counts what it reads."""

    class CountingStream(base):  # type: ignore[misc, valid-type]
        def __init__(self, inner: Any, guard: RequestGuard) -> None:
            self._inner, self._guard = inner, guard

        def __iter__(self) -> Iterator[bytes]:
            for piece in self._inner:
                self._guard.count(len(piece))
                yield piece

        def close(self) -> None:
            self._inner.close()

    return CountingStream


def _shut_down(sock: socket.socket) -> None:
    """End any read blocked on `sock` and close the connection (the owner closes the socket)."""
    with contextlib.suppress(OSError):  # already closed, or handed over to TLS
        sock.shutdown(socket.SHUT_RDWR)
