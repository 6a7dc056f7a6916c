"""SoundAQnet with the published weights reproduces the authors' outputs."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from llm_ssd.audio.checks import NETWORK_MIN_FRAMES
from llm_ssd.labels import EVENTS, PAQS, SCENES
from llm_ssd.model.runtime import load_model
from llm_ssd.model.soundaqnet import ModelDimensions, SoundAQnet
from llm_ssd.model.weights import CHECKPOINT_SHA256, load_checkpoint, resolve_checkpoint

PARITY_TOLERANCE = 1e-4


def predict(mel: np.ndarray, loud: np.ndarray, checkpoint: str | None = None) -> dict:
    model = load_model(checkpoint, "cpu")
    return model.predict(torch.from_numpy(mel)[None], torch.from_numpy(loud[:, 0])[None])


def test_authors_features_reproduce_published_outputs(authors_features, published):
    mel, loud = authors_features
    out = predict(mel, loud)
    assert SCENES[int(out["scene"][0].argmax())] == published["scene"]
    assert list(EVENTS) == published["event_labels"]
    assert list(PAQS) == published["paq_labels"]
    np.testing.assert_allclose(
        out["event"][0], published["event_probabilities"], atol=PARITY_TOLERANCE, rtol=0
    )
    assert out["isop"][0] == pytest.approx(published["isop"], abs=PARITY_TOLERANCE)
    assert out["isoe"][0] == pytest.approx(published["isoe"], abs=PARITY_TOLERANCE)
    np.testing.assert_allclose(out["paq"][0], published["paq"], atol=PARITY_TOLERANCE, rtol=0)


@pytest.mark.parametrize("name", list(CHECKPOINT_SHA256))
def test_every_published_checkpoint_loads_strictly_and_agrees_on_the_scene(
    name, authors_features, published
):
    model = SoundAQnet()
    missing, unexpected = model.load_state_dict(load_checkpoint(resolve_checkpoint(name)))
    assert not missing and not unexpected
    mel, loud = authors_features
    out = predict(mel, loud, name)
    assert SCENES[int(out["scene"][0].argmax())] == published["scene"]


def test_parameter_count_matches_the_paper():
    count = sum(p.numel() for p in SoundAQnet().parameters())
    assert round(count / 1e6, 2) == 2.70


def test_batch_gives_the_same_outputs_as_one_clip_at_a_time():
    rng = np.random.default_rng(0)
    mels = [rng.normal(-40, 15, (400 + 150 * i, 64)).astype(np.float32) for i in range(2)]
    louds = [rng.gamma(2.0, 2.0, (2000, 1)).astype(np.float32) for _ in range(2)]
    single = [predict(m[:400], lo) for m, lo in zip(mels, louds, strict=True)]
    model = load_model(None, "cpu")
    batch = model.predict(
        torch.from_numpy(np.stack([m[:400] for m in mels])),
        torch.from_numpy(np.stack([lo[:, 0] for lo in louds])),
    )
    for i, one in enumerate(single):
        for key in ("scene", "event", "isop", "isoe", "paq"):
            np.testing.assert_allclose(batch[key][i], one[key][0], atol=1e-5)


def test_network_minimum_length_is_exact():
    """NETWORK_MIN_FRAMES frames pass through the network; one frame fewer does not."""
    model = SoundAQnet(ModelDimensions()).eval()
    loud = torch.zeros(1, 1000, 1)
    with torch.no_grad():
        out = model(torch.zeros(1, NETWORK_MIN_FRAMES, 64), loud)
        assert out["scene"].shape == (1, 3)
        with pytest.raises(RuntimeError):
            model(torch.zeros(1, NETWORK_MIN_FRAMES - 1, 64), loud)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_batch_matches_cpu(authors_features):
    mel, loud = authors_features
    mels = torch.from_numpy(np.stack([mel, mel[::-1].copy()]))
    louds = torch.from_numpy(np.stack([loud[:, 0], loud[::-1, 0].copy()]))
    on_cpu = load_model(None, "cpu").predict(mels, louds)
    on_gpu = load_model(None, "cuda").predict(mels, louds)
    for key in ("scene", "event", "isop", "isoe", "paq"):
        np.testing.assert_allclose(on_gpu[key], on_cpu[key], atol=1e-4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_analyze_on_cuda_matches_cpu(reference_clip):
    from llm_ssd.analysis import analyze

    a, b = analyze(reference_clip, device="cpu"), analyze(reference_clip, device="cuda")
    assert a.scene == b.scene
    np.testing.assert_allclose(a.log_mel, b.log_mel, atol=1e-3)
    np.testing.assert_allclose(list(a.paq.values()), list(b.paq.values()), atol=1e-3)


def test_a_rewritten_checkpoint_is_loaded_afresh(tmp_path):
    state = load_checkpoint(resolve_checkpoint(None))
    path = tmp_path / "mine.pth"
    torch.save({"state_dict": state}, path)
    first = load_model(path, "cpu")
    assert load_model(path, "cpu") is first
    state["fc_final_pleasant.bias"] += 1.0
    torch.save({"state_dict": state}, path)
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000_000))
    second = load_model(path, "cpu")
    assert second is not first
    delta = second.model.fc_final_pleasant.bias - first.model.fc_final_pleasant.bias
    assert delta.item() == pytest.approx(1.0)
