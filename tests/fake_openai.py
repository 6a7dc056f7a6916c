"""A local OpenAI-compatible chat-completions server for tests (and the app's browser tests).

    with FakeOpenAI(text="In this park, ...", chunk_delay=0.05) as server:
        settings = CaptionSettings(base_url=server.base_url)
        ...
        server.requests[-1]  # what the client sent

Modes (`FakeOpenAI.MODES`, may be changed between requests via `server.mode`):
"ok" streams `text` as server-sent events in `chunks` pieces; "401", "402", "429", "500" answer that
status with an OpenAI-style error body (the 401 body echoes the bearer token, as a careless
server might); "hang" reads the request and never answers; "stall" sends the headers and then
nothing; "cut" streams the first `cut_after` chunks and drops the connection; "empty" streams a
completion without any text; "redirect" answers 307 with `Location: redirect_to` (another
server's chat-completions URL, say). Servers that never finish, until the client goes away or the
server stops: "keepalive" sends the headers, then an SSE comment line every `keepalive_every`
seconds and never any text; "drip" streams one word of `text` every `chunk_delay` seconds, over
and over; "flood" sends one endless `data:` line as fast as the client reads it.

`disconnects` lists when (time.monotonic()) the server found a connection closed by the client.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_TEXT = (
    "In this park, you hear birds and people talking, with some traffic further away. "
    "It feels pleasant and calm."
)
HANG_LIMIT = 60.0
"""Seconds a hanging request is held at most (released at once when the server stops)."""
KEEPALIVE_EVERY = 0.2
"""Seconds between the SSE comment lines of the "keepalive" mode."""
FLOOD_PIECE = 1 << 16
"""Bytes per write of the "flood" mode."""
ENDLESS = ("keepalive", "drip", "flood")
CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class FakeOpenAI:
    """An OpenAI-compatible chat server on 127.0.0.1 with a random free port, in a thread."""

    MODES = (
        "ok",
        "401",
        "402",
        "429",
        "500",
        "hang",
        "stall",
        "cut",
        "empty",
        "redirect",
        *ENDLESS,
    )

    def __init__(
        self,
        mode: str = "ok",
        text: str = DEFAULT_TEXT,
        chunks: int = 8,
        chunk_delay: float = 0.0,
        cut_after: int = 3,
        model: str = "fake-model",
        redirect_to: str = "",
        keepalive_every: float = KEEPALIVE_EVERY,
        chunked: bool = True,
    ):
        if mode not in self.MODES:
            raise ValueError(f"mode must be one of {self.MODES}, not {mode!r}")
        self.mode = mode
        self.text = text
        self.chunks = chunks
        self.chunk_delay = chunk_delay
        self.cut_after = cut_after
        self.model = model
        self.redirect_to = redirect_to
        self.keepalive_every = keepalive_every
        self.chunked = chunked
        """False: the body has no chunked framing and ends when the server closes the
        connection (HTTP/1.0 style), so a cut-off body looks like a clean end."""
        self.disconnects: list[float] = []
        """When the server found a connection closed by the client (time.monotonic())."""
        self.requests: list[dict[str, Any]] = []
        """Each request received: {"path", "headers" (lower-case names), "body" (parsed JSON)}."""
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._server is None:
            raise RuntimeError("the server is not running; use it as a context manager")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The URL to give an OpenAI client, e.g. "http://127.0.0.1:54321/v1"."""
        return f"http://127.0.0.1:{self.port}/v1"

    def text_chunks(self) -> list[str]:
        """`text` split at spaces into `chunks` pieces (fewer if it has fewer words), in order."""
        words = self.text.split(" ")
        n = max(1, min(self.chunks, len(words)))
        pieces = [
            " ".join(words[k * len(words) // n : (k + 1) * len(words) // n]) for k in range(n)
        ]
        return [p + " " for p in pieces[:-1]] + pieces[-1:]

    def start(self) -> FakeOpenAI:
        """Start serving in a daemon thread."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._stop.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hanging requests and stop serving."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _chunk(model: str, delta: dict[str, str], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        fake = self.fake
        fake.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": json.loads(raw or b"{}"),
            }
        )
        mode = fake.mode
        if mode in ("401", "402", "429", "500"):
            self._error(int(mode))
        elif mode == "redirect":
            self.send_response(307)
            self.send_header("Location", fake.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif mode == "hang":
            fake._stop.wait(HANG_LIMIT)
            self.close_connection = True
        else:
            try:
                self._stream(mode)
            except CLIENT_GONE:
                fake.disconnects.append(time.monotonic())
                self.close_connection = True

    def _error(self, status: int) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        message = {
            401: f"Incorrect API key provided: {token}.",
            402: "You have exceeded your monthly included credits.",
            429: "Rate limit reached for requests.",
            500: "The server had an error while processing your request.",
        }[status]
        body = json.dumps({"error": {"message": message, "type": "fake", "code": status}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 429:
            self.send_header("Retry-After", "30")
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, mode: str) -> None:
        fake = self.fake
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        if fake.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.flush()
        if mode == "stall":
            fake._stop.wait(HANG_LIMIT)
            self.close_connection = True
            return
        if mode in ENDLESS:
            self._endless(mode)
            return
        self._event(_chunk(fake.model, {"role": "assistant", "content": ""}))
        pieces = [] if mode == "empty" else fake.text_chunks()
        for i, piece in enumerate(pieces):
            if mode == "cut" and i == fake.cut_after:
                self.close_connection = True  # drop the connection mid-body, no final chunk
                return
            if fake.chunk_delay:
                time.sleep(fake.chunk_delay)
            self._event(_chunk(fake.model, {"content": piece}))
        self._event(_chunk(fake.model, {}, finish_reason="stop"))
        self._send(b"data: [DONE]\n\n")
        if fake.chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _endless(self, mode: str) -> None:
        """Keep the stream open until the client goes away (CLIENT_GONE) or the server stops."""
        fake = self.fake
        words = fake.text.split(" ")
        if mode == "flood":
            self._send(b'data: {"choices": [{"index": 0, "delta": {"content": "')
        end = time.monotonic() + HANG_LIMIT
        for i in itertools.count():
            if fake._stop.is_set() or time.monotonic() > end:
                self.close_connection = True
                return
            if mode == "keepalive":
                self._send(b": keep-alive\n\n")
                fake._stop.wait(fake.keepalive_every)
            elif mode == "drip":
                self._event(_chunk(fake.model, {"content": words[i % len(words)] + " "}))
                fake._stop.wait(fake.chunk_delay)
            else:
                self._send(b"a" * FLOOD_PIECE)

    def _event(self, data: dict[str, Any]) -> None:
        self._send(f"data: {json.dumps(data)}\n\n".encode())

    def _send(self, payload: bytes) -> None:
        if not self.fake.chunked:
            self.wfile.write(payload)
        else:
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()
