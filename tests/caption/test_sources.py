"""The order of caption sources and the Hugging Face router (issue 14): which source writes a
caption, where a Hugging Face token may go, and how the router's failures end."""

from __future__ import annotations

import logging
import re
import time

import pytest
from caption_setup import ANSWERING, TIMEOUT, VISITOR_KEY
from fake_openai import FakeOpenAI

from llm_ssd.caption.client import caption_text, stream_caption
from llm_ssd.caption.offline import OFFLINE_SOURCE, offline_caption
from llm_ssd.caption.settings import (
    DEFAULT_HF_MODEL,
    HF_ROUTER_URL,
    CaptionSettings,
    Router,
    router_from_env,
)
from llm_ssd.caption.sources import (
    Source,
    choose_source,
    sign_in_available,
    source_order,
    visitor_settings,
)

SERVER_TOKEN = "hf_PLANTEDserver3c4d5e6f7a8b"
VISITOR_TOKEN = "hf_PLANTEDvisitor9a8b7c6d5e"
ROUTER_MODEL = "fake-org/Fake-Instruct"
SLACK = 10.0
"""Seconds a failure may take beyond the timeout on a busy machine: far below the 30-s default
timeout, so a failure that waited for the default would still be caught."""
"""Allowance on top of the configured timeout for a failure to come back."""
ROUTER_FAILURES = {
    "401": "was refused by 127.0.0.1:{port} (401)",
    "402": "credits or quota at 127.0.0.1:{port} are used up (402)",
    "429": "rate limiting",
    "500": "had an error (500)",
    "hang": f"No answer from 127.0.0.1:{{port}} within {TIMEOUT:g} s",
    "cut": "was cut off midway",
}
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def use_router(
    monkeypatch, router: FakeOpenAI, token: str | None = SERVER_TOKEN, timeout: float = ANSWERING
) -> None:
    """The server's environment: HF_TOKEN and the router at the fake server; no OpenAI."""
    monkeypatch.setenv("LLM_SSD_HF_BASE_URL", router.base_url)
    monkeypatch.setenv("LLM_SSD_HF_MODEL", ROUTER_MODEL)
    monkeypatch.setenv("LLM_SSD_TIMEOUT", str(timeout))
    if token:
        monkeypatch.setenv("HF_TOKEN", token)


@pytest.mark.parametrize(
    ("given", "source"),
    [
        ({}, Source.OFFLINE),
        ({"server_hf": True}, Source.SERVER_HF),
        ({"server_hf": True, "server_llm": True}, Source.SERVER_LLM),
        ({"server_llm": True, "signed_in": True}, Source.VISITOR_SIGN_IN),
        ({"signed_in": True, "visitor_key": True}, Source.VISITOR),
        ({"signed_in": True, "visitor_server": True}, Source.VISITOR),
        (dict.fromkeys(("visitor_key", "signed_in", "server_llm", "server_hf"), True),
         Source.VISITOR),
    ],
)  # fmt: skip
def test_the_first_source_that_applies_writes_the_caption(given, source):
    assert choose_source(**given) is source


def test_the_order_is_said_in_one_line():
    assert source_order() == (
        "your own API key or server › your Hugging Face sign-in › this server's LLM "
        "(OPENAI_API_KEY / OPENAI_BASE_URL) › this server's Hugging Face token (HF_TOKEN) › "
        "the offline template"
    )


def test_the_router_defaults_and_its_settings(monkeypatch):
    assert router_from_env({}) == Router(HF_ROUTER_URL, DEFAULT_HF_MODEL)
    assert HF_ROUTER_URL == "https://router.huggingface.co/v1"
    env = {"LLM_SSD_HF_BASE_URL": " http://127.0.0.1:9/v1 ", "LLM_SSD_HF_MODEL": "m:together"}
    assert router_from_env(env) == Router("http://127.0.0.1:9/v1", "m:together")


def test_the_server_token_goes_through_the_router_only_without_openai_settings(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", SERVER_TOKEN)
    monkeypatch.setenv("LLM_SSD_MODEL", "gpt-4o-mini")
    settings = CaptionSettings.from_env()
    assert (settings.api_key, settings.base_url) == (SERVER_TOKEN, HF_ROUTER_URL)
    assert settings.model == DEFAULT_HF_MODEL and settings.token_owner == "the server's token"
    assert SERVER_TOKEN not in repr(settings)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    openai = CaptionSettings.from_env()
    assert openai.api_key is None and openai.base_url == "http://localhost:11434/v1"
    assert openai.model == "gpt-4o-mini" and openai.token_owner is None


def test_the_caption_language_comes_from_the_environment_or_an_override(monkeypatch):
    monkeypatch.setenv("LLM_SSD_LANGUAGE", " German ")
    assert CaptionSettings.from_env().language == "German"
    assert CaptionSettings.from_env(language="French").language == "French"


def visit(server: CaptionSettings, **box) -> tuple[CaptionSettings, str | None]:
    router = Router("http://127.0.0.1:9/v1", ROUTER_MODEL)
    box = {"base_url": server.base_url or "", "model": server.model, **box}
    return visitor_settings(server, router, local=True, **box)


@pytest.mark.parametrize(
    "server",
    [
        CaptionSettings(),
        CaptionSettings(api_key="sk-server", base_url="http://127.0.0.1:8/v1", model="own"),
        CaptionSettings(api_key=SERVER_TOKEN, base_url=HF_ROUTER_URL, model=DEFAULT_HF_MODEL,
                        token_owner="the server's token"),
    ],
)  # fmt: skip
def test_a_signed_in_visitor_goes_to_the_router_with_their_token(server):
    settings, key = visit(server, hf_token=f" {VISITOR_TOKEN} ", language="German")
    assert key == VISITOR_TOKEN and settings.api_key is None
    assert settings.base_url == "http://127.0.0.1:9/v1" and not settings.public_only
    assert settings.model == ROUTER_MODEL  # the model box left as the server has it
    assert settings.token_owner == "your sign-in" and settings.refusal is None
    assert settings.language == "German"
    chosen, _ = visit(server, hf_token=VISITOR_TOKEN, model="meta-llama/Llama-3.1-8B-Instruct")
    assert chosen.model == "meta-llama/Llama-3.1-8B-Instruct"


def test_the_visitor_token_goes_nowhere_but_the_router():
    server = CaptionSettings(api_key="sk-server", base_url="http://127.0.0.1:8/v1", model="own")
    with_key, key = visit(server, hf_token=VISITOR_TOKEN, api_key=VISITOR_KEY)
    assert key == VISITOR_KEY and with_key.base_url == server.base_url
    assert with_key.token_owner is None
    elsewhere, key = visit(server, hf_token=VISITOR_TOKEN, base_url="https://8.8.8.8/v1")
    assert key is None and elsewhere.base_url == "https://8.8.8.8/v1"
    assert elsewhere.api_key is None and elsewhere.token_owner is None
    assert VISITOR_TOKEN not in repr(with_key) + repr(elsewhere)


def test_the_server_token_keeps_the_router_rules():
    server = CaptionSettings(api_key=SERVER_TOKEN, base_url=HF_ROUTER_URL,
                             model=DEFAULT_HF_MODEL, token_owner="the server's token")  # fmt: skip
    same, key = visit(server)
    assert (same.api_key, key, same.token_owner) == (SERVER_TOKEN, None, "the server's token")
    other_model, _ = visit(server, model="gpt-4.5")
    assert other_model.api_key is None and other_model.refusal  # offline, and why
    other_server, _ = visit(server, base_url="http://127.0.0.1:7/v1")
    assert other_server.api_key is None and other_server.token_owner is None
    own_key, key = visit(server, api_key=VISITOR_KEY)
    assert key == VISITOR_KEY and own_key.token_owner is None


def test_a_sign_in_sends_the_token_to_the_router_and_says_so(analysis):
    with FakeOpenAI(model=ROUTER_MODEL) as router, FakeOpenAI() as openai:
        server = CaptionSettings(api_key="sk-server", base_url=openai.base_url, timeout=ANSWERING)
        settings, key = visitor_settings(
            server, Router(router.base_url, ROUTER_MODEL), hf_token=VISITOR_TOKEN,
            model=server.model, base_url=server.base_url, local=False,
        )  # fmt: skip
        result = stream_caption(analysis, settings, key).result()
    assert result.text == router.text and result.error is None
    assert result.source == f"Hugging Face router, model {ROUTER_MODEL}, your sign-in"
    (request,) = router.requests
    assert request["headers"]["authorization"] == f"Bearer {VISITOR_TOKEN}"
    assert request["body"]["model"] == ROUTER_MODEL
    assert openai.requests == []


@pytest.mark.parametrize("mode", ROUTER_FAILURES)
def test_each_router_failure_gives_a_message_and_the_offline_caption(monkeypatch, analysis, mode):
    """Acceptance 3: 401, 402, 429, 500, a hang and a cut stream each end in bounded time."""
    with FakeOpenAI(mode=mode, model=ROUTER_MODEL) as router:
        use_router(monkeypatch, router, timeout=TIMEOUT)
        start = time.monotonic()
        stream = stream_caption(analysis, CaptionSettings.from_env())
        result = stream.result()
        elapsed = time.monotonic() - start
    assert elapsed < TIMEOUT + SLACK
    assert ROUTER_FAILURES[mode].format(port=router.port) in result.error
    assert result.text.endswith(offline_caption(analysis))
    assert result.source.endswith(OFFLINE_SOURCE)
    assert len(router.requests) == 1
    assert router.requests[0]["headers"]["authorization"] == f"Bearer {SERVER_TOKEN}"
    if mode == "401":
        assert "server's Hugging Face token" in result.error and "HF_TOKEN" in result.error
    if mode == "cut":
        assert result.source == (
            f"Hugging Face router, model {ROUTER_MODEL}, the server's token (cut off), "
            f"then {OFFLINE_SOURCE}"
        )


def test_an_expired_sign_in_says_to_sign_in_again(analysis):
    with FakeOpenAI(mode="401") as router:
        settings, key = visitor_settings(
            CaptionSettings(timeout=ANSWERING), Router(router.base_url, ROUTER_MODEL),
            hf_token=VISITOR_TOKEN, local=True,
        )  # fmt: skip
        result = caption_text(analysis, settings, key)
    assert result.error.startswith("Your Hugging Face sign-in was refused by 127.0.0.1:")
    assert "Sign out and in again." in result.error
    assert result.text == offline_caption(analysis)


@pytest.mark.parametrize("mode", ["ok", "401", "402", "cut"])
@pytest.mark.parametrize("token", [SERVER_TOKEN, VISITOR_TOKEN])
def test_a_token_is_never_logged_nor_in_any_output(monkeypatch, caplog, capfd, analysis, mode,
                                                   token):  # fmt: skip
    caplog.set_level(logging.DEBUG)  # every logger, openai's and httpx's included
    with FakeOpenAI(mode=mode) as router:
        if token == SERVER_TOKEN:
            use_router(monkeypatch, router)
            settings, key = CaptionSettings.from_env(), None
        else:
            settings, key = visitor_settings(
                CaptionSettings(timeout=ANSWERING), Router(router.base_url, ROUTER_MODEL),
                hf_token=token, local=True,
            )  # fmt: skip
        stream = stream_caption(analysis, settings, key)
        result = stream.result()
    assert router.requests[0]["headers"]["authorization"] == f"Bearer {token}"
    captured = capfd.readouterr()
    seen = [caplog.text, captured.out, captured.err, repr(settings), repr(result),
            repr(result.to_dict()), repr(vars(stream))]  # fmt: skip
    assert all(token not in s and token[3:15] not in s for s in seen)


SPACE = {"SPACE_ID": "someone/llm-ssd", "SYSTEM": "spaces"}
"""What Hugging Face sets on every Space (and Gradio reads to tell one)."""


def test_the_sign_in_is_offered_on_a_space_with_oauth_only():
    """Issue 25, case 21: off a Space, OAUTH_CLIENT_ID no longer turns Gradio's mocked sign-in
    on (which sent HF_TOKEN to the hub's whoami at start-up)."""
    assert sign_in_available({**SPACE, "OAUTH_CLIENT_ID": "abc"})
    assert not sign_in_available({"OAUTH_CLIENT_ID": "abc", "HF_TOKEN": "hf_x"})
    assert not sign_in_available({"OAUTH_CLIENT_ID": "abc", "SPACE_ID": "someone/llm-ssd"})
    assert not sign_in_available(SPACE)
    assert not sign_in_available({})


def test_the_space_asks_for_the_sign_in_and_the_inference_scope():
    from app_server import ROOT

    front = FRONT_MATTER.match((ROOT / "README.md").read_text()).group(1).splitlines()
    assert "hf_oauth: true" in front
    assert "hf_oauth_scopes: [inference-api]" in front
