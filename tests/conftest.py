"""Fixtures every folder shares: the read-only reference material beside the repository, and a
clean, loopback-only environment."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from reference import shared_file


@pytest.fixture(scope="session")
def published() -> dict:
    """The authors' published outputs for the reference clip."""
    return json.loads(shared_file("reference", "stimulus_13_published.json").read_text())


@pytest.fixture(scope="session")
def reference_clip() -> Path:
    return shared_file("reference", "stimulus_13.flac")


@pytest.fixture(scope="session")
def authors_features() -> tuple[np.ndarray, np.ndarray]:
    """The authors' log-mel (3001, 64) and loudness (15000, 1) of the reference clip."""
    mel = np.load(shared_file("reference", "stimulus_13_logmel.npy"))
    loud = np.load(shared_file("reference", "stimulus_13_loudness.npy"))
    return mel.astype(np.float32), loud.astype(np.float32)


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """No caption settings from the developer's environment, and no connection off this machine
    (autouse in tests/caption/)."""
    from caption_setup import isolate

    isolate(monkeypatch)
