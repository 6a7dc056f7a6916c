"""Bounds on the caption settings that reach a prompt or a request to an LLM server.

A visitor of the app may type the model, the base URL, the temperature, the caption language and
their own key; the command line reads the same settings from the environment. A value out of
bounds is refused with a `UsageError` saying what is allowed (the app shows it as an error, the
command line prints it): nothing is sent. The language goes into the prompt, so it is a name from
`LANGUAGES` or one word of letters, never free text."""

from __future__ import annotations

import math
import re
from typing import Any

from llm_ssd.errors import UsageError
from llm_ssd.labels import LANGUAGES, MAX_LANGUAGE_CHARS

MAX_MODEL_CHARS = 128
MAX_BASE_URL_CHARS = 512
MAX_API_KEY_CHARS = 4096
"""Long enough for a JWT-style token, short enough to keep a request header small."""
TEMPERATURE_RANGE = (0.0, 2.0)
"""The range OpenAI's chat completions accept."""
LANGUAGE_WORD = re.compile(r"[^\W\d_]+")
"""One word of letters in any script ("Deutsch", "日本語"): no hyphen, digit, space or
punctuation, so that no instruction ("only-say-PWNED") passes as a language. Names of two words
are those of `LANGUAGES`."""
_KNOWN = {name.casefold(): name for name in LANGUAGES}


def checked_language(text: str) -> str:
    """The caption language: a name of `LANGUAGES` (any case; given as listed), or one word of
    letters of at most `MAX_LANGUAGE_CHARS` characters."""
    name = " ".join(str(text).split())
    if name.casefold() in _KNOWN:
        return _KNOWN[name.casefold()]
    if len(name) <= MAX_LANGUAGE_CHARS and LANGUAGE_WORD.fullmatch(name):
        return name
    raise UsageError(
        "The caption language must be the name of a language: one word of at most "
        f"{MAX_LANGUAGE_CHARS} letters (e.g. English, Deutsch, Español, 日本語) or a common "
        'name such as "Brazilian Portuguese".'
    )


def checked_model(text: str) -> str:
    """A model name: 1 to `MAX_MODEL_CHARS` printable characters without spaces."""
    if 0 < len(text) <= MAX_MODEL_CHARS and _visible(text):
        return text
    raise UsageError(
        f"The model name must be 1 to {MAX_MODEL_CHARS} characters without spaces "
        "(e.g. gpt-4o-mini, llama3.2:latest)."
    )


def checked_base_url(url: str | None) -> str | None:
    """A base URL of at most `MAX_BASE_URL_CHARS` characters (whether it is a usable URL is
    said when the caption is asked for)."""
    if url is None or len(url) <= MAX_BASE_URL_CHARS:
        return url
    raise UsageError(f"The base URL must be at most {MAX_BASE_URL_CHARS} characters long.")


def checked_temperature(value: Any) -> float:
    """A sampling temperature within `TEMPERATURE_RANGE`."""
    low, high = TEMPERATURE_RANGE
    try:
        temperature = float(value)
    except (TypeError, ValueError):
        temperature = math.nan
    if low <= temperature <= high:  # False for NaN
        return temperature
    raise UsageError(f"The temperature must be a number from {low:g} to {high:g}.")


def checked_api_key(key: str | None) -> str | None:
    """A key a visitor typed: at most `MAX_API_KEY_CHARS` visible ASCII characters. The message
    never repeats the key."""
    if key is None or (len(key) <= MAX_API_KEY_CHARS and key.isascii() and _visible(key)):
        return key
    raise UsageError(
        f"An API key is at most {MAX_API_KEY_CHARS} visible characters (letters, digits and "
        "punctuation, no spaces)."
    )


def _visible(text: str) -> bool:
    return text.isprintable() and not any(c.isspace() for c in text)
