"""What a caption request is made of: the settings value, its defaults, where the server's
settings come from (the environment, the Hugging Face router), and the sources in their order.

A value with no network and no LLM client: the access policy (`access`), the order of sources
(`sources`) and the client (`client`) all take and give `CaptionSettings`."""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from llm_ssd.caption.limits import (
    checked_base_url,
    checked_language,
    checked_model,
    checked_temperature,
)
from llm_ssd.env import (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_DEADLINE,
    ENV_HF_BASE_URL,
    ENV_HF_MODEL,
    ENV_HF_TOKEN,
    ENV_LANGUAGE,
    ENV_MODEL,
    ENV_TIMEOUT,
    stripped,
)
from llm_ssd.labels import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TEMPERATURE = 1.0
DEFAULT_MAX_TOKENS = 250
DEFAULT_TIMEOUT = 30.0
"""Idle deadline: seconds to wait for the connection, the first piece of the answer and each
later one."""
DEFAULT_DEADLINE = 60.0
"""Total deadline: seconds the whole answer may take, whatever the server sends meanwhile."""


_ENV_SECONDS = (
    (ENV_TIMEOUT, "timeout", DEFAULT_TIMEOUT),
    (ENV_DEADLINE, "deadline", DEFAULT_DEADLINE),
)
"""The deadlines read from the environment: variable, setting, default."""


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
        """Refuse values out of bounds (`limits`, a UsageError); the language as listed."""
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


HF_ROUTER_URL = "https://router.huggingface.co/v1"
"""Hugging Face Inference Providers' OpenAI-compatible endpoint."""
DEFAULT_HF_MODEL = "Qwen/Qwen2.5-7B-Instruct"
"""An open instruction-tuned model (Apache 2.0, not gated, so any signed-in visitor may use
it), small enough to be cheap on the free monthly credits, and trained for over 29 languages,
the offline template's eight among them. `LLM_SSD_HF_MODEL` picks another; a ":provider" suffix
("...:together") pins the provider."""


class Router(NamedTuple):
    """Where the Hugging Face router is and which model it is asked for."""

    base_url: str
    model: str


def server_router_settings(environ: Mapping[str, str], server_llm: bool) -> dict[str, Any]:
    """The settings of the server's HF_TOKEN path through the router when that is the server's
    source (no OpenAI settings, `server_llm` false); else nothing."""
    token = stripped(environ.get(ENV_HF_TOKEN))
    source = choose_source(server_llm=server_llm, server_hf=bool(token))
    if source is not Source.SERVER_HF:
        return {}
    url, model = router_from_env(environ)
    return dict(api_key=token, base_url=url, model=model, token_owner=TOKEN_OWNERS[source])


def router_from_env(environ: Mapping[str, str]) -> Router:
    """The router's URL and model: LLM_SSD_HF_BASE_URL and LLM_SSD_HF_MODEL, or the defaults."""
    return Router(
        stripped(environ.get(ENV_HF_BASE_URL)) or HF_ROUTER_URL,
        stripped(environ.get(ENV_HF_MODEL)) or DEFAULT_HF_MODEL,
    )


OPENAI_BASE_URL = "https://api.openai.com/v1"


def _scrub(text: str, key: str | None) -> str:
    return text.replace(key, "***") if key else text


class Source(Enum):
    """Where a caption comes from, in the order they are tried; the value is how a person
    reads it."""

    VISITOR = "your own API key or server"
    VISITOR_SIGN_IN = "your Hugging Face sign-in"
    SERVER_LLM = "this server's LLM (OPENAI_API_KEY / OPENAI_BASE_URL)"
    SERVER_HF = "this server's Hugging Face token (HF_TOKEN)"
    OFFLINE = "the offline template"


TOKEN_OWNERS: dict[Source, str] = {
    Source.VISITOR_SIGN_IN: "your sign-in",
    Source.SERVER_HF: "the server's token",
}
"""Whose Hugging Face token pays for a request through the router, as the source line says."""


def choose_source(
    *,
    visitor_key: bool = False,
    visitor_server: bool = False,
    signed_in: bool = False,
    server_llm: bool = False,
    server_hf: bool = False,
) -> Source:
    """The first source that applies, in the order of `Source`."""
    if visitor_key or visitor_server:
        return Source.VISITOR
    if signed_in:
        return Source.VISITOR_SIGN_IN
    if server_llm:
        return Source.SERVER_LLM
    if server_hf:
        return Source.SERVER_HF
    return Source.OFFLINE


def host_of(url: str) -> str:
    """host[:port] of a URL, without any credentials or path, for messages."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return UNKNOWN_HOST
    if not host:
        return UNKNOWN_HOST
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def shown_url(url: str | None) -> str | None:
    """A URL as it may be shown: without any `user:password@` (kept only for the request)."""
    return USERINFO.sub(r"\1", url) if url else url


UNKNOWN_HOST = "the configured server"
"""How a URL without a readable host is named in messages."""
USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)?[^/?#]*@")
"""A URL's scheme, then any `user:password@` before the host (up to the authority's last @)."""
