"""The LLM client: stream a soundscape caption from any OpenAI-compatible chat server.

`stream_caption` never raises for a service failure: it yields the offline caption
(`offline.py`) instead and says why in `CaptionStream.error`. The API key never leaves the
request header. Each request ends by its deadlines and caps whatever the server sends
(`guard.py`), and closing the stream closes its connection.

The settings come from the environment (`CaptionSettings.from_env`, in the order of sources of
`sources.py`); what a visitor of the app may change, and which hosts a public app may reach, is
decided in `access.py`.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, fields
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx
import openai

from .access import host_of, public_host_problem, shown_url, stripped
from .errors import LLMSSDError
from .guard import IDLE, RequestGuard, ResponseTooLarge
from .limits import checked_base_url, checked_language, checked_model, checked_temperature
from .offline import OFFLINE_SOURCE, offline_chunks
from .prompt import DEFAULT_LANGUAGE, build_prompt
from .quiet import said_too_quiet
from .result import Analysis
from .sources import router_source, server_router_settings, token_rejected_message

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TEMPERATURE = 1.0
DEFAULT_MAX_TOKENS = 250
DEFAULT_TIMEOUT = 30.0
"""Idle deadline: seconds to wait for the connection, the first piece of the answer and each
later one."""
DEFAULT_DEADLINE = 60.0
"""Total deadline: seconds the whole answer may take, whatever the server sends meanwhile."""
MAX_CAPTION_CHARS = 4000
"""Characters of an answer kept at most (250 tokens are about 1,000 in English); the rest is cut
off."""
MAX_CAPTION_CHUNKS = 1000
"""Stream events read at most (one per token is usual: 250)."""
MAX_RESPONSE_BYTES = 1 << 20
"""Bytes of a response read at most, whatever they hold (an answer at the caps above is far
less): a server cannot fill the memory with one endless line."""
OPENAI_BASE_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "no-key"
"""Sent to a keyless server given by base URL: Ollama and co. ignore it, the client needs one."""
MAX_RETRIES = 0
"""The client does not retry: a failure falls back to the offline caption at once."""

ENV_API_KEY = "OPENAI_API_KEY"
ENV_BASE_URL = "OPENAI_BASE_URL"
ENV_MODEL = "LLM_SSD_MODEL"
ENV_TIMEOUT = "LLM_SSD_TIMEOUT"
ENV_LANGUAGE = "LLM_SSD_LANGUAGE"
ENV_DEADLINE = "LLM_SSD_DEADLINE"

REDIRECTS = range(HTTPStatus.MULTIPLE_CHOICES, HTTPStatus.BAD_REQUEST)
"""3xx: redirects, which the client does not follow."""

_ENV_SECONDS = (
    (ENV_TIMEOUT, "timeout", DEFAULT_TIMEOUT),
    (ENV_DEADLINE, "deadline", DEFAULT_DEADLINE),
)
"""The deadlines read from the environment: variable, setting, default."""

CUT_MARK = "…\n\n"
"""Separates a cut-off answer from the offline caption that follows it."""


@dataclass(frozen=True)
class CaptionSettings:
    """Where and how to ask for a caption. No key and no base URL means the offline template."""

    api_key: str | None = None
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    temperature: float = DEFAULT_TEMPERATURE
    max_tokens: int = DEFAULT_MAX_TOKENS
    timeout: float = DEFAULT_TIMEOUT
    """The idle deadline, seconds."""
    deadline: float = DEFAULT_DEADLINE
    """The total deadline, seconds."""
    language: str = DEFAULT_LANGUAGE
    public_only: bool = False
    """Refuse a base URL whose host resolves to a loopback, private, link-local or otherwise
    non-public address (set by `access.request_settings` for a URL a visitor of a public app
    typed)."""
    refusal: str | None = None
    """Why this request may not use an LLM at all: the offline caption is given instead, with
    this as its error (set by `access.request_settings`)."""
    token_owner: str | None = None
    """Whose Hugging Face token pays for a request through the router (`sources.TOKEN_OWNERS`),
    for the source line and messages; None for any other server."""

    def __post_init__(self) -> None:
        """Refuse values out of bounds (`limits.py`, a UsageError); the language as listed."""
        checked_model(self.model)
        checked_base_url(self.base_url)
        object.__setattr__(self, "temperature", checked_temperature(self.temperature))
        object.__setattr__(self, "language", checked_language(self.language))

    @classmethod
    def from_env(cls, **overrides: Any) -> CaptionSettings:
        """Settings from OPENAI_API_KEY, OPENAI_BASE_URL, LLM_SSD_MODEL, LLM_SSD_TIMEOUT and
        LLM_SSD_DEADLINE and LLM_SSD_LANGUAGE; without OpenAI settings, HF_TOKEN through the
        Hugging Face router (`sources.server_router_settings`).

        Keyword overrides win over the environment; an override of None is ignored, so that
        unset command-line options can be passed straight through. A deadline that is not a
        positive number of seconds is not fatal: it is logged as a warning and the default is
        used, so that the command line and the app still start. A model or base URL out of
        bounds is a UsageError.
        """
        values: dict[str, Any] = {
            "api_key": stripped(os.environ.get(ENV_API_KEY)),
            "base_url": stripped(os.environ.get(ENV_BASE_URL)),
        }
        if model := stripped(os.environ.get(ENV_MODEL)):
            values["model"] = model
        for name, field, default in _ENV_SECONDS:
            if text := stripped(os.environ.get(name)):
                values[field] = _seconds_from_env(name, text, default)
        if language := stripped(os.environ.get(ENV_LANGUAGE)):
            values["language"] = language
        server_llm = bool(values["api_key"] or values["base_url"])
        values.update(server_router_settings(os.environ, server_llm))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def endpoint(self) -> str:
        """The base URL asked: `base_url`, or OpenAI's."""
        return self.base_url or OPENAI_BASE_URL

    @property
    def host(self) -> str:
        """host[:port] of the server asked, for messages."""
        return host_of(self.endpoint)

    @property
    def online(self) -> bool:
        """Whether a key or a server is configured and allowed (otherwise the offline template
        is used)."""
        return bool(self.api_key or self.base_url) and not self.refusal

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["api_key"] = "***" if self.api_key else None
        shown["base_url"] = shown_url(self.base_url)
        text = f"CaptionSettings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"
        return _scrub(text, self.api_key)  # also where a key was pasted into another field


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
        if not (key or settings.base_url):
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
    if settings.public_only and (problem := public_host_problem(base_url)):
        raise CaptionFailure(problem)
    messages = build_prompt(analysis, settings.language)  # a bug here is no service failure
    guard = RequestGuard(settings.deadline, settings.timeout, MAX_RESPONSE_BYTES)
    client = openai.OpenAI(
        api_key=key or PLACEHOLDER_KEY,
        base_url=base_url,
        timeout=min(settings.timeout, settings.deadline),  # per read; the guard does the rest
        max_retries=MAX_RETRIES,
        # A redirect would lead past the address check (e.g. to 169.254.169.254): not followed.
        http_client=openai.DefaultHttpxClient(
            follow_redirects=False, event_hooks=guard.event_hooks()
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
    if guard.expired:
        seconds = settings.timeout if guard.expired == IDLE else settings.deadline
        return _timeout_message(received, host, seconds, guard.expired)
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


def _seconds_from_env(name: str, text: str, default: float) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if math.isfinite(seconds) and seconds > 0:
        return seconds
    log.warning(
        "%s=%r is not a positive number of seconds; using the default, %g s.", name, text, default
    )
    return default


def describe_source(settings: CaptionSettings, api_key: str | None = None) -> str:
    """Who writes a caption with these settings: "model M via host", the Hugging Face router,
    or the offline template."""
    if settings.refusal or not (stripped(api_key) or settings.online):
        return OFFLINE_SOURCE
    if settings.token_owner:
        return router_source(settings.model, settings.token_owner)
    return f"model {settings.model} via {settings.host}"


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _scrub(text: str, key: str | None) -> str:
    return text.replace(key, "***") if key else text
