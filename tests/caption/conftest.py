"""What every caption test shares: a clean environment with loopback-only connections, and a
typical analysis to caption."""

from __future__ import annotations

import pytest
from caption_setup import isolate, mixed_analysis

from llm_ssd.result import Analysis


@pytest.fixture(autouse=True)
def clean_env_and_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No caption settings from the developer's environment, and no connection off this
    machine."""
    isolate(monkeypatch)


@pytest.fixture
def analysis() -> Analysis:
    return mixed_analysis()
