"""Fixtures every folder shares: the read-only reference material beside the repository, a
weights folder with the authors' Table V checkpoints, and a clean, loopback-only environment."""

from __future__ import annotations

import json
import shutil
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


@pytest.fixture(scope="session")
def tablev_shared() -> Path:
    """../shared/tablev: the authors' three Table V checkpoints and their outputs."""
    return shared_file("tablev")


@pytest.fixture(scope="session")
def tablev_weights(tmp_path_factory, tablev_shared) -> Path:
    """A weights folder with SoundAQnet's published files and the three Table V checkpoints,
    installed the way `llm-ssd weights fetch --model NAME --from FILE` installs them."""
    from llm_ssd.model import weights
    from llm_ssd.model.networks.fetch import fetch_network

    weights.ensure_published()
    folder = tmp_path_factory.mktemp("tablev_weights")
    for name in [*weights.CHECKPOINT_SHA256, weights.NORM_FILE]:
        shutil.copy(weights.weights_dir() / name, folder / name)
    for file in weights.TABLEV_FILES.values():
        fetch_network(file.network, source=tablev_shared / file.name, dest=folder)
    return folder


@pytest.fixture
def with_tablev(tablev_weights, monkeypatch: pytest.MonkeyPatch) -> Path:
    """LLM_SSD_WEIGHTS pointed at `tablev_weights` for one test."""
    from llm_ssd.env import ENV_WEIGHTS

    monkeypatch.setenv(ENV_WEIGHTS, str(tablev_weights))
    return tablev_weights


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with a slow test first, then those driving a browser, then the rest, each group in
    its own order: the suite is spread over the cores a file at a time (pytest-xdist, `--dist
    loadfile --no-loadscope-reorder`), and the longest files started first let the workers
    finish together."""
    marked = {
        name: {item.path for item in items if item.get_closest_marker(name)}
        for name in ("slow", "browser")
    }
    items.sort(
        key=lambda item: (item.path not in marked["slow"], item.path not in marked["browser"])
    )
