"""Streaming captions through the real openai client against a local fake server, and fallbacks."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from caption_setup import ANSWERING, PLANTED_KEY, TIMEOUT, use_server
from fake_openai import FakeOpenAI

from llm_ssd.caption import client as caption
from llm_ssd.caption import settings as caption_settings
from llm_ssd.caption.client import (
    PLACEHOLDER_KEY,
    Caption,
    CaptionFailure,
    caption_text,
    stream_caption,
)
from llm_ssd.caption.offline import OFFLINE_SOURCE, offline_caption, offline_chunks
from llm_ssd.caption.prompt import build_prompt
from llm_ssd.caption.settings import CaptionSettings
from llm_ssd.errors import LLMSSDError

SLACK = 10.0
"""Allowance on top of the configured timeout for a failure to come back (a loaded 2-core
machine needs well under half of it)."""

FAILURES = {
    "401": "key was rejected",
    "402": "credits or quota at 127.0.0.1:{port} are used up (402)",
    "429": "rate limiting",
    "500": "had an error (500)",
    "hang": f"No answer from 127.0.0.1:{{port}} within {TIMEOUT:g} s",
    "stall": f"No answer from 127.0.0.1:{{port}} within {TIMEOUT:g} s",
    "empty": "returned an empty answer",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(stream) -> tuple[list[str], float]:
    start = time.monotonic()
    chunks = list(stream)
    return chunks, time.monotonic() - start


def test_chunks_stream_in_order_and_join_to_the_full_text(monkeypatch, analysis):
    with FakeOpenAI(chunks=6) as server:
        monkeypatch.setenv("LLM_SSD_MODEL", "fake-model")
        settings = use_server(monkeypatch, server)
        stream = stream_caption(analysis, settings)
        chunks = list(stream)
    assert len(chunks) == 6
    assert chunks == server.text_chunks()
    assert "".join(chunks) == stream.text == server.text
    assert stream.error is None
    assert stream.source == f"model fake-model via 127.0.0.1:{server.port}"

    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {PLANTED_KEY}"
    body = request["body"]
    assert body["model"] == "fake-model" and body["stream"] is True
    assert body["temperature"] == 1.0 and body["max_tokens"] == 250
    assert body["messages"] == build_prompt(analysis)


def test_chunks_are_yielded_as_they_arrive(monkeypatch, analysis):
    with FakeOpenAI(chunks=5, chunk_delay=0.3) as server:
        stream = stream_caption(analysis, use_server(monkeypatch, server))
        start = time.monotonic()
        arrivals = [time.monotonic() - start for _ in stream]
    assert len(arrivals) == 5
    assert arrivals[0] < arrivals[-1] - 0.8  # not buffered until the end


def test_local_server_without_key_gets_a_placeholder(monkeypatch, analysis):
    with FakeOpenAI() as server:
        result = caption_text(analysis, use_server(monkeypatch, server, key=None))
    assert result.text == server.text and result.error is None
    assert server.requests[0]["headers"]["authorization"] == f"Bearer {PLACEHOLDER_KEY}"


def test_key_given_per_call_is_used_once_and_kept_nowhere(monkeypatch, analysis):
    with FakeOpenAI() as server:
        settings = CaptionSettings(base_url=server.base_url, timeout=ANSWERING)
        stream = stream_caption(analysis, settings, api_key=PLANTED_KEY)
        text = "".join(stream)
        caption_text(analysis, settings)
    assert text == server.text
    first, second = (r["headers"]["authorization"] for r in server.requests)
    assert first == f"Bearer {PLANTED_KEY}"
    assert second == f"Bearer {PLACEHOLDER_KEY}"
    assert settings.api_key is None
    assert PLANTED_KEY not in repr(vars(stream))


def test_language_reaches_the_prompt(monkeypatch, analysis):
    with FakeOpenAI() as server:
        settings = CaptionSettings(base_url=server.base_url, timeout=ANSWERING, language="German")
        caption_text(analysis, settings)
    assert "Write it in German." in server.requests[0]["body"]["messages"][0]["content"]


@pytest.mark.parametrize("mode", FAILURES)
def test_each_failure_gives_a_message_and_the_offline_caption(monkeypatch, analysis, mode):
    with FakeOpenAI(mode=mode) as server:
        stream = stream_caption(analysis, use_server(monkeypatch, server, timeout=TIMEOUT))
        chunks, elapsed = timed(stream)
    assert stream.text == "".join(chunks) == offline_caption(analysis)
    assert len(chunks) > 5  # streamed in small pieces like an LLM answer
    assert stream.source == OFFLINE_SOURCE
    assert FAILURES[mode].format(port=server.port) in stream.error
    assert elapsed < TIMEOUT + SLACK
    assert len(server.requests) == 1  # no retries
    if mode in ("hang", "stall"):
        assert elapsed > TIMEOUT * 0.9  # it did wait for the configured timeout, not longer


def test_connection_refused(analysis):
    settings = CaptionSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", timeout=TIMEOUT)
    stream = stream_caption(analysis, settings)
    chunks, elapsed = timed(stream)
    assert "".join(chunks) == offline_caption(analysis)
    assert "Could not connect" in stream.error and "running" in stream.error
    assert stream.source == OFFLINE_SOURCE
    assert elapsed < TIMEOUT + SLACK


@pytest.mark.parametrize("url", ["localhost:11434/v1", "not a url", "ftp://example.org", "http://"])
def test_base_url_that_is_not_a_url(monkeypatch, analysis, url):
    constructed = []
    monkeypatch.setattr(caption.openai, "OpenAI", lambda **kw: constructed.append(kw))
    result = caption_text(analysis, CaptionSettings(base_url=url, api_key=PLANTED_KEY))
    assert "not a valid http(s) URL" in result.error
    assert result.text == offline_caption(analysis)
    assert result.source == OFFLINE_SOURCE
    assert constructed == []


def test_stream_cut_midway_keeps_what_arrived(monkeypatch, analysis):
    with FakeOpenAI(mode="cut", chunks=8, cut_after=3) as server:
        stream = stream_caption(analysis, use_server(monkeypatch, server))
        chunks, elapsed = timed(stream)
    arrived = "".join(server.text_chunks()[:3])
    assert chunks[:3] == server.text_chunks()[:3]
    assert stream.text.startswith(arrived)
    assert stream.text.endswith(offline_caption(analysis))
    assert server.text not in stream.text
    assert "cut off" in stream.error
    assert "cut off" in stream.source and stream.source.endswith(OFFLINE_SOURCE)
    assert elapsed < TIMEOUT + SLACK


def test_without_key_or_server_no_network_is_attempted(monkeypatch, analysis):
    attempts = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: attempts.append(addr))
    monkeypatch.setattr(caption.openai, "OpenAI", lambda **kw: attempts.append(kw))
    stream = stream_caption(analysis)
    chunks = list(stream)
    assert attempts == []
    assert chunks == list(offline_chunks(analysis))
    assert "".join(chunks) == offline_caption(analysis)
    assert len(chunks) > 5
    assert stream.source == OFFLINE_SOURCE and stream.error is None


@pytest.mark.parametrize("mode", ["ok", "401", "cut", "hang", "bad url", "refused"])
def test_planted_key_never_leaks(monkeypatch, caplog, capfd, analysis, mode):
    caplog.set_level(logging.DEBUG)  # every logger, openai's and httpx's included
    with FakeOpenAI(mode="ok" if mode in ("bad url", "refused") else mode) as server:
        settings = use_server(monkeypatch, server, timeout=TIMEOUT if mode == "hang" else ANSWERING)
        if mode == "bad url":
            settings = CaptionSettings(base_url=f"{PLANTED_KEY} http//x", api_key=PLANTED_KEY)
        if mode == "refused":
            settings = CaptionSettings(
                base_url=f"http://127.0.0.1:{free_port()}/v1", api_key=PLANTED_KEY
            )
        stream = stream_caption(analysis, settings)
        result = stream.result()
    if mode == "401":  # the server did echo the key back in its error body
        assert result.error and "rejected" in result.error
    captured = capfd.readouterr()
    seen = [
        caplog.text,
        captured.out,
        captured.err,
        repr(settings),
        str(settings),
        repr(result),
        repr(result.to_dict()),
        repr(vars(stream)),
        repr(stream),
    ]
    assert all(PLANTED_KEY not in s for s in seen)
    assert all(PLANTED_KEY[3:15] not in s for s in seen)


def test_settings_from_env_and_overrides(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", f"  {PLANTED_KEY}\n")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("LLM_SSD_MODEL", "llama3.2")
    monkeypatch.setenv("LLM_SSD_TIMEOUT", "7.5")
    settings = CaptionSettings.from_env(temperature=0.5, model=None, language="Spanish")
    assert settings.api_key == PLANTED_KEY
    assert settings.base_url == "http://localhost:11434/v1"
    assert (settings.model, settings.timeout) == ("llama3.2", 7.5)
    assert (settings.temperature, settings.language, settings.max_tokens) == (0.5, "Spanish", 250)
    assert PLANTED_KEY not in repr(settings) and "api_key='***'" in repr(settings)
    assert settings.online


def test_default_settings_are_offline():
    settings = CaptionSettings.from_env()
    assert (settings.api_key, settings.base_url, settings.online) == (None, None, False)
    assert settings.model == caption_settings.DEFAULT_MODEL and settings.temperature == 1.0
    assert "api_key=None" in repr(settings)


def test_caption_record_fields(analysis):
    result = caption_text(analysis, CaptionSettings())
    assert isinstance(result, Caption)
    assert result.to_dict() == {
        "caption": offline_caption(analysis),
        "caption_source": OFFLINE_SOURCE,
        "caption_error": None,
    }


def test_a_redirect_is_not_followed(monkeypatch, analysis):
    with FakeOpenAI() as target, FakeOpenAI(mode="redirect") as server:
        server.redirect_to = f"{target.base_url}/chat/completions"
        result = caption_text(analysis, use_server(monkeypatch, server))
    assert target.requests == [] and len(server.requests) == 1
    assert "redirected the request (307)" in result.error
    assert result.text == offline_caption(analysis)


def test_a_bug_in_the_prompt_is_not_reported_as_a_service_failure(monkeypatch, analysis):
    def broken_prompt(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(caption, "build_prompt", broken_prompt)
    with FakeOpenAI() as server, pytest.raises(ZeroDivisionError, match="a bug"):
        caption_text(analysis, use_server(monkeypatch, server))
    assert server.requests == []


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan", "inf", "30s"])
def test_a_bad_timeout_in_the_environment_warns_and_uses_the_default(monkeypatch, caplog, value):
    monkeypatch.setenv("LLM_SSD_TIMEOUT", value)
    with caplog.at_level(logging.WARNING, logger="llm_ssd.caption.client"):
        settings = CaptionSettings.from_env()
    assert settings.timeout == caption_settings.DEFAULT_TIMEOUT
    assert f"LLM_SSD_TIMEOUT={value!r} is not a positive number of seconds" in caplog.text
    assert "using the default, 30 s" in caplog.text


def test_a_good_timeout_in_the_environment_does_not_warn(monkeypatch, caplog):
    monkeypatch.setenv("LLM_SSD_TIMEOUT", " 2.5 ")
    with caplog.at_level(logging.WARNING, logger="llm_ssd.caption.client"):
        assert CaptionSettings.from_env().timeout == 2.5
    assert caplog.text == ""


def test_a_caption_failure_belongs_to_the_error_family():
    assert issubclass(CaptionFailure, LLMSSDError)
