"""Streaming captions through the real openai client against a local fake server, and fallbacks."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from analyses import make_analysis
from fake_openai import FakeOpenAI

from llm_ssd import caption
from llm_ssd.caption import (
    PLACEHOLDER_KEY,
    Caption,
    CaptionSettings,
    caption_text,
    is_public_address,
    public_host_problem,
    request_settings,
    served_locally,
    stream_caption,
)
from llm_ssd.offline import OFFLINE_SOURCE, offline_caption, offline_chunks
from llm_ssd.prompt import build_prompt

PLANTED_KEY = "sk-planted-7f3a9c1e5b2d4f6a8c0e"
VISITOR_KEY = "sk-visitor-0a1b2c3d4e5f"
TIMEOUT = 1.0
SLACK = 1.0
"""Allowance on top of the configured timeout for a failure to come back (a loaded 2-core
machine needs well under half of it)."""
PRIVATE = "is on a local or private network"
ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "LLM_SSD_MODEL", "LLM_SSD_TIMEOUT")

FAILURES = {
    "401": "key was rejected",
    "429": "rate limiting",
    "500": "had an error (500)",
    "hang": f"No answer from 127.0.0.1:{{port}} within {TIMEOUT:g} s",
    "stall": f"No answer from 127.0.0.1:{{port}} within {TIMEOUT:g} s",
    "empty": "returned an empty answer",
}


@pytest.fixture(autouse=True)
def clean_env_and_loopback_only(monkeypatch):
    """No caption settings from the developer's environment, and no connection off this machine."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    connect = socket.socket.connect

    def loopback_connect(self, address):
        if not (isinstance(address, tuple) and address[0] in ("127.0.0.1", "::1", "localhost")):
            raise AssertionError(f"test tried to reach {address!r}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_connect)


@pytest.fixture
def analysis():
    return make_analysis(
        events={"Bird": 0.95, "Speech": 0.9, "Traffic": 0.45, "Wind": 0.2},
        paq={"pleasant": 4.1, "calm": 4.0, "annoying": 1.9, "chaotic": 1.2},
    )


def use_server(monkeypatch, server: FakeOpenAI, key: str | None = PLANTED_KEY) -> CaptionSettings:
    """Point the environment at `server`, as a user would, and read the settings from it."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("LLM_SSD_TIMEOUT", str(TIMEOUT))
    if key:
        monkeypatch.setenv("OPENAI_API_KEY", key)
    return CaptionSettings.from_env()


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
        settings = CaptionSettings(base_url=server.base_url, timeout=TIMEOUT)
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
        settings = CaptionSettings(base_url=server.base_url, timeout=TIMEOUT, language="German")
        caption_text(analysis, settings)
    assert "Write it in German." in server.requests[0]["body"]["messages"][0]["content"]


@pytest.mark.parametrize("mode", FAILURES)
def test_each_failure_gives_a_message_and_the_offline_caption(monkeypatch, analysis, mode):
    with FakeOpenAI(mode=mode) as server:
        stream = stream_caption(analysis, use_server(monkeypatch, server))
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
        settings = use_server(monkeypatch, server)
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
    assert settings.model == caption.DEFAULT_MODEL and settings.temperature == 1.0
    assert "api_key=None" in repr(settings)


def test_caption_record_fields(analysis):
    result = caption_text(analysis, CaptionSettings())
    assert isinstance(result, Caption)
    assert result.to_dict() == {
        "caption": offline_caption(analysis),
        "caption_source": OFFLINE_SOURCE,
        "caption_error": None,
    }


def test_request_settings_keep_the_server_key_only_for_the_server_url_and_model():
    server = CaptionSettings(
        api_key="sk-server-secret", base_url="http://127.0.0.1:9/v1", model="server-model"
    )
    same = request_settings(server, " server-model ", " http://127.0.0.1:9/v1 ", 0.5, "French")
    assert (same.api_key, same.model, same.temperature, same.language) == (
        "sk-server-secret",
        "server-model",
        0.5,
        "French",
    )
    assert not same.public_only and same.refusal is None
    for other in ("http://attacker.example/v1", "http://127.0.0.1:10/v1"):
        settings = request_settings(server, base_url=other)
        assert settings.api_key is None and settings.base_url == other
        assert settings.public_only and settings.refusal is None  # keyless servers are tried
        assert request_settings(server, base_url=other, local=True).public_only is False
    other_model = request_settings(server, model="gpt-4.5", base_url="http://127.0.0.1:9/v1")
    assert other_model.api_key is None and not other_model.online
    assert other_model.refusal.startswith(
        "Using another model than server-model needs your own API key;"
    )
    cleared = request_settings(server, base_url="")
    assert cleared.api_key is None and cleared.refusal.startswith(
        "Using another server than 127.0.0.1:9 needs your own API key;"
    )
    with_key = request_settings(server, model="gpt-4.5", base_url="", api_key=VISITOR_KEY)
    assert with_key.api_key is None and with_key.refusal is None
    assert VISITOR_KEY not in repr(with_key)
    openai_server = CaptionSettings(api_key="sk-server-secret")
    kept = request_settings(openai_server, model="", base_url="", temperature=None, language="")
    assert kept == openai_server
    keyless = CaptionSettings(base_url="http://127.0.0.1:9/v1")  # e.g. the operator's Ollama
    assert request_settings(keyless, model="llama3.2", base_url=keyless.base_url).refusal is None


def visit(analysis, server: CaptionSettings, **box) -> Caption:
    """What a visitor gets after changing the app's boxes (model, base_url, api_key, local)."""
    settings = request_settings(
        server,
        box.get("model"),
        box.get("base_url"),
        api_key=box.get("api_key"),
        local=box.get("local", True),
    )
    return stream_caption(analysis, settings, box.get("api_key")).result()


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        ({}, ("own", f"Bearer {PLANTED_KEY}")),
        ({"model": "gpt-4.5"}, "Using another model than fake-model needs your own API key;"),
        ({"model": "gpt-4.5", "api_key": VISITOR_KEY}, ("own", f"Bearer {VISITOR_KEY}")),
        ({"base_url": "other"}, ("other", f"Bearer {PLACEHOLDER_KEY}")),
        ({"base_url": "other", "model": "gpt-4.5"}, ("other", f"Bearer {PLACEHOLDER_KEY}")),
        ({"base_url": "other", "api_key": VISITOR_KEY}, ("other", f"Bearer {VISITOR_KEY}")),
        ({"base_url": ""}, "Using another server than 127.0.0.1:"),
        ({"api_key": VISITOR_KEY}, ("own", f"Bearer {VISITOR_KEY}")),
    ],
)
def test_the_server_key_goes_only_to_its_own_url_and_model(monkeypatch, analysis, box, expected):
    with FakeOpenAI() as own, FakeOpenAI() as other:
        monkeypatch.setenv("LLM_SSD_MODEL", "fake-model")
        server = use_server(monkeypatch, own)
        box = {**box, "base_url": box.get("base_url", own.base_url)}
        if box["base_url"] == "other":
            box["base_url"] = other.base_url
        result = visit(analysis, server, **box)
    sent = [r["headers"]["authorization"] for r in own.requests + other.requests]
    assert all(PLANTED_KEY not in s for s in sent) or box == {"base_url": own.base_url}
    if isinstance(expected, str):  # refused: the offline caption, and why
        assert sent == []
        assert result.text == offline_caption(analysis) and result.source == OFFLINE_SOURCE
        assert result.error.startswith(expected) and "your own API key" in result.error
    else:
        target, authorization = expected
        (request,) = (own if target == "own" else other).requests
        assert sent == [authorization] and result.error is None
        assert request["body"]["model"] == box.get("model", "fake-model")


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"],
)
def test_public_addresses(address):
    assert is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.100.100.200",  # shared address space, Alibaba Cloud's metadata
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "not an address",
    ],
)
def test_non_public_addresses(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:11434/v1",
        "http://localhost:11434/v1",
        "http://LOCALHOST/v1",
        "http://[::1]:8000/v1",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/v1",
        "https://192.168.1.10:8443/v1",
        "http://172.16.5.4/v1",
        "http://[fe80::1]/v1",
        "http://[::ffff:127.0.0.1]/v1",
        "http://0.0.0.0:22/",
        "http://2130706433/v1",  # 127.0.0.1 as one number
        "http://0x7f.1/v1",
        "http://user:pw@127.0.0.1:6379/",
    ],
)
def test_a_public_app_refuses_local_and_private_hosts(url):
    problem = public_host_problem(url)
    assert problem and PRIVATE in problem
    assert "pw" not in problem


@pytest.mark.parametrize("url", ["https://8.8.8.8/v1", "http://[2606:4700:4700::1111]:8080/v1"])
def test_a_public_app_allows_public_hosts(url):
    assert public_host_problem(url) is None


def test_every_resolved_address_is_checked(monkeypatch):
    answers = {"mixed.example": ["93.184.216.34", "10.0.0.7"], "public.example": ["93.184.216.34"]}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in answers[host]]

    monkeypatch.setattr(caption.socket, "getaddrinfo", getaddrinfo)
    assert PRIVATE in public_host_problem("https://mixed.example/v1")
    assert public_host_problem("https://public.example/v1") is None
    missing = public_host_problem("https://no-such-host.invalid:8443/v1")
    assert missing == (
        "Could not resolve the LLM server address no-such-host.invalid:8443. Check the base URL."
    )


@pytest.mark.parametrize(
    ("environ", "local"),
    [
        ({}, True),
        ({"GRADIO_SERVER_NAME": ""}, True),
        ({"GRADIO_SERVER_NAME": "127.0.0.1"}, True),
        ({"GRADIO_SERVER_NAME": " localhost "}, True),
        ({"GRADIO_SERVER_NAME": "::1"}, True),
        ({"GRADIO_SERVER_NAME": "0.0.0.0"}, False),
        ({"GRADIO_SERVER_NAME": "::"}, False),
        ({"GRADIO_SERVER_NAME": "192.168.1.20"}, False),
        ({"GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SHARE": "True"}, False),
        ({"GRADIO_SHARE": "false"}, True),
        ({"SPACE_ID": "someone/llm-ssd", "GRADIO_SERVER_NAME": "0.0.0.0"}, False),
        ({"SPACE_ID": "someone/llm-ssd"}, False),
    ],
)
def test_served_locally(environ, local):
    assert served_locally(environ) is local


def test_a_public_app_refuses_a_visitor_url_on_this_machine(analysis):
    with FakeOpenAI() as server:
        own = CaptionSettings(base_url=server.base_url, timeout=TIMEOUT)
        refused = visit(analysis, CaptionSettings(), base_url=server.base_url, local=False)
        assert server.requests == []
        assert refused.text == offline_caption(analysis) and refused.source == OFFLINE_SOURCE
        assert refused.error.startswith(f"The LLM server address 127.0.0.1:{server.port} {PRIVATE}")
        assert visit(analysis, own, base_url=server.base_url, local=False).error is None
        assert len(server.requests) == 1  # the server's own URL is always allowed
        allowed = visit(analysis, CaptionSettings(), base_url=server.base_url, local=True)
        assert allowed.error is None and allowed.text == server.text
        assert len(server.requests) == 2


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
    with caplog.at_level(logging.WARNING, logger="llm_ssd.caption"):
        settings = CaptionSettings.from_env()
    assert settings.timeout == caption.DEFAULT_TIMEOUT
    assert f"LLM_SSD_TIMEOUT={value!r} is not a positive number of seconds" in caplog.text
    assert "using the default, 30 s" in caplog.text


def test_a_good_timeout_in_the_environment_does_not_warn(monkeypatch, caplog):
    monkeypatch.setenv("LLM_SSD_TIMEOUT", " 2.5 ")
    with caplog.at_level(logging.WARNING, logger="llm_ssd.caption"):
        assert CaptionSettings.from_env().timeout == 2.5
    assert caplog.text == ""
