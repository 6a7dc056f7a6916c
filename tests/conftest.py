"""Shared fixtures: the read-only reference material beside the repository."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"


def shared_file(*parts: str) -> Path:
    """A file of ../shared, or skip the test saying why."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the reference material of ../shared is not laid out here")
    return path


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
