"""The access policy for the app's visitors: whose key goes where, and which hosts a public app
may reach."""

from __future__ import annotations

import socket

import pytest
from caption_setup import ANSWERING, PLANTED_KEY, VISITOR_KEY, use_server
from fake_openai import FakeOpenAI

from llm_ssd.caption import access
from llm_ssd.caption.access import (
    is_public_address,
    public_host_problem,
    request_settings,
    served_locally,
)
from llm_ssd.caption.client import PLACEHOLDER_KEY, Caption, stream_caption
from llm_ssd.caption.offline import OFFLINE_SOURCE, offline_caption
from llm_ssd.caption.settings import CaptionSettings

PRIVATE = "is on a local or private network"


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

    monkeypatch.setattr(access.socket, "getaddrinfo", getaddrinfo)
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
        own = CaptionSettings(base_url=server.base_url, timeout=ANSWERING)
        refused = visit(analysis, CaptionSettings(), base_url=server.base_url, local=False)
        assert server.requests == []
        assert refused.text == offline_caption(analysis) and refused.source == OFFLINE_SOURCE
        assert refused.error.startswith(f"The LLM server address 127.0.0.1:{server.port} {PRIVATE}")
        assert visit(analysis, own, base_url=server.base_url, local=False).error is None
        assert len(server.requests) == 1  # the server's own URL is always allowed
        allowed = visit(analysis, CaptionSettings(), base_url=server.base_url, local=True)
        assert allowed.error is None and allowed.text == server.text
        assert len(server.requests) == 2


def test_served_locally_reads_the_process_environment(monkeypatch):
    assert served_locally() is True
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    assert served_locally() is False


REBIND_HOST = "rebind.example"
PUBLIC_ANSWER = "93.184.216.34"


def test_a_name_that_rebinds_to_loopback_reaches_only_the_address_checked(monkeypatch, analysis):
    """DNS rebinding: the first answer is public, every later one 127.0.0.1. The connection goes
    to the address that was checked, never to a later answer."""
    answers = iter([PUBLIC_ANSWER])
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
    tried: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != REBIND_HOST:
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    def connect(self, address):
        tried.append(address[0])
        if address[0] == PUBLIC_ANSWER:  # stands in for the internet: nothing leaves the machine
            raise ConnectionRefusedError("refused by the test")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    with FakeOpenAI() as server:
        url = f"http://{REBIND_HOST}:{server.port}/v1"
        result = visit(analysis, CaptionSettings(), base_url=url, local=False)
        assert server.requests == []
    assert tried == [PUBLIC_ANSWER]
    assert result.source == OFFLINE_SOURCE
    where = f"{REBIND_HOST}:{server.port}"
    assert result.error == f"Could not connect to the LLM server at {where}. Is it running?"


def test_each_connection_of_a_public_app_checks_its_own_answer(monkeypatch, analysis):
    """A name that resolves to loopback is refused at the connection itself, with the message
    that says why, and nothing is sent."""

    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with FakeOpenAI() as server:
        url = f"http://{REBIND_HOST}:{server.port}/v1"
        result = visit(analysis, CaptionSettings(), base_url=url, local=False)
        assert server.requests == []
    assert result.error.startswith(f"The LLM server address {REBIND_HOST}:{server.port} {PRIVATE}")
