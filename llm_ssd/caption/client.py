"""The LLM client: stream a soundscape caption from any OpenAI-compatible chat server.

`stream_caption` never raises for a service failure: it yields the offline caption
(`offline`) instead and says why in `CaptionStream.error`. The API key never leaves the
request header. Each request ends by its deadlines and caps whatever the server sends
(`stream_guard`), and closing the stream closes its connection.

The settings come from the environment (`CaptionSettings.from_env`, in the order of sources of
`sources`); what a visitor of the app may change, and which hosts a public app may reach, is
decided in `access`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

import httpx
import openai

from llm_ssd.caption.access import HostRefused, PinnedBackend
from llm_ssd.caption.offline import OFFLINE_SOURCE, offline_chunks, said_too_quiet
from llm_ssd.caption.prompt import build_prompt
from llm_ssd.caption.settings import CaptionSettings, _scrub, shown_url
from llm_ssd.caption.sources import router_source, token_rejected_message
from llm_ssd.caption.stream_guard import IDLE, RequestGuard, ResponseTooLarge
from llm_ssd.env import ENV_API_KEY, ENV_BASE_URL, stripped
from llm_ssd.errors import LLMSSDError
from llm_ssd.result import Analysis

log = logging.getLogger(__name__)
MAX_CAPTION_CHARS = 4000
"""Characters of an answer kept at most (250 tokens are about 1,000 in English); the rest is cut
off."""
MAX_CAPTION_CHUNKS = 1000
"""Stream events read at most (one per token is usual: 250)."""
MAX_RESPONSE_BYTES = 1 << 20
"""Bytes of a response read at most, whatever they hold (an answer at the caps above is far
less): a server cannot fill the memory with one endless line."""
PLACEHOLDER_KEY = "no-key"
"""Sent to a keyless server given by base URL: Ollama and co. ignore it, the client needs one."""
MAX_RETRIES = 0
"""The client does not retry: a failure falls back to the offline caption at once."""

REDIRECTS = range(HTTPStatus.MULTIPLE_CHOICES, HTTPStatus.BAD_REQUEST)
"""3xx: redirects, which the client does not follow."""

BOTH_CREDENTIALS = (
    "The LLM server address holds a user:password (sent as Basic auth) and an API key is given "
    "too (sent as a Bearer token): a request carries one Authorization header, so one of them "
    f"would be dropped. Give one of the two: remove the user:password from {ENV_BASE_URL}, or "
    f"leave {ENV_API_KEY} unset."
)
"""Why a URL with credentials and a key are refused together (httpx would send the Basic auth
alone)."""
CUT_MARK = "…\n\n"
"""Separates a cut-off answer from the offline caption that follows it."""


@dataclass(frozen=True)
class Caption:
    """A finished caption: its text, where it came from, and what went wrong, if anything."""

    text: str
    source: str
    error: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Fields for a clip's JSON/CSV record."""
        return {"caption": self.text, "caption_source": self.source, "caption_error": self.error}


class CaptionFailure(LLMSSDError):
    """A failure of the LLM service, as a short message for the person.

    `CaptionStream` catches it and gives the offline caption with this message as its error."""


class CaptionStream(Iterator[str]):
    """The text chunks of one caption, in order.

    `text` is what has arrived so far; `source` (e.g. "model gpt-4o-mini via api.openai.com",
    or "offline template") and `error` (a short message, or None) are final once the stream
    is exhausted.
    """

    def __init__(self, analysis: Analysis, settings: CaptionSettings, api_key: str | None) -> None:
        self.source = describe_source(settings, api_key)
        self.error: str | None = None
        self.asks_llm = (
            not said_too_quiet(analysis)
            and not settings.refusal
            and bool(stripped(api_key) or settings.api_key or settings.base_url)
        )
        """Whether an LLM is asked; if not, the offline caption is all there at once."""
        self._parts: list[str] = []
        self._chunks = self._generate(analysis, settings, api_key)

    def __next__(self) -> str:
        chunk = next(self._chunks)
        self._parts.append(chunk)
        return chunk

    @property
    def text(self) -> str:
        """The caption so far (all of it once the stream is exhausted)."""
        return "".join(self._parts)

    def result(self) -> Caption:
        """Read the rest of the stream and return the finished caption."""
        for _ in self:
            pass
        return Caption(self.text, self.source, self.error)

    def close(self) -> None:
        """Stop early, closing any open connection."""
        self._chunks.close()

    def _generate(
        self, analysis: Analysis, settings: CaptionSettings, api_key: str | None
    ) -> Iterator[str]:
        key = stripped(api_key) or settings.api_key
        if said_too_quiet(analysis):  # nothing to describe: no LLM is asked
            self.source = OFFLINE_SOURCE
            yield from offline_chunks(analysis, settings.language)
            return
        if settings.refusal:
            self.source, self.error = OFFLINE_SOURCE, settings.refusal
            log.warning("caption: %s", self.error)
            yield from offline_chunks(analysis, settings.language)
            return
        if not self.asks_llm:
            yield from offline_chunks(analysis, settings.language)
            return
        llm = _llm_chunks(analysis, settings, key)
        received = False
        try:
            for chunk in llm:
                received = True
                yield chunk
            return
        except CaptionFailure as failure:
            self.error = _scrub(str(failure), key)
        finally:
            llm.close()
        log.warning("caption: %s", self.error)
        if received:
            self.source = f"{self.source} (cut off), then {OFFLINE_SOURCE}"
            yield CUT_MARK
        else:
            self.source = OFFLINE_SOURCE
        yield from offline_chunks(analysis, settings.language)


def caption_status(settings: CaptionSettings, sign_in: bool = False) -> str:
    """One line for the page, before any clip: whether an AI writes the caption, and which."""
    if settings.online:
        return f"AI caption: **on**, written by {describe_source(settings)}."
    how = "sign in with Hugging Face or enter" if sign_in else "enter"
    return (
        "AI caption: **off** on this server, so the offline template writes the caption (and "
        f"says so). To turn it on, {how} an API key under Advanced settings."
    )


def stream_caption(
    analysis: Analysis, settings: CaptionSettings | None = None, api_key: str | None = None
) -> CaptionStream:
    """Stream the caption of `analysis`: an iterator of text chunks with `source` and `error`.

    `settings` default to `CaptionSettings.from_env()`. `api_key`, when given, is used for this
    call only (e.g. a key a visitor typed in the app) and is kept nowhere.
    """
    return CaptionStream(analysis, settings or CaptionSettings.from_env(), api_key)


def caption_text(
    analysis: Analysis, settings: CaptionSettings | None = None, api_key: str | None = None
) -> Caption:
    """The whole caption of `analysis` at once (for the command line)."""
    return stream_caption(analysis, settings, api_key).result()


def _llm_chunks(analysis: Analysis, settings: CaptionSettings, key: str | None) -> Iterator[str]:
    """Text chunks from the chat server, within the deadlines and caps; raises CaptionFailure
    with a message for the person. Closing it closes the connection."""
    base_url = settings.endpoint
    if not _is_http_url(base_url):
        raise CaptionFailure(
            "The LLM server address is not a valid http(s) URL (e.g. http://localhost:11434/v1)."
        )
    if key and shown_url(base_url) != base_url:
        raise CaptionFailure(BOTH_CREDENTIALS)
    messages = build_prompt(analysis, settings.language)  # a bug here is no service failure
    guard = RequestGuard(settings.deadline, settings.timeout, MAX_RESPONSE_BYTES)
    client = openai.OpenAI(
        api_key=key or PLACEHOLDER_KEY,
        base_url=base_url,
        timeout=min(settings.timeout, settings.deadline),  # per read; the guard does the rest
        max_retries=MAX_RETRIES,
        # A redirect would lead past the address check (e.g. to 169.254.169.254): not followed.
        http_client=openai.DefaultHttpxClient(
            follow_redirects=False,
            event_hooks=guard.event_hooks(),
            transport=_pinned_transport() if settings.public_only else None,
        ),
    )
    reading = _Reading()
    try:
        with guard:
            yield from _read_answer(client, settings, messages, guard, reading)
    except Exception as err:
        raise CaptionFailure(_failure_message(err, guard, reading, settings)) from None
    finally:
        client.close()
    if guard.expired:  # a body that ends when its socket is shut looks complete: say why
        raise CaptionFailure(_expired_message(guard.expired, reading.chars > 0, settings))
    if not reading.chars:
        raise CaptionFailure(
            f"The model {settings.model} at {settings.host} returned an empty answer."
        )
    if not reading.finished:
        raise CaptionFailure(_cut_message(True, settings.host))


@dataclass
class _Reading:
    """What has arrived of one answer so far."""

    chars: int = 0
    chunks: int = 0
    finished: bool = False
    overlong: str | None = None
    """How the answer went past a cap ("was longer than 4000 characters"), if any."""


def _read_answer(
    client: openai.OpenAI,
    settings: CaptionSettings,
    messages: list[dict[str, str]],
    guard: RequestGuard,
    reading: _Reading,
) -> Iterator[str]:
    """The text of the streamed answer, up to `MAX_CAPTION_CHARS` characters and
    `MAX_CAPTION_CHUNKS` stream events (past either: `_Overlong`)."""
    stream = client.chat.completions.create(
        model=settings.model,
        messages=messages,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        stream=True,
    )
    with stream:
        for chunk in stream:
            reading.chunks += 1
            if reading.chunks > MAX_CAPTION_CHUNKS:
                reading.overlong = f"came in more than {MAX_CAPTION_CHUNKS} pieces"
                raise _Overlong
            for choice in chunk.choices:
                text = choice.delta.content if choice.delta is not None else None
                if text:
                    guard.progress()
                    kept = text[: MAX_CAPTION_CHARS - reading.chars]
                    reading.chars += len(text)
                    if kept:
                        yield kept
                    if reading.chars > MAX_CAPTION_CHARS:
                        reading.overlong = f"was longer than {MAX_CAPTION_CHARS} characters"
                        raise _Overlong
                reading.finished = reading.finished or choice.finish_reason is not None


class _Overlong(Exception):
    """The answer went past a cap (`_Reading.overlong` says which)."""


def _failure_message(
    err: Exception, guard: RequestGuard, reading: _Reading, settings: CaptionSettings
) -> str:
    """Why the answer failed, in words for the person; what the guard saw comes first, as the
    client reports a socket it shut as a broken connection."""
    host, received = settings.host, reading.chars > 0
    if refused := _refusal(err):
        return str(refused)
    if guard.expired:
        return _expired_message(guard.expired, received, settings)
    if reading.overlong:
        return f"The answer from {host} {reading.overlong} and was cut off."
    if guard.bytes_read > guard.max_bytes or isinstance(err, ResponseTooLarge):
        size = MAX_RESPONSE_BYTES >> 10
        return f"The answer from {host} was larger than {size} KiB and was cut off."
    if isinstance(err, openai.APIStatusError):
        return _status_message(err.status_code, settings, host)
    if isinstance(err, (openai.APITimeoutError, httpx.TimeoutException)):
        return _timeout_message(received, host, min(settings.timeout, settings.deadline))
    if isinstance(err, openai.APIConnectionError) and not received:
        return f"Could not connect to the LLM server at {host}. Is it running?"
    if isinstance(err, (httpx.TransportError, openai.APIError)):
        return _cut_message(received, host)  # a connection lost mid-answer is reported so too
    return f"The answer from {host} could not be read ({type(err).__name__})."


def _status_message(status: int, settings: CaptionSettings, host: str) -> str:
    model = settings.model
    if status == HTTPStatus.UNAUTHORIZED and settings.token_owner:
        return token_rejected_message(settings.token_owner, host)
    if status == HTTPStatus.UNAUTHORIZED:
        return f"The API key was rejected by {host} (401). Check the key."
    if status == HTTPStatus.PAYMENT_REQUIRED:
        return f"The account's credits or quota at {host} are used up (402). Try again later."
    if status == HTTPStatus.FORBIDDEN:
        return f"The API key may not use the model {model} at {host} (403)."
    if status == HTTPStatus.NOT_FOUND:
        return (
            f"Not found at {host} (404): check the model name ({model}) "
            "and that the address ends in /v1."
        )
    if status in REDIRECTS:
        return (
            f"The LLM server at {host} redirected the request ({status}), which is not "
            "followed: give the final address as the base URL."
        )
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return f"{host} is rate limiting requests or the quota is used up (429). Try again later."
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return f"The LLM server at {host} had an error ({status}). Try again later."
    return f"The LLM server at {host} refused the request ({status})."


def _expired_message(which: str, received: bool, settings: CaptionSettings) -> str:
    """The message for a request the guard ended at its `which` deadline."""
    seconds = settings.timeout if which == IDLE else settings.deadline
    return _timeout_message(received, settings.host, seconds, which)


def _timeout_message(received: bool, host: str, seconds: float, which: str = IDLE) -> str:
    if not received:
        return f"No answer from {host} within {seconds:g} s."
    if which == IDLE:
        return f"The answer from {host} stalled for more than {seconds:g} s and was cut off."
    return f"The answer from {host} took longer than {seconds:g} s and was cut off."


def _cut_message(received: bool, host: str) -> str:
    if received:
        return f"The answer from {host} was cut off midway."
    return f"The connection to {host} broke before any answer arrived."


def describe_source(settings: CaptionSettings, api_key: str | None = None) -> str:
    """Who writes a caption with these settings: "model M via host", the Hugging Face router,
    or the offline template."""
    if settings.refusal or not (stripped(api_key) or settings.online):
        return OFFLINE_SOURCE
    if settings.token_owner:
        return router_source(settings.model, settings.token_owner)
    return f"model {settings.model} via {settings.host}"


def _pinned_transport() -> object:
    """A transport of the client's own HTTP library whose every connection goes to an address
    checked as public (`PinnedBackend`). With a transport of its own the client ignores
    HTTP(S)_PROXY, so the address checked is the one connected to."""
    base = next(c for c in openai.DefaultHttpxClient.__mro__ if c.__module__ != "openai")
    library = sys.modules[base.__module__.partition(".")[0]]  # httpx, or httpx2
    transport = library.HTTPTransport(retries=MAX_RETRIES)
    pool = transport._pool  # the pool has no public way to set its backend
    pool._network_backend = PinnedBackend(pool._network_backend)
    return transport


def _refusal(err: BaseException) -> HostRefused | None:
    """The HostRefused that caused `err` (the client wraps it in its connection error)."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, HostRefused):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
