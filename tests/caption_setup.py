"""Set-up shared by the caption and access tests: planted keys, a clean environment with
loopback-only connections, a typical analysis, and a fake server given through the environment."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from analyses import make_analysis
from fake_openai import FakeOpenAI

from llm_ssd.caption.settings import CaptionSettings
from llm_ssd.env import ACCESS_NAMES, CAPTION_NAMES
from llm_ssd.result import Analysis

PLANTED_KEY = "sk-planted-7f3a9c1e5b2d4f6a8c0e"
VISITOR_KEY = "sk-visitor-0a1b2c3d4e5f"
TIMEOUT = 1.0
"""The idle timeout where a test's server hangs or stalls: short, so that the test waits 1 s."""
ANSWERING = 30.0
"""The idle timeout where a test's server answers: long, so that a busy machine's pauses are
never taken for a hang (1 s was, with the suite on every core)."""
ENV = (*CAPTION_NAMES, *ACCESS_NAMES)
"""The environment variables the caption settings and the access policy read."""
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def isolate(monkeypatch: pytest.MonkeyPatch) -> None:
    """No settings from the developer's environment, and no connection off this machine."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    connect = socket.socket.connect

    def loopback_connect(self: socket.socket, address: Any) -> None:
        if not (isinstance(address, tuple) and address[0] in LOOPBACK):
            raise AssertionError(f"test tried to reach {address!r}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_connect)


def mixed_analysis() -> Analysis:
    """Two strong events, one weak, one below the threshold; agreed and disagreed qualities."""
    return make_analysis(
        events={"Bird": 0.95, "Speech": 0.9, "Traffic": 0.45, "Wind": 0.2},
        paq={"pleasant": 4.1, "calm": 4.0, "annoying": 1.9, "chaotic": 1.2},
    )


def use_server(
    monkeypatch: pytest.MonkeyPatch,
    server: FakeOpenAI,
    key: str | None = PLANTED_KEY,
    timeout: float = ANSWERING,
) -> CaptionSettings:
    """Point the environment at `server`, as a user would, and read the settings from it."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("LLM_SSD_TIMEOUT", str(timeout))
    if key:
        monkeypatch.setenv("OPENAI_API_KEY", key)
    return CaptionSettings.from_env()
